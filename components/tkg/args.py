"""The TKG platform's component Args, built from its config sections here and nowhere else.

Each function maps the config (and the plain values or Outputs of components built before) to the
small Args of one component; platform.py creates the components in order. The components themselves
never read the config models. The management side's AssumeRole grant is refused here, before any
resource is registered, when IAM's quota of managed policies per principal would not hold it.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Sequence
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components.config.base import ConfigError
from components.config.validators import NAMESPACE, principal_of
from components.tkg.assume_grants import AssumeWorkloadRolesArgs, Principal, grant_documents
from components.tkg.config import GpuConfig, IamConfig, WorkloadAccountConfig
from components.tkg.gpu_operator import GpuOperatorAddonArgs, PinnedManifest
from components.tkg.iam import ClusterIam, ClusterIamArgs, ExistingIamSet
from components.tkg.identities import ClusterIdentitiesArgs, IdentityTarget
from components.tkg.identity_objects import default_session_name
from components.tkg.policies.cross_account import assume_workload_roles_in_organization, controllers_role_arn
from components.tkg.rules import IAM_POLICY_NAME_MAX, ROLE_CHAINING_MAX_SECONDS, managed_policies_of
from components.tkg.workload_accounts import WorkloadAccountArgs

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig

ManagementIam = ClusterIam | ExistingIamSet
# Template role base names -> their config keys (iam.extraPolicyArns.<key>).
ROLE_KEYS = {"control-plane": "controlPlane", "controllers": "controllers", "nodes": "nodes"}


def cluster_iam_args(iam: IamConfig, partition: str, retain_on_delete: bool = False) -> ClusterIamArgs:
    """The management account's IAM set, as the iam section says."""
    return ClusterIamArgs(
        name_suffix=iam.suffix,
        partition=partition,
        profile=iam.profile,
        tmc_permissions=iam.tmc_permissions,
        path=iam.path,
        permissions_boundary=iam.permissions_boundary,
        extra_policy_arns=iam.extra_policy_arns.by_role(),
        protect=iam.protect,
        retain_on_delete=retain_on_delete,
    )


def workload_account_args(
    account: WorkloadAccountConfig,
    config: StackConfig,
    provider: aws.Provider,
    capa_principal_arns: pulumi.Input[list[str]],
    public_key: pulumi.Input[str] | None,
) -> WorkloadAccountArgs:
    """A workload account: the management template's IAM set with the account's own boundary, extra
    policies and protection, and the stack's key pair where the account asks for it."""
    duration = account.identity.duration_seconds
    iam = dataclasses.replace(
        cluster_iam_args(config.iam, config.partition, retain_on_delete=account.adopted),
        permissions_boundary=account.permissions_boundary,
        # Its machines never enter another account: no sts:AssumeRole on the set's roles anywhere.
        allow_assume_role=False,
        extra_policy_arns=account.extra_policy_arns.by_role(),
        protect=account.protected(config.iam),
        # The identity's sessions may last as long as its durationSeconds asks (config allows more
        # than STS's role-chaining hour only when CAPA runs as IAM users).
        controllers_max_session_duration=duration if duration > ROLE_CHAINING_MAX_SECONDS else None,
    )
    return WorkloadAccountArgs(
        account_id=account.account_id,
        identity_name=account.identity_name,
        former_names=tuple(account.former_names),
        provider=provider,
        region=config.region,
        partition=config.partition,
        iam=iam,
        capa_principal_arns=capa_principal_arns,
        trust_external_id=account.identity.external_id_input,
        availability_zones=config.availability_zones,
        key_name=config.key_pair_name,
        public_key=public_key if account.key_pair else None,
        retain_on_delete=account.adopted,
        eks_local_cluster_role=config.iam.eks_local_cluster_role_name,
    )


def identity_target(
    account: WorkloadAccountConfig, role_arn: pulumi.Input[str], ready: list[pulumi.Resource]
) -> IdentityTarget:
    """The account's AWSClusterRoleIdentity, once `ready` (its trust and the management grant) exist."""
    identity = account.identity
    return IdentityTarget(
        account_name=account.name,
        former_account_names=tuple(account.former_names),
        identity_name=account.identity_name,
        allowed_namespaces=identity.allowed_namespaces.render(),
        duration_seconds=identity.duration_seconds,
        session_name=identity.session_name or default_session_name(account.identity_name),
        external_id=identity.external_id_input,
        role_arn=role_arn,
        ready=ready,
    )


def identities_args(config: StackConfig, targets: list[IdentityTarget]) -> ClusterIdentitiesArgs:
    """The identities of every workload account, in the identity CRD version the management cluster serves."""
    return ClusterIdentitiesArgs(api_version=config.management_cluster.identity_api_version, targets=targets)


def gpu_operator_args(
    gpu: GpuConfig, base_cluster_config: pulumi.Input[dict[str, str]] | None = None
) -> GpuOperatorAddonArgs:
    """The GPU operator add-on; `base_cluster_config` the cluster-config variables of the stack's VPC."""
    manifests = tuple(
        PinnedManifest(path=m.path, source=m.source, sha256=m.sha256, key=f"gpu.manifests[{i}]")
        for i, m in enumerate(gpu.manifests)
    )
    return GpuOperatorAddonArgs(
        delivery=gpu.delivery,
        chart_version=gpu.chart_version,
        operator_namespace=gpu.namespace,
        cluster_namespace=gpu.cluster_namespace,
        cluster_selector=gpu.cluster_selector.render(),
        driver_preinstalled=gpu.driver_preinstalled,
        values=dict(gpu.values),
        values_secret=gpu.values_secret,
        manifests=manifests,
        cluster_resource_set_api_version=gpu.cluster_resource_set_api_version,
        worker_instance_type=gpu.worker_instance_type,
        base_cluster_config=base_cluster_config or {},
    )


def assume_workload_roles_args(config: StackConfig, iam: ManagementIam) -> AssumeWorkloadRolesArgs:
    """sts:AssumeRole on exactly the workload controllers roles, for exactly the principals they trust;
    refused (ConfigError) when a principal could not hold the grant's managed policies."""
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
    return AssumeWorkloadRolesArgs(
        policy_name=assume_policy_name(pulumi.get_stack()),
        path=config.iam.path,
        documents=documents,
        principals=principals,
    )


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


def capa_roles(profile: str) -> list[str]:
    """The management roles CAPA's controller may run as: the control-plane instance profile (TKG:
    the controllers run on control-plane nodes), and under CAPA's template also the controllers role."""
    return ["control-plane"] if profile == "tkg" else ["control-plane", "controllers"]
