"""TKG clusters as the Supervisor takes them: `Cluster` v1beta1 on a VMware ClusterClass, or
`TanzuKubernetesCluster` v1alpha3, built as plain dicts from plain specs.

The TKR webhook resolves `topology.version` as a version prefix against the namespace's Tanzu
Kubernetes releases and each node set's OS image through the `run.tanzu.vmware.com/resolve-os-image`
label selector; it then stores the TKR's version in the `+` form, so the program sends that form
and nothing differs on the next preview. Node pools are a list keyed by name on the server
(machineDeployments), so adding one leaves the others alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from components.naming import MANAGED_BY
from components.vsphere import class_variables as variables
from components.vsphere.class_variables import Generation

CLUSTER_API_VERSION = "cluster.x-k8s.io/v1beta1"
TKC_API_VERSION = "run.tanzu.vmware.com/v1alpha3"
RESOLVE_OS_IMAGE = "run.tanzu.vmware.com/resolve-os-image"
WORKER_CLASS = "node-pool"  # the only worker class of VMware's ClusterClasses


@dataclass(frozen=True, kw_only=True)
class VolumeSpec:
    name: str
    mount_path: str
    capacity: str
    """A quantity such as 50Gi."""
    storage_class: str


@dataclass(frozen=True, kw_only=True)
class NodePoolSpec:
    name: str
    replicas: int
    vm_class: str
    storage_class: str
    os_image: str | None = None
    failure_domain: str | None = None
    volumes: tuple[VolumeSpec, ...] = ()
    labels: dict[str, str] = field(default_factory=dict)
    taints: tuple[dict[str, str], ...] = ()
    gpu: bool = False


@dataclass(frozen=True, kw_only=True)
class ClusterSpec:
    name: str
    namespace: str
    api: str
    """cluster or tanzuKubernetesCluster."""
    version: str
    """TKR version, '+' form."""
    control_plane_replicas: int
    control_plane_vm_class: str
    control_plane_storage_class: str
    node_pools: tuple[NodePoolSpec, ...]
    cluster_class: str | None = None
    class_namespace: str | None = None
    generation: Generation = "nested"
    os_image: str | None = None
    control_plane_volumes: tuple[VolumeSpec, ...] = ()
    cni: str = "antrea"
    services_cidrs: tuple[str, ...] = ()
    pods_cidrs: tuple[str, ...] = ()
    service_domain: str = "cluster.local"
    variables: dict[str, Any] = field(default_factory=dict)
    """More ClusterClass variables, already checked against the generation."""

    @property
    def tkr_name(self) -> str:
        return self.version.replace("+", "---")

    @property
    def gpu(self) -> bool:
        return any(pool.gpu for pool in self.node_pools)


def cluster_object(spec: ClusterSpec) -> dict[str, Any]:
    """The object the spec's api asks for."""
    return tanzu_kubernetes_cluster(spec) if spec.api == "tanzuKubernetesCluster" else cluster(spec)


# --- Cluster v1beta1 -----------------------------------------------------------------------------
def cluster(spec: ClusterSpec) -> dict[str, Any]:
    topology: dict[str, Any] = {"class": spec.cluster_class}
    if spec.class_namespace:
        topology["classNamespace"] = spec.class_namespace
    topology |= {
        "version": spec.version,
        "controlPlane": _control_plane_topology(spec),
        "workers": {"machineDeployments": [_machine_deployment(spec, pool) for pool in spec.node_pools]},
        "variables": _cluster_variables(spec),
    }
    network: dict[str, Any] = {"services": {"cidrBlocks": list(spec.services_cidrs)}}
    if spec.pods_cidrs:
        network["pods"] = {"cidrBlocks": list(spec.pods_cidrs)}
    network["serviceDomain"] = spec.service_domain
    return {
        "apiVersion": CLUSTER_API_VERSION,
        "kind": "Cluster",
        "metadata": _metadata(spec),
        "spec": {"clusterNetwork": network, "topology": topology},
    }


def _cluster_variables(spec: ClusterSpec) -> list[dict[str, Any]]:
    found = [
        {"name": "vmClass", "value": spec.control_plane_vm_class},
        {"name": "storageClass", "value": spec.control_plane_storage_class},
    ]
    if spec.control_plane_volumes and spec.generation == "flat":
        found.append(_volumes(spec.generation, spec.control_plane_volumes, control_plane=True))
    found += [{"name": name, "value": value} for name, value in sorted(spec.variables.items())]
    return found


def _control_plane_topology(spec: ClusterSpec) -> dict[str, Any]:
    control_plane: dict[str, Any] = {"replicas": spec.control_plane_replicas}
    if spec.os_image:
        control_plane["metadata"] = {"annotations": {RESOLVE_OS_IMAGE: spec.os_image}}
    if spec.control_plane_volumes and spec.generation == "nested":
        # ControlPlaneVariables (Cluster API 1.8+): the nested classes' volumes of the control plane only.
        overrides = [_volumes(spec.generation, spec.control_plane_volumes, control_plane=True)]
        control_plane["variables"] = {"overrides": overrides}
    return control_plane


def _machine_deployment(spec: ClusterSpec, pool: NodePoolSpec) -> dict[str, Any]:
    deployment: dict[str, Any] = {"class": WORKER_CLASS, "name": pool.name, "replicas": pool.replicas}
    if pool.failure_domain:
        deployment["failureDomain"] = pool.failure_domain
    os_image = pool.os_image or spec.os_image
    if os_image:
        deployment["metadata"] = {"annotations": {RESOLVE_OS_IMAGE: os_image}}
    overrides = []
    if pool.vm_class != spec.control_plane_vm_class:
        overrides.append({"name": "vmClass", "value": pool.vm_class})
    if pool.storage_class != spec.control_plane_storage_class:
        overrides.append({"name": "storageClass", "value": pool.storage_class})
    if pool.volumes:
        overrides.append(_volumes(spec.generation, pool.volumes, control_plane=False))
    overrides += variables.node_settings(spec.generation, pool.labels, list(pool.taints))
    if overrides:
        deployment["variables"] = {"overrides": overrides}
    return deployment


