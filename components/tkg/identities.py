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

from dataclasses import dataclass, field
from typing import get_args

import pulumi
import pulumi_kubernetes as k8s

from components.config.models import ManagementClusterConfig, WorkloadAccountConfig
from components.manifests.identities import (
    GROUP,
    KIND,
    aws_cluster_role_identity,
    default_session_name,
    identity_metadata,
)

API_VERSIONS: tuple[str, ...] = get_args(ManagementClusterConfig.model_fields["identity_api_version"].annotation)
"""Every version of the identity CRDs the config accepts."""


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
        # Known at preview even before the role exists, so the object's name never shows as unknown;
        # the external id stays a secret when the config holds it as one.
        document = aws_cluster_role_identity(
            name=account.identity_name,
            api_version=api_version,
            role_arn=target.role_arn,
            allowed_namespaces=identity.allowed_namespaces.render(),
            duration_seconds=identity.duration_seconds,
            session_name=identity.session_name or default_session_name(account.identity_name),
            account_name=account.name,
            external_id=identity.external_id_input,
        )
        return k8s.apiextensions.CustomResource(
            f"{name}-{account.name}",
            api_version=document["apiVersion"],
            kind=KIND,
            metadata=identity_metadata(account.identity_name, account.name),
            spec=document["spec"],
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=target.ready, aliases=former_identities(name, api_version, account)
            ),
        )


def former_identities(name: str, api_version: str, account: WorkloadAccountConfig) -> list[pulumi.Alias]:
    """What the same identity was called before: another apiVersion, or a former account name."""
    current = (f"{name}-{account.name}", api_version)
    return [
        pulumi.Alias(name=resource_name, type_=f"kubernetes:{GROUP}/{version}:{KIND}")
        for resource_name in [f"{name}-{n}" for n in (account.name, *account.former_names)]
        for version in API_VERSIONS
        if (resource_name, version) != current
    ]
