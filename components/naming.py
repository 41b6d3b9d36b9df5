"""The program's own names: what it calls itself and the labels it puts on what it creates."""

PROJECT = "tkg-aws"
"""The Pulumi project name, the config namespace and the prefix of every type token."""

MANAGED_BY = {"app.kubernetes.io/managed-by": PROJECT}
"""Who owns a Kubernetes object: `kubectl get -l app.kubernetes.io/managed-by=tkg-aws` lists them all."""
