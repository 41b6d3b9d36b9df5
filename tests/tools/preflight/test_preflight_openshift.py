"""Preflight of an OpenShift stack against moto in server mode (as tests/tools/preflight/test_preflight.py runs it):
the RHCOS AMI and its architecture against the instance types, the public zone, an existing VPC's
subnets against the machine network, and the rules-per-group quota; every row through
`tools.preflight` as the command prints it."""

from __future__ import annotations

import copy
import ipaddress
import types
from typing import Any

import boto3
import pytest
import yaml

from components.stack_config.loading import parse_config
from tests.conftest import REPO, fixture_file
from tests.tools.preflight import test_preflight as moto_server
from tools.plan.command import plan_stack
from tools.plan.program import ProgramRun
from tools.preflight.aws_session import stack_clients
from tools.preflight.command import EXIT_NOT_READY, exit_code
from tools.preflight.command import preflight as run_preflight
from tools.preflight.openshift import (
    AMI_CHECK,
    OFFERINGS_CHECK,
    RULES_CHECK,
    SUBNETS_CHECK,
    ZONE_CHECK,
    ami_row,
    offerings_row,
    subnets_row,
    zone_row,
)
from tools.preflight.report import FAIL, OK
from tools.preflight.targets import targets

REGION = "us-east-1"
EMULATED_ACCOUNT = moto_server.EMULATED_ACCOUNT
# moto's server and an emptied account per test: conftest.py here.
MANAGEMENT = types.SimpleNamespace(name="management")


def stack_values() -> dict[str, Any]:
    """The openshift fixture's config, in moto's account."""
    text = fixture_file("openshift").read_text().replace("444444444444", EMULATED_ACCOUNT)
    values = yaml.safe_load(text)["config"]
    ignition = values["tkg-aws:openshift"]["ignition"]
    values["tkg-aws:openshift"]["ignition"] = {role: str(REPO / path) for role, path in ignition.items()}
    return values


def planned(stacks, values: dict[str, Any]) -> ProgramRun:
    """The plan of a stack file holding `values` (planned once per test run: tests/conftest.py `plan_config`)."""
    path = stacks / "Pulumi.openshift.yaml"
    path.write_text(yaml.safe_dump({"config": values}))
    return plan_stack("openshift", path)


def clients_of(run: ProgramRun):
    return stack_clients(run.config.aws, REGION)[0]


def x86_64_image(session: boto3.Session) -> str:
    """An image made from an instance, as moto makes them: x86_64 (the emulator loads no public images)."""
    ec2 = session.client("ec2", region_name=REGION)
    instance = ec2.run_instances(ImageId="ami-0123456789abcdef0", MinCount=1, MaxCount=1, InstanceType="m6i.large")
    image = ec2.create_image(InstanceId=instance["Instances"][0]["InstanceId"], Name="rhcos")["ImageId"]
    assert ec2.describe_images(ImageIds=[image])["Images"][0]["Architecture"] == "x86_64"
    return image


def with_ami(run: ProgramRun, ami: str, **pools: str):
    """The stack's openshift section with `ami`, and instance types by pool (bootstrap, control_plane, compute)."""
    openshift = run.config.openshift
    update: dict[str, Any] = {"rhcos_ami": ami}
    for pool, instance_type in pools.items():
        update[pool] = getattr(openshift, pool).model_copy(update={"instance_type": instance_type})
    return openshift.model_copy(update=update)


@pytest.fixture
def run(stacks) -> ProgramRun:
    return planned(stacks, stack_values())


def test_an_ami_of_the_instance_types_architecture_is_ready(account, run) -> None:
    row = ami_row(MANAGEMENT, clients_of(run), with_ami(run, x86_64_image(account)))
    assert (row.check, row.status) == (AMI_CHECK, OK) and "x86_64, available" in row.details


def test_an_x86_ami_under_graviton_instance_types_fails_naming_each_key(account, run) -> None:
    graviton = with_ami(run, x86_64_image(account), control_plane="m6g.xlarge", compute="m6g.large")
    row = ami_row(MANAGEMENT, clients_of(run), graviton)
    assert row.status == FAIL and row.details.count("runs arm64") == 2
    for key in ("compute.instanceType m6g.large", "controlPlane.instanceType m6g.xlarge"):
        assert f"tkg-aws:openshift.{key} runs arm64" in row.details
    assert "bootstrap" not in row.details


def test_an_ami_missing_from_the_region_fails(account, run) -> None:
    row = ami_row(MANAGEMENT, clients_of(run), with_ami(run, "ami-0123456789abcdef0"))
    assert row.status == FAIL and "does not exist in us-east-1" in row.details


