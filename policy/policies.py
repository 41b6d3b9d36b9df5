"""Guardrail policies for tkg-aws stacks, as pulumi-policy ResourceValidationPolicies.

Each rule is a plain function over a resource's type and properties (the engine's camelCase
names, as plain dicts and lists) that returns the violations it finds, so the tests can run it
without the CLI. The engine hands a policy read-only proxies instead (Mappings and Sequences that
raise UnknownValueError when a value is not known yet, during preview); `plain` reads them once,
value by value, and marks each unknown value as UNKNOWN. A rule skips what is UNKNOWN, never
guesses it, and still checks the known values beside it.
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import json
import re
import struct
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from pulumi_policy import ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, proxy
from pulumi_policy.proxy import UnknownValueError

# Ports no one on the internet should reach: remote shells and desktops, etcd, the kubelet, the
# OpenShift machine config server (it serves ignition configs), databases and caches. A cluster's API
# server (6443) is meant to be reached, and its own authentication guards it.
SENSITIVE_PORTS = {
    22: "SSH",
    23: "telnet",
    135: "MS RPC",
    445: "SMB",
    1433: "SQL Server",
    2379: "etcd",
    2380: "etcd peers",
    3306: "MySQL",
    3389: "RDP",
    5432: "PostgreSQL",
    5900: "VNC",
    6379: "Redis",
    9200: "Elasticsearch",
    10250: "the kubelet",
    10255: "the kubelet (read-only)",
    22623: "the machine config server",
    27017: "MongoDB",
}
# A public range wider than these reaches too much of the internet to count as one network's.
PUBLIC_PREFIX_MIN = {4: 16, 6: 32}
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
        # OpenShift's and the EKS local cluster's.
        "aws:autoscaling/group:Group",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:ec2/localGatewayRouteTableVpcAssociation:LocalGatewayRouteTableVpcAssociation",
        "aws:ec2/placementGroup:PlacementGroup",
        "aws:eks/cluster:Cluster",
        "aws:lb/listener:Listener",
        "aws:lb/loadBalancer:LoadBalancer",
        "aws:lb/targetGroup:TargetGroup",
        "aws:route53/zone:Zone",
        "aws:s3/bucket:Bucket",
        "aws:s3/bucketObjectv2:BucketObjectv2",
        "aws:kms/key:Key",
    }
)
# The provider's default tags do not reach an Auto Scaling group: its own `tags` must.
OWN_TAGS_ONLY = frozenset({"aws:autoscaling/group:Group"})
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

# Attaching AWS's own admin policy grants what an Action * / Resource * statement would; IAMFullAccess
# lets its holder grant itself the same (attach AdministratorAccess, write any policy).
ADMINISTRATOR_ACCESS = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(AdministratorAccess|IAMFullAccess)$")
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


def _sensitive_ports(protocol: Any, from_port: Any, to_port: Any) -> list[int]:
    """The sensitive ports a rule's protocol and port range open; empty when unknown."""
    if not isinstance(protocol, str | int):
        return []  # unknown
    if str(protocol).lower() in ("-1", "all"):
        return sorted(SENSITIVE_PORTS)
    if str(protocol).lower() not in ("tcp", "6"):
        return []
    try:
        low, high = int(from_port), int(to_port)
    except (TypeError, ValueError):
        return []  # unknown or malformed ports
    return [port for port in sorted(SENSITIVE_PORTS) if low <= port <= high]


def _is_internet(cidr: Any) -> bool:
    """0.0.0.0/0 and ::/0, and any public range wide enough to be much of the internet (0.0.0.0/1...)."""
    try:
        network = ipaddress.ip_network(cidr, strict=False) if isinstance(cidr, str) else None
    except ValueError:
        return False
    if network is None:
        return False
    return network.prefixlen == 0 or (network.is_global and network.prefixlen < PUBLIC_PREFIX_MIN[network.version])


