"""Cross-account documents: who may assume a workload account's controllers role, and the
management-side permission to assume exactly those roles.

Seed 003's hand-edited trust trusts the whole management account (`:root`) with no condition,
which lets any principal there that has sts:AssumeRole take over the workload account (and its
JSON has a trailing comma, so it does not even parse). We trust the management account root
*restricted by aws:PrincipalArn* to the principal CAPA runs as. Unlike a role ARN written as the
principal, the condition keeps working when that role is replaced: IAM rewrites a principal role
ARN to the deleted role's unique id, silently breaking the trust.
"""

from __future__ import annotations

from components.policies.grammar import Document, Statement, document, statement
from components.policies.trust import ASSUME_ROLE, assume_role_statement


def account_of(arn: str) -> str:
    """The account id field of an IAM ARN (arn:partition:iam::ACCOUNT:...)."""
    return arn.split(":")[4]


def management_trust_statement(
    partition: str, capa_principal_arns: list[str], external_id: str | None = None
) -> Statement:
    """Trust statement for a workload controllers role: the CAPA principal(s), nobody else."""
    accounts = sorted({account_of(arn) for arn in capa_principal_arns})
    trust = assume_role_statement("AWS", [f"arn:{partition}:iam::{account}:root" for account in accounts])
    trust["Condition"] = {"ArnEquals": {"aws:PrincipalArn": sorted(capa_principal_arns)}}
    if external_id:
        trust["Condition"]["StringEquals"] = {"sts:ExternalId": external_id}
    return {"Sid": "CapaManagementCluster", **trust}


def assume_workload_roles_policy(role_arns: list[str]) -> Document:
    """Inline policy for the management CAPA role(s): sts:AssumeRole on exactly these roles."""
    return document(statement([ASSUME_ROLE], resources=sorted(role_arns), sid="AssumeWorkloadControllers"))
