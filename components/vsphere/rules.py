"""Rules of the `vsphere` section that span keys: what the Supervisor, vCenter and the TKG webhooks
would refuse only after `pulumi up` had started, or never (a class the namespace cannot see).

Each returns finished lines `tkg-aws:vsphere.<key>: <problem> (got <value>)`; components/config/
loading.py calls `vsphere_rules` when the section parses by itself. Kubeconfigs, the NGC key and the
licence token are never shown.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from typing import Any

from pydantic import ValidationError

from components.config.validators import NAMESPACE
from components.vsphere import class_variables
from components.vsphere.config import GPU_VOLUME_PATHS, ClusterConfig, NamespaceConfig, VsphereConfig

KEY = f"{NAMESPACE}:vsphere"
ZONES = 3  # a zonal Supervisor spans exactly three vSphere Zones
SUPERVISOR_INPUTS = frozenset({"name", "cluster", "zones", "controlPlane", "workloads"})
# Keys of the SDK docstring's examples that are no SupervisorV2 inputs (the provider infers both).
NOT_SUPERVISOR_INPUTS = ("networkType", "provider")
SERVER_VARIABLES = frozenset({"TKR_DATA"})
# One term of a Kubernetes label selector: key, !key, key=value, key==value, key!=value, key in (...).
SELECTOR_TERM = re.compile(
    r"!?[A-Za-z0-9][-A-Za-z0-9_./]*|[A-Za-z0-9][-A-Za-z0-9_./]*\s*(==?|!=)\s*[A-Za-z0-9][-A-Za-z0-9_.]*"
    r"|[A-Za-z0-9][-A-Za-z0-9_./]*\s+(in|notin)\s+\([-A-Za-z0-9_., ]+\)",
    re.ASCII,
)
UBUNTU = "os-name=ubuntu"


def vsphere_rules(raw: dict[str, Any], secret_sections: frozenset[str] = frozenset()) -> list[str]:
    if raw.get("vsphere") in (None, {}):
        return []
    try:
        config = VsphereConfig.model_validate(raw["vsphere"], context={"secret_sections": secret_sections})
    except ValidationError:
        return []  # the field problems are reported on their own lines
    problems = [*supervisor(config), *delivery(config), *plaintext_secrets(config), *unique_names(config)]
    for i, cluster in enumerate(config.clusters):
        problems += cluster_rules(config, f"{KEY}.clusters[{i}]", cluster)
    return problems


# --- Supervisor --------------------------------------------------------------------------------------
def supervisor(config: VsphereConfig) -> list[str]:
    sup, key = config.supervisor, f"{KEY}.supervisor"
    problems = []
    if sup.id is None and not sup.create.enabled:
        problems.append(
            f"{key}.id: required: the ID of the enabled Supervisor (vCenter's namespace-management/supervisors, or "
            "an existing namespace's supervisor), or create.enabled: true (got nothing)"
        )
    if sup.id is not None and sup.create.enabled:
        problems.append(
            f"{key}.create.enabled: a Supervisor is either created by the stack or given by id, not both "
            f"(got id {sup.id!r})"
        )
    if sup.zones and len(sup.zones) != ZONES:
        problems.append(f"{key}.zones: a zonal Supervisor spans exactly {ZONES} vSphere Zones (got {sup.zones})")
    if sup.create.enabled:
        problems += supervisor_spec(config)
    return problems


def supervisor_spec(config: VsphereConfig) -> list[str]:
    spec, key = config.supervisor.create.spec, f"{KEY}.supervisor.create.spec"
    problems = [
        f"{key}.{name}: not a SupervisorV2 input; it takes {', '.join(sorted(SUPERVISOR_INPUTS))} (got {name!r})"
        for name in sorted(set(spec) - SUPERVISOR_INPUTS)
    ]
    for name in ("name", "controlPlane", "workloads"):
        if name not in spec:
            problems.append(f"{key}.{name}: required key is missing (every vSphere name is set explicitly)")
    if ("cluster" in spec) == ("zones" in spec):
        problems.append(
            f"{key}: exactly one of cluster (a compute cluster MoID, domain-cNN) or zones (3 vSphere Zones) "
            f"(got {sorted(k for k in ('cluster', 'zones') if k in spec)})"
        )
    zones = spec.get("zones")
    if zones is not None and (not isinstance(zones, list) or len(zones) != ZONES):
        problems.append(f"{key}.zones: a zonal Supervisor spans exactly {ZONES} vSphere Zones (got {zones!r})")
    elif zones is not None and sorted(zones) != sorted(config.supervisor.zones):
        problems.append(
            f"{KEY}.supervisor.zones: must name the created Supervisor's zones {zones} (got {config.supervisor.zones})"
        )
    problems += [
        f"{key}{path}: not a SupervisorV2 input: the provider infers the network type and load balancer from "
        "the block that is set (the SDK's examples are wrong here) (got it set)"
        for path in _paths_of(spec, NOT_SUPERVISOR_INPUTS)
    ]
    return problems


def _paths_of(value: Any, names: tuple[str, ...], path: str = "") -> list[str]:
    found = []
    if isinstance(value, dict):
        for k, v in value.items():
            here = f"{path}.{k}"
            found += [here] if k in names else _paths_of(v, names, here)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += _paths_of(v, names, f"{path}[{i}]")
    return found


def delivery(config: VsphereConfig) -> list[str]:
    sup, key = config.supervisor, f"{KEY}.supervisor"
    if sup.kubeconfig is not None and sup.render_yaml_to_directory is not None:
        return [
            f"{key}.renderYamlToDirectory: either apply to the Supervisor (kubeconfig) or render, not both (got both)"
        ]
    if config.clusters and sup.kubeconfig is None and sup.render_yaml_to_directory is None:
        problem = (
            f"{key}.kubeconfig: required with clusters: a Supervisor kubeconfig (`kubectl vsphere login`, set with "
            f"`pulumi config set --secret --path {KEY}.supervisor.kubeconfig < kubeconfig`) or renderYamlToDirectory "
            f"(got neither)"
        )
        return [problem]
    return []


def plaintext_secrets(config: VsphereConfig) -> list[str]:
    if config.secret:
        return []
    found = [f"{KEY}.supervisor.kubeconfig"] if config.supervisor.kubeconfig is not None else []
    for i, cluster in enumerate(config.clusters):
        if cluster.gpu_operator is not None:
            found += [f"{KEY}.clusters[{i}].gpuOperator.{k}" for k in ("ngcApiKey", "licensingToken")]
    return [
        f"{path}: must be a secret; set it with `pulumi config set --secret --path "
        f"{path.removeprefix(NAMESPACE + ':')}` (got a plaintext value)"
        for path in found
    ]


def unique_names(config: VsphereConfig) -> list[str]:
    problems = _duplicates(f"{KEY}.vmClasses", [c.name for c in config.vm_classes], "vCenter's VM classes are global")
    problems += _duplicates(f"{KEY}.namespaces", [n.name for n in config.namespaces], "namespaces are vCenter-wide")
    problems += _duplicates(
        f"{KEY}.clusters", [c.name for c in config.clusters], "the stack's outputs and plan name clusters by name"
    )
    for i, ns in enumerate(config.namespaces):
        problems += _duplicates(
            f"{KEY}.namespaces[{i}].storagePolicies", ns.storage_classes, "a StorageClass name stands for one policy"
        )
    return problems


def _duplicates(key: str, names: list[str], why: str) -> list[str]:
    return [
        f"{key}: {name!r} is given {count} times: {why} (got {names})"
        for name, count in Counter(names).items()
        if count > 1
    ]


# --- clusters --------------------------------------------------------------------------------------
def cluster_rules(config: VsphereConfig, key: str, cluster: ClusterConfig) -> list[str]:
    namespace = config.namespace(cluster.namespace)
    problems = []
    if namespace is None:
        known = [n.name for n in config.namespaces]
        problems.append(f"{key}.namespace: not a namespace of {KEY}.namespaces {known} (got {cluster.namespace!r})")
    else:
        problems += bindings(config, key, cluster, namespace)
    problems += api_shape(key, cluster)
    problems += class_variables_rules(key, cluster)
    problems += failure_domains(config, key, cluster)
    problems += gpu_pools(config, key, cluster)
    problems += network(config, key, cluster)
    problems += os_images(key, cluster)
    problems += _duplicates(f"{key}.nodePools", [p.name for p in cluster.node_pools], "node pools are keyed by name")
    return problems


def bindings(config: VsphereConfig, key: str, cluster: ClusterConfig, namespace: NamespaceConfig) -> list[str]:
    """Every class and StorageClass a cluster names must be one its namespace can see."""
    index = config.namespaces.index(namespace)
    classes: list[tuple[str, str | None]] = [(f"{key}.vmClass", cluster.vm_class)]
    classes += [(f"{key}.controlPlane.vmClass", cluster.control_plane.vm_class)]
    classes += [(f"{key}.nodePools[{j}].vmClass", p.vm_class) for j, p in enumerate(cluster.node_pools)]
    storage: list[tuple[str, str | None]] = [
        (f"{key}.storageClass", cluster.storage_class),
        (f"{key}.controlPlane.storageClass", cluster.control_plane.storage_class),
    ]
    storage += [
        (f"{key}.controlPlane.volumes[{j}].storageClass", v.storage_class)
        for j, v in enumerate(cluster.control_plane.volumes)
    ]
    for j, pool in enumerate(cluster.node_pools):
        storage.append((f"{key}.nodePools[{j}].storageClass", pool.storage_class))
        storage += [
            (f"{key}.nodePools[{j}].volumes[{k}].storageClass", v.storage_class) for k, v in enumerate(pool.volumes)
        ]
    problems = [
        f"{path}: VM class not bound to namespace {namespace.name}: add it to {KEY}.namespaces[{index}].vmClasses "
        f"{namespace.vm_classes} (got {name!r})"
        for path, name in classes
        if name is not None and name not in namespace.vm_classes
    ]
    problems += [
        f"{path}: no storage policy of namespace {namespace.name} appears as this StorageClass: add the policy to "
        f"{KEY}.namespaces[{index}].storagePolicies {namespace.storage_classes} (got {name!r})"
        for path, name in storage
        if name is not None and name not in namespace.storage_classes
    ]
    return problems


def api_shape(key: str, cluster: ClusterConfig) -> list[str]:
    if cluster.api == "cluster":
        if cluster.cluster_class is None:
            problem = (
                f"{key}.clusterClass: required with api cluster: the ClusterClass version decides the variable "
                "names (`kubectl get clusterclass -n <namespace>`: tanzukubernetescluster, builtin-generic-v3.N.0) "
                "(got nothing)"
            )
            return [problem]
        if class_variables.generation(cluster.cluster_class) is None:
            problem = (
                f"{key}.clusterClass: not one of VMware's ClusterClasses (tanzukubernetescluster, "
                f"builtin-generic-v3.1.0 and later); custom classes are not supported by Broadcom "
                f"(got {cluster.cluster_class!r})"
            )
            return [problem]
        if cluster.network.cni == "antrea-nsx-routed":
            problem = (
                f"{key}.network.cni: routed pods on a Cluster v1beta1 need an AntreaConfig this program does not "
                f"write: use api: tanzuKubernetesCluster, antrea or calico (got {cluster.network.cni!r})"
            )
            return [problem]
        return []
    refused = {
        "clusterClass": cluster.cluster_class,
        "classNamespace": cluster.class_namespace,
        "variables": cluster.variables or None,
        "controlPlane.osImage": cluster.control_plane.os_image,
    }
    problems = [
        f"{key}.{name}: a TanzuKubernetesCluster has no {name}: it is for api: cluster (got {value!r})"
        for name, value in refused.items()
        if value is not None
    ]
    problems += [
        f"{key}.nodePools[{j}].osImage: a TanzuKubernetesCluster takes one OS image for the whole cluster: set "
        f"{key}.osImage (got {pool.os_image!r})"
        for j, pool in enumerate(cluster.node_pools)
        if pool.os_image is not None
    ]
    return problems


def class_variables_rules(key: str, cluster: ClusterConfig) -> list[str]:
    gen = class_variables.generation(cluster.cluster_class or "")
    if cluster.api != "cluster" or gen is None:
        return []
    problems = []
    for name in sorted(cluster.variables):
        where = f"{key}.variables.{name}"
        if name in class_variables.OWN_VARIABLES:
            problems.append(
                f"{where}: written by the program from {key}.{class_variables.OWN_VARIABLES[name]}: set that "
                "(got it set)"
            )
        elif name in SERVER_VARIABLES:
            problems.append(
                f"{where}: written by the Supervisor's TKR webhook, never by the cluster's owner (got it set)"
            )
        elif (hint := class_variables.wrong_generation_hint(name, gen)) is not None:
            problems.append(f"{where}: not a variable of {cluster.cluster_class}: {hint} (got {name!r})")
        elif name not in class_variables.VARIABLES[gen]:
            known = sorted(class_variables.VARIABLES[gen] - set(class_variables.OWN_VARIABLES))
            problems.append(f"{where}: not a variable of {cluster.cluster_class}, which takes {known} (got {name!r})")
    return problems


def failure_domains(config: VsphereConfig, key: str, cluster: ClusterConfig) -> list[str]:
    zones = config.supervisor.zones
    problems = []
    for j, pool in enumerate(cluster.node_pools):
        if pool.failure_domain is None:
            continue
        if not zones:
            problems.append(
                f"{key}.nodePools[{j}].failureDomain: failure domains exist only on a Supervisor of 3 vSphere Zones: "
                f"list them in {KEY}.supervisor.zones (got {pool.failure_domain!r})"
            )
        elif pool.failure_domain not in zones:
            problems.append(
                f"{key}.nodePools[{j}].failureDomain: not a zone of the Supervisor {zones} "
                f"(got {pool.failure_domain!r})"
            )
    return problems


def gpu_pools(config: VsphereConfig, key: str, cluster: ClusterConfig) -> list[str]:
    problems = []
    gpu = False
    for j, pool in enumerate(cluster.node_pools):
        vm_class = config.vm_class(pool.vm_class or cluster.vm_class)
        if vm_class is None or not vm_class.gpu:
            continue
        gpu = True
        os_image = pool.os_image or cluster.os_image
        if os_image is not None and not selects_ubuntu(os_image):
            where = f"{key}.nodePools[{j}].osImage" if pool.os_image else f"{key}.osImage"
            problems.append(
                f"{where}: the vGPU pool {pool.name} needs the Ubuntu TKR image (include os-name=ubuntu): NVIDIA's "
                f"vGPU guest driver is built for it (got {os_image!r})"
            )
        paths = {v.mount_path for v in pool.volumes}
        if pool.volumes and not set(GPU_VOLUME_PATHS.values()) <= paths:
            problems.append(
                f"{key}.nodePools[{j}].volumes: the vGPU pool {pool.name} needs volumes at "
                f"{' and '.join(GPU_VOLUME_PATHS.values())} (the driver and CUDA images outgrow the 16 GB node disk); "
                f"leave volumes out for 50Gi each (got {sorted(paths)})"
            )
    if cluster.gpu_operator is not None and not gpu:
        problems.append(
            f"{key}.gpuOperator: the cluster has no node pool on a vGPU class of {KEY}.vmClasses (got a gpuOperator)"
        )
    if cluster.gpu_operator is not None and config.supervisor.render_yaml_to_directory is not None:
        problems.append(
            f"{key}.gpuOperator: installed through the cluster's kubeconfig Secret on the Supervisor, which a stack "
            f"that renders to {config.supervisor.render_yaml_to_directory!r} never reads: give supervisor.kubeconfig "
            "(got renderYamlToDirectory)"
        )
    return problems


def network(config: VsphereConfig, key: str, cluster: ClusterConfig) -> list[str]:
    net = cluster.network
    problems = []
    if net.cni == "antrea-nsx-routed":
        if config.supervisor.networking != "nsx":
            problems.append(
                f"{key}.network.cni: antrea-nsx-routed needs an NSX Supervisor (got supervisor.networking vds)"
            )
        if net.pods:
            problems.append(
                f"{key}.network.pods: leave it out with antrea-nsx-routed: NSX gives the routable pod subnets "
                f"(got {[str(c) for c in net.pods]})"
            )
    pods = [ipaddress.ip_network(c) for c in net.pod_cidrs]
    for service in (ipaddress.ip_network(str(c)) for c in net.services):
        for pod in pods:
            if service.overlaps(pod):
                problems.append(
                    f"{key}.network.services: {service} overlaps the pods' {pod} (got {[str(s) for s in net.services]})"
                )
    return problems


def os_images(key: str, cluster: ClusterConfig) -> list[str]:
    images = [(f"{key}.osImage", cluster.os_image), (f"{key}.controlPlane.osImage", cluster.control_plane.os_image)]
    images += [(f"{key}.nodePools[{j}].osImage", p.os_image) for j, p in enumerate(cluster.node_pools)]
    return [
        f"{path}: not a label selector over OS image labels like os-name=ubuntu,os-version=24.04: the TKR webhook "
        f"denies the cluster (got {value!r})"
        for path, value in images
        if value is not None and not all(SELECTOR_TERM.fullmatch(t.strip()) for t in _split_selector(value))
    ]


def selects_ubuntu(selector: str) -> bool:
    """Whether the selector asks for Ubuntu images only (os-name=ubuntu, or os-name in (ubuntu))."""
    terms = [t.replace(" ", "").replace("==", "=") for t in _split_selector(selector)]
    return UBUNTU in terms or "os-namein(ubuntu)" in terms


def _split_selector(selector: str) -> list[str]:
    """Terms split at commas outside parentheses."""
    terms, depth, current = [], 0, ""
    for char in selector:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += char
    return [*terms, current]
