"""Preflight check of the fixed-name resources the plan creates: which of them the account already holds.

Roles, instance profiles and managed policies keep the names TKG and CAPA look them up by, and the
key pair keeps `keyPair.name`; a second copy cannot be created beside the first, so `pulumi up`
would stop at each one already there (EntityAlreadyExists, InvalidKeyPair.Duplicate). Accounts
prepared by `tanzu mc permissions aws set` (CloudFormation stack `tkg-cloud-vmware-com`) or by
clusterawsadm (`cluster-api-provider-aws-sigs-k8s-io`) hold exactly these. Each one found fails,
naming the CloudFormation stack that owns it and the adoption path (`import.json`), or how to make
room where import.json cannot adopt it; unless the config already adopts it. An adopted one that
is missing fails too, as its import would. One that carries the stack's own default tags
(`managed-by`, `environment`) is the stack's from an earlier `pulumi up`, and is in nobody's way.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from functools import partial
from typing import Any

from botocore.exceptions import ClientError

from components.config.validators import NAMESPACE
from components.naming import ENVIRONMENT_TAG, MANAGED_BY_TAG
from tools.plan.program import ProgramRun
from tools.preflight.aws_session import AWS_ERRORS, AwsClients
from tools.preflight.report import FAIL, OK, Row, could_not_check, looked_up
from tools.preflight.targets import Target

CLOUDFORMATION_STACKS = ("tkg-cloud-vmware-com", "cluster-api-provider-aws-sigs-k8s-io")
CLOUDFORMATION_STACK_TAG = "aws:cloudformation:stack-name"
# Default tags of every resource the stack creates (components/naming.py) naming who made it, as the report lists them.
OWN_TAG_KEYS = (MANAGED_BY_TAG, ENVIRONMENT_TAG)
ADOPTION_SECTION = "docs/adoption.md"
# Planned type -> (kind, the input holding its fixed name).
FIXED_NAME_TYPES = {
    "aws:iam/role:Role": ("role", "name"),
    "aws:iam/instanceProfile:InstanceProfile": ("instance profile", "name"),
    "aws:iam/policy:Policy": ("managed policy", "name"),
    "aws:ec2/keyPair:KeyPair": ("key pair", "keyName"),
}
CLOUDFORMATION_TYPES = {
    "AWS::IAM::Role": "role",
    "AWS::IAM::InstanceProfile": "instance profile",
    "AWS::IAM::ManagedPolicy": "managed policy",
    "AWS::EC2::KeyPair": "key pair",
}


@dataclass(frozen=True)
class NamedResource:
    """A resource the plan creates under a name of its own: at most one can exist per account.

    Wider than tools/plan/adoption.py's fixed names (the template set and importable key pairs): any
    role, instance profile, policy or key pair of that name stands in the way of `up`, including a
    generated key pair's and one outside the template (the EKS local cluster role).
    """

    urn: str
    kind: str
    """role, instance profile, managed policy or key pair."""
    name: str


def named_resources(plan: ProgramRun) -> list[NamedResource]:
    found = []
    for registration in sorted(plan.registrations.values(), key=lambda r: r.urn):
        if registration.type in FIXED_NAME_TYPES:
            kind, name_input = FIXED_NAME_TYPES[registration.type]
            found.append(NamedResource(registration.urn, kind, registration.inputs[name_input]))
    return found


def existing_rows(target: Target, clients: AwsClients) -> list[Row]:
    """A row per named resource in the way (or adopted), and one for those that are free."""
    resources = named_resources(target.plan)
    if not resources:
        return []
    rows: list[Row] = []
    try:
        owners = cloudformation_owners(clients)
    except AWS_ERRORS as err:  # the owners stay unknown; the resources themselves are still checked
        owners = {}
        rows.append(could_not_check(target.name, "CloudFormation stacks of TKG and clusterawsadm", err))
    lookup = AccountLookup(clients)
    quiet: Counter[str] = Counter()  # resources that need no row of their own: free, or the stack's
    for resource in resources:
        check = f"existing {resource.kind} {resource.name}"
        rows += looked_up(target.name, check, partial(_existing_row, target, lookup, resource, owners, quiet))
    if quiet:
        rows.append(Row(target.name, "fixed-name resources", OK, _quiet_summary(target, quiet, len(resources))))
    return rows


def _quiet_summary(target: Target, quiet: Counter[str], total: int) -> str:
    parts = [f"{quiet['free']} of {total} do not exist yet"] if quiet["free"] else []
    if quiet["own"]:
        tags = ", ".join(f"{key}={_own_tags(target)[key]}" for key in OWN_TAG_KEYS)
        parts.append(f"{quiet['own']} of {total} carry this stack's tags ({tags}): an earlier `pulumi up` made them")
    return "; ".join(parts)


def _existing_row(
    target: Target,
    lookup: AccountLookup,
    resource: NamedResource,
    owners: dict[tuple[str, str], str],
    quiet: Counter[str],
) -> list[Row]:
    check = f"existing {resource.kind} {resource.name}"
    adopted = target.key_pair_adopted if resource.kind == "key pair" else target.iam_adopted
    found = lookup.find(resource)
    stack = target.plan.stack
    if found is None:
        if not adopted:
            quiet["free"] += 1
            return []
        details = "adopted in the config, but not in the account: `pulumi import` would fail"
        return [Row(target.name, check, FAIL, details, f"create it, or unset {_adopt_key(target, resource)}")]
    tags = _tags(found)
    if all(tags.get(key) == value for key, value in _own_tags(target).items()):
        quiet["own"] += 1  # preflight before a later `up` of a deployed stack
        return []
    owner = owners.get((resource.kind, resource.name.casefold())) or tags.get(CLOUDFORMATION_STACK_TAG)
    by = f", created by CloudFormation stack {owner}" if owner else ""
    importable = resource.urn in target.importable
    if adopted and importable:
        return [Row(target.name, check, OK, f"exists{by}; adopted: build/plan/{stack}/import.json imports it")]
    details = f"{resource.kind} {resource.name} already exists{by}: `pulumi up` would fail to create it"
    if not importable:
        return [Row(target.name, check, FAIL, details, _replacement_action(target, resource, stack))]
    return [Row(target.name, check, FAIL, details, _adoption_action(target, resource, stack))]


def _adopt_key(target: Target, resource: NamedResource) -> str:
    if resource.kind == "key pair" and target.is_management:
        return f"{NAMESPACE}:keyPair.adopted"
    return target.adopt_iam_key


def _adoption_action(target: Target, resource: NamedResource, stack: str) -> str:
    return (
        f"adopt it: set {_adopt_key(target, resource)}: true, run `python -m tools.plan {stack}`, then "
        f"`pulumi import --file build/plan/{stack}/import.json` ({ADOPTION_SECTION})"
    )


def _replacement_action(target: Target, resource: NamedResource, stack: str) -> str:
    """For what import.json cannot adopt: outside the template, or a key pair the stack would generate
    (only a key pair whose public key the config gives can be imported)."""
    if resource.kind == "key pair" and target.is_management:
        return (
            f"choose another {NAMESPACE}:keyPair.name, or give the existing key's {NAMESPACE}:keyPair.publicKey "
            f"and set {NAMESPACE}:keyPair.adopted: true to import it with build/plan/{stack}/import.json "
            f"({ADOPTION_SECTION})"
        )
    return f"not in build/plan/{stack}/import.json: delete it, or choose another {NAMESPACE}:iam.nameSuffix"


class AccountLookup:
    """Finds resources by name in one account; IAM names are unique per account whatever their
    path, and regardless of case."""

    def __init__(self, clients: AwsClients):
        self._clients = clients
        self._policies: dict[str, dict[str, Any]] | None = None

    def find(self, resource: NamedResource) -> dict[str, Any] | None:
        """The account's resource of that name, or None."""
        iam = self._clients.client("iam")
        found: dict[str, Any]
        try:
            if resource.kind == "role":
                found = iam.get_role(RoleName=resource.name)["Role"]
                return found
            if resource.kind == "instance profile":
                found = iam.get_instance_profile(InstanceProfileName=resource.name)["InstanceProfile"]
                return found
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "NoSuchEntity":
                return None
            raise
        if resource.kind == "managed policy":
            listed = self._local_policies().get(resource.name.casefold())
            # Listing shows no tags; reading the policy does.
            return iam.get_policy(PolicyArn=listed["Arn"])["Policy"] if listed else None
        by_name = [{"Name": "key-name", "Values": [resource.name]}]
        return next(iter(self._clients.client("ec2").describe_key_pairs(Filters=by_name)["KeyPairs"]), None)

    def _local_policies(self) -> dict[str, dict[str, Any]]:
        """The account's customer managed policies by casefolded name, listed once (no call finds
        a policy by name alone)."""
        if self._policies is None:
            pages = self._clients.client("iam").get_paginator("list_policies").paginate(Scope="Local")
            self._policies = {p["PolicyName"].casefold(): p for page in pages for p in page["Policies"]}
        return self._policies


