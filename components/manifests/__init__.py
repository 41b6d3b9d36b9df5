"""Kubernetes objects as pure functions returning plain dicts: no resources, no Outputs."""
