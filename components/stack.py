"""Composition root: a validated StackConfig in, every component built, the stack outputs out.

`__main__.py` (for `pulumi up`) and tools/program.py (for the offline plan and the tests) both
call `build()`, so what reviewers and tests see is what the CLI deploys.

Every AWS resource of the management account goes through one explicit provider that carries the
stack's default tags; workload accounts get their own providers (components/cross_account.py).
"""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components import config_rules as rules
from components import tool_config
from components.config import ConfigError, StackConfig
from components.cross_account import WorkloadAccount, WorkloadAccountArgs
from components.gpu_operator import GpuOperatorAddon, GpuOperatorAddonArgs
from components.iam import ClusterIam, ClusterIamArgs
from components.identities import ClusterIdentities, ClusterIdentitiesArgs, IdentityTarget
from components.key_pairs import KeyPairs, KeyPairsArgs
from components.management_cluster import management_cluster_provider
from components.network import Network, NetworkArgs
from components.policies.cross_account import assume_workload_roles_policy


def management_provider(config: StackConfig) -> aws.Provider:
    account = config.management_cluster.account_id
    return aws.Provider(
        "management",
        region=config.region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=config.default_tags),
        # When the account is known, a stack run with the wrong credentials fails before any change.
        allowed_account_ids=[account] if account else None,
    )


def management_account_id(config: StackConfig, provider: aws.Provider) -> pulumi.Input[str]:
    if config.management_cluster.account_id:
        return config.management_cluster.account_id
    identity = aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(provider=provider))
    return identity.account_id


def build(config: StackConfig) -> dict[str, Any]:
    """Create every resource of the stack and return its outputs, keyed by output name."""
    outputs: dict[str, Any] = {"region": config.region, "environment": config.environment}
    provider = management_provider(config)
    in_management = pulumi.ResourceOptions(providers=[provider])
    account_id = management_account_id(config, provider)
    kubernetes = management_cluster_provider("management-cluster", config.management_cluster)

    # --- network (issue 3) ---
    network = Network("network", NetworkArgs.from_config(config), opts=in_management)
    outputs["network"] = network.outputs
    # --- IAM and key pairs (issue 4) ---
    iam = ClusterIam("iam", ClusterIamArgs.from_config(config.iam, config.partition), opts=in_management)
    outputs["iam"] = iam.outputs()
    key_pair_args = KeyPairsArgs(key_name=config.key_pair_name, public_key=config.key_pair.public_key)
    key_pair = KeyPairs("key-pair", key_pair_args, opts=in_management)
    outputs["keyPair"] = key_pair.outputs()
    if key_pair.private_key_pem is not None:
        # Its own top-level output: a secret inside `keyPair` would make the whole group secret.
        outputs["keyPairPrivateKey"] = key_pair.private_key_pem
    # --- workload accounts and identities (issue 5) ---
    if config.workload_accounts:
        outputs["workloadAccounts"] = workload_accounts(config, iam, key_pair, in_management, kubernetes)
    # --- tool configuration (issue 7) ---
    outputs["tkgClusterConfig"] = cluster_config = tkg_cluster_config(config, network.outputs)
    # --- GPU operator (issue 6) ---
    if config.gpu.enabled:
        gpu = GpuOperatorAddon(
            "gpu-operator",
            GpuOperatorAddonArgs.from_config(config.gpu, cluster_config),
            opts=pulumi.ResourceOptions(providers=[kubernetes]) if kubernetes else None,
        )
        outputs["gpu"] = gpu.outputs
    outputs["managementAccountId"] = check_management_account(config, account_id)
    return outputs


