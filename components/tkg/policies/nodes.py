"""Permissions of the nodes role: CAPA's `nodes` cloud-provider policy and TKG's inline statement.

The managed policy is the same in TKG's template (CAPA v2.0.x) and CAPA v2.11.1
(cmd/clusterawsadm/cloudformation/bootstrap/cloud_provider_integration_node.go, cluster_api_node.go).
It is attached to the nodes role and to the control-plane role.
"""

from __future__ import annotations

from components.policies.grammar import Document, Profile, document, statement
from components.tkg.policies import tanzu

BOOTSTRAP_SECRETS = "arn:*:secretsmanager:*:*:secret:aws.cluster.x-k8s.io/*"
"""Where CAPA keeps machines' bootstrap data (secure secret backend `secrets-manager`)."""

EC2 = (
    "ec2:AssignIpv6Addresses",
    "ec2:DescribeInstances",
    "ec2:DescribeRegions",
    "ec2:CreateTags",
    "ec2:DescribeTags",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeInstanceTypes",
)
ECR = (
    "ecr:GetAuthorizationToken",
    "ecr:BatchCheckLayerAvailability",
    "ecr:GetDownloadUrlForLayer",
    "ecr:GetRepositoryPolicy",
    "ecr:DescribeRepositories",
    "ecr:ListImages",
    "ecr:BatchGetImage",
)
# A node reads its bootstrap data once and deletes it.
SECRETS_MANAGER = ("secretsmanager:DeleteSecret", "secretsmanager:GetSecretValue")
# Session Manager access to nodes, and the encryption settings the SSM agent checks on its S3 logs.
SSM = ("ssm:UpdateInstanceInformation",)
SSM_MESSAGES = (
    "ssmmessages:CreateControlChannel",
    "ssmmessages:CreateDataChannel",
    "ssmmessages:OpenControlChannel",
    "ssmmessages:OpenDataChannel",
)
S3 = ("s3:GetEncryptionConfiguration",)


def managed_policy() -> Document:
    return document(
        statement(EC2, ECR),
        statement(SECRETS_MANAGER, resources=[BOOTSTRAP_SECRETS]),
        statement(SSM, SSM_MESSAGES, S3),
    )


def inline_policy(profile: Profile, tmc_permissions: bool) -> Document | None:
    """TKG's TMC read statement unless disabled; CAPA's own template has no inline policy here."""
    if profile != "tkg" or not tmc_permissions:
        return None
    return document(tanzu.tmc_statement())