@pytest.mark.parametrize(
    ("name", "private", "status", "said"),
    [
        ("example.com", False, OK, "example.com, public"),
        ("example.org", False, FAIL, "not baseDomain example.com"),
        ("example.com", True, FAIL, "is a private zone"),
    ],
)
def test_the_public_zone_must_be_base_domains_and_public(account, run, name, private, status, said) -> None:
    request: dict[str, Any] = {"Name": name, "CallerReference": f"{name}-{private}"}
    if private:
        vpc = account.client("ec2", region_name=REGION).create_vpc(CidrBlock="10.9.0.0/16")["Vpc"]["VpcId"]
        request |= {"VPC": {"VPCRegion": REGION, "VPCId": vpc}, "HostedZoneConfig": {"PrivateZone": True}}
    zone_id = account.client("route53").create_hosted_zone(**request)["HostedZone"]["Id"].split("/")[-1]
    # moto's zone ids do not start with Z as Route 53's do: past the config's check on purpose.
    openshift = run.config.openshift.model_copy(update={"public_hosted_zone_id": zone_id})
    row = zone_row(MANAGEMENT, clients_of(run), openshift)
    assert (row.check, row.status) == (ZONE_CHECK, status) and said in row.details


def test_a_missing_zone_fails(account, run) -> None:
    row = zone_row(MANAGEMENT, clients_of(run), run.config.openshift)
    assert row.status == FAIL and "does not exist in this account" in row.details


def test_existing_subnets_outside_the_machine_network_fail(account, run) -> None:
    ec2 = account.client("ec2", region_name=REGION)
    vpc = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    azs = ("us-east-1a", "us-east-1b", "us-east-1c")
    private = {
        az: ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{i}.0/24", AvailabilityZone=az) for i, az in enumerate(azs)
    }
    public = {
        az: ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.30.{200 + i}.0/24", AvailabilityZone=az)
        for i, az in enumerate(azs)
    }
    raw = {k.split(":", 1)[1]: copy.deepcopy(v) for k, v in stack_values().items() if k.startswith("tkg-aws:")}
    raw["network"] = {
        "existingVpc": {
            "vpcId": vpc,
            "privateSubnetIds": {az: s["Subnet"]["SubnetId"] for az, s in private.items()},
            "publicSubnetIds": {az: s["Subnet"]["SubnetId"] for az, s in public.items()},
        }
    }
    raw["openshift"] |= {"machineNetwork": "10.30.0.0/17", "compute": {}}
    config = parse_config(raw, REGION, project_dir=REPO)
    row = subnets_row(MANAGEMENT, clients_of(run), config)
    assert (row.check, row.status) == (SUBNETS_CHECK, FAIL)
    assert row.details.count("10.30.20") == 3 and "10.30.0.0/24" not in row.details
    wider = config.openshift.model_copy(update={"machine_network": ipaddress.IPv4Network("10.30.0.0/16")})
    assert subnets_row(MANAGEMENT, clients_of(run), config.model_copy(update={"openshift": wider})).status == OK


def test_preflight_of_the_openshift_stack_prints_its_rows(account, run) -> None:
    rows = run_preflight(run)
    mine = {r.check: r for r in rows if r.check in (AMI_CHECK, ZONE_CHECK, RULES_CHECK, OFFERINGS_CHECK)}
    assert mine[OFFERINGS_CHECK].status == OK
    # The shipped stack's AMI and zone are stand-ins: the emulated account has neither.
    assert mine[AMI_CHECK].status == FAIL and mine[ZONE_CHECK].status == FAIL
    assert mine[RULES_CHECK].status == OK and "25 of 60 (Service Quotas)" in mine[RULES_CHECK].details
    assert exit_code(rows) == EXIT_NOT_READY
    assert targets(run)[0].is_management


def test_an_instance_type_not_offered_in_a_machines_az_fails(account, run) -> None:
    assert offerings_row(MANAGEMENT, clients_of(run), run.config).status == OK
    raw = {k.split(":", 1)[1]: copy.deepcopy(v) for k, v in stack_values().items() if k.startswith("tkg-aws:")}
    raw["network"]["availabilityZones"] = ["us-east-1a", "us-east-1b", "us-east-1e"]
    raw["openshift"]["compute"] = {"replicas": {"us-east-1a": 1, "us-east-1e": 1}}
    config = parse_config(raw, REGION, project_dir=REPO)
    row = offerings_row(MANAGEMENT, clients_of(run), config)
    # The emulator's offerings, as EC2's: no m6i in us-east-1e.
    assert (row.check, row.status) == (OFFERINGS_CHECK, FAIL)
    assert "tkg-aws:openshift.compute.instanceType m6i.large in us-east-1e" in row.details
    assert "tkg-aws:openshift.controlPlane.instanceType m6i.xlarge in us-east-1e" in row.details
    assert "bootstrap" not in row.details  # the bootstrap goes to master-0's AZ, us-east-1a
