"""The NVIDIA GPU operator as a CAAPH HelmChartProxy, and what a GPU workload cluster needs.

A HelmChartProxy in the management cluster makes Cluster API Add-on Provider Helm (CAAPH) install
NVIDIA's `gpu-operator` chart into every Cluster of its namespace that carries the selector's
labels, and uninstall it when a Cluster loses them. This replaces the manual `kubectl apply` of
CAPA's 2022 manifests (gpu-operator v22.9.1) with a pinned, current chart.
"""

from __future__ import annotations

from typing import Any

import yaml

from components.naming import MANAGED_BY

API_VERSION = "addons.cluster.x-k8s.io/v1alpha1"
CHART_REPOSITORY = "https://helm.ngc.nvidia.com/nvidia"
CHART_NAME = "gpu-operator"
# Helm waits for the operator and NFD Deployments and for the chart's CRD-upgrade hook Job on fresh
# nodes that still pull every image; CAAPH's default of 10m is tight for that, 15m is not.
INSTALL_TIMEOUT = "15m"


def default_values(*, driver_preinstalled: bool) -> dict[str, Any]:
    """Chart values for CAPA/TKG nodes; everything else stays at the chart's own defaults.

    TKG and CAPA node images carry neither the NVIDIA driver nor the container toolkit, so the
    operator installs both, unless the AMI already has the driver (EKS' AL2023 NVIDIA AMIs, custom
    images). Nothing sets `operator.defaultRuntime`: charts since v25.3.0 detect containerd.
    """
    return {
        "driver": {"enabled": not driver_preinstalled},
        "toolkit": {"enabled": True},
        # CAPA clusters run no Node Feature Discovery of their own; the operator needs its labels.
        "nfd": {"enabled": True},
    }


def values_template(values: dict[str, Any]) -> str:
    """Values as YAML with sorted keys, so equal values always render to the same text.

    CAAPH runs this text through Go templates first: `{{ .Cluster.metadata.name }}` in a user's
    value is substituted per cluster.
    """
    return yaml.safe_dump(values, sort_keys=True, default_flow_style=False)


def helm_chart_proxy(
    *,
    name: str,
    namespace: str,
    cluster_selector: dict[str, Any],
    version: str,
    release_namespace: str,
    values: dict[str, Any],
) -> dict[str, Any]:
    """A HelmChartProxy in the Clusters' namespace (CAAPH selects Clusters only there)."""
    if not cluster_selector:
        raise ValueError("an empty clusterSelector would leave the GPU operator on no cluster")
    return {
        "apiVersion": API_VERSION,
        "kind": "HelmChartProxy",
        "metadata": {"name": name, "namespace": namespace, "labels": dict(MANAGED_BY)},
        "spec": {
            "clusterSelector": cluster_selector,
            "repoURL": CHART_REPOSITORY,
            "chartName": CHART_NAME,
            # Pinned: without a version CAAPH follows the newest release on its own.
            "version": version,
            "releaseName": CHART_NAME,
            "namespace": release_namespace,
            "valuesTemplate": values_template(values),
            # Continuous: a version or values change in config upgrades every selected cluster,
            # and a cluster that loses the label gets the operator uninstalled.
            "reconcileStrategy": "Continuous",
            "options": {
                "install": {"createNamespace": True},
                "wait": True,
                "waitForJobs": True,
                "timeout": INSTALL_TIMEOUT,
            },
        },
    }


def cluster_labels(cluster_selector: dict[str, Any]) -> dict[str, str]:
    """Labels that make a Cluster match the selector: matchLabels, plus In and Exists expressions."""
    labels = dict(cluster_selector.get("matchLabels", {}))
    for expression in cluster_selector.get("matchExpressions", []):
        if expression["operator"] == "In" and expression.get("values"):
            labels.setdefault(expression["key"], expression["values"][0])
        elif expression["operator"] == "Exists":
            labels.setdefault(expression["key"], "true")
    return labels


def label_command(labels: dict[str, str], cluster_namespace: str) -> str:
    """The kubectl command that opts an existing Cluster in (new ones can carry the labels from birth)."""
    pairs = " ".join(f"{key}={value}" for key, value in sorted(labels.items()))
    return f"kubectl label cluster MY-GPU-CLUSTER -n {cluster_namespace} {pairs}"
