"""The statements TKG adds to CAPA's template, rendered as the inline policy `tkg-cloud-vmware-com`.

Source: vmware-tanzu/tanzu-framework tkg/aws/client.go@4ee99711e (`ensureTanzuMissionControlPermissions`,
`ensureEBSCSiPermissions`) and its fixture cloudformation-default.yaml. TKG passes them to CAPA as
`ExtraStatements`, which CAPA renders as one inline policy per role named after the stack.
"""

from __future__ import annotations

from components.policies.grammar import Statement, statement

INLINE_POLICY_NAME = "tkg-cloud-vmware-com"
"""TKG's CloudFormation stack name, which CAPA uses as the inline policy's name."""

# Read access the Tanzu Mission Control agent needs on every node (vmware-tanzu/tanzu-framework#937).
# The TKG docs list `ec2:DescribeRegions` too (and misspell DescribeAvailabilityZones); the code does
# not, and the nodes managed policy grants DescribeRegions to both roles anyway.
TMC_EC2 = (
    "ec2:DescribeKeyPairs",
    "ec2:DescribeInstanceTypeOfferings",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeSubnets",
    "ec2:DescribeRouteTables",
    "ec2:DescribeVpcs",
    "ec2:DescribeNatGateways",
    "ec2:DescribeAddresses",
)
TMC_ELB = ("elasticloadbalancing:DescribeLoadBalancers",)
TMC_SERVICE_QUOTAS = ("servicequotas:ListServiceQuotas",)
TMC_IAM = ("iam:GetPolicy", "iam:ListAttachedRolePolicies", "iam:GetPolicyVersion", "iam:ListRoleTags")

# The EBS CSI controller runs on control-plane nodes. CAPA's `enableCSIPolicy` created this policy
# without attaching it (kubernetes-sigs/cluster-api-provider-aws#3527), so TKG grants it inline.
EBS_CSI_EC2 = (
    "ec2:AttachVolume",
    "ec2:CreateSnapshot",
    "ec2:CreateTags",
    "ec2:CreateVolume",
    "ec2:DeleteSnapshot",
    "ec2:DeleteTags",
    "ec2:DeleteVolume",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInstances",
    "ec2:DescribeSnapshots",
    "ec2:DescribeTags",
    "ec2:DescribeVolumes",
    "ec2:DescribeVolumesModifications",
    "ec2:DetachVolume",
    "ec2:ModifyVolume",
)


def tmc_statement() -> Statement:
    return statement(TMC_EC2, TMC_ELB, TMC_SERVICE_QUOTAS, TMC_IAM, sid="tmccloudvmwarecom")


def ebs_csi_statement() -> Statement:
    # Shares ec2:DescribeAvailabilityZones with the TMC statement on purpose, as TKG does: each
    # statement stays complete on its own, so turning TMC off never takes a CSI permission away.
    return statement(EBS_CSI_EC2, sid="tanzuebscsi")
