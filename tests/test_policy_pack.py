"""The policy pack (policy/) without the CLI: both stacks pass it, and a bad resource fails each rule.

Every resource reaches a policy as the engine hands it over: its inputs behind pulumi_policy's
unknown-checking proxy, IAM documents as JSON strings, and its provider's inputs as the provider's
props (an aws provider's `defaultTags` as a JSON string). policy/__main__.py is only parsed, never
imported: the PolicyPack constructor serves the policies over gRPC and never returns.
"""

from __future__ import annotations

import ast
import importlib.util
import json
from typing import Any

import pytest
from pulumi_policy import PolicyCustomTimeouts, PolicyProviderResource, PolicyResourceOptions, ResourceValidationArgs
from pulumi_policy.proxy import UNKNOWN_ARRAY_VALUE, UNKNOWN_NUMBER_VALUE, UNKNOWN_STRING_VALUE, unknown_checking_proxy

from policy.policies import POLICIES, TAGGABLE_TYPES
from tests.conftest import ED25519_PUBLIC_KEY, REPO, RSA_1024_PUBLIC_KEY, RSA_2048_PUBLIC_KEY, planned
from tools.plan.command import resources_document

PACK_POLICY_NAMES = [
    "no-sensitive-ports-from-the-internet",
    "no-unconditioned-open-trust",
    "aws-resources-tagged",
    "no-open-federated-trust",
    "no-wildcard-account-assume-role",
    "no-admin-statements",
    "rsa-key-pairs",
    "no-public-s3",
    "imds-v2-only",
    "no-public-eks-endpoint",
]
SENSITIVE = "no-sensitive-ports-from-the-internet"
STACKS = ("dev", "prod", "openshift", "outposts")
POLICY = {policy.name: policy for policy in POLICIES}

SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
ROLE = "aws:iam/role:Role"
IAM_POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
VPC = "aws:ec2/vpc:Vpc"
ROUTE = "aws:ec2/route:Route"
KEY_PAIR = "aws:ec2/keyPair:KeyPair"
PRIVATE_KEY = "tls:index/privateKey:PrivateKey"
AWS_PROVIDER = "pulumi:providers:aws"
ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
ADMIN_ARN = "arn:aws:iam::aws:policy/AdministratorAccess"
IAM_FULL_ACCESS_ARN = "arn:aws:iam::aws:policy/IAMFullAccess"
BUCKET = "aws:s3/bucket:Bucket"
BUCKET_POLICY = "aws:s3/bucketPolicy:BucketPolicy"
PUBLIC_ACCESS_BLOCK = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
EKS_CLUSTER = "aws:eks/cluster:Cluster"
ASG = "aws:autoscaling/group:Group"
GITHUB = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
IRSA = "arn:aws:iam::123456789012:oidc-provider/oidc.eks.us-west-2.amazonaws.com/id/EXAMPLED539D4633E53DE1B71EXAMPLE"
GITHUB_AUD = {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}

