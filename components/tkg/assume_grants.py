"""AssumeWorkloadRoles: the management CAPA principals' permission to assume the workload roles.

Creates, in the management account, the managed policies of policies/cross_account.py (sts:AssumeRole
on exactly the workload accounts' controllers roles, split so that each stays within IAM's 6,144
characters) and attaches every one of them to every principal CAPA runs as: IAM roles
(RolePolicyAttachment) or users (UserPolicyAttachment). Managed, not inline: a role's inline
policies share 10,240 characters and a user's 2,048, which a few hundred ARNs outgrow.

The ARNs are worked out from the account ids, path and name suffix, so the number of policies is
known when the program runs, before any workload role exists. With an organization scope
(managementCluster.workloadRoleGrant), the grant is one policy of one statement, whatever the
number of accounts.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.policies.grammar import Document
from components.tkg.policies.cross_account import assume_workload_roles_policies
from components.tkg.rules import IAM_POLICY_NAME_MAX


@dataclass(frozen=True)
class Principal:
    """An IAM role or user of the management account that CAPA runs as."""

    kind: Literal["role", "user"]
    name: pulumi.Input[str]
    key: str
    """What its resources are named after, e.g. `control-plane` or `role-capa-controller`."""


@dataclass(frozen=True, kw_only=True)
class AssumeWorkloadRolesArgs:
    policy_name: str
    """Name of the first policy; the others add `-2`, `-3`... (`numbered_name`)."""
    path: str
    """IAM path of the policies (iam.path)."""
    documents: Sequence[Document]
    """The grant's policy documents (`grant_documents`)."""
    principals: Sequence[Principal]


class AssumeWorkloadRoles(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:assume_grants:AssumeWorkloadRoles"

    policies: list[aws.iam.Policy]
    attachments: list[pulumi.CustomResource]

    def __init__(self, name: str, args: AssumeWorkloadRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.policies = [self._policy(name, args, number, doc) for number, doc in enumerate(args.documents, start=1)]
        self.attachments = [
            self._attach(name, principal, number, policy)
            for principal in args.principals
            for number, policy in enumerate(self.policies, start=1)
        ]
        self.register_outputs({"policyArns": [p.arn for p in self.policies]})

    def _policy(self, name: str, args: AssumeWorkloadRolesArgs, number: int, document: Document) -> aws.iam.Policy:
        return aws.iam.Policy(
            f"{name}-{number}",
            name=numbered_name(args.policy_name, number),
            path=args.path,
            description="sts:AssumeRole on the workload accounts' controllers roles (tkg-aws)",
            policy=json.dumps(document),
            # The name is fixed, so a replacement (new path) must not overlap the old policy.
            opts=pulumi.ResourceOptions(parent=self, delete_before_replace=True),
        )

    def _attach(self, name: str, principal: Principal, number: int, policy: aws.iam.Policy) -> pulumi.CustomResource:
        opts = pulumi.ResourceOptions(parent=self, delete_before_replace=True)
        resource_name = f"{name}-{principal.key}-{number}"
        if principal.kind == "role":
            return aws.iam.RolePolicyAttachment(resource_name, role=principal.name, policy_arn=policy.arn, opts=opts)
        return aws.iam.UserPolicyAttachment(resource_name, user=principal.name, policy_arn=policy.arn, opts=opts)


def grant_documents(role_arns: Sequence[str], organization_scope: Document | None = None) -> list[Document]:
    """The organization's one statement when there is one, else every workload role's ARN, split."""
    if organization_scope is not None:
        return [organization_scope] if role_arns else []
    return assume_workload_roles_policies(role_arns)


def numbered_name(name: str, number: int, limit: int = IAM_POLICY_NAME_MAX) -> str:
    """`name` for the first policy, `name-N` after it, cut so that IAM's name limit holds."""
    if number == 1:
        return name[:limit]
    suffix = f"-{number}"
    return name[: limit - len(suffix)] + suffix
