"""The whole stack config, assembled above the platforms: the StackConfig of every section (the shared
ones of components/config, each platform's own) and its loading, with every problem reported at once.

Platforms never import it at run time: they import components/config and their own config.py.
"""
