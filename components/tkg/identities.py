"""ClusterIdentities: one AWSClusterRoleIdentity per workload account, in the management cluster.

Replaces the manual `kubectl apply` of hand-written identities. Each object is created only after
the workload account's controllers role trusts the management side and the management CAPA role
may assume it, so CAPA never sees an identity it cannot use yet.

An identity's URN holds its apiVersion (the resource type is `kubernetes:<group>/<version>:<kind>`),
so each identity is aliased to its URN under every other version CAPA serves, and under the
account's former names: a changed `identityApiVersion` or a renamed account is an in-place update of
the same object. pulumi-kubernetes updates it through the target version (the API server converts)
and with server-side apply; its diff replaces a custom resource only for a new name or namespace.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, get_args

import pulumi
import pulumi_kubernetes as k8s

from components.config.models import ManagementClusterConfig
from components.tkg.identity_objects import (
    GROUP,
    KIND,
    aws_cluster_role_identity,
    identity_metadata,
)

API_VERSIONS: tuple[str, ...] = get_args(ManagementClusterConfig.model_fields["identity_api_version"].annotation)
"""Every version of the identity CRDs the config accepts."""


@dataclass(frozen=True, kw_only=True)
class IdentityTarget:
    """One workload account as the management cluster sees it."""

    account_name: str
    former_account_names: Sequence[str] = ()
    identity_name: str
    allowed_namespaces: dict[str, Any]
    """CAPA's allowedNamespaces, rendered ({} is every namespace)."""
    duration_seconds: int
    session_name: str
    external_id: pulumi.Input[str] | None = None
    """May be a secret: the object's spec then stays one."""
    role_arn: pulumi.Input[str]
    """ARN of the account's controllers role: the identity's roleARN."""
    ready: list[pulumi.Resource] = field(default_factory=list)
    """Resources the identity must wait for (trust policy holder, management AssumeRole policy)."""


@dataclass(frozen=True, kw_only=True)
class ClusterIdentitiesArgs:
    api_version: str
    """infrastructure.cluster.x-k8s.io version of the identity CRD (v1beta2 for CAPA >= 2.4)."""
    targets: list[IdentityTarget]


class ClusterIdentities(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:identities:ClusterIdentities"

    identities: dict[str, k8s.apiextensions.CustomResource]
    """AWSClusterRoleIdentity objects keyed by workload account name."""

    def __init__(self, name: str, args: ClusterIdentitiesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.identities = {
            target.account_name: self._identity(name, args.api_version, target) for target in args.targets
        }
        # CustomResource sets its `metadata` output when registered but does not declare it.
        names = {k: v.metadata["name"] for k, v in self.identities.items()}  # type: ignore[attr-defined]
        self.register_outputs({"identityNames": names})

    def _identity(self, name: str, api_version: str, target: IdentityTarget) -> k8s.apiextensions.CustomResource:
        # Known at preview even before the role exists, so the object's name never shows as unknown;
        # the external id stays a secret when the config holds it as one.
        document = aws_cluster_role_identity(
            name=target.identity_name,
            api_version=api_version,
            role_arn=target.role_arn,
            allowed_namespaces=target.allowed_namespaces,
            duration_seconds=target.duration_seconds,
            session_name=target.session_name,
            account_name=target.account_name,
            external_id=target.external_id,
        )
        return k8s.apiextensions.CustomResource(
            f"{name}-{target.account_name}",
            api_version=document["apiVersion"],
            kind=KIND,
            metadata=identity_metadata(target.identity_name, target.account_name),
            spec=document["spec"],
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=target.ready, aliases=former_identities(name, api_version, target)
            ),
        )


def former_identities(name: str, api_version: str, target: IdentityTarget) -> list[pulumi.Alias]:
    """What the same identity was called before: another apiVersion, or a former account name."""
    current = (f"{name}-{target.account_name}", api_version)
    return [
        pulumi.Alias(name=resource_name, type_=f"kubernetes:{GROUP}/{version}:{KIND}")
        for resource_name in [f"{name}-{n}" for n in (target.account_name, *target.former_account_names)]
        for version in API_VERSIONS
        if (resource_name, version) != current
    ]
