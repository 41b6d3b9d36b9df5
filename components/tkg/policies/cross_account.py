"""Cross-account documents: who may assume a workload account's controllers role, and the
management-side permission to assume exactly those roles.

The hand-edited trust of the manual runbook trusts the whole management account (`:root`) with no
condition, which lets any principal there that has sts:AssumeRole take over the workload account.
We trust the management account root *restricted by aws:PrincipalArn* to the principal CAPA runs
as. Unlike a role ARN written as the principal, the condition keeps working when that role is
replaced: IAM rewrites a principal role ARN to the deleted role's unique id, silently breaking the
trust. The same principals may also sts:TagSession: an EKS Pod Identity session carries transitive
session tags, which STS passes on to the next role, and refuses the AssumeRole unless the trust
allows them.

The management side lists every workload controllers role by its ARN (no wildcard: a `*` would
reach the role of that name in any account). About 66 characters per account outgrow a role's
inline policies (10,240 characters in all) at about 150 accounts, so the grant is a set of managed
policies of at most 6,144 characters each, filled in the order the accounts are listed. That list
grows with the accounts, and IAM attaches at most 10 managed policies to a role by default (20 on
request), about 900 accounts' worth. Where the workload accounts are one organization (or some of
its OUs), one statement serves any number of them: the controllers role's name in any account,
narrowed by aws:ResourceOrgID / aws:ResourceOrgPaths to the accounts of that organization or OU.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from components.policies.grammar import ALLOW, Document, Statement, document, iam_size, statement
from components.policies.trust import ASSUME_ROLE, assume_role_statement

TAG_SESSION = "sts:TagSession"
MANAGED_POLICY_MAX = 6144  # IAM's limit on one managed policy, whitespace not counted
CONTROLLERS_ROLE = "controllers"
GRANT_SID = "AssumeWorkloadControllers"


def account_of(arn: str) -> str:
    """The account id field of an IAM ARN (arn:partition:iam::ACCOUNT:...)."""
    return arn.split(":")[4]


def controllers_role_arn(partition: str, account_id: str, path: str, name_suffix: str) -> str:
    """A workload account's controllers role: its name and path are TKG's, the same in every account."""
    return f"arn:{partition}:iam::{account_id}:role{path}{CONTROLLERS_ROLE}{name_suffix}"


def management_trust_statements(
    partition: str, capa_principal_arns: list[str], external_id: str | None = None
) -> list[Statement]:
    """Trust statements for a workload controllers role: the CAPA principal(s), nobody else, may
    assume it, and may pass session tags when they do. Two statements, because sts:ExternalId is no
    condition key of sts:TagSession: with it, the tags would never be allowed."""
    accounts = sorted({account_of(arn) for arn in capa_principal_arns})
    roots = [f"arn:{partition}:iam::{account}:root" for account in accounts]
    principals = {"ArnEquals": {"aws:PrincipalArn": sorted(capa_principal_arns)}}
    assume = assume_role_statement("AWS", roots)
    assume["Condition"] = dict(principals)
    if external_id:
        assume["Condition"]["StringEquals"] = {"sts:ExternalId": external_id}
    tags = {"Effect": ALLOW, "Principal": {"AWS": roots}, "Action": [TAG_SESSION], "Condition": dict(principals)}
    return [{"Sid": "CapaManagementCluster", **assume}, {"Sid": "CapaSessionTags", **tags}]


def assume_workload_roles_policies(role_arns: Sequence[str], budget: int = MANAGED_POLICY_MAX) -> list[Document]:
    """Managed policies for the management CAPA principal(s): sts:AssumeRole on exactly these roles.

    Roles keep the order given (appending an account touches the last policy only); each policy
    takes as many as fit in `budget` characters. No roles, no policies.
    """
    documents: list[Document] = []
    chunk: list[str] = []
    size = 0
    for arn in role_arns:
        # One more ARN in a policy's Resource list adds its JSON string and a comma, nothing else.
        if chunk and size + 1 + iam_size(arn) > budget:
            documents.append(_grant(chunk))
            chunk = []
        chunk.append(arn)
        size = size + 1 + iam_size(arn) if len(chunk) > 1 else iam_size(_grant(chunk))
        if size > budget:
            raise ValueError(f"the role ARN {arn} alone does not fit a policy of {budget} characters")
    if chunk:
        documents.append(_grant(chunk))
    return documents


def assume_workload_roles_in_organization(
    partition: str, path: str, name_suffix: str, organization_id: str | None, organization_paths: Sequence[str]
) -> Document:
    """One statement: sts:AssumeRole on the controllers role of every account of the organization
    (or of the OUs given, and the OUs below them). The role's own trust still decides who gets in."""
    condition: dict[str, dict[str, Any]] = {}
    if organization_id:
        condition["StringEquals"] = {"aws:ResourceOrgID": organization_id}
    if organization_paths:
        condition["ForAnyValue:StringLike"] = {"aws:ResourceOrgPaths": [f"{p}*" for p in organization_paths]}
    if not condition:
        raise ValueError("an organization grant needs an organization id or paths")
    role = controllers_role_arn(partition, "*", path, name_suffix)
    return document(statement([ASSUME_ROLE], resources=[role], sid=GRANT_SID, condition=condition))


def _grant(role_arns: list[str]) -> Document:
    return document(statement([ASSUME_ROLE], resources=list(role_arns), sid=GRANT_SID))
