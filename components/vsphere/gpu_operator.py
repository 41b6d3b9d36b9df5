"""ClusterGpuOperator: NVIDIA AI Enterprise's GPU operator in one TKG cluster, on the first `pulumi up`.

The Supervisor keeps each cluster's admin kubeconfig in the Secret `<cluster>-kubeconfig` of its
vSphere Namespace. The Secret is read once the cluster object exists, and TkgClusters waits for it to
be Ready; a provider for the workload cluster is made from it, and through that provider: the
privileged namespace, the licence, the NGC pull secret and the nvaie/gpu-operator chart. Nothing
here waits for a second run or a hand step. The kubeconfig, the NGC key and the licence token stay
secrets throughout (the provider's kubeconfig, the Secrets' data, the chart repository password).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.helm import merge_values
from components.naming import MANAGED_BY
from components.vsphere import gpu_objects
from components.vsphere.cluster_objects import kubeconfig_secret_name

# Helm waits for the operator and the driver DaemonSet, which compiles nothing on NVAIE's prebuilt
# vGPU driver but still pulls large images on fresh nodes.
INSTALL_TIMEOUT_SECONDS = 900


@dataclass(frozen=True, kw_only=True)
class ClusterGpuOperatorArgs:
    cluster_name: str
    cluster_namespace: str
    """The vSphere Namespace holding the cluster and its kubeconfig Secret."""
    cluster: pulumi.CustomResource
    """The cluster object: the Secret is read once it is Ready."""
    chart_version: str
    ngc_api_key: pulumi.Input[str]
    licensing_token: pulumi.Input[str]
    licensing_name: str
    """Name of the licence's Secret (ConfigMap): gpu_objects.licensing_name of its content."""
    gridd_conf: str = ""
    namespace: str = "gpu-operator"
    values: dict[str, Any] = field(default_factory=dict)


class ClusterGpuOperator(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:vsphere:ClusterGpuOperator"

    def __init__(self, name: str, args: ClusterGpuOperatorArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.provider = self._cluster_provider(name, args)
        namespace_doc = gpu_objects.namespace(args.namespace)
        namespace = k8s.core.v1.Namespace(
            f"{name}-namespace",
            metadata=namespace_doc["metadata"],
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider),
        )
        in_namespace = pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=[namespace])
        licence = self._licence(name, args, in_namespace)
        docker_config: pulumi.Output[str] = pulumi.Output.secret(
            pulumi.Output.from_input(args.ngc_api_key).apply(gpu_objects.docker_config_json)
        )
        pull_secret = k8s.core.v1.Secret(
            f"{name}-ngc",
            metadata=self._metadata(args, gpu_objects.PULL_SECRET),
            type="kubernetes.io/dockerconfigjson",
            string_data={".dockerconfigjson": docker_config},
            opts=in_namespace,
        )
        self.release = self._chart(name, args, depends_on=[namespace, licence, pull_secret])
        self.register_outputs({"release": self.release.name})

    def _cluster_provider(self, name: str, args: ClusterGpuOperatorArgs) -> k8s.Provider:
        """A provider for the workload cluster from its kubeconfig Secret on the Supervisor."""
        secret_name = kubeconfig_secret_name(args.cluster_name)
        # An id derived from the cluster's: the read waits until the cluster object is created (Ready).
        secret_id = args.cluster.id.apply(lambda _: f"{args.cluster_namespace}/{secret_name}")
        secret = k8s.core.v1.Secret.get(f"{name}-kubeconfig", secret_id, opts=pulumi.ResourceOptions(parent=self))
        kubeconfig: pulumi.Output[str] = pulumi.Output.secret(secret.data.apply(_kubeconfig_text))
        return k8s.Provider(
            f"{name}-cluster",
            kubeconfig=kubeconfig,
            # One cluster whatever its kubeconfig: a rotated certificate updates the provider in place.
            cluster_identifier=f"{args.cluster_namespace}/{args.cluster_name}",
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _licence(self, name: str, args: ClusterGpuOperatorArgs, opts: pulumi.ResourceOptions) -> pulumi.Resource:
        """gridd.conf and the NLS token: a Secret, or a ConfigMap for charts before v25.10.0."""
        files: pulumi.Output[dict[str, str]] = pulumi.Output.secret(
            pulumi.Output.from_input(args.licensing_token).apply(
                lambda token: gpu_objects.licensing_data(args.gridd_conf, token)
            )
        )
        metadata = self._metadata(args, args.licensing_name)
        if gpu_objects.licensing_in_secret(args.chart_version):
            return k8s.core.v1.Secret(
                f"{name}-licensing", metadata=metadata, type="Opaque", string_data=files, opts=opts
            )
        return k8s.core.v1.ConfigMap(f"{name}-licensing", metadata=metadata, data=files, opts=opts)

    def _chart(self, name: str, args: ClusterGpuOperatorArgs, depends_on: list[pulumi.Resource]) -> k8s.helm.v3.Release:
        return k8s.helm.v3.Release(
            f"{name}-chart",
            name=gpu_objects.RELEASE_NAME,
            chart=gpu_objects.CHART_NAME,
            version=args.chart_version,
            namespace=args.namespace,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(
                repo=gpu_objects.CHART_REPOSITORY,
                username=gpu_objects.NGC_USER,
                password=pulumi.Output.secret(args.ngc_api_key),
            ),
            values=merge_values(gpu_objects.chart_values(args.chart_version, args.licensing_name), args.values),
            timeout=INSTALL_TIMEOUT_SECONDS,
            opts=pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=depends_on),
        )

    @staticmethod
    def _metadata(args: ClusterGpuOperatorArgs, object_name: str) -> k8s.meta.v1.ObjectMetaArgsDict:
        return {"name": object_name, "namespace": args.namespace, "labels": dict(MANAGED_BY)}


def _kubeconfig_text(data: Mapping[str, str] | None) -> str:
    """The Secret's `value` key, base64 as every Secret's data."""
    encoded = (data or {}).get("value", "")
    return base64.b64decode(encoded).decode() if encoded else ""
