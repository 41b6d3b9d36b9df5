"""The vSphere platform's component Args, built from its config section here and nowhere else.

Each function maps the section (and the outputs of the components built before) to one component's
Args: the Supervisor, the VM classes, the vSphere Namespaces, the TKG clusters' specs and each
cluster's GPU operator; platform.py creates them in that order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi

from components.vsphere import class_variables, gpu_objects
from components.vsphere.cluster_objects import ClusterSpec, NodePoolSpec, VolumeSpec
from components.vsphere.config import (
    GPU_VOLUME_CAPACITY,
    GPU_VOLUME_PATHS,
    ClusterConfig,
    NodePoolConfig,
    VolumeConfig,
    VsphereConfig,
)
from components.vsphere.gpu_operator import ClusterGpuOperatorArgs
from components.vsphere.namespaces import SupervisorNamespace, SupervisorNamespacesArgs
from components.vsphere.supervisor import SupervisorArgs
from components.vsphere.tkg_clusters import TkgClustersArgs
from components.vsphere.vm_classes import VmClass, VmClassesArgs

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig

UBUNTU_IMAGE = "os-name=ubuntu"


def vsphere_section(config: StackConfig) -> VsphereConfig:
    if config.vsphere is None:
        raise ValueError("the vsphere platform needs the tkg-aws:vsphere section")
    return config.vsphere


def supervisor_args(section: VsphereConfig) -> SupervisorArgs:
    return SupervisorArgs(spec=section.supervisor.create.spec)


def tkg_clusters_args(section: VsphereConfig, namespaces: list[pulumi.Resource]) -> TkgClustersArgs:
    """Every cluster's spec; waited for (Ready) unless the objects are only rendered to files."""
    return TkgClustersArgs(
        clusters=tuple(cluster_spec(section, c) for c in section.clusters),
        wait_for_ready=section.supervisor.render_yaml_to_directory is None,
        namespaces_ready=namespaces,
    )


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
