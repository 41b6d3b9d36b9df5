"""Config rules of the eksLocalCluster section that reach into other sections (region, account,
network, IAM; the network's are in network_rules.py); loading.py's section_rules runs them. Each
returns finished problem lines, `tkg-aws:eksLocalCluster.<path>: <problem> (got <value>)`."""

from __future__ import annotations

from typing import Any

from pydantic import TypeAdapter, ValidationError

from components.config import instance_types
from components.config.validators import NAMESPACE
from components.eks_outposts.bootstrap import IMAGES, node_image_variant
from components.eks_outposts.config import (
    CONTROL_PLANE_SIZES,
    KUBERNETES_VERSIONS,
    OUTPOST_RACK_FAMILIES,
    OUTPOST_VOLUME_TYPE,
    SUPPORTED_REGIONS,
    EksLocalClusterConfig,
    NodesConfig,
)
from components.eks_outposts.network_rules import network_problems, unique_cidrs

KEY = f"{NAMESPACE}:eksLocalCluster"


def eks_local_cluster(raw: dict[str, Any], region: str) -> list[str]:
    """Every cross-key problem of eksLocalCluster; none when the section is absent or does not parse."""
    cluster = _parsed(raw.get("eksLocalCluster"), EksLocalClusterConfig, region)
    if cluster is None or not region:
        return []
    from components.config.models import ManagementClusterConfig, NetworkConfig

    network = _parsed(raw.get("network", {}), NetworkConfig, region)
    management = _parsed(raw.get("managementCluster"), ManagementClusterConfig, region)
    problems = _region(cluster, region)
    problems += _outpost_account(cluster, management.account_id if management else None)
    control_plane = _control_plane_type(cluster)
    problems += control_plane or _control_plane_size(cluster)
    for key, nodes in cluster.all_node_groups.items():
        problems += _nodes(cluster, nodes, f"{KEY}.nodeGroups.{key}" if key else f"{KEY}.nodes")
    problems += _pod_metadata_access(cluster)
    problems += _role_names(cluster)
    problems += unique_cidrs(f"{KEY}.apiAccessCidrs", cluster.api_access_cidrs)
    if network is not None:
        problems += network_problems(cluster, network, region)
    problems += _legacy_role_key(raw.get("iam"))
    return problems


def _legacy_role_key(iam: Any) -> list[str]:
    """TKG's iam.eksLocalClusterRole builds this platform's cluster role (tkg/eks_local_cluster_role.py);
    with the section here the role is the section's. Read raw: the iam section is TKG's to parse."""
    legacy = iam.get("eksLocalClusterRole") if isinstance(iam, dict) else None
    if not legacy:
        return []
    return [
        (
            f"{NAMESPACE}:iam.eksLocalClusterRole: the local cluster role now belongs to eksLocalCluster, "
            "which keeps the existing role (one role name, one resource); remove iam.eksLocalClusterRole "
            f"(got {legacy!r})"
        )
    ]


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
