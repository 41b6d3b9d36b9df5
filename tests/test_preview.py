"""What `pulumi preview` of a new stack shows: the program under preview mocks (tools/plan/mocks.py).

During a preview nothing exists yet, so the engine hands the program unknowns for everything AWS
assigns (ids, ARNs, addresses, fingerprints, a generated key), and `.apply` callbacks on them do
not run. These tests run the dev and prod stacks that way and check what a reviewer reads in the
preview: the same resources as `pulumi up` registers, every fixed name, tag, CIDR and object name
already known, unknowns only where AWS has yet to answer, secrets still secret, and bad config
refused before anything is registered.
"""

from __future__ import annotations

import ast
import copy
import fnmatch
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockResourceArgs

from components.config.base import ConfigError
from tests.conftest import REPO, plan, stack_file
from tools.plan import program
from tools.plan.mocks import TkgMocks, install
from tools.plan.program import UNKNOWN_PLACEHOLDER, ProgramRun, plan_data

STACKS = ("dev", "prod")
PYTHON_DIRS = ("components", "tools", "tests", "policy", "bench", "examples")

# What a first preview cannot know yet, by resource type and input: each is an id or ARN AWS
# assigns when it creates another resource of the stack (or a generated key's public half).
UNKNOWN_INPUTS = {
    "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup": {"vpcId"},
    "aws:ec2/internetGateway:InternetGateway": {"vpcId"},
    "aws:ec2/keyPair:KeyPair": {"publicKey"},  # both stacks generate their key with pulumi-tls
    "aws:ec2/natGateway:NatGateway": {"allocationId", "subnetId"},
    "aws:ec2/route:Route": {"gatewayId", "natGatewayId", "routeTableId"},
    "aws:ec2/routeTable:RouteTable": {"vpcId"},
    "aws:ec2/routeTableAssociation:RouteTableAssociation": {"routeTableId", "subnetId"},
    "aws:ec2/securityGroup:SecurityGroup": {"vpcId"},
    "aws:ec2/subnet:Subnet": {"vpcId"},
    "aws:ec2/tag:Tag": {"resourceId"},
    "aws:ec2/vpcEndpoint:VpcEndpoint": {"vpcId", "securityGroupIds[]", "subnetIds[]"},
    "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation": {"routeTableId", "vpcEndpointId"},
    "aws:iam/rolePolicyAttachment:RolePolicyAttachment": {"policyArn"},
    "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule": {"securityGroupId"},
    "kubernetes:infrastructure.cluster.x-k8s.io/v1beta2:AWSClusterRoleIdentity": {"spec.roleARN"},
}
UNKNOWN_OUTPUTS = {
    "network.vpcId",
    "network.publicSubnetIds.*",
    "network.privateSubnetIds.*",
    "network.natGatewayPublicIps.*",
    "network.publicRouteTableId",
    "network.privateRouteTableIds.*",
    "iam.roleArns.*",
    "iam.instanceProfileArns.*",
    "iam.policyArns.*",
    "keyPair.fingerprint",
    "keyPair.keyPairId",
    "workloadAccounts.*.controllersRoleArn",
    # Built by one apply over the whole network output: unknown as a whole, AWS_REGION included,
    # until the VPC exists.
    "tkgClusterConfig",
    "gpu.tkgClusterConfig",
}

EXTERNAL_ID, DEPLOY_EXTERNAL_ID = "s3cret-capa-external-id", "s3cret-deploy-id"
KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\n"


@pytest.fixture(scope="module")
def previews() -> dict[str, ProgramRun]:
    """Each shipped stack as `pulumi preview` shows it, planned once for the module."""
    return {stack: plan(stack_file(stack)[0], stack=stack, preview=True) for stack in STACKS}


@pytest.fixture(scope="module")
def ups() -> dict[str, ProgramRun]:
    """The same stacks as `pulumi up` registers them."""
    return {stack: plan(stack_file(stack)[0], stack=stack) for stack in STACKS}


