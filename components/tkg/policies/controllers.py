"""Permissions of the controllers role: the policy CAPA's controllers need to build clusters.

Source: cmd/clusterawsadm/cloudformation/bootstrap/cluster_api_controller.go (`ControllersPolicy`).
The base action sets are CAPA v2.0.x's, as TKG ships them; the `capa` profile adds what later CAPA
releases added to the default template up to v2.11.1 (fixtures/default.yaml at each tag), and CAPA's
`allowAssumeRole` statement so that the management cluster can reach workload accounts.
CAPA v2.11.1 lists ec2:DescribeInstanceTypes twice; it is listed once here.
The policy is attached to the controllers role and to the control-plane role (see template.py).
"""

from __future__ import annotations

from components.policies.grammar import STRING_LIKE, Document, Profile, Statement, document, statement
from components.tkg.policies.nodes import BOOTSTRAP_SECRETS

AUTOSCALING_GROUP_ARNS = "arn:*:autoscaling:*:*:autoScalingGroup:*:autoScalingGroupName/*"

# --- CAPA v2.0.x (TKG's template) ----------------------------------------------------------------
EC2 = (
    "ec2:AttachNetworkInterface",
    "ec2:DetachNetworkInterface",
    "ec2:AllocateAddress",
    "ec2:AssignIpv6Addresses",
    "ec2:AssignPrivateIpAddresses",
    "ec2:UnassignPrivateIpAddresses",
    "ec2:AssociateRouteTable",
    "ec2:AttachInternetGateway",
    "ec2:AuthorizeSecurityGroupIngress",
    "ec2:CreateInternetGateway",
    "ec2:CreateEgressOnlyInternetGateway",
    "ec2:CreateNatGateway",
    "ec2:CreateNetworkInterface",
    "ec2:CreateRoute",
    "ec2:CreateRouteTable",
    "ec2:CreateSecurityGroup",
    "ec2:CreateSubnet",
    "ec2:CreateTags",
    "ec2:CreateVpc",
    "ec2:ModifyVpcAttribute",
    "ec2:DeleteInternetGateway",
    "ec2:DeleteEgressOnlyInternetGateway",
    "ec2:DeleteNatGateway",
    "ec2:DeleteRouteTable",
    "ec2:ReplaceRoute",
    "ec2:DeleteSecurityGroup",
    "ec2:DeleteSubnet",
    "ec2:DeleteTags",
    "ec2:DeleteVpc",
    "ec2:DescribeAccountAttributes",
    "ec2:DescribeAddresses",
    "ec2:DescribeAvailabilityZones",
    "ec2:DescribeInstances",
    "ec2:DescribeInternetGateways",
    "ec2:DescribeEgressOnlyInternetGateways",
    "ec2:DescribeInstanceTypes",
    "ec2:DescribeImages",
    "ec2:DescribeNatGateways",
    "ec2:DescribeNetworkInterfaces",
    "ec2:DescribeNetworkInterfaceAttribute",
    "ec2:DescribeRouteTables",
    "ec2:DescribeSecurityGroups",
    "ec2:DescribeSubnets",
    "ec2:DescribeVpcs",
    "ec2:DescribeVpcAttribute",
    "ec2:DescribeVolumes",
    "ec2:DescribeTags",
    "ec2:DetachInternetGateway",
    "ec2:DisassociateRouteTable",
    "ec2:DisassociateAddress",
    "ec2:ModifyInstanceAttribute",
    "ec2:ModifyNetworkInterfaceAttribute",
    "ec2:ModifySubnetAttribute",
    "ec2:ReleaseAddress",
    "ec2:RevokeSecurityGroupIngress",
    "ec2:RunInstances",
    "ec2:TerminateInstances",
)
TAG = ("tag:GetResources",)
ELB = (
    "elasticloadbalancing:AddTags",
    "elasticloadbalancing:CreateLoadBalancer",
    "elasticloadbalancing:ConfigureHealthCheck",
    "elasticloadbalancing:DeleteLoadBalancer",
    "elasticloadbalancing:DeleteTargetGroup",
    "elasticloadbalancing:DescribeLoadBalancers",
    "elasticloadbalancing:DescribeLoadBalancerAttributes",
    "elasticloadbalancing:ApplySecurityGroupsToLoadBalancer",
    "elasticloadbalancing:DescribeTags",
    "elasticloadbalancing:ModifyLoadBalancerAttributes",
    "elasticloadbalancing:RegisterInstancesWithLoadBalancer",
    "elasticloadbalancing:DeregisterInstancesFromLoadBalancer",
    "elasticloadbalancing:RemoveTags",
)
AUTOSCALING = ("autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeInstanceRefreshes")
# Launch templates of machine pools, and the check that AWSMachine.spec.sshKeyName exists.
EC2_LAUNCH_TEMPLATES = (
    "ec2:CreateLaunchTemplate",
    "ec2:CreateLaunchTemplateVersion",
    "ec2:DescribeLaunchTemplates",
    "ec2:DescribeLaunchTemplateVersions",
    "ec2:DeleteLaunchTemplate",
    "ec2:DeleteLaunchTemplateVersions",
    "ec2:DescribeKeyPairs",
)
AUTOSCALING_GROUPS = (
    "autoscaling:CreateAutoScalingGroup",
    "autoscaling:UpdateAutoScalingGroup",
    "autoscaling:CreateOrUpdateTags",
    "autoscaling:StartInstanceRefresh",
    "autoscaling:DeleteAutoScalingGroup",
    "autoscaling:DeleteTags",
)
# Service-linked roles the controllers may create: (service, role name).
SERVICE_LINKED_ROLES = (
    ("autoscaling.amazonaws.com", "AWSServiceRoleForAutoScaling"),
    ("elasticloadbalancing.amazonaws.com", "AWSServiceRoleForElasticLoadBalancing"),
    ("spot.amazonaws.com", "AWSServiceRoleForEC2Spot"),
)
# Machines are launched with the instance profiles of this set; the bootstrap data goes to Secrets Manager.
PASS_ROLE = ("iam:PassRole",)
SECRETS_MANAGER = ("secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:TagResource")

