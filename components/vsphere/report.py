"""What the plan summary says of the vSphere platform: per cluster, the VMs the Supervisor will run
(with the CPUs, memory and vGPUs their classes reserve or ask for), then the steps the stack cannot take."""

from __future__ import annotations

from components.vsphere.config import VsphereConfig
from components.vsphere.platform import cluster_spec, steps


def vsphere_report(section: VsphereConfig | None) -> list[str]:
    if section is None:
        return []
    where = section.supervisor.id or "a Supervisor the stack creates"
    lines = [f"on Supervisor {where}: {len(section.namespaces)} namespace(s), {len(section.vm_classes)} VM class(es)"]
    for cluster in section.clusters:
        spec = cluster_spec(section, cluster)
        lines.append(f"  cluster {cluster.namespace}/{cluster.name} ({cluster.api}, {cluster.version}):")
        sets = [("control plane", spec.control_plane_replicas, spec.control_plane_vm_class)]
        sets += [(f"pool {p.name}", p.replicas, p.vm_class) for p in spec.node_pools]
        for label, count, class_name in sets:
            vm_class = section.vm_class(class_name)
            size = f"{vm_class.cpus} vCPU, {vm_class.memory_mib} MiB" if vm_class else "size from vCenter"
            gpus = f", vGPU {'+'.join(vm_class.vgpu_profiles)}" if vm_class and vm_class.gpu else ""
            lines.append(f"    {count:4d} × {class_name} ({size}{gpus}) {label}")
    lines += [f"  step: {step}" for step in steps(section)]
    return lines
