"""Day-2 changes a user makes to a running stack, each as plan A -> plan B through the transition
harness (tests/transitions.py): what is added, updated in place, aliased, replaced or removed, and
that nothing protected, fixed-name or in the management cluster is removed unless that is the
point of the change."""

from __future__ import annotations

import copy
import json
from types import SimpleNamespace
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest

from components.config.base import ConfigError
from components.policies.grammar import aws_managed_policy_arn, iam_size
from components.policies.trust import ec2_trust_policy
from tests.conftest import REGION, REPO, plan, stack_file
from tests.transitions import AZ_LIST_INPUTS, Change, Transition
from tools.plan.command import kubernetes_objects, resources_document
from tools.plan.mocks import Registration
from tools.plan.program import ProgramRun, run_program

IDENTITY = "kubernetes:infrastructure.cluster.x-k8s.io/{}:AWSClusterRoleIdentity"
CLUSTER_RESOURCE_SET = "kubernetes:addons.cluster.x-k8s.io/{}:ClusterResourceSet"
POLICY = "aws:iam/policy:Policy"
AWS_PROVIDER = "pulumi:providers:aws"
KUBERNETES_PROVIDER = "pulumi:providers:kubernetes"
TAG = "aws:ec2/tag:Tag"
GPU_MANIFESTS = [
    {
        "path": "tests/data/gpu/gpu-operator-components.yaml",
        "sha256": "04629366373456326c37ceb072b9a312cf57fae3d1543010e91ba76b842f41ec",
    },
    {
        "path": "tests/data/gpu/clusterpolicy-crd.yaml",
        "sha256": "16a53418612fb04fd5547bf74cc59d144b26334a8a5c51bf365dbbc88c03c5e6",
    },
]
KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: [{name: mgmt, cluster: {server: 'https://{}:6443'}}]\n"


def dev() -> dict[str, Any]:
    return copy.deepcopy(stack_file("dev")[0])


def prod() -> dict[str, Any]:
    return copy.deepcopy(stack_file("prod")[0])


def with_network(raw: dict[str, Any], **network: Any) -> dict[str, Any]:
    raw["network"] = {k: v for k, v in {**raw["network"], **network}.items() if v is not None}
    return raw


def on_a_cluster(raw: dict[str, Any], server: str = "10.0.0.1") -> dict[str, Any]:
    """The stack applying to the management cluster instead of rendering manifests."""
    cluster = {k: v for k, v in raw["managementCluster"].items() if k != "renderYamlToDirectory"}
    raw["managementCluster"] = {**cluster, "kubeconfig": KUBECONFIG.replace("{}", server)}
    return raw


def planned(raw: dict[str, Any], **kwargs: Any) -> ProgramRun:
    """The plan of `raw` (planned once per test run: tests/conftest.py `plan`)."""
    return plan(copy.deepcopy(raw), **kwargs)


def transition(before: dict[str, Any], after: dict[str, Any], **kwargs: Any) -> Transition:
    return Transition(planned(before, **kwargs), planned(after, **kwargs))


def names(changes: list[Change]) -> list[str]:
    return sorted(f"{c.type} {c.name}" for c in changes)


# --- the harness itself ----------------------------------------------------------------------------
def registration(name: str, type_token: str = "aws:ec2/subnet:Subnet", **fields: Any) -> Registration:
    defaults: dict[str, Any] = {"custom": True, "parent": "", "provider": "", "depends_on": [], "options": {}}
    return Registration(urn=f"urn:{type_token}::{name}", type=type_token, name=name, **{**defaults, **fields})


def run_of(*registrations: Registration) -> ProgramRun:
    return ProgramRun(config=None, stack="test", registrations={r.urn: r for r in registrations}, outputs={})