# --- added by CAPA releases after v2.0 -----------------------------------------------------------
EC2_SINCE_2_0 = (
    "ec2:ModifyInstanceMetadataOptions",  # v2.2.0
    "ec2:DescribeIpamPools",  # v2.3.0: IPAM pools and VPC endpoints
    "ec2:AllocateIpamPoolCidr",
    "ec2:CreateVpcEndpoint",
    "ec2:ModifyVpcEndpoint",
    "ec2:DeleteVpcEndpoints",
    "ec2:DescribeVpcEndpoints",
    "ec2:CreateCarrierGateway",  # v2.5.0: Wavelength zones
    "ec2:DeleteCarrierGateway",
    "ec2:DescribeCarrierGateways",
    "ec2:DescribeDhcpOptions",
    "ec2:AssociateVpcCidrBlock",  # v2.7.0: secondary VPC CIDRs
    "ec2:DisassociateVpcCidrBlock",
    "ec2:GetSecurityGroupsForVpc",  # v2.9.0
    "ec2:RevokeSecurityGroupEgress",  # v2.10.0
)
ELB_SINCE_2_0 = (
    "elasticloadbalancing:DescribeTargetGroups",  # v2.1.0
    "elasticloadbalancing:SetSubnets",  # v2.3.0: NLB control-plane load balancers (CAPA #4436)
    "elasticloadbalancing:ModifyTargetGroupAttributes",
    "elasticloadbalancing:CreateTargetGroup",
    "elasticloadbalancing:DescribeListeners",
    "elasticloadbalancing:CreateListener",
    "elasticloadbalancing:DescribeTargetHealth",
    "elasticloadbalancing:RegisterTargets",
    "elasticloadbalancing:DeleteListener",
    "elasticloadbalancing:SetSecurityGroups",  # v2.7.0
    "elasticloadbalancing:DeregisterTargets",  # v2.9.0 (CAPA #5535)
)
AUTOSCALING_SINCE_2_0 = (
    "autoscaling:DeleteLifecycleHook",  # v2.9.0: machine pool lifecycle hooks
    "autoscaling:DescribeLifecycleHooks",
    "autoscaling:PutLifecycleHook",
)
AUTOSCALING_GROUPS_SINCE_2_0 = ("autoscaling:CancelInstanceRefresh",)  # v2.10.0
EKS_SINCE_2_0 = (  # v2.11.0: EKS access entries, in this policy rather than controllers-eks
    "eks:CreateAccessEntry",
    "eks:DeleteAccessEntry",
    "eks:DescribeAccessEntry",
    "eks:UpdateAccessEntry",
    "eks:ListAccessEntries",
    "eks:AssociateAccessPolicy",
    "eks:DisassociateAccessPolicy",
    "eks:ListAssociatedAccessPolicies",
)
# allowAssumeRole (v2.2.0, CAPA #4046): AWSClusterRoleIdentity roles in other accounts.
ASSUME_ROLE = ("sts:AssumeRole",)


def managed_policy(profile: Profile, suffix: str, allow_assume_role: bool = True) -> Document:
    """`allow_assume_role` (CAPA's, on in its template) lets the controllers assume a role of the set in
    any account; only the management account's controllers do that, a workload account's never."""
    capa = profile == "capa"
    if capa:
        main: tuple[tuple[str, ...], ...] = (
            EC2,
            EC2_SINCE_2_0,
            TAG,
            ELB,
            ELB_SINCE_2_0,
            AUTOSCALING,
            AUTOSCALING_SINCE_2_0,
        )
        main += (EC2_LAUNCH_TEMPLATES, EKS_SINCE_2_0)
        groups: tuple[tuple[str, ...], ...] = (AUTOSCALING_GROUPS_SINCE_2_0, AUTOSCALING_GROUPS)
    else:
        main = (EC2, TAG, ELB, AUTOSCALING, EC2_LAUNCH_TEMPLATES)
        groups = (AUTOSCALING_GROUPS,)
    cluster_roles = f"arn:*:iam::*:role/*{suffix}"
    statements = [
        statement(*main),
        statement(*groups, resources=[AUTOSCALING_GROUP_ARNS]),
        *(_service_linked_role(service, role) for service, role in SERVICE_LINKED_ROLES),
        statement(PASS_ROLE, resources=[cluster_roles]),
        statement(SECRETS_MANAGER, resources=[BOOTSTRAP_SECRETS]),
    ]
    if capa and allow_assume_role:
        statements.append(statement(ASSUME_ROLE, resources=[cluster_roles]))
    return document(*statements)


def _service_linked_role(service: str, role_name: str) -> Statement:
    return statement(
        ("iam:CreateServiceLinkedRole",),
        resources=[f"arn:*:iam::*:role/aws-service-role/{service}/{role_name}"],
        condition={STRING_LIKE: {"iam:AWSServiceName": service}},
    )
