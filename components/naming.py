"""The program's own names: what it calls itself and the labels it puts on what it creates."""

PROJECT = "tkg-aws"
"""The Pulumi project name, the config namespace and the prefix of every type token."""

ENVIRONMENT_TAG = "environment"
MANAGED_BY_TAG = "managed-by"
DEFAULT_TAG_KEYS = (ENVIRONMENT_TAG, MANAGED_BY_TAG)
"""The tags the program puts on every AWS resource (provider default tags), before the user's."""


def default_tags(environment: str, tags: dict[str, str]) -> dict[str, str]:
    """Tags on every AWS resource: ours, then the user's."""
    return {ENVIRONMENT_TAG: environment, MANAGED_BY_TAG: PROJECT, **tags}


MANAGED_BY = {"app.kubernetes.io/managed-by": PROJECT}
"""Who owns a Kubernetes object: `kubectl get -l app.kubernetes.io/managed-by=tkg-aws` lists them all."""
