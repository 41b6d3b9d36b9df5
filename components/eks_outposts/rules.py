"""Config rules of the eksLocalCluster section that reach into other sections (region, account,
network, IAM); loading.py's section_rules runs them. Each returns finished problem lines,
`tkg-aws:eksLocalCluster.<path>: <problem> (got <value>)`."""

from __future__ import annotations

import ipaddress
from typing import Any

from pydantic import TypeAdapter, ValidationError

from components.config import instance_types
from components.config.validators import NAMESPACE
from components.eks_outposts.bootstrap import IMAGES, node_image_variant
from components.eks_outposts.config import (
    ADDRESSES,
    CONTROL_PLANE_SIZES,
    KUBERNETES_VERSIONS,
    OUTPOST_RACK_FAMILIES,
    OUTPOST_VOLUME_TYPE,
    SUPPORTED_REGIONS,
    EksLocalClusterConfig,
    NodesConfig,
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
    control_plane = _control_plane_type(cluster)
    problems += control_plane or _control_plane_size(cluster)
    for key, nodes in cluster.all_node_groups.items():
        problems += _nodes(cluster, nodes, f"{KEY}.nodeGroups.{key}" if key else f"{KEY}.nodes")
    problems += _pod_metadata_access(cluster)
    problems += _role_names(cluster)
    problems += _unique_cidrs(f"{KEY}.apiAccessCidrs", cluster.api_access_cidrs)
    if network is not None:
        problems += _network(cluster, network, region)
    if iam is not None and iam.eks_local_cluster_role:
        problems.append(
            f"{NAMESPACE}:iam.eksLocalClusterRole: the local cluster role now belongs to eksLocalCluster, "
            "which keeps the existing role (one role name, one resource); remove iam.eksLocalClusterRole "
            f"(got {iam.eks_local_cluster_role!r})"
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
    """The control plane is sized by every node group's maxSize together."""
    nodes = sum(group.max_size for group in cluster.all_node_groups.values())
    instance_type = cluster.control_plane_instance_type
    where = "nodes.maxSize" if not cluster.node_groups else "the maxSize of nodes and nodeGroups"
    needed = smallest_control_plane_size(nodes)
    if needed is None:
        most = CONTROL_PLANE_SIZES[-1][1]
        return [
            f"{KEY}.nodes.maxSize: a local cluster serves at most {most} nodes, {where} add up to more (got {nodes})"
        ]
    sizes = [size for size, _ in CONTROL_PLANE_SIZES]
    size = instance_type.split(".", 1)[1]
    # Sizes past the table's largest (8xlarge, metal) cover every row of it.
    if size in sizes and sizes.index(size) < sizes.index(needed):
        return [
            (
                f"{KEY}.controlPlaneInstanceType: {nodes} nodes ({where}) need a control plane of at least "
                f"{needed} size (large: 1-20 nodes, xlarge: 21-100, 2xlarge: 101-250, 4xlarge: 251-500); the type "
                f"cannot be changed after creation (got {instance_type!r})"
            )
        ]
    return []


def _rack_type(where: str, name: str) -> list[str]:
    """An instance type EC2 knows, of a family Outposts racks are built with."""
    if not instance_types.exists(name):
        return [f"{where}: {instance_types.unknown_message(name)} (got {name!r})"]
    family = instance_types.family_of(name)
    if family not in OUTPOST_RACK_FAMILIES:
        return [
            (
                f"{where}: not a type of an Outposts rack (families {', '.join(OUTPOST_RACK_FAMILIES)}); the instances "
                f"run on the Outpost's own hosts (got {name!r})"
            )
        ]
    return []


def _control_plane_type(cluster: EksLocalClusterConfig) -> list[str]:
    return _rack_type(f"{KEY}.controlPlaneInstanceType", cluster.control_plane_instance_type)


def _nodes(cluster: EksLocalClusterConfig, nodes: NodesConfig, where: str) -> list[str]:
    problems = _rack_type(f"{where}.instanceType", nodes.instance_type)
    if nodes.volume_type != OUTPOST_VOLUME_TYPE:
        problems.append(f"{where}.volumeType: EBS on an Outpost offers gp2 only (got {nodes.volume_type!r})")
    if not nodes.min_size <= nodes.desired_size <= nodes.max_size:
        problems.append(
            f"{where}: needs minSize <= desiredSize <= maxSize "
            f"(got {nodes.min_size}, {nodes.desired_size}, {nodes.max_size})"
        )
    families = KUBERNETES_VERSIONS[cluster.kubernetes_version]["amiFamilies"]
    if nodes.ami_family not in families:
        problems.append(
            f"{where}.amiFamily: Kubernetes {cluster.kubernetes_version} nodes run {families} "
            f"(got {nodes.ami_family!r})"
        )
    elif not problems:
        problems += _image(nodes, where)
    return problems


def _image(nodes: NodesConfig, where: str) -> list[str]:
    """An EKS-optimized image exists for the type's architecture and accelerator."""
    spec = instance_types.lookup(nodes.instance_type)
    if spec is not None and spec.gpus and spec.gpu_manufacturer != "NVIDIA":
        return [
            (
                f"{where}.instanceType: EKS-optimized images drive NVIDIA GPUs only, this type has "
                f"{spec.gpu_manufacturer} GPUs (got {nodes.instance_type!r})"
            )
        ]
    architecture, nvidia = node_image_variant(nodes.instance_type)
    if (nodes.ami_family, architecture, nvidia) not in IMAGES:
        kind = f"{architecture}{' NVIDIA GPU' if nvidia else ''}"
        return [
            (
                f"{where}.instanceType: no EKS-optimized {nodes.ami_family} image for {kind} instances "
                f"(got {nodes.instance_type!r})"
            )
        ]
    return []


def _pod_metadata_access(cluster: EksLocalClusterConfig) -> list[str]:
    """Without IRSA the EBS CSI controller takes the node role's credentials from IMDS, one hop
    further than its node: only nodes with a hop limit of 2 can run it."""
    groups = cluster.all_node_groups.values()
    if not cluster.ebs_csi_driver or any(nodes.imds_hop_limit > 1 for nodes in groups):
        return []
    return [
        (
            f"{KEY}.ebsCsiDriver: the driver's controller runs with the node role, taken from the instance metadata "
            "service, and needs a node group whose pods reach it: set imdsHopLimit 2 on one group (nodes or a "
            "nodeGroups entry) (got true)"
        )
    ]


IAM_ROLE_NAME_MAX = 64


def _role_names(cluster: EksLocalClusterConfig) -> list[str]:
    """Default names grow with the cluster's; the node role must differ from the cluster role."""
    problems = []
    for key, name in (("cluster", cluster.cluster_role_name), ("nodes", cluster.node_role_name)):
        if len(name) > IAM_ROLE_NAME_MAX:
            problems.append(
                f"{KEY}.name: makes the {key} role name {name!r} {len(name)} characters, IAM allows "
                f"{IAM_ROLE_NAME_MAX}; shorten the name or set eksLocalCluster.roleNames.{key} (got {cluster.name!r})"
            )
    if cluster.cluster_role_name == cluster.node_role_name:
        problems.append(
            f"{KEY}.roleNames: EKS needs a node role other than the cluster role (got both {cluster.node_role_name!r})"
        )
    return problems


def _unique_cidrs(where: str, cidrs: list[Any]) -> list[str]:
    seen: set[str] = set()
    repeated = [str(c) for c in cidrs if str(c) in seen or seen.add(str(c))]
    return [f"{where}: {cidr} is listed twice (got {[str(c) for c in cidrs]})" for cidr in sorted(set(repeated))]


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
    problems = _unique_cidrs(where, cidrs)
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
