"""Guardrail policies for tkg-aws stacks, as pulumi-policy ResourceValidationPolicies.

Each rule is a plain function over a resource's type and properties (the engine's camelCase
names, as plain dicts and lists) that returns the violations it finds, so the tests can run it
without the CLI. The engine hands a policy read-only proxies instead (Mappings and Sequences that
raise UnknownValueError when a value is not known yet, during preview); `plain` reads them once,
value by value, and marks each unknown value as UNKNOWN. A rule skips what is UNKNOWN, never
guesses it, and still checks the known values beside it.
"""

from __future__ import annotations

import ipaddress
import json
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, proxy
from pulumi_policy.proxy import UnknownValueError

SSH_PORT = 22
ROOT_PRINCIPAL = re.compile(r"^(arn:aws[a-z-]*:iam::)?\d{12}(:root)?$")
# AWS resource types of this program (and their neighbours) that take tags.
TAGGABLE_TYPES = frozenset(
    {
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/internetGateway:InternetGateway",
        "aws:ec2/natGateway:NatGateway",
        "aws:ec2/eip:Eip",
        "aws:ec2/routeTable:RouteTable",
        "aws:ec2/securityGroup:SecurityGroup",
        "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup",
        "aws:ec2/vpcEndpoint:VpcEndpoint",
        "aws:ec2/keyPair:KeyPair",
        "aws:ec2/instance:Instance",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule",
        "aws:iam/role:Role",
        "aws:iam/policy:Policy",
        "aws:iam/instanceProfile:InstanceProfile",
    }
)
# Types whose `ingress` is a list of {protocol, fromPort, toPort, cidrBlocks, ipv6CidrBlocks}.
SECURITY_GROUP_TYPES = frozenset(
    {"aws:ec2/securityGroup:SecurityGroup", "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"}
)
POLICY_DOCUMENT_PROPS = {
    "aws:iam/policy:Policy": "policy",
    "aws:iam/rolePolicy:RolePolicy": "policy",
    "aws:iam/userPolicy:UserPolicy": "policy",
    "aws:iam/groupPolicy:GroupPolicy": "policy",
}

# Attaching AWS's own admin policy grants what an Action * / Resource * statement would.
ADMINISTRATOR_ACCESS = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/AdministratorAccess$")
POLICY_ATTACHMENT_TYPES = frozenset(
    {
        "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
        "aws:iam/userPolicyAttachment:UserPolicyAttachment",
        "aws:iam/groupPolicyAttachment:GroupPolicyAttachment",
        "aws:iam/policyAttachment:PolicyAttachment",
    }
)

# Trust of an account root or `*` is narrowed only by a condition on who the caller is: one on MFA,
# source IP, time or TLS still admits every principal of that account (or of every account).
CONDITION_KEY_NAMES = {
    name.lower(): name
    for name in (
        "aws:PrincipalArn",
        "aws:userid",
        "sts:ExternalId",
        "aws:PrincipalAccount",
        "aws:PrincipalOrgID",
        "aws:PrincipalOrgPaths",
        "aws:SourceAccount",
        "aws:SourceArn",
        "aws:SourceOrgID",
        "aws:SourceOrgPaths",
    )
}
PRINCIPAL_CONDITION_KEYS = frozenset({"aws:principalarn", "aws:userid", "sts:externalid"})
# These narrow `*` to accounts or an organization; an account root is one account of one
# organization already, so they narrow it no further.
ACCOUNT_CONDITION_KEYS = frozenset(CONDITION_KEY_NAMES) - PRINCIPAL_CONDITION_KEYS
NARROWING_OPERATORS = frozenset({"StringEquals", "StringEqualsIgnoreCase", "StringLike", "ArnEquals", "ArnLike"})

Rule = Callable[[str, Mapping[str, Any], Mapping[str, Any]], list[str]]


# --- values the engine does not know yet ---------------------------------------------------------
class _Unknown:
    """The type of UNKNOWN: a property value that is only known after the update."""

    def __repr__(self) -> str:
        return "UNKNOWN"


UNKNOWN = _Unknown()
# The placeholders pulumi-policy puts where a value is unknown (UNKNOWN_STRING_VALUE and kin).
_UNKNOWN_SENTINELS = frozenset(
    getattr(proxy, name) for name in dir(proxy) if name.startswith("UNKNOWN_") and name.endswith("_VALUE")
)


