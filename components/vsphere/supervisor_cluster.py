"""The Kubernetes provider for the Supervisor: apply the TKG clusters to it, or render them to disk.

With `vsphere.supervisor.kubeconfig` (a secret, from `kubectl vsphere login`) the clusters are
applied to the Supervisor; with `vsphere.supervisor.renderYamlToDirectory` they are written as YAML
for `kubectl apply -f` or GitOps. The provider's fixed `cluster_identifier` keeps it (and so every
cluster object) in place when the kubeconfig is renewed: `kubectl vsphere login` tokens expire
after hours, so a new kubeconfig before each `pulumi up` is the normal case, not a new Supervisor.
"""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from components.vsphere.config import SupervisorConfig

CLUSTER_IDENTIFIER = "tkg-aws-vsphere-supervisor"


def supervisor_provider(
    name: str, supervisor: SupervisorConfig, opts: pulumi.ResourceOptions | None = None
) -> k8s.Provider | None:
    if supervisor.render_yaml_to_directory is not None:
        return k8s.Provider(name, render_yaml_to_directory=supervisor.render_yaml_to_directory, opts=opts)
    if supervisor.kubeconfig is not None:
        return k8s.Provider(
            name,
            kubeconfig=pulumi.Output.secret(supervisor.kubeconfig),
            context=supervisor.context,
            cluster_identifier=CLUSTER_IDENTIFIER,
            enable_server_side_apply=True,
            opts=opts,
        )
    return None