def _ingress_rules(resource_type: str, props: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Ingress rules as {protocol, fromPort, toPort, cidrs}, whichever resource type holds them."""
    if resource_type in SECURITY_GROUP_TYPES:
        return [
            {**r, "cidrs": _as_list(r.get("cidrBlocks")) + _as_list(r.get("ipv6CidrBlocks"))}
            for r in _as_list(props.get("ingress"))
            if isinstance(r, dict)
        ]
    if resource_type == "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule":
        return [{**props, "protocol": props.get("ipProtocol"), "cidrs": [props.get("cidrIpv4"), props.get("cidrIpv6")]}]
    if resource_type == "aws:ec2/securityGroupRule:SecurityGroupRule" and props.get("type") == "ingress":
        return [{**props, "cidrs": _as_list(props.get("cidrBlocks")) + _as_list(props.get("ipv6CidrBlocks"))}]
    return []


# --- rules ---------------------------------------------------------------------------------------
def no_sensitive_ports_from_the_internet(
    resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]
) -> list[str]:
    violations = []
    for rule in _ingress_rules(resource_type, props):
        ports = _sensitive_ports(rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"))
        internet = [c for c in rule["cidrs"] if _is_internet(c)]
        if ports and internet:
            names = ", ".join(f"{port} ({SENSITIVE_PORTS[port]})" for port in ports[:4])
            more = f" and {len(ports) - 4} more" if len(ports) > 4 else ""
            violations.append(
                f"port {names}{more} open to {', '.join(internet)}: allow a bastion, VPN or the VPC's range instead"
            )
    return violations


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
    ForAllValues passes when the key is absent; a value whose wildcards stand where the narrowing
    part belongs (`arn:aws:iam::*:role/*`, `o-*`) admits every value that matters.
    """
    tests = _narrowing_tests(condition)
    if tests is None:
        return None
    return {key for key, values in tests if values and all(isinstance(v, str) and _narrows(key, v) for v in values)}


def _narrowing_tests(condition: Any) -> list[tuple[str, list[Any]]] | None:
    """(lowercase key, values) of each test of a restricting operator; None when part of it is unknown."""
    if condition is UNKNOWN:
        return None
    found = []
    for operator, tests in (condition if isinstance(condition, dict) else {}).items():
        if tests is UNKNOWN:
            return None
        if operator.removeprefix("ForAnyValue:") not in NARROWING_OPERATORS or not isinstance(tests, dict):
            continue
        for key, value in tests.items():
            values = _as_list(value)
            if any(v is UNKNOWN for v in values):
                return None
            found.append((key.lower(), values))
    return found


_WILD = re.compile(r"[*?]")
_ORG_ID = re.compile(r"^o-[a-z0-9]{10,32}$")
_ACCOUNT_ID = re.compile(r"^\d{12}$")
_ORG_KEYS = {"aws:principalorgid", "aws:sourceorgid", "aws:resourceorgid"}
_ORG_PATH_KEYS = {"aws:principalorgpaths", "aws:sourceorgpaths", "aws:resourceorgpaths"}
_ACCOUNT_KEYS = {"aws:principalaccount", "aws:sourceaccount", "aws:resourceaccount"}
_ARN_KEYS = {"aws:principalarn", "aws:sourcearn"}


def _narrows(key: str, value: str) -> bool:
    """Whether a condition value admits only some of what its key can be, wildcards read for what they span."""
    if key in _ORG_KEYS:
        return bool(_ORG_ID.match(value))
    if key in _ORG_PATH_KEYS:
        return bool(_ORG_ID.match(value.split("/", 1)[0]))
    if key in _ACCOUNT_KEYS:
        return bool(_ACCOUNT_ID.match(value))
    if key in _ARN_KEYS:
        return _arn_narrows(value)
    return bool(value.strip("*?"))


def _arn_narrows(arn: str) -> bool:
    """An ARN pattern names one account and something in it beyond its kind (`role/capa-*`, not `role/*`)."""
    fields = arn.split(":", 5)
    if len(fields) != 6 or not _ACCOUNT_ID.match(fields[4]):
        return False
    resource = fields[5]
    name = resource.split("/", 1)[1] if "/" in resource else resource
    return bool(_WILD.sub("", name).strip("/"))


def no_open_federated_trust(resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]) -> list[str]:
    """A role trusting an OIDC provider (GitHub Actions, an EKS cluster's IRSA) narrows the token's subject."""
    if resource_type != "aws:iam/role:Role":
        return []
    document = _document(props.get("assumeRolePolicy"))
    violations = []
    for statement in _statements(document or {}):
        principal = statement.get("Principal")
        federated = _as_list(principal.get("Federated")) if isinstance(principal, dict) else []
        providers = [p for p in federated if isinstance(p, str) and ":oidc-provider/" in p]
        if statement.get("Effect") != "Allow" or not providers or statement.get("Condition") is UNKNOWN:
            continue
        for provider in providers:
            host = provider.split(":oidc-provider/", 1)[1]
            subjects = _condition_values(statement.get("Condition"), f"{host}:sub")
            if subjects is None:
                continue  # unknown
            github = host == GITHUB_OIDC_HOST
            loose = [s for s in subjects if not _subject_narrows(s, github)]
            if not subjects or loose:
                what = f"subjects {loose}" if loose else "any subject (only its audience is checked)"
                example = "repo:OWNER/REPO:environment:NAME" if github else "system:serviceaccount:NAMESPACE:NAME"
                violations.append(
                    f"the trust policy admits tokens of {host} for {what}; require {host}:sub to equal e.g. {example}"
                )
    return violations


