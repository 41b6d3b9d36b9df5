"""The Mermaid diagrams of an offline plan (diagram.md): trust (trust.py), network (network.py) and
vSphere (vsphere.py), drawn as graphs (graph.py) from the plan document (document.py), assembled in
markdown.py. Standard library only, like tools.review, which draws them in its diffs.
"""
