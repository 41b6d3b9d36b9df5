"""ClusterIam as a reviewer sees it in the offline plan: names, attachments, documents, options.

Most tests run the whole program on the dev stack's config (tests/conftest.py `plan()`), changing
only `iam`. Registered inputs are resolved plain values; policy documents arrive as JSON strings.
"""

from __future__ import annotations

import fnmatch
import json
from typing import Any

import pulumi
import pytest

from components.config.base import ConfigError
from components.policies.trust import assume_role_statement
from components.tkg.config import CAPA_NAME_SUFFIX, TKG_NAME_SUFFIX
from components.tkg.iam import ClusterIam, ClusterIamArgs
from components.tkg.policies import template
from tests.conftest import plan, register, stack_file
from tools.plan.command import summary
from tools.plan.mocks import Registration
from tools.plan.program import ProgramRun

ROLE = "aws:iam/role:Role"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
POLICY = "aws:iam/policy:Policy"
INLINE = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ACCOUNT = stack_file("dev")[0]["managementCluster"]["accountId"]
TKG_ROLES = {f"{base}{TKG_NAME_SUFFIX}" for base in template.ROLES}


def dev_with(**iam: Any) -> ProgramRun:
    raw = stack_file("dev")[0]
    return plan({**raw, "iam": {**raw.get("iam", {}), **iam}})


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return plan(stack_file("dev")[0])


def names(run: ProgramRun, type_token: str) -> set[str]:
    return {r.inputs["name"] for r in run.of_type(type_token)}


def attached(run: ProgramRun) -> set[tuple[str, str]]:
    """(role name, policy ARN) of every attachment."""
    return {(a.inputs["role"], a.inputs["policyArn"]) for a in run.of_type(ATTACHMENT)}


def document(registration: Registration, key: str = "policy") -> dict[str, Any]:
    return json.loads(registration.inputs[key])


def role(run: ProgramRun, name: str) -> Registration:
    (match,) = [r for r in run.of_type(ROLE) if r.inputs["name"] == name]
    return match


# --- the dev stack ---------------------------------------------------------------------------------
def test_dev_plan_counts(dev):
    counts = {t: len(dev.of_type(t)) for t in (ROLE, PROFILE, POLICY, ATTACHMENT, INLINE, "aws:ec2/keyPair:KeyPair")}
    assert counts == {ROLE: 3, PROFILE: 3, POLICY: 3, ATTACHMENT: 5, INLINE: 2, "aws:ec2/keyPair:KeyPair": 1}


def test_dev_creates_tkg_roles_profiles_and_policies(dev):
    assert names(dev, ROLE) == TKG_ROLES
    assert names(dev, PROFILE) == TKG_ROLES
    assert names(dev, POLICY) == TKG_ROLES


def test_each_instance_profile_holds_the_role_of_its_name(dev):
    assert {(p.inputs["name"], p.inputs["role"]) for p in dev.of_type(PROFILE)} == {(n, n) for n in TKG_ROLES}


def test_attachments_are_exactly_the_five_of_seed_000(dev):
    policy = f"arn:aws:iam::{ACCOUNT}:policy/{{}}{TKG_NAME_SUFFIX}".format
    control_plane, nodes, controllers = (f"{base}{TKG_NAME_SUFFIX}" for base in template.ROLES)
    assert len(dev.of_type(ATTACHMENT)) == 5
    assert attached(dev) == {
        (control_plane, policy("control-plane")),
        (control_plane, policy("nodes")),
        (control_plane, policy("controllers")),
        (nodes, policy("nodes")),
        (controllers, policy("controllers")),
    }


def test_tkg_inline_policy_on_control_plane_and_nodes(dev):
    inline = {r.inputs["role"]: r for r in dev.of_type(INLINE)}
    assert set(inline) == {f"control-plane{TKG_NAME_SUFFIX}", f"nodes{TKG_NAME_SUFFIX}"}
    assert {r.inputs["name"] for r in inline.values()} == {"tkg-cloud-vmware-com"}
    sids = {name: [s["Sid"] for s in document(r)["Statement"]] for name, r in inline.items()}
    assert sids[f"control-plane{TKG_NAME_SUFFIX}"] == ["tmccloudvmwarecom", "tanzuebscsi"]
    assert sids[f"nodes{TKG_NAME_SUFFIX}"] == ["tmccloudvmwarecom"]


