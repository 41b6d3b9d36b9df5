"""The vSphere TKG Service platform of a stack, composed from its parts, from one validated config.

In order: the vCenter provider (the stack's `vsphere:` settings); the Supervisor, when the stack
enables Workload Management itself; the VM classes; the vSphere Namespaces bound to them; the TKG
clusters on the Supervisor; and the GPU operator in each cluster with a vGPU pool. Every Args is built
here from the config. What pulumi-vsphere cannot do (namespace permissions and limits, the TKR library
of an existing Supervisor, the host's vGPU manager) is said in the `steps` output and the plan summary.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_vsphere as vsphere

from components.vsphere import class_variables, gpu_objects
from components.vsphere.cluster_objects import ClusterSpec, NodePoolSpec, VolumeSpec, kubeconfig_secret_name
from components.vsphere.config import (
    GPU_VOLUME_CAPACITY,
    GPU_VOLUME_PATHS,
    ClusterConfig,
    NodePoolConfig,
    VolumeConfig,
    VsphereConfig,
)
from components.vsphere.gpu_operator import ClusterGpuOperator, ClusterGpuOperatorArgs
from components.vsphere.namespaces import SupervisorNamespace, SupervisorNamespaces, SupervisorNamespacesArgs
from components.vsphere.supervisor import Supervisor, SupervisorArgs
from components.vsphere.supervisor_cluster import supervisor_provider
from components.vsphere.tkg_clusters import TkgClusters, TkgClustersArgs
from components.vsphere.vm_classes import VmClass, VmClasses, VmClassesArgs

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig

UBUNTU_IMAGE = "os-name=ubuntu"


def vsphere_platform(config: StackConfig) -> dict[str, Any]:
    """Build the platform; returns the `vsphere` stack output group."""
    section = _section(config)
    provider = vsphere.Provider("vsphere", **config.vsphere_settings.provider_args())
    in_vcenter = pulumi.ResourceOptions(provider=provider)
    supervisor_id: pulumi.Input[str]
    if section.supervisor.create.enabled:
        created = Supervisor("vsphere-supervisor", SupervisorArgs(spec=section.supervisor.create.spec), opts=in_vcenter)
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
        TkgClustersArgs(
            clusters=tuple(cluster_spec(section, c) for c in section.clusters),
            wait_for_ready=section.supervisor.render_yaml_to_directory is None,
            namespaces_ready=list(namespaces.namespaces.values()),
        ),
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


def _section(config: StackConfig) -> VsphereConfig:
    if config.vsphere is None:
        raise ValueError("the vsphere platform needs the tkg-aws:vsphere section")
    return config.vsphere


# --- Args, from config -------------------------------------------------------------------------------
def vm_classes_args(section: VsphereConfig) -> VmClassesArgs:
    return VmClassesArgs(
        classes=tuple(
            VmClass(
                name=c.name,
                cpus=c.cpus,
                memory_mib=c.memory_mib,
                cpu_reservation=c.cpu_reservation,
                memory_reservation=c.memory_reservation,
                vgpu_profiles=tuple(c.vgpu_profiles),
            )
            for c in section.vm_classes
        )
    )


def namespaces_args(
    section: VsphereConfig, supervisor_id: pulumi.Input[str], classes: list[pulumi.Resource]
) -> SupervisorNamespacesArgs:
    return SupervisorNamespacesArgs(
        supervisor_id=supervisor_id,
        namespaces=tuple(
            SupervisorNamespace(
                name=n.name,
                storage_policy_ids=tuple(p.id for p in n.storage_policies),
                vm_classes=tuple(n.vm_classes),
                content_libraries=tuple(n.content_libraries),
                protect=n.protect,
            )
            for n in section.namespaces
        ),
        vm_classes_ready=classes,
    )


def cluster_spec(section: VsphereConfig, cluster: ClusterConfig) -> ClusterSpec:
    pools = tuple(node_pool_spec(section, cluster, pool) for pool in cluster.node_pools)
    control_plane = cluster.control_plane
    storage_class = control_plane.storage_class or cluster.storage_class
    os_image = cluster.os_image
    if cluster.api == "tanzuKubernetesCluster" and os_image is None and any(p.gpu for p in pools):
        os_image = UBUNTU_IMAGE  # one image for the whole TKC: the vGPU pool needs Ubuntu
    return ClusterSpec(
        name=cluster.name,
        namespace=cluster.namespace,
        api=cluster.api,
        version=cluster.version,
        control_plane_replicas=control_plane.replicas,
        control_plane_vm_class=control_plane.vm_class or cluster.vm_class,
        control_plane_storage_class=storage_class,
        control_plane_volumes=tuple(volume_spec(v, storage_class) for v in control_plane.volumes),
        node_pools=pools,
        cluster_class=cluster.cluster_class,
        class_namespace=cluster.class_namespace,
        generation=class_variables.generation(cluster.cluster_class or "") or "nested",
        os_image=os_image,
        cni=cluster.network.cni,
        services_cidrs=tuple(str(c) for c in cluster.network.services),
        pods_cidrs=tuple(cluster.network.pod_cidrs),
        service_domain=cluster.network.service_domain,
        variables=dict(cluster.variables),
    )


def node_pool_spec(section: VsphereConfig, cluster: ClusterConfig, pool: NodePoolConfig) -> NodePoolSpec:
    vm_class_name = pool.vm_class or cluster.vm_class
    vm_class = section.vm_class(vm_class_name)
    gpu = vm_class is not None and vm_class.gpu
    storage_class = pool.storage_class or cluster.storage_class
    volumes = tuple(volume_spec(v, storage_class) for v in pool.volumes)
    if gpu and not volumes:
        volumes = tuple(
            VolumeSpec(name=name, mount_path=path, capacity=GPU_VOLUME_CAPACITY, storage_class=storage_class)
            for name, path in GPU_VOLUME_PATHS.items()
        )
    os_image = pool.os_image
    if gpu and os_image is None and cluster.os_image is None and cluster.api == "cluster":
        os_image = UBUNTU_IMAGE
    return NodePoolSpec(
        name=pool.name,
        replicas=pool.replicas,
        vm_class=vm_class_name,
        storage_class=storage_class,
        os_image=os_image,
        failure_domain=pool.failure_domain,
        volumes=volumes,
        labels=dict(pool.labels),
        taints=tuple(t.model_dump(by_alias=True, exclude_defaults=False) for t in pool.taints),
        gpu=gpu,
    )


def volume_spec(volume: VolumeConfig, storage_class: str) -> VolumeSpec:
    return VolumeSpec(
        name=volume.name,
        mount_path=volume.mount_path,
        capacity=volume.capacity,
        storage_class=volume.storage_class or storage_class,
    )


def gpu_operator_args(cluster: ClusterConfig, obj: pulumi.CustomResource) -> ClusterGpuOperatorArgs:
    operator = cluster.gpu_operator
    if operator is None:
        raise ValueError(f"cluster {cluster.name} has no gpuOperator")
    return ClusterGpuOperatorArgs(
        cluster_name=cluster.name,
        cluster_namespace=cluster.namespace,
        cluster=obj,
        chart_version=operator.chart_version,
        ngc_api_key=pulumi.Output.secret(operator.ngc_api_key),
        licensing_token=pulumi.Output.secret(operator.licensing_token),
        licensing_name=gpu_objects.licensing_name(operator.gridd_conf, operator.licensing_token),
        gridd_conf=operator.gridd_conf,
        namespace=operator.namespace,
        values=dict(operator.values),
    )


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
