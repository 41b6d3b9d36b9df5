"""Preflight check of the caller's permissions: may it make the calls the deployment makes?

The actions come from the planned resource types (`ACTIONS_BY_TYPE`: what pulumi-aws calls to
create each, tagging included, as the providers set default tags at creation). IAM's policy
simulator (SimulatePrincipalPolicy) evaluates them for the caller's role or user: its identity
policies, permissions boundary and the organization's SCPs. IAM actions are simulated on the ARNs
the plan names, so a policy scoped to `role/tkg/*` is judged right; EC2's on `*`, as their ids do
not exist yet. The simulator sees neither session policies nor resource-based policies. Where the
caller cannot be simulated (the root user, a federated user) or the simulator cannot be used
(no iam:SimulatePrincipalPolicy, an emulator without it), or a planned type has no known actions,
the row says "could not check", which fails unless `permissions` is accepted unchecked.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from tools.plan.mocks import Registration
from tools.preflight.aws_session import AWS_ERRORS, AwsClients
from tools.preflight.report import FAIL, OK, Row, looked_up, unchecked_row
from tools.preflight.targets import Target

CHECK = "permissions"
ANY_RESOURCE = "*"
_EC2_TAGGED = ("ec2:CreateTags",)
# Planned resource type -> the API actions creating it takes.
ACTIONS_BY_TYPE: dict[str, tuple[str, ...]] = {
    "aws:ec2/vpc:Vpc": ("ec2:CreateVpc", "ec2:ModifyVpcAttribute", *_EC2_TAGGED),
    "aws:ec2/subnet:Subnet": ("ec2:CreateSubnet", "ec2:ModifySubnetAttribute", *_EC2_TAGGED),
    "aws:ec2/internetGateway:InternetGateway": (
        "ec2:CreateInternetGateway",
        "ec2:AttachInternetGateway",
        *_EC2_TAGGED,
    ),
    "aws:ec2/eip:Eip": ("ec2:AllocateAddress", *_EC2_TAGGED),
    "aws:ec2/natGateway:NatGateway": ("ec2:CreateNatGateway", *_EC2_TAGGED),
    "aws:ec2/routeTable:RouteTable": ("ec2:CreateRouteTable", *_EC2_TAGGED),
    "aws:ec2/route:Route": ("ec2:CreateRoute",),
    "aws:ec2/routeTableAssociation:RouteTableAssociation": ("ec2:AssociateRouteTable",),
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": (
        "ec2:RevokeSecurityGroupIngress",
        "ec2:RevokeSecurityGroupEgress",
        *_EC2_TAGGED,
    ),
    "aws:ec2/securityGroup:SecurityGroup": (
        "ec2:CreateSecurityGroup",
        "ec2:RevokeSecurityGroupEgress",  # the provider removes AWS's default allow-all egress rule
        *_EC2_TAGGED,
    ),
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": ("ec2:AuthorizeSecurityGroupIngress",),
    "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule": ("ec2:AuthorizeSecurityGroupEgress",),
    "aws:ec2/vpcEndpoint:VpcEndpoint": ("ec2:CreateVpcEndpoint", *_EC2_TAGGED),
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": ("ec2:ModifyVpcEndpoint",),
    "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation": ("ec2:ModifyVpcEndpoint",),
    "aws:ec2/tag:Tag": _EC2_TAGGED,
    "aws:ec2/keyPair:KeyPair": ("ec2:ImportKeyPair", *_EC2_TAGGED),
    "aws:iam/role:Role": ("iam:CreateRole", "iam:TagRole"),
    "aws:iam/instanceProfile:InstanceProfile": (
        "iam:CreateInstanceProfile",
        "iam:TagInstanceProfile",
        "iam:AddRoleToInstanceProfile",
        "iam:PassRole",  # AddRoleToInstanceProfile passes the role
    ),
    "aws:iam/policy:Policy": ("iam:CreatePolicy", "iam:TagPolicy"),
    "aws:iam/rolePolicy:RolePolicy": ("iam:PutRolePolicy",),
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ("iam:AttachRolePolicy",),
    "aws:iam/userPolicy:UserPolicy": ("iam:PutUserPolicy",),
}
# Actions on the role a resource's `role` input names (for PassRole: the instance profile's role).
_ROLE_INPUT_ACTIONS = {"iam:PassRole", "iam:PutRolePolicy", "iam:AttachRolePolicy"}
_ARN_KINDS = {
    "aws:iam/role:Role": "role",
    "aws:iam/instanceProfile:InstanceProfile": "instance-profile",
    "aws:iam/policy:Policy": "policy",
}


def aws_resources(target: Target) -> list[Registration]:
    return [r for r in target.plan.registrations.values() if r.custom and r.type.startswith("aws:")]


def permission_rows(target: Target, clients: AwsClients, caller_arn: str) -> list[Row]:
    resources = aws_resources(target)
    unknown = sorted({r.type for r in resources if r.type not in ACTIONS_BY_TYPE})
    rows = [
        unchecked_row(target.name, CHECK, f"no API actions known for {t}", "add them to tools/preflight/permissions.py")
        for t in unknown
    ]
    if not resources:
        return rows

    def lookup() -> list[Row]:
        principal, reason = simulated_principal(clients, caller_arn)
        if principal is None:
            return [unchecked_row(target.name, CHECK, reason, "check the caller's policies by hand")]
        denied = simulate(clients, principal, needed_actions(target, resources))
        if denied:
            details = f"{principal} may not {', '.join(denied)}"
            action = "grant them (identity policy, permissions boundary or the organization's SCPs deny them)"
            return [Row(target.name, CHECK, FAIL, details, action)]
        actions = {a for r in resources for a in ACTIONS_BY_TYPE.get(r.type, ())}
        return [Row(target.name, CHECK, OK, f"{principal} may make the {len(actions)} kinds of calls the stack makes")]

    return rows + looked_up(target.name, CHECK, lookup)


def needed_actions(target: Target, resources: Iterable[Registration]) -> dict[str, set[str]]:
    """Action -> the resource ARNs it must be allowed on."""
    partition = target.plan.config.partition
    arns_by_role = {
        r.inputs["name"]: _iam_arn(partition, target.account_id, "role", r)
        for r in resources
        if r.type == "aws:iam/role:Role"
    }
    needed: dict[str, set[str]] = defaultdict(set)
    for resource in resources:
        kind = _ARN_KINDS.get(resource.type)
        own_arn = _iam_arn(partition, target.account_id, kind, resource) if kind else ANY_RESOURCE
        for action in ACTIONS_BY_TYPE.get(resource.type, ()):
            if action in _ROLE_INPUT_ACTIONS:
                needed[action].add(arns_by_role.get(resource.inputs.get("role"), ANY_RESOURCE))
            else:
                needed[action].add(own_arn)
    return needed


def _iam_arn(partition: str, account_id: str, kind: str, resource: Registration) -> str:
    return f"arn:{partition}:iam::{account_id}:{kind}{resource.inputs.get('path', '/')}{resource.inputs['name']}"


def simulated_principal(clients: AwsClients, caller_arn: str) -> tuple[str | None, str]:
    """(the IAM ARN to simulate for the caller, or None and why not)."""
    _, partition, service, _, account, resource = caller_arn.split(":", 5)
    if resource.startswith("user/"):
        return f"arn:{partition}:iam::{account}:{resource}", ""
    if service == "sts" and resource.startswith("assumed-role/"):
        role_name = resource.split("/")[1]
        # The session's ARN drops the role's path, which the simulator needs.
        try:
            return clients.client("iam").get_role(RoleName=role_name)["Role"]["Arn"], ""
        except AWS_ERRORS:
            return f"arn:{partition}:iam::{account}:role/{role_name}", ""
    if resource == "root":
        return None, "the caller is the account's root user, which the simulator does not evaluate"
    return None, f"the simulator evaluates roles and users, not {caller_arn}"


def simulate(clients: AwsClients, principal: str, needed: dict[str, set[str]]) -> list[str]:
    """The actions the simulator does not allow; one call per set of resource ARNs."""
    by_resources: dict[frozenset[str], list[str]] = defaultdict(list)
    for action, arns in needed.items():
        by_resources[frozenset(arns)].append(action)
    denied = set()
    paginator = clients.client("iam").get_paginator("simulate_principal_policy")
    for resource_arns, actions in sorted(by_resources.items(), key=lambda item: sorted(item[0])):
        pages = paginator.paginate(
            PolicySourceArn=principal, ActionNames=sorted(actions), ResourceArns=sorted(resource_arns)
        )
        for page in pages:
            denied |= {r["EvalActionName"] for r in page["EvaluationResults"] if not _allowed(r)}
    return sorted(denied)


def _allowed(result: dict[str, Any]) -> bool:
    """Allowed overall and on every resource it was simulated on."""
    per_resource = [r["EvalResourceDecision"] for r in result.get("ResourceSpecificResults") or []]
    return result["EvalDecision"] == "allowed" and all(decision == "allowed" for decision in per_resource)
