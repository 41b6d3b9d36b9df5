"""The Kubernetes provider for the management cluster: apply to it, or render manifests to disk.

With `managementCluster.kubeconfig` or the stack's `kubernetes:kubeconfig` (a secret) the provider
applies objects to the cluster (in `managementCluster.context` or `kubernetes:context`); with
`managementCluster.renderYamlToDirectory` it writes them as YAML instead (GitOps, and stacks whose
`pulumi up` must not need a running cluster). Returns None when the stack pushes no objects.

The cluster provider has a fixed `cluster_identifier`: pulumi-kubernetes then never replaces it for
a new kubeconfig (a rotated certificate, server address or context), which would replace every
object it manages, that is delete the identities and the HelmChartProxy from the cluster. A cluster
that was rebuilt from scratch is reached with `pulumi up --refresh`: the refresh drops the objects
it no longer finds, and the update creates them again. An unreachable cluster fails `up` rather
than skipping its objects (`skipUpdateUnreachable` unset); `destroy` of a stack whose cluster is
gone needs `PULUMI_K8S_DELETE_UNREACHABLE=true` for that one run (`deleteUnreachable` unset, so the
environment variable decides).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi
import pulumi_kubernetes as k8s

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig


# The one management cluster of the stack, whatever kubeconfig reaches it.
CLUSTER_IDENTIFIER = "tkg-aws-management-cluster"


def management_cluster_provider(
    name: str, config: StackConfig, opts: pulumi.ResourceOptions | None = None
) -> k8s.Provider | None:
    """The management cluster's provider, from managementCluster or the stack's kubernetes: settings."""
    cluster = config.management_cluster
    if cluster.render_yaml_to_directory is not None:
        return k8s.Provider(name, render_yaml_to_directory=cluster.render_yaml_to_directory, opts=opts)
    kubeconfig = config.cluster_kubeconfig
    if kubeconfig is not None:
        return k8s.Provider(
            name,
            kubeconfig=pulumi.Output.secret(kubeconfig),
            context=config.cluster_context,
            cluster_identifier=CLUSTER_IDENTIFIER,
            # Server-side apply lets CAPA's controllers own the status and defaulted fields.
            enable_server_side_apply=True,
            opts=opts,
        )
    return None
