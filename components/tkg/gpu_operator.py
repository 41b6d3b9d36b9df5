"""GpuOperatorAddon: the NVIDIA GPU operator for every workload cluster that carries a label.

The manual way installs the operator by hand into each GPU cluster (`kubectl apply` of CAPA's
clusterpolicy-crd.yaml and gpu-operator-components.yaml). This component instead puts objects in
the management cluster that deliver it to every selected Cluster, so a GPU cluster is ready as
soon as it exists:
- delivery `helmChartProxy` (default): one CAAPH HelmChartProxy for NVIDIA's chart, version pinned.
- delivery `clusterResourceSet`: ConfigMaps holding manifest files that the stack config pins by
  sha256 (nothing is downloaded), and a ClusterResourceSet applying them with strategy ApplyOnce.
  ApplyOnce, because the operator owns what it installs from then on: it upgrades its CRDs and
  rewrites its ClusterPolicy, which Reconcile's merge patches would fight on every manifest change,
  without ever deleting what a new manifest drops. Upgrades belong to the helmChartProxy delivery.

The set's URN holds its apiVersion, so it is aliased to its URN under the other version CAPI serves:
changing `clusterResourceSetApiVersion` updates the same object in place. Helm values from a secret
gpu key stay a secret: the HelmChartProxy's values text is passed on as one.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal, get_args

import pulumi
import pulumi_kubernetes as k8s

from components.config.base import ConfigError
from components.config.validators import NAMESPACE
from components.helm import merge_values
from components.naming import MANAGED_BY
from components.tkg import cluster_config
from components.tkg.cluster_resource_set import (
    API_GROUP,
    Document,
    cluster_resource_set,
    config_maps,
    documents,
    split_manifests,
)
from components.tkg.config import GpuConfig
from components.tkg.gpu_objects import cluster_labels, default_values, helm_chart_proxy, label_command

CLUSTER_RESOURCE_SET_VERSIONS: tuple[str, ...] = get_args(
    GpuConfig.model_fields["cluster_resource_set_api_version"].annotation
)
"""Every ClusterResourceSet version the config accepts."""


@dataclass(frozen=True, kw_only=True)
class PinnedManifest:
    """A manifest file and the digest the stack config pins it to."""

    path: str
    """The path as written in the stack config (messages and outputs)."""
    source: Path
    """Where the file is read from."""
    sha256: str
    key: str
    """Its config key, e.g. gpu.manifests[0]."""


@dataclass(frozen=True, kw_only=True)
class GpuOperatorAddonArgs:
    delivery: Literal["helmChartProxy", "clusterResourceSet"]
    chart_version: str
    """gpu-operator chart version (helmChartProxy)."""
    operator_namespace: str
    """Namespace of the operator in each workload cluster (helmChartProxy)."""
    cluster_namespace: str
    """Management-cluster namespace of the Cluster objects, and of every object made here."""
    cluster_selector: dict[str, Any]
    """Rendered metav1.LabelSelector on Cluster labels; never empty."""
    driver_preinstalled: bool
    """The AMI has the NVIDIA driver: driver.enabled false."""
    values: dict[str, Any]
    """Helm values deep-merged over default_values()."""
    values_secret: bool = False
    """The values came from a secret: the HelmChartProxy's values text is a secret. Default: false."""
    manifests: tuple[PinnedManifest, ...]
    """Manifest files (clusterResourceSet)."""
    cluster_resource_set_api_version: str
    worker_instance_type: str
    """NODE_MACHINE_TYPE of GPU workload clusters."""
    base_cluster_config: pulumi.Input[dict[str, str]] = field(default_factory=dict)
    """TKG cluster-config variables of a cluster in the stack's VPC; GPU clusters add their own."""


