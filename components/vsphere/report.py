"""What the plan summary says of the vSphere platform: per cluster, the VMs the Supervisor will run
(with the CPUs, memory and vGPUs their classes reserve or ask for), warnings (accepted, but likely not
what was meant), then the steps the stack cannot take."""

from __future__ import annotations

import re

from components.vsphere.args import cluster_spec
from components.vsphere.cluster_objects import ClusterSpec
from components.vsphere.config import VsphereConfig
from components.vsphere.platform import steps

# Kubernetes releases from which VKS ships Ubuntu in two versions (22.04 and 24.04): a selector that
# does not pin os-version then matches two images and the TKR webhook refuses the cluster.
TWO_UBUNTU_RELEASES_FROM = (1, 33)
MINOR = re.compile(r"v(\d+)\.(\d+)\.")


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
    lines += [f"  WARNING vsphere: {warning}" for warning in warnings(section)]
    lines += [f"  step: {step}" for step in steps(section)]
    return lines


def warnings(section: VsphereConfig) -> list[str]:
    found = []
    for vm_class in section.vm_classes:
        found += [
            f"VM class {vm_class.name}: vGPU profile {profile} is not a compute (C) profile; NVIDIA AI Enterprise "
            "licences cover C profiles (Q asks for a vWS licence, B for vPC)"
            for profile in vm_class.vgpu_profiles
            if not profile.endswith("c")
        ]
    for cluster in section.clusters:
        spec = cluster_spec(section, cluster)
        if cluster.api == "tanzuKubernetesCluster":
            found.append(
                f"cluster {cluster.name}: TanzuKubernetesCluster is deprecated from TKG Service 3.2; use api: cluster"
            )
        if spec.control_plane_replicas == 1:
            found.append(f"cluster {cluster.name}: one control-plane node: losing it stops the cluster's API")
        found += [f"cluster {cluster.name}: {line}" for line in unpinned_ubuntu(spec)]
    return found


def unpinned_ubuntu(spec: ClusterSpec) -> list[str]:
    version = MINOR.match(spec.version)
    if version is None or (int(version[1]), int(version[2])) < TWO_UBUNTU_RELEASES_FROM:
        return []
    selectors = {spec.os_image} | {pool.os_image or spec.os_image for pool in spec.node_pools}
    return [
        f"resolve-os-image {selector!r} does not pin os-version, and {spec.version} ships Ubuntu 22.04 and 24.04: "
        "the TKR webhook refuses a selector that matches two images (add os-version=24.04)"
        for selector in sorted(s for s in selectors if s and "ubuntu" in s and "os-version" not in s)
    ]
