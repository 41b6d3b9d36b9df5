"""AWSClusterRoleIdentity objects: how CAPA in the management cluster reaches a workload account.

Cluster-scoped (CAPA's identity CRDs have scope Cluster). `sourceIdentityRef` is required by
CAPA's webhook on create; `allowedNamespaces` must grant something, because CAPA reads an absent
field, an empty list and an empty selector alike as "no namespace may use this identity".
"""

from __future__ import annotations

from typing import Any

from components.naming import MANAGED_BY, PROJECT

GROUP = "infrastructure.cluster.x-k8s.io"
KIND = "AWSClusterRoleIdentity"


def identity_metadata(name: str, account_name: str) -> dict[str, Any]:
    return {"name": name, "labels": {**MANAGED_BY, f"{PROJECT}/workload-account": account_name}}


def aws_cluster_role_identity(
    *,
    name: str,
    api_version: str,
    role_arn: Any,
    allowed_namespaces: dict[str, Any],
    duration_seconds: int,
    session_name: str,
    account_name: str,
    external_id: Any = None,
) -> dict[str, Any]:
    """The identity object. `role_arn` and `external_id` are placed as given: a string, or the
    caller's Output (the role's ARN, a secret external id), which stays the value of that field."""
    spec: dict[str, Any] = {
        "allowedNamespaces": allowed_namespaces,
        "roleARN": role_arn,
        "durationSeconds": duration_seconds,
        "sessionName": session_name,
        # The CAPA controller's own credentials make the first hop (TKG: the control-plane
        # instance profile); AWSClusterControllerIdentity is a singleton named `default`.
        "sourceIdentityRef": {"kind": "AWSClusterControllerIdentity", "name": "default"},
    }
    if external_id is not None:
        spec["externalID"] = external_id
    return {
        "apiVersion": f"{GROUP}/{api_version}",
        "kind": KIND,
        "metadata": identity_metadata(name, account_name),
        "spec": spec,
    }


def default_session_name(identity_name: str) -> str:
    """Session names show in the workload account's CloudTrail; STS allows 64 characters."""
    return f"capa-{identity_name}"[:64]
