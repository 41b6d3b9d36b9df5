"""GpuOperatorAddon: the GPU operator delivered by HelmChartProxy or by ClusterResourceSet."""

from __future__ import annotations

import dataclasses
import hashlib
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.base import ConfigError
from components.tkg.cluster_resource_set import (
    DATA_BUDGET,
    MAX_CONFIGMAP_DATA,
    cluster_resource_set,
    data_size,
    documents,
    split_manifests,
)
from components.tkg.gpu_operator import GpuOperatorAddon, PinnedManifest, read_pinned
from tests.conftest import plan
from tools.plan.command import kubernetes_objects
from tools.plan.program import ProgramRun

ADDON = GpuOperatorAddon.TYPE_TOKEN
HELM_CHART_PROXY = "kubernetes:addons.cluster.x-k8s.io/v1alpha1:HelmChartProxy"
CLUSTER_RESOURCE_SET = "kubernetes:addons.cluster.x-k8s.io/v1beta1:ClusterResourceSet"
CONFIG_MAP = "kubernetes:core/v1:ConfigMap"
# Listed components first, so the tests show that CRDs are moved ahead of them.
MANIFESTS = [
    {
        "path": "tests/data/gpu/gpu-operator-components.yaml",
        "sha256": "04629366373456326c37ceb072b9a312cf57fae3d1543010e91ba76b842f41ec",
    },
    {
        "path": "tests/data/gpu/clusterpolicy-crd.yaml",
        "sha256": "16a53418612fb04fd5547bf74cc59d144b26334a8a5c51bf365dbbc88c03c5e6",
    },
]


def with_gpu(raw: dict[str, Any], **gpu: Any) -> dict[str, Any]:
    return {**raw, "gpu": {"enabled": True, **gpu}}


def crs_raw(raw: dict[str, Any], manifests: list[dict[str, str]] = MANIFESTS) -> dict[str, Any]:
    return with_gpu(raw, delivery="clusterResourceSet", manifests=manifests)


def gpu_objects(run: ProgramRun) -> list[dict[str, Any]]:
    """The add-on's Kubernetes objects, rendered as the plan's manifests.yaml renders them."""
    addon = run.named(ADDON, "gpu-operator")
    children = {urn: r for urn, r in run.registrations.items() if r.parent == addon.urn}
    return kubernetes_objects(dataclasses.replace(run, registrations=children))


def values_of(run: ProgramRun) -> dict[str, Any]:
    proxy = run.named(HELM_CHART_PROXY, "gpu-operator-helmchartproxy")
    return yaml.safe_load(proxy.inputs["spec"]["valuesTemplate"])


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- helmChartProxy ------------------------------------------------------------------------------
def test_prod_delivers_the_pinned_chart_with_a_helm_chart_proxy_in_the_management_cluster(prod_raw, golden):
    run = plan(prod_raw, stack="prod")
    golden("gpu/helm_chart_proxy.yaml", gpu_objects(run))
    proxy = run.named(HELM_CHART_PROXY, "gpu-operator-helmchartproxy")
    spec = proxy.inputs["spec"]
    assert (spec["repoURL"], spec["chartName"], spec["version"]) == (
        "https://helm.ngc.nvidia.com/nvidia",
        "gpu-operator",
        "v26.7.0",
    )
    assert spec["namespace"] == "gpu-operator"
    assert spec["clusterSelector"] == {"matchLabels": {"gpu": "nvidia"}}
    assert spec["options"]["install"] == {"createNamespace": True}
    assert proxy.provider.endswith("pulumi:providers:kubernetes::management-cluster"), proxy.urn
    assert run.of_type(CLUSTER_RESOURCE_SET) == [] and run.of_type(CONFIG_MAP) == []


def test_default_values_install_driver_and_toolkit(prod_raw):
    values = values_of(plan(prod_raw))
    assert values["driver"] == {"enabled": True} and values["toolkit"] == {"enabled": True}


