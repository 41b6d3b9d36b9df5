"""The IAM policy grammar as plain dicts: documents, statements, and the words they use.

Every document in this package is built from `document()` and `statement()`, so the key order,
the list-valued Action/Resource (as CAPA renders them) and the uniqueness of actions hold by
construction. Nothing here creates resources or Outputs; values a caller places in a statement
(e.g. an Output principal) are passed through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

VERSION = "2012-10-17"
ALLOW = "Allow"
ANY = "*"
STRING_LIKE = "StringLike"

Profile = Literal["tkg", "capa"]
"""Which template a role set follows: `tkg` (TKG's, CAPA v2.0 action sets) or `capa` (CAPA v2.11.1)."""

Document = dict[str, Any]
Statement = dict[str, Any]


def document(*statements: Statement) -> Document:
    return {"Version": VERSION, "Statement": list(statements)}


def statement(
    *action_groups: Sequence[str],
    resources: Sequence[Any] = (ANY,),
    sid: str | None = None,
    condition: Mapping[str, Any] | None = None,
) -> Statement:
    """An Allow statement; `action_groups` are per-service tuples, concatenated in order."""
    actions = [action for group in action_groups for action in group]
    repeated = sorted({a for a in actions if actions.count(a) > 1})
    if repeated:
        raise ValueError(f"actions listed twice in one statement: {repeated}")
    rendered: Statement = {"Sid": sid} if sid else {}
    rendered |= {"Effect": ALLOW, "Action": actions, "Resource": list(resources)}
    if condition:
        rendered["Condition"] = dict(condition)
    return rendered


def actions_of(policy: Document) -> Iterable[str]:
    """Every action of a document, statement by statement (a string Action counts as one)."""
    for entry in policy["Statement"]:
        action = entry["Action"]
        yield from [action] if isinstance(action, str) else action


def aws_managed_policy_arn(partition: str, name: str) -> str:
    """ARN of an AWS-managed policy: concrete, so it carries the account's partition."""
    return f"arn:{partition}:iam::aws:policy/{name}"


def iam_size(policy: Document | str) -> int:
    """Characters IAM counts against its size quotas: the JSON with all whitespace removed (of a
    policy, or of one string in it)."""
    return len("".join(json.dumps(policy, separators=(",", ":")).split()))  # split(): at every whitespace