GITHUB_OIDC_HOST = "token.actions.githubusercontent.com"


def _condition_values(condition: Any, key: str) -> list[Any] | None:
    """The values a restricting operator requires of `key` (any case); None when unknown."""
    tests = _narrowing_tests(condition)
    return None if tests is None else [v for name, values in tests if name == key.lower() for v in values]


def _subject_narrows(subject: Any, github: bool) -> bool:
    """A subject pattern names one repository (GitHub: repo:OWNER/REPO:..., no wildcard in OWNER/REPO)."""
    if not isinstance(subject, str) or not subject.strip("*?"):
        return False
    if not github:
        return not subject.endswith(":*") and bool(_WILD.sub("", subject).strip(":"))
    parts = subject.split(":")
    return len(parts) >= 3 and parts[0] == "repo" and "/" in parts[1] and not _WILD.search(parts[1]) and bool(parts[2])


def no_wildcard_account_assume_role(
    resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]
) -> list[str]:
    """sts:AssumeRole on a role ARN of any account is narrowed to an organization or account by a condition."""
    violations = []
    for statement in _permission_statements(resource_type, props):
        actions = [a for a in _as_list(statement.get("Action")) if isinstance(a, str)]
        if statement.get("Effect") != "Allow" or not any(_covers(a, "sts:AssumeRole") for a in actions):
            continue
        narrowed_by = _narrowing_keys(statement.get("Condition"))
        if narrowed_by is None:
            continue
        wide = [r for r in _as_list(statement.get("Resource")) if isinstance(r, str) and _any_account(r)]
        if wide and not narrowed_by & (_ORG_KEYS | _ORG_PATH_KEYS | _ACCOUNT_KEYS):
            violations.append(
                f"sts:AssumeRole on {', '.join(wide)}: a role of that name in any account; list the roles' ARNs, "
                "or narrow them with aws:ResourceOrgID, aws:ResourceOrgPaths or aws:ResourceAccount"
            )
    return violations


def _any_account(resource: str) -> bool:
    if resource == "*":
        return True
    fields = resource.split(":", 5)
    return len(fields) == 6 and not _ACCOUNT_ID.match(fields[4])


def _covers(pattern: str, action: str) -> bool:
    """Whether an IAM action pattern (case-insensitive, * and ?) matches `action`."""
    regex = re.escape(pattern.lower()).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, action.lower()) is not None