def plain(value: Any) -> Any:
    """Engine properties (proxies or plain data) as dicts and lists, each unknown value as UNKNOWN."""
    if isinstance(value, str):
        return UNKNOWN if value in _UNKNOWN_SENTINELS else value
    if isinstance(value, Mapping):
        return {key: _read(value, key) for key in value}
    if isinstance(value, Sequence) and not isinstance(value, bytes):
        return [_read(value, index) for index in range(len(value))]
    return value


def _read(container: Any, key: Any) -> Any:
    try:
        return plain(container[key])
    except UnknownValueError:
        return UNKNOWN


# --- helpers -------------------------------------------------------------------------------------
def _document(value: Any) -> dict[str, Any] | None:
    """A JSON document from a JSON string or an object; None when unknown or not a document."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    return value if isinstance(value, dict) else None


def _statements(document: Mapping[str, Any]) -> list[dict[str, Any]]:
    statements = document.get("Statement")
    return [s for s in _as_list(statements) if isinstance(s, dict)]


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def _covers_ssh(protocol: Any, from_port: Any, to_port: Any) -> bool:
    if not isinstance(protocol, str | int):
        return False  # unknown
    if str(protocol).lower() in ("-1", "all"):
        return True
    if str(protocol).lower() not in ("tcp", "6"):
        return False
    try:
        return int(from_port) <= SSH_PORT <= int(to_port)
    except (TypeError, ValueError):
        return False  # unknown or malformed ports


def _is_anywhere(cidr: Any) -> bool:
    try:
        return isinstance(cidr, str) and ipaddress.ip_network(cidr, strict=False).prefixlen == 0
    except ValueError:
        return False


# --- rules ---------------------------------------------------------------------------------------
def no_ssh_from_anywhere(resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]) -> list[str]:
    rules: Iterable[Mapping[str, Any]] = []
    if resource_type in SECURITY_GROUP_TYPES:
        rules = [
            {**r, "cidrs": _as_list(r.get("cidrBlocks")) + _as_list(r.get("ipv6CidrBlocks"))}
            for r in _as_list(props.get("ingress"))
            if isinstance(r, dict)
        ]
    elif resource_type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        rules = [{**props, "cidrs": [props.get("cidrIpv4"), props.get("cidrIpv6")]}]
    elif resource_type == "aws:ec2/securityGroupRule:SecurityGroupRule" and props.get("type") == "ingress":
        rules = [{**props, "cidrs": _as_list(props.get("cidrBlocks")) + _as_list(props.get("ipv6CidrBlocks"))}]
    return [
        "SSH (port 22) is open to the whole internet; allow a bastion or VPN range instead"
        for rule in rules
        if _covers_ssh(rule.get("protocol", rule.get("ipProtocol")), rule.get("fromPort"), rule.get("toPort"))
        and any(_is_anywhere(c) for c in rule["cidrs"])
    ]


def no_open_trust(resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]) -> list[str]:
    if resource_type != "aws:iam/role:Role":
        return []
    document = _document(props.get("assumeRolePolicy"))
    if document is None:
        return []
    violations = []
    for statement in _statements(document):
        narrowed_by = _narrowing_keys(statement.get("Condition"))
        if statement.get("Effect") != "Allow" or narrowed_by is None:
            continue  # a Deny, or a condition not known yet: never guessed
        principal = statement.get("Principal")
        aws = _as_list(principal.get("AWS")) if isinstance(principal, dict) else _as_list(principal)
        for value in aws:
            needed = _keys_that_narrow(value)
            if needed and not narrowed_by & needed:
                names = ", ".join(CONDITION_KEY_NAMES[key] for key in sorted(needed))
                violations.append(
                    f"the trust policy lets {value} assume this role with no condition that narrows who may; "
                    f"restrict it to given values of one of {names}"
                )
    return violations


def _keys_that_narrow(principal: Any) -> frozenset[str]:
    """The condition keys that narrow this principal; empty for a principal that is narrow already."""
    if principal == "*":
        return PRINCIPAL_CONDITION_KEYS | ACCOUNT_CONDITION_KEYS
    if isinstance(principal, str) and ROOT_PRINCIPAL.match(principal):
        return PRINCIPAL_CONDITION_KEYS
    return frozenset()


def _narrowing_keys(condition: Any) -> set[str] | None:
    """The (lowercase) keys a condition restricts to given values; None when part of it is unknown.

    Only an operator that admits nothing but its values restricts: an IfExists operator passes when
    the key is absent, a Not operator admits everything else, Null asks only that the key exist,
    ForAllValues passes when the key is absent; a value made of wildcards only admits every value.
    """
    if condition is UNKNOWN:
        return None
    keys: set[str] = set()
    for operator, tests in (condition if isinstance(condition, dict) else {}).items():
        if tests is UNKNOWN:
            return None
        if operator.removeprefix("ForAnyValue:") not in NARROWING_OPERATORS or not isinstance(tests, dict):
            continue
        for key, value in tests.items():
            values = _as_list(value)
            if any(v is UNKNOWN for v in values):
                return None
            if values and all(isinstance(v, str) and v.strip("*?") for v in values):
                keys.add(key.lower())
    return keys


def tagged(resource_type: str, props: Mapping[str, Any], provider: Mapping[str, Any]) -> list[str]:
    if resource_type not in TAGGABLE_TYPES:
        return []
    own = props.get("tags")
    defaults = provider.get("defaultTags")
    if own is UNKNOWN or defaults is UNKNOWN:
        return []
    default_tags = (_document(defaults) or {}).get("tags")
    if own or default_tags:  # a tags object with unknown values is still a tags object
        return []
    return ["this AWS resource has no tags and its provider sets no default tags"]


def no_admin_statements(resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]) -> list[str]:
    if resource_type in POLICY_ATTACHMENT_TYPES:
        arn = props.get("policyArn")
        if isinstance(arn, str) and ADMINISTRATOR_ACCESS.match(arn):
            return ["AWS's AdministratorAccess policy is attached: administrator access"]
        return []
    documents = [props.get(POLICY_DOCUMENT_PROPS[resource_type])] if resource_type in POLICY_DOCUMENT_PROPS else []
    if resource_type == "aws:iam/role:Role":
        documents = [p.get("policy") for p in _as_list(props.get("inlinePolicies")) if isinstance(p, dict)]
    return [
        "a statement allows Action * on Resource *: administrator access"
        for document in filter(None, map(_document, documents))
        for statement in _statements(document)
        if statement.get("Effect") == "Allow"
        and "*" in _as_list(statement.get("Action"))
        and "*" in _as_list(statement.get("Resource"))
    ]


def rsa_key_pairs(resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]) -> list[str]:
    if resource_type == "aws:ec2/keyPair:KeyPair":
        key = props.get("publicKey")
        if isinstance(key, str) and key.split()[:1] != ["ssh-rsa"]:
            return [f"TKG on AWS needs RSA key pairs; this key is {(key.split() or ['empty'])[0]}"]
    if resource_type == "tls:index/privateKey:PrivateKey":
        algorithm = props.get("algorithm")
        if isinstance(algorithm, str) and algorithm != "RSA":
            return [f"TKG on AWS needs RSA key pairs; this key is generated as {algorithm}"]
    return []


# --- the pack's policies --------------------------------------------------------------------------
def _policy(name: str, description: str, rule: Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        provider_props = plain(args.provider.props) if args.provider is not None else {}
        for message in rule(args.resource_type, plain(args.props), provider_props):
            report_violation(message, None)

    return ResourceValidationPolicy(name=name, description=description, validate=validate)


POLICIES = [
    _policy("no-ssh-from-anywhere", "No ingress from 0.0.0.0/0 or ::/0 to port 22.", no_ssh_from_anywhere),
    _policy(
        "no-unconditioned-open-trust",
        "No role trust policy with an account-root or * principal unless a condition narrows who may assume it "
        "(aws:PrincipalArn, sts:ExternalId, aws:PrincipalOrgID, ...).",
        no_open_trust,
    ),
    _policy("aws-resources-tagged", "Every taggable AWS resource carries tags (default tags count).", tagged),
    _policy("no-admin-statements", "No IAM statement allowing Action * on Resource *.", no_admin_statements),
    _policy("rsa-key-pairs", "EC2 key pairs are RSA, as TKG requires.", rsa_key_pairs),
]
