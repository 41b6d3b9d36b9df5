"""VmClasses: the VM classes of the stack, vCenter-global objects bound to namespaces by name.

Each class is named explicitly (pulumi-vsphere would otherwise append a random suffix, and no
cluster's `vmClass` would match it). Renaming one makes a new class: the provider would otherwise
update the old id in place. vCenter's read only checks that a class exists, so a change made in the
vSphere Client shows no drift: the stack's values win at the next change of the class.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_vsphere as vsphere


@dataclass(frozen=True, kw_only=True)
class VmClass:
    name: str
    cpus: int
    memory_mib: int
    cpu_reservation: int = 0
    memory_reservation: int = 0
    vgpu_profiles: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class VmClassesArgs:
    classes: tuple[VmClass, ...]


class VmClasses(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:vsphere:VmClasses"

    classes: dict[str, vsphere.VirtualMachineClass]
    """By class name."""

    def __init__(self, name: str, args: VmClassesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.classes = {c.name: self._vm_class(name, c) for c in args.classes}
        self.register_outputs({"names": sorted(self.classes)})

    def _vm_class(self, name: str, vm_class: VmClass) -> vsphere.VirtualMachineClass:
        return vsphere.VirtualMachineClass(
            f"{name}-{vm_class.name}",
            name=vm_class.name,
            cpus=vm_class.cpus,
            memory=vm_class.memory_mib,
            cpu_reservation=vm_class.cpu_reservation,
            memory_reservation=vm_class.memory_reservation,
            vgpu_devices=list(vm_class.vgpu_profiles) or None,
            opts=pulumi.ResourceOptions(parent=self, replace_on_changes=["name"]),
        )
