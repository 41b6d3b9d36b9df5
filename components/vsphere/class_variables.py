"""The variables of VMware's ClusterClasses, by generation, and the shapes the program writes in them.

`tanzukubernetescluster` and `builtin-generic-v3.1.0` take a flat set of variables; from
`builtin-generic-v3.2.0` on the set is restructured (`volumes`, `node`, `osConfiguration`,
`kubernetes`, ...) and the flat names are refused by the class, and the other way round. A volume's
capacity is `{storage: 50Gi}` in the flat generation and the plain string `50Gi` in the nested one.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Literal

Generation = Literal["flat", "nested"]
FLAT_CLASSES = ("tanzukubernetescluster", "builtin-generic-v3.1.0")

FLAT_VARIABLES = frozenset(
    {
        "vmClass",
        "storageClass",
        "defaultStorageClass",
        "storageClasses",
        "nodePoolVolumes",
        "controlPlaneVolumes",
        "nodePoolLabels",
        "nodePoolTaints",
        "ntp",
        "proxy",
        "trust",
        "user",
        "defaultRegistrySecret",
        "defaultVolumeSnapshotClass",
        "volumeSnapshotClasses",
        "kubeAPIServerFQDNs",
        "clusterEncryptionConfigYaml",
        "controlPlaneCertificateRotation",
        "podSecurityStandard",
    }
)
NESTED_VARIABLES = frozenset(
    {
        "vmClass",
        "storageClass",
        "volumes",
        "kubernetes",
        "node",
        "osConfiguration",
        "resourceConfiguration",
        "vsphereOptions",
    }
)
VARIABLES: dict[Generation, frozenset[str]] = {"flat": FLAT_VARIABLES, "nested": NESTED_VARIABLES}
# Where a flat name went in the nested generation, and back.
FLAT_TO_NESTED = {
    "nodePoolVolumes": "volumes",
    "controlPlaneVolumes": "volumes (in controlPlane's overrides)",
    "nodePoolLabels": "node.labels",
    "nodePoolTaints": "node.taints",
    "ntp": "osConfiguration.ntp",
    "proxy": "osConfiguration.systemProxy",
    "trust": "osConfiguration.trust",
    "user": "osConfiguration.user",
    "kubeAPIServerFQDNs": "kubernetes.endpointFQDNs",
    "controlPlaneCertificateRotation": "kubernetes.certificateRotation",
    "podSecurityStandard": "kubernetes.security.podSecurityStandard",
    "defaultStorageClass": "vsphereOptions.persistentVolumes.defaultStorageClass",
    "storageClasses": "vsphereOptions.persistentVolumes.availableStorageClasses",
    "defaultVolumeSnapshotClass": "vsphereOptions.persistentVolumes.defaultVolumeSnapshotClass",
    "volumeSnapshotClasses": "vsphereOptions.persistentVolumes.availableVolumeSnapshotClasses",
}
NESTED_TO_FLAT = {
    "volumes": "nodePoolVolumes / controlPlaneVolumes",
    "node": "nodePoolLabels / nodePoolTaints",
    "osConfiguration": "ntp, proxy, trust, user",
    "kubernetes": "kubeAPIServerFQDNs, controlPlaneCertificateRotation, podSecurityStandard",
    "vsphereOptions": "defaultStorageClass, storageClasses",
}
# Names the program writes from the cluster's own keys: set those keys instead.
OWN_VARIABLES = {
    "vmClass": "vmClass",
    "storageClass": "storageClass",
    "nodePoolVolumes": "nodePools[].volumes",
    "controlPlaneVolumes": "controlPlane.volumes",
    "volumes": "nodePools[].volumes and controlPlane.volumes",
    "nodePoolLabels": "nodePools[].labels",
    "nodePoolTaints": "nodePools[].taints",
    "node": "nodePools[].labels and nodePools[].taints",
}


def generation(cluster_class: str) -> Generation | None:
    """The variable generation of a VMware class name; None for a name that is not one of them."""
    if cluster_class in FLAT_CLASSES:
        return "flat"
    prefix = "builtin-generic-v3."
    if cluster_class.startswith(prefix):
        minor, _, patch = cluster_class.removeprefix(prefix).partition(".")
        if minor.isdigit() and patch.isdigit() and int(minor) >= 2:
            return "nested"
    return None


def wrong_generation_hint(name: str, gen: Generation) -> str | None:
    """Why `name` is no variable of `gen`, when it is one of the other generation's."""
    if gen == "nested" and name in FLAT_VARIABLES:
        successor = FLAT_TO_NESTED.get(name, name)
        return f"a variable of tanzukubernetescluster / builtin-generic-v3.1.0; from v3.2.0 on it is {successor}"
    if gen == "flat" and name in NESTED_VARIABLES:
        return f"a variable of builtin-generic-v3.2.0 and later; in this class it is {NESTED_TO_FLAT.get(name, name)}"
    return None


def volume(gen: Generation, *, name: str, mount_path: str, capacity: str, storage_class: str) -> dict[str, Any]:
    size: Any = {"storage": capacity} if gen == "flat" else capacity
    return {"name": name, "mountPath": mount_path, "storageClass": storage_class, "capacity": size}


def node_settings(gen: Generation, labels: Mapping[str, str], taints: list[dict[str, str]]) -> list[dict[str, Any]]:
    """A node pool's labels and taints as the class's variables (none when there are none)."""
    if gen == "flat":
        found = []
        if labels:
            found.append(
                {"name": "nodePoolLabels", "value": [{"key": k, "value": v} for k, v in sorted(labels.items())]}
            )
        if taints:
            found.append({"name": "nodePoolTaints", "value": taints})
        return found
    node: dict[str, Any] = {}
    if labels:
        node["labels"] = dict(sorted(labels.items()))
    if taints:
        node["taints"] = taints
    return [{"name": "node", "value": node}] if node else []


def volumes_variable(gen: Generation, volumes: list[dict[str, Any]], *, control_plane: bool) -> dict[str, Any]:
    if gen == "flat":
        return {"name": "controlPlaneVolumes" if control_plane else "nodePoolVolumes", "value": volumes}
    return {"name": "volumes", "value": volumes}