def test_a_removed_protected_resource_is_a_danger() -> None:
    subnet = registration("a", options={"protect": True}, inputs={"cidrBlock": "10.0.0.0/24"})
    change = Transition(run_of(subnet), run_of())
    assert [(c.kind, c.danger) for c in change.dangers()] == [("removed", "protected")]
    assert change.problems() == ["removed aws:ec2/subnet:Subnet a (protected)"]
    assert change.problems(may_remove=lambda c: c.name == "a") == []


def test_an_input_the_provider_cannot_update_replaces_the_resource() -> None:
    before = registration("a", options={"protect": True}, inputs={"cidrBlock": "10.0.0.0/24", "tags": {"k": "1"}})
    after = registration("a", options={"protect": True}, inputs={"cidrBlock": "10.0.1.0/24", "tags": {"k": "1"}})
    (change,) = Transition(run_of(before), run_of(after)).changes
    assert (change.kind, change.reasons, change.danger) == ("replaced", ("inputs.cidrBlock",), "protected")
    retagged = registration("a", options={"protect": True}, inputs={"cidrBlock": "10.0.0.0/24", "tags": {"k": "2"}})
    (change,) = Transition(run_of(before), run_of(retagged)).changes
    assert (change.kind, change.changes) == ("changed", ("inputs.tags.k",))


def test_an_alias_standing_for_the_old_urn_makes_the_resource_aliased() -> None:
    old = registration("old", IDENTITY.format("v1beta2"), inputs={"apiVersion": "v1beta2", "metadata": {"name": "x"}})
    new = registration(
        "old",
        IDENTITY.format("v1beta1"),
        inputs={"apiVersion": "v1beta1", "metadata": {"name": "x"}},
        options={"aliases": [old.urn]},
    )
    unaliased = registration("old", IDENTITY.format("v1beta1"), inputs=new.inputs)
    assert [(c.kind, c.former_urn, c.changes) for c in Transition(run_of(old), run_of(new)).changes] == [
        ("aliased", old.urn, ("inputs.apiVersion",))
    ]
    without = Transition(run_of(old), run_of(unaliased))
    assert sorted(c.kind for c in without.changes) == ["added", "removed"]
    assert [c.danger for c in without.dangers()] == ["Kubernetes object"]


def test_a_kubernetes_object_retained_on_delete_is_no_danger_and_a_fixed_name_one_is() -> None:
    retained = registration("a", IDENTITY.format("v1beta2"), options={"retainOnDelete": True}, inputs={})
    role = registration("r", "aws:iam/role:Role", inputs={"name": "controllers.tkg.cloud.vmware.com"})
    assert [c.name for c in Transition(run_of(retained, role), run_of()).dangers()] == ["r"]


def test_without_a_cluster_identifier_a_new_kubeconfig_replaces_every_object() -> None:
    def cluster(kubeconfig: str, identifier: str | None) -> ProgramRun:
        inputs = {"kubeconfig": kubeconfig} | ({"clusterIdentifier": identifier} if identifier else {})
        provider = registration("mgmt", KUBERNETES_PROVIDER, inputs=inputs)
        identity = registration("id", IDENTITY.format("v1beta2"), provider=provider.urn, inputs={"spec": {}})
        return run_of(provider, identity)

    replaced = Transition(cluster("old", None), cluster("rotated", None))
    assert [(c.name, c.reasons) for c in replaced.dangers()] == [("id", ("provider replaced",))]
    kept = Transition(cluster("old", "mgmt"), cluster("rotated", "mgmt"))
    assert kept.dangers() == [] and {c.kind for c in kept.changes} == {"changed", "same"}


def test_updates_outside_the_named_inputs_are_problems() -> None:
    before = registration("e", "aws:ec2/vpcEndpoint:VpcEndpoint", inputs={"subnetIds": ["a"], "tags": {}})
    after = registration("e", "aws:ec2/vpcEndpoint:VpcEndpoint", inputs={"subnetIds": ["a", "b"], "tags": {}})
    change = Transition(run_of(before), run_of(after))
    assert change.problems() == ["changed aws:ec2/vpcEndpoint:VpcEndpoint e: inputs.subnetIds"]
    assert change.problems(may_update=AZ_LIST_INPUTS) == []