def test_a_preinstalled_driver_turns_the_driver_off_and_user_values_merge_over_the_defaults(prod_raw):
    user_values = {"driver": {"version": "595.91.07"}, "dcgmExporter": {"enabled": False}}
    raw = with_gpu(prod_raw, driverPreinstalled=True, values=user_values)
    values = values_of(plan(raw))
    assert values["driver"] == {"enabled": False, "version": "595.91.07"}
    assert values["dcgmExporter"] == {"enabled": False}
    assert values["toolkit"] == {"enabled": True}


def test_prod_outputs_the_cluster_label_and_the_tkg_variables_of_gpu_clusters(prod_raw):
    run = plan(prod_raw)
    gpu = run.outputs["gpu"]
    assert gpu["clusterLabels"] == {"gpu": "nvidia"}
    assert gpu["labelCommand"] == "kubectl label cluster MY-GPU-CLUSTER -n default gpu=nvidia"
    assert gpu["tkgClusterConfig"] == {**run.outputs["tkgClusterConfig"], "NODE_MACHINE_TYPE": "g4dn.8xlarge"}
    assert (gpu["delivery"], gpu["chartVersion"], gpu["managementNamespace"]) == (
        "helmChartProxy",
        "v26.7.0",
        "default",
    )


def test_a_disabled_add_on_creates_nothing(dev_raw):
    run = plan(dev_raw)
    assert run.of_type(ADDON) == [] and "gpu" not in run.outputs


# --- clusterResourceSet --------------------------------------------------------------------------
def test_cluster_resource_set_applies_the_pinned_files_crds_first(dev_raw, golden):
    run = plan(crs_raw(dev_raw))
    golden("gpu/cluster_resource_set.yaml", gpu_objects(run))
    spec = run.named(CLUSTER_RESOURCE_SET, "gpu-operator-clusterresourceset").inputs["spec"]
    assert spec["resources"] == [
        {"kind": "ConfigMap", "name": "gpu-operator-crds-0"},
        {"kind": "ConfigMap", "name": "gpu-operator-manifests-0"},
    ]
    assert spec["strategy"] == "ApplyOnce"
    objects = run.named(CONFIG_MAP, "gpu-operator-manifests-0").inputs["data"]
    assert [key.split("-")[-1] for key in sorted(objects)] == [
        "namespace.yaml",
        "deployment.yaml",
        "clusterpolicy.yaml",
    ]
    assert run.outputs["gpu"]["configMaps"] == ["gpu-operator-crds-0", "gpu-operator-manifests-0"]


def test_set_and_config_maps_share_the_clusters_namespace(dev_raw):
    run = plan({**crs_raw(dev_raw), "gpu": {**crs_raw(dev_raw)["gpu"], "clusterNamespace": "gpu-clusters"}})
    namespaces = {
        r.inputs["metadata"]["namespace"] for r in run.of_type(CONFIG_MAP) + run.of_type(CLUSTER_RESOURCE_SET)
    }
    assert namespaces == {"gpu-clusters"}


def test_replanning_the_same_files_gives_identical_config_maps(dev_raw):
    first, second = (gpu_objects(plan(crs_raw(dev_raw))) for _ in range(2))
    assert first == second


def test_a_file_whose_hash_differs_from_the_pinned_one_is_refused(dev_raw):
    manifests = [MANIFESTS[0], {**MANIFESTS[1], "sha256": "0" * 64}]
    with pytest.raises(ConfigError, match=re.escape("tkg-aws:gpu.manifests[1].sha256: the file's sha256 is 16a534")):
        plan(crs_raw(dev_raw, manifests))


def test_the_component_checks_the_hash_again_on_the_bytes_it_delivers(tmp_path):
    path = tmp_path / "operator.yaml"
    path.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: gpu-operator}\n")
    pinned = PinnedManifest(path="operator.yaml", source=path, sha256=sha256(path), key="gpu.manifests[0]")
    path.write_text("apiVersion: v1\nkind: Namespace\nmetadata: {name: changed}\n")
    with pytest.raises(ConfigError, match=re.escape("tkg-aws:gpu.manifests[0].sha256")):
        read_pinned(pinned)


