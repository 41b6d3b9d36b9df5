"""Permissions of the control-plane role: CAPA's `control-plane` cloud-provider policy and TKG's inline one.

The managed policy is what the AWS cloud provider (cloud-controller-manager) needs: load balancers
for Services, routes, volumes, security groups (cmd/clusterawsadm/cloudformation/bootstrap/
cloud_provider_integration_control_plane.go, "From https://github.com/kubernetes/cloud-provider-aws").
The control-plane role also gets the nodes and controllers policies (see template.py).
"""

from __future__ import annotations

from components.policies.grammar import Document, Profile, document, statement
from components.tkg.policies import tanzu

AUTOSCALING = (
    "autoscaling:DescribeAutoScalingGroups",
    "autoscaling:DescribeLaunchConfigurations",
    "autoscaling:DescribeTags",
)
EC2 = (
    "ec2:AssignIpv6Addresses",
    "ec2:DescribeInstances",
    "ec2:DescribeImages",
    "ec2:DescribeRegions",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVolumes",
    "ec2:CreateSecurityGroup",
    "ec2:CreateTags",
    "ec2:CreateVolume",
    "ec2:ModifyInstanceAttribute",
    "ec2:ModifyVolume",
    "ec2:AttachVolume",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateRoute",
    "ec2:DeleteRoute",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteVolume",
    "ec2:DetachVolume",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:DescribeVpcs",
)
# Classic load balancers, then NLB/ALB (elasticloadbalancing v2) for Services of type LoadBalancer.
ELB = (
    "elasticloadbalancing:AddTags",
    "elasticloadbalancing:AttachLoadBalancerToSubnets",
    "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:CreateLoadBalancerPolicy",
    "elasticloadbalancing:CreateLoadBalancerListeners",
    "elasticloadbalancing:ConfigureHealthCheck",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:DeleteLoadBalancerListeners",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:DetachLoadBalancerFromSubnets",
    "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
    "elasticloadbalancing:SetLoadBalancerPoliciesForBackendServer",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:DeleteListener",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:DeregisterTargets",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:DescribeLoadBalancerPolicies",
    "elasticloadbalancing:DescribeTargetGroups",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:ModifyListener",
    "elasticloadbalancing:ModifyTargetGroup",
    "elasticloadbalancing:RegisterTargets",
    "elasticloadbalancing:SetLoadBalancerPoliciesOfListener",
)
# CAPA v2.7.0: the cloud provider manages security groups of NLBs.
ELB_SINCE_CAPA_2_7 = ("elasticloadbalancing:SetSecurityGroups",)
IAM = ("iam:CreateServiceLinkedRole",)
KMS = ("kms:DescribeKey",)


def managed_policy(profile: Profile) -> Document:
    elb = ELB + ELB_SINCE_CAPA_2_7 if profile == "capa" else ELB
    return document(statement(AUTOSCALING, EC2, elb, IAM, KMS))


def inline_policy(profile: Profile, tmc_permissions: bool) -> Document | None:
    """TKG's TMC (unless disabled) and EBS CSI statements.

    The `capa` profile follows CAPA's default template, which has neither: TMC is a Tanzu service,
    and CAPA's EBS CSI policy (`enableCSIPolicy`) is off by default. CAPA users who run the EBS CSI
    driver on control-plane nodes attach AWS's AmazonEBSCSIDriverPolicy through
    iam.extraPolicyArns.controlPlane instead.
    """
    if profile != "tkg":
        return None
    statements = [tanzu.tmc_statement()] if tmc_permissions else []
    return document(*statements, tanzu.ebs_csi_statement())