# The resource types each policy judges; the plans must hold some of each, or a pass proves nothing.
APPLIES_TO = {
    SENSITIVE: {SG, DEFAULT_SG, INGRESS_RULE, SG_RULE},
    "no-unconditioned-open-trust": {ROLE},
    "aws-resources-tagged": TAGGABLE_TYPES,
    "no-open-federated-trust": {ROLE},
    "no-wildcard-account-assume-role": {IAM_POLICY, ROLE_POLICY},
    "no-admin-statements": {IAM_POLICY, ROLE_POLICY, ATTACHMENT},
    "rsa-key-pairs": {KEY_PAIR, PRIVATE_KEY},
    "no-public-s3": {BUCKET, BUCKET_POLICY, PUBLIC_ACCESS_BLOCK},
    "imds-v2-only": {INSTANCE, LAUNCH_TEMPLATE},
    "no-public-eks-endpoint": {EKS_CLUSTER},
}
OPEN_SSH = {"protocol": "tcp", "fromPort": 22, "toPort": 22, "cidrBlocks": ["0.0.0.0/0"]}
DEFAULT_TAGS = json.dumps({"tags": {"team": "platform"}})
ROOT = "arn:aws:iam::123456789012:root"
CONDITION = {"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/control-plane.tkg.cloud.vmware.com"}}
ORG = {"StringEquals": {"aws:PrincipalOrgID": "o-a1b2c3d4e5"}}
# Conditions that admit every principal of the trusted account (or of every account) all the same.
NOT_NARROWING = {
    "mfa": {"Bool": {"aws:MultiFactorAuthPresent": "true"}},
    "source-ip": {"IpAddress": {"aws:SourceIp": "203.0.113.0/24"}},
    "wildcard-arn": {"ArnLike": {"aws:PrincipalArn": "*"}},
    "one-wildcard-among-arns": {"ArnLike": {"aws:PrincipalArn": ["arn:aws:iam::123456789012:role/ci", "*"]}},
    "if-exists": {"StringEqualsIfExists": {"sts:ExternalId": "tkg"}},
    "only-present": {"Null": {"sts:ExternalId": "false"}},
    "all-but-one": {"ArnNotEquals": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/intruder"}},
    "for-all-values": {
        "ForAllValues:StringEquals": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"]}
    },
    "empty-list": {"ArnEquals": {"aws:PrincipalArn": []}},
}


# --- handing a resource to a policy as the engine does -------------------------------------------
def options(resource: dict[str, Any] | None = None) -> PolicyResourceOptions:
    opts = (resource or {}).get("options", {})
    return PolicyResourceOptions(
        protect=opts.get("protect", False),
        ignore_changes=opts.get("ignoreChanges", []),
        delete_before_replace=opts.get("deleteBeforeReplace"),
        aliases=[],
        custom_timeouts=PolicyCustomTimeouts(0, 0, 0),
        additional_secret_outputs=opts.get("additionalSecretOutputs", []),
        parent=(resource or {}).get("parent") or None,
    )


def violations(
    policy: str,
    resource_type: str,
    props: dict[str, Any],
    provider_props: dict[str, Any] | None = None,
    resource: dict[str, Any] | None = None,
) -> list[str]:
    """What `policy` reports for one resource; provider_props None: the resource names no provider."""
    urn = (resource or {}).get("urn", f"urn:pulumi:test::tkg-aws::{resource_type}::bad")
    provider = None
    if provider_props is not None:
        provider_urn = (resource or {}).get("provider") or "urn:pulumi:test::tkg-aws::pulumi:providers:aws::test"
        provider = PolicyProviderResource(AWS_PROVIDER, unknown_checking_proxy(provider_props), provider_urn, "test")
    args = ResourceValidationArgs(
        resource_type, unknown_checking_proxy(props), urn, urn.rsplit("::", 1)[1], options(resource), provider
    )
    messages: list[str] = []
    result = POLICY[policy].validate(args, lambda message, urn=None: messages.append(message))
    assert result is None, "the pack's validations are synchronous"
    return messages


def engine_inputs(resource: dict[str, Any]) -> dict[str, Any]:
    """A plan resource's inputs as the engine sends them: the plan decodes IAM documents for reading."""
    inputs = dict(resource["inputs"])
    for key in ("policy", "assumeRolePolicy"):
        if isinstance(inputs.get(key), dict):
            inputs[key] = json.dumps(inputs[key])
    return inputs


@pytest.fixture(scope="module")
def plans() -> dict[str, list[tuple[dict[str, Any], dict[str, Any] | None]]]:
    """Every resource of each shipped stack's offline plan with its provider's inputs (None without one)."""
    found = {}
    for stack in STACKS:
        resources = resources_document(planned(stack))["resources"]
        providers = {r["urn"]: r["inputs"] for r in resources if r["type"].startswith("pulumi:providers:")}
        found[stack] = [(r, providers[r["provider"]] if r["provider"] else None) for r in resources]
    return found


# --- the stacks pass ------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_every_resource_of_the_shipped_plans_passes_every_policy(plans, stack) -> None:
    found = [
        f"{name} {resource['urn']}: {message}"
        for resource, provider in plans[stack]
        for name in PACK_POLICY_NAMES
        for message in violations(name, resource["type"], engine_inputs(resource), provider, resource)
    ]
    assert found == []


def _make_bad(
    policy: str, resource: dict[str, Any], provider: dict[str, Any] | None
) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """The plan resource changed in the one way `policy` forbids, keeping the rest of its shape."""
    inputs, resource_type = engine_inputs(resource), resource["type"]
    if policy == SENSITIVE and resource_type == INGRESS_RULE:
        inputs.update(ipProtocol="tcp", fromPort=22, toPort=22, cidrIpv4="0.0.0.0/0")
    elif policy == SENSITIVE:
        inputs["ingress"] = [*inputs.get("ingress", []), OPEN_SSH]
    elif policy == "no-open-federated-trust":
        add_statement(inputs, "assumeRolePolicy", federated(GITHUB, {"StringEquals": GITHUB_AUD}))
    elif policy == "no-wildcard-account-assume-role":
        wide = {"Effect": "Allow", "Action": "sts:AssumeRole", "Resource": "arn:aws:iam::*:role/controllers"}
        add_statement(inputs, "policy", wide)
    elif policy == "no-public-s3" and resource_type == PUBLIC_ACCESS_BLOCK:
        inputs["blockPublicPolicy"] = False
    elif policy == "no-public-s3" and resource_type == BUCKET_POLICY:
        add_statement(
            inputs, "policy", {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "*"}
        )
    elif policy == "no-public-s3":
        inputs["acl"] = "public-read"
    elif policy == "imds-v2-only":
        inputs["metadataOptions"] = {**inputs.get("metadataOptions", {}), "httpTokens": "optional"}
    elif policy == "no-public-eks-endpoint":
        inputs["vpcConfig"] = {**inputs["vpcConfig"], "endpointPublicAccess": True}
    elif policy == "no-admin-statements" and resource_type == ATTACHMENT:
        inputs["policyArn"] = ADMIN_ARN
    elif policy in ("no-unconditioned-open-trust", "no-admin-statements"):
        key = "assumeRolePolicy" if resource_type == ROLE else "policy"
        document = json.loads(inputs[key])
        extra = {"Effect": "Allow", "Action": "*", "Resource": "*"}
        if resource_type == ROLE:
            extra = {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"AWS": ROOT}}
        document["Statement"] = [*document["Statement"], extra]
        inputs[key] = json.dumps(document)
    elif policy == "aws-resources-tagged":
        inputs.pop("tags", None)
        provider = {k: v for k, v in (provider or {}).items() if k != "defaultTags"}
    elif resource_type == KEY_PAIR:
        inputs["publicKey"] = ED25519_PUBLIC_KEY
    else:
        inputs["algorithm"] = "ED25519"
    return inputs, provider