def test_every_role_trusts_only_ec2(dev):
    assert {r.name for r in dev.of_type(ROLE)} >= {f"iam-{base}" for base in template.ROLES}
    for registration in dev.of_type(ROLE):
        statements = document(registration, "assumeRolePolicy")["Statement"]
        assert statements == [
            {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
        ], registration.name


def test_deployed_documents_are_the_golden_ones(dev):
    managed = template.managed_policies("tkg", TKG_NAME_SUFFIX)
    for base in template.ROLES:
        assert document(dev.named(POLICY, f"iam-{base}")) == managed[base], base
    for base, doc in template.inline_policies("tkg", True).items():
        assert document(dev.named(INLINE, f"iam-{base}-inline")) == doc, base


def test_named_resources_are_protected_and_deleted_before_replacement(dev):
    for type_token in (ROLE, PROFILE, POLICY):
        assert dev.of_type(type_token), type_token
        for registration in dev.of_type(type_token):
            assert registration.options == {"protect": True, "deleteBeforeReplace": True}, registration.name
    for type_token in (INLINE, ATTACHMENT):
        assert dev.of_type(type_token), type_token
        for registration in dev.of_type(type_token):
            assert registration.options == {"deleteBeforeReplace": True}, registration.name


def test_resources_are_children_of_the_component_on_the_management_provider(dev):
    (component,) = dev.of_type(ClusterIam.TYPE_TOKEN)
    for type_token in (ROLE, PROFILE, POLICY, INLINE, ATTACHMENT):
        assert dev.of_type(type_token), type_token
        for registration in dev.of_type(type_token):
            assert registration.parent == component.urn
            assert registration.provider.endswith("pulumi:providers:aws::management")


def test_iam_output_names_every_role_profile_and_policy(dev):
    iam = dev.outputs["iam"]
    keys = {"controlPlane", "nodes", "controllers"}
    assert {k: set(v) for k, v in iam.items()} == {
        "roleArns": keys,
        "roleNames": keys,
        "instanceProfileArns": keys,
        "instanceProfileNames": keys,
        "policyArns": keys,
    }
    assert iam["roleArns"]["controlPlane"] == f"arn:aws:iam::{ACCOUNT}:role/control-plane{TKG_NAME_SUFFIX}"
    assert iam["instanceProfileNames"]["nodes"] == f"nodes{TKG_NAME_SUFFIX}"
    assert iam["policyArns"]["controllers"] == f"arn:aws:iam::{ACCOUNT}:policy/controllers{TKG_NAME_SUFFIX}"


# --- options -------------------------------------------------------------------------------------
def test_tmc_permissions_off_leaves_only_the_ebs_csi_statement():
    run = dev_with(tmcPermissions=False)
    (inline,) = run.of_type(INLINE)
    assert inline.inputs["role"] == f"control-plane{TKG_NAME_SUFFIX}"
    assert [s["Sid"] for s in document(inline)["Statement"]] == ["tanzuebscsi"]


def test_capa_profile_uses_capa_names_and_has_no_inline_policy():
    run = dev_with(profile="capa", tmcPermissions=False)
    assert names(run, ROLE) == {f"{base}{CAPA_NAME_SUFFIX}" for base in template.ROLES}
    assert run.of_type(INLINE) == []
    controllers = document(run.named(POLICY, "iam-controllers"))
    assert controllers == template.managed_policies("capa", CAPA_NAME_SUFFIX)["controllers"]
    assert len(run.of_type(ATTACHMENT)) == 5


def test_capa_profile_refuses_tmc_permissions():
    with pytest.raises(ConfigError, match=r"tkg-aws:iam.tmcPermissions: .*profile capa has none"):
        dev_with(profile="capa", tmcPermissions=True)


def test_custom_suffix_names_everything_and_scopes_pass_role():
    run = dev_with(nameSuffix=".platform.example.org")
    assert names(run, ROLE) == {f"{base}.platform.example.org" for base in template.ROLES}
    controllers = document(run.named(POLICY, "iam-controllers"))
    (pass_role,) = [s for s in controllers["Statement"] if s["Action"] == ["iam:PassRole"]]
    assert pass_role["Resource"] == ["arn:*:iam::*:role/*.platform.example.org"]


def test_path_and_permissions_boundary_apply_to_every_role():
    boundary = f"arn:aws:iam::{ACCOUNT}:policy/platform-boundary"
    run = dev_with(path="/tkg/", permissionsBoundary=boundary)
    for registration in run.of_type(ROLE):
        assert registration.inputs["path"] == "/tkg/"
        assert registration.inputs["permissionsBoundary"] == boundary
    assert {r.inputs["path"] for r in run.of_type(PROFILE) + run.of_type(POLICY)} == {"/tkg/"}
    assert run.outputs["iam"]["roleArns"]["nodes"] == f"arn:aws:iam::{ACCOUNT}:role/tkg/nodes{TKG_NAME_SUFFIX}"


def test_extra_policy_arns_are_attached_to_their_role():
    ssm = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    csi = "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy"
    run = dev_with(extraPolicyArns={"controlPlane": [csi, ssm], "nodes": [ssm]})
    extra = attached(run) - attached(plan(stack_file("dev")[0]))
    assert extra == {
        (f"control-plane{TKG_NAME_SUFFIX}", csi),
        (f"control-plane{TKG_NAME_SUFFIX}", ssm),
        (f"nodes{TKG_NAME_SUFFIX}", ssm),
    }
    assert run.named(ATTACHMENT, "iam-control-plane-aws-service-role/AmazonEBSCSIDriverPolicy")


def test_an_extra_policy_arn_listed_twice_is_a_config_error():
    ssm = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
    with pytest.raises(ConfigError, match=r"tkg-aws:iam.extraPolicyArns.nodes: duplicate entries"):
        dev_with(extraPolicyArns={"nodes": [ssm, ssm]})


def test_protect_false_unprotects_but_still_deletes_before_replacing():
    run = dev_with(protect=False)
    named = run.of_type(ROLE) + run.of_type(PROFILE) + run.of_type(POLICY)
    assert len(named) >= 3 * len(template.ROLES)
    for registration in named:
        assert registration.options == {"deleteBeforeReplace": True}, registration.name


@pytest.mark.parametrize(("region", "partition"), [("us-west-2", "aws"), ("us-gov-west-1", "aws-us-gov")])
def test_eks_local_cluster_role_trusts_ec2_with_the_outposts_policy(region, partition):
    raw = stack_file("dev")[0]
    raw = {**raw, "iam": {**raw["iam"], "eksLocalClusterRole": True}, "network": {}}
    run = plan(raw, region=region)
    eks = role(run, "eks-local-cluster")
    assert document(eks, "assumeRolePolicy")["Statement"][0]["Principal"] == {"Service": ["ec2.amazonaws.com"]}
    assert {k: v for k, v in eks.options.items() if k != "aliases"} == {"protect": True, "deleteBeforeReplace": True}
    # Built by the EKS platform's role code, as the eksLocalCluster section builds it: the same resource.
    assert (
        eks.urn == "urn:pulumi:test::tkg-aws::tkg-aws:eksOutposts:LocalClusterIam$aws:iam/role:Role::eks-local-cluster"
    )
    (iam_set,) = run.of_type("tkg-aws:iam:ClusterIam")
    assert not [r.name for r in run.registrations.values() if r.parent == iam_set.urn and "eks" in r.name]
    managed = f"arn:{partition}:iam::aws:policy/AmazonEKSLocalOutpostClusterPolicy"
    assert ("eks-local-cluster", managed) in attached(run)
    assert len(run.of_type(ROLE)) == 4 and len(run.of_type(PROFILE)) == 3
    assert run.outputs["iam"]["roleNames"]["eksLocalCluster"] == "eks-local-cluster"


def test_tkg_machines_cannot_pass_the_eks_local_cluster_role():
    raw = stack_file("dev")[0]
    raw = {**raw, "iam": {**raw["iam"], "eksLocalClusterRole": True}, "network": {}}
    run = plan(raw)
    arn = f"arn:aws:iam::123456789012:role/{role(run, 'eks-local-cluster').inputs['name']}"
    passable = [
        resource
        for policy in run.of_type("aws:iam/policy:Policy")
        for statement in document(policy, "policy")["Statement"]
        if "iam:PassRole" in statement["Action"]
        for resource in statement["Resource"]
    ]
    assert passable and not [pattern for pattern in passable if fnmatch.fnmatchcase(arn, pattern)]
    kept = plan({**raw, "iam": {**raw["iam"], "eksLocalClusterRole": f"eks-local-cluster{TKG_NAME_SUFFIX}"}})
    assert role(kept, f"eks-local-cluster{TKG_NAME_SUFFIX}").urn == role(run, "eks-local-cluster").urn
    assert f"WARNING iam.eksLocalClusterRole: eks-local-cluster{TKG_NAME_SUFFIX} ends in" in "\n".join(summary(kept))
    assert "iam.eksLocalClusterRole" not in "\n".join(summary(run))


# --- the interface workload accounts build on-----------------------------------------------------------
def test_controllers_trust_statements_may_hold_outputs():
    def build():
        # Outputs belong to the run's event loop, so they are made inside it.
        management = pulumi.Output.from_input(f"arn:aws:iam::{ACCOUNT}:role/control-plane{TKG_NAME_SUFFIX}")
        statement = pulumi.Output.from_input(assume_role_statement("AWS", [management]))
        args = ClusterIamArgs(name_suffix=TKG_NAME_SUFFIX, partition="aws", controllers_trust_statements=[statement])
        return ClusterIam("lob-dev", args).outputs()

    registrations = register(build)
    trusts = {r.name: document(r, "assumeRolePolicy")["Statement"] for r in registrations.values() if r.type == ROLE}
    assert trusts["lob-dev-controllers"][1] == {
        "Effect": "Allow",
        "Principal": {"AWS": [f"arn:aws:iam::{ACCOUNT}:role/control-plane{TKG_NAME_SUFFIX}"]},
        "Action": ["sts:AssumeRole"],
    }
    assert trusts["lob-dev-controllers"][0]["Principal"] == {"Service": ["ec2.amazonaws.com"]}
    assert len(trusts["lob-dev-nodes"]) == len(trusts["lob-dev-control-plane"]) == 1


def test_extra_policy_arns_must_name_a_role_of_the_set():
    with pytest.raises(ValueError, match="no such roles"):
        ClusterIamArgs(name_suffix=TKG_NAME_SUFFIX, partition="aws", extra_policy_arns={"workers": []})