# --- availability zones ----------------------------------------------------------------------------
AZ_CHANGES = {
    "at the start": (["us-west-2b", "us-west-2c"], ["us-west-2a", "us-west-2b", "us-west-2c"], "us-west-2a"),
    "in the middle": (["us-west-2a", "us-west-2c"], ["us-west-2a", "us-west-2b", "us-west-2c"], "us-west-2b"),
    "at the end": (["us-west-2a", "us-west-2b"], ["us-west-2a", "us-west-2b", "us-west-2c"], "us-west-2c"),
}


@pytest.mark.parametrize("where", sorted(AZ_CHANGES))
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_with_the_nat_gateway_pinned_adding_an_az_anywhere_removes_and_replaces_nothing(stack: str, where: str):
    before_azs, after_azs, new_az = AZ_CHANGES[where]
    raw = dev() if stack == "dev" else prod()
    pin = {"natGatewayAz": before_azs[-1]} if stack == "dev" else {}  # prod has a NAT gateway per AZ
    change = transition(
        with_network(copy.deepcopy(raw), availabilityZones=before_azs, **pin),
        with_network(raw, availabilityZones=after_azs, **pin),
    )
    assert change.of_kind("removed", "replaced") == []
    assert change.problems(may_update=AZ_LIST_INPUTS) == []
    added = change.of_kind("added")
    assert added and all(new_az in c.name for c in added), names(added)


def test_an_unpinned_single_nat_gateway_moves_to_an_az_that_sorts_first() -> None:
    before = with_network(dev(), availabilityZones=["us-west-2b"], natGatewayAz=None)
    change = transition(before, with_network(dev(), availabilityZones=["us-west-2a", "us-west-2b"], natGatewayAz=None))
    assert names(change.dangers()) == [
        "aws:ec2/eip:Eip network-nat-us-west-2b",
        "aws:ec2/natGateway:NatGateway network-nat-us-west-2b",
    ]


def test_removing_the_last_az_removes_exactly_that_azs_resources_and_names_the_protected_ones() -> None:
    change = transition(prod(), with_network(prod(), availabilityZones=["us-west-2a", "us-west-2b"]))
    removed = change.of_kind("removed")
    assert removed and all("us-west-2c" in c.name for c in removed), names(removed)
    assert change.of_kind("replaced", "added") == []
    # The interface endpoints list every AZ's subnet: theirs is the one in-place update.
    changed = change.of_kind("changed")
    assert {(c.type, c.changes) for c in changed} == {("aws:ec2/vpcEndpoint:VpcEndpoint", ("inputs.subnetIds",))}
    assert names(change.dangers()) == [
        "aws:ec2/eip:Eip network-nat-us-west-2c",
        "aws:ec2/natGateway:NatGateway network-nat-us-west-2c",
        "aws:ec2/routeTable:RouteTable network-private-us-west-2c",
        "aws:ec2/subnet:Subnet network-private-us-west-2c",
        "aws:ec2/subnet:Subnet network-public-us-west-2c",
    ]
    assert {c.danger for c in change.dangers()} == {"protected"}


def test_unprotecting_the_network_first_changes_only_the_protection() -> None:
    change = transition(prod(), with_network(prod(), protect=False))
    changed = change.of_kind("changed")
    assert len(changed) == 1 + 6 + 3 + 3 + 4  # VPC, subnets, NAT gateways, EIPs, route tables
    assert {c.changes for c in changed} == {("options.protect",)}
    assert change.of_kind("added", "removed", "replaced", "aliased") == []