def _volumes(gen: Generation, volumes: tuple[VolumeSpec, ...], *, control_plane: bool) -> dict[str, Any]:
    rendered = [
        variables.volume(gen, name=v.name, mount_path=v.mount_path, capacity=v.capacity, storage_class=v.storage_class)
        for v in volumes
    ]
    return variables.volumes_variable(gen, rendered, control_plane=control_plane)


# --- TanzuKubernetesCluster v1alpha3 ---------------------------------------------------------------
def tanzu_kubernetes_cluster(spec: ClusterSpec) -> dict[str, Any]:
    """The older API: one OS image for the whole cluster (its annotation), the TKR by object name."""
    metadata = _metadata(spec)
    if spec.os_image:
        metadata["annotations"] = {RESOLVE_OS_IMAGE: spec.os_image}
    tkr = {"reference": {"name": spec.tkr_name}}
    control_plane: dict[str, Any] = {
        "replicas": spec.control_plane_replicas,
        "vmClass": spec.control_plane_vm_class,
        "storageClass": spec.control_plane_storage_class,
        "tkr": tkr,
    }
    if spec.control_plane_volumes:
        control_plane["volumes"] = [_tkc_volume(v) for v in spec.control_plane_volumes]
    network: dict[str, Any] = {
        "cni": {"name": spec.cni},
        "services": {"cidrBlocks": list(spec.services_cidrs)},
        "serviceDomain": spec.service_domain,
    }
    if spec.pods_cidrs:
        network["pods"] = {"cidrBlocks": list(spec.pods_cidrs)}
    return {
        "apiVersion": TKC_API_VERSION,
        "kind": "TanzuKubernetesCluster",
        "metadata": metadata,
        "spec": {
            "topology": {"controlPlane": control_plane, "nodePools": [_tkc_pool(p, tkr) for p in spec.node_pools]},
            "settings": {"network": network},
        },
    }


def _tkc_pool(pool: NodePoolSpec, tkr: dict[str, Any]) -> dict[str, Any]:
    rendered: dict[str, Any] = {
        "name": pool.name,
        "replicas": pool.replicas,
        "vmClass": pool.vm_class,
        "storageClass": pool.storage_class,
        "tkr": tkr,
    }
    if pool.failure_domain:
        rendered["failureDomain"] = pool.failure_domain
    if pool.volumes:
        rendered["volumes"] = [_tkc_volume(v) for v in pool.volumes]
    if pool.labels:
        rendered["labels"] = dict(sorted(pool.labels.items()))
    if pool.taints:
        rendered["taints"] = list(pool.taints)
    return rendered


def _tkc_volume(volume: VolumeSpec) -> dict[str, Any]:
    return variables.volume(
        "flat",
        name=volume.name,
        mount_path=volume.mount_path,
        capacity=volume.capacity,
        storage_class=volume.storage_class,
    )


def _metadata(spec: ClusterSpec) -> dict[str, Any]:
    return {"name": spec.name, "namespace": spec.namespace, "labels": dict(MANAGED_BY)}


# --- Calico on Cluster v1beta1 -------------------------------------------------------------------------
CALICO_CONFIG_API_VERSION = "cni.tanzu.vmware.com/v1alpha1"
CLUSTER_BOOTSTRAP_API_VERSION = "run.tanzu.vmware.com/v1alpha3"
ADD_MISSING_FIELDS = "tkg.tanzu.vmware.com/add-missing-fields-from-tkr"
# The packages VMware's classy-cluster tests keep beside the CNI when they name one.
BOOTSTRAP_PACKAGES = ("metrics-server*", "secretgen-controller*", "pinniped*")


def calico_bootstrap(spec: ClusterSpec) -> list[dict[str, Any]]:
    """A Cluster v1beta1 gets Calico (instead of Antrea) from a ClusterBootstrap named like the cluster,
    in its namespace, made before it: the webhook fills in the TKR's package versions for the
    wildcard names. Empty for any other cluster."""
    if spec.api != "cluster" or spec.cni != "calico":
        return []
    metadata = {"name": spec.name, "namespace": spec.namespace, "labels": dict(MANAGED_BY)}
    calico = {
        "apiVersion": CALICO_CONFIG_API_VERSION,
        "kind": "CalicoConfig",
        "metadata": metadata,
        "spec": {"calico": {"config": {"vethMTU": 0}}},
    }
    bootstrap = {
        "apiVersion": CLUSTER_BOOTSTRAP_API_VERSION,
        "kind": "ClusterBootstrap",
        "metadata": {**metadata, "annotations": {ADD_MISSING_FIELDS: spec.tkr_name}},
        "spec": {
            "additionalPackages": [{"refName": name} for name in BOOTSTRAP_PACKAGES],
            "cni": {
                "refName": "calico*",
                "valuesFrom": {
                    "providerRef": {"apiGroup": "cni.tanzu.vmware.com", "kind": "CalicoConfig", "name": spec.name}
                },
            },
        },
    }
    return [calico, bootstrap]


def kubeconfig_secret_name(cluster_name: str) -> str:
    """The Secret in the vSphere Namespace whose `value` is the cluster's admin kubeconfig."""
    return f"{cluster_name}-kubeconfig"