def add_statement(inputs: dict[str, Any], key: str, statement: dict[str, Any]) -> None:
    document = json.loads(inputs[key])
    document["Statement"] = [*document["Statement"], statement]
    inputs[key] = json.dumps(document)


@pytest.mark.parametrize("policy", PACK_POLICY_NAMES)
def test_each_policy_reads_the_resources_it_judges_in_the_shipped_plans(plans, policy: str) -> None:
    """Some resources of the plans fall under the policy, and each one, made bad, fails it."""
    judged = [(r, p) for stack in STACKS for r, p in plans[stack] if r["type"] in APPLIES_TO[policy]]
    assert judged, f"no resource of the plans falls under {policy}"
    for resource, provider in judged:
        inputs, provider_inputs = _make_bad(policy, resource, provider)
        assert violations(policy, resource["type"], inputs, provider_inputs, resource), resource["urn"]


# --- a bad resource fails, a good one passes, an unknown value is skipped ---------------------------
UNKNOWN_STR, UNKNOWN_LIST, UNKNOWN_INT = UNKNOWN_STRING_VALUE, UNKNOWN_ARRAY_VALUE, UNKNOWN_NUMBER_VALUE
OPEN_SSH_RULE = {"ipProtocol": "tcp", "fromPort": 22, "toPort": 22, "cidrIpv4": "0.0.0.0/0"}


def sg(**rule: Any) -> dict[str, Any]:
    """A security group with one inline ingress rule: SSH from anywhere, changed by `rule`."""
    return {"ingress": [{**OPEN_SSH, **rule}]}


def ingress_rule(**changes: Any) -> dict[str, Any]:
    """A vpc.SecurityGroupIngressRule: SSH from anywhere, changed by `changes`."""
    return {**OPEN_SSH_RULE, **changes}