def _crd(name: str, fields: int) -> str:
    properties = "".join(
        f"              field{i}:\n                type: string\n                description: {'d' * 70}\n"
        for i in range(fields)
    )
    return (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n"
        f"metadata:\n  name: {name}s.example.com\nspec:\n  group: example.com\n  scope: Namespaced\n"
        f"  names: {{kind: {name.title()}, plural: {name}s}}\n  versions:\n    - name: v1\n"
        "      served: true\n      storage: true\n      schema:\n        openAPIV3Schema:\n"
        f"          type: object\n          properties:\n{properties}"
    )


def _config_map(number: int, size: int) -> str:
    return (
        f"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: blob-{number}\n  namespace: big\n"
        f"data:\n  blob: {'b' * size}\n"
    )


def test_manifests_over_3_mib_are_split_into_config_maps_under_1_mib_crds_first(dev_raw, tmp_path):
    objects = tmp_path / "objects.yaml"
    objects.write_text(
        "---\n".join(
            [_config_map(i, 60_000) for i in range(36)] + ["apiVersion: v1\nkind: Namespace\nmetadata:\n  name: big\n"]
        )
    )
    crds = tmp_path / "crds.yaml"
    crds.write_text("---\n".join(_crd(name, 3_500) for name in ("alpha", "beta", "gamma")))
    assert objects.stat().st_size + crds.stat().st_size > 3 * MAX_CONFIGMAP_DATA
    manifests = [{"path": str(p), "sha256": sha256(p)} for p in (objects, crds)]

    run = plan(crs_raw(dev_raw, manifests))

    names = [
        r["name"]
        for r in run.named(CLUSTER_RESOURCE_SET, "gpu-operator-clusterresourceset").inputs["spec"]["resources"]
    ]
    maps = {r.name: r.inputs["data"] for r in run.of_type(CONFIG_MAP)}
    assert sorted(names) == sorted(maps) and len(names) >= 4
    assert all(data_size(data) <= DATA_BUDGET < MAX_CONFIGMAP_DATA for data in maps.values())
    crd_maps = [n for n in names if n.startswith("gpu-operator-crds-")]
    assert names[: len(crd_maps)] == crd_maps and len(crd_maps) >= 2
    delivered = [maps[n][key] for n in names for key in sorted(maps[n])]
    kinds = [documents("x", text)[0].kind for text in delivered]
    assert kinds == ["CustomResourceDefinition"] * 3 + ["Namespace"] + ["ConfigMap"] * 36
    assert sorted(delivered) == sorted(d.text for p in (objects, crds) for d in documents(p.name, p.read_text()))


# --- rules of the builders -----------------------------------------------------------------------
def test_an_empty_selector_is_a_config_error(prod_raw):
    with pytest.raises(ConfigError, match=re.escape("tkg-aws:gpu.clusterSelector: an empty selector")):
        plan(with_gpu(prod_raw, clusterSelector={"matchLabels": {}}))


def test_a_document_larger_than_a_config_map_is_refused():
    huge = documents("huge.yaml", _crd("huge", 8_000))
    with pytest.raises(ValueError, match="more than one ConfigMap may hold"):
        split_manifests(huge)


def test_comment_only_documents_are_dropped_and_non_objects_refused():
    assert [d.kind for d in documents("a.yaml", "# header\n---\nkind: Namespace\n---\n\n")] == ["Namespace"]
    assert [d.kind for d in documents("b.yaml", '{"apiVersion": "v1", "kind": "Namespace"}')] == ["Namespace"]
    with pytest.raises(ValueError, match="document 2 is not a Kubernetes object"):
        documents("c.yaml", "kind: Namespace\n---\n- a list\n")


def test_the_set_api_version_is_configurable_and_the_resource_list_bounded():
    base = {"name": "s", "namespace": "default", "labels": {}, "cluster_selector": {"matchLabels": {"gpu": "nvidia"}}}
    assert cluster_resource_set(**base, api_version="v1beta1", config_map_names=["a"])["apiVersion"] == (
        "addons.cluster.x-k8s.io/v1beta1"
    )
    with pytest.raises(ValueError, match="more than a ClusterResourceSet lists"):
        cluster_resource_set(**base, api_version="v1beta2", config_map_names=[f"m-{i}" for i in range(101)])