def cloudformation_owners(clients: AwsClients) -> dict[tuple[str, str], str]:
    """(kind, casefolded name) -> the TKG or clusterawsadm CloudFormation stack that created it.

    Looked up in the stack's region: CloudFormation stacks are regional, although IAM is not.
    """
    owners = {}
    for stack in CLOUDFORMATION_STACKS:
        try:
            pages = clients.client("cloudformation").get_paginator("list_stack_resources").paginate(StackName=stack)
            resources = [r for page in pages for r in page["StackResourceSummaries"]]
        except ClientError as err:
            if err.response.get("Error", {}).get("Code") == "ValidationError":
                continue  # no stack of that name in this account and region
            raise
        for resource in resources:
            kind = CLOUDFORMATION_TYPES.get(resource["ResourceType"])
            physical = resource.get("PhysicalResourceId")
            if kind and physical and resource.get("ResourceStatus") != "DELETE_COMPLETE":
                # Managed policies are known by ARN, the rest by name.
                owners[(kind, physical.rsplit("/", 1)[-1].casefold())] = stack
    return owners


def _tags(found: dict[str, Any]) -> dict[str, str]:
    """Tags as IAM and EC2 return them with a resource (CloudFormation tags what it creates with its
    stack's name; the stack's providers with its default tags)."""
    return {tag["Key"]: tag["Value"] for tag in found.get("Tags") or []}


def _own_tags(target: Target) -> dict[str, str]:
    """The default tags that tell this stack's resources apart from anyone else's."""
    tags = target.plan.config.default_tags
    return {key: tags[key] for key in OWN_TAG_KEYS}
