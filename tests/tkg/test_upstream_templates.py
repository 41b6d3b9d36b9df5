"""The policy goldens against the upstream TKG and CAPA templates, and the deployed IAM set against both.

The chain: the program deploys what the goldens hold (the offline plan of the dev stack in each
variant, and every account of prod), and each golden equals the upstream template's document
(tests/data/upstream-iam/, vendored with its provenance) except where tests/upstream_differences.py
says otherwise and why. The names, attachments and instance profiles the plan deploys are compared
with the same templates, so a suffix, an attachment or an inline policy name cannot drift either.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from typing import Any

import pytest

from components.tkg.iam import ClusterIam
from tests.conftest import DATA, GOLDEN, plan, stack_file
from tests.upstream_differences import DIFFERENCES
from tools.plan.mocks import Registration
from tools.plan.program import ProgramRun

UPSTREAM_FILE = DATA / "upstream-iam" / "variants.json"
UPSTREAM_SHA256 = "34c6adefcbdc40490db6562ef73783aae0a0b4a1ceec08dc563f6b637c8ac245"
UPSTREAM = json.loads(UPSTREAM_FILE.read_text())["variants"]

VARIANTS = {
    # golden folder: (upstream variant, the stack's iam settings that deploy it)
    "tkg": ("tkg", {"profile": "tkg", "tmcPermissions": True}),
    "tkg-without-tmc": ("tkg-tmc-disabled", {"profile": "tkg", "tmcPermissions": False}),
    "capa": ("capa", {"profile": "capa", "tmcPermissions": False}),
}
SET_FACTS = (
    "roles",
    "managed policies",
    "instance profiles",
    "attachments",
    "inline policies",
    "AWS-managed attachments",
    "paths",
)

CLUSTER_IAM = ClusterIam.TYPE_TOKEN
ROLE = "aws:iam/role:Role"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
POLICY = "aws:iam/policy:Policy"
INLINE = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
IAM_TYPES = (ROLE, PROFILE, POLICY, INLINE, ATTACHMENT)

Document = dict[str, Any]


# --- comparing documents the way IAM reads them -----------------------------------------------------
def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def normal_statement(entry: Document) -> Document:
    """A statement with every list IAM reads as a set sorted; repeats are kept, so they still count."""
    normal: Document = {}
    for key, value in entry.items():
        if key in ("Action", "NotAction", "Resource", "NotResource"):
            normal[key] = sorted(as_list(value))
        elif key in ("Principal", "NotPrincipal") and isinstance(value, dict):
            normal[key] = {kind: sorted(as_list(ids)) for kind, ids in value.items()}
        elif key == "Condition":
            normal[key] = {op: {k: sorted(as_list(v)) for k, v in pairs.items()} for op, pairs in value.items()}
        else:
            normal[key] = value
    return normal


def scope(entry: Document) -> str:
    """Everything of a normal statement but its actions: what two versions of one statement share."""
    return json.dumps({k: v for k, v in entry.items() if k not in ("Action", "NotAction")}, sort_keys=True)


def document_differences(ours: Document, upstream: Document) -> list[str]:
    """How `ours` differs from `upstream`, one line per difference; none when IAM reads them alike."""
    found = [
        f"{key}: {ours.get(key)!r} here, {upstream.get(key)!r} upstream"
        for key in sorted((set(ours) | set(upstream)) - {"Statement"})
        if ours.get(key) != upstream.get(key)
    ]
    mine = Counter(json.dumps(normal_statement(s), sort_keys=True) for s in as_list(ours.get("Statement", [])))
    theirs = Counter(json.dumps(normal_statement(s), sort_keys=True) for s in as_list(upstream.get("Statement", [])))
    unmatched: dict[str, dict[str, list[Document]]] = defaultdict(lambda: {"here": [], "upstream": []})
    for side, extra in (("here", mine - theirs), ("upstream", theirs - mine)):
        for text in extra.elements():
            entry = json.loads(text)
            unmatched[scope(entry)][side].append(entry)
    for sides in unmatched.values():
        found += statement_differences(sides["here"], sides["upstream"])
    return sorted(found)


def statement_differences(here: list[Document], upstream: list[Document]) -> list[str]:
    """One statement on each side with the same scope: which actions differ. Otherwise whole statements."""
    if len(here) == 1 and len(upstream) == 1:
        ours, theirs = here[0], upstream[0]
        label = f"[{ours['Sid']}] " if "Sid" in ours else ""
        on = ", ".join(ours.get("Resource", ours.get("NotResource", [])))
        counts_here = Counter(ours.get("Action", ours.get("NotAction", [])))
        counts_upstream = Counter(theirs.get("Action", theirs.get("NotAction", [])))
        return [
            f"{label}{action} on {on}: {counts_here[action]} here, {counts_upstream[action]} upstream"
            for action in sorted(set(counts_here) | set(counts_upstream))
            if counts_here[action] != counts_upstream[action]
        ]
    return [f"statement only here: {compact(s)}" for s in here] + [
        f"statement only upstream: {compact(s)}" for s in upstream
    ]


def compact(entry: Document) -> str:
    return json.dumps(entry, sort_keys=True, separators=(",", ":"))


def documents_differences(ours: dict[str, Document], upstream: dict[str, Document]) -> set[tuple[str, str]]:
    """(document, what) for every difference between two sets of documents, keyed by golden name."""
    found = {(name, "only here") for name in set(ours) - set(upstream)}
    found |= {(name, "only upstream") for name in set(upstream) - set(ours)}
    for name in set(ours) & set(upstream):
        found |= {(name, what) for what in document_differences(ours[name], upstream[name])}
    return found


# --- the two sides --------------------------------------------------------------------------------
def with_placeholder(value: Any, suffix: str) -> Any:
    """`value` with the name suffix written `{suffix}`, as the upstream data writes it."""
    return json.loads(json.dumps(value).replace(json.dumps(suffix)[1:-1], "{suffix}"))


def upstream_documents(variant: str) -> dict[str, Document]:
    """The upstream variant's documents, by golden file name: <base>, <role>-trust, <role>-inline."""
    source = UPSTREAM[VARIANTS[variant][0]]
    found = {base: policy["document"] for base, policy in source["managed_policies"].items()}
    for base, role in source["roles"].items():
        found[f"{base}-trust"] = role["trust"]
        assert len(role["inline"]) <= 1, "a golden per role holds its one inline policy (tkg-cloud-vmware-com)"
        for inline in role["inline"].values():
            found[f"{base}-inline"] = inline["document"]
    return found


