"""The TKG / CAPA platform of a stack, composed from its parts (no resources of its own).

In the management account: the IAM set of `tanzu mc permissions aws set` (or clusterawsadm's), or
the set another stack of the account owns. Per workload account: its IAM set, trust of the CAPA
principals and the stack's key pair (workload_accounts.py), the management side's sts:AssumeRole
grants (assume_grants.py) and the AWSClusterRoleIdentity objects (identities.py). Then the TKG
cluster-config variables and the GPU operator add-on. The resources keep the logical names and
parents they had when the stack composed them directly, so no URN moved.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_kubernetes as k8s

from components.eks_outposts.iam import MANAGEMENT_NAME
from components.foundations.accounts import AccountProviders
from components.foundations.key_pairs import KeyPairs
from components.naming import MANAGEMENT_IAM_SET
from components.tkg import cluster_config
from components.tkg.args import (
    ManagementIam,
    assume_workload_roles_args,
    capa_roles,
    cluster_iam_args,
    gpu_operator_args,
    identities_args,
    identity_target,
    workload_account_args,
)
from components.tkg.assume_grants import AssumeWorkloadRoles
from components.tkg.eks_local_cluster_role import eks_local_cluster_role, with_eks_local_cluster_role
from components.tkg.gpu_operator import GpuOperatorAddon
from components.tkg.iam import ClusterIam, ExistingIamSet
from components.tkg.identities import ClusterIdentities
from components.tkg.workload_accounts import WorkloadAccount

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig


def tkg_platform(
    config: StackConfig,
    providers: AccountProviders,
    network: dict[str, Any],
    key_pair: KeyPairs,
    kubernetes: k8s.Provider | None,
    iam_shared_with: Sequence[str] = (),
) -> dict[str, Any]:
    """Build the platform; returns its stack outputs (iam, workloadAccounts, tkgClusterConfig, gpu)."""
    in_management = pulumi.ResourceOptions(providers=[providers.management])
    outputs: dict[str, Any] = {}
    iam = management_iam(config, in_management, retain=config.iam.adopted or bool(iam_shared_with))
    outputs["iam"] = iam.outputs()
    role_name = config.iam.eks_local_cluster_role_name
    if role_name is not None and isinstance(iam, ClusterIam):  # config refuses the key with iam.ownedByStack
        # The very resource an eksLocalCluster section would have: moving to the platform keeps it.
        role = eks_local_cluster_role(MANAGEMENT_NAME, role_name, iam, MANAGEMENT_IAM_SET, in_management)
        outputs["iam"] = with_eks_local_cluster_role(outputs["iam"], role)
    if config.workload_accounts:
        outputs["workloadAccounts"] = workload_accounts(config, providers, iam, key_pair, in_management, kubernetes)
    outputs["tkgClusterConfig"] = variables = tkg_cluster_config(config, network)
    if config.gpu.enabled:
        gpu = GpuOperatorAddon(
            "gpu-operator",
            gpu_operator_args(config.gpu, variables),
            opts=pulumi.ResourceOptions(providers=[kubernetes]) if kubernetes else None,
        )
        outputs["gpu"] = gpu.outputs
    return outputs


def management_iam(config: StackConfig, in_management: pulumi.ResourceOptions, retain: bool) -> ManagementIam:
    """The management account's IAM set: created here, or the one another stack of the account owns."""
    if config.iam.owned_by_stack is not None:
        account = config.management_cluster.account_id
        return ExistingIamSet(account, config.partition, config.iam.suffix, config.iam.path)
    args = cluster_iam_args(config.iam, config.partition, retain_on_delete=retain)
    return ClusterIam(MANAGEMENT_IAM_SET, args, opts=in_management)


def workload_accounts(
    config: StackConfig,
    providers: AccountProviders,
    iam: ManagementIam,
    key_pair: KeyPairs,
    in_management: pulumi.ResourceOptions,
    kubernetes: k8s.Provider | None,
) -> dict[str, Any]:
    """Every workload account, the management side's permission to enter them, and the identities
    that tell CAPA how; returns the `workloadAccounts` output keyed by account name."""
    principals: list[pulumi.Input[str]] = list(config.management_cluster.capa_principal_arns) or [
        iam.role_arn(base) for base in capa_roles(config.iam.profile)
    ]
    trusted = pulumi.Output.all(*principals)  # one Output every account's trust reads
    # First: a grant beyond IAM's quota is refused before thousands of accounts are built for nothing.
    assume = grant_assume_workload_roles(config, iam, in_management)
    accounts = {
        account.name: WorkloadAccount(
            account.name,
            workload_account_args(
                account,
                config,
                providers.workload[account.name],
                trusted,
                key_pair.public_key_openssh,
            ),
        )
        for account in config.workload_accounts
    }
    targets = [
        identity_target(a, accounts[a.name].controllers_role.arn, [accounts[a.name].controllers_role, *assume])
        for a in config.workload_accounts
    ]
    ClusterIdentities(
        "management-cluster",
        identities_args(config, targets),
        opts=pulumi.ResourceOptions(providers=[kubernetes]) if kubernetes else None,
    )
    return {name: account.outputs() for name, account in accounts.items()}


def grant_assume_workload_roles(
    config: StackConfig, iam: ManagementIam, in_management: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """sts:AssumeRole on exactly the workload controllers roles, for exactly the principals they trust."""
    args = assume_workload_roles_args(config, iam)
    return [AssumeWorkloadRoles("management-assume-workload-controllers", args, opts=in_management)]


def tkg_cluster_config(config: StackConfig, network: dict[str, Any]) -> pulumi.Output[dict[str, str]]:
    """TKG variables for a workload cluster in this stack's VPC: `tanzu cluster create -f`."""
    return pulumi.Output.from_input(network).apply(
        lambda n: cluster_config.in_vpc(
            region=config.region,
            azs=n["availabilityZones"],
            vpc_id=n["vpcId"],
            public_subnet_ids=n["publicSubnetIds"],
            private_subnet_ids=n["privateSubnetIds"],
            ssh_key_name=config.key_pair_name,
        )
    )
