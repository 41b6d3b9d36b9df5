"""TkgClusters: the TKG clusters of the stack, applied to the Supervisor (or rendered as YAML).

One object per cluster, keyed by its namespace and name: a `Cluster` v1beta1 on the ClusterClass the
config names, or a `TanzuKubernetesCluster` v1alpha3. Applied to a Supervisor, `pulumi up` waits
until the cluster is Ready (`pulumi.com/waitFor`), so what reads the cluster's kubeconfig Secret
afterwards (the GPU operator) finds a cluster that answers. The TKR webhook writes a `TKR_DATA`
variable and a label beside ours; server-side apply leaves fields it does not own alone.
A Cluster v1beta1 with Calico gets its CalicoConfig and ClusterBootstrap first. They are read once,
when the cluster is created; from then on the ClusterBootstrap controller moves the packages with the
TKR, so later changes to them are left to it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from components.vsphere.cluster_objects import ClusterSpec, calico_bootstrap, cluster_object

# Creating a cluster (VMs cloned from the TKR's OVA, kubeadm, the CNI) takes 10-30 minutes.
READY_TIMEOUT_SECONDS = 3600


@dataclass(frozen=True, kw_only=True)
class TkgClustersArgs:
    clusters: tuple[ClusterSpec, ...]
    wait_for_ready: bool = True
    """False where the objects are rendered to files: nothing would ever become Ready."""
    namespaces_ready: Sequence[pulumi.Resource] = ()
    """The vSphere Namespaces (and so their class and storage bindings) the clusters go into."""


class TkgClusters(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:vsphere:TkgClusters"

    clusters: dict[str, k8s.apiextensions.CustomResource]
    """By `<namespace>/<name>`."""

    def __init__(self, name: str, args: TkgClustersArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.clusters = {f"{spec.namespace}/{spec.name}": self._cluster(name, args, spec) for spec in args.clusters}
        self.register_outputs({"clusters": sorted(self.clusters)})

    def _cluster(self, name: str, args: TkgClustersArgs, spec: ClusterSpec) -> k8s.apiextensions.CustomResource:
        document = cluster_object(spec)
        metadata = dict(document["metadata"])
        if args.wait_for_ready:
            metadata["annotations"] = {
                **metadata.get("annotations", {}),
                "pulumi.com/waitFor": "condition=Ready",
                "pulumi.com/timeoutSeconds": str(READY_TIMEOUT_SECONDS),
            }
        bootstrap = [
            k8s.apiextensions.CustomResource(
                f"{name}-{spec.namespace}-{spec.name}-{part['kind'].lower()}",
                api_version=part["apiVersion"],
                kind=part["kind"],
                metadata=part["metadata"],
                spec=part["spec"],
                opts=pulumi.ResourceOptions(
                    parent=self, depends_on=list(args.namespaces_ready), ignore_changes=["metadata", "spec"]
                ),
            )
            for part in calico_bootstrap(spec)
        ]
        return k8s.apiextensions.CustomResource(
            f"{name}-{spec.namespace}-{spec.name}",
            api_version=document["apiVersion"],
            kind=document["kind"],
            metadata=metadata,
            spec=document["spec"],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[*args.namespaces_ready, *bootstrap]),
        )
