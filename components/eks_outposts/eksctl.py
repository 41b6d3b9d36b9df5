"""eksctl's ClusterConfig for the local cluster this stack created, for users who add node groups
with `eksctl create nodegroup -f` (the stack's own group is an auto scaling group, not eksctl's)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from components.eks_outposts.config import OUTPOST_VOLUME_TYPE


def cluster_config(
    *,
    cluster_name: str,
    region: str,
    kubernetes_version: str,
    vpc_id: str,
    outpost_subnet_ids: Mapping[str, str],
    outpost_arn: str,
    control_plane_instance_type: str,
    placement_group: str | None,
    instance_type: str,
    volume_size: int,
) -> dict[str, Any]:
    outpost: dict[str, Any] = {
        "controlPlaneOutpostARN": outpost_arn,
        "controlPlaneInstanceType": control_plane_instance_type,
    }
    if placement_group is not None:
        outpost["controlPlanePlacement"] = {"groupName": placement_group}
    return {
        "apiVersion": "eksctl.io/v1alpha5",
        "kind": "ClusterConfig",
        "metadata": {"name": cluster_name, "region": region, "version": kubernetes_version},
        "vpc": {
            "id": vpc_id,
            "clusterEndpoints": {"privateAccess": True, "publicAccess": False},
            "subnets": {"private": {f"outpost-{az}": {"id": sid} for az, sid in sorted(outpost_subnet_ids.items())}},
        },
        "outpost": outpost,
        "nodeGroups": [
            {
                "name": f"{cluster_name}-extra",
                "instanceType": instance_type,
                "desiredCapacity": 1,
                "privateNetworking": True,
                "outpostARN": outpost_arn,
                "volumeType": OUTPOST_VOLUME_TYPE,
                "volumeSize": volume_size,
                "subnets": [sid for _, sid in sorted(outpost_subnet_ids.items())],
            }
        ],
    }
