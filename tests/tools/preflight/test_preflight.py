"""Preflight (tools/preflight/command.py) against a real AWS API emulator over HTTP.

moto runs in server mode, in a process of its own on a free localhost port (conftest.py here: one
server for the test run, the account reset before each test); boto3 reaches it through the standard
AWS_ENDPOINT_URL with fake credentials, as the command reaches AWS. Tests seed it with what a
TKG-prepared account holds (the CloudFormation stack of `tanzu mc permissions aws set`, a key pair).
moto's account is 123456789012, so the stack files here are pinned to it.

Where moto lacks an API the tests say so: Service Quotas knows only the `vpc` quotas, and IAM's
policy simulator is missing. Preflight fails closed on what it could not check, so the tests of an
otherwise ready account accept those two checks unchecked by name (MOTO_LACKS), as a user would
with `--allow-unchecked`; tests/tools/preflight/test_preflight_faults.py shows the failures without it.
"""

from __future__ import annotations

import base64
import json
import re
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import boto3
import pytest
import yaml

from components.config.provider_settings import AwsSettings
from tests.conftest import REPO, RSA_2048_PUBLIC_KEY, fixture_file, plan_fixture
from tests.tools.preflight.conftest import emulated_session, post
from tools.plan.command import plan_stack
from tools.plan.program import ProgramRun
from tools.preflight.aws_session import stack_clients
from tools.preflight.command import exit_code, main
from tools.preflight.command import preflight as run_preflight
from tools.preflight.permissions import ACTIONS_BY_TYPE, aws_resources, needed_actions, simulated_principal
from tools.preflight.report import allow_unchecked
from tools.preflight.targets import targets

EMULATED_ACCOUNT = "123456789012"
REGION = "us-west-2"
TKG_SUFFIX = ".tkg.cloud.vmware.com"
TKG_ROLES = ("control-plane", "nodes", "controllers")
# Logical IDs of the tkg-cloud-vmware-com stack (reference/capa-iam.md).
TKG_LOGICAL_IDS = {"control-plane": "ControlPlane", "nodes": "Nodes", "controllers": "Controllers"}
READ_ONLY_PREFIXES = ("Describe", "Get", "List", "Simulate")
STS_SESSIONS = ("AssumeRole", "AssumeRoleWithWebIdentity")
# The checks moto cannot answer in full: EC2's (GPU ones too) and ELB's quotas, IAM's policy simulator.
MOTO_LACKS = ("quotas", "gpu-quotas", "permissions")
ALLOW_MOTO_LACKS = tuple(flag for name in MOTO_LACKS for flag in ("--allow-unchecked", name))