def golden_documents(variant: str) -> dict[str, Document]:
    suffix = UPSTREAM[VARIANTS[variant][0]]["suffix"]
    paths = sorted((GOLDEN / "policies" / variant).glob("*.json"))
    return {path.stem: with_placeholder(json.loads(path.read_text()), suffix) for path in paths}


def upstream_facts(variant: str) -> dict[str, Any]:
    """The upstream variant's IAM set by name: what exists, which role holds what, under which path."""
    source = UPSTREAM[VARIANTS[variant][0]]
    roles, policies = source["roles"], source["managed_policies"]

    def role_names(bases: list[str]) -> list[str]:
        return sorted(roles[base]["name"] for base in bases)

    everything = [*roles.values(), *policies.values(), *source["instance_profiles"].values()]
    return {
        "roles": sorted(role["name"] for role in roles.values()),
        "managed policies": sorted(policy["name"] for policy in policies.values()),
        # Upstream names each instance profile after its role base, suffix included.
        "instance profiles": {
            f"{base}{{suffix}}": role_names(p["roles"]) for base, p in source["instance_profiles"].items()
        },
        "attachments": {policy["name"]: role_names(policy["roles"]) for policy in policies.values()},
        "inline policies": {role["name"]: sorted(role["inline"]) for role in roles.values() if role["inline"]},
        "AWS-managed attachments": {
            role["name"]: sorted(role["managed_policy_arns"]) for role in roles.values() if role["managed_policy_arns"]
        },
        "paths": sorted({item["path"] or "/" for item in everything}),  # CloudFormation's default path is /
    }


