"""Adopting what already exists: the plan's `import.json` and the stacks that would collide.

An account prepared by `tanzu mc permissions aws set` or `clusterawsadm` already holds the IAM set
under TKG's fixed names, and a first `pulumi up` would fail on EntityAlreadyExists. `import.json`
lists those resources in Pulumi's bulk-import format (`pulumi import --file`): each with the import
ID its pulumi-aws resource documents, its parent (the components of this program, as `component`
entries of the file) and its provider (from the file's `nameTable`, by the URN the provider has in
the stack). Resources the program invents (the AssumeRole grants, whose names carry the stack) and
key pairs without a given public key (a generated key would replace the existing one) are left out.

The same fixed names decide collisions: two stack files of the repository that would create one of
them in the same account (and region, for key pairs) are refused, naming both stacks.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from components.naming import PROJECT
from components.tkg.iam import ClusterIam
from components.tkg.policies import template
from components.tkg.policies.tanzu import INLINE_POLICY_NAME
from tools.plan.program import ProgramRun

ROLE = "aws:iam/role:Role"
INSTANCE_PROFILE = "aws:iam/instanceProfile:InstanceProfile"
POLICY = "aws:iam/policy:Policy"
INLINE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
KEY_PAIR = "aws:ec2/keyPair:KeyPair"
AWS_PROVIDER = "pulumi:providers:aws"
IAM_SET = ClusterIam.TYPE_TOKEN


@dataclass(frozen=True)
class FixedName:
    """A resource whose AWS identity is its name: at most one can exist per account (and region)."""

    urn: str
    type: str
    name: str
    """What IAM or EC2 calls it: role name, policy ARN, `role:policy`, `role/policyArn`, key name."""
    account: str
    region: str | None
    """Key pairs are per region; IAM is global to its account."""


def fixed_names(run: ProgramRun) -> list[FixedName]:
    """Every resource of the upstream TKG/CAPA template (per account) and every imported key pair."""
    accounts = provider_accounts(run)
    found = []
    for urn, reg in sorted(run.registrations.items()):
        import_id = _template_import_id(run, reg, accounts.get(reg.provider, ""))
        if import_id is not None:
            region = run.config.region if reg.type == KEY_PAIR else None
            found.append(FixedName(urn, reg.type, import_id, accounts.get(reg.provider, ""), region))
    return found


def provider_accounts(run: ProgramRun) -> dict[str, str]:
    """Provider URN -> the account it is pinned to."""
    accounts = {}
    for urn, reg in run.registrations.items():
        allowed = reg.inputs.get("allowedAccountIds") if reg.type == AWS_PROVIDER else None
        if allowed:
            # Nested provider inputs reach the engine JSON-encoded.
            accounts[urn] = (json.loads(allowed) if isinstance(allowed, str) else allowed)[0]
    return accounts


def _template_import_id(run: ProgramRun, reg: Any, account: str) -> str | None:
    inputs = reg.inputs
    if reg.type == KEY_PAIR:
        return str(inputs["keyName"]) if run.config.key_pair.public_key is not None else None
    if not _in_iam_set(run, reg):
        return None
    names = _template_names(run.config.iam.suffix)
    if reg.type in (ROLE, INSTANCE_PROFILE) and inputs["name"] in names:
        return str(inputs["name"])
    if reg.type == POLICY and inputs["name"] in names:
        return f"arn:{run.config.partition}:iam::{account}:policy{inputs.get('path', '/')}{inputs['name']}"
    if reg.type == INLINE_POLICY and inputs["name"] == INLINE_POLICY_NAME:
        return f"{inputs['role']}:{inputs['name']}"
    if reg.type == ATTACHMENT and _is_template_attachment(run.config.iam.suffix, inputs):
        return f"{inputs['role']}/{inputs['policyArn']}"
    return None


def _in_iam_set(run: ProgramRun, reg: Any) -> bool:
    parent = run.registrations.get(reg.parent)
    return parent is not None and parent.type == IAM_SET


def _template_names(suffix: str) -> set[str]:
    return {base + suffix for base in template.ROLES}


def _is_template_attachment(suffix: str, inputs: dict[str, Any]) -> bool:
    """One of the five attachments of the template: a set's own policy on a set's own role."""
    role, policy = inputs["role"], inputs["policyArn"].rsplit("/", 1)[-1]
    return any(
        role == role_base + suffix and policy in {b + suffix for b in policies}
        for role_base, policies in template.ATTACHMENTS.items()
    )


# --- import.json ---------------------------------------------------------------------------------
def import_document(run: ProgramRun) -> dict[str, Any]:
    """Pulumi's bulk-import file for every fixed-name resource of the plan."""
    wanted = fixed_names(run)
    name_table = {}
    entries: dict[str, dict[str, Any]] = {}
    for fixed in wanted:
        reg = run.registrations[fixed.urn]
        provider = run.registrations[reg.provider]
        provider_name = f"provider:{provider.name}"
        name_table[provider_name] = engine_urn(run.stack, AWS_PROVIDER, provider.name)
        parent = _add_component_chain(run, reg.parent, entries)
        entries[fixed.urn] = {
            "type": reg.type,
            "name": _file_name(reg),
            "logicalName": reg.name,
            "id": fixed.name,
            "provider": provider_name,
            **({"parent": parent} if parent else {}),
        }
    components = sorted((e for e in entries.values() if e.get("component")), key=lambda e: e["name"])
    resources = sorted((e for e in entries.values() if not e.get("component")), key=lambda e: e["name"])
    return {"nameTable": dict(sorted(name_table.items())), "resources": components + resources}