def assume(principal: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": principal, **extra}


def role(*statements: dict[str, Any]) -> dict[str, Any]:
    """A role whose trust policy is `statements`, as the JSON string the engine sees."""
    return {"assumeRolePolicy": json.dumps({"Version": "2012-10-17", "Statement": list(statements)})}


def permissions(action: Any, resource: Any, effect: str = "Allow") -> str:
    statement = {"Effect": effect, "Action": action, "Resource": resource}
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


# Documents passed as objects rather than JSON strings, so that single values in them can be unknown.
def trust_object(statement: dict[str, Any]) -> dict[str, Any]:
    return {"assumeRolePolicy": {"Statement": [statement]}}


def federated(provider: str, condition: Any = None) -> dict[str, Any]:
    statement = {"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity", "Principal": {"Federated": provider}}
    return {**statement, "Condition": condition} if condition is not None else statement


def github_sub(*subjects: str, operator: str = "StringEquals") -> dict[str, Any]:
    return {operator: {**GITHUB_AUD, "token.actions.githubusercontent.com:sub": list(subjects)}}


def assume_on(resource: Any, condition: Any = None, action: Any = "sts:AssumeRole") -> str:
    statement = {"Effect": "Allow", "Action": action, "Resource": resource}
    if condition is not None:
        statement["Condition"] = condition
    return json.dumps({"Version": "2012-10-17", "Statement": [statement]})


def admin_object(resource: Any) -> dict[str, Any]:
    return {"policy": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": resource}]}}


BAD = [
    (SENSITIVE, SG, sg(), None),
    (SENSITIVE, SG, sg(cidrBlocks=[], ipv6CidrBlocks=["::/0"]), None),
    (SENSITIVE, SG, sg(protocol="-1", fromPort=0, toPort=0), None),
    (SENSITIVE, SG, sg(fromPort=0, toPort=65535), None),
    (SENSITIVE, DEFAULT_SG, {**sg(), "egress": []}, None),
    (SENSITIVE, INGRESS_RULE, ingress_rule(), None),
    (SENSITIVE, INGRESS_RULE, ingress_rule(cidrIpv4=None, cidrIpv6="::/0"), None),
    (SENSITIVE, INGRESS_RULE, {"ipProtocol": "-1", "cidrIpv4": "0.0.0.0/0"}, None),
    (SENSITIVE, SG_RULE, {"type": "ingress", **OPEN_SSH}, None),
    ("no-unconditioned-open-trust", ROLE, role(assume({"AWS": ROOT})), None),
    ("no-unconditioned-open-trust", ROLE, role(assume({"AWS": ["123456789012"]})), None),
    ("no-unconditioned-open-trust", ROLE, role(assume({"AWS": "*"})), None),
    ("no-unconditioned-open-trust", ROLE, role(assume("*")), None),
    ("no-unconditioned-open-trust", ROLE, {"assumeRolePolicy": json.dumps({"Statement": assume({"AWS": ROOT})})}, None),
    *[
        ("no-unconditioned-open-trust", ROLE, role(assume({"AWS": ROOT}, Condition=c)), None)
        for c in NOT_NARROWING.values()
    ],
    *[
        ("no-unconditioned-open-trust", ROLE, role(assume({"AWS": "*"}, Condition=c)), None)
        for c in NOT_NARROWING.values()
    ],
    # An organization or account condition narrows `*`, but an account root is inside both already.
    ("no-unconditioned-open-trust", ROLE, role(assume({"AWS": ROOT}, Condition=ORG)), None),
    (
        "no-unconditioned-open-trust",
        ROLE,
        role(assume({"AWS": [ROOT]}, Condition={**ORG, **NOT_NARROWING["mfa"]})),
        None,
    ),
    ("aws-resources-tagged", VPC, {"cidrBlock": "10.0.0.0/16"}, {"region": "us-west-2"}),
    ("aws-resources-tagged", VPC, {"cidrBlock": "10.0.0.0/16", "tags": {}}, {"defaultTags": '{"tags": {}}'}),
    ("aws-resources-tagged", VPC, {"cidrBlock": "10.0.0.0/16"}, None),
    ("no-admin-statements", IAM_POLICY, {"policy": permissions("*", "*")}, None),
    ("no-admin-statements", IAM_POLICY, {"policy": permissions(["*"], ["*"])}, None),
    ("no-admin-statements", ROLE_POLICY, {"role": "nodes", "policy": permissions(["ec2:*", "*"], "*")}, None),
    ("no-admin-statements", ROLE, {"inlinePolicies": [{"name": "admin", "policy": permissions("*", "*")}]}, None),
    ("no-admin-statements", ATTACHMENT, {"role": "nodes", "policyArn": ADMIN_ARN}, None),
    ("rsa-key-pairs", KEY_PAIR, {"keyName": "tkg", "publicKey": ED25519_PUBLIC_KEY}, None),
    ("rsa-key-pairs", PRIVATE_KEY, {"algorithm": "ED25519"}, None),
    ("rsa-key-pairs", PRIVATE_KEY, {"algorithm": "ECDSA", "ecdsaCurve": "P256"}, None),
    # Sensitive ports other than 22, and ranges other than /0.
    (SENSITIVE, SG, sg(fromPort=3389, toPort=3389), None),
    (SENSITIVE, SG, sg(fromPort=2379, toPort=2380), None),
    (SENSITIVE, SG, sg(fromPort=10250, toPort=10250, cidrBlocks=["0.0.0.0/1", "128.0.0.0/1"]), None),
    (SENSITIVE, INGRESS_RULE, ingress_rule(fromPort=22623, toPort=22623, cidrIpv4="8.0.0.0/7"), None),
    (SENSITIVE, INGRESS_RULE, ingress_rule(cidrIpv4=None, cidrIpv6="2000::/3"), None),
    # OIDC trust: only the audience, any repository, any owner.
    ("no-open-federated-trust", ROLE, role(federated(GITHUB, {"StringEquals": GITHUB_AUD})), None),
    ("no-open-federated-trust", ROLE, role(federated(GITHUB)), None),
    ("no-open-federated-trust", ROLE, role(federated(GITHUB, github_sub("repo:*", operator="StringLike"))), None),
    (
        "no-open-federated-trust",
        ROLE,
        role(federated(GITHUB, github_sub("repo:my-org/*:*", "repo:*/tkg-aws:*", operator="StringLike"))),
        None,
    ),
    ("no-open-federated-trust", ROLE, role(federated(GITHUB, github_sub("*", operator="StringLike"))), None),
    ("no-open-federated-trust", ROLE, role(federated(IRSA, {"StringLike": {f"{IRSA[40:]}:sub": "system:*"}})), None),
    # Partial wildcards that narrow nothing.
    *[
        ("no-unconditioned-open-trust", ROLE, role(assume({"AWS": principal}, Condition=c)), None)
        for principal in (ROOT, "*")
        for c in (
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}},
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/capa"}},
            {"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/*"}},
        )
    ],
    (
        "no-unconditioned-open-trust",
        ROLE,
        role(assume({"AWS": "*"}, Condition={"StringLike": {"aws:PrincipalOrgID": "o-*"}})),
        None,
    ),
    (
        "no-unconditioned-open-trust",
        ROLE,
        role(assume({"AWS": "*"}, Condition={"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-*/*"]}})),
        None,
    ),
    (
        "no-unconditioned-open-trust",
        ROLE,
        role(assume({"AWS": "*"}, Condition={"StringLike": {"aws:PrincipalAccount": "*"}})),
        None,
    ),
    ("no-wildcard-account-assume-role", IAM_POLICY, {"policy": assume_on("arn:aws:iam::*:role/controllers")}, None),
    ("no-wildcard-account-assume-role", IAM_POLICY, {"policy": assume_on("*")}, None),
    (
        "no-wildcard-account-assume-role",
        ROLE_POLICY,
        {"policy": assume_on(["arn:aws:iam::*:role/*"], action="sts:*")},
        None,
    ),
    (
        "no-wildcard-account-assume-role",
        IAM_POLICY,
        {"policy": assume_on("arn:aws:iam::*:role/x", {"StringLike": {"aws:ResourceOrgID": "o-*"}})},
        None,
    ),
    # Admin through managed policies, iam:*, NotAction.
    ("no-admin-statements", ROLE, {"managedPolicyArns": [ADMIN_ARN]}, None),
    ("no-admin-statements", ROLE, {"managedPolicyArns": [IAM_FULL_ACCESS_ARN]}, None),
    ("no-admin-statements", ATTACHMENT, {"role": "nodes", "policyArn": IAM_FULL_ACCESS_ARN}, None),
    ("no-admin-statements", IAM_POLICY, {"policy": permissions("iam:*", "*")}, None),
    (
        "no-admin-statements",
        ROLE_POLICY,
        {"role": "nodes", "policy": permissions(["ec2:Describe*", "IAM:*"], "arn:aws:iam::123456789012:role/x")},
        None,
    ),
    (
        "no-admin-statements",
        IAM_POLICY,
        {"policy": json.dumps({"Statement": [{"Effect": "Allow", "NotAction": "iam:*", "Resource": "*"}]})},
        None,
    ),
    # RSA keys too short.
    ("rsa-key-pairs", KEY_PAIR, {"keyName": "tkg", "publicKey": RSA_1024_PUBLIC_KEY}, None),
    ("rsa-key-pairs", PRIVATE_KEY, {"algorithm": "RSA", "rsaBits": 1024}, None),
    # Public S3.
    ("no-public-s3", PUBLIC_ACCESS_BLOCK, {"bucket": "b", "blockPublicAcls": True}, None),
    ("no-public-s3", BUCKET, {"bucket": "b", "acl": "public-read"}, None),
    (
        "no-public-s3",
        BUCKET_POLICY,
        {
            "policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Allow",
                            "Principal": {"AWS": "*"},
                            "Action": "s3:GetObject",
                            "Resource": "arn:aws:s3:::b/*",
                        }
                    ]
                }
            )
        },
        None,
    ),
    # IMDSv1.
    ("imds-v2-only", INSTANCE, {"ami": "ami-0123456789abcdef0"}, None),
    ("imds-v2-only", INSTANCE, {"metadataOptions": {"httpTokens": "optional"}}, None),
    ("imds-v2-only", LAUNCH_TEMPLATE, {"metadataOptions": {"httpEndpoint": "enabled"}}, None),
    # Public EKS endpoints.
    ("no-public-eks-endpoint", EKS_CLUSTER, {"vpcConfig": {"subnetIds": ["subnet-1"]}}, None),
    (
        "no-public-eks-endpoint",
        EKS_CLUSTER,
        {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["0.0.0.0/0"]}},
        None,
    ),
    # Taggable types of the new platforms.
    ("aws-resources-tagged", EKS_CLUSTER, {"name": "edge"}, {"region": "us-west-2"}),
    ("aws-resources-tagged", BUCKET, {"bucket": "b"}, {"region": "us-west-2"}),
    ("aws-resources-tagged", ASG, {"maxSize": 1}, {"defaultTags": DEFAULT_TAGS}),
]
# Values the engine does not know yet (during preview) beside a known violation: it is still found.
BAD_BESIDE_UNKNOWN = [
    (SENSITIVE, SG, {"ingress": [UNKNOWN_STR, {**OPEN_SSH, "securityGroups": [UNKNOWN_STR]}]}),
    (SENSITIVE, SG, sg(cidrBlocks=[UNKNOWN_STR, "0.0.0.0/0"])),
    (SENSITIVE, INGRESS_RULE, ingress_rule(securityGroupId=UNKNOWN_STR)),
    ("no-unconditioned-open-trust", ROLE, trust_object(assume({"AWS": [ROOT, UNKNOWN_STR]}))),
    ("no-admin-statements", IAM_POLICY, admin_object(["*", UNKNOWN_STR])),
    ("aws-resources-tagged", VPC, {"cidrBlock": UNKNOWN_STR}),
]
GOOD = [
    (SENSITIVE, SG, sg(fromPort=443, toPort=443), None),
    (SENSITIVE, SG, sg(cidrBlocks=["10.0.0.0/8"]), None),
    (SENSITIVE, SG, sg(protocol="udp"), None),
    (SENSITIVE, INGRESS_RULE, ingress_rule(cidrIpv4="10.0.0.0/16"), None),
    (SENSITIVE, SG_RULE, {"type": "egress", **OPEN_SSH}, None),
    ("no-unconditioned-open-trust", ROLE, role(assume({"AWS": ROOT}, Condition=CONDITION)), None),
    ("no-unconditioned-open-trust", ROLE, role(assume({"AWS": "*"}, Condition=CONDITION)), None),
    ("no-unconditioned-open-trust", ROLE, role(assume({"AWS": "*"}, Condition=ORG)), None),
    (
        "no-unconditioned-open-trust",
        ROLE,
        role(assume({"AWS": ROOT}, Condition={"StringEquals": {"sts:ExternalId": "tkg"}})),
        None,
    ),
    # Condition keys are case-insensitive; a pattern with a fixed part narrows.
    (
        "no-unconditioned-open-trust",
        ROLE,
        role(assume(ROOT, Condition={"ArnLike": {"aws:principalarn": f"{ROOT[:-4]}role/capa-*"}})),
        None,
    ),
    (
        "no-unconditioned-open-trust",
        ROLE,
        role(assume({"AWS": "*"}, Condition={"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": ["o-a1b2c3d4e5/*"]}})),
        None,
    ),
    # A narrowing condition beside one that is not still narrows.
    (
        "no-unconditioned-open-trust",
        ROLE,
        role(assume({"AWS": ROOT}, Condition={**CONDITION, **NOT_NARROWING["mfa"]})),
        None,
    ),
    ("no-unconditioned-open-trust", ROLE, role(assume({"Service": "ec2.amazonaws.com"})), None),
    ("no-unconditioned-open-trust", ROLE, role(assume({"AWS": "arn:aws:iam::123456789012:role/ci"})), None),
    ("no-unconditioned-open-trust", ROLE, role({**assume({"AWS": "*"}), "Effect": "Deny"}), None),
    ("aws-resources-tagged", VPC, {"cidrBlock": "10.0.0.0/16"}, {"defaultTags": DEFAULT_TAGS}),
    ("aws-resources-tagged", VPC, {"cidrBlock": "10.0.0.0/16"}, {"defaultTags": {"tags": {"team": "platform"}}}),
    ("aws-resources-tagged", VPC, {"cidrBlock": "10.0.0.0/16", "tags": {"Name": "dev-vpc"}}, {"region": "us-west-2"}),
    ("aws-resources-tagged", ROUTE, {"destinationCidrBlock": "0.0.0.0/0"}, None),
    ("no-admin-statements", IAM_POLICY, {"policy": permissions("*", "arn:aws:s3:::tkg-bucket/*")}, None),
    ("no-admin-statements", IAM_POLICY, {"policy": permissions("ec2:*", "*")}, None),
    ("no-admin-statements", ATTACHMENT, {"role": "nodes", "policyArn": "arn:aws:iam::aws:policy/ReadOnlyAccess"}, None),
    ("no-admin-statements", IAM_POLICY, {"policy": permissions("*", "*", effect="Deny")}, None),
    ("rsa-key-pairs", KEY_PAIR, {"keyName": "tkg", "publicKey": RSA_2048_PUBLIC_KEY}, None),
    ("rsa-key-pairs", PRIVATE_KEY, {"algorithm": "RSA", "rsaBits": 4096}, None),
    (SENSITIVE, SG, sg(fromPort=6443, toPort=6443), None),  # a cluster's API server is meant to be reached
    (SENSITIVE, SG, sg(cidrBlocks=["203.0.113.0/24"]), None),  # one office's range
    ("no-open-federated-trust", ROLE, role(federated(GITHUB, github_sub("repo:OWNER/REPO:environment:prod"))), None),
    (
        "no-open-federated-trust",
        ROLE,
        role(federated(GITHUB, github_sub("repo:OWNER/REPO:pull_request", operator="StringLike"))),
        None,
    ),
    (
        "no-open-federated-trust",
        ROLE,
        role(
            federated(
                IRSA,
                {"StringEquals": {f"{IRSA[40:]}:sub": "system:serviceaccount:capa-system:capa-controller-manager"}},
            )
        ),
        None,
    ),
    (
        "no-unconditioned-open-trust",
        ROLE,
        role(
            assume({"AWS": "*"}, Condition={"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::123456789012:role/capa-*"}})
        ),
        None,
    ),
    (
        "no-wildcard-account-assume-role",
        IAM_POLICY,
        {
            "policy": assume_on(
                "arn:aws:iam::*:role/controllers.tkg.cloud.vmware.com",
                {"StringEquals": {"aws:ResourceOrgID": "o-a1b2c3d4e5"}},
            )
        },
        None,
    ),
    (
        "no-wildcard-account-assume-role",
        IAM_POLICY,
        {"policy": assume_on("arn:aws:iam::222222222222:role/controllers")},
        None,
    ),
    ("no-wildcard-account-assume-role", IAM_POLICY, {"policy": assume_on("*", action="ec2:Describe*")}, None),
    ("no-admin-statements", ROLE, {"managedPolicyArns": ["arn:aws:iam::aws:policy/ReadOnlyAccess"]}, None),
    (
        "no-public-s3",
        PUBLIC_ACCESS_BLOCK,
        {
            "bucket": "b",
            **dict.fromkeys(
                ("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"), True
            ),
        },
        None,
    ),
    (
        "no-public-s3",
        BUCKET_POLICY,
        {
            "policy": json.dumps(
                {
                    "Statement": [
                        {
                            "Effect": "Deny",
                            "Principal": "*",
                            "Action": "s3:*",
                            "Resource": "*",
                            "Condition": {"Bool": {"aws:SecureTransport": "false"}},
                        }
                    ]
                }
            )
        },
        None,
    ),
    ("imds-v2-only", INSTANCE, {"metadataOptions": {"httpTokens": "required"}}, None),
    ("imds-v2-only", LAUNCH_TEMPLATE, {"metadataOptions": {"httpEndpoint": "disabled"}}, None),
    (
        "no-public-eks-endpoint",
        EKS_CLUSTER,
        {"vpcConfig": {"endpointPublicAccess": False, "endpointPrivateAccess": True}},
        None,
    ),
    (
        "no-public-eks-endpoint",
        EKS_CLUSTER,
        {"vpcConfig": {"endpointPublicAccess": True, "publicAccessCidrs": ["203.0.113.0/24"]}},
        None,
    ),
    (
        "aws-resources-tagged",
        ASG,
        {"maxSize": 1, "tags": [{"key": "Name", "value": "n", "propagateAtLaunch": True}]},
        None,
    ),
]
# Values the engine does not know yet (during preview): skipped, never counted as a violation.
UNKNOWN = [
    (SENSITIVE, SG, {"ingress": UNKNOWN_LIST}, None),
    (SENSITIVE, SG, sg(cidrBlocks=UNKNOWN_LIST), None),
    (SENSITIVE, INGRESS_RULE, ingress_rule(cidrIpv4=UNKNOWN_STR), None),
    (SENSITIVE, INGRESS_RULE, ingress_rule(fromPort=UNKNOWN_INT), None),
    ("no-unconditioned-open-trust", ROLE, {"assumeRolePolicy": UNKNOWN_STR}, None),
    ("no-unconditioned-open-trust", ROLE, trust_object(assume(ROOT, Condition=UNKNOWN_STR)), None),
    (
        "no-unconditioned-open-trust",
        ROLE,
        trust_object(assume(ROOT, Condition={"ArnEquals": {"aws:PrincipalArn": UNKNOWN_STR}})),
        None,
    ),
    ("no-unconditioned-open-trust", ROLE, trust_object(assume(ROOT, Condition={"ArnEquals": UNKNOWN_STR})), None),
    ("aws-resources-tagged", VPC, {"cidrBlock": "10.0.0.0/16", "tags": UNKNOWN_STR}, None),
    ("aws-resources-tagged", VPC, {"cidrBlock": "10.0.0.0/16"}, {"defaultTags": UNKNOWN_STR}),
    ("no-admin-statements", IAM_POLICY, {"policy": UNKNOWN_STR}, None),
    ("no-admin-statements", IAM_POLICY, admin_object(UNKNOWN_STR), None),
    ("rsa-key-pairs", KEY_PAIR, {"keyName": "tkg", "publicKey": UNKNOWN_STR}, None),
    ("rsa-key-pairs", PRIVATE_KEY, {"algorithm": UNKNOWN_STR}, None),
    ("no-open-federated-trust", ROLE, trust_object(federated(GITHUB, {"StringEquals": UNKNOWN_STR})), None),
    ("imds-v2-only", INSTANCE, {"metadataOptions": UNKNOWN_STR}, None),
    ("no-public-eks-endpoint", EKS_CLUSTER, {"vpcConfig": {"publicAccessCidrs": UNKNOWN_LIST}}, None),
    (
        "no-public-s3",
        PUBLIC_ACCESS_BLOCK,
        {
            "bucket": "b",
            **dict.fromkeys(("blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls"), True),
            "restrictPublicBuckets": UNKNOWN_STR,
        },
        None,
    ),
]


