"""Metadata every Kubernetes object the stack pushes carries."""

MANAGED_BY = {"app.kubernetes.io/managed-by": "tkg-aws"}
"""Who owns the object: `kubectl get -l app.kubernetes.io/managed-by=tkg-aws` lists them all."""
