"""The TKG / CAPA platform of a stack, composed from its parts (no resources of its own).

In the management account: the IAM set of `tanzu mc permissions aws set` (or clusterawsadm's), or
the set another stack of the account owns. Per workload account: its IAM set, trust of the CAPA
principals and the stack's key pair (workload_accounts.py), the management side's sts:AssumeRole
grants (assume_grants.py) and the AWSClusterRoleIdentity objects (identities.py). Then the TKG
cluster-config variables and the GPU operator add-on. The resources keep the logical names and
parents they had when the stack composed them directly, so no URN moved.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_kubernetes as k8s

from components.config.base import ConfigError
from components.config.validators import NAMESPACE, principal_of
from components.foundations.accounts import AccountProviders
from components.foundations.key_pairs import KeyPairs
from components.tkg import cluster_config
from components.tkg.assume_grants import AssumeWorkloadRoles, AssumeWorkloadRolesArgs, Principal, grant_documents
from components.tkg.gpu_operator import GpuOperatorAddon, GpuOperatorAddonArgs
from components.tkg.iam import ClusterIam, ClusterIamArgs, ExistingIamSet
from components.tkg.identities import ClusterIdentities, ClusterIdentitiesArgs, IdentityTarget
from components.tkg.policies.cross_account import assume_workload_roles_in_organization, controllers_role_arn
from components.tkg.rules import IAM_POLICY_NAME_MAX, managed_policies_of
from components.tkg.workload_accounts import WorkloadAccount, WorkloadAccountArgs

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig

ManagementIam = ClusterIam | ExistingIamSet


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
    if config.workload_accounts:
        outputs["workloadAccounts"] = workload_accounts(config, providers, iam, key_pair, in_management, kubernetes)
    outputs["tkgClusterConfig"] = variables = tkg_cluster_config(config, network)
    if config.gpu.enabled:
        gpu = GpuOperatorAddon(
            "gpu-operator",
            GpuOperatorAddonArgs.from_config(config.gpu, variables),
            opts=pulumi.ResourceOptions(providers=[kubernetes]) if kubernetes else None,
        )
        outputs["gpu"] = gpu.outputs
    return outputs


def management_iam(config: StackConfig, in_management: pulumi.ResourceOptions, retain: bool) -> ManagementIam:
    """The management account's IAM set: created here, or the one another stack of the account owns."""
    if config.iam.owned_by_stack is not None:
        account = config.management_cluster.account_id
        return ExistingIamSet(account, config.partition, config.iam.suffix, config.iam.path)
    args = ClusterIamArgs.from_config(config.iam, config.partition, retain_on_delete=retain)
    return ClusterIam("iam", args, opts=in_management)


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
    # First: a grant beyond IAM's quota is refused before thousands of accounts are built for nothing.
    assume = grant_assume_workload_roles(config, iam, in_management)
    accounts = {
        account.name: WorkloadAccount(
            account.name,
            WorkloadAccountArgs.from_config(
                account,
                config,
                providers.workload[account.name],
                pulumi.Output.all(*principals),
                key_pair.public_key_openssh,
            ),
        )
        for account in config.workload_accounts
    }
    targets = [
        IdentityTarget.from_config(
            a, accounts[a.name].controllers_role.arn, [accounts[a.name].controllers_role, *assume]
        )
        for a in config.workload_accounts
    ]
    ClusterIdentities(
        "management-cluster",
        ClusterIdentitiesArgs(api_version=config.management_cluster.identity_api_version, targets=targets),
        opts=pulumi.ResourceOptions(providers=[kubernetes]) if kubernetes else None,
    )
    return {name: account.outputs() for name, account in accounts.items()}


def grant_assume_workload_roles(
    config: StackConfig, iam: ManagementIam, in_management: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """sts:AssumeRole on exactly the workload controllers roles, for exactly the principals they trust."""
    role_arns = [
        controllers_role_arn(config.partition, account.account_id, config.iam.path, config.iam.suffix)
        for account in config.workload_accounts
    ]
    grant = config.management_cluster.workload_role_grant
    scope = None
    if grant.by_organization:
        scope = assume_workload_roles_in_organization(
            config.partition, config.iam.path, config.iam.suffix, grant.organization_id, grant.organization_paths
        )
    documents = grant_documents(role_arns, scope)
    if config.management_cluster.capa_principal_arns:
        principals = [
            Principal(kind, name, f"{kind}-{name}")
            for kind, name in map(principal_of, config.management_cluster.capa_principal_arns)
        ]
        others = dict.fromkeys((p.key for p in principals), 0)  # what else they hold is not ours to know
    else:
        principals = [Principal("role", iam.role_name(base), base) for base in capa_roles(config.iam.profile)]
        others = {
            base: managed_policies_of(config.iam.extra_policy_arns, ROLE_KEYS[base])
            for base in capa_roles(config.iam.profile)
        }
    refuse_beyond_quota(config, len(documents), principals, others)
    # The policy name carries the stack, so two stacks that share a CAPA principal each keep their own grant.
    args = AssumeWorkloadRolesArgs(
        policy_name=assume_policy_name(pulumi.get_stack()),
        path=config.iam.path,
        documents=documents,
        principals=principals,
    )
    return [AssumeWorkloadRoles("management-assume-workload-controllers", args, opts=in_management)]


# Template role base names -> their config keys (iam.extraPolicyArns.<key>).
ROLE_KEYS = {"control-plane": "controlPlane", "controllers": "controllers", "nodes": "nodes"}


def refuse_beyond_quota(
    config: StackConfig, grant_policies: int, principals: Sequence[Principal], others: dict[str, int]
) -> None:
    """Refuse a grant IAM would not attach: more managed policies on a principal than its quota."""
    grant = config.management_cluster.workload_role_grant
    quota = grant.managed_policies_per_role
    over = [(p, others[p.key]) for p in principals if grant_policies + others[p.key] > quota]
    if not over:
        return
    accounts = len(config.workload_accounts)
    where = f"{NAMESPACE}:managementCluster.workloadRoleGrant"
    problems = []
    for principal, held in over:
        named = principal.name if isinstance(principal.name, str) else principal.key
        default = "the default; " if quota == 10 else ""
        problems.append(
            f"{where}: the {accounts} workload accounts need {grant_policies} managed policies on the CAPA "
            f"{principal.kind} {named}, which holds {held} more: above IAM's quota \"Managed policies per "
            f'{principal.kind}" of {quota} ({default}20 at most); set organizationId or organizationPaths (one '
            "statement for the organization's accounts), or raise the quota and set managedPoliciesPerRole "
            f"(got {accounts} accounts)"
        )
    raise ConfigError(problems)


def assume_policy_name(stack: str) -> str:
    """`tkg-aws-<stack>-assume-workload-controllers`, within IAM's 128 characters for any stack name."""
    name = f"tkg-aws-{stack}-assume-workload-controllers"
    if len(name) <= IAM_POLICY_NAME_MAX:
        return name
    digest = hashlib.sha256(stack.encode()).hexdigest()[:8]
    return f"tkg-aws-{stack[: IAM_POLICY_NAME_MAX - 46]}-{digest}-assume-workload-controllers"


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


def capa_roles(profile: str) -> list[str]:
    """The management roles CAPA's controller may run as: the control-plane instance profile (TKG:
    the controllers run on control-plane nodes), and under CAPA's template also the controllers role."""
    return ["control-plane"] if profile == "tkg" else ["control-plane", "controllers"]
