"""SupervisorNamespaces: the vSphere Namespaces, each bound to its VM classes and storage policies.

A namespace is where TKG clusters live: deleting it deletes them all, so it is protected unless the
config says otherwise. pulumi-vsphere updates `name` and `supervisor` in place, which for a rename
means updating a namespace that does not exist: a change of either replaces it instead. Only the
first `vm_services` entry is read by the provider, so there is exactly one. Permissions and resource
limits are not in the provider: platform.py reports them as steps.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_vsphere as vsphere


@dataclass(frozen=True, kw_only=True)
class SupervisorNamespace:
    name: str
    storage_policy_ids: tuple[str, ...]
    vm_classes: tuple[str, ...]
    content_libraries: tuple[str, ...] = ()
    protect: bool = True


@dataclass(frozen=True, kw_only=True)
class SupervisorNamespacesArgs:
    supervisor_id: pulumi.Input[str]
    namespaces: tuple[SupervisorNamespace, ...]
    vm_classes_ready: Sequence[pulumi.Resource] = ()
    """The stack's VM classes: a namespace binds a class only once it exists."""


class SupervisorNamespaces(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:vsphere:SupervisorNamespaces"

    namespaces: dict[str, vsphere.Namespace]
    """By namespace name."""

    def __init__(self, name: str, args: SupervisorNamespacesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.namespaces = {ns.name: self._namespace(name, args, ns) for ns in args.namespaces}
        self.register_outputs({"names": sorted(self.namespaces)})

    def _namespace(self, name: str, args: SupervisorNamespacesArgs, ns: SupervisorNamespace) -> vsphere.Namespace:
        vm_service = vsphere.NamespaceVmServiceArgs(
            vm_classes=list(ns.vm_classes), content_libraries=list(ns.content_libraries) or None
        )
        return vsphere.Namespace(
            f"{name}-{ns.name}",
            name=ns.name,
            supervisor=args.supervisor_id,
            storage_policies=list(ns.storage_policy_ids),
            vm_services=[vm_service],
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=ns.protect,
                replace_on_changes=["name", "supervisor"],
                depends_on=list(args.vm_classes_ready),
            ),
        )