def iam_sets(run: ProgramRun) -> dict[str, list[Registration]]:
    """Every ClusterIam of a plan (one per account) with the IAM resources it holds, by component name."""
    components = {r.urn: r.name for r in run.of_type(CLUSTER_IAM)}
    sets: dict[str, list[Registration]] = {name: [] for name in components.values()}
    for registration in run.registrations.values():
        if registration.parent in components and registration.type in IAM_TYPES:
            sets[components[registration.parent]].append(registration)
    return sets


def deployed_facts(resources: list[Registration], suffix: str) -> dict[str, Any]:
    """The same facts as upstream_facts, read from one ClusterIam's registered inputs."""

    def of(type_token: str) -> list[dict[str, Any]]:
        return [r.inputs for r in resources if r.type == type_token]

    ours = {policy["name"] for policy in of(POLICY)}
    attachments: dict[str, list[str]] = defaultdict(list)
    aws_managed: dict[str, list[str]] = defaultdict(list)
    for attachment in of(ATTACHMENT):
        policy_name = attachment["policyArn"].rsplit("/", 1)[-1]
        if policy_name in ours:
            attachments[policy_name].append(attachment["role"])
        else:
            aws_managed[attachment["role"]].append(attachment["policyArn"])
    inline: dict[str, list[str]] = defaultdict(list)
    for policy in of(INLINE):
        inline[policy["role"]].append(policy["name"])
    facts = {
        "roles": sorted(role["name"] for role in of(ROLE)),
        "managed policies": sorted(ours),
        "instance profiles": {profile["name"]: [profile["role"]] for profile in of(PROFILE)},
        "attachments": {name: sorted(roles) for name, roles in attachments.items()},
        "inline policies": {role: sorted(names) for role, names in inline.items()},
        "AWS-managed attachments": {role: sorted(arns) for role, arns in aws_managed.items()},
        "paths": sorted({r.get("path", "/") for r in [*of(ROLE), *of(POLICY), *of(PROFILE)]}),
    }
    return with_placeholder(facts, suffix)


def facts_differences(ours: dict[str, Any], upstream: dict[str, Any]) -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for fact in SET_FACTS:
        here, there = ours[fact], upstream[fact]
        if isinstance(there, dict):
            found |= {
                (fact, f"{key}: {here.get(key)} here, {there.get(key)} upstream")
                for key in set(here) | set(there)
                if here.get(key) != there.get(key)
            }
        else:
            found |= {(fact, f"{item} only here") for item in set(here) - set(there)}
            found |= {(fact, f"{item} only upstream") for item in set(there) - set(here)}
    return found


def deployed_documents(resources: list[Registration], suffix: str) -> dict[str, Document]:
    """One ClusterIam's documents by golden file name, as the provider receives them."""
    found: dict[str, Document] = {}
    for r in resources:
        if r.type == POLICY:
            found[r.inputs["name"].removesuffix(suffix)] = json.loads(r.inputs["policy"])
        elif r.type == ROLE:
            found[r.inputs["name"].removesuffix(suffix) + "-trust"] = json.loads(r.inputs["assumeRolePolicy"])
        elif r.type == INLINE:
            found[r.inputs["role"].removesuffix(suffix) + "-inline"] = json.loads(r.inputs["policy"])
    return found


def listed(variant: str, documents: set[str] | tuple[str, ...]) -> set[tuple[str, str]]:
    return {(document, what) for (v, document, what) in DIFFERENCES if v == variant and document in documents}