def unknown_paths(value: Any, path: str = "") -> Iterator[str]:
    """Dotted paths of the unknowns in plan data; a list's elements are `[]`."""
    if value == UNKNOWN_PLACEHOLDER:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from unknown_paths(item, f"{path}.{key}" if path else key)
    elif isinstance(value, list):
        for item in value:
            yield from unknown_paths(item, f"{path}[]")


def known_parts_agree(preview: Any, up: Any) -> bool:
    """True if `preview` is `up` where it is known: an unknown stands for any value."""
    if preview == UNKNOWN_PLACEHOLDER:
        return True
    if isinstance(preview, dict) and isinstance(up, dict):
        return preview.keys() == up.keys() and all(known_parts_agree(preview[k], up[k]) for k in preview)
    if isinstance(preview, list) and isinstance(up, list):
        return len(preview) == len(up) and all(map(known_parts_agree, preview, up))
    return preview == up


def inputs(run: ProgramRun, type_token: str) -> list[dict[str, Any]]:
    return [plan_data(r.inputs) for r in run.of_type(type_token)]


# --- a preview runs, and declares what `up` would --------------------------------------------------
@pytest.mark.parametrize("stack", STACKS)
def test_a_preview_registers_every_resource_up_registers(previews, ups, stack):
    assert sorted(previews[stack].registrations) == sorted(ups[stack].registrations)
    assert len(previews[stack].registrations) > 40


@pytest.mark.parametrize("stack", STACKS)
def test_what_a_preview_shows_is_what_up_registers(previews, ups, stack):
    preview, up = previews[stack], ups[stack]
    differing = [
        urn
        for urn, registration in preview.registrations.items()
        if not known_parts_agree(plan_data(registration.inputs), plan_data(up.registrations[urn].inputs))
        or registration.options != up.registrations[urn].options
        or registration.depends_on != up.registrations[urn].depends_on
    ]
    assert differing == []
    assert known_parts_agree(preview.outputs, up.outputs)


# --- what is unknown in a preview, and what must be known -----------------------------------------
def test_only_what_aws_assigns_is_unknown_in_a_preview(previews):
    found: dict[str, set[str]] = {}
    for run in previews.values():
        for registration in run.registrations.values():
            paths = set(unknown_paths(plan_data(registration.inputs)))
            if paths:
                found.setdefault(registration.type, set()).update(paths)
    assert found == UNKNOWN_INPUTS


def test_no_resource_has_an_id_before_it_exists(previews):
    assert {r.id for run in previews.values() for r in run.registrations.values()} == {""}


def test_only_ids_and_arns_are_unknown_among_the_outputs(previews):
    found = {path for run in previews.values() for path in unknown_paths(run.outputs)}
    assert {pattern for pattern in UNKNOWN_OUTPUTS if not fnmatch.filter(found, pattern)} == set()
    assert {path for path in found if not any(fnmatch.fnmatch(path, p) for p in UNKNOWN_OUTPUTS)} == set()


