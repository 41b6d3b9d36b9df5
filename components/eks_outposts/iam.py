"""LocalClusterIam: the cluster role and the node role (with its instance profile) of an EKS local cluster.

The cluster role keeps an alias to the URN it had when `iam.eksLocalClusterRole` created it inside
the TKG IAM set, so a stack that had it keeps the very role (and its policy attachment), given its
name in eksLocalCluster.roleNames.cluster. Names are fixed per account, so
every named resource is deleted before its replacement, and roles and the profile are protected by
default (eksLocalCluster.protect): the running cluster and its nodes use them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.eks_outposts import policies
from components.policies.grammar import Document

# Where iam.eksLocalClusterRole put the role: a child of the TKG IAM set named `iam` (ClusterIam's
# token, written out: a platform imports no other; tests/test_type_tokens.py checks they agree).
FORMER_PARENT_TYPE = "tkg-aws:iam:ClusterIam"
FORMER_ROLE_NAME = "iam-eks-local-cluster"


def former_urn(aws_type: str, name: str) -> str:
    """The URN a resource had as a child of the TKG IAM set (iam.eksLocalClusterRole)."""
    return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{FORMER_PARENT_TYPE}$aws:{aws_type}::{name}"


@dataclass(frozen=True, kw_only=True)
class LocalClusterIamArgs:
    cluster_role_name: str
    node_role_name: str
    """Also the name of the node role's instance profile."""
    partition: str
    path: str = "/"
    permissions_boundary: str | None = None
    protect: bool = True
    ebs_csi_driver: bool = False
    """Attach the EBS CSI driver's policy to the node role (its controller runs with it). Default: false."""


class LocalClusterIam(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:eksOutposts:LocalClusterIam"

    cluster_role: aws.iam.Role
    node_role: aws.iam.Role
    node_instance_profile: aws.iam.InstanceProfile
    cluster_policy_attachments: list[aws.iam.RolePolicyAttachment]
    node_policy_attachments: list[aws.iam.RolePolicyAttachment]

    def __init__(self, name: str, args: LocalClusterIamArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.cluster_role = self._role(
            f"{name}-cluster",
            args.cluster_role_name,
            policies.cluster_role_trust(),
            [former_urn("iam/role:Role", FORMER_ROLE_NAME)],
        )
        self.cluster_policy_attachments = [
            self._attach(
                self.cluster_role, "cluster", arn, former_name=f"{FORMER_ROLE_NAME}-aws-{arn.rsplit('/', 1)[1]}"
            )
            for arn in policies.cluster_policy_arns(args.partition)
        ]
        self.node_role = self._role(f"{name}-nodes", args.node_role_name, policies.node_role_trust())
        self.node_policy_attachments = [
            self._attach(self.node_role, "nodes", arn)
            for arn in policies.node_policy_arns(args.partition, args.ebs_csi_driver)
        ]
        self.node_instance_profile = aws.iam.InstanceProfile(
            f"{name}-nodes",
            name=args.node_role_name,
            path=args.path,
            role=self.node_role.name,
            opts=self._named(args.protect),
        )
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, pulumi.Output[str]]:
        return {
            "clusterRoleArn": self.cluster_role.arn,
            "nodeRoleArn": self.node_role.arn,
            "nodeInstanceProfileArn": self.node_instance_profile.arn,
        }

    def _named(self, protect: bool, aliases: list[str] | None = None) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            parent=self,
            protect=protect,
            delete_before_replace=True,
            aliases=list(aliases or []),
        )

    def _role(self, logical: str, role_name: str, trust: Document, aliases: list[str] | None = None) -> aws.iam.Role:
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
        self, role: aws.iam.Role, role_key: str, policy_arn: str, former_name: str | None = None
    ) -> aws.iam.RolePolicyAttachment:
        # Identified by (role, policy), which a replacement keeps: the old one has to go first.
        return aws.iam.RolePolicyAttachment(
            f"{self._name}-{role_key}-{policy_arn.rsplit('/', 1)[1]}",
            role=role.name,
            policy_arn=policy_arn,
            opts=self._named(
                False,
                [former_urn("iam/rolePolicyAttachment:RolePolicyAttachment", former_name)] if former_name else None,
            ),
        )
