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
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.manifests.gpu_operator import merge_values
from components.manifests.metadata import MANAGED_BY
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
    cluster: pulumi.Resource
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
    def __init__(self, name: str, args: ClusterGpuOperatorArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tkg-aws:vsphere:ClusterGpuOperator", name, None, opts)
        secret_name = kubeconfig_secret_name(args.cluster_name)
        # An id derived from the cluster's: the read waits until the cluster object is created (Ready).
        secret_id = args.cluster.id.apply(lambda _: f"{args.cluster_namespace}/{secret_name}")
        kubeconfig_secret = k8s.core.v1.Secret.get(
            f"{name}-kubeconfig", secret_id, opts=pulumi.ResourceOptions(parent=self)
        )
        kubeconfig = pulumi.Output.secret(kubeconfig_secret.data.apply(_kubeconfig_text))
        self.provider = k8s.Provider(
            f"{name}-cluster",
            kubeconfig=kubeconfig,
            # One cluster whatever its kubeconfig: a rotated certificate updates the provider in place.
            cluster_identifier=f"{args.cluster_namespace}/{args.cluster_name}",
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        in_cluster = pulumi.ResourceOptions(parent=self, provider=self.provider)
        namespace_doc = gpu_objects.namespace(args.namespace)
        namespace = k8s.core.v1.Namespace(f"{name}-namespace", metadata=namespace_doc["metadata"], opts=in_cluster)
        in_namespace = pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=[namespace])
        metadata = {"namespace": args.namespace, "labels": dict(MANAGED_BY)}
        licence = pulumi.Output.secret(
            pulumi.Output.from_input(args.licensing_token).apply(
                lambda token: gpu_objects.licensing_data(args.gridd_conf, token)
            )
        )
        if gpu_objects.licensing_in_secret(args.chart_version):
            licensing: pulumi.Resource = k8s.core.v1.Secret(
                f"{name}-licensing",
                metadata={**metadata, "name": args.licensing_name},
                type="Opaque",
                string_data=licence,
                opts=in_namespace,
            )
        else:
            licensing = k8s.core.v1.ConfigMap(
                f"{name}-licensing",
                metadata={**metadata, "name": args.licensing_name},
                data=licence,
                opts=in_namespace,
            )
        pull_secret = k8s.core.v1.Secret(
            f"{name}-ngc",
            metadata={**metadata, "name": gpu_objects.PULL_SECRET},
            type="kubernetes.io/dockerconfigjson",
            string_data={
                ".dockerconfigjson": pulumi.Output.secret(
                    pulumi.Output.from_input(args.ngc_api_key).apply(gpu_objects.docker_config_json)
                )
            },
            opts=in_namespace,
        )
        self.release = k8s.helm.v3.Release(
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
            opts=pulumi.ResourceOptions(
                parent=self, provider=self.provider, depends_on=[namespace, licensing, pull_secret]
            ),
        )
        self.register_outputs({"release": self.release.name})


def _kubeconfig_text(data: dict[str, str] | None) -> str:
    """The Secret's `value` key, base64 as every Secret's data."""
    encoded = (data or {}).get("value", "")
    return base64.b64decode(encoded).decode() if encoded else ""
