"""The `tkg-aws:vsphere` config section: the vSphere TKG Service on a vSphere 8 Supervisor.

What a platform team otherwise clicks through the vSphere Client and `kubectl apply`s by hand: the
Supervisor it works on (by ID; creating one is a separate, explicit switch), the VM classes, the
vSphere Namespaces bound to them and to storage policies, and the TKG clusters in those namespaces
(`Cluster` v1beta1 on a VMware ClusterClass, or `TanzuKubernetesCluster` v1alpha3), with the NVIDIA
AI Enterprise GPU operator for clusters that have a vGPU node pool. Absent section: no vSphere.

Field rules are here; rules across keys (bindings, generations, zones, secrets) are in rules.py.
Every vSphere name is given by the user: pulumi-vsphere would otherwise invent `<name>-<random>`
names, which the clusters' `vmClass` and `storageClass` strings could never match.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PrivateAttr, model_validator

from components.config import validators as check
from components.config.base import Cidr, DnsLabel, DnsSubdomain, LabelMap, Model

# vCenter's namespace and VM class ids are DNS labels (Namespaces.Instances.CreateSpec,
# VirtualMachineClasses.CreateSpec); a TKG cluster's name is also a label value (Cluster API).
CLUSTER_NAME = re.compile(r"[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?", re.ASCII)
# Cluster API's webhook: topology.version must be a Kubernetes semver.
KUBE_SEMVER = re.compile(r"v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)([-0-9a-zA-Z_.+]*)?", re.ASCII)
STORAGE_POLICY_ID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.ASCII)
# vGPU profiles as ESXi reports them (get_host_vgpu_profile): grid_a100-40c, grid_a100-7-40c.
VGPU_PROFILE = re.compile(r"grid_[a-z0-9]+(-[a-z0-9]+)+", re.ASCII)
QUANTITY = re.compile(r"[1-9]\d*(Mi|Gi|Ti)", re.ASCII)
NO_SPACE = re.compile(r"\S+", re.ASCII)
MEMORY_MIB_MIN, MEMORY_MIB_MAX = 4, 24 * 1024 * 1024  # vCenter: 4 MB to 24 TB, a multiple of 4
MAX_VCPUS = 768  # the most vCPUs a vSphere 8 VM (hardware version 20) takes
CLASS_VERSION = re.compile(r"builtin-generic-v3\.(\d+)\.(\d+)", re.ASCII)

DEFAULT_SERVICES_CIDR = "10.96.0.0/12"
DEFAULT_PODS_CIDR = "192.168.0.0/16"
DEFAULT_SERVICE_DOMAIN = "cluster.local"
DEFAULT_GPU_OPERATOR_NAMESPACE = "gpu-operator"
DEFAULT_CONTROL_PLANE_REPLICAS: Final = 3
# VMware's vGPU examples give GPU nodes these two volumes: the driver and CUDA images are large and
# the OVA's node disk is 16 GB.
GPU_VOLUME_CAPACITY = "50Gi"
GPU_VOLUME_PATHS = {"containerd": "/var/lib/containerd", "kubelet": "/var/lib/kubelet"}


def cluster_name(value: str) -> str:
    if not CLUSTER_NAME.fullmatch(value):
        raise ValueError(
            "not a TKG cluster name (lowercase letters, digits, '-' and '.', at most 63, letter or digit at "
            "both ends: Cluster API uses it as a label value)"
        )
    return value


def kube_version(value: str) -> str:
    if "---" in value:
        raise ValueError(
            "give the TKR version with '+' (v1.26.5+vmware.2-tkg.1), not the object name with '---': the "
            "webhook stores the '+' form and the other would show as a change on every preview"
        )
    if not KUBE_SEMVER.fullmatch(value):
        raise ValueError("not a Tanzu Kubernetes release version like v1.31.4+vmware.1-fips-vkr.3")
    return value


def storage_policy_id(value: str) -> str:
    if not STORAGE_POLICY_ID.fullmatch(value):
        raise ValueError(
            "not a storage policy id (a UUID such as aa6d5a82-1c88-45da-85d3-3d74b91a5bad: the Namespace API "
            "takes ids, not policy names)"
        )
    return value


def vgpu_profile(value: str) -> str:
    if value.startswith("grid-"):
        raise ValueError(f"ESXi names vGPU profiles with an underscore: did you mean {'grid_' + value[5:]!r}?")
    if not VGPU_PROFILE.fullmatch(value):
        raise ValueError("not a vGPU profile as ESXi reports it, like grid_a100-40c or grid_a100-7-40c")
    return value


def memory_mib(value: int) -> int:
    if not MEMORY_MIB_MIN <= value <= MEMORY_MIB_MAX or value % 4:
        raise ValueError(f"must be a multiple of 4 between {MEMORY_MIB_MIN} and {MEMORY_MIB_MAX} MiB (vCenter's range)")
    return value


def quantity(value: str) -> str:
    if not QUANTITY.fullmatch(value):
        raise ValueError("not a volume size like 50Gi (a whole number of Mi, Gi or Ti)")
    return value


def mount_path(value: str) -> str:
    if not value.startswith("/") or value.rstrip("/") == "" or not NO_SPACE.fullmatch(value):
        raise ValueError("must be an absolute path below / without spaces, like /var/lib/containerd")
    return value


def no_space(value: str) -> str:
    if not NO_SPACE.fullmatch(value):
        raise ValueError("must be one word without spaces")
    return value


ClusterName = Annotated[str, AfterValidator(cluster_name)]
KubeVersion = Annotated[str, AfterValidator(kube_version)]
PoolName = Annotated[str, AfterValidator(check.non_empty), AfterValidator(check.label_value)]
NonEmpty = Annotated[str, AfterValidator(check.non_empty)]
Percent = Annotated[int, Field(ge=0, le=100)]
Word = Annotated[str, AfterValidator(no_space)]


# --- vCenter side ------------------------------------------------------------------------------------
class VmClassConfig(Model):
    """A VM class (vCenter-global): the size of TKG nodes, bound to namespaces by name."""

    name: DnsLabel
    cpus: Annotated[int, Field(ge=1, le=MAX_VCPUS)]
    memory_mib: Annotated[int, AfterValidator(memory_mib), Field(alias="memoryMiB")]
    """Memory in MiB, a multiple of 4 (pulumi-vsphere's `memory`, in MB)."""
    cpu_reservation: Percent = 0
    """Percent of the CPUs reserved. Default: 0 (best effort)."""
    memory_reservation: Percent = 0
    """Percent of the memory reserved; 100 with vgpuProfiles. Default: 0."""
    vgpu_profiles: Annotated[
        list[Annotated[str, AfterValidator(vgpu_profile)]], AfterValidator(check.unique_items)
    ] = []
    """vGPU profiles exactly as ESXi reports them (grid_a100-40c). Default: none."""

    @model_validator(mode="after")
    def _vgpu_reserves_all_memory(self) -> VmClassConfig:
        # A VM with a PCI device (a vGPU) powers on only with its whole memory reserved.
        if self.vgpu_profiles and self.memory_reservation != 100:
            raise ValueError(
                f"memoryReservation must be 100 for a class with vgpuProfiles: a vGPU VM powers on only with all "
                f"its memory reserved (got {self.memory_reservation})"
            )
        return self

    @property
    def gpu(self) -> bool:
        return bool(self.vgpu_profiles)


class StoragePolicyConfig(Model):
    id: Annotated[str, AfterValidator(storage_policy_id)]
    """The policy's id (UUID), as the Namespace API takes it."""
    storage_class: DnsSubdomain
    """The StorageClass the policy appears as in the namespace (`kubectl get sc -n <namespace>`): read it
    back from the Supervisor, vCenter does not document how it derives the name."""


class NamespaceConfig(Model):
    name: DnsLabel
    storage_policies: Annotated[list[StoragePolicyConfig], Field(min_length=1)]
    vm_classes: Annotated[list[DnsLabel], Field(min_length=1), AfterValidator(check.unique_items)]
    """VM classes bound to the namespace: vmClasses of this section, or classes vCenter already has
    (best-effort-small, ...; preflight checks they exist)."""
    content_libraries: Annotated[list[Word], AfterValidator(check.unique_items)] = []
    """VM Service image libraries (ids), not the TKR library. Default: none."""
    protect: bool = True
    """Protect the namespace: deleting it deletes every TKG cluster in it. Default: true."""

    @property
    def storage_classes(self) -> list[str]:
        return [policy.storage_class for policy in self.storage_policies]


class SupervisorCreateConfig(Model):
    """Enabling Workload Management from the stack: every SupervisorV2 input forces a replacement, which
    disables the Supervisor and deletes every namespace and cluster on it."""

    enabled: bool = False
    spec: dict[str, Any] = {}
    """pulumi-vsphere SupervisorV2 inputs as the engine names them (name, cluster or zones,
    controlPlane, workloads)."""


class SupervisorConfig(Model):
    id: Annotated[str, AfterValidator(check.non_empty), AfterValidator(no_space)] | None = None
    """The Supervisor ID (the vCenter `namespace-management/supervisors` list, or an existing
    namespace's `supervisor`). Required unless create.enabled."""
    server: Annotated[str, AfterValidator(no_space)] | None = None
    """The Supervisor's control plane address, for `kubectl vsphere login --server`. Default: none."""
    zones: Annotated[list[DnsLabel], AfterValidator(check.unique_items)] = []
    """The three vSphere Zones of a zonal Supervisor. Default: [] (one vSphere cluster)."""
    networking: Literal["nsx", "vds"] = "nsx"
    """The workload network: nsx, or vds with an external load balancer. Default: nsx."""
    tkr_content_library: Word | None = None
    """Name of the content library the Supervisor serves Tanzu Kubernetes releases from; preflight
    looks for it (pulumi-vsphere cannot set it on an existing Supervisor). Default: none."""
    kubeconfig: NonEmpty | None = None
    """A kubeconfig of the Supervisor (`kubectl vsphere login`), as a secret: the clusters are applied
    to it and the GPU operator reaches the clusters through it."""
    context: NonEmpty | None = None
    render_yaml_to_directory: NonEmpty | None = None
    """Write the clusters' YAML here instead of applying it (GitOps); no GPU operator then."""
    create: SupervisorCreateConfig = SupervisorCreateConfig()


# --- TKG clusters --------------------------------------------------------------------------------
class VolumeConfig(Model):
    name: DnsLabel
    mount_path: Annotated[str, AfterValidator(mount_path)]
    capacity: Annotated[str, AfterValidator(quantity)]
    storage_class: DnsSubdomain | None = None
    """Default: the node's storageClass."""


class TaintConfig(Model):
    key: Annotated[str, AfterValidator(check.label_key)]
    value: Annotated[str, AfterValidator(check.label_value)] = ""
    effect: Literal["NoSchedule", "PreferNoSchedule", "NoExecute"]


class ControlPlaneConfig(Model):
    replicas: Literal[1, 3] = DEFAULT_CONTROL_PLANE_REPLICAS
    """1 or 3 (etcd's quorum; vSphere 8 takes no other count). Default: 3."""
    vm_class: DnsLabel | None = None
    """Default: the cluster's vmClass."""
    storage_class: DnsSubdomain | None = None
    os_image: NonEmpty | None = None
    volumes: list[VolumeConfig] = []


class NodePoolConfig(Model):
    name: PoolName
    replicas: Annotated[int, Field(ge=0, le=1000)] = 1
    vm_class: DnsLabel | None = None
    """Default: the cluster's vmClass. A vGPU class makes this a GPU pool (Ubuntu, driver volumes)."""
    storage_class: DnsSubdomain | None = None
    failure_domain: DnsLabel | None = None
    """A vSphere Zone of a zonal Supervisor. Default: none (CAPI spreads nothing)."""
    os_image: NonEmpty | None = None
    """The `run.tanzu.vmware.com/resolve-os-image` selector, e.g. os-name=ubuntu,os-version=24.04.
    Default: the cluster's osImage; os-name=ubuntu for a GPU pool."""
    volumes: list[VolumeConfig] = []
    """Default: none; a GPU pool gets 50Gi at /var/lib/containerd and /var/lib/kubelet."""
    labels: LabelMap = {}
    taints: list[TaintConfig] = []


class ClusterNetworkConfig(Model):
    cni: Literal["antrea", "calico", "antrea-nsx-routed"] = "antrea"
    services: Annotated[list[Cidr], Field(min_length=1)] = [ipaddress.IPv4Network(DEFAULT_SERVICES_CIDR)]
    pods: list[Cidr] | None = None
    """Default: 192.168.0.0/16; none with antrea-nsx-routed (NSX gives routable pod subnets)."""
    service_domain: DnsSubdomain = DEFAULT_SERVICE_DOMAIN

    @property
    def pod_cidrs(self) -> list[str]:
        if self.pods is not None:
            return [str(c) for c in self.pods]
        return [] if self.cni == "antrea-nsx-routed" else [DEFAULT_PODS_CIDR]


class GpuOperatorConfig(Model):
    """The GPU operator from NVIDIA AI Enterprise (chart nvaie/gpu-operator), licensed through NLS."""

    chart_version: Annotated[str, AfterValidator(check.chart_version)]
    """Required: the nvaie/gpu-operator version your NVIDIA AI Enterprise release lists (v25.10.0)."""
    ngc_api_key: Annotated[str, AfterValidator(check.non_empty)]
    """Required, a secret: the NGC API key (chart repository and nvcr.io/nvaie images)."""
    licensing_token: Annotated[str, AfterValidator(check.non_empty)]
    """Required, a secret: the contents of the NLS client_configuration_token.tok."""
    gridd_conf: str = ""
    """gridd.conf; empty is NVIDIA AI Enterprise's default. Default: ""."""
    namespace: DnsLabel = DEFAULT_GPU_OPERATOR_NAMESPACE
    values: dict[str, Any] = {}
    """Helm values merged over ours. Default: {}."""
    _secret: bool = PrivateAttr(default=False)

    def model_post_init(self, context: Any, /) -> None:
        self._secret = check.secret_section(context, "vsphere")


class ClusterConfig(Model):
    name: ClusterName
    namespace: DnsLabel
    """A vSphere Namespace of this section."""
    api: Literal["cluster", "tanzuKubernetesCluster"] = "cluster"
    """cluster: Cluster v1beta1 on a ClusterClass; tanzuKubernetesCluster: the older TKC v1alpha3 (deprecated
    from TKG Service 3.2). Default: cluster."""
    cluster_class: NonEmpty | None = None
    """api cluster: tanzukubernetescluster or builtin-generic-v3.N.0; decides the variable names."""
    class_namespace: DnsLabel | None = None
    """Namespace of the ClusterClass (vmware-system-vks-public on VKS 3.3+). Default: the cluster's."""
    version: KubeVersion
    """The Tanzu Kubernetes release version (`kubectl get tkr`), with '+'."""
    vm_class: DnsLabel
    storage_class: DnsSubdomain
    os_image: NonEmpty | None = None
    """resolve-os-image selector of the whole cluster. Default: the class's (os-name=photon)."""
    control_plane: ControlPlaneConfig = ControlPlaneConfig()
    node_pools: Annotated[list[NodePoolConfig], Field(min_length=1)]
    network: ClusterNetworkConfig = ClusterNetworkConfig()
    variables: dict[str, Any] = {}
    """More ClusterClass variables by name, in the names of the class's generation. Default: {}."""
    gpu_operator: GpuOperatorConfig | None = None

    @property
    def tkr_name(self) -> str:
        """The TKR object's name: '+' written as '---'."""
        return self.version.replace("+", "---")


class VsphereConfig(Model):
    supervisor: SupervisorConfig
    vm_classes: list[VmClassConfig] = []
    namespaces: list[NamespaceConfig] = []
    clusters: list[ClusterConfig] = []
    _secret: bool = PrivateAttr(default=False)

    def model_post_init(self, context: Any, /) -> None:
        self._secret = check.secret_section(context, "vsphere")

    @property
    def secret(self) -> bool:
        """Whether the stack holds the section as a secret (its kubeconfig and GPU keys are then secrets)."""
        return self._secret

    def namespace(self, name: str) -> NamespaceConfig | None:
        return next((n for n in self.namespaces if n.name == name), None)

    def vm_class(self, name: str) -> VmClassConfig | None:
        return next((c for c in self.vm_classes if c.name == name), None)


VsphereSection = Annotated[VsphereConfig | None, BeforeValidator(check.empty_as_absent)]
"""StackConfig's `vsphere` field: absent or `{}` is off."""
