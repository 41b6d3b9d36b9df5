"""The management grant on the workload controllers roles, at the scale of hundreds of accounts:
managed policies within IAM's 6,144 characters each, attached to every CAPA principal."""

from __future__ import annotations

import copy
import json

import pytest

from bench.plan_accounts import accounts
from components.config.base import ConfigError
from components.policies.grammar import iam_size
from components.stack_config.loading import parse_config
from components.tkg.args import refuse_beyond_quota
from components.tkg.assume_grants import (
    AssumeWorkloadRoles,
    AssumeWorkloadRolesArgs,
    Principal,
    grant_documents,
    numbered_name,
)
from components.tkg.policies.cross_account import (
    assume_workload_roles_in_organization,
    assume_workload_roles_policies,
    controllers_role_arn,
)
from tests.conftest import REPO, plan, register, stack_file

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
        documents=grant_documents(role_arns(500)),
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


# --- grants that do not grow with the account count ------------------------------------------------
ORGANIZATION = "o-a1b2c3d4e5"
OU_PATH = "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"


def test_an_organization_grant_is_one_statement_whatever_the_account_count() -> None:
    one = assume_workload_roles_in_organization("aws", "/", SUFFIX, ORGANIZATION, [])
    assert grant_documents(role_arns(2000), one) == [one]
    (statement,) = one["Statement"]
    assert statement["Action"] == ["sts:AssumeRole"]
    # The role's name in any account, narrowed to the organization's accounts.
    assert statement["Resource"] == [f"arn:aws:iam::*:role/controllers{SUFFIX}"]
    assert statement["Condition"] == {"StringEquals": {"aws:ResourceOrgID": ORGANIZATION}}
    by_ou = assume_workload_roles_in_organization("aws", "/tkg/", SUFFIX, None, [OU_PATH])
    assert by_ou["Statement"][0]["Condition"] == {"ForAnyValue:StringLike": {"aws:ResourceOrgPaths": [f"{OU_PATH}*"]}}
    assert by_ou["Statement"][0]["Resource"] == [f"arn:aws:iam::*:role/tkg/controllers{SUFFIX}"]
    with pytest.raises(ValueError):
        assume_workload_roles_in_organization("aws", "/", SUFFIX, None, [])


def test_1200_accounts_listed_one_by_one_need_more_policies_than_iam_attaches() -> None:
    """What the grant would be without an organization scope: above the default quota of 10."""
    assert len(assume_workload_roles_policies(role_arns(1200))) > 10


def test_the_plan_refuses_a_grant_beyond_the_quota_naming_it(prod_raw) -> None:
    """The TKG profile's control-plane role already holds 3 template policies; a quota of 3 leaves none."""
    prod_raw["iam"] = {**prod_raw.get("iam", {}), "profile": "tkg"}
    prod_raw["managementCluster"] = {
        key: value for key, value in prod_raw["managementCluster"].items() if key != "capaPrincipalArns"
    }
    prod_raw["managementCluster"] |= {"trustControlPlaneRole": True, "workloadRoleGrant": {"managedPoliciesPerRole": 3}}
    with pytest.raises(ConfigError) as refused:
        plan(prod_raw)
    (problem,) = refused.value.problems
    assert problem.startswith("tkg-aws:managementCluster.workloadRoleGrant: the 2 workload accounts need 1 managed")
    assert 'above IAM\'s quota "Managed policies per role" of 3 (20 at most)' in problem
    assert "set organizationId or organizationPaths" in problem


def test_the_refusal_names_the_default_quota_for_a_capa_principal(prod_raw) -> None:
    config = parse_config(prod_raw, "us-west-2", project_dir=REPO)
    principal = Principal("role", "capa-controller-manager", "role-capa-controller-manager")
    with pytest.raises(ConfigError, match=r'"Managed policies per role" of 10 \(the default; 20 at most\)'):
        refuse_beyond_quota(config, 14, [principal], {principal.key: 0})
    refuse_beyond_quota(config, 10, [principal], {principal.key: 0})  # exactly the quota: attached


@pytest.fixture(scope="module")
def organization_plan():
    raw = copy.deepcopy(stack_file("prod")[0])
    raw["workloadAccounts"] = accounts(3)  # the count decides nothing (see the builder's test)
    raw["managementCluster"]["workloadRoleGrant"] = {"organizationId": ORGANIZATION}
    return plan(raw)


def test_with_an_organization_scope_the_capa_principal_gets_one_grant_policy(organization_plan) -> None:
    grants = [
        r
        for r in organization_plan.of_type("aws:iam/policy:Policy")
        if "assume-workload-controllers" in r.inputs["name"]
    ]
    (grant,) = grants
    assert json.loads(grant.inputs["policy"])["Statement"][0]["Condition"] == {
        "StringEquals": {"aws:ResourceOrgID": ORGANIZATION}
    }
    attachments = [
        r
        for r in organization_plan.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
        if r.inputs["role"] == "capa-controller-manager"
    ]
    assert len(attachments) == 1


def test_organization_ids_and_paths_are_checked(prod_raw) -> None:
    prod_raw["managementCluster"]["workloadRoleGrant"] = {
        "organizationId": "o-short",
        "organizationPaths": ["o-a1b2c3d4e5/ou-missing-root"],
        "managedPoliciesPerRole": 21,
    }
    with pytest.raises(ConfigError) as refused:
        parse_config(prod_raw, "us-west-2", project_dir=REPO)
    lines = [p for p in refused.value.problems if "workloadRoleGrant" in p]
    assert len(lines) == 3, refused.value.problems
