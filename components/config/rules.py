"""Config rules of the shared sections (network, tags, keyPair, managementCluster) across keys;
each returns finished problem lines.

components/stack_config/loading.py runs them on every section that parses by itself (`section_rules`), so one
section's mistake never hides another's. Lines read `tkg-aws:<key.path>: <problem> (got <value>)`.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic.alias_generators import to_camel

from components.config.validators import NAMESPACE, render_directory_problem, shown
from components.naming import CAPA_ROLE_TAG, CAPA_TAG_PREFIXES, DEFAULT_TAG_KEYS, LOAD_BALANCER_ROLE_TAG, NAME_TAG

if TYPE_CHECKING:
    from components.config.models import ExistingVpcConfig, KeyPairConfig, ManagementClusterConfig, NetworkConfig
    from components.config.provider_settings import KubernetesSettings

VPC_MIN_PREFIX = 16  # AWS's largest VPC and subnet
SUBNET_MAX_PREFIX = 28  # AWS's smallest subnet
# An internet-facing load balancer (CAPA's API server ELB/NLB) needs a /27 with 8 free addresses.
PUBLIC_SUBNET_MAX_PREFIX = 27
# Derived public subnets are the VPC's prefix + 6 (models.py NetworkConfig.subnet_cidrs_for).
DERIVED_VPC_MAX_PREFIX = PUBLIC_SUBNET_MAX_PREFIX - 6
# Interface endpoints CAPA's machines need in private subnets without a NAT gateway: EC2 and ELB
# calls of the cloud provider, and Secrets Manager for the bootstrap data (CAPA's default).
PRIVATE_ONLY_ENDPOINTS = ("ec2", "elasticloadbalancing", "secretsmanager")
# Providers are named after their account (components/foundations/accounts.py): this one is the management's.
MANAGEMENT_PROVIDER_NAME = "management"


def network_layout(network: NetworkConfig, region: str) -> list[str]:
    if network.existing_vpc is not None:
        return _existing_vpc_conflicts(network, network.existing_vpc)
    problems = []
    if "s3" in network.vpc_endpoints.interface and not network.vpc_endpoints.s3:
        problems.append(
            f"{NAMESPACE}:network.vpcEndpoints.interface: an S3 interface endpoint with private DNS needs the S3 "
            'gateway endpoint (AWS resolves in-VPC S3 traffic to it); set vpcEndpoints.s3 true (got ["s3"])'
        )
    azs = network.az_names or [f"{region}a"]
    derived = [az for az in azs if az not in network.subnet_cidrs]
    prefix = network.cidr.prefixlen
    if derived and not VPC_MIN_PREFIX <= prefix <= DERIVED_VPC_MAX_PREFIX:
        problems.append(
            f"{NAMESPACE}:network.cidr: too small to derive subnets (public subnets would be smaller than "
            f"/{PUBLIC_SUBNET_MAX_PREFIX}, too small for a load balancer); use /{VPC_MIN_PREFIX}../"
            f"{DERIVED_VPC_MAX_PREFIX} or set network.subnetCidrs for every AZ (got {str(network.cidr)!r})"
        )
    for az, pair in network.subnet_cidrs.items():
        for tier, largest_prefix in (("public", PUBLIC_SUBNET_MAX_PREFIX), ("private", SUBNET_MAX_PREFIX)):
            cidr = getattr(pair, tier)
            if not cidr.subnet_of(network.cidr) or not VPC_MIN_PREFIX <= cidr.prefixlen <= largest_prefix:
                where = f"{NAMESPACE}:network.subnetCidrs.{az}.{tier}"
                problems.append(
                    f"{where}: must be a /{VPC_MIN_PREFIX}../{largest_prefix} inside {network.cidr} (got {str(cidr)!r})"
                )
    extra = sorted(set(network.subnet_cidrs) - set(azs))
    if extra:
        problems.append(f"{NAMESPACE}:network.subnetCidrs: AZs not in availabilityZones (got {extra})")
    problems += _nat_gateway_az(network, azs)
    if not problems:
        problems += _overlaps(network, azs)
    return problems


def private_only_endpoints(network: NetworkConfig, has_workload_accounts: bool) -> list[str]:
    """Without NAT gateways, private machines reach AWS only through interface endpoints."""
    if network.existing_vpc is not None or network.nat_gateways != "none":
        return []
    needed = list(PRIVATE_ONLY_ENDPOINTS) + (["sts"] if has_workload_accounts else [])
    missing = [s for s in needed if s not in network.vpc_endpoints.interface]
    if not missing:
        return []
    why = " (and sts: workload accounts are reached by assuming roles)" if has_workload_accounts else ""
    return [
        (
            f"{NAMESPACE}:network.vpcEndpoints.interface: with natGateways none, private subnets reach AWS only "
            f"through "
            f"interface endpoints; CAPA's machines need {', '.join(needed)}{why}; add {missing} (and autoscaling "
            f"for MachinePools) (got {list(network.vpc_endpoints.interface)})"
        )
    ]


def _nat_gateway_az(network: NetworkConfig, azs: list[str]) -> list[str]:
    az = network.nat_gateway_az
    if az is None:
        return []
    if network.nat_gateways != "single":
        why = f"only places the single NAT gateway; natGateways is {network.nat_gateways}"
        return [f"{NAMESPACE}:network.natGatewayAz: {why} (got {az!r})"]
    if az not in azs:
        return [f"{NAMESPACE}:network.natGatewayAz: must be one of the stack's AZs {sorted(azs)} (got {az!r})"]
    return []


def _overlaps(network: NetworkConfig, azs: list[str]) -> list[str]:
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    problems = []
    for az in sorted(azs):
        for tier, cidr in zip(("public", "private"), network.subnet_cidrs_for(az), strict=True):
            net = ipaddress.IPv4Network(cidr)
            for other_name, other in seen:
                if net.overlaps(other):
                    where = f"{NAMESPACE}:network.subnetCidrs.{az}.{tier}"
                    problems.append(f"{where}: overlaps {other_name} (got {cidr!r})")
            seen.append((f"{az} {tier} {cidr}", net))
    return problems


def _existing_vpc_conflicts(network: NetworkConfig, vpc: ExistingVpcConfig) -> list[str]:
    # `protect` too: an existing VPC's resources are its owner's, the stack creates only tags.
    ignored = {
        "cidr",
        "nat_gateways",
        "nat_gateway_az",
        "vpc_endpoints",
        "subnet_cidrs",
        "map_public_ip_on_launch",
        "protect",
    }
    problems = [
        f"{NAMESPACE}:network.{to_camel(key)}: has no effect with network.existingVpc (the stack creates no network)"
        for key in sorted(ignored & network.model_fields_set)
    ]
    if not vpc.public_subnet_ids and not vpc.private_subnet_ids:
        problems.append(f"{NAMESPACE}:network.existingVpc: give at least one public or private subnet")
    azs = set(vpc.public_subnet_ids) | set(vpc.private_subnet_ids)
    if network.availability_zones and set(network.availability_zones) != azs:
        problems.append(
            f"{NAMESPACE}:network.availabilityZones: must match the existingVpc subnets' AZs {sorted(azs)} "
            f"(got {network.availability_zones})"
        )
    return problems


def default_tags(tags: object) -> list[str]:
    """Default tags under CAPA's prefixes would be sent, then hidden by the provider's ignore and
    shown as a change on every run (terraform-provider-aws issue 42638); clusterNames tags subnets."""
    if not isinstance(tags, dict):
        return []
    return [
        f"{NAMESPACE}:tags: {key!r} is under a prefix CAPA writes ({', '.join(CAPA_TAG_PREFIXES)}), which the "
        f"stack leaves to CAPA; list clusters in network.clusterNames instead (got {key!r})"
        for key in sorted(tags)
        if str(key).startswith(CAPA_TAG_PREFIXES)
    ]


TAGS_PER_RESOURCE_MAX = 50  # EC2 and IAM, counting the provider's default tags
# The tags of a subnet besides the default tags and the clusters': Name, CAPA's role and the load
# balancer role of its tier (components/foundations/network.py).
SUBNET_OWN_TAGS = (NAME_TAG, CAPA_ROLE_TAG, "|".join(LOAD_BALANCER_ROLE_TAG.values()))


def tag_count(tags: dict[str, str], network: NetworkConfig | None, openshift_cluster: bool = False) -> list[str]:
    """The most tagged resource is a subnet. AWS counts every tag on it, those the program adds as
    separate aws.ec2.Tag resources included: the default tags (ours and the user's), Name, CAPA's
    role tag, the load balancer role tag, one tag per cluster name and OpenShift's cluster tag."""
    cluster_names = list(network.cluster_names) if network is not None else []
    own = len(DEFAULT_TAG_KEYS) + len(SUBNET_OWN_TAGS) + int(openshift_cluster)
    total = own + len(tags) + len(cluster_names)
    if total <= TAGS_PER_RESOURCE_MAX:
        return []
    # Named under the key that brings the most of them.
    many_clusters = len(cluster_names) > len(tags)
    key, got = (
        ("network.clusterNames", f"{len(cluster_names)} names") if many_clusters else ("tags", f"{len(tags)} tags")
    )
    openshift = ", the OpenShift cluster's" if openshift_cluster else ""
    return [
        (
            f"{NAMESPACE}:{key}: a subnet would carry {total} tags ({len(tags)} of tkg-aws:tags, "
            f"{len(cluster_names)} of network.clusterNames and {own} of the program's: environment, managed-by, "
            f"Name, CAPA's and the load balancer's role{openshift}); AWS allows {TAGS_PER_RESOURCE_MAX} per "
            f"resource (got {got})"
        )
    ]


def render_directory(cluster: ManagementClusterConfig, project_dir: Path) -> list[str]:
    """The render directory is the project's, and none of its own folders (sources, git, CI)."""
    directory = cluster.render_yaml_to_directory
    problem = render_directory_problem(directory, project_dir) if directory is not None else None
    if problem is None:
        return []
    return [f"{NAMESPACE}:managementCluster.renderYamlToDirectory: {problem} (got {shown(directory)})"]


def management_cluster(cluster: ManagementClusterConfig, needed: bool, kubernetes: KubernetesSettings) -> list[str]:
    """How the management cluster is reached: one kubeconfig (ours or kubernetes:kubeconfig), or rendering."""
    problems = [
        f"{NAMESPACE}:managementCluster.{key}: set either this or kubernetes:{key}, not both (got both)"
        for key in ("kubeconfig", "context")
        if getattr(cluster, key) is not None and getattr(kubernetes, key) is not None
    ]
    kubeconfig = cluster.kubeconfig or kubernetes.kubeconfig
    if kubeconfig is not None and cluster.render_yaml_to_directory is not None:
        return problems + [f"{NAMESPACE}:managementCluster: set a kubeconfig or renderYamlToDirectory, not both"]
    if needed and kubeconfig is None and cluster.render_yaml_to_directory is None:
        return problems + [
            (
                f"{NAMESPACE}:managementCluster: workloadAccounts or gpu need a management cluster; set kubeconfig "
                "(pulumi config set --secret --path tkg-aws:managementCluster.kubeconfig ...) or renderYamlToDirectory"
            )
        ]
    context = cluster.context or kubernetes.context
    if context is not None and kubeconfig is None:
        where = f"{NAMESPACE}:managementCluster.context"
        return problems + [f"{where}: needs a kubeconfig to choose from (got {context!r})"]
    return problems


def plaintext_kubeconfig(cluster: dict[str, Any] | None) -> list[str]:
    """A kubeconfig holds the cluster's credentials: never in a stack file in plaintext."""
    if not isinstance(cluster, dict) or not cluster.get("kubeconfig"):
        return []
    return [
        (
            f"{NAMESPACE}:managementCluster.kubeconfig: must be a secret; set it with `pulumi config set "
            f"--secret --path "
            f"{NAMESPACE}:managementCluster.kubeconfig < kubeconfig.yaml` (got a plaintext kubeconfig)"
        )
    ]


def key_pair_adoption(key_pair: KeyPairConfig) -> list[str]:
    """An existing key pair can be kept only with its own public key: a generated one would replace it."""
    if key_pair.adopted and key_pair.public_key is None:
        return [
            (
                f"{NAMESPACE}:keyPair.adopted: adopting an existing key pair needs its keyPair.publicKey (a "
                f"generated key "
                "would replace the key pair and lock out its users) (got true)"
            )
        ]
    return []
