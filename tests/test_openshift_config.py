"""Bad `tkg-aws:openshift` config is refused before any resource, one keyed line per problem."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.base import ConfigError
from components.config.loading import parse_config
from tests.conftest import REPO, stack_file


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
        (openshift(machineNetwork="192.168.0.0/16"), "tkg-aws:openshift.machineNetwork: must lie inside network.cidr"),
        (
            openshift(controlPlane={"instanceType": "huge"}),
            "tkg-aws:openshift.controlPlane.instanceType: not an EC2 instance type",
        ),
        (
            lambda raw: raw["network"].update(clusterNames=["ocp-x7k2p"]),
            "tkg-aws:openshift.infraId: the openshift platform tags the subnets",
        ),
        (lambda raw: raw["openshift"].pop("infraId"), "tkg-aws:openshift.infraId: required key is missing"),
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
    document = yaml.safe_load((REPO / "Pulumi.openshift.yaml").read_text())
    document["config"]["tkg-aws:openshift"] |= {
        "infraId": "x" * 30,
        "baseDomain": "example.com.",
        "publicHostedZoneId": "bad",
    }
    config_file = tmp_path / "Pulumi.bad.yaml"
    config_file.write_text(yaml.safe_dump(document))
    result = subprocess.run(
        [sys.executable, "-m", "tools.plan", "bad", "--config-file", str(config_file), "--out", str(tmp_path / "out")],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    for key in ("infraId", "baseDomain", "publicHostedZoneId"):
        assert f"tkg-aws:openshift.{key}:" in result.stderr


def test_an_empty_section_is_no_openshift() -> None:
    raw, region, _ = stack_file("dev")
    assert parse_config({**raw, "openshift": {}}, region, project_dir=REPO).openshift is None
