"""IAM and bucket policies of an OpenShift UPI cluster as plain documents (no resources, no Outputs).

The machine policies are those of 03_cluster_security.yaml (control plane, compute) and
04_cluster_bootstrap.yaml (bootstrap), action for action, except that the bootstrap machine may read
its ignition object only, where the template allows s3:GetObject on every bucket. Every role is
assumed by EC2 through its instance profile. The bucket refuses every request that does not use TLS.
"""

from __future__ import annotations

from typing import Literal

from components.policies.grammar import ANY, Document, Statement, document, statement
from components.policies.trust import ec2_trust_policy

MachineRole = Literal["master", "worker", "bootstrap"]
MACHINE_ROLES: tuple[MachineRole, ...] = ("master", "worker", "bootstrap")

MASTER_EC2 = (
    "ec2:AttachVolume",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateSecurityGroup",
    "ec2:CreateTags",
    "ec2:CreateVolume",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteVolume",
    "ec2:Describe*",
    "ec2:DetachVolume",
    "ec2:ModifyInstanceAttribute",
    "ec2:ModifyVolume",
    "ec2:RevokeSecurityGroupIngress",
)
MASTER_ELB = (
    "elasticloadbalancing:AddTags",
    "elasticloadbalancing:AttachLoadBalancerToSubnets",
    "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:CreateLoadBalancerPolicy",
    "elasticloadbalancing:CreateLoadBalancerListeners",
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:ConfigureHealthCheck",
    "elasticloadbalancing:DeleteListener",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:DeleteLoadBalancerListeners",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
    "elasticloadbalancing:DeregisterTargets",
    "elasticloadbalancing:Describe*",
    "elasticloadbalancing:DetachLoadBalancerFromSubnets",
    "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
    "elasticloadbalancing:RegisterTargets",
    "elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer",
    "elasticloadbalancing:SetLoadBalancerPoliciesOfListener",
)
MASTER_KMS = ("kms:DescribeKey",)
WORKER_EC2 = ("ec2:DescribeInstances", "ec2:DescribeRegions")
BOOTSTRAP_EC2 = ("ec2:Describe*", "ec2:AttachVolume", "ec2:DetachVolume")
BOOTSTRAP_S3 = ("s3:GetObject",)


def machine_policy(role: MachineRole, ignition_object_arn: str = ANY) -> Document:
    """The inline policy `<infraId>-<role>-policy` of one machine role."""
    if role == "master":
        return document(statement(MASTER_EC2, MASTER_ELB, MASTER_KMS))
    if role == "worker":
        return document(statement(WORKER_EC2))
    return document(statement(BOOTSTRAP_EC2), statement(BOOTSTRAP_S3, resources=[ignition_object_arn]))


def machine_trust_policy() -> Document:
    return ec2_trust_policy()


def tls_only_bucket_policy(bucket_arn: str) -> Document:
    """Deny every request to the bucket and its objects that does not come over TLS."""
    deny: Statement = {
        "Sid": "DenyInsecureTransport",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:*"],
        "Resource": [bucket_arn, f"{bucket_arn}/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }
    return document(deny)
