"""iam.eksLocalClusterRole: the cluster role of an EKS local cluster made elsewhere, beside each TKG IAM set.

The role is the EKS platform's (components/eks_outposts/iam.py LocalClusterIam, without a node role):
one builder for the role whether the eksLocalCluster platform or this legacy key asks for it. Beside
a set it takes the set's path, permissions boundary, protection and retention, and a name outside
the set's suffix (the set's control plane and controllers may pass every role `*<suffix>`). It was
once a child of the set (`<set>-eks-local-cluster`), which its aliases keep: the stack keeps the
very role and its policy attachment.
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.eks_outposts.iam import FormerIamSet, LocalClusterIam, LocalClusterIamArgs
from components.tkg.iam import ClusterIam

OUTPUT_KEY = "eksLocalCluster"
"""The role's key in the `iam` output's roleArns and roleNames, as when the set held it."""


def eks_local_cluster_role(
    name: str, role_name: str, beside: ClusterIam, set_name: str, opts: pulumi.ResourceOptions
) -> LocalClusterIam:
    """The role named `role_name` beside the set `beside` (named `set_name`), in the set's account."""
    iam = beside.args
    args = LocalClusterIamArgs(
        cluster_role_name=role_name,
        partition=iam.partition,
        path=iam.path,
        permissions_boundary=iam.permissions_boundary,
        protect=iam.protect,
        retain_on_delete=iam.retain_on_delete,
    )
    return LocalClusterIam(name, args, opts=opts, former_set=FormerIamSet(set_name, beside))


def with_eks_local_cluster_role(iam_outputs: dict[str, Any], role: LocalClusterIam) -> dict[str, Any]:
    """The `iam` output with the role's ARN and name among the set's roles."""
    return {
        **iam_outputs,
        "roleArns": {**iam_outputs["roleArns"], OUTPUT_KEY: role.cluster_role.arn},
        "roleNames": {**iam_outputs["roleNames"], OUTPUT_KEY: role.cluster_role.name},
    }
