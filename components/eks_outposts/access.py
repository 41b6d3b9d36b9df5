"""ClusterAccess: what the stack applies inside an EKS local cluster, through its private endpoint.

The node role's mapping in kube-system/aws-auth is applied as a server-side apply that takes the
map over whether EKS already wrote one or not (forced, so an existing map is updated in place
rather than refused or recreated), with ConfigMaps mutable so a later change updates it. Only the
map's provider creates by upsert: every other object fails on a namesake already there, as the
Kubernetes provider does by default. Optionally:
a cluster-admin binding for the x.509 user operators use while the Outpost is disconnected from the
region (IAM is out of reach then), and the Amazon EBS CSI driver (its controller placed on nodes
whose pods may reach the instance metadata service: without IRSA it runs with the node role) with
the gp2 StorageClass local clusters support.

The provider and the map were children of the first node group; aliases keep their URNs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_kubernetes as k8s

from components.eks_outposts import bootstrap
from components.eks_outposts.nodes import SelfManagedNodes
from components.naming import MANAGED_BY

# The Amazon EBS CSI driver's chart (kubernetes-sigs/aws-ebs-csi-driver), version pinned.
EBS_CSI_CHART = "aws-ebs-csi-driver"
EBS_CSI_CHART_VERSION = "2.31.0"
EBS_CSI_REPOSITORY = "https://kubernetes-sigs.github.io/aws-ebs-csi-driver"
EBS_CSI_NAMESPACE = "kube-system"
FORMER_PARENT_TYPE = SelfManagedNodes.TYPE_TOKEN


def former_urn(child_type: str, name: str) -> str:
    """The URN a resource had as a child of the first node group."""
    project, stack = pulumi.get_project(), pulumi.get_stack()
    return f"urn:pulumi:{stack}::{project}::{FORMER_PARENT_TYPE}${child_type}::{name}"


def storage_class() -> dict[str, Any]:
    """The gp2 StorageClass of the EKS user guide for Outposts (gp3 is not offered there)."""
    return {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": "ebs-sc",
            "labels": dict(MANAGED_BY),
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "ebs.csi.aws.com",
        "volumeBindingMode": "WaitForFirstConsumer",
        "parameters": {"type": "gp2", "encrypted": "true"},
        "allowVolumeExpansion": True,
    }


def disconnected_admin_binding(user: str) -> dict[str, Any]:
    """cluster-admin for the x.509 user whose client certificate operators keep for disconnects."""
    return {
        "apiVersion": "rbac.authorization.k8s.io/v1",
        "kind": "ClusterRoleBinding",
        "metadata": {"name": f"{user}-x509-cluster-admin", "labels": dict(MANAGED_BY)},
        "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "ClusterRole", "name": "cluster-admin"},
        "subjects": [{"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": user}],
    }


@dataclass(frozen=True, kw_only=True)
class ClusterAccessArgs:
    former_name: str
    """The first node group's name, which the provider's and the map's names start with."""
    kubeconfig: pulumi.Input[str]
    """Authenticates as the stack's creator, the only admin of a new local cluster."""
    node_role_arn: pulumi.Input[str]
    disconnected_admin: str | None = None
    ebs_csi_driver: bool = False


class ClusterAccess(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:eksOutposts:ClusterAccess"

    provider: k8s.Provider
    """Creates what the cluster does not hold yet; a namesake already there is an error."""
    auth_provider: k8s.Provider
    """aws-auth's: takes over the map EKS may already hold (upsert)."""
    aws_auth: k8s.core.v1.ConfigMap

    def __init__(self, name: str, args: ClusterAccessArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        provider_name = f"{args.former_name}-cluster"
        self.auth_provider = k8s.Provider(
            provider_name,
            kubeconfig=args.kubeconfig,
            enable_server_side_apply=True,
            # Create by server-side apply: EKS may have written aws-auth already.
            upsert_existing_objects=True,
            # aws-auth changes in place (the provider would otherwise replace a changed ConfigMap).
            enable_config_map_mutable=True,
            opts=pulumi.ResourceOptions(
                parent=self, aliases=[former_urn("pulumi:providers:kubernetes", provider_name)]
            ),
        )
        self.provider = k8s.Provider(
            f"{name}-objects",
            kubeconfig=args.kubeconfig,
            enable_server_side_apply=True,
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.aws_auth = self._aws_auth(args)
        if args.disconnected_admin is not None:
            self._disconnected_admin(f"{name}-x509-admin", args.disconnected_admin)
        if args.ebs_csi_driver:
            self._ebs_csi_driver(name)
        self.register_outputs({})

    def _aws_auth(self, args: ClusterAccessArgs) -> k8s.core.v1.ConfigMap:
        name = f"{args.former_name}-aws-auth"
        config_map = pulumi.Output.from_input(args.node_role_arn).apply(bootstrap.aws_auth_config_map)
        return k8s.core.v1.ConfigMap(
            name,
            metadata={
                "name": "aws-auth",
                "namespace": "kube-system",
                # Server-side apply with force: the map EKS may hold is taken over, not refused.
                "annotations": {"pulumi.com/patchForce": "true"},
            },
            data=config_map["data"],
            opts=pulumi.ResourceOptions(
                parent=self, provider=self.auth_provider, aliases=[former_urn("kubernetes:core/v1:ConfigMap", name)]
            ),
        )

    def _opts(self, depends_on: list[pulumi.Resource] | None = None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, provider=self.provider, depends_on=depends_on or [])

    def _disconnected_admin(self, name: str, user: str) -> None:
        doc = disconnected_admin_binding(user)
        k8s.rbac.v1.ClusterRoleBinding(
            name,
            metadata=k8s.meta.v1.ObjectMetaArgs(**doc["metadata"]),
            role_ref=k8s.rbac.v1.RoleRefArgs(
                api_group=doc["roleRef"]["apiGroup"], kind=doc["roleRef"]["kind"], name=doc["roleRef"]["name"]
            ),
            subjects=[
                k8s.rbac.v1.SubjectArgs(api_group=s["apiGroup"], kind=s["kind"], name=s["name"])
                for s in doc["subjects"]
            ],
            opts=self._opts(),
        )

    def _ebs_csi_driver(self, name: str) -> None:
        release = k8s.helm.v3.Release(
            f"{name}-ebs-csi-driver",
            chart=EBS_CSI_CHART,
            version=EBS_CSI_CHART_VERSION,
            namespace=EBS_CSI_NAMESPACE,
            repository_opts=k8s.helm.v3.RepositoryOptsArgs(repo=EBS_CSI_REPOSITORY),
            values={"controller": {"nodeSelector": {bootstrap.POD_IMDS_LABEL: "true"}}},
            opts=self._opts(),
        )
        doc = storage_class()
        k8s.storage.v1.StorageClass(
            f"{name}-gp2",
            metadata=k8s.meta.v1.ObjectMetaArgs(**doc["metadata"]),
            provisioner=doc["provisioner"],
            volume_binding_mode=doc["volumeBindingMode"],
            parameters=doc["parameters"],
            allow_volume_expansion=doc["allowVolumeExpansion"],
            # The provisioner must be registered before a claim of the class is bound.
            opts=self._opts(depends_on=[release]),
        )
