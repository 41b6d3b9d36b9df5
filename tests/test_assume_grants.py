"""The management grant on the workload controllers roles, at the scale of hundreds of accounts:
managed policies within IAM's 6,144 characters each, attached to every CAPA principal."""

from __future__ import annotations

import json

import pytest

from components.policies.cross_account import assume_workload_roles_policies, controllers_role_arn
from components.policies.grammar import iam_size
from components.tkg.assume_grants import AssumeWorkloadRoles, AssumeWorkloadRolesArgs, Principal, numbered_name
from tests.conftest import register

SUFFIX = ".tkg.cloud.vmware.com"


def role_arns(count: int, first: int = 0) -> list[str]:
    return [controllers_role_arn("aws", f"{400000000000 + i}", "/", SUFFIX) for i in range(first, first + count)]


def test_500_accounts_fit_six_managed_policies_that_name_every_role_once() -> None:
    documents = assume_workload_roles_policies(role_arns(500))
    sizes = [iam_size(d) for d in documents]
    assert len(documents) == 6 and max(sizes) <= 6144, sizes
    granted = [arn for d in documents for arn in d["Statement"][0]["Resource"]]
    assert granted == role_arns(500)
    assert {a for d in documents for s in d["Statement"] for a in s["Action"]} == {"sts:AssumeRole"}
    assert all("*" not in arn for arn in granted)


def test_appending_an_account_changes_only_the_last_policy() -> None:
    before = assume_workload_roles_policies(role_arns(200))
    after = assume_workload_roles_policies(role_arns(201))
    assert after[:-1] == before[:-1] and after[-1] != before[-1]


def test_no_accounts_no_policies_and_an_arn_too_long_for_any_policy_is_refused() -> None:
    assert assume_workload_roles_policies([]) == []
    with pytest.raises(ValueError, match="alone does not fit"):
        assume_workload_roles_policies(role_arns(1), budget=50)


def test_every_policy_is_attached_to_every_principal() -> None:
    args = AssumeWorkloadRolesArgs(
        policy_name="tkg-aws-prod-assume-workload-controllers",
        path="/",
        role_arns=role_arns(500),
        principals=[
            Principal("role", "capa-controller-manager", "role-capa"),
            Principal("user", "bootstrap", "user-b"),
        ],
    )
    registrations = register(lambda: AssumeWorkloadRoles("grant", args))
    policies = [r for r in registrations.values() if r.type == "aws:iam/policy:Policy"]
    assert [p.inputs["name"] for p in sorted(policies, key=lambda p: int(p.name.rsplit("-", 1)[1]))] == [
        "tkg-aws-prod-assume-workload-controllers",
        *[f"tkg-aws-prod-assume-workload-controllers-{n}" for n in range(2, 7)],
    ]
    assert max(iam_size(json.loads(p.inputs["policy"])) for p in policies) <= 6144
    roles = [r for r in registrations.values() if r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment"]
    users = [r for r in registrations.values() if r.type == "aws:iam/userPolicyAttachment:UserPolicyAttachment"]
    assert {r.inputs["role"] for r in roles} == {"capa-controller-manager"} and len(roles) == 6
    assert {r.inputs["user"] for r in users} == {"bootstrap"} and len(users) == 6


def test_numbered_names_stay_within_iams_128_characters() -> None:
    name = "p" * 128
    assert numbered_name(name, 1) == name
    assert numbered_name(name, 12) == "p" * 125 + "-12" and len(numbered_name(name, 12)) == 128
