"""Bad `tkg-aws:openshift` config is refused before any resource, one keyed line per problem."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.base import ConfigError
from components.stack_config.loading import parse_config
from tests.conftest import REPO, fixture_file, plan_document, stack_file

IGNITION = {
    "bootstrap": "examples/openshift/bootstrap.ign",
    "master": "examples/openshift/master.ign",
    "worker": "examples/openshift/worker.ign",
}


def problems(change) -> list[str]:
    raw, region, _ = stack_file("openshift")
    raw = copy.deepcopy(raw)
    change(raw)
    with pytest.raises(ConfigError) as err:
        parse_config(raw, region, project_dir=REPO)
    return err.value.problems


def openshift(**values: Any):
    return lambda raw: raw["openshift"].update(values)


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (openshift(infraId="a" * 28), "tkg-aws:openshift.infraId: longer than 27 characters"),
        (openshift(infraId="9ocp-x7k2p"), "tkg-aws:openshift.infraId: not an infrastructure id"),
        (openshift(clusterName="OCP_1"), "tkg-aws:openshift.clusterName: not a Kubernetes name"),
        (openshift(baseDomain="example.com."), "tkg-aws:openshift.baseDomain: must not end with a dot"),
        (openshift(baseDomain="exa mple.com"), "tkg-aws:openshift.baseDomain: not a DNS domain"),
        (openshift(publicHostedZoneId="z123"), "tkg-aws:openshift.publicHostedZoneId: not a Route 53 hosted zone id"),
        (
            openshift(publicHostedZoneId="/hostedzone/Z0123"),
            "tkg-aws:openshift.publicHostedZoneId: give the zone id alone",
        ),
        (openshift(rhcosAmi="ami-12"), "tkg-aws:openshift.rhcosAmi: not an AMI id"),
        (
            openshift(ignition={"bootstrap": "nowhere.ign"}),
            "tkg-aws:openshift.ignition.master: rhcosAmi creates the machines",
        ),
        (
            openshift(
                ignition={
                    "master": "README.md",
                    "worker": "nowhere.ign",
                    "bootstrap": "examples/openshift/bootstrap.ign",
                }
            ),
            "tkg-aws:openshift.ignition.master: not an Ignition config",
        ),
        (
            openshift(
                ignition={
                    "master": "examples/openshift/master.ign",
                    "worker": "nowhere.ign",
                    "bootstrap": "examples/openshift/bootstrap.ign",
                }
            ),
            "tkg-aws:openshift.ignition.worker: no such file",
        ),
        (
            openshift(controlPlane={"availabilityZones": ["us-east-1f"]}),
            "tkg-aws:openshift.controlPlane.availabilityZones: us-east-1f is not one of",
        ),
        (
            openshift(compute={"replicas": {"us-east-1d": 1}}),
            "tkg-aws:openshift.compute.replicas: us-east-1d is not one of",
        ),
        (openshift(machineNetwork="10.30.0.0/17"), "tkg-aws:openshift.machineNetwork: must hold network.cidr"),
        (
            lambda raw: raw["network"].update(cidr="10.128.0.0/16"),
            "tkg-aws:openshift.network.cidr: overlaps OpenShift's default clusterNetwork 10.128.0.0/14",
        ),
        (openshift(infraId="xn--ocp-x7k2p"), "tkg-aws:openshift.infraId: an S3 bucket name may not begin with 'xn--'"),
        (openshift(infraId="sthree-ocp"), "tkg-aws:openshift.infraId: an S3 bucket name may not begin with 'sthree-'"),
        (
            openshift(infraId="internal-ocp"),
            "tkg-aws:openshift.infraId: a load balancer name may not begin with 'internal-'",
        ),
        (
            openshift(controlPlane={"instanceType": "m6i.large"}),
            (
                "tkg-aws:openshift.controlPlane.instanceType: below OpenShift's minimum for the control-plane machines "
                "(4 vCPUs, 16 GiB): m6i.large has 2 vCPUs and 8 GiB"
            ),
        ),
        (
            openshift(bootstrap={"instanceType": "t3.large"}),
            "tkg-aws:openshift.bootstrap.instanceType: below OpenShift's minimum for the bootstrap machine",
        ),
        (
            openshift(compute={"instanceType": "t3.medium"}),
            "tkg-aws:openshift.compute.instanceType: below OpenShift's minimum for the compute machines",
        ),
        (
            openshift(compute={"instanceType": "m9i.large"}),
            "tkg-aws:openshift.compute.instanceType: not an EC2 instance type; did you mean",
        ),
        (
            openshift(controlPlane={"rootVolumeType": "io1"}),
            "tkg-aws:openshift.controlPlane.rootVolumeIops: required with rootVolumeType io1",
        ),
        (
            openshift(compute={"rootVolumeType": "io2", "rootVolumeIops": 200000}),
            "tkg-aws:openshift.compute.rootVolumeIops: io2 takes 100..256000 IOPS, at most 1000 per GiB",
        ),
        (
            openshift(compute={"rootVolumeType": "gp2", "rootVolumeIops": 3000}),
            "tkg-aws:openshift.compute.rootVolumeIops: gp2 takes no provisioned IOPS",
        ),
        (
            openshift(controlPlane={"availabilityZones": ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]}),
            "tkg-aws:openshift.controlPlane.availabilityZones: at most 3",
        ),
        (
            lambda raw: raw["network"].update(natGateways="none"),
            "tkg-aws:openshift: network.natGateways none leaves the machines no way to the release images",
        ),
        (
            openshift(ignition={**IGNITION, "master": "examples/openshift/bootstrap.ign"}),
            "tkg-aws:openshift.ignition.master: not master.ign of this cluster",
        ),
        (
            openshift(ignition={**IGNITION, "worker": "examples/openshift/master.ign"}),
            "tkg-aws:openshift.ignition.worker: not worker.ign of this cluster",
        ),
        (
            openshift(baseDomain="example.org"),
            (
                "tkg-aws:openshift.ignition.master: not master.ign of this cluster: its user data must point at "
                "https://api-int.ocp.example.org:22623/config/master"
            ),
        ),
        (
            openshift(controlPlane={"instanceType": "huge"}),
            "tkg-aws:openshift.controlPlane.instanceType: not an EC2 instance type",
        ),
        (
            lambda raw: raw["network"].update(clusterNames=["ocp-x7k2p"]),
            "tkg-aws:openshift.infraId: the openshift platform tags the subnets",
        ),
        (lambda raw: raw["openshift"].pop("infraId"), "tkg-aws:openshift.infraId: required with ignition.bootstrap"),
    ],
)
def test_a_bad_value_is_refused_with_its_key(change, expected: str) -> None:
    found = problems(change)
    assert any(line.startswith(expected) for line in found), found
    assert all(line.startswith("tkg-aws:") or line.startswith("aws:") for line in found)


def test_an_existing_vpc_needs_the_machine_network() -> None:
    def existing(raw: dict[str, Any]) -> None:
        raw["network"] = {
            "existingVpc": {
                "vpcId": "vpc-0123456789abcdef0",
                "privateSubnetIds": {"us-east-1a": "subnet-0123456789abcdef0"},
            }
        }
        raw["openshift"]["compute"] = {}

    found = problems(existing)
    assert any(line.startswith("tkg-aws:openshift.machineNetwork: required with network.existingVpc") for line in found)
    assert any(line.startswith("tkg-aws:openshift.publicHostedZoneId: a public cluster") for line in found)


def test_the_bootstrap_ignition_is_never_echoed() -> None:
    found = problems(openshift(ignition={"bootstrap": "README.md"}, rhcosAmi=None))
    text = "\n".join(found)
    assert "tkg-aws:openshift.ignition.bootstrap: not an Ignition config" in text
    assert "BOOTSTRAP-SECRET" not in text


def test_the_plan_tool_reports_every_problem_and_exits_2(tmp_path: Path) -> None:
    document = yaml.safe_load(fixture_file("openshift").read_text())
    document["config"]["tkg-aws:openshift"] |= {
        "infraId": "x" * 30,
        "baseDomain": "example.com.",
        "publicHostedZoneId": "bad",
    }
    result = plan_document(document, tmp_path)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for key in ("infraId", "baseDomain", "publicHostedZoneId"):
        assert f"tkg-aws:openshift.{key}:" in result.stderr


def test_an_empty_section_is_no_openshift() -> None:
    raw, region, _ = stack_file("dev")
    assert parse_config({**raw, "openshift": {}}, region, project_dir=REPO).openshift is None


def existing_vpc(public: dict[str, str], private: dict[str, str]):
    def change(raw: dict[str, Any]) -> None:
        raw["network"] = {
            "existingVpc": {"vpcId": "vpc-0123456789abcdef0", "publicSubnetIds": public, "privateSubnetIds": private}
        }
        raw["openshift"] |= {"machineNetwork": "10.30.0.0/16", "compute": {}}

    return change


SUBNET = "subnet-0123456789abcdef{}"


@pytest.mark.parametrize(
    ("public", "private", "expected"),
    [
        # Control-plane AZs chosen from the union: us-east-1c holds a public subnet only.
        (
            {"us-east-1a": SUBNET.format(1), "us-east-1c": SUBNET.format(2)},
            {"us-east-1a": SUBNET.format(3), "us-east-1b": SUBNET.format(4)},
            "tkg-aws:openshift: us-east-1c holds machines but no subnet of network.existingVpc.privateSubnetIds",
        ),
        # No private subnet at all.
        ({"us-east-1a": SUBNET.format(1)}, {}, "tkg-aws:openshift: the cluster's machines need"),
        # A public cluster whose public subnets miss control-plane AZs.
        (
            {"us-east-1a": SUBNET.format(1)},
            {az: SUBNET.format(i) for i, az in enumerate(("us-east-1a", "us-east-1b", "us-east-1c"))},
            (
                "tkg-aws:openshift.publicHostedZoneId: a public cluster (or bootstrap.public) needs a public subnet "
                "in every control-plane AZ; network.existingVpc.publicSubnetIds has none in "
                "['us-east-1b', 'us-east-1c']"
            ),
        ),
    ],
)
def test_an_existing_vpc_without_the_subnets_the_cluster_needs_is_refused(public, private, expected) -> None:
    found = problems(existing_vpc(public, private))
    assert any(line.startswith(expected) for line in found), found


def test_an_existing_vpc_with_every_subnet_plans() -> None:
    raw, region, _ = stack_file("openshift")
    raw = copy.deepcopy(raw)
    azs = ("us-east-1a", "us-east-1b", "us-east-1c")
    existing_vpc(
        {az: SUBNET.format(i) for i, az in enumerate(azs)}, {az: SUBNET.format(i + 3) for i, az in enumerate(azs)}
    )(raw)
    config = parse_config(raw, region, project_dir=REPO)
    assert config.openshift is not None and config.openshift.machines


def test_china_needs_the_rhcos_ami() -> None:
    def to_china(raw: dict[str, Any]) -> None:
        raw["network"]["availabilityZones"] = ["cn-north-1a", "cn-north-1b"]
        raw["network"]["vpcEndpoints"]["interface"] = []
        raw["openshift"].pop("rhcosAmi")
        raw["openshift"]["compute"]["replicas"] = {"cn-north-1a": 2}

    raw, _, _ = stack_file("openshift")
    raw = copy.deepcopy(raw)
    to_china(raw)
    with pytest.raises(ConfigError) as err:
        parse_config(raw, "cn-north-1", project_dir=REPO)
    assert any(p.startswith("tkg-aws:openshift.rhcosAmi: required in cn-north-1") for p in err.value.problems)


def test_china_machine_roles_trust_chinas_ec2_principal() -> None:
    from components.openshift.policies import machine_trust_policy

    assert machine_trust_policy("aws-cn")["Statement"][0]["Principal"] == {"Service": ["ec2.amazonaws.com.cn"]}
    assert machine_trust_policy("aws")["Statement"][0]["Principal"] == {"Service": ["ec2.amazonaws.com"]}


# --- accepted, with a warning: the docs recommend against -------------------------------------------
def notes_for(change) -> list[str]:
    from components.openshift.report import openshift_notes

    raw, region, _ = stack_file("openshift")
    raw = copy.deepcopy(raw)
    change(raw)
    return openshift_notes(parse_config(raw, region, project_dir=REPO))


def test_the_shipped_stack_has_no_warning() -> None:
    assert notes_for(lambda raw: None) == []


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (openshift(compute={"replicas": {"us-east-1a": 1}}), "WARNING openshift.compute.replicas: one compute machine"),
        (openshift(compute={"replicas": {"us-east-1a": 0}}), "WARNING openshift.compute.replicas: no compute machines"),
        (
            openshift(controlPlane={"availabilityZones": ["us-east-1b"]}),
            "WARNING openshift.controlPlane.availabilityZones: all three control-plane machines in us-east-1b",
        ),
        (openshift(infraId="other-x7k2p"), "WARNING openshift.infraId: other-x7k2p is not what openshift-install"),
        (lambda raw: [raw["openshift"].pop(k) for k in ("infraId", "ignition")], "note openshift.infraId: not set"),
    ],
)
def test_what_the_docs_only_advise_against_is_a_warning_not_a_refusal(change, expected: str) -> None:
    found = notes_for(change)
    assert [line for line in found if line.startswith(expected)], found


def test_the_infra_id_openshift_install_derives_from_a_long_cluster_name() -> None:
    from components.openshift.report import derived_infra_id_prefix

    assert derived_infra_id_prefix("a-very-long-cluster-name-here") == "a-very-long-cluster-n"
    assert derived_infra_id_prefix("name-with-dash-at-21-x") == "name-with-dash-at-21"


def test_no_nat_gateways_with_a_proxy_or_mirrors_is_accepted_and_a_proxy_needs_a_url() -> None:
    def no_nat(**openshift_values: Any):
        return lambda raw: (raw["network"].update(natGateways="none"), raw["openshift"].update(openshift_values))

    proxy = {"httpsProxy": "http://proxy.example.com:3128"}
    mirror = [{"source": "quay.io/openshift-release-dev/ocp-release", "mirrors": ["registry.example.com/ocp/release"]}]
    for accepted in (no_nat(proxy=proxy), no_nat(imageDigestSources=mirror)):
        raw, region, _ = stack_file("openshift")
        raw = copy.deepcopy(raw)
        accepted(raw)
        assert parse_config(raw, region, project_dir=REPO).openshift is not None
    found = problems(no_nat(proxy={"noProxy": [".example.com"]}))
    assert any(line.startswith("tkg-aws:openshift.proxy: give httpProxy or httpsProxy") for line in found), found


# --- install-config.yaml's part, as a pure builder --------------------------------------------------
def fragment(change=lambda raw: None) -> dict[str, Any]:
    from components.openshift.platform import install_config

    raw, region, _ = stack_file("openshift")
    raw = copy.deepcopy(raw)
    change(raw)
    return install_config(parse_config(raw, region, project_dir=REPO))


def test_install_config_follows_the_config() -> None:
    internal = fragment(lambda raw: [raw["openshift"].pop(k) for k in ("publicHostedZoneId", "rhcosAmi")])
    assert internal["publish"] == "Internal" and internal["platform"] == {"aws": {"region": "us-east-1"}}
    compact = fragment(openshift(compute={"replicas": {"us-east-1a": 0, "us-east-1b": 2}}))
    assert compact["compute"][0]["replicas"] == 2 and compact["compute"][0]["platform"]["aws"]["zones"] == [
        "us-east-1b"
    ]
    io1 = fragment(openshift(controlPlane={"rootVolumeType": "io1", "rootVolumeIops": 4000}))
    assert io1["controlPlane"]["platform"]["aws"]["rootVolume"] == {"size": 120, "type": "io1", "iops": 4000}
    mirror = [{"source": "quay.io/openshift-release-dev/ocp-release", "mirrors": ["registry.example.com/ocp/release"]}]
    assert fragment(openshift(imageDigestSources=mirror))["imageDigestSources"] == mirror
    assert fragment(openshift(machineNetwork="10.0.0.0/9"))["networking"]["machineNetwork"] == [{"cidr": "10.0.0.0/9"}]
