"""ClusterResourceSet delivery: pinned manifest files cut into ConfigMaps, and the set applying them.

CAPI's ClusterResourceSet (CRS) applies the objects held in ConfigMaps of its own namespace to every
Cluster its selector matches. What CAPI requires, and how these builders meet it:
- A ConfigMap holds at most 1 MiB of data. Documents are packed whole, in order, into as many
  ConfigMaps as needed; each ConfigMap's data is measured as JSON text (escapes included, so never
  less than what the API server counts) and kept within DATA_BUDGET, which leaves room for metadata.
- Objects are applied ConfigMap by ConfigMap in `spec.resources` order, and within a ConfigMap key
  by key in sorted order. CustomResourceDefinitions get ConfigMaps of their own, listed first, and
  Namespaces lead the other objects, so nothing is created before its type or namespace exists.
  Every document gets its own key, numbered in apply order.
- `spec.resources` holds at most 100 entries.
Documents keep their text as written in the pinned files (only `---` separators and comment-only
documents are dropped): nothing is parsed and re-serialized, so the workload cluster receives what
the sha256 in the stack config vouches for.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

import yaml

API_GROUP = "addons.cluster.x-k8s.io"
MAX_CONFIGMAP_DATA = 1024 * 1024  # the API server refuses ConfigMaps with more data
# Room for names, labels and managed fields, so a packed ConfigMap stays well under the limit.
METADATA_MARGIN = 128 * 1024
DATA_BUDGET = MAX_CONFIGMAP_DATA - METADATA_MARGIN
MAX_RESOURCES = 100  # the CRD's maxItems for spec.resources
CRD = "CustomResourceDefinition"
CRD_GROUP, OBJECT_GROUP = "crds", "manifests"
# Create once per cluster, then leave the objects to whoever runs them (components/tkg/gpu_operator.py).
STRATEGY = "ApplyOnce"

_SEPARATOR = re.compile(r"^---[ \t]*(?:#.*)?\r?$", re.MULTILINE)
_TOP_LEVEL_KIND = re.compile(r"""^kind:[ \t]*["']?([A-Za-z0-9]+)["']?[ \t]*(?:#.*)?\r?$""", re.MULTILINE)
_CONTENT_LINE = re.compile(r"^[ \t]*[^\s#]", re.MULTILINE)
_KEY_UNSAFE = re.compile(r"[^-._a-zA-Z0-9]+")
_EMPTY_DATA = len("{}")


@dataclass(frozen=True)
class Document:
    """One YAML document of a manifest file, as written there."""

    source: str
    """Name of the file it comes from (part of its ConfigMap key)."""
    kind: str
    text: str
    """The document's text, ending in a newline."""


def documents(source: str, text: str) -> list[Document]:
    """The documents of one multi-document YAML file, in file order; empty and comment-only ones dropped.

    Raises ValueError for a document that is not a Kubernetes object.
    """
    found = []
    for number, chunk in enumerate(_SEPARATOR.split(text), start=1):
        if _CONTENT_LINE.search(chunk):
            found.append(Document(source, _kind(chunk, f"document {number}"), chunk.strip("\r\n") + "\n"))
    return found


def _kind(text: str, where: str) -> str:
    # In block style a top-level key starts at column 0, so this line is the object's own kind,
    # never a nested one; only flow-style and JSON documents need a parser.
    match = _TOP_LEVEL_KIND.search(text)
    if match:
        return match.group(1)
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError as err:
        raise ValueError(f"{where} is not valid YAML ({err.__class__.__name__})") from None
    kind = parsed.get("kind") if isinstance(parsed, dict) else None
    if not isinstance(kind, str):
        raise ValueError(f"{where} is not a Kubernetes object (it has no kind)")
    return kind


def split_manifests(docs: list[Document], budget: int = DATA_BUDGET) -> dict[str, list[dict[str, str]]]:
    """ConfigMap `data` maps by group, in apply order: CRDs first, then Namespaces, then the rest.

    Within each group documents keep their order (file order, then document order); a document
    never spans two ConfigMaps. Raises ValueError for a document larger than one ConfigMap holds.
    """
    crds = [doc for doc in docs if doc.kind == CRD]
    objects = sorted((doc for doc in docs if doc.kind != CRD), key=lambda doc: doc.kind != "Namespace")
    groups = {CRD_GROUP: _pack(crds, budget), OBJECT_GROUP: _pack(objects, budget)}
    return {group: maps for group, maps in groups.items() if maps}


def _pack(docs: list[Document], budget: int) -> list[dict[str, str]]:
    """Greedy, in order: a document joins the current ConfigMap if it fits, else starts the next."""
    width = max(3, len(str(len(docs) - 1)))  # zero-padded, so sorted keys are apply order
    maps: list[dict[str, str]] = []
    used = 0
    for number, doc in enumerate(docs):
        key = _key(number, width, doc)
        size = data_entry_size(key, doc.text)
        if _EMPTY_DATA + size > budget:
            raise ValueError(
                f"a {doc.kind} in {doc.source} takes {size} bytes, more than one ConfigMap may hold "
                f"({budget} bytes, leaving room for metadata), so no ClusterResourceSet can deliver it"
            )
        if not maps or used + size > budget:
            maps.append({})
            used = _EMPTY_DATA
        maps[-1][key] = doc.text
        used += size
    return maps


def _key(number: int, width: int, doc: Document) -> str:
    stem = doc.source.rsplit(".", 1)[0]
    key = f"{number:0{width}d}-{stem}-{doc.kind.lower()}"
    return _KEY_UNSAFE.sub("-", key)[:248] + ".yaml"  # keys: [-._a-zA-Z0-9], at most 253


def data_entry_size(key: str, value: str) -> int:
    """Bytes one key adds to the JSON text of a `data` map: `"key": "value", `."""
    return len(json.dumps(key, ensure_ascii=False).encode()) + len(json.dumps(value, ensure_ascii=False).encode()) + 4


def data_size(data: dict[str, str]) -> int:
    """Bytes of a `data` map as JSON text (escaped), an upper bound of what the API server counts."""
    return len(json.dumps(data, ensure_ascii=False).encode())


def config_maps(
    *, name: str, namespace: str, labels: dict[str, str], groups: dict[str, list[dict[str, str]]]
) -> list[dict[str, Any]]:
    """The ConfigMaps, in apply order, named `<name>-<group>-<index>`: stable for the same files."""
    return [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": f"{name}-{group}-{index}", "namespace": namespace, "labels": dict(labels)},
            "data": data,
        }
        for group, maps in groups.items()
        for index, data in enumerate(maps)
    ]


def cluster_resource_set(
    *,
    name: str,
    namespace: str,
    api_version: str,
    labels: dict[str, str],
    cluster_selector: dict[str, Any],
    config_map_names: list[str],
) -> dict[str, Any]:
    """The set, in the ConfigMaps' namespace (CAPI resolves resources and Clusters only there)."""
    if not config_map_names:
        raise ValueError("a ClusterResourceSet needs at least one resource")
    if len(config_map_names) > MAX_RESOURCES:
        raise ValueError(f"{len(config_map_names)} ConfigMaps, more than a ClusterResourceSet lists ({MAX_RESOURCES})")
    if not cluster_selector:
        raise ValueError("an empty clusterSelector matches no cluster in CAPI")
    return {
        "apiVersion": f"{API_GROUP}/{api_version}",
        "kind": "ClusterResourceSet",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(labels)},
        "spec": {
            "clusterSelector": cluster_selector,
            "resources": [{"kind": "ConfigMap", "name": n} for n in config_map_names],
            "strategy": STRATEGY,
        },
    }
