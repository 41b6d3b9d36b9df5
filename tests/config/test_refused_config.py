"""What AWS, STS, IAM or the management cluster would refuse is refused at config time.

Each case is a realistic mistake on a shipped stack's config: it must give keyed problem lines
(`tkg-aws:<key>: ... (got ...)`), never a traceback, and never accept what AWS would not. A
property test then mutates valid configs at random: every result is a plan or keyed lines.
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from components.config.base import ConfigError
from components.stack_config.loading import parse_config, parse_stack_config
from tests.conftest import REGION, REPO, stack_file

PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAA\n-----END OPENSSH PRIVATE KEY-----"


def prod() -> dict[str, Any]:
    return copy.deepcopy(stack_file("prod")[0])


def dev() -> dict[str, Any]:
    return copy.deepcopy(stack_file("dev")[0])


def setting(base: Callable[[], dict], path: str, value: Any) -> dict[str, Any]:
    raw = base()
    node: Any = raw
    parts = path.replace("[", ".").replace("]", "").split(".")
    for part in parts[:-1]:
        key: Any = int(part) if part.isdigit() else part
        node = node.setdefault(key, {}) if isinstance(key, str) else node[key]
    last = parts[-1]
    node[int(last) if last.isdigit() else last] = value
    return raw


def problems(raw: dict[str, Any], region: str = REGION) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse_config(raw, region, project_dir=REPO)
    return err.value.problems


# (what the user did, the config, the key the line must name, a fragment of the line)
CASES = [
    # patterns match whole values, in ASCII
    (
        "external id with a newline",
        setting(prod, "workloadAccounts[1].identity.externalId", "lob-prod\n"),
        "workloadAccounts[1].identity.externalId",
        "external id",
    ),
    (
        "session name in another script",
        setting(prod, "workloadAccounts[0].identity.sessionName", "세션이름"),
        "workloadAccounts[0].identity.sessionName",
        "session name",
    ),
    (
        "IAM suffix with non-ASCII letters",
        setting(dev, "iam.nameSuffix", ".tkg.ünicode"),
        "iam.nameSuffix",
        "IAM names allow",
    ),
    ("environment with a trailing newline", setting(dev, "environment", "dev\n"), "environment", "lowercase"),
    # tags
    ("IAM refuses & in tags", setting(dev, "tags", {"team": "R&D"}), "tags", "IAM tags allow only"),
    ("Environment next to our environment", setting(dev, "tags", {"Environment": "dev"}), "tags", "ignore case"),
    ("two keys that differ in case", setting(dev, "tags", {"Team": "a", "team": "b"}), "tags", "one key to IAM"),
    (
        "more than 50 tags on a subnet",
        setting(dev, "tags", {f"k{i}": "v" for i in range(47)}),
        "tags",
        "a subnet would carry 54 tags",
    ),
    (
        "many cluster names on one subnet",
        setting(dev, "network.clusterNames", [f"cluster-{i}" for i in range(46)]),
        "network.clusterNames",
        "a subnet would carry 52 tags",
    ),
    # regions and AZs
    (
        "an AZ letter the region lacks",
        setting(dev, "network.availabilityZones", ["us-west-2e"]),
        "network.availabilityZones",
        "not availability zones of us-west-2",
    ),
    # IAM
    ("a path with an empty segment", setting(dev, "iam.path", "/tkg//"), "iam.path", "IAM path"),
    (
        "a boundary of another partition",
        setting(dev, "iam.permissionsBoundary", "arn:aws-cn:iam::123456789012:policy/boundary"),
        "iam.permissionsBoundary",
        "partition aws-cn",
    ),
    (
        "a management boundary of another account",
        setting(dev, "iam.permissionsBoundary", "arn:aws:iam::999999999999:policy/boundary"),
        "iam.permissionsBoundary",
        "cannot be used in the management account",
    ),
    (
        "more than 20 managed policies",
        setting(dev, "iam.extraPolicyArns", {"controlPlane": [f"arn:aws:iam::aws:policy/P{i}" for i in range(18)]}),
        "iam.extraPolicyArns.controlPlane",
        "at most 20",
    ),
    (
        "a CAPA principal of the GovCloud partition",
        setting(prod, "managementCluster.capaPrincipalArns", ["arn:aws-us-gov:iam::111111111111:role/capa"]),
        "managementCluster.capaPrincipalArns[0]",
        "partition aws-us-gov",
    ),
    # selectors
    (
        "In without values",
        setting(prod, "gpu.clusterSelector", {"matchExpressions": [{"key": "gpu", "operator": "In"}]}),
        "gpu.clusterSelector.matchExpressions[0]",
        "needs at least one value",
    ),
    (
        "Exists with values",
        setting(
            prod,
            "gpu.clusterSelector",
            {"matchExpressions": [{"key": "gpu", "operator": "Exists", "values": ["nvidia"]}]},
        ),
        "gpu.clusterSelector.matchExpressions[0]",
        "takes no values",
    ),
    (
        "a label key with a space",
        setting(prod, "gpu.clusterSelector", {"matchExpressions": [{"key": "gpu type", "operator": "Exists"}]}),
        "gpu.clusterSelector.matchExpressions[0].key",
        "not a Kubernetes label key",
    ),
    # duplicates that would be one resource twice
    (
        "the same CAPA principal twice",
        setting(prod, "managementCluster.capaPrincipalArns", ["arn:aws:iam::111111111111:role/capa"] * 2),
        "managementCluster.capaPrincipalArns",
        "duplicate entries",
    ),
    (
        "two principals with one role name",
        setting(
            prod,
            "managementCluster.capaPrincipalArns",
            ["arn:aws:iam::111111111111:role/a/capa", "arn:aws:iam::111111111111:role/b/capa"],
        ),
        "managementCluster.capaPrincipalArns[1]",
        "the same role name",
    ),
    # shapes that plan but fail later
    (
        "no NAT and no endpoints",
        setting(dev, "network.natGateways", "none"),
        "network.vpcEndpoints.interface",
        "ec2, elasticloadbalancing, secretsmanager",
    ),
    ("public subnets below /27", setting(dev, "network.cidr", "10.0.0.0/22"), "network.cidr", "/27"),
    (
        "an instance size that does not exist",
        setting(prod, "gpu.workerInstanceType", "g4dn.8xl"),
        "gpu.workerInstanceType",
        "did you mean g4dn.8xlarge?",
    ),
    (
        "a GPU size that does not exist",
        setting(prod, "gpu.workerInstanceType", "g5.3xlarge"),
        "gpu.workerInstanceType",
        "not an EC2 instance type",
    ),
    (
        "an AMD GPU for the NVIDIA operator",
        setting(prod, "gpu.workerInstanceType", "g4ad.xlarge"),
        "gpu.workerInstanceType",
        "not an NVIDIA GPU instance type",
    ),
    (
        "a general-purpose type for GPU workers",
        setting(prod, "gpu.workerInstanceType", "m6i.xlarge"),
        "gpu.workerInstanceType",
        "it has no GPU",
    ),
    # messages
    (
        "a private key pasted as the public key",
        setting(dev, "keyPair.publicKey", PRIVATE_KEY),
        "keyPair.publicKey",
        "private key",
    ),
    ("a section of the wrong kind", setting(dev, "network", ["10.0.0.0/16"]), "network", "must be a map"),
    ("a CIDR written as false", setting(dev, "network.cidr", False), "network.cidr", "IPv4 CIDR"),
    # trust
    (
        "workload accounts without a CAPA principal",
        setting(prod, "managementCluster.capaPrincipalArns", []),
        "managementCluster.capaPrincipalArns",
        "trustControlPlaneRole",
    ),
]


@pytest.mark.parametrize(("raw", "key", "fragment"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_each_mistake_is_refused_with_a_keyed_line(raw: dict, key: str, fragment: str) -> None:
    lines = problems(raw)
    mine = [line for line in lines if line.startswith(f"tkg-aws:{key}:")]
    assert mine, lines
    assert any(fragment in line for line in mine), mine
    assert all(" (got " in line for line in lines), lines
    assert "OPENSSH PRIVATE" not in "\n".join(lines)
    assert not any(word in "\n".join(lines) for word in ("LabelSelector", "NetworkConfig", "Model"))


def test_a_region_that_does_not_exist_and_an_isolated_one_are_refused() -> None:
    assert problems(dev(), region="us-west-9")[0].startswith("aws:region: not an AWS region")
    assert "aws-iso" in problems(dev(), region="us-iso-east-1")[0]


def test_the_shared_control_plane_trust_is_an_explicit_opt_in() -> None:
    raw = setting(prod, "managementCluster.capaPrincipalArns", [])
    raw["managementCluster"]["trustControlPlaneRole"] = True
    config = parse_config(raw, REGION, project_dir=REPO)
    assert config.management_cluster.trust_control_plane_role
    both = setting(prod, "managementCluster.trustControlPlaneRole", True)
    assert problems(both)[0].startswith("tkg-aws:managementCluster.trustControlPlaneRole:")


def test_valid_mistake_free_neighbours_are_accepted() -> None:
    """The rules refuse no value that AWS accepts: a few close neighbours of the cases above."""
    for raw in (
        setting(dev, "tags", {"team": "R+D", "owner": "plat@example.com", "팀": "플랫폼"}),
        setting(dev, "iam.path", "/tkg/clusters/"),
        setting(dev, "network.cidr", "10.0.0.0/21"),
        setting(prod, "gpu.workerInstanceType", "g4dn.metal"),
        setting(
            dev,
            "network",
            {"natGateways": "none", "vpcEndpoints": {"interface": ["ec2", "elasticloadbalancing", "secretsmanager"]}},
        ),
    ):
        parse_config(raw, REGION, project_dir=REPO)


# --- never a traceback ---------------------------------------------------------------------------
SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-5, 99999), st.text(max_size=12), st.sampled_from(["", "[secret]", "\n"])
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)


def _paths(node: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for k, v in node.items():
            found += _paths(v, (*prefix, k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            found += _paths(v, (*prefix, i))
    return found


def _mutated(values: dict[str, Any], path: tuple, new: Any) -> dict[str, Any]:
    values = copy.deepcopy(values)
    node = values
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = new
    return values


STACK_VALUES = {
    stack: {f"tkg-aws:{k}": v for k, v in stack_file(stack)[0].items()} | {"aws:region": stack_file(stack)[1]}
    for stack in ("dev", "prod")
}


# Derandomized: CI sees the same 150 examples every run; `--hypothesis-seed` explores others.
@settings(max_examples=150, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(stack=st.sampled_from(["dev", "prod"]), choice=st.integers(0, 10_000), new=VALUES)
def test_any_mutation_of_a_valid_config_parses_or_gives_keyed_lines(stack: str, choice: int, new: Any) -> None:
    values = STACK_VALUES[stack]
    paths = _paths(values)
    mutated = _mutated(values, paths[choice % len(paths)], new)
    try:
        parse_stack_config(mutated, project_dir=REPO)
    except ConfigError as err:
        assert err.problems
        for line in err.problems:
            assert line.split(":", 1)[0] in ("tkg-aws", "aws", "kubernetes"), line
            assert "Traceback" not in line