def seed_tkg_stack(session: boto3.Session) -> None:
    """What `tanzu mc permissions aws set` leaves: stack tkg-cloud-vmware-com with the IAM set."""
    trust = {
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "ec2.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }
    read = {"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "ec2:Describe*", "Resource": "*"}]}
    resources: dict[str, Any] = {}
    for base, logical in TKG_LOGICAL_IDS.items():
        name = base + TKG_SUFFIX
        resources[f"AWSIAMRole{logical}"] = {
            "Type": "AWS::IAM::Role",
            "Properties": {"RoleName": name, "AssumeRolePolicyDocument": trust},
        }
        resources[f"AWSIAMInstanceProfile{logical}"] = {
            "Type": "AWS::IAM::InstanceProfile",
            "Properties": {"InstanceProfileName": name, "Roles": [{"Ref": f"AWSIAMRole{logical}"}]},
        }
        resources[f"AWSIAMManagedPolicy{logical}"] = {
            "Type": "AWS::IAM::ManagedPolicy",
            "Properties": {"ManagedPolicyName": name, "PolicyDocument": read},
        }
    session.client("cloudformation").create_stack(
        StackName="tkg-cloud-vmware-com",
        TemplateBody=json.dumps({"Resources": resources}),
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )


def in_account(session: boto3.Session, account_id: str) -> boto3.Session:
    """A session in another emulated account (moto keeps accounts apart by the assumed role's)."""
    role = f"arn:aws:iam::{account_id}:role/OrganizationAccountAccessRole"
    credentials = session.client("sts").assume_role(RoleArn=role, RoleSessionName="seed")["Credentials"]
    return emulated_session(
        aws_access_key_id=credentials["AccessKeyId"],
        aws_secret_access_key=credentials["SecretAccessKey"],
        aws_session_token=credentials["SessionToken"],
    )


# --- stack files and runs --------------------------------------------------------------------------
def prod_values(workload_accounts: bool = False, emulated: bool = True) -> dict[str, Any]:
    """The prod stack file's config; `emulated`: its management account (and ARNs there) is moto's."""
    text = fixture_file("prod").read_text()
    management = yaml.safe_load(text)["config"]["tkg-aws:managementCluster"]["accountId"]
    values = yaml.safe_load(text.replace(management, EMULATED_ACCOUNT) if emulated else text)["config"]
    if not workload_accounts:
        values.pop("tkg-aws:workloadAccounts")
    return values


def write_stack(stacks: Path, values: dict[str, Any]) -> Path:
    path = stacks / "Pulumi.prod.yaml"
    path.write_text(yaml.safe_dump({"config": values}))
    return path


def planned(stacks: Path, values: dict[str, Any]) -> ProgramRun:
    """The plan of a stack file holding `values` (planned once per test run: tests/conftest.py `plan_config`)."""
    return plan_stack("prod", write_stack(stacks, values))


def preflight(stacks: Path, values: dict[str, Any]) -> tuple[int, list[dict[str, str]]]:
    """Exit code and rows (as --json prints them) of preflight on a stack file holding `values`."""
    rows = allow_unchecked(run_preflight(planned(stacks, values)), MOTO_LACKS)
    return exit_code(rows), [r.as_json() for r in rows]


def cli(capsys: pytest.CaptureFixture[str], stacks: Path, values: dict[str, Any], *flags: str) -> tuple[int, str]:
    """`python -m tools.preflight prod --config-file FILE [flags]`: exit code and stdout."""
    code = main(["prod", "--config-file", str(write_stack(stacks, values)), *ALLOW_MOTO_LACKS, *flags])
    return code, capsys.readouterr().out


def rows_of(rows: list[dict[str, str]], status: str) -> list[dict[str, str]]:
    return [r for r in rows if r["status"] == status]


def row(rows: list[dict[str, str]], check: str, account: str = "management") -> dict[str, str]:
    matches = [r for r in rows if r["check"] == check and r["account"] == account]
    assert len(matches) == 1, f"{len(matches)} rows {account}: {check}; checks: {[r['check'] for r in rows]}"
    return matches[0]


# --- acceptance ------------------------------------------------------------------------------------
def test_an_empty_account_is_ready_for_the_prod_stack(account, capsys, stacks):
    code, out = cli(capsys, stacks, prod_values(), "--json")
    rows = json.loads(out)
    assert code == 0, rows_of(rows, "fail")
    assert not rows_of(rows, "fail")
    assert {tuple(r) for r in rows} == {("account", "check", "name", "status", "unchecked", "details", "whatToDo")}
    assert row(rows, "caller identity")["details"].startswith(f"account {EMULATED_ACCOUNT} as arn:aws:")
    assert row(rows, "availability zones")["details"] == "us-west-2a=usw2-az2, us-west-2b=usw2-az1, us-west-2c=usw2-az3"
    # moto's default VPC counts against the quota; prod adds one VPC, three NAT gateways (one per AZ)
    # with their Elastic IPs, and one internet gateway.
    assert (
        "in use 1, this stack adds 1: 2 of 5 (Service Quotas)"
        in row(rows, "quota L-F678F1CE VPCs per Region")["details"]
    )
    assert "this stack adds 1: 1 of 5" in row(rows, "quota L-FE5A380F NAT gateways per AZ")["details"]
    assert row(rows, "fixed-name resources")["details"] == "10 of 10 do not exist yet"


def test_an_account_prepared_by_tanzu_fails_naming_the_role_and_key_pair_and_the_import_path(account, capsys, stacks):
    seed_tkg_stack(account)
    account.client("ec2").import_key_pair(KeyName="tkg-prod", PublicKeyMaterial=RSA_2048_PUBLIC_KEY.encode())
    code, out = cli(capsys, stacks, prod_values(), "--json")
    rows = json.loads(out)
    assert code == 1
    role = row(rows, "existing role control-plane.tkg.cloud.vmware.com")
    assert role["status"] == "fail"
    assert "created by CloudFormation stack tkg-cloud-vmware-com" in role["details"]
    assert "set tkg-aws:iam.adopted: true" in role["whatToDo"]
    assert "pulumi import --file build/plan/prod/import.json" in role["whatToDo"]
    assert "(docs/adoption.md)" in role["whatToDo"]
    key_pair = row(rows, "existing key pair tkg-prod")
    assert key_pair["status"] == "fail"
    assert "tkg-aws:keyPair.adopted" in key_pair["whatToDo"] and "import.json" in key_pair["whatToDo"]
    # The whole set of the CloudFormation stack stands in the way, and nothing else does.
    failing = {r["check"] for r in rows_of(rows, "fail")}
    expected = {f"existing {kind} {base}{TKG_SUFFIX}" for base in TKG_ROLES for kind in ("role", "instance profile")}
    expected |= {f"existing managed policy {base}{TKG_SUFFIX}" for base in TKG_ROLES}
    assert failing == expected | {"existing key pair tkg-prod"}
    assert "fixed-name resources" not in {r["check"] for r in rows}


def test_an_adopted_set_is_expected_in_place(account, stacks):
    seed_tkg_stack(account)
    account.client("ec2").import_key_pair(KeyName="tkg-prod", PublicKeyMaterial=RSA_2048_PUBLIC_KEY.encode())
    values = prod_values()
    values["tkg-aws:iam"] = {**values["tkg-aws:iam"], "adopted": True}
    values["tkg-aws:keyPair"] = {"name": "tkg-prod", "publicKey": RSA_2048_PUBLIC_KEY, "adopted": True}
    code, rows = preflight(stacks, values)
    assert code == 0, rows_of(rows, "fail")
    adopted = row(rows, "existing role nodes.tkg.cloud.vmware.com")
    assert adopted["status"] == "ok"
    assert adopted["details"] == (
        "exists, created by CloudFormation stack tkg-cloud-vmware-com; adopted: build/plan/prod/import.json imports it"
    )


def test_what_an_earlier_up_of_the_stack_made_is_in_nobody_s_way(account, stacks):
    tags = [{"Key": "managed-by", "Value": "tkg-aws"}, {"Key": "environment", "Value": "prod"}]
    account.client("iam").create_role(RoleName="nodes.tkg.cloud.vmware.com", AssumeRolePolicyDocument="{}", Tags=tags)
    code, rows = preflight(stacks, prod_values())
    assert code == 0, rows_of(rows, "fail")
    assert row(rows, "fixed-name resources")["details"] == (
        "9 of 10 do not exist yet; 1 of 10 carry this stack's tags (managed-by=tkg-aws, environment=prod): "
        "an earlier `pulumi up` made them"
    )


def test_credentials_of_another_account_fail_and_nothing_else_is_read_there(account, stacks):
    values = prod_values(emulated=False)
    pinned = values["tkg-aws:managementCluster"]["accountId"]
    code, rows = preflight(stacks, values)
    assert code == 1
    assert rows == [row(rows, "caller identity")]
    assert rows[0]["status"] == "fail"
    assert f"reach account {EMULATED_ACCOUNT}" in rows[0]["details"]
    assert f"pinned to {pinned}" in rows[0]["details"]
    assert "tkg-aws:managementCluster.accountId" in rows[0]["whatToDo"]


def test_an_availability_zone_the_account_lacks_fails(account, stacks):
    # us-west-1 has three zone letters, and every account gets two of them (here a and b).
    values = prod_values()
    values["aws:region"] = "us-west-1"
    values["tkg-aws:network"]["availabilityZones"] = ["us-west-1a", "us-west-1c"]
    code, rows = preflight(stacks, values)
    assert code == 1
    zones = row(rows, "availability zones")
    assert zones["status"] == "fail"
    assert zones["details"] == "us-west-1c not in this account; us-west-1a=usw1-az3"
    assert zones["whatToDo"] == "choose from us-west-1a, us-west-1b (tkg-aws:network.availabilityZones)"


def test_a_vpc_quota_too_small_for_the_stack_fails(account, stacks):
    for index in range(4):  # with the default VPC, the account is at its quota of 5
        account.client("ec2").create_vpc(CidrBlock=f"10.{100 + index}.0.0/16")
    code, rows = preflight(stacks, prod_values())
    assert code == 1
    vpcs = row(rows, "quota L-F678F1CE VPCs per Region")
    assert vpcs["status"] == "fail"
    assert vpcs["details"] == "does not fit: in use 5, this stack adds 1: 6 of 5 (Service Quotas)"
    assert "request an increase of L-F678F1CE (Service Quotas, service vpc)" in vpcs["whatToDo"]


def test_nat_gateways_count_per_availability_zone(account, stacks):
    ec2 = account.client("ec2")
    subnet = ec2.describe_subnets(Filters=[{"Name": "availability-zone", "Values": ["us-west-2b"]}])["Subnets"][0]
    for _ in range(5):
        allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
        ec2.create_nat_gateway(SubnetId=subnet["SubnetId"], AllocationId=allocation)
    code, rows = preflight(stacks, prod_values())
    nat = row(rows, "quota L-FE5A380F NAT gateways per AZ")
    assert nat["status"] == "fail"
    assert nat["details"] == "does not fit: us-west-2b: in use 5, this stack adds 1: 6 of 5 (Service Quotas)"
    assert code == 1


def test_quotas_the_emulator_does_not_offer_say_how_the_stack_compares_with_aws_defaults(account, stacks):
    for _ in range(3):
        account.client("ec2").allocate_address(Domain="vpc")
    code, rows = preflight(stacks, prod_values())
    # moto's Service Quotas has only the vpc quotas: EC2's and ELB's are compared with AWS's defaults.
    eips = row(rows, "quota L-0263D0A3 EC2-VPC Elastic IPs")
    assert eips["details"] == (
        "could not check: Service Quotas: not offered by the endpoint: GetAWSDefaultServiceQuota: HTTP 500; "
        "in use 3, this stack adds 3: 6 of AWS's default 5"
    )
    assert (eips["status"], eips["unchecked"], eips["name"]) == ("warn", True, "quotas")  # accepted unchecked
    assert eips["whatToDo"] == "accepted unchecked (--allow-unchecked quotas)"
    vcpus = row(rows, "quota L-1216C47A Running On-Demand Standard instances (vCPUs)")
    assert vcpus["details"].endswith("in use 0, this stack adds 0")  # no default to compare with
    assert code == 0


def test_the_policy_simulator_the_emulator_lacks_is_unchecked(account, stacks):
    code, rows = preflight(stacks, prod_values())
    permissions = row(rows, "permissions")
    assert (permissions["status"], permissions["unchecked"]) == ("warn", True)
    assert (
        permissions["details"]
        == "could not check: not offered by the endpoint: the endpoint's answer is not an AWS response"
    )
    assert code == 0


def test_workload_accounts_are_entered_with_their_deploy_role_and_checked_there(account, stacks):
    in_account(account, "333333333333").client("iam").create_role(
        RoleName="controllers.tkg.cloud.vmware.com", AssumeRolePolicyDocument="{}"
    )
    code, rows = preflight(stacks, prod_values(workload_accounts=True))
    assert code == 1
    assert {r["account"] for r in rows} == {"management", "lob-dev", "lob-prod"}
    assert row(rows, "deploy role", "lob-dev")["details"] == ("assumed arn:aws:iam::222222222222:role/tkg-aws-deploy")
    assert row(rows, "deploy role", "lob-prod")["details"].endswith("with its external id")
    identity = row(rows, "caller identity", "lob-prod")["details"]
    assert identity.endswith("assumed-role/tkg-aws-deploy/tkg-aws-lob-prod")
    assert row(rows, "availability zones", "lob-dev")["status"] == "ok"
    taken = row(rows, "existing role controllers.tkg.cloud.vmware.com", "lob-prod")
    assert taken["status"] == "fail"
    assert "set tkg-aws:workloadAccounts[1].adopted: true" in taken["whatToDo"]
    assert [(r["account"], r["check"]) for r in rows_of(rows, "fail")] == [
        ("lob-prod", "existing role controllers.tkg.cloud.vmware.com")
    ]


def test_a_bring_your_own_vpc_must_hold_its_subnets_in_the_azs_they_are_keyed_by(account, stacks):
    ec2 = account.client("ec2")
    vpc = ec2.create_vpc(CidrBlock="10.50.0.0/16")["Vpc"]["VpcId"]
    subnets = {
        (tier, az): ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az)["Subnet"]["SubnetId"]
        for tier, az, cidr in [
            ("public", "us-west-2a", "10.50.0.0/24"),
            ("private", "us-west-2a", "10.50.1.0/24"),
            ("private", "us-west-2c", "10.50.2.0/24"),
        ]
    }
    values = prod_values()
    values["tkg-aws:network"] = {
        "existingVpc": {
            "vpcId": vpc,
            "publicSubnetIds": {"us-west-2a": subnets["public", "us-west-2a"]},
            "privateSubnetIds": {"us-west-2a": subnets["private", "us-west-2a"]},
        }
    }
    code, rows = preflight(stacks, values)
    assert row(rows, f"existing VPC {vpc}")["details"] == f"2 subnets, each in {vpc} and in its AZ"
    assert code == 0, rows_of(rows, "fail")

    values["tkg-aws:network"]["existingVpc"]["privateSubnetIds"] = {"us-west-2b": subnets["private", "us-west-2c"]}
    values["tkg-aws:network"]["existingVpc"]["publicSubnetIds"] = {"us-west-2a": "subnet-0123456789abcdef0"}
    code, rows = preflight(stacks, values)
    checked = row(rows, f"existing VPC {vpc}")
    assert checked["status"] == "fail"
    assert checked["details"] == (
        f"private subnet {subnets['private', 'us-west-2c']} is in us-west-2c, not us-west-2b; "
        "public subnet subnet-0123456789abcdef0 (us-west-2a) does not exist"
    )
    assert code == 1


def test_preflight_only_reads(account, stacks, emulator):
    seed_tkg_stack(account)
    post(f"{emulator}/moto-api/recorder/reset-recording")
    post(f"{emulator}/moto-api/recorder/start-recording")
    try:
        preflight(stacks, prod_values(workload_accounts=True))
    finally:
        post(f"{emulator}/moto-api/recorder/stop-recording")
    with urllib.request.urlopen(f"{emulator}/moto-api/recorder/download-recording", timeout=30) as response:
        actions = {_action(json.loads(line)) for line in response.read().decode().splitlines() if line}
    assert {"GetCallerIdentity", "DescribeAvailabilityZones", "GetRole", "ListStackResources"} <= actions
    assert {a for a in actions if not a.startswith(READ_ONLY_PREFIXES) and a not in STS_SESSIONS} == set()
    # The README lists what preflight needs to be allowed.
    assert actions <= documented_preflight_actions()


def documented_preflight_actions() -> set[str]:
    readme = (REPO / "README.md").read_text()
    paragraph = readme[readme.index("Preflight itself needs") :].split("\n\n", 1)[0]
    return {action for _, action in re.findall(r"`([a-z0-9-]+):(\w+)`", paragraph)}


def _action(request: dict[str, Any]) -> str:
    """The API action of a recorded request: the JSON protocol's target, or the query's Action."""
    target = {k.lower(): v for k, v in request["headers"].items()}.get("x-amz-target")
    if target:
        return target.split(".")[-1]
    body = base64.b64decode(request["body"]).decode() if request.get("body_encoded") else request.get("body") or ""
    return parse_qs(body).get("Action", ["?"])[0]


# --- the command ------------------------------------------------------------------------------------
def test_the_report_names_each_check_with_its_account_fits_100_columns_and_ends_with_the_verdict(
    account, capsys, stacks
):
    code, out = cli(capsys, stacks, prod_values())
    lines = out.splitlines()
    assert code == 0
    assert "ok    management: caller identity" in lines
    assert max(len(line) for line in lines) <= 100
    assert any(line.startswith("      -> accepted unchecked (--allow-unchecked quotas)") for line in lines)
    assert lines[-1].startswith("ready: 0 to fix, ")
    code, out = cli(capsys, stacks, prod_values(), "--markdown")  # for a CI job summary
    lines = out.splitlines()
    assert [cell.strip() for cell in lines[0].split("|")[1:-1]] == ["check", "status", "details", "what to do"]
    assert any(line.startswith("| management: caller identity ") and "| ok " in line for line in lines)


def test_bad_config_exits_2_with_one_line_per_problem_and_no_traceback(account, capsys, stacks):
    values = prod_values()
    values["tkg-aws:environment"] = "Prod"
    values["tkg-aws:network"]["natGateways"] = "perAz"
    code = main(["prod", "--config-file", str(write_stack(stacks, values))])
    captured = capsys.readouterr()
    assert code == 2
    assert captured.out == ""
    problems = [line for line in captured.err.splitlines() if line.startswith("tkg-aws:")]
    assert [p.split(":")[1] for p in problems] == ["environment", "network.natGateways"]
    assert "Traceback" not in captured.err


def test_the_stack_s_own_aws_settings_decide_the_identity(account, stacks):
    values = prod_values()
    values["aws:assumeRoles"] = [
        {"roleArn": f"arn:aws:iam::{EMULATED_ACCOUNT}:role/tkg-deployer", "sessionName": "preflight-ci"}
    ]
    code, rows = preflight(stacks, values)
    assert row(rows, "caller identity")["details"] == (
        f"account {EMULATED_ACCOUNT} as arn:aws:sts::{EMULATED_ACCOUNT}:assumed-role/tkg-deployer/preflight-ci"
    )
    assert code == 0


# --- permissions ------------------------------------------------------------------------------------
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_aws_type_the_stacks_plan_has_the_actions_creating_it(stack):
    run = plan_fixture(stack)
    planned = {r.type for target in targets(run) for r in aws_resources(target)}
    assert planned - set(ACTIONS_BY_TYPE) == set()


def test_iam_actions_are_checked_on_the_arns_the_plan_names(stacks):
    management = targets(planned(stacks, prod_values()))[0]
    needed = needed_actions(management, aws_resources(management))
    roles = {f"arn:aws:iam::{EMULATED_ACCOUNT}:role/{base}{TKG_SUFFIX}" for base in TKG_ROLES}
    assert needed["iam:CreateRole"] == roles
    assert needed["iam:PassRole"] == roles  # each instance profile passes its role
    assert needed["iam:CreatePolicy"] == {f"arn:aws:iam::{EMULATED_ACCOUNT}:policy/{b}{TKG_SUFFIX}" for b in TKG_ROLES}
    assert needed["ec2:CreateNatGateway"] == {"*"}


def test_the_simulated_principal_of_an_assumed_role_keeps_the_role_s_path(account):
    account.client("iam").create_role(RoleName="deployer", Path="/ci/", AssumeRolePolicyDocument="{}")
    made, _ = stack_clients(AwsSettings(), REGION)
    session = f"arn:aws:sts::{EMULATED_ACCOUNT}:assumed-role/deployer/github-actions"
    assert simulated_principal(made, session) == (f"arn:aws:iam::{EMULATED_ACCOUNT}:role/ci/deployer", "")
    principal, reason = simulated_principal(made, f"arn:aws:iam::{EMULATED_ACCOUNT}:root")
    assert principal is None and "root user" in reason
