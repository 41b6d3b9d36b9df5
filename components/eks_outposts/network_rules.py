"""Config rules of the eksLocalCluster section against the network section: the parent AZ, regional
egress (a NAT gateway in the parent AZ, or the fully private layout's endpoints), the routes to the
local gateway, the Outpost subnet's range and size, and what an existing VPC leaves to preflight."""

from __future__ import annotations

import ipaddress
from collections import Counter
from typing import Any

from components.config.validators import NAMESPACE
from components.eks_outposts.config import ADDRESSES, EksLocalClusterConfig

KEY = f"{NAMESPACE}:eksLocalCluster"


def unique_cidrs(where: str, cidrs: list[Any]) -> list[str]:
    """Each CIDR once: AWS takes one route per destination and one rule per source and port."""
    given = [str(c) for c in cidrs]
    repeated = sorted(cidr for cidr, count in Counter(given).items() if count > 1)
    return [f"{where}: {cidr} is listed twice (got {given})" for cidr in repeated]


def network_problems(cluster: EksLocalClusterConfig, network: Any, region: str) -> list[str]:
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
    problems += _egress(cluster, network, azs)
    problems += _driver_images(cluster, network)
    problems += _local_gateway_routes(cluster, network)
    return problems + _subnet_cidr(cluster, network, azs)


def _egress(cluster: EksLocalClusterConfig, network: Any, azs: list[str]) -> list[str]:
    """Regional egress of the Outpost subnet: a NAT gateway in the parent AZ, or (fully private)
    the endpoints, which need the S3 gateway endpoint for image layers."""
    if network.nat_gateways == "none":
        if network.vpc_endpoints.s3:
            return []
        return [
            (
                f"{NAMESPACE}:network.vpcEndpoints.s3: without NAT gateways a local cluster pulls image layers from S3 "
                "through the gateway endpoint; set it true (got false)"
            )
        ]
    nat_az = network.nat_gateway_az or sorted(azs)[0]
    if network.nat_gateways == "single" and nat_az != cluster.availability_zone:
        return [
            (
                f"{NAMESPACE}:network.natGatewayAz: the Outpost subnet's NAT gateway must sit in the Outpost's parent "
                f"AZ {cluster.availability_zone} (got {nat_az!r})"
            )
        ]
    return []


def _driver_images(cluster: EksLocalClusterConfig, network: Any) -> list[str]:
    """The EBS CSI driver's chart pulls its images from public.ecr.aws, which no VPC endpoint reaches."""
    if not cluster.ebs_csi_driver or network.nat_gateways != "none":
        return []
    return [
        (
            f"{KEY}.ebsCsiDriver: the driver's images come from public.ecr.aws, which the fully private layout "
            "(network.natGateways none) cannot reach through its endpoints; install the driver from a mirror "
            "instead (got true)"
        )
    ]


def _local_gateway_routes(cluster: EksLocalClusterConfig, network: Any) -> list[str]:
    """Routes to the local gateway share the Outpost subnet's table with the VPC's local route and
    the NAT default route: AWS takes one route per destination, none inside the VPC's range."""
    if cluster.local_gateway is None:
        return []
    where = f"{KEY}.localGateway.destinationCidrs"
    cidrs = cluster.local_gateway.destination_cidrs
    problems = unique_cidrs(where, cidrs)
    for cidr in cidrs:
        if cidr.subnet_of(network.cidr):
            problems.append(
                f"{where}: {cidr} lies inside the VPC {network.cidr}, which its local route already covers (got "
                f"{str(cidr)!r})"
            )
        elif cidr.prefixlen == 0 and network.nat_gateways != "none":
            problems.append(
                f"{where}: 0.0.0.0/0 is the NAT gateway's default route of the Outpost subnet; list the on-premises "
                f"networks, or set network.natGateways none (got {str(cidr)!r})"
            )
    return problems


def _subnet_cidr(cluster: EksLocalClusterConfig, network: Any, azs: list[str]) -> list[str]:
    cidr = ipaddress.IPv4Network(cluster.subnet_cidr_in(network.cidr))
    where = f"{KEY}.subnetCidr"
    if not cidr.subnet_of(network.cidr) or not 16 <= cidr.prefixlen <= 28:
        return [f"{where}: must be a /16../28 inside {network.cidr} (got {str(cidr)!r})"]
    needed = addresses_needed(cluster)
    usable = cidr.num_addresses - ADDRESSES["reservedPerSubnet"]
    if usable < needed:
        return [
            (
                f"{where}: {usable} usable addresses, the cluster needs at least {needed} ({ADDRESSES['controlPlane']} "
                f"control-plane interfaces, {ADDRESSES['perNode']} per node at every group's maxSize: its address "
                f"and the VPC CNI's spare interface) (got {str(cidr)!r})"
            )
        ]
    taken = [
        (f"{az} {tier}", ipaddress.IPv4Network(block))
        for az in sorted(azs)
        for tier, block in zip(("public", "private"), network.subnet_cidrs_for(az), strict=True)
    ]
    return [
        f"{where}: overlaps the {name} subnet {net} (got {str(cidr)!r})" for name, net in taken if cidr.overlaps(net)
    ]


def addresses_needed(cluster: EksLocalClusterConfig) -> int:
    nodes = sum(group.max_size for group in cluster.all_node_groups.values())
    return ADDRESSES["controlPlane"] + ADDRESSES["perNode"] * nodes


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