class GpuOperatorAddon(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:gpu_operator:GpuOperatorAddon"

    helm_chart_proxy: k8s.apiextensions.CustomResource | None
    """The HelmChartProxy (helmChartProxy delivery)."""
    cluster_resource_set: k8s.apiextensions.CustomResource | None
    """The ClusterResourceSet (clusterResourceSet delivery)."""
    config_maps: list[k8s.core.v1.ConfigMap]
    """The set's ConfigMaps in apply order, CRDs first (clusterResourceSet delivery)."""
    outputs: dict[str, Any]
    """Plain values for the stack's `gpu` output."""

    def __init__(self, name: str, args: GpuOperatorAddonArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.helm_chart_proxy = None
        self.cluster_resource_set = None
        self.config_maps = []
        config_map_names: list[str] = []
        if args.delivery == "helmChartProxy":
            self.helm_chart_proxy = self._helm_chart_proxy(name, args)
        else:
            maps = config_map_documents(name, args)
            config_map_names = [cm["metadata"]["name"] for cm in maps]
            self.config_maps = [self._config_map(cm) for cm in maps]
            self.cluster_resource_set = self._cluster_resource_set(name, args, config_map_names)
        self.outputs = _outputs(name, args, config_map_names)
        self.register_outputs(self.outputs)

    def _helm_chart_proxy(self, name: str, args: GpuOperatorAddonArgs) -> k8s.apiextensions.CustomResource:
        document = helm_chart_proxy(
            name=name,
            namespace=args.cluster_namespace,
            cluster_selector=args.cluster_selector,
            version=args.chart_version,
            release_namespace=args.operator_namespace,
            values=merge_values(default_values(driver_preinstalled=args.driver_preinstalled), args.values),
        )
        if args.values_secret:
            document["spec"]["valuesTemplate"] = pulumi.Output.secret(document["spec"]["valuesTemplate"])
        return _custom_resource(f"{name}-helmchartproxy", document, pulumi.ResourceOptions(parent=self))

    def _config_map(self, document: dict[str, Any]) -> k8s.core.v1.ConfigMap:
        return k8s.core.v1.ConfigMap(
            document["metadata"]["name"],
            metadata=document["metadata"],
            data=document["data"],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _cluster_resource_set(
        self, name: str, args: GpuOperatorAddonArgs, config_map_names: list[str]
    ) -> k8s.apiextensions.CustomResource:
        try:
            document = cluster_resource_set(
                name=name,
                namespace=args.cluster_namespace,
                api_version=args.cluster_resource_set_api_version,
                labels=MANAGED_BY,
                cluster_selector=args.cluster_selector,
                config_map_names=config_map_names,
            )
        except ValueError as err:
            raise ConfigError([f"{NAMESPACE}:gpu.manifests: {err}"]) from None
        opts = pulumi.ResourceOptions(
            parent=self,
            # Applying objects needs the ConfigMaps in place; deleting goes the other way round.
            depends_on=list(self.config_maps),
            # CAPI's webhook refuses changes to both fields, so a new set is the only way to change
            # them (objects already applied to workload clusters stay when a set is deleted).
            replace_on_changes=["spec.clusterSelector", "spec.strategy"],
            aliases=[
                pulumi.Alias(type_=f"kubernetes:{API_GROUP}/{version}:ClusterResourceSet")
                for version in CLUSTER_RESOURCE_SET_VERSIONS
                if version != args.cluster_resource_set_api_version
            ],
        )
        return _custom_resource(f"{name}-clusterresourceset", document, opts)


def config_map_documents(name: str, args: GpuOperatorAddonArgs) -> list[dict[str, Any]]:
    """The pinned files' documents packed into ConfigMaps, CRDs first."""
    docs = [doc for manifest in args.manifests for doc in read_pinned(manifest)]
    try:
        groups = split_manifests(docs)
    except ValueError as err:
        raise ConfigError([f"{NAMESPACE}:gpu.manifests: {err}"]) from None
    return config_maps(name=name, namespace=args.cluster_namespace, labels=MANAGED_BY, groups=groups)


def read_pinned(manifest: PinnedManifest) -> list[Document]:
    """The documents of a manifest file, after checking once more that it is the pinned file.

    Config validation compared the digests already; the check is repeated on the very bytes that go
    into the ConfigMaps, so a file changed after validation can never be delivered.
    """
    key = f"{NAMESPACE}:{manifest.key}"
    try:
        content = manifest.source.read_bytes()
    except OSError as err:
        raise ConfigError([f"{key}.path: cannot read the file: {err.strerror} (got {manifest.path!r})"]) from None
    digest = hashlib.sha256(content).hexdigest()
    if digest != manifest.sha256:
        problem = f"{key}.sha256: the file's sha256 is {digest}; refusing a file that differs from the pinned one"
        raise ConfigError([f"{problem} (got {manifest.sha256!r})"])
    try:
        return documents(manifest.source.name, content.decode("utf-8"))
    except UnicodeDecodeError:
        raise ConfigError([f"{key}.path: not UTF-8 text, as ConfigMap data must be (got {manifest.path!r})"]) from None
    except ValueError as err:
        raise ConfigError([f"{key}.path: {err} (got {manifest.path!r})"]) from None


def _custom_resource(
    resource_name: str, document: dict[str, Any], opts: pulumi.ResourceOptions
) -> k8s.apiextensions.CustomResource:
    return k8s.apiextensions.CustomResource(
        resource_name,
        api_version=document["apiVersion"],
        kind=document["kind"],
        metadata=document["metadata"],
        spec=document["spec"],
        opts=opts,
    )


def _outputs(name: str, args: GpuOperatorAddonArgs, config_map_names: list[str]) -> dict[str, Any]:
    labels = cluster_labels(args.cluster_selector)
    outputs: dict[str, Any] = {
        "delivery": args.delivery,
        "managementNamespace": args.cluster_namespace,
        "clusterSelector": args.cluster_selector,
        "clusterLabels": labels,
        "labelCommand": label_command(labels, args.cluster_namespace),
        "tkgClusterConfig": pulumi.Output.from_input(args.base_cluster_config).apply(
            lambda base: cluster_config.for_gpu_workers(base, args.worker_instance_type)
        ),
    }
    if args.delivery == "helmChartProxy":
        outputs |= {
            "helmChartProxy": name,
            "chartVersion": args.chart_version,
            "operatorNamespace": args.operator_namespace,
        }
    else:
        outputs |= {
            "clusterResourceSet": name,
            "configMaps": config_map_names,
            "manifests": [{"path": m.path, "sha256": m.sha256} for m in args.manifests],
        }
    return outputs
