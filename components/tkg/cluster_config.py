"""TKG cluster-configuration variables built from the stack's own values (pure functions).

What `tanzu cluster create -f FILE` needs to put a workload cluster where this stack prepared
room for it: in the stack's VPC (`in_vpc`), in a workload account through its identity
(`in_workload_account`), or on NVIDIA GPU nodes (`for_gpu_workers`). Every value is a string,
as in a TKG cluster configuration file.
"""

from __future__ import annotations

from collections.abc import Mapping

# TKG numbers the variables of the 2nd and 3rd AZ of a prod plan with _1 and _2.
AZ_SUFFIXES = ("", "_1", "_2")
PROD_PLAN_AZS = 3


def cluster_plan(az_count: int) -> str:
    """TKG's prod plan spreads the control plane over three AZs; fewer AZs mean the dev plan."""
    return "prod" if az_count >= PROD_PLAN_AZS else "dev"


def plan_azs(azs: list[str]) -> list[str]:
    """The AZs a cluster plan uses, alphabetically: three for prod, the first one for dev."""
    ordered = sorted(azs)
    return ordered[:PROD_PLAN_AZS] if cluster_plan(len(ordered)) == "prod" else ordered[:1]


def common(region: str, azs: list[str]) -> dict[str, str]:
    variables = {
        "AWS_REGION": region,
        "CLUSTER_PLAN": cluster_plan(len(azs)),
        # TKG's AWS guide turns CAPA's external resource GC off to avoid a known CAPA problem.
        "EXP_EXTERNAL_RESOURCE_GC": "false",
    }
    for suffix, az in zip(AZ_SUFFIXES, plan_azs(azs), strict=False):
        variables[f"AWS_NODE_AZ{suffix}"] = az
    return variables


def in_vpc(
    *,
    region: str,
    azs: list[str],
    vpc_id: str,
    public_subnet_ids: Mapping[str, str],
    private_subnet_ids: Mapping[str, str],
    ssh_key_name: str,
) -> dict[str, str]:
    """A workload cluster in this stack's VPC and subnets (management account)."""
    variables = {**common(region, azs), "AWS_VPC_ID": vpc_id, "AWS_SSH_KEY_NAME": ssh_key_name}
    for suffix, az in zip(AZ_SUFFIXES, plan_azs(azs), strict=False):
        if az in public_subnet_ids:
            variables[f"AWS_PUBLIC_SUBNET_ID{suffix}"] = public_subnet_ids[az]
        if az in private_subnet_ids:
            variables[f"AWS_PRIVATE_SUBNET_ID{suffix}"] = private_subnet_ids[az]
    return dict(sorted(variables.items()))


def in_workload_account(*, region: str, azs: list[str], identity_name: str, ssh_key_name: str | None) -> dict[str, str]:
    """A workload cluster in another account: CAPA builds its VPC there, through the identity.

    The stack's VPC and subnets belong to the management account, so they are not offered here;
    the SSH key name is, when the stack imported its key pair into that account.
    """
    variables = {
        **common(region, azs),
        "AWS_IDENTITY_REF_NAME": identity_name,
        "AWS_IDENTITY_REF_KIND": "AWSClusterRoleIdentity",
    }
    if ssh_key_name:
        variables["AWS_SSH_KEY_NAME"] = ssh_key_name
    return dict(sorted(variables.items()))


def for_gpu_workers(base: Mapping[str, str], worker_instance_type: str) -> dict[str, str]:
    """GPU workers are chosen with NODE_MACHINE_TYPE (e.g. g4dn.8xlarge), as TKG's GPU guide does."""
    return dict(sorted({**base, "NODE_MACHINE_TYPE": worker_instance_type}.items()))