def _ids(cases: list[tuple]) -> list[str]:
    return [f"{case[0]}-{case[1].rsplit(':', 1)[1]}-{index}" for index, case in enumerate(cases)]


@pytest.mark.parametrize(("policy", "resource_type", "props", "provider"), BAD, ids=_ids(BAD))
def test_a_bad_resource_fails_its_policy(policy: str, resource_type: str, props: dict, provider: dict | None) -> None:
    assert violations(policy, resource_type, props, provider)


@pytest.mark.parametrize(("policy", "resource_type", "props"), BAD_BESIDE_UNKNOWN, ids=_ids(BAD_BESIDE_UNKNOWN))
def test_an_unknown_value_does_not_hide_a_known_violation(policy: str, resource_type: str, props: dict) -> None:
    assert violations(policy, resource_type, props, {"region": "us-west-2"})


@pytest.mark.parametrize(("policy", "resource_type", "props", "provider"), GOOD, ids=_ids(GOOD))
def test_a_good_resource_passes_its_policy(policy: str, resource_type: str, props: dict, provider: dict | None) -> None:
    assert violations(policy, resource_type, props, provider) == []


@pytest.mark.parametrize(("policy", "resource_type", "props", "provider"), UNKNOWN, ids=_ids(UNKNOWN))
def test_a_value_unknown_during_preview_is_skipped(policy: str, resource_type: str, props: dict, provider) -> None:
    assert violations(policy, resource_type, props, provider) == []