def _add_component_chain(run: ProgramRun, parent_urn: str, entries: dict[str, dict[str, Any]]) -> str | None:
    """Add the component parents of a resource as `component` entries; returns the parent's file name."""
    parent = run.registrations.get(parent_urn)
    if parent is None:  # the stack itself
        return None
    if parent_urn not in entries:
        grandparent = _add_component_chain(run, parent.parent, entries)
        entries[parent_urn] = {
            "type": parent.type,
            "name": _file_name(parent),
            "logicalName": parent.name,
            "component": True,
            **({"parent": grandparent} if grandparent else {}),
        }
    return str(entries[parent_urn]["name"])


def _file_name(reg: Any) -> str:
    """The entry's name inside the file, unique where logical names repeat across types."""
    return f"{reg.type}::{reg.name}"


def engine_urn(stack: str, type_token: str, name: str) -> str:
    """The URN the engine gives a top-level resource (the mocks prefix the stack's type)."""
    return f"urn:pulumi:{stack}::{PROJECT}::{type_token}::{name}"


def provider_targets(document: dict[str, Any]) -> list[str]:
    """URNs of the providers an import needs to find in the stack first (`pulumi up --target`)."""
    return sorted(set(document["nameTable"].values()))


# --- collisions ----------------------------------------------------------------------------------
def collisions(this: ProgramRun, others: list[ProgramRun]) -> list[str]:
    """Problem lines for fixed names this stack would create that another stack creates too."""
    mine = {(f.type, f.name, f.account, f.region): f for f in _created(this)}
    problems = []
    for other in others:
        shared = sorted(key for key in {(f.type, f.name, f.account, f.region) for f in _created(other)} if key in mine)
        by_key: dict[str, list[tuple[str, str, str, str | None]]] = {}
        for found in shared:
            by_key.setdefault(_responsible_key(this, mine[found]), []).append(found)
        for key, names in sorted(by_key.items()):
            typ, name, account, region = names[0]
            where = f"account {account}" + (f" and region {region}" if region else "") if account else "every account"
            more = f" and {len(names) - 1} more" if len(names) > 1 else ""
            problems.append(
                f"tkg-aws:{key}: stacks {this.stack} and {other.stack} both create {_kind(typ)} {name}{more} in "
                f"{where}; {COLLISION_FIXES[key]} (got stacks {this.stack} and {other.stack})"
            )
    return problems


# The config key that names what collides, and what to do about it.
COLLISION_FIXES = {
    "keyPair.name": "give one stack another keyPair.name",
    "iam": "give one stack its own iam.nameSuffix, or let it use the other's set with iam.ownedByStack",
    "openshift.infraId": "each cluster has its own infraId (openshift-install's metadata.json)",
    "eksLocalCluster.name": "give one stack's local cluster another eksLocalCluster.name",
    "iam.eksLocalClusterRole": (
        "one role serves the account: keep iam.eksLocalClusterRole in one stack, or give the other's role "
        "another name (iam.eksLocalClusterRole: NAME)"
    ),
}


