"""VsphereTkgService: VM classes, vSphere Namespaces and TKG clusters on a vSphere 8 Supervisor.

What a stack of this program builds for the vSphere TKG Service, from the same keys: the vCenter
provider (the calling stack's `vsphere:` settings), the VM classes and namespaces, and the clusters'
objects rendered for the Supervisor (`vsphere.supervisor.renderYamlToDirectory`). A component's inputs
are stored in the caller's state as given, so what must be secret (the Supervisor's kubeconfig, the
GPU operator's NGC key and licence) is not an input: a stack of this program applies those.
"""

import pulumi

from components.package.building import PACKAGE_NAME, build_under, validated_config
from components.package.outputs import VsphereOutputs
from components.package.platform_component import PlatformComponent
from components.package.sections import VsphereTkgServiceArgs


class VsphereTkgService(PlatformComponent):
    """The TKG Service's namespaces, VM classes (vGPU included) and clusters on an enabled Supervisor."""

    TYPE_TOKEN = f"{PACKAGE_NAME}:index:VsphereTkgService"

    vsphere: pulumi.Output[VsphereOutputs]
    """Supervisor id, VM classes, namespaces, clusters (pools, logins) and the steps left to do."""

    def __init__(self, name: str, args: VsphereTkgServiceArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.publish(build_under(self, validated_config(args, platform="vsphere")))