def _permission_statements(resource_type: str, props: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The statements of an identity policy document, inline or managed."""
    documents = [props.get(POLICY_DOCUMENT_PROPS[resource_type])] if resource_type in POLICY_DOCUMENT_PROPS else []
    if resource_type == "aws:iam/role:Role":
        documents = [p.get("policy") for p in _as_list(props.get("inlinePolicies")) if isinstance(p, dict)]
    return [statement for document in filter(None, map(_document, documents)) for statement in _statements(document)]


def tagged(resource_type: str, props: Mapping[str, Any], provider: Mapping[str, Any]) -> list[str]:
    if resource_type not in TAGGABLE_TYPES:
        return []
    own = props.get("tags")
    defaults = provider.get("defaultTags") if resource_type not in OWN_TAGS_ONLY else None
    if own is UNKNOWN or defaults is UNKNOWN:
        return []
    default_tags = (_document(defaults) or {}).get("tags")
    if own or default_tags:  # a tags object with unknown values is still a tags object
        return []
    if resource_type in OWN_TAGS_ONLY:
        return ["this Auto Scaling group has no tags of its own (the provider's default tags do not reach it)"]
    return ["this AWS resource has no tags and its provider sets no default tags"]


def no_admin_statements(resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]) -> list[str]:
    if resource_type in POLICY_ATTACHMENT_TYPES:
        arn = props.get("policyArn")
        if isinstance(arn, str) and ADMINISTRATOR_ACCESS.match(arn):
            return [f"{arn.rsplit('/', 1)[1]} is attached: administrator access, or the power to take it"]
        return []
    violations = [
        f"{arn.rsplit('/', 1)[1]} is among managedPolicyArns: administrator access, or the power to take it"
        for arn in (_as_list(props.get("managedPolicyArns")) if resource_type == "aws:iam/role:Role" else [])
        if isinstance(arn, str) and ADMINISTRATOR_ACCESS.match(arn)
    ]
    for statement in _permission_statements(resource_type, props):
        if statement.get("Effect") != "Allow":
            continue
        actions = [a for a in _as_list(statement.get("Action")) if isinstance(a, str)]
        resources = _as_list(statement.get("Resource"))
        if "*" in actions and "*" in resources:
            violations.append("a statement allows Action * on Resource *: administrator access")
        elif any(a.lower() == "iam:*" for a in actions):
            violations.append("a statement allows iam:*: its holder can grant itself anything")
        elif "NotAction" in statement and "*" in resources:
            violations.append("a statement allows everything but its NotAction on Resource *: list what it allows")
    return violations


def rsa_key_pairs(resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]) -> list[str]:
    if resource_type == "aws:ec2/keyPair:KeyPair":
        key = props.get("publicKey")
        if isinstance(key, str) and key.split()[:1] != ["ssh-rsa"]:
            return [f"TKG on AWS needs RSA key pairs; this key is {(key.split() or ['empty'])[0]}"]
        bits = _ssh_rsa_bits(key) if isinstance(key, str) else None
        if bits is not None and bits < MIN_RSA_BITS:
            return [f"this RSA key has {bits} bits; use at least {MIN_RSA_BITS} (ssh-keygen -t rsa -b 4096)"]
    if resource_type == "tls:index/privateKey:PrivateKey":
        algorithm = props.get("algorithm")
        if isinstance(algorithm, str) and algorithm != "RSA":
            return [f"TKG on AWS needs RSA key pairs; this key is generated as {algorithm}"]
        bits = props.get("rsaBits")
        if isinstance(bits, int | float) and bits < MIN_RSA_BITS:
            return [f"this RSA key is generated with {int(bits)} bits; use at least {MIN_RSA_BITS}"]
    return []


MIN_RSA_BITS = 2048


def _ssh_rsa_bits(key: str) -> int | None:
    """The modulus size of an `ssh-rsa AAAA...` public key; None when it cannot be read."""
    try:
        blob = base64.b64decode(key.split()[1], validate=True)
        fields = []
        while blob and len(fields) < 3:
            (length,) = struct.unpack(">I", blob[:4])
            fields.append(blob[4 : 4 + length])
            blob = blob[4 + length :]
    except (IndexError, ValueError, binascii.Error, struct.error):
        return None
    if len(fields) != 3 or fields[0] != b"ssh-rsa":
        return None
    return int.from_bytes(fields[2], "big").bit_length()


def no_public_s3(resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]) -> list[str]:
    """Buckets block public access, grant no public ACL, and their policies admit no anonymous reader."""
    if resource_type == "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock":
        off = [flag for flag in PUBLIC_ACCESS_FLAGS if props.get(flag) is not True and props.get(flag) is not UNKNOWN]
        return [f"the bucket's public access block leaves {', '.join(off)} off: set all four to true"] if off else []
    if resource_type in ("aws:s3/bucketAcl:BucketAcl", "aws:s3/bucketAclV2:BucketAclV2", "aws:s3/bucket:Bucket"):
        acl = props.get("acl")
        return [f"the bucket's ACL {acl} makes it public"] if acl in PUBLIC_ACLS else []
    if resource_type == "aws:s3/bucketPolicy:BucketPolicy":
        violations = []
        for statement in _statements(_document(props.get("policy")) or {}):
            principal = statement.get("Principal")
            anyone = principal == "*" or (isinstance(principal, dict) and "*" in _as_list(principal.get("AWS")))
            narrowed_by = _narrowing_keys(statement.get("Condition"))
            if statement.get("Effect") == "Allow" and anyone and narrowed_by is not None and not narrowed_by:
                violations.append("the bucket policy allows anyone (Principal *) with no condition on who")
        return violations
    return []


PUBLIC_ACCESS_FLAGS = ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets")
PUBLIC_ACLS = {"public-read", "public-read-write", "authenticated-read"}


def imds_v2_only(resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]) -> list[str]:
    """Instances and launch templates require IMDSv2 session tokens (IMDSv1 answers any SSRF)."""
    if resource_type not in ("aws:ec2/instance:Instance", "aws:ec2/launchTemplate:LaunchTemplate"):
        return []
    options = props.get("metadataOptions")
    if options is UNKNOWN:
        return []
    tokens = options.get("httpTokens") if isinstance(options, dict) else None
    if tokens in (UNKNOWN, "required") or (isinstance(options, dict) and options.get("httpEndpoint") == "disabled"):
        return []
    return [f"metadataOptions.httpTokens is {tokens or 'not set (optional)'}: set it to required (IMDSv2 only)"]


def no_public_eks_endpoint(resource_type: str, props: Mapping[str, Any], _provider: Mapping[str, Any]) -> list[str]:
    """An EKS API endpoint is private, or public only to given ranges (EKS makes it public to all by default)."""
    if resource_type != "aws:eks/cluster:Cluster":
        return []
    vpc = props.get("vpcConfig")
    if not isinstance(vpc, dict):
        return []
    public = vpc.get("endpointPublicAccess", True)
    cidrs = vpc.get("publicAccessCidrs")
    if public is not True or cidrs is UNKNOWN or any(c is UNKNOWN for c in _as_list(cidrs)):
        return []
    open_to = [c for c in _as_list(cidrs) if _is_internet(c)] if cidrs else ["0.0.0.0/0 (EKS's default)"]
    if not open_to:
        return []
    return [f"the cluster's API endpoint is public to {', '.join(open_to)}: set endpointPublicAccess false"]


# --- the pack's policies --------------------------------------------------------------------------
def _policy(name: str, description: str, rule: Rule) -> ResourceValidationPolicy:
    def validate(args: ResourceValidationArgs, report_violation: ReportViolation) -> None:
        provider_props = plain(args.provider.props) if args.provider is not None else {}
        for message in rule(args.resource_type, plain(args.props), provider_props):
            report_violation(message, None)

    return ResourceValidationPolicy(name=name, description=description, validate=validate)


POLICIES = [
    _policy(
        "no-sensitive-ports-from-the-internet",
        "No ingress from 0.0.0.0/0, ::/0 or another wide public range to SSH, RDP, etcd, the kubelet, the machine "
        "config server, databases and the like.",
        no_sensitive_ports_from_the_internet,
    ),
    _policy(
        "no-unconditioned-open-trust",
        "No role trust policy with an account-root or * principal unless a condition narrows who may assume it "
        "(aws:PrincipalArn, sts:ExternalId, aws:PrincipalOrgID, ...).",
        no_open_trust,
    ),
    _policy("aws-resources-tagged", "Every taggable AWS resource carries tags (default tags count).", tagged),
    _policy(
        "no-open-federated-trust",
        "A role trusting an OIDC provider (GitHub Actions, IRSA) requires the token's sub to name one subject.",
        no_open_federated_trust,
    ),
    _policy(
        "no-wildcard-account-assume-role",
        "sts:AssumeRole on a role ARN of any account only with aws:ResourceOrgID, ResourceOrgPaths or ResourceAccount.",
        no_wildcard_account_assume_role,
    ),
    _policy(
        "no-admin-statements",
        "No Action * on Resource *, iam:*, broad NotAction, AdministratorAccess or IAMFullAccess.",
        no_admin_statements,
    ),
    _policy("rsa-key-pairs", "EC2 key pairs are RSA of at least 2048 bits, as TKG requires.", rsa_key_pairs),
    _policy("no-public-s3", "S3 buckets block public access and grant anonymous readers nothing.", no_public_s3),
    _policy("imds-v2-only", "Instances and launch templates require IMDSv2 tokens.", imds_v2_only),
    _policy("no-public-eks-endpoint", "EKS API endpoints are not public to the internet.", no_public_eks_endpoint),
]