def _responsible_key(run: ProgramRun, fixed: FixedName) -> str:
    """The key of `run`'s config that makes it create `fixed`."""
    if fixed.type == KEY_PAIR:
        return "keyPair.name"
    if "$tkg-aws:openshift:" in fixed.urn or "::tkg-aws:openshift:" in fixed.urn:
        return "openshift.infraId"
    if "tkg-aws:eksOutposts:" in fixed.urn:
        # The legacy iam.eksLocalClusterRole builds its role with the EKS platform's component too
        # (config refuses both keys in one stack), so the section, not the URN, says which key it was.
        return "eksLocalCluster.name" if run.config.eks_local_cluster is not None else "iam.eksLocalClusterRole"
    return "iam"


def shared_iam_problems(this: ProgramRun, others: dict[str, ProgramRun]) -> list[str]:
    """iam.ownedByStack must name a stack of the repository that creates that very set in this account."""
    owner_name = this.config.iam.owned_by_stack
    if owner_name is None:
        return []
    key = f"tkg-aws:iam.ownedByStack: stack {owner_name}"
    owner = others.get(owner_name)
    if owner is None:
        return [f"{key} has no valid stack file Pulumi.{owner_name}.yaml in the repository (got {owner_name!r})"]
    mine, theirs = this.config, owner.config
    if theirs.iam.owned_by_stack is not None:
        return [f"{key} does not create an IAM set either (it uses {theirs.iam.owned_by_stack}'s) (got {owner_name!r})"]
    problems = []
    if theirs.management_cluster.account_id != mine.management_cluster.account_id:
        problems.append(
            f"{key} creates its IAM set in account {theirs.management_cluster.account_id}, not in this stack's "
            f"{mine.management_cluster.account_id} (got {owner_name!r})"
        )
    if (theirs.iam.suffix, theirs.iam.path) != (mine.iam.suffix, mine.iam.path):
        problems.append(
            f"{key} names its set with suffix {theirs.iam.suffix!r} and path {theirs.iam.path!r}; set the same "
            f"iam.nameSuffix and iam.path here (got {owner_name!r})"
        )
    return problems


# Every platform's resources whose name AWS keeps unique: the input holding it, and its scope.
NAMED_TYPES = {
    ROLE: ("name", "account"),
    INSTANCE_PROFILE: ("name", "account"),
    POLICY: ("name", "account"),
    KEY_PAIR: ("keyName", "region"),
    "aws:lb/loadBalancer:LoadBalancer": ("name", "region"),
    "aws:lb/targetGroup:TargetGroup": ("name", "region"),
    "aws:eks/cluster:Cluster": ("name", "region"),
    "aws:ec2/placementGroup:PlacementGroup": ("name", "region"),
    "aws:s3/bucket:Bucket": ("bucket", "global"),
}


def _created(run: ProgramRun) -> list[FixedName]:
    """Fixed names a stack creates, whatever the platform: the TKG template set (with its inline
    policies and attachments), and every resource of NAMED_TYPES (given names, generated keys)."""
    found = [f for f in fixed_names(run) if f.type not in NAMED_TYPES]
    accounts = provider_accounts(run)
    for urn, reg in sorted(run.registrations.items()):
        if reg.type in NAMED_TYPES and isinstance(reg.inputs.get(NAMED_TYPES[reg.type][0]), str):
            name, scope = reg.inputs[NAMED_TYPES[reg.type][0]], NAMED_TYPES[reg.type][1]
            account = "" if scope == "global" else accounts.get(reg.provider, "")
            found.append(FixedName(urn, reg.type, name, account, run.config.region if scope == "region" else None))
    return found


def _kind(type_token: str) -> str:
    return {
        ROLE: "the IAM role",
        INSTANCE_PROFILE: "the instance profile",
        POLICY: "the managed policy",
        INLINE_POLICY: "the inline policy",
        ATTACHMENT: "the policy attachment",
        KEY_PAIR: "the key pair",
        "aws:lb/loadBalancer:LoadBalancer": "the load balancer",
        "aws:lb/targetGroup:TargetGroup": "the target group",
        "aws:eks/cluster:Cluster": "the EKS cluster",
        "aws:ec2/placementGroup:PlacementGroup": "the placement group",
        "aws:s3/bucket:Bucket": "the S3 bucket",
    }[type_token]
