"""Stack config validation: every rule rejects a bad value with a keyed line and accepts a good one."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from components.config.base import ConfigError
from components.stack_config.loading import parse_config
from components.stack_config.models import StackConfig
from tests.conftest import ED25519_PUBLIC_KEY, REGION, REPO, RSA_1024_PUBLIC_KEY, RSA_2048_PUBLIC_KEY

ACCOUNT = {
    "name": "lob-dev",
    "accountId": "222222222222",
    "deployRoleArn": "arn:aws:iam::222222222222:role/OrganizationAccountAccessRole",
    "identity": {"allowedNamespaces": ["lob-dev"]},
}
BASE: dict[str, Any] = {
    "environment": "dev",
    "workloadAccounts": [ACCOUNT],
    "managementCluster": {
        "accountId": "111111111111",
        "capaPrincipalArns": ["arn:aws:iam::111111111111:role/capa-controller-manager"],
        "renderYamlToDirectory": "build/manifests",
    },
}
MANAGEMENT = "111111111111"
MINIMAL = {"environment": "dev", "managementCluster": {"accountId": MANAGEMENT}}


def parse(raw: dict[str, Any], region: str | None = REGION) -> StackConfig:
    return parse_config(raw, region, project_dir=REPO)


def with_value(path: str, value: Any, base: dict[str, Any] = BASE) -> dict[str, Any]:
    """A copy of `base` with `value` at a dotted path (`workloadAccounts[0].identity.name`)."""
    raw = copy.deepcopy(base)
    node: Any = raw
    parts = path.replace("[", ".").replace("]", "").split(".")
    for i, part in enumerate(parts):
        key: Any = int(part) if part.isdigit() else part
        if i == len(parts) - 1:
            node[key] = value
        else:
            if isinstance(key, str) and key not in node:
                node[key] = {}
            node = node[key]
    return raw


def problems_of(raw: dict[str, Any], region: str | None = REGION) -> list[str]:
    with pytest.raises(ConfigError) as err:
        parse(raw, region)
    return err.value.problems


# (key path, bad value, good value): one row per rule.
RULES = [
    ("environment", "Dev_1", "dev-1"),
    ("environment", "-dev", "dev"),
    ("environment", "a-very-long-environment-name", "prod"),
    ("tags", {"aws:team": "x"}, {"team": "x"}),
    ("tags", {"k" * 129: "x"}, {"k" * 128: "x"}),
    ("network.cidr", "10.0.0.0/33", "10.0.0.0/16"),
    ("network.cidr", "not-a-cidr", "10.1.0.0/16"),
    ("network.cidr", "8.8.0.0/16", "172.16.0.0/16"),
    ("network.cidr", "10.0.0.0/8", "10.0.0.0/16"),
    ("network.cidr", "10.0.0.0/24", "10.0.0.0/21"),
    ("network.availabilityZones", ["us-east-1a"], ["us-west-2a"]),
    ("network.availabilityZones", ["us-west-2a", "us-west-2a"], ["us-west-2a", "us-west-2b"]),
    ("network.availabilityZones", ["us-west-2z"], ["us-west-2c"]),
    ("network.natGateways", "perAz", "onePerAz"),
    ("network.clusterNames", ["Tkg_Mgmt"], ["tkg-mgmt"]),
    ("network.clusterNames", ["a", "a"], ["a", "b"]),
    ("network.vpcEndpoints.interface", ["ec3"], ["ec2", "sts"]),
    (
        "network.subnetCidrs",
        {"us-west-2a": {"public": "10.9.0.0/24", "private": "10.0.0.0/24"}},
        {"us-west-2a": {"public": "10.0.1.0/24", "private": "10.0.0.0/24"}},
    ),
    (
        "network.subnetCidrs",
        {"us-west-2a": {"public": "10.0.0.0/24", "private": "10.0.0.0/23"}},
        {"us-west-2a": {"public": "10.0.2.0/24", "private": "10.0.0.0/23"}},
    ),
    (
        "network.existingVpc",
        {"vpcId": "vpc-12", "publicSubnetIds": {"us-west-2a": "subnet-0123456789abcdef0"}},
        {"vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": {"us-west-2a": "subnet-0123456789abcdef0"}},
    ),
    (
        "network.existingVpc",
        {"vpcId": "vpc-0123456789abcdef0", "privateSubnetIds": {"us-west-2a": "sn-1"}},
        {"vpcId": "vpc-0123456789abcdef0", "privateSubnetIds": {"us-west-2a": "subnet-01234567"}},
    ),
    (
        "network.existingVpc",
        {"vpcId": "vpc-0123456789abcdef0", "privateSubnetIds": {"eu-west-1a": "subnet-01234567"}},
        {"vpcId": "vpc-0123456789abcdef0", "privateSubnetIds": {"us-west-2b": "subnet-01234567"}},
    ),
    ("iam.profile", "clusterawsadm", "capa"),
    ("iam.nameSuffix", "." + "x" * 52, "." + "x" * 50),  # control-plane + suffix: 64 is IAM's role limit
    ("iam.nameSuffix", ".tkg cloud", ".tkg.example.com"),
    ("iam.path", "tkg", "/tkg/"),
    ("iam.permissionsBoundary", "arn:aws:iam::123:policy/b", "arn:aws:iam::111111111111:policy/boundary"),
    (
        "iam.extraPolicyArns.nodes",
        ["AmazonSSMManagedInstanceCore"],
        ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"],
    ),
    ("keyPair.publicKey", ED25519_PUBLIC_KEY, RSA_2048_PUBLIC_KEY),
    ("keyPair.publicKey", RSA_1024_PUBLIC_KEY, RSA_2048_PUBLIC_KEY),
    ("keyPair.publicKey", "ssh-rsa not-base64!", RSA_2048_PUBLIC_KEY),
    ("keyPair.name", "", "tkg-dev"),
    ("workloadAccounts[0].name", "LOB_dev", "lob-dev"),
    ("workloadAccounts[0].accountId", "22222222222", "222222222222"),
    ("workloadAccounts[0].accountId", 222222222222, "222222222222"),
    (
        "workloadAccounts[0].deployRoleArn",
        "arn:aws:iam::222222222222:user/admin",
        "arn:aws:iam::222222222222:role/admin",
    ),
    (
        "workloadAccounts[0].deployRoleArn",
        "arn:aws:iam::333333333333:role/admin",
        "arn:aws:iam::222222222222:role/admin",
    ),
    ("workloadAccounts[0].deployExternalId", "x", "tkg-external-id"),
    ("workloadAccounts[0].identity.name", "LOB.dev!", "lob.dev"),
    ("workloadAccounts[0].identity.durationSeconds", 899, 900),
    ("workloadAccounts[0].identity.durationSeconds", 43201, 3600),
    ("workloadAccounts[0].identity.allowedNamespaces", [], ["lob-dev"]),
    ("workloadAccounts[0].identity.allowedNamespaces", {"selector": {}}, {"selector": {"matchLabels": {"t": "a"}}}),
    ("workloadAccounts[0].identity.allowedNamespaces", {"list": ["Bad_Ns"]}, {"list": ["good-ns"]}),
    ("workloadAccounts[0].identity.allowedNamespaces", "everyone", "all"),
    ("workloadAccounts[0].identity.sessionName", "a b", "tkg-capa"),
    ("managementCluster.identityApiVersion", "v2", "v1beta1"),
    ("managementCluster.accountId", "1234", "111111111111"),
    (
        "managementCluster.capaPrincipalArns",
        ["arn:aws:iam::111111111111:root"],
        ["arn:aws:iam::111111111111:role/capa-controller-manager"],
    ),
    ("gpu.delivery", "helm", "clusterResourceSet"),
    ("gpu.clusterSelector", {}, {"matchLabels": {"gpu": "nvidia"}}),
    ("gpu.clusterSelector", {"matchLabels": {"gpu": "a b"}}, {"matchLabels": {"gpu": "a-b"}}),
    ("gpu.workerInstanceType", "g4ad.xlarge", "g5.2xlarge"),
    ("gpu.chartVersion", "26.7.0", "v26.3.3"),
    ("gpu.namespace", "GPU", "gpu"),
    ("gpu.clusterResourceSetApiVersion", "v1alpha3", "v1beta1"),
    ("gpu.manifests", [{"path": "tests/data/gpu/clusterpolicy-crd.yaml", "sha256": "abc"}], []),
    ("workloadAccounts[0].identity.externalId", "x", "lob-dev-capa"),
    ("workloadAccounts[0].deploySessionName", "x" * 65, "tkg-aws-deploy"),
    ("network.mapPublicIpOnLaunch", "sometimes", True),
    ("network.vpcEndpoints.interface", ["sts", "sts"], ["sts"]),
]


@pytest.mark.parametrize(("path", "bad", "good"), RULES, ids=[f"{p}={b!r}"[:60] for p, b, _ in RULES])
def test_each_rule_rejects_the_bad_value_and_accepts_the_good_one(path: str, bad: Any, good: Any) -> None:
    if path == "gpu.delivery":  # the CRS delivery needs manifests to be valid at all
        base = with_value("gpu.manifests", [], BASE)
        problems = problems_of(with_value(path, bad, base))
        assert any(line.startswith(f"tkg-aws:{path}:") for line in problems), problems
        return
    problems = problems_of(with_value(path, bad))
    key = path.split(".")[0] if path.startswith("network.subnetCidrs") else path
    assert any(line.startswith(f"tkg-aws:{key}") for line in problems), problems
    assert all(line.startswith(("tkg-aws:", "aws:")) for line in problems)
    parse(with_value(path, good))


def test_problem_lines_name_the_key_the_problem_and_the_value() -> None:
    problems = problems_of(with_value("network.natGateways", "perAz"))
    assert problems == ["tkg-aws:network.natGateways: must be one of 'none', 'single' or 'onePerAz' (got \"perAz\")"]


def test_unknown_keys_are_errors_at_every_level() -> None:
    raw = with_value("network.natGateway", "single")
    raw["workloadAccounts"][0]["identity"]["allowedNamespace"] = ["x"]
    with pytest.raises(ConfigError) as err:
        parse_config(raw, REGION, unknown={"netwrk": {}}, project_dir=REPO)
    lines = "\n".join(err.value.problems)
    assert "tkg-aws:netwrk: unknown key" in lines
    assert "tkg-aws:network.natGateway: unknown key" in lines
    assert "tkg-aws:workloadAccounts[0].identity.allowedNamespace: unknown key" in lines


def test_missing_region_and_environment_are_reported_together() -> None:
    problems = problems_of({}, region=None)
    assert problems[0].startswith("aws:region: required key is missing")
    assert any(p.startswith("tkg-aws:environment: required key is missing") for p in problems)


def test_a_region_that_is_not_one_is_reported() -> None:
    assert problems_of({"environment": "dev"}, region="Oregon")[0].startswith("aws:region: not an AWS region")


def test_duplicate_accounts_names_and_identities_are_each_reported() -> None:
    second = copy.deepcopy(ACCOUNT)
    raw = with_value("workloadAccounts", [ACCOUNT, second])
    problems = problems_of(raw)
    assert {p.split(":")[1].split(" ")[0] for p in problems} == {
        "workloadAccounts[1].name",
        "workloadAccounts[1].accountId",
        "workloadAccounts[1].identity.name",
    }


def test_workload_accounts_need_a_management_cluster() -> None:
    capa = ["arn:aws:iam::111111111111:role/capa-controller-manager"]
    raw = with_value("managementCluster", {"accountId": MANAGEMENT, "capaPrincipalArns": capa})
    assert problems_of(raw)[0].startswith("tkg-aws:managementCluster: workloadAccounts or gpu need")
    cluster = {"accountId": MANAGEMENT, "capaPrincipalArns": capa, "kubeconfig": "apiVersion: v1"}
    cluster["renderYamlToDirectory"] = "x"
    with pytest.raises(ConfigError) as err:
        parse_config(with_value("managementCluster", cluster), REGION, secret_paths={"managementCluster"})
    assert err.value.problems == ["tkg-aws:managementCluster: set a kubeconfig or renderYamlToDirectory, not both"]


def test_secret_values_never_appear_in_problem_lines() -> None:
    raw = with_value("managementCluster.kubeconfig", {"clusters": "top-secret-token"})
    problems = problems_of(raw)
    assert any(p.startswith("tkg-aws:managementCluster.kubeconfig:") for p in problems)
    assert "top-secret-token" not in "\n".join(problems)
    assert '"[secret]"' in "\n".join(problems)


def test_existing_vpc_rejects_keys_that_would_have_no_effect() -> None:
    vpc = {"vpcId": "vpc-0123456789abcdef0", "privateSubnetIds": {"us-west-2a": "subnet-01234567"}}
    raw = with_value("network", {"existingVpc": vpc, "natGateways": "onePerAz"})
    assert problems_of(raw) == [
        "tkg-aws:network.natGateways: has no effect with network.existingVpc (the stack creates no network)"
    ]


def test_tmc_permissions_are_refused_under_the_capa_profile() -> None:
    problems = problems_of(with_value("iam", {"profile": "capa", "tmcPermissions": True}))
    assert problems[0].startswith("tkg-aws:iam.tmcPermissions: the TMC statements belong to profile tkg")
    parse(with_value("iam", {"profile": "capa", "tmcPermissions": False}))


def test_many_mistakes_are_all_reported_in_one_run() -> None:
    raw = with_value("environment", "Dev")
    raw = with_value("network", {"cidr": "8.8.0.0/16", "natGateways": "x", "availabilityZones": ["eu-west-1a"]}, raw)
    raw = with_value("iam.nameSuffix", "." + "x" * 60, raw)
    raw = with_value("workloadAccounts[0].accountId", "1", raw)
    raw = with_value("gpu", {"enabled": True, "workerInstanceType": "m5.large"}, raw)
    problems = problems_of(raw)
    assert len(problems) == 7, problems
    assert {p.split(":")[1] for p in problems} == {
        "environment",
        "network.cidr",
        "network.natGateways",
        "network.availabilityZones",
        "iam.nameSuffix",
        "workloadAccounts[0].accountId",
        "gpu.workerInstanceType",
    }


def test_an_account_id_given_as_a_number_names_the_command_that_stores_it_as_text() -> None:
    (problem,) = problems_of(with_value("managementCluster.accountId", 111111111111, MINIMAL))
    assert problem.startswith("tkg-aws:managementCluster.accountId: an account id is 12 digits written as text")
    assert "pulumi config set --type string --path tkg-aws:managementCluster.accountId 111111111111" in problem
    (problem,) = problems_of(with_value("workloadAccounts[0].accountId", 22222222222))
    assert "--type string --path tkg-aws:workloadAccounts[0].accountId" in problem


def test_a_missing_region_is_one_clean_line_not_a_garbled_az_line() -> None:
    raw = with_value("network.availabilityZones", ["us-west-2a"])
    assert problems_of(raw, region=None) == [
        "aws:region: required key is missing (pulumi config set aws:region us-west-2)"
    ]


def test_a_cidr_with_host_bits_set_says_so_and_gives_the_network() -> None:
    (problem,) = problems_of(with_value("network.cidr", "10.0.7.5/16"))
    assert problem == (
        'tkg-aws:network.cidr: host bits are set: the network of this block is 10.0.0.0/16 (got "10.0.7.5/16")'
    )
    (problem,) = problems_of(with_value("network.cidr", "10.0.0/16"))
    assert "not an IPv4 CIDR block like 10.0.0.0/16" in problem


@pytest.mark.parametrize("flag", ["yes", "no", "true", "off", 1, 0])
def test_a_flag_is_a_yaml_boolean_not_a_word_or_a_number(flag: Any) -> None:
    (problem,) = problems_of(with_value("network.mapPublicIpOnLaunch", flag))
    assert problem.startswith("tkg-aws:network.mapPublicIpOnLaunch: must be true or false, unquoted")
    (problem,) = problems_of(with_value("workloadAccounts[0].protect", flag))
    assert problem.startswith("tkg-aws:workloadAccounts[0].protect: must be true or false")
    parse(with_value("network.mapPublicIpOnLaunch", False))


def test_field_errors_and_rules_across_keys_come_in_one_round() -> None:
    raw = with_value("network.cidr", "10.0.0.5/16")
    raw = with_value("workloadAccounts", [ACCOUNT, ACCOUNT], raw)
    problems = problems_of(raw)
    assert problems[0].startswith("tkg-aws:network.cidr: host bits are set")
    assert "tkg-aws:workloadAccounts[1].accountId: duplicate of workloadAccounts[0]" in "\n".join(problems)


def test_defaults_fill_a_minimal_config() -> None:
    config = parse(MINIMAL)
    assert config.availability_zones == ["us-west-2a"]
    assert str(config.network.cidr) == "10.0.0.0/16"
    assert config.network.nat_gateways == "single"
    assert config.iam.suffix == ".tkg.cloud.vmware.com"
    assert config.key_pair_name == "tkg-dev"
    assert config.default_tags == {"environment": "dev", "managed-by": "tkg-aws"}


def test_the_capa_profile_defaults_to_capas_name_suffix() -> None:
    assert parse({**MINIMAL, "iam": {"profile": "capa"}}).iam.suffix == (".cluster-api-provider-aws.sigs.k8s.io")


def test_derived_subnet_cidrs_depend_only_on_the_az_letter() -> None:
    one = parse({**MINIMAL, "network": {"availabilityZones": ["us-west-2c"]}}).network
    three = parse({**MINIMAL, "network": {"availabilityZones": ["us-west-2b", "us-west-2c", "us-west-2a"]}})
    assert one.subnet_cidrs_for("us-west-2c") == three.network.subnet_cidrs_for("us-west-2c")
    assert three.network.subnet_cidrs_for("us-west-2a") == ("10.0.224.0/22", "10.0.0.0/19")
    assert three.network.subnet_cidrs_for("us-west-2c") == ("10.0.232.0/22", "10.0.64.0/19")


def test_allowed_namespaces_forms_render_as_capa_reads_them() -> None:
    def rendered(value: Any) -> dict:
        config = parse(with_value("workloadAccounts[0].identity.allowedNamespaces", value))
        return config.workload_accounts[0].identity.allowed_namespaces.render()

    assert rendered(["a", "b"]) == {"list": ["a", "b"]}
    assert rendered("all") == {}
    assert rendered({"selector": {"matchLabels": {"t": "x"}}}) == {"selector": {"matchLabels": {"t": "x"}}}


def test_both_stack_files_of_the_repo_are_valid(dev_raw: dict, prod_raw: dict) -> None:
    assert parse(dev_raw).environment == "dev"
    assert parse(prod_raw).environment == "prod"


def test_the_tags_the_program_adds_to_a_subnet_count_toward_ec2s_50() -> None:
    from components.config import rules
    from components.config.models import NetworkConfig

    # environment, managed-by, Name, CAPA's role, the load balancer role: 5, and one per cluster.
    parse(with_value("network.clusterNames", [f"c{i}" for i in range(45)]))
    (problem,) = problems_of(with_value("network.clusterNames", [f"c{i}" for i in range(46)]))
    assert problem.startswith("tkg-aws:network.clusterNames: a subnet would carry 51 tags")
    network = NetworkConfig.model_validate({"clusterNames": [f"c{i}" for i in range(45)]})
    assert rules.tag_count({}, network) == []
    (problem,) = rules.tag_count({}, network, openshift_cluster=True)
    assert "51 tags" in problem and "the OpenShift cluster's" in problem