def test_an_open_trust_violation_names_the_keys_that_would_narrow_that_principal() -> None:
    (root,) = violations("no-unconditioned-open-trust", ROLE, role(assume({"AWS": ROOT}, Condition=ORG)))
    assert ROOT in root and "aws:PrincipalArn, aws:userid, sts:ExternalId" in root and "PrincipalOrgID" not in root
    (anyone,) = violations("no-unconditioned-open-trust", ROLE, role(assume({"AWS": "*"})))
    assert "aws:PrincipalOrgID" in anyone and "sts:ExternalId" in anyone


def test_every_bad_and_good_case_names_a_policy_of_the_pack() -> None:
    cases = BAD + GOOD + UNKNOWN + [(*case, None) for case in BAD_BESIDE_UNKNOWN]
    assert {case[0] for case in cases} == set(PACK_POLICY_NAMES)
    assert {case[0] for case in BAD} == set(PACK_POLICY_NAMES)


# --- the pack itself ------------------------------------------------------------------------------
def test_the_pack_entry_point_builds_one_mandatory_pack_of_exactly_these_policies() -> None:
    tree = ast.parse((REPO / "policy" / "__main__.py").read_text())
    calls = [n for n in ast.walk(tree) if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "PolicyPack"]
    assert len(calls) == 1
    keywords = {k.arg: k.value for k in calls[0].keywords}
    assert isinstance(keywords["policies"], ast.Name) and keywords["policies"].id == "POLICIES"
    assert ast.unparse(keywords["enforcement_level"]) == "EnforcementLevel.MANDATORY"
    imports = [(n.module, [a.name for a in n.names]) for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    assert ("policies", ["POLICIES"]) in imports
    assert [policy.name for policy in POLICIES] == PACK_POLICY_NAMES


def test_policies_module_loads_standalone_as_the_pack_imports_it() -> None:
    """`pulumi preview --policy-pack policy` imports policies.py as a top-level module, not policy.policies."""
    spec = importlib.util.spec_from_file_location("policies", REPO / "policy" / "policies.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert [policy.name for policy in module.POLICIES] == PACK_POLICY_NAMES