def explain(variant: str, unexpected: set[tuple[str, str]], stale: set[tuple[str, str]]) -> str:
    source = UPSTREAM[VARIANTS[variant][0]]["source"]
    lines = [f"{variant} against {source}:"]
    lines += [f"  not listed in tests/upstream_differences.py: {d}: {w}" for d, w in sorted(unexpected)]
    lines += [f"  listed but no longer found: {d}: {w}" for d, w in sorted(stale)]
    return "\n".join(lines)


# --- plans ----------------------------------------------------------------------------------------
def dev_in(variant: str) -> dict[str, Any]:
    raw = copy.deepcopy(stack_file("dev")[0])
    raw["iam"] = {**raw.get("iam", {}), **VARIANTS[variant][1]}
    return raw


@pytest.fixture(scope="module")
def dev_plans() -> dict[str, ProgramRun]:
    """The dev stack planned once in each variant."""
    return {variant: plan(dev_in(variant), stack="dev") for variant in VARIANTS}


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return plan(stack_file("prod")[0], stack="prod")


def only_iam_set(run: ProgramRun) -> list[Registration]:
    (resources,) = iam_sets(run).values()
    return resources


# --- the vendored data ----------------------------------------------------------------------------
def test_the_vendored_templates_are_the_recorded_upstream_copy():
    # Edited by hand, the copy could be made to agree with a golden; its digest is recorded with its provenance.
    assert hashlib.sha256(UPSTREAM_FILE.read_bytes()).hexdigest() == UPSTREAM_SHA256
    assert {source for source, _ in VARIANTS.values()} == set(UPSTREAM)


def cited_documents() -> Iterator[tuple[str, Document, list[Document]]]:
    """(`variant/document`, the document, its evidence) for every upstream document."""
    for variant, source in UPSTREAM.items():
        for base, policy in source["managed_policies"].items():
            yield f"{variant}/{base}", policy["document"], policy["evidence"]
        for base, role in source["roles"].items():
            yield f"{variant}/{base}-trust", role["trust"], role["trust_evidence"]
            for name, inline in role["inline"].items():
                yield f"{variant}/{base}-inline/{name}", inline["document"], inline["evidence"]


CITED = {name: (document, evidence) for name, document, evidence in cited_documents()}


@pytest.mark.parametrize("name", CITED)
def test_every_upstream_action_and_resource_names_the_line_it_comes_from(name):
    document, evidence = CITED[name]
    variant = name.split("/")[0]
    prefix = UPSTREAM[variant]["source"].split(":", 1)[0] + ":"  # owner/repo@tag:
    assert all(e["at"].startswith(prefix) and e["at"].rsplit(":", 1)[1].isdigit() for e in evidence), name
    for number, entry in enumerate(document["Statement"]):
        cited = Counter((e["kind"], e["value"]) for e in evidence if e["statement"] == number)
        items = Counter(("Action", a) for a in as_list(entry["Action"]))
        items += Counter(("Resource", r) for r in as_list(entry.get("Resource", [])))
        assert cited[("Statement", None)] == 1, (variant, name, number)
        assert cited - Counter({("Statement", None): 1}) == items, (variant, name, number)


# --- goldens against upstream ---------------------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_each_golden_equals_its_upstream_document_but_for_the_listed_differences(variant):
    goldens, upstream = golden_documents(variant), upstream_documents(variant)
    assert goldens, f"no goldens under tests/golden/policies/{variant}/"
    found = documents_differences(goldens, upstream)
    expected = listed(variant, set(goldens) | set(upstream))
    assert found == expected, explain(variant, found - expected, expected - found)


def test_every_listed_difference_names_a_variant_a_document_and_a_reason():
    for (variant, document, what), reason in DIFFERENCES.items():
        assert variant in VARIANTS, variant
        assert document in SET_FACTS or (GOLDEN / "policies" / variant / f"{document}.json").is_file(), document
        assert what and reason.strip(), (variant, document, what)


