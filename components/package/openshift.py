"""OpenShiftCluster: the user-provisioned infrastructure of an OpenShift cluster on AWS.

What a stack of this program builds for OpenShift UPI, from the same keys: the pinned provider, the
network, the key pair, and the six UPI templates' resources (load balancers, zone and records,
security groups, roles, ignition bucket, machines).
"""

import pulumi

from components.package.building import PACKAGE_NAME, build_under, validated_config
from components.package.outputs import OpenShiftOutputs
from components.package.platform_component import PlatformComponent
from components.package.sections import OpenShiftClusterArgs


class OpenShiftCluster(PlatformComponent):
    """The infrastructure of an OpenShift cluster with user-provisioned infrastructure
    (`openshift-install` consumes the `openshift.installConfig` output)."""

    TYPE_TOKEN = f"{PACKAGE_NAME}:index:OpenShiftCluster"

    openshift: pulumi.Output[OpenShiftOutputs]
    """install-config values, DNS names, load balancers, security groups, roles, ignition bucket, machines."""

    def __init__(self, name: str, args: OpenShiftClusterArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.publish(build_under(self, validated_config(args, platform="openshift")))
