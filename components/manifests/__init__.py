"""Pure builders of the Kubernetes objects the stack pushes: plain dicts, no resources and no Outputs."""