# --- cluster names and tags ------------------------------------------------------------------------
def test_adding_and_removing_a_cluster_name_only_adds_and_removes_its_tags() -> None:
    more = with_network(prod(), clusterNames=["tkg-mgmt", "tkg-prod-1", "tkg-gpu-1", "tkg-prod-2"])
    added = transition(prod(), more)
    assert {c.kind for c in added.changes} == {"added", "same"}
    assert {c.type for c in added.of_kind("added")} == {TAG}
    removed = transition(more, prod())
    assert {c.type for c in removed.of_kind("removed")} == {TAG} and removed.dangers() == []
    assert removed.of_kind("changed", "added", "replaced") == []


def test_adding_a_default_tag_updates_the_providers_and_nothing_else() -> None:
    tagged = prod()
    tagged["tags"] = {**tagged["tags"], "owner": "platform-team"}
    change = transition(prod(), tagged)
    assert names(change.of_kind("changed")) == [f"{AWS_PROVIDER} {n}" for n in ("lob-dev", "lob-prod", "management")]
    assert change.problems(may_update={(AWS_PROVIDER, "defaultTags")}) == []


# --- workload accounts -----------------------------------------------------------------------------
LOB_QA = {
    "name": "lob-qa",
    "accountId": "555555555555",
    "deployRoleArn": "arn:aws:iam::555555555555:role/OrganizationAccountAccessRole",
    "identity": {"allowedNamespaces": ["lob-qa"]},
}


def test_adding_a_workload_account_adds_its_resources_and_updates_the_grant_in_place() -> None:
    bigger = prod()
    bigger["workloadAccounts"].append(copy.deepcopy(LOB_QA))
    change = transition(prod(), bigger)
    assert change.of_kind("removed", "replaced", "aliased") == []
    assert names(change.of_kind("changed")) == [f"{POLICY} management-assume-workload-controllers-1"]
    assert change.problems(may_update={(POLICY, "policy")}) == []
    assert all("lob-qa" in c.name for c in change.of_kind("added"))


def test_removing_a_workload_account_takes_unprotecting_it_first_and_leaves_the_rest_protected() -> None:
    smaller = prod()
    smaller["workloadAccounts"] = smaller["workloadAccounts"][1:]
    refused = transition(prod(), smaller)
    assert "protected" in {c.danger for c in refused.dangers()}
    assert all("lob-dev" in c.name for c in refused.of_kind("removed"))

    unprotected = prod()
    unprotected["workloadAccounts"][0]["protect"] = False
    first = transition(prod(), unprotected)
    assert {c.changes for c in first.of_kind("changed")} == {("options.protect",)}
    assert all(c.name.startswith("lob-dev") for c in first.of_kind("changed"))
    then = transition(unprotected, smaller)
    assert "protected" not in {c.danger for c in then.dangers()}
    # What the removal takes on purpose: the account's named IAM objects and its identity.
    assert then.problems(may_remove=lambda c: "lob-dev" in c.name, may_update={(POLICY, "policy")}) == []
    assert {c.danger for c in then.dangers()} == {"fixed name", "Kubernetes object"}
    management = planned(smaller).of_type("aws:iam/role:Role")
    assert {r.options.get("protect") for r in management if r.parent.endswith("::iam")} == {True}


def test_renaming_a_workload_account_keeps_every_resource_through_aliases() -> None:
    renamed = prod()
    account = renamed["workloadAccounts"][0]
    account.update(name="lob-development", formerNames=["lob-dev"])
    account["identity"]["name"] = "lob-dev"  # clusters refer to the identity by this name
    change = transition(prod(), renamed)
    assert change.of_kind("added", "removed", "replaced") == []
    aliased = change.of_kind("aliased")
    assert aliased and all(
        c.name.startswith(("lob-development", "management-cluster-lob-development")) for c in aliased
    )
    # Only the deploy session's name and the identity's account label follow the account's name.
    label = (IDENTITY.format("v1beta2"), "metadata.labels.tkg-aws/workload-account")
    assert change.problems(may_update={(AWS_PROVIDER, "assumeRoles"), label}) == []


