"""Config rules of the eksLocalCluster section that reach into other sections (region, account,
network, IAM); loading.py's section_rules runs them. Each returns finished problem lines,
`tkg-aws:eksLocalCluster.<path>: <problem> (got <value>)`."""

from __future__ import annotations

import ipaddress
from typing import Any

from pydantic import TypeAdapter, ValidationError

from components.config.validators import NAMESPACE
from components.eks_outposts.config import (
    CONTROL_PLANE_SIZES,
    KUBERNETES_VERSIONS,
    OUTPOST_VOLUME_TYPE,
    SUPPORTED_REGIONS,
    EksLocalClusterConfig,
)

KEY = f"{NAMESPACE}:eksLocalCluster"


def eks_local_cluster(raw: dict[str, Any], region: str) -> list[str]:
    """Every cross-key problem of eksLocalCluster; none when the section is absent or does not parse."""
    cluster = _parsed(raw.get("eksLocalCluster"), EksLocalClusterConfig, region)
    if cluster is None or not region:
        return []
    from components.config.models import IamConfig, ManagementClusterConfig, NetworkConfig

    network = _parsed(raw.get("network", {}), NetworkConfig, region)
    iam = _parsed(raw.get("iam", {}), IamConfig, region)
    management = _parsed(raw.get("managementCluster"), ManagementClusterConfig, region)
    problems = _region(cluster, region)
    problems += _outpost_account(cluster, management.account_id if management else None)
    problems += _control_plane_size(cluster)
    problems += _nodes(cluster)
    if network is not None:
        problems += _network(cluster, network, region)
    if iam is not None and iam.eks_local_cluster_role:
        problems.append(
            f"{NAMESPACE}:iam.eksLocalClusterRole: the local cluster role now belongs to eksLocalCluster, "
            "which keeps the existing role (one role name, one resource); remove iam.eksLocalClusterRole (got true)"
        )
    return problems


def _parsed(value: Any, model: Any, region: str) -> Any:
    if value is None or value == {}:
        return None
    try:
        return TypeAdapter(model).validate_python(value, context={"region": region})
    except ValidationError:
        return None


def _region(cluster: EksLocalClusterConfig, region: str) -> list[str]:
    problems = []
    if region not in SUPPORTED_REGIONS:
        problems.append(f"{KEY}: local clusters are offered in {', '.join(SUPPORTED_REGIONS)} only (got {region!r})")
    if cluster.outpost_region != region:
        problems.append(
            f"{KEY}.outpostArn: the Outpost must be in the stack's region {region} (got {cluster.outpost_arn!r})"
        )
    az = cluster.availability_zone
    if not (az.startswith(region) and len(az) == len(region) + 1 and az[-1].isalpha()):
        problems.append(f"{KEY}.availabilityZone: not an availability zone of {region} like {region}a (got {az!r})")
    return problems


def _outpost_account(cluster: EksLocalClusterConfig, account_id: str | None) -> list[str]:
    if account_id is None or cluster.outpost_account == account_id:
        return []
    return [
        (
            f"{KEY}.outpostArn: the Outpost must belong to the management account {account_id}, where the "
            f"cluster is created (got {cluster.outpost_arn!r})"
        )
    ]


def smallest_control_plane_size(nodes: int) -> str | None:
    """The smallest instance size whose row of the sizing table covers `nodes`, or None past the table."""
    return next((size for size, most in CONTROL_PLANE_SIZES if nodes <= most), None)


def _control_plane_size(cluster: EksLocalClusterConfig) -> list[str]:
    nodes, instance_type = cluster.nodes.max_size, cluster.control_plane_instance_type
    needed = smallest_control_plane_size(nodes)
    if needed is None:
        most = CONTROL_PLANE_SIZES[-1][1]
        return [f"{KEY}.nodes.maxSize: a local cluster serves at most {most} nodes (got {nodes})"]
    sizes = [size for size, _ in CONTROL_PLANE_SIZES]
    size = instance_type.split(".", 1)[1]
    # Sizes past the table's largest (8xlarge, metal) cover every row of it.
    if size in sizes and sizes.index(size) < sizes.index(needed):
        return [
            (
                f"{KEY}.controlPlaneInstanceType: {nodes} nodes (nodes.maxSize) need a control plane of at least "
                f"{needed} size (large: 1-20 nodes, xlarge: 21-100, 2xlarge: 101-250, 4xlarge: 251-500); the type "
                f"cannot be changed after creation (got {instance_type!r})"
            )
        ]
    return []


