"""IAM, key and bucket policies of an OpenShift UPI cluster as plain documents (no resources).

The machine policies are those of 03_cluster_security.yaml (control plane, compute) and
04_cluster_bootstrap.yaml (bootstrap), action for action, except that the bootstrap machine may read
its ignition object only, in a bucket of the cluster's own account (`s3:ResourceAccount`: a bucket
of the same name in another account serves it nothing), and decrypt it through S3 only, where the
template allows s3:GetObject on every bucket. Every role is assumed by EC2 through its instance
profile (the partition's EC2 principal). The ignition key admits its administrator (the deployer)
and, through S3, the bootstrap role; the bucket refuses every request without TLS and every read of
the ignition object by anyone else. Values may be Outputs: the components serialise the documents.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from components.policies.grammar import ANY, Document, Statement, document, statement
from components.policies.trust import EC2_SERVICE, assume_role_statement

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
BOOTSTRAP_KMS = ("kms:Decrypt",)
IGNITION_READS = ("s3:GetObject", "s3:GetObjectVersion")
# China's EC2 service principal carries its own DNS suffix.
EC2_SERVICE_BY_PARTITION = {"aws-cn": "ec2.amazonaws.com.cn"}


@dataclass(frozen=True)
class IgnitionGrant:
    """What the bootstrap machine may read: one object, in one account, decrypted by one key."""

    object_arn: str
    account_id: str
    key_arn: Any
    s3_service: str
    """`s3.<region>.amazonaws.com` (the partition's suffix): the only way the key decrypts for it."""


def machine_policy(role: MachineRole, grant: IgnitionGrant | None = None) -> Document:
    """The inline policy `<infraId>-<role>-policy` of one machine role."""
    if role == "master":
        return document(statement(MASTER_EC2, MASTER_ELB, MASTER_KMS))
    if role == "worker":
        return document(statement(WORKER_EC2))
    if grant is None:
        raise ValueError("the bootstrap policy needs its ignition grant")
    own_account = {"StringEquals": {"s3:ResourceAccount": grant.account_id}}
    via_s3 = {"StringEquals": {"kms:ViaService": grant.s3_service}}
    return document(
        statement(BOOTSTRAP_EC2),
        statement(BOOTSTRAP_S3, resources=[grant.object_arn], condition=own_account),
        statement(BOOTSTRAP_KMS, resources=[grant.key_arn], condition=via_s3),
    )


def machine_trust_policy(partition: str = "aws") -> Document:
    return document(assume_role_statement("Service", [EC2_SERVICE_BY_PARTITION.get(partition, EC2_SERVICE)]))


def ignition_key_policy(deployer_arn: Any, bootstrap_role_arn: str, account_root: str, s3_service: str) -> Document:
    """The ignition key: administered and used by the deployer alone, used by the bootstrap role
    through S3 alone (as its account's principal narrowed by ARN, so the role may come and go)."""
    administer: Statement = {
        "Sid": "Deployer",
        "Effect": "Allow",
        "Principal": {"AWS": deployer_arn},
        "Action": ["kms:*"],
        "Resource": [ANY],
    }
    bootstrap: Statement = {
        "Sid": "BootstrapReadsIgnitionThroughS3",
        "Effect": "Allow",
        "Principal": {"AWS": account_root},
        "Action": list(BOOTSTRAP_KMS),
        "Resource": [ANY],
        "Condition": {
            "ArnEquals": {"aws:PrincipalArn": bootstrap_role_arn},
            "StringEquals": {"kms:ViaService": s3_service},
        },
    }
    return document(administer, bootstrap)


def ignition_bucket_policy(bucket_arn: str, object_arn: str, readers: Sequence[Any]) -> Document:
    """Deny every request without TLS, and every read of the ignition object but the `readers`'."""
    others: Statement = {
        "Sid": "DenyIgnitionReadsToOthers",
        "Effect": "Deny",
        "Principal": "*",
        "Action": list(IGNITION_READS),
        "Resource": [object_arn],
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": list(readers)}},
    }
    return document(*tls_only_bucket_policy(bucket_arn)["Statement"], others)


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