def test_a_renamed_account_must_name_its_identity_and_not_reuse_a_current_name() -> None:
    raw = prod()
    raw["workloadAccounts"][0].update(name="lob-development", formerNames=["lob-dev", "lob-prod"])
    with pytest.raises(ConfigError) as raised:
        plan(raw)
    assert raised.value.problems == [
        "tkg-aws:workloadAccounts[0].formerNames: ['lob-prod'] name current accounts (got ['lob-dev', 'lob-prod'])",
        (
            "tkg-aws:workloadAccounts[0].identity.name: a renamed account's AWSClusterRoleIdentity is named after "
            "the account unless set; set it to the identity's current name, e.g. 'lob-prod', so clusters keep "
            "finding it (got none)"
        ),
    ]


# --- the EKS local cluster role of iam.eksLocalClusterRole -------------------------------------------
def registered_in_the_iam_set(name, role_name, beside, set_name, opts):
    """How the role was registered while TKG's IAM set built it: a child of the set, named after it,
    with the set's options (tkg/iam.py ClusterIam before the EKS platform's code built the role)."""
    args = beside.args

    def named(protect: bool) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(
            parent=beside, protect=protect, delete_before_replace=True, retain_on_delete=args.retain_on_delete
        )

    role = aws.iam.Role(
        f"{set_name}-eks-local-cluster",
        name=role_name,
        path=args.path,
        permissions_boundary=args.permissions_boundary,
        assume_role_policy=pulumi.Output.json_dumps(ec2_trust_policy()),
        opts=named(args.protect),
    )
    policy = aws_managed_policy_arn(args.partition, "AmazonEKSLocalOutpostClusterPolicy")
    aws.iam.RolePolicyAttachment(
        f"{set_name}-eks-local-cluster-aws-AmazonEKSLocalOutpostClusterPolicy",
        role=role.name,
        policy_arn=policy,
        opts=named(False),
    )
    return SimpleNamespace(cluster_role=role)


def with_legacy_eks_role(raw: dict[str, Any], **iam: Any) -> dict[str, Any]:
    raw["iam"] = {**raw.get("iam", {}), "eksLocalClusterRole": "edge-eks-cluster", **iam}
    return raw


@pytest.mark.parametrize("iam", [{}, {"adopted": True, "protect": False}])
def test_the_legacy_eks_role_built_by_the_eks_platform_keeps_every_account_s_role_through_aliases(
    monkeypatch: pytest.MonkeyPatch, iam: dict[str, Any]
) -> None:
    raw = with_legacy_eks_role(prod(), **iam)
    monkeypatch.setattr("components.tkg.platform.eks_local_cluster_role", registered_in_the_iam_set)
    monkeypatch.setattr("components.tkg.workload_accounts.eks_local_cluster_role", registered_in_the_iam_set)
    before = run_program(copy.deepcopy(raw), REGION, "test", project_dir=REPO)
    monkeypatch.undo()
    change = Transition(before, planned(raw))
    role_urn = "urn:pulumi:test::tkg-aws::tkg-aws:iam:ClusterIam$aws:iam/role:Role::{}-eks-local-cluster"
    assert {role_urn.format(account) for account in ("iam", "lob-dev", "lob-prod")} <= set(before.registrations)
    aliased = change.of_kind("aliased")
    assert sorted(c.name.removesuffix("-AmazonEKSLocalOutpostClusterPolicy") for c in aliased) == sorted(
        f"{prefix}eks-local-cluster" for prefix in ("", "lob-dev-", "lob-prod-") for _ in range(2)
    )
    # The role and its attachment move under the EKS platform's component; nothing else of theirs changes.
    assert {c.changes for c in aliased} == {("parent",)}
    assert {c.name for c in change.of_kind("added")} == {"eks-local", "lob-dev-eks-local", "lob-prod-eks-local"}
    assert change.of_kind("removed", "replaced", "changed") == [] and change.dangers() == []
    roles = [planned(raw).registrations[c.urn] for c in aliased if c.type == "aws:iam/role:Role"]
    assert {r.options.get("protect", False) for r in roles} == {iam.get("protect", True)}
    assert planned(raw).outputs["iam"] == before.outputs["iam"]


