"""TkgAccount: an AWS account prepared for TKG / Cluster API Provider AWS, with its workload accounts.

What a stack of this program builds for TKG, from the same keys: the pinned providers of every
account, the network, the key pair, the IAM set of `tanzu mc permissions aws set` (or clusterawsadm's),
each workload account's roles and trust, the AWSClusterRoleIdentity objects, the GPU add-on, and the
TKG cluster-config variables.
"""

import pulumi

from components.package.building import PACKAGE_NAME, build_under, validated_config
from components.package.outputs import GpuOutputs, IamOutputs, WorkloadAccountOutputs
from components.package.platform_component import PlatformComponent
from components.package.sections import TkgAccountArgs


class TkgAccount(PlatformComponent):
    """An AWS account prepared for TKG / CAPA management and workload clusters (`tanzu mc create`,
    `tanzu cluster create`), with the workload accounts CAPA enters from it."""

    TYPE_TOKEN = f"{PACKAGE_NAME}:index:TkgAccount"

    iam: pulumi.Output[IamOutputs]
    """Role, instance profile and policy ARNs and names, keyed by role (controlPlane, nodes, controllers)."""
    workload_accounts: pulumi.Output[dict[str, WorkloadAccountOutputs]] | None
    """Per workload account name: controllers role, identity and its TKG cluster-config variables."""
    tkg_cluster_config: pulumi.Output[dict[str, str]]
    """TKG variables for a cluster in this VPC (`tanzu cluster create -f`)."""
    gpu: pulumi.Output[GpuOutputs] | None
    """The GPU operator add-on (with gpu.enabled)."""

    def __init__(self, name: str, args: TkgAccountArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.publish(build_under(self, validated_config(args, platform="tkg")))
