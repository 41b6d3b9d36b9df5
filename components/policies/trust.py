"""Trust (assume-role) policies of the cluster roles.

Every role of TKG's and CAPA's template is assumed by EC2 (its instance profile), and so is the
EKS-on-Outposts local cluster role. Callers may append statements, e.g. a workload
account's controllers role trusting the management side; such statements may hold Outputs, so
the component, not this module, serialises the document (pulumi.Output.json_dumps).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Literal

from components.policies.grammar import ALLOW, Document, Statement, document

if TYPE_CHECKING:
    import pulumi

EC2_SERVICE = "ec2.amazonaws.com"
ASSUME_ROLE = "sts:AssumeRole"

PrincipalKind = Literal["Service", "AWS", "Federated"]


def assume_role_statement(kind: PrincipalKind, principals: Sequence[Any]) -> Statement:
    """Allow `principals` of one kind to assume the role, rendered as CAPA renders trust."""
    return {"Effect": ALLOW, "Principal": {kind: list(principals)}, "Action": [ASSUME_ROLE]}


def ec2_trust_policy(extra_statements: Sequence[pulumi.Input[Statement]] = ()) -> Document:
    """EC2 may assume the role; `extra_statements` follow (CAPA's `trustStatements`), Outputs among them."""
    policy = document(assume_role_statement("Service", [EC2_SERVICE]))
    policy["Statement"] += extra_statements
    return policy
