"""LocalClusterIam: the cluster role and the node role (with its instance profile) of an EKS local cluster.

The same component builds the role of `iam.eksLocalClusterRole` (the cluster role of a local cluster
made elsewhere): then without the node role, beside each TKG IAM set, with that set's path, boundary,
protection and retention (components/tkg/eks_local_cluster_role.py). In the management account it is
the very resource the eksLocalCluster platform has, so moving from the legacy key to the platform
keeps the role.

The cluster role keeps an alias to the URN it had when `iam.eksLocalClusterRole` created it inside
a TKG IAM set (`<set>-eks-local-cluster`), so a stack that had it keeps the very role (and its policy
attachment). Names are fixed per account, so every named resource is deleted before its replacement,
and roles and the profile are protected by default (eksLocalCluster.protect): the running cluster
and its nodes use them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.eks_outposts import policies
from components.naming import MANAGEMENT_IAM_SET
from components.policies.grammar import Document

# Where iam.eksLocalClusterRole put the role: a child of a TKG IAM set, named `<set>-eks-local-cluster`
# (ClusterIam's token, written out: tests/test_type_tokens.py checks they agree).
FORMER_PARENT_TYPE = "tkg-aws:iam:ClusterIam"
MANAGEMENT_NAME = "eks-local"
"""The local cluster's IAM in the management account, whether the platform or iam.eksLocalClusterRole asks."""


@dataclass(frozen=True)
class FormerIamSet:
    """The TKG IAM set (tkg-aws:iam:ClusterIam) in which iam.eksLocalClusterRole created the cluster role."""

    name: str = MANAGEMENT_IAM_SET
    resource: pulumi.Resource | None = None
    """The set, where this run has it; None: the management account's set at the stack's top level,
    which may be gone (the stack left TKG)."""

    def alias(self, child_name: str) -> pulumi.Alias:
        """The alias for a child the set had, named `<set>-<child_name>`."""
        parent = (
            self.resource
            or f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{FORMER_PARENT_TYPE}::{self.name}"
        )
        return pulumi.Alias(name=f"{self.name}-{child_name}", parent=parent)


@dataclass(frozen=True, kw_only=True)
class LocalClusterIamArgs:
    cluster_role_name: str
    node_role_name: str | None = None
    """Also the name of the node role's instance profile. None: the cluster role only, for a cluster
    whose nodes are made elsewhere (iam.eksLocalClusterRole). Default: none."""
    partition: str
    path: str = "/"
    permissions_boundary: str | None = None
    protect: bool = True
    retain_on_delete: bool = False
    """Leave every resource in the account when it leaves the stack (beside an adopted or shared TKG
    IAM set, as that set's own resources). Default: false."""
    ebs_csi_driver: bool = False
    """Attach the EBS CSI driver's policy to the node role (its controller runs with it). Default: false."""


@dataclass(frozen=True)
class NodeIam:
    """The node role, its managed policy attachments and its instance profile (of the same name)."""

    role: aws.iam.Role
    policy_attachments: list[aws.iam.RolePolicyAttachment]
    instance_profile: aws.iam.InstanceProfile


class LocalClusterIam(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:eksOutposts:LocalClusterIam"

    cluster_role: aws.iam.Role
    cluster_policy_attachments: list[aws.iam.RolePolicyAttachment]
    nodes: NodeIam | None
    """None when built without node_role_name (iam.eksLocalClusterRole)."""

    def __init__(
        self,
        name: str,
        args: LocalClusterIamArgs,
        opts: pulumi.ResourceOptions | None = None,
        former_set: FormerIamSet = FormerIamSet(),
    ):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.cluster_role = self._role(
            f"{name}-cluster",
            args.cluster_role_name,
            policies.cluster_role_trust(),
            [former_set.alias("eks-local-cluster")],
        )
        self.cluster_policy_attachments = [
            self._attach(
                self.cluster_role, "cluster", arn, former_set.alias(f"eks-local-cluster-aws-{arn.rsplit('/', 1)[1]}")
            )
            for arn in policies.cluster_policy_arns(args.partition)
        ]
        self.nodes = self._nodes(args.node_role_name) if args.node_role_name is not None else None
        self.register_outputs(self.outputs())

    @property
    def node_role(self) -> aws.iam.Role:
        return self._built_nodes().role

    @property
    def node_instance_profile(self) -> aws.iam.InstanceProfile:
        return self._built_nodes().instance_profile

    def _built_nodes(self) -> NodeIam:
        if self.nodes is None:
            raise AttributeError(f"LocalClusterIam {self._name}: built without a node role (no node_role_name)")
        return self.nodes

    def _nodes(self, role_name: str) -> NodeIam:
        args = self._args
        role = self._role(f"{self._name}-nodes", role_name, policies.node_role_trust())
        attachments = [
            self._attach(role, "nodes", arn) for arn in policies.node_policy_arns(args.partition, args.ebs_csi_driver)
        ]
        profile = aws.iam.InstanceProfile(
            f"{self._name}-nodes", name=role_name, path=args.path, role=role.name, opts=self._named(args.protect)
        )
        return NodeIam(role, attachments, profile)

    def outputs(self) -> dict[str, pulumi.Output[str]]:
        outputs = {"clusterRoleArn": self.cluster_role.arn}
        if self.nodes is not None:
            outputs |= {"nodeRoleArn": self.nodes.role.arn, "nodeInstanceProfileArn": self.nodes.instance_profile.arn}
        return outputs

    def _named(self, protect: bool, aliases: list[pulumi.Alias] | None = None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            parent=self,
            protect=protect,
            delete_before_replace=True,
            retain_on_delete=self._args.retain_on_delete,
            aliases=list(aliases or []),
        )

    def _role(
        self, logical: str, role_name: str, trust: Document, aliases: list[pulumi.Alias] | None = None
    ) -> aws.iam.Role:
        args = self._args
        return aws.iam.Role(
            logical,
            name=role_name,
            path=args.path,
            permissions_boundary=args.permissions_boundary,
            assume_role_policy=json.dumps(trust),
            opts=self._named(args.protect, aliases),
        )

    def _attach(
        self, role: aws.iam.Role, role_key: str, policy_arn: str, former: pulumi.Alias | None = None
    ) -> aws.iam.RolePolicyAttachment:
        # Identified by (role, policy), which a replacement keeps: the old one has to go first.
        return aws.iam.RolePolicyAttachment(
            f"{self._name}-{role_key}-{policy_arn.rsplit('/', 1)[1]}",
            role=role.name,
            policy_arn=policy_arn,
            opts=self._named(False, [former] if former else None),
        )