def test_moving_from_iam_eks_local_cluster_role_to_the_eks_local_cluster_section_keeps_the_role() -> None:
    legacy = with_legacy_eks_role(dev(), eksLocalClusterRole="edge-outpost-eks-local-cluster")
    platform = dev()
    platform["eksLocalCluster"] = copy.deepcopy(stack_file("outposts")[0]["eksLocalCluster"])
    change = transition(legacy, platform)
    kept = [c for c in change.changes if "eks-local-cluster" in c.name]
    assert sorted((c.kind, c.type) for c in kept) == [
        ("same", "aws:iam/role:Role"),
        ("same", "aws:iam/rolePolicyAttachment:RolePolicyAttachment"),
    ]
    assert change.of_kind("removed", "replaced", "changed", "aliased") == []


# --- API versions ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("before", "after"), [("v1beta2", "v1beta1"), ("v1beta1", "v1beta2")])
def test_changing_the_identity_api_version_updates_the_same_identities(before: str, after: str) -> None:
    old, new = prod(), prod()
    old["managementCluster"]["identityApiVersion"] = before
    new["managementCluster"]["identityApiVersion"] = after
    change = transition(old, new)
    aliased = change.of_kind("aliased")
    assert [(c.type, c.changes) for c in aliased] == [(IDENTITY.format(after), ("inputs.apiVersion",))] * 2
    assert change.dangers() == [] and change.of_kind("added", "removed") == []


def test_changing_the_cluster_resource_set_api_version_updates_the_same_set() -> None:
    def with_crs(version: str) -> dict[str, Any]:
        raw = dev()
        raw["gpu"] = {
            "enabled": True,
            "delivery": "clusterResourceSet",
            "manifests": GPU_MANIFESTS,
            "clusterResourceSetApiVersion": version,
        }
        return raw

    change = transition(with_crs("v1beta1"), with_crs("v1beta2"))
    assert [(c.kind, c.type) for c in change.of_kind("aliased")] == [
        ("aliased", CLUSTER_RESOURCE_SET.format("v1beta2"))
    ]
    assert change.dangers() == [] and change.of_kind("added", "removed") == []


def test_the_plan_records_each_identitys_urns_under_the_other_versions_and_names() -> None:
    renamed = prod()
    renamed["workloadAccounts"][0].update(name="lob-development", formerNames=["lob-dev"])
    renamed["workloadAccounts"][0]["identity"]["name"] = "lob-dev"
    resources = resources_document(plan(renamed, stack="prod"))["resources"]
    (identity,) = [r for r in resources if r["name"] == "management-cluster-lob-development"]
    parent = "urn:pulumi:prod::tkg-aws::tkg-aws:identities:ClusterIdentities$"
    assert identity["options"]["aliases"] == sorted(
        f"{parent}{IDENTITY.format(version)}::{name}"
        for version in ("v1alpha4", "v1beta1", "v1beta2")
        for name in ("management-cluster-lob-dev", "management-cluster-lob-development")
        if (version, name) != ("v1beta2", "management-cluster-lob-development")
    )


# --- the management cluster ----------------------------------------------------------------------
def test_rotating_the_kubeconfig_replaces_no_kubernetes_object() -> None:
    secret = {"secret_paths": {"managementCluster"}}
    change = transition(on_a_cluster(prod()), on_a_cluster(prod(), server="10.0.0.2"), **secret)
    (provider,) = change.of_kind("changed")
    assert (provider.type, provider.changes) == (KUBERNETES_PROVIDER, ("inputs.kubeconfig",))
    assert change.dangers() == []
    cluster = planned(on_a_cluster(prod()), **secret).of_type(KUBERNETES_PROVIDER)
    assert [p.inputs["clusterIdentifier"] for p in cluster] == ["tkg-aws-management-cluster"]