def _nodes(cluster: EksLocalClusterConfig) -> list[str]:
    nodes, problems = cluster.nodes, []
    if nodes.volume_type != OUTPOST_VOLUME_TYPE:
        problems.append(f"{KEY}.nodes.volumeType: EBS on an Outpost offers gp2 only (got {nodes.volume_type!r})")
    if not nodes.min_size <= nodes.desired_size <= nodes.max_size:
        problems.append(
            f"{KEY}.nodes: needs minSize <= desiredSize <= maxSize "
            f"(got {nodes.min_size}, {nodes.desired_size}, {nodes.max_size})"
        )
    families = KUBERNETES_VERSIONS[cluster.kubernetes_version]["amiFamilies"]
    if nodes.ami_family not in families:
        problems.append(
            f"{KEY}.nodes.amiFamily: Kubernetes {cluster.kubernetes_version} nodes run {families} "
            f"(got {nodes.ami_family!r})"
        )
    return problems


def _network(cluster: EksLocalClusterConfig, network: Any, region: str) -> list[str]:
    if network.existing_vpc is not None:
        return _existing_vpc(cluster)
    problems = []
    if cluster.existing_subnet_ids is not None:
        problems.append(
            f"{KEY}.existingSubnetIds: only with network.existingVpc; the stack creates the Outpost subnet "
            f"in its own VPC (got {cluster.existing_subnet_ids})"
        )
    azs = network.az_names or [f"{region}a"]
    if cluster.availability_zone not in azs:
        problems.append(
            f"{KEY}.availabilityZone: must be one of network.availabilityZones {azs}: the endpoints and the NAT "
            f"gateway of the Outpost subnet sit in its parent AZ (got {cluster.availability_zone!r})"
        )
        return problems
    if not network.vpc_endpoints.s3:
        problems.append(
            f"{NAMESPACE}:network.vpcEndpoints.s3: a local cluster pulls images from S3 through the gateway "
            "endpoint while disconnected from the region; set it true (got false)"
        )
    return problems + _subnet_cidr(cluster, network, azs)


def _subnet_cidr(cluster: EksLocalClusterConfig, network: Any, azs: list[str]) -> list[str]:
    cidr = ipaddress.IPv4Network(cluster.subnet_cidr_in(network.cidr))
    where = f"{KEY}.subnetCidr"
    if not cidr.subnet_of(network.cidr) or not 16 <= cidr.prefixlen <= 28:
        return [f"{where}: must be a /16../28 inside {network.cidr} (got {str(cidr)!r})"]
    taken = [
        (f"{az} {tier}", ipaddress.IPv4Network(block))
        for az in sorted(azs)
        for tier, block in zip(("public", "private"), network.subnet_cidrs_for(az), strict=True)
    ]
    return [
        f"{where}: overlaps the {name} subnet {net} (got {str(cidr)!r})" for name, net in taken if cidr.overlaps(net)
    ]


def _existing_vpc(cluster: EksLocalClusterConfig) -> list[str]:
    problems = []
    if cluster.existing_subnet_ids is None:
        problems.append(
            f"{KEY}.existingSubnetIds: with network.existingVpc, name the Outpost subnets of that VPC (got none)"
        )
    for key in ("subnet_cidr", "local_gateway"):
        if getattr(cluster, key) is not None:
            camel = "subnetCidr" if key == "subnet_cidr" else "localGateway"
            problems.append(
                f"{KEY}.{camel}: with network.existingVpc the stack creates no subnet or route of that VPC "
                f"(got {camel} set)"
            )
    return problems
