"""The vSphere TKG Service platform of a stack, composed from its parts, from one validated config.

In order: the vCenter provider (the stack's `vsphere:` settings); the Supervisor, when the stack
enables Workload Management itself; the VM classes; the vSphere Namespaces bound to them; the TKG
clusters on the Supervisor; and the GPU operator in each cluster with a vGPU pool. Every Args is built
in args.py from the config. What pulumi-vsphere cannot do (namespace permissions and limits, the TKR
library of an existing Supervisor, the host's vGPU manager) is said in the `steps` output and the plan
summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_vsphere as vsphere

from components.vsphere.args import (
    cluster_spec,
    gpu_operator_args,
    namespaces_args,
    supervisor_args,
    tkg_clusters_args,
    vm_classes_args,
    vsphere_section,
)
from components.vsphere.cluster_objects import kubeconfig_secret_name
from components.vsphere.config import ClusterConfig, VsphereConfig
from components.vsphere.gpu_operator import ClusterGpuOperator
from components.vsphere.namespaces import SupervisorNamespaces
from components.vsphere.supervisor import Supervisor
from components.vsphere.supervisor_cluster import supervisor_provider
from components.vsphere.tkg_clusters import TkgClusters
from components.vsphere.vm_classes import VmClasses

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig


def vsphere_platform(config: StackConfig) -> dict[str, Any]:
    """Build the platform; returns the `vsphere` stack output group."""
    section = vsphere_section(config)
    provider = vsphere.Provider("vsphere", **config.vsphere_settings.provider_args())
    in_vcenter = pulumi.ResourceOptions(provider=provider)
    supervisor_id: pulumi.Input[str]
    if section.supervisor.create.enabled:
        created = Supervisor("vsphere-supervisor", supervisor_args(section), opts=in_vcenter)
        supervisor_id = created.supervisor_id
    else:
        supervisor_id = section.supervisor.id or ""
    classes = VmClasses("vsphere-vm-classes", vm_classes_args(section), opts=in_vcenter)
    namespaces = SupervisorNamespaces(
        "vsphere-namespaces", namespaces_args(section, supervisor_id, list(classes.classes.values())), opts=in_vcenter
    )
    outputs: dict[str, Any] = {
        "supervisorId": supervisor_id,
        "vmClasses": {c.name: vm_class_output(c) for c in section.vm_classes},
        "namespaces": {n.name: namespace_output(n) for n in section.namespaces},
        "clusters": {c.name: cluster_output(section, c) for c in section.clusters},
        "steps": steps(section),
    }
    kubernetes = supervisor_provider("vsphere-supervisor-cluster", section.supervisor) if section.clusters else None
    if kubernetes is None:
        return outputs
    clusters = TkgClusters(
        "vsphere-clusters",
        tkg_clusters_args(section, list(namespaces.namespaces.values())),
        opts=pulumi.ResourceOptions(provider=kubernetes),
    )
    for cluster in section.clusters:
        if cluster.gpu_operator is not None:
            ClusterGpuOperator(
                f"vsphere-gpu-{cluster.name}",
                gpu_operator_args(cluster, clusters.clusters[f"{cluster.namespace}/{cluster.name}"]),
                opts=pulumi.ResourceOptions(provider=kubernetes),
            )
    return outputs


# --- outputs ---------------------------------------------------------------------------------------
def vm_class_output(vm_class: Any) -> dict[str, Any]:
    return {
        "cpus": vm_class.cpus,
        "memoryMiB": vm_class.memory_mib,
        "cpuReservation": vm_class.cpu_reservation,
        "memoryReservation": vm_class.memory_reservation,
        "vgpuProfiles": list(vm_class.vgpu_profiles),
    }


def namespace_output(namespace: Any) -> dict[str, Any]:
    return {"vmClasses": list(namespace.vm_classes), "storageClasses": namespace.storage_classes}


def cluster_output(section: VsphereConfig, cluster: ClusterConfig) -> dict[str, Any]:
    spec = cluster_spec(section, cluster)
    server = section.supervisor.server or "<supervisor address>"
    kind = "tanzukubernetescluster" if cluster.api == "tanzuKubernetesCluster" else "cluster.cluster.x-k8s.io"
    return {
        "namespace": cluster.namespace,
        "kind": kind,
        "clusterClass": cluster.cluster_class,
        "version": cluster.version,
        "tkr": cluster.tkr_name,
        "controlPlaneReplicas": spec.control_plane_replicas,
        "nodePools": {
            p.name: {"replicas": p.replicas, "vmClass": p.vm_class, "gpu": p.gpu, "failureDomain": p.failure_domain}
            for p in spec.node_pools
        },
        "gpuOperator": cluster.gpu_operator is not None,
        "kubeconfigSecret": f"{cluster.namespace}/{kubeconfig_secret_name(cluster.name)}",
        "login": (
            f"kubectl vsphere login --server {server} --tanzu-kubernetes-cluster-namespace {cluster.namespace} "
            f"--tanzu-kubernetes-cluster-name {cluster.name}"
        ),
        "status": f"kubectl get {kind} {cluster.name} -n {cluster.namespace}",
    }


def steps(section: VsphereConfig) -> list[str]:
    """What the stack cannot do through pulumi-vsphere: done or checked by hand, never assumed."""
    found = [
        (
            "each namespace's permissions (Owner / Can Edit / Can View for SSO or OIDC users and groups) and "
            "resource limits: vSphere Client > Workload Management > Namespaces (pulumi-vsphere has neither)"
        ),
    ]
    if section.supervisor.create.enabled:
        found.append(
            "Supervisor: protected; any change of create.spec replaces it and deletes every namespace and cluster"
        )
    else:
        library = section.supervisor.tkr_content_library or "not named: set supervisor.tkrContentLibrary"
        found.append(
            f"the Supervisor's Tanzu Kubernetes release library ({library}) must hold every cluster's version: "
            "`kubectl get tkr` in the namespace (python -m tools.preflight.vsphere checks it)"
        )
    external = sorted({c for n in section.namespaces for c in n.vm_classes} - {c.name for c in section.vm_classes})
    if external:
        found.append(f"VM classes the stack binds but does not create must exist in vCenter: {', '.join(external)}")
    if any(c.gpu for c in section.vm_classes):
        found.append(
            "vGPU: the NVIDIA vGPU Manager VIB on every ESXi host of the Supervisor, SR-IOV and VT-d on in the BIOS, "
            "and the vGPU profiles of the GPU classes offered by the hosts' GPUs"
        )
    if section.supervisor.render_yaml_to_directory is not None and section.clusters:
        found.append(
            f"apply {section.supervisor.render_yaml_to_directory}/ to the Supervisor (kubectl apply -f, after "
            "`kubectl vsphere login`); the GPU operator is installed only when the stack applies to the Supervisor"
        )
    for cluster in section.clusters:
        if any(p.gpu for p in cluster_spec(section, cluster).node_pools) and cluster.gpu_operator is None:
            found.append(
                f"cluster {cluster.name} has a vGPU pool but no gpuOperator: install NVIDIA AI Enterprise's yourself"
            )
    return found
