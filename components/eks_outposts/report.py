"""What the plan summary says of an EKS local cluster: what it puts on the Outpost's capacity,
which the Outpost must keep free for the cluster's lifetime (slots are not elastic)."""

from __future__ import annotations

from components.eks_outposts.config import OUTPOST_VOLUME_TYPE, EksLocalClusterConfig

CONTROL_PLANE_INSTANCES = 3  # fixed by EKS: stacked etcd, quorum of 2
CONTROL_PLANE_EBS_GB = 246  # provisioned by EKS for each local cluster


def outpost_report(cluster: EksLocalClusterConfig | None) -> list[str]:
    if cluster is None:
        return []
    nodes = cluster.nodes
    placement = f", spread by {cluster.placement.spread_level}" if cluster.placement else ""
    return [
        (
            f"on Outpost {cluster.outpost_arn} ({cluster.availability_zone}), EKS local cluster {cluster.name} "
            f"(Kubernetes {cluster.kubernetes_version}):"
        ),
        (
            f"  {CONTROL_PLANE_INSTANCES:4d} × {cluster.control_plane_instance_type} control plane{placement}, "
            f"{CONTROL_PLANE_EBS_GB} GB {OUTPOST_VOLUME_TYPE} EBS"
        ),
        (
            f"  {nodes.desired_size:4d} × {nodes.instance_type} nodes ({nodes.min_size}..{nodes.max_size}), "
            f"{nodes.volume_size} GiB {nodes.volume_type} root volume each"
        ),
        "  slots for these must stay free on the Outpost; interface endpoints are priced in the network cost",
    ]