def test_moving_from_rendered_manifests_to_the_cluster_creates_every_object_there() -> None:
    """The bootstrap's second `up` (README): the render provider is replaced by the cluster's, so
    every object is created in the cluster (and its rendered file deleted)."""
    change = transition(prod(), on_a_cluster(prod()), secret_paths={"managementCluster"})
    replaced = change.of_kind("replaced")
    assert replaced and {c.reasons for c in replaced} == {("provider replaced",)}
    assert {c.type.split(":")[0] for c in replaced} == {"kubernetes"}


# --- scale -------------------------------------------------------------------------------------------
def generated_accounts(count: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"account-{i:03d}",
            "accountId": f"{400000000000 + i}",
            "deployRoleArn": f"arn:aws:iam::{400000000000 + i}:role/OrganizationAccountAccessRole",
            "identity": {"allowedNamespaces": [f"tenant-{i:03d}"]},
        }
        for i in range(count)
    ]


def role_inline_sizes(run: ProgramRun) -> dict[tuple[str, str], int]:
    """IAM's size of each role's inline policies together (its limit: 10,240 characters)."""
    inline: dict[tuple[str, str], int] = {}
    for policy in run.of_type("aws:iam/rolePolicy:RolePolicy"):
        key = (policy.provider, policy.inputs["role"])
        inline[key] = inline.get(key, 0) + iam_size(json.loads(policy.inputs["policy"]))
    return inline


def managed_sizes(run: ProgramRun) -> list[int]:
    """IAM's size of each managed policy but the grant on the workload roles."""
    return [iam_size(json.loads(p.inputs["policy"])) for p in run.of_type(POLICY) if "assume-workload" not in p.name]


def test_growing_from_10_to_100_accounts_grows_no_policy_but_the_grant_which_splits_within_iams_limits() -> None:
    """Listed one ARN at a time, the management grant on the workload controllers roles outgrows one
    managed policy (6,144 characters) at 92 accounts; no other policy may grow with the count at all,
    so none reaches IAM's limits at any count (an inline grant once outgrew 10,240 characters at 138).
    The split itself at 500 accounts: tests/tkg/test_assume_grants.py and the benchmark (`make bench`)."""
    small, large = prod(), prod()
    small["workloadAccounts"], large["workloadAccounts"] = generated_accounts(10), generated_accounts(100)
    before, after = planned(small), planned(large)
    change = Transition(before, after)
    assert change.of_kind("removed", "replaced", "aliased") == []
    grants = [p for p in after.of_type(POLICY) if "assume-workload" in p.name]
    assert [(c.type, c.name, c.changes) for c in change.of_kind("changed")] == [
        (POLICY, grants[0].name, ("inputs.policy",))
    ]
    sizes = [iam_size(json.loads(p.inputs["policy"])) for p in grants]
    assert len(grants) == 2 and max(sizes) <= 6144, sizes
    granted = [arn for p in grants for arn in json.loads(p.inputs["policy"])["Statement"][0]["Resource"]]
    assert len(granted) == len(set(granted)) == 100
    # Every account's roles carry the same inline policies, whatever the count.
    assert max(role_inline_sizes(after).values()) == max(role_inline_sizes(before).values()) <= 10240
    assert max(managed_sizes(after)) == max(managed_sizes(before))
    assert len(kubernetes_objects(after)) == 100 + 1  # identities and the HelmChartProxy


def test_the_docs_say_what_each_day_2_change_does() -> None:
    section = (REPO / "docs" / "day-2.md").read_text()
    for change in (
        "add an AZ",
        "remove an AZ",
        "network.protect: false",
        "natGatewayAz",
        "cluster name",
        "default tag",
        "add a workload account",
        "remove a workload account",
        "rename a workload account",
        "hundreds of accounts",
        "identityApiVersion",
        "clusterResourceSetApiVersion",
        "rotate the kubeconfig",
        "rebuilt",
        "unreachable",
    ):
        assert change in section, change