def test_every_fixed_iam_name_is_known_in_a_preview(previews):
    suffix = ".tkg.cloud.vmware.com"
    expected = {f"{base}{suffix}" for base in ("control-plane", "nodes", "controllers")}
    for run in previews.values():
        for type_token in ("aws:iam/role:Role", "aws:iam/instanceProfile:InstanceProfile"):
            assert {i["name"] for i in inputs(run, type_token)} == expected, type_token
        assert {i["name"] for i in inputs(run, "aws:iam/policy:Policy")} >= expected
        attached = {i["role"] for i in inputs(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")}
        assert expected <= attached
        assert {i["name"] for i in inputs(run, "aws:iam/rolePolicy:RolePolicy")} == {"tkg-cloud-vmware-com"}


def test_names_tags_and_cidrs_of_the_network_are_known_in_a_preview(previews):
    prod = previews["prod"]
    (vpc,) = inputs(prod, "aws:ec2/vpc:Vpc")
    assert (vpc["cidrBlock"], vpc["tags"]["Name"]) == ("10.20.0.0/16", "prod-vpc")
    subnets = inputs(prod, "aws:ec2/subnet:Subnet")
    assert len(subnets) == 6
    assert all(s["vpcId"] == UNKNOWN_PLACEHOLDER for s in subnets)
    assert all(re.fullmatch(r"10\.20\.\d+\.\d+/\d+", s["cidrBlock"]) and s["tags"]["Name"] for s in subnets)
    tags = inputs(prod, "aws:ec2/tag:Tag")
    assert tags and all(t["key"] and t["value"] for t in tags)
    assert {t["key"] for t in tags} >= {"kubernetes.io/cluster/tkg-mgmt", "kubernetes.io/role/elb"}


def test_an_identity_is_named_in_a_preview_before_its_role_exists(previews):
    identities = inputs(previews["prod"], "kubernetes:infrastructure.cluster.x-k8s.io/v1beta2:AWSClusterRoleIdentity")
    assert sorted(i["metadata"]["name"] for i in identities) == ["lob-dev", "lob-prod"]
    assert [i["spec"]["roleARN"] for i in identities] == [UNKNOWN_PLACEHOLDER] * 2
    assert all(i["spec"]["allowedNamespaces"] and i["spec"]["durationSeconds"] == 3600 for i in identities)


def test_the_workload_trust_policies_are_known_in_a_preview(previews):
    # The trusted principals come from config (capaPrincipalArns), not from a role created in this run.
    roles = [
        r
        for r in previews["prod"].of_type("aws:iam/role:Role")
        if r.name in ("lob-dev-controllers", "lob-prod-controllers")
    ]
    trusts = [json.loads(r.inputs["assumeRolePolicy"]) for r in roles]
    assert len(trusts) == 2
    assert all(t["Statement"][1]["Principal"] == {"AWS": ["arn:aws:iam::111111111111:root"]} for t in trusts)


# --- secrets ----------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def secret_preview() -> ProgramRun:
    """prod applying to a cluster, with its kubeconfig, an external id and a deploy external id secret."""
    raw = copy.deepcopy(stack_file("prod")[0])
    cluster = {k: v for k, v in raw["managementCluster"].items() if k != "renderYamlToDirectory"}
    raw["managementCluster"] = {**cluster, "kubeconfig": KUBECONFIG}
    raw["workloadAccounts"][1]["identity"]["externalId"] = EXTERNAL_ID
    raw["workloadAccounts"][1]["deployExternalId"] = DEPLOY_EXTERNAL_ID
    return plan(raw, stack="prod", secret_paths={"workloadAccounts", "managementCluster"}, preview=True)


def test_a_generated_private_key_is_secret_in_a_preview_though_unknown(previews):
    assert previews["dev"].outputs["keyPairPrivateKey"] == "[secret]"


def test_secret_config_stays_secret_in_a_preview(secret_preview):
    def shown(type_token: str, name: str) -> dict[str, Any]:
        return plan_data(secret_preview.named(type_token, name).inputs)

    identity = shown(
        "kubernetes:infrastructure.cluster.x-k8s.io/v1beta2:AWSClusterRoleIdentity", "management-cluster-lob-prod"
    )
    assert shown("pulumi:providers:kubernetes", "management-cluster")["kubeconfig"] == "[secret]"
    assert (identity["spec"], identity["metadata"]["name"]) == ("[secret]", "lob-prod")
    assert shown("pulumi:providers:aws", "lob-prod")["assumeRoles"] == "[secret]"
    everything = [plan_data(r.inputs) for r in secret_preview.registrations.values()]
    shown_anywhere = json.dumps([everything, secret_preview.outputs], default=str)
    for value in (EXTERNAL_ID, DEPLOY_EXTERNAL_ID, KUBECONFIG.strip()):
        assert value not in shown_anywhere


def test_preview_mocks_answer_with_unknowns_and_keep_secrets_secret():
    mocks = TkgMocks(preview=True)
    role_id, role = mocks.new_resource(MockResourceArgs("aws:iam/role:Role", "r", {"name": "nodes.x"}))
    key_id, key = mocks.new_resource(MockResourceArgs("tls:index/privateKey:PrivateKey", "k", {"algorithm": "RSA"}))
    assert (role_id, role) == ("", {"name": "nodes.x", "arn": rpc.UNKNOWN, "uniqueId": rpc.UNKNOWN})
    assert (key_id, key["algorithm"], key["publicKeyOpenssh"]) == ("", "RSA", rpc.UNKNOWN)
    assert key["privateKeyPem"] == rpc.wrap_rpc_secret(rpc.UNKNOWN)


def test_half_a_preview_is_refused():
    with pytest.raises(ValueError, match="preview"):
        install("us-west-2", "tkg-aws", "test", mocks=TkgMocks(), preview=True)


# --- bad config -------------------------------------------------------------------------------------
def test_bad_config_is_refused_in_a_preview_before_anything_is_registered(monkeypatch):
    started: list[str] = []
    monkeypatch.setattr(program, "run_under_mocks", lambda *args, **kwargs: started.append("run"))
    raw = copy.deepcopy(stack_file("dev")[0])
    raw["environment"] = "Dev_1"
    raw["network"]["cidr"] = "10.0.0.0/8"
    with pytest.raises(ConfigError) as refused:
        plan(raw, stack="dev", preview=True)
    problems = refused.value.problems
    assert len(problems) >= 2 and all(re.fullmatch(r"tkg-aws:\S+: .+ \(got .+\)", p) for p in problems), problems
    assert {p.split(":")[1] for p in problems} >= {"environment", "network.cidr"}
    assert started == []


# --- no assertion hides where a preview would skip it -----------------------------------------------------
def assertions_inside_apply(source: str) -> list[int]:
    """Lines of `assert` in callbacks given to `.apply`, which never run on an unknown: a test that
    asserts there passes without checking anything, and a program's own check is skipped in a preview.

    A callback is a lambda or a function of the same module; a lambda's calls to functions of the
    module are followed one level. (A `raise` may belong there: e.g. the app-team example refuses a
    missing platform output, which a StackReference knows during a preview too.)
    """
    tree = ast.parse(source)
    functions = {node.name: node for node in ast.walk(tree) if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    return [
        node.lineno
        for callback in apply_callbacks(tree)
        for body in callback_bodies(callback, functions)
        for node in ast.walk(body)
        if isinstance(node, ast.Assert)
    ]


def apply_callbacks(tree: ast.AST) -> Iterator[ast.expr]:
    """The first argument of every `.apply(...)` call."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "apply":
            yield from node.args[:1]


def callback_bodies(callback: ast.expr, functions: dict[str, ast.AST]) -> list[ast.AST]:
    """What runs when the callback runs: a lambda and the module's functions it calls, or a named function."""
    if isinstance(callback, ast.Name):
        return [functions[callback.id]] if callback.id in functions else []
    if not isinstance(callback, ast.Lambda):
        return []
    called = {c.func.id for c in ast.walk(callback) if isinstance(c, ast.Call) and isinstance(c.func, ast.Name)}
    return [callback, *(functions[name] for name in sorted(called) if name in functions)]


def test_no_assertion_in_the_program_or_the_tests_hides_inside_an_apply():
    files = [REPO / "__main__.py", *(f for part in PYTHON_DIRS for f in sorted((REPO / part).rglob("*.py")))]
    sources = {str(f.relative_to(REPO)): f.read_text() for f in files}
    hidden = {
        name: lines
        for name, source in sources.items()
        if ".apply(" in source and (lines := assertions_inside_apply(source))
    }
    assert hidden == {}


def test_the_apply_check_finds_an_assertion_in_a_callback():
    source = "def check(v):\n    assert v\n\nout.apply(check)\nout.apply(lambda v: check(v))\nout.apply(str.strip)\n"
    assert assertions_inside_apply(source) == [2, 2]
