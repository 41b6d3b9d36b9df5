"""The IAM documents of every profile: golden files, real actions, no duplicates, IAM's size quotas.

The documents come from components/tkg/policies/template.py, the same functions ClusterIam deploys.
Goldens live under tests/golden/policies/<variant>/<document>.json; for the `tkg` variant they
equal TKG's template (tanzu-framework tkg/aws/fixtures/cloudformation-default.yaml) statement for
statement and action for action, and `capa` equals CAPA v2.11.1's default template with EKS
disabled, plus allowAssumeRole.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

import pytest
from policy_sentry.querying.actions import get_action_data

from components.policies import trust
from components.policies.grammar import actions_of, iam_size, statement
from components.tkg.config import CAPA_NAME_SUFFIX, TKG_NAME_SUFFIX
from components.tkg.policies import template
from tests.conftest import GOLDEN

# IAM quotas (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_iam-quotas.html), counted
# without whitespace: managed policy size, inline policies per role (all together), role trust policy
# (the default; it can be raised to 4,096).
MANAGED_POLICY_MAX = 6144
INLINE_POLICIES_PER_ROLE_MAX = 10240
TRUST_POLICY_MAX = 2048

VARIANTS = {
    "tkg": ("tkg", TKG_NAME_SUFFIX, True),
    "tkg-without-tmc": ("tkg", TKG_NAME_SUFFIX, False),
    "capa": ("capa", CAPA_NAME_SUFFIX, True),  # tmcPermissions' default, which capa does not use
}


def documents(variant: str) -> dict[str, dict[str, Any]]:
    """Every document ClusterIam creates in a variant, by golden file name."""
    profile, suffix, tmc = VARIANTS[variant]
    found = dict(template.managed_policies(profile, suffix))
    found |= {f"{role}-inline": doc for role, doc in template.inline_policies(profile, tmc).items()}
    found |= {f"{role}-trust": trust.ec2_trust_policy() for role in template.ROLES}
    return found


ALL_DOCUMENTS = [(variant, name) for variant in VARIANTS for name in documents(variant)]


def is_iam_action(action: str) -> bool:
    """True if policy_sentry's offline copy of AWS's Service Authorization Reference lists `action`."""
    service, _, name = action.partition(":")
    entries = get_action_data(service, name).get(service, [])
    return any(entry["action"] == action for entry in entries)  # exact case, as AWS documents it


# --- goldens -------------------------------------------------------------------------------------
@pytest.mark.parametrize(("variant", "name"), ALL_DOCUMENTS)
def test_document_matches_its_golden_file(golden, variant, name):
    golden(f"policies/{variant}/{name}.json", documents(variant)[name])


def test_every_golden_file_belongs_to_a_document():
    root = GOLDEN / "policies"
    on_disk = {(p.parent.name, p.stem) for p in root.glob("*/*.json")}
    assert on_disk == set(ALL_DOCUMENTS), "stale or missing goldens; regenerate with pytest --update-golden"


# --- actions -------------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_every_action_is_a_real_iam_action(variant):
    unknown = {
        f"{name}: {action}"
        for name, doc in documents(variant).items()
        for action in actions_of(doc)
        if not is_iam_action(action)
    }
    assert not unknown, f"actions missing from policy_sentry's IAM database: {sorted(unknown)}"


def test_the_action_check_rejects_the_seed_typo():
    # TKG's documented TMC list misspells this action; the check must catch exactly that kind of mistake.
    assert not is_iam_action("ec2:DescribeAvailabiilityZones")
    assert is_iam_action("ec2:DescribeAvailabilityZones")


@pytest.mark.parametrize(("variant", "name"), ALL_DOCUMENTS)
def test_no_statement_lists_an_action_twice(variant, name):
    for entry in documents(variant)[name]["Statement"]:
        actions = list(actions_of({"Statement": [entry]}))
        assert len(actions) == len(set(actions)), f"{variant}/{name}: repeated actions in {entry}"


def redundant_grants(doc: dict[str, Any]) -> dict[tuple[str, str, str], list[str | None]]:
    """Actions granted twice on the same resources and conditions, with the Sids of their statements.

    Allowed only between separately named statements (distinct Sids), which TKG keeps complete on
    their own: tmccloudvmwarecom and tanzuebscsi both need ec2:DescribeAvailabilityZones, and
    turning TMC off must not take it from the CSI driver.
    """
    grants: dict[tuple[str, str, str], list[str | None]] = defaultdict(list)
    for entry in doc["Statement"]:
        scope = json.dumps(entry.get("Resource")), json.dumps(entry.get("Condition"), sort_keys=True)
        for action in actions_of({"Statement": [entry]}):
            grants[(action, *scope)].append(entry.get("Sid"))
    return {
        grant: sids for grant, sids in grants.items() if len(sids) > 1 and (None in sids or len(set(sids)) < len(sids))
    }


@pytest.mark.parametrize(("variant", "name"), ALL_DOCUMENTS)
def test_no_document_grants_an_action_twice(variant, name):
    assert not redundant_grants(documents(variant)[name]), f"{variant}/{name}"


def test_the_duplicate_check_tells_redundancy_from_separate_scopes():
    describe = ("ec2:DescribeVpcs",)
    redundant = {"Statement": [statement(describe), statement(describe)]}
    separate_features = {"Statement": [statement(describe, sid="a"), statement(describe, sid="b")]}
    other_resource = {"Statement": [statement(describe), statement(describe, resources=["arn:*:ec2:*:*:vpc/*"])]}
    assert redundant_grants(redundant)
    assert not redundant_grants(separate_features)
    assert not redundant_grants(other_resource)


def test_capa_lists_describe_instance_types_once_where_upstream_lists_it_twice():
    controllers = template.managed_policies("capa", CAPA_NAME_SUFFIX)["controllers"]
    assert list(actions_of(controllers)).count("ec2:DescribeInstanceTypes") == 1


def test_a_statement_refuses_repeated_actions():
    with pytest.raises(ValueError, match="ec2:DescribeInstanceTypes"):
        statement(("ec2:DescribeInstanceTypes",), ("ec2:DescribeInstanceTypes",))


# --- what the profiles grant ---------------------------------------------------------------------
def statements_with(doc: dict[str, Any], action: str) -> list[dict[str, Any]]:
    return [s for s in doc["Statement"] if action in s["Action"]]


@pytest.mark.parametrize("suffix", [TKG_NAME_SUFFIX, ".example.org"])
def test_controllers_may_pass_only_the_roles_of_the_set(suffix):
    controllers = template.managed_policies("tkg", suffix)["controllers"]
    (pass_role,) = statements_with(controllers, "iam:PassRole")
    assert pass_role["Resource"] == [f"arn:*:iam::*:role/*{suffix}"]


def test_capa_controllers_may_assume_the_roles_of_the_set_in_any_account():
    controllers = template.managed_policies("capa", CAPA_NAME_SUFFIX)["controllers"]
    (assume,) = statements_with(controllers, "sts:AssumeRole")
    assert assume == {
        "Effect": "Allow",
        "Action": ["sts:AssumeRole"],
        "Resource": [f"arn:*:iam::*:role/*{CAPA_NAME_SUFFIX}"],
    }
    assert not statements_with(template.managed_policies("tkg", TKG_NAME_SUFFIX)["controllers"], "sts:AssumeRole")


def test_capa_brings_newer_load_balancer_ipam_and_lifecycle_hook_actions():
    tkg = set(actions_of(template.managed_policies("tkg", TKG_NAME_SUFFIX)["controllers"]))
    capa = set(actions_of(template.managed_policies("capa", CAPA_NAME_SUFFIX)["controllers"]))
    newer = {"elasticloadbalancing:CreateListener", "ec2:AllocateIpamPoolCidr", "autoscaling:PutLifecycleHook"}
    assert newer <= capa - tkg
    assert tkg <= capa


def test_capa_control_plane_may_set_load_balancer_security_groups():
    tkg = set(actions_of(template.managed_policies("tkg", TKG_NAME_SUFFIX)["control-plane"]))
    capa = set(actions_of(template.managed_policies("capa", CAPA_NAME_SUFFIX)["control-plane"]))
    assert capa - tkg == {"elasticloadbalancing:SetSecurityGroups"}


def test_inline_statements_follow_tmc_and_profile():
    sids = {
        variant: {role: [s["Sid"] for s in doc["Statement"]] for role, doc in template.inline_policies(p, tmc).items()}
        for variant, (p, _, tmc) in VARIANTS.items()
    }
    assert sids["tkg"] == {"control-plane": ["tmccloudvmwarecom", "tanzuebscsi"], "nodes": ["tmccloudvmwarecom"]}
    assert sids["tkg-without-tmc"] == {"control-plane": ["tanzuebscsi"]}
    assert sids["capa"] == {}
    assert template.inline_policies("capa", True) == {}


# --- IAM quotas ----------------------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_managed_policies_fit_iam_size_limit(variant):
    profile, suffix, _ = VARIANTS[variant]
    sizes = {base: iam_size(doc) for base, doc in template.managed_policies(profile, suffix).items()}
    assert max(sizes.values()) <= MANAGED_POLICY_MAX, sizes


@pytest.mark.parametrize("variant", VARIANTS)
def test_inline_policies_fit_the_per_role_limit(variant):
    profile, _, tmc = VARIANTS[variant]
    per_role: dict[str, int] = defaultdict(int)
    for role, doc in template.inline_policies(profile, tmc).items():
        per_role[role] += iam_size(doc)
    assert all(size <= INLINE_POLICIES_PER_ROLE_MAX for size in per_role.values()), per_role


def test_trust_policy_fits_the_default_limit():
    assert iam_size(trust.ec2_trust_policy()) <= TRUST_POLICY_MAX


def test_iam_size_ignores_whitespace():
    doc = {"Version": "2012-10-17", "Statement": []}
    assert iam_size(doc) == len('{"Version":"2012-10-17","Statement":[]}')
