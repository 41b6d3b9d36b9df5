"""ClusterIdentities: one AWSClusterRoleIdentity per workload account, in the management cluster.

Replaces seed 003's `kubectl apply` of hand-written identities. Each object is created only after
the workload account's controllers role trusts the management side and the management CAPA role
may assume it, so CAPA never sees an identity it cannot use yet.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pulumi
import pulumi_kubernetes as k8s

from components.config import WorkloadAccountConfig
from components.manifests.identities import aws_cluster_role_identity, default_session_name, identity_metadata


@dataclass(frozen=True, kw_only=True)
class IdentityTarget:
    """One workload account as the management cluster sees it."""

    account: WorkloadAccountConfig
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
    identities: dict[str, k8s.apiextensions.CustomResource]
    """AWSClusterRoleIdentity objects keyed by workload account name."""

    def __init__(self, name: str, args: ClusterIdentitiesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tkg-aws:identities:ClusterIdentities", name, None, opts)
        self.identities = {
            target.account.name: self._identity(name, args.api_version, target) for target in args.targets
        }
        self.register_outputs({"identityNames": {k: v.metadata["name"] for k, v in self.identities.items()}})

    def _identity(self, name: str, api_version: str, target: IdentityTarget) -> k8s.apiextensions.CustomResource:
        account, identity = target.account, target.account.identity
        document = pulumi.Output.from_input(target.role_arn).apply(
            lambda role_arn: aws_cluster_role_identity(
                name=account.identity_name,
                api_version=api_version,
                role_arn=role_arn,
                allowed_namespaces=identity.allowed_namespaces.render(),
                duration_seconds=identity.duration_seconds,
                session_name=identity.session_name or default_session_name(account.identity_name),
                account_name=account.name,
                external_id=identity.external_id,
            )
        )
        return k8s.apiextensions.CustomResource(
            f"{name}-{account.name}",
            api_version=f"infrastructure.cluster.x-k8s.io/{api_version}",
            kind="AWSClusterRoleIdentity",
            # Known at preview even before the role exists, so the object's name never shows as unknown.
            metadata=identity_metadata(account.identity_name, account.name),
            spec=document.apply(lambda d: d["spec"]),
            opts=pulumi.ResourceOptions(parent=self, depends_on=target.ready),
        )