def workload_accounts(
    config: StackConfig,
    iam: ClusterIam,
    key_pair: KeyPairs,
    in_management: pulumi.ResourceOptions,
    kubernetes: k8s.Provider | None,
) -> dict[str, Any]:
    """Every workload account, the management side's permission to enter them, and the identities
    that tell CAPA how; returns the `workloadAccounts` output keyed by account name."""
    principals = config.management_cluster.capa_principal_arns or [
        iam.roles[base].arn for base in capa_roles(config.iam.profile)
    ]
    accounts = {
        account.name: WorkloadAccount(
            account.name,
            WorkloadAccountArgs(
                account=account,
                region=config.region,
                partition=config.partition,
                default_tags=config.default_tags,
                iam=config.iam,
                capa_principal_arns=pulumi.Output.all(*principals),
                availability_zones=config.availability_zones,
                key_name=config.key_pair_name,
                public_key=key_pair.public_key_openssh,
            ),
        )
        for account in config.workload_accounts
    }
    role_arns = pulumi.Output.all(*[a.controllers_role.arn for a in accounts.values()])
    assume = grant_assume_workload_roles(config, iam, role_arns, in_management)
    targets = [
        IdentityTarget(
            account=a,
            role_arn=accounts[a.name].controllers_role.arn,
            ready=[accounts[a.name].controllers_role, *assume],
        )
        for a in config.workload_accounts
    ]
    ClusterIdentities(
        "management-cluster",
        ClusterIdentitiesArgs(api_version=config.management_cluster.identity_api_version, targets=targets),
        opts=pulumi.ResourceOptions(providers=[kubernetes]) if kubernetes else None,
    )
    return {name: account.outputs() for name, account in accounts.items()}


def check_management_account(config: StackConfig, account_id: pulumi.Input[str]) -> pulumi.Output[str]:
    """Config rules that need the management account id, for stacks that leave it to the caller
    identity: known at preview, so a bad stack stops there, before any change."""
    cluster = config.management_cluster

    def check(actual: str) -> str:
        problems = rules.management_account(actual, config.workload_accounts, cluster.capa_principal_arns)
        if problems:
            raise ConfigError(problems)
        return actual

    return pulumi.Output.from_input(account_id).apply(check)


def grant_assume_workload_roles(
    config: StackConfig, iam: ClusterIam, role_arns: pulumi.Output[list[str]], in_management: pulumi.ResourceOptions
) -> list[pulumi.Resource]:
    """sts:AssumeRole on exactly the workload controllers roles, for exactly the principals they trust."""
    policy = role_arns.apply(lambda arns: json.dumps(assume_workload_roles_policy(arns)))
    # The policy's name is fixed per principal, so its replacement must not overlap it.
    opts = pulumi.ResourceOptions.merge(in_management, pulumi.ResourceOptions(delete_before_replace=True))
    name = "tkg-aws-assume-workload-controllers"
    if not config.management_cluster.capa_principal_arns:
        return [
            aws.iam.RolePolicy(
                f"management-{base}-{name}", name=name, role=iam.roles[base].name, policy=policy, opts=opts
            )
            for base in capa_roles(config.iam.profile)
        ]
    grants: list[pulumi.Resource] = []
    for arn in config.management_cluster.capa_principal_arns:
        kind, principal = principal_of(arn)
        if kind == "role":
            grants.append(
                aws.iam.RolePolicy(
                    f"management-role-{principal}-{name}", name=name, role=principal, policy=policy, opts=opts
                )
            )
        else:
            grants.append(
                aws.iam.UserPolicy(
                    f"management-user-{principal}-{name}", name=name, user=principal, policy=policy, opts=opts
                )
            )
    return grants


def principal_of(arn: str) -> tuple[str, str]:
    """('role' | 'user', name) of an IAM ARN; the name is the last segment after any path."""
    resource = arn.split(":", 5)[5]
    kind, _, path_and_name = resource.partition("/")
    return kind, path_and_name.rsplit("/", 1)[-1]


def tkg_cluster_config(config: StackConfig, network: dict[str, Any]) -> pulumi.Output[dict[str, str]]:
    """TKG variables for a workload cluster in this stack's VPC: `tanzu cluster create -f`."""
    return pulumi.Output.from_input(network).apply(
        lambda n: tool_config.in_vpc(
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