# --- the comparison itself: it must not pass on documents that differ --------------------------------
UPSTREAM_CONTROLLERS = UPSTREAM["capa"]["managed_policies"]["controllers"]["document"]


def test_the_comparison_ignores_the_order_of_statements_and_actions():
    shuffled = copy.deepcopy(UPSTREAM_CONTROLLERS)
    shuffled["Statement"].reverse()
    for entry in shuffled["Statement"]:
        entry["Action"] = sorted(as_list(entry["Action"]), reverse=True)
    assert document_differences(shuffled, UPSTREAM_CONTROLLERS) == []


def test_the_comparison_names_a_missing_a_repeated_and_a_rescoped_action():
    changed = copy.deepcopy(UPSTREAM_CONTROLLERS)
    first = changed["Statement"][0]
    first["Action"] = [a for a in first["Action"] if a != "ec2:RunInstances"] + ["ec2:CreateVpc"]
    changed["Statement"][-1]["Resource"] = ["arn:*:iam::*:role/*"]
    found = document_differences(changed, UPSTREAM_CONTROLLERS)
    assert "ec2:RunInstances on *: 0 here, 1 upstream" in found
    assert "ec2:CreateVpc on *: 2 here, 1 upstream" in found
    assert [line.split(":")[0] for line in found if line.startswith("statement")] == [
        "statement only here",
        "statement only upstream",
    ]


def test_the_comparison_names_a_document_only_one_side_has():
    found = documents_differences({"nodes": {"Statement": []}}, {"controllers": {"Statement": []}})
    assert found == {("nodes", "only here"), ("controllers", "only upstream")}


# --- the plan against the goldens and upstream ------------------------------------------------------
@pytest.mark.parametrize("variant", VARIANTS)
def test_the_deployed_documents_are_the_goldens(dev_plans, variant):
    suffix = UPSTREAM[VARIANTS[variant][0]]["suffix"]
    deployed = with_placeholder(deployed_documents(only_iam_set(dev_plans[variant]), suffix), suffix)
    assert deployed == golden_documents(variant)  # exactly: same statements, same order


@pytest.mark.parametrize("variant", VARIANTS)
def test_the_deployed_iam_set_is_upstream_s_but_for_the_listed_differences(dev_plans, variant):
    suffix = UPSTREAM[VARIANTS[variant][0]]["suffix"]
    found = facts_differences(deployed_facts(only_iam_set(dev_plans[variant]), suffix), upstream_facts(variant))
    expected = listed(variant, SET_FACTS)
    assert found == expected, explain(variant, found - expected, expected - found)


def test_every_account_of_prod_deploys_the_tkg_goldens(prod):
    """One template everywhere: the management account and each workload account get the same set;
    a workload controllers role also trusts the management side's CAPA principals, and nobody else."""
    suffix = UPSTREAM["tkg"]["suffix"]
    goldens, management = golden_documents("tkg"), prod.config.management_cluster.account_id
    sets = iam_sets(prod)
    assert len(sets) == 1 + len(prod.config.workload_accounts)
    for name, resources in sets.items():
        deployed = with_placeholder(deployed_documents(resources, suffix), suffix)
        assert facts_differences(deployed_facts(resources, suffix), upstream_facts("tkg")) == set(), name
        if name == "iam":
            assert deployed == goldens
            continue
        trust = deployed.pop("controllers-trust")
        assert deployed == {k: v for k, v in goldens.items() if k != "controllers-trust"}, name
        upstream_part, management_part = trust["Statement"][:1], trust["Statement"][1:]
        assert upstream_part == goldens["controllers-trust"]["Statement"], name
        assert management_part and all(
            s["Principal"] == {"AWS": [f"arn:aws:iam::{management}:root"]}
            and s["Condition"]["ArnEquals"]["aws:PrincipalArn"]
            == sorted(prod.config.management_cluster.capa_principal_arns)
            for s in management_part
        ), name
