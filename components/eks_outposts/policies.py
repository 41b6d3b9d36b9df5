"""IAM documents and managed-policy names of an EKS local cluster, as plain data.

The cluster role is the console and CLI path's (trusted by EC2, AmazonEKSLocalOutpostClusterPolicy),
the same role `iam.eksLocalClusterRole` made before. The node role carries the CNI policy itself:
local clusters have no IAM roles for service accounts, so aws-node runs with the node's role.
"""

from __future__ import annotations

from components.policies.grammar import Document, aws_managed_policy_arn
from components.policies.trust import ec2_trust_policy

CLUSTER_ROLE_BASE = "eks-local-cluster"
NODE_ROLE_BASE = "eks-local-nodes"
CLUSTER_POLICIES = ("AmazonEKSLocalOutpostClusterPolicy",)
NODE_POLICIES = ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryPullOnly")


def cluster_role_trust() -> Document:
    """EKS runs the control-plane instances on the Outpost as EC2 instances of this role."""
    return ec2_trust_policy()


def node_role_trust() -> Document:
    return ec2_trust_policy()


def cluster_policy_arns(partition: str) -> list[str]:
    return [aws_managed_policy_arn(partition, name) for name in CLUSTER_POLICIES]


def node_policy_arns(partition: str) -> list[str]:
    return [aws_managed_policy_arn(partition, name) for name in NODE_POLICIES]
