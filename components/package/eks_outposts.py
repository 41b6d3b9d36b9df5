"""EksLocalCluster: an EKS local cluster on an Outpost, with its nodes.

What a stack of this program builds for an EKS local cluster, from the same keys: the pinned
provider, the network with the Outpost subnet and the endpoints a disconnected cluster needs, the
roles, the cluster and its self-managed nodes.
"""

import pulumi

from components.package.building import PACKAGE_NAME, build_under, validated_config
from components.package.outputs import EksLocalClusterOutputs
from components.package.platform_component import PlatformComponent
from components.package.sections import EksLocalClusterArgs


class EksLocalCluster(PlatformComponent):
    """An EKS local cluster on an Outpost rack, and its nodes."""

    TYPE_TOKEN = f"{PACKAGE_NAME}:index:EksLocalCluster"

    eks_local_cluster: pulumi.Output[EksLocalClusterOutputs]
    """Cluster name and id, private endpoint, CA, Outpost subnets, roles, node groups, kubeconfigs."""
    eks_local_cluster_kubeconfig: pulumi.Output[str]
    """The cluster's kubeconfig (a secret)."""

    def __init__(self, name: str, args: EksLocalClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.publish(build_under(self, validated_config(args, platform="eksLocalCluster")))
