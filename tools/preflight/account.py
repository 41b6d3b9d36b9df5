"""Preflight checks of where the stack lands: the account the credentials reach, the region, the
availability zones (with the AZ IDs they mean in this account) and a bring-your-own VPC.

AZ names are shuffled per account: `us-west-2a` of one account may be `usw2-az2` and of another
`usw2-az1`. The report prints each account's mapping, so clusters of several accounts can be placed
in the same physical zones on purpose.
"""

from __future__ import annotations

from typing import Any

from components.config.models import ExistingVpcConfig
from components.config.validators import NAMESPACE
from tools.preflight.aws_session import (
    AWS_ERRORS,
    DEADLINE,
    NO_CREDENTIALS,
    REFUSED_CREDENTIALS,
    SERVER_ERROR,
    THROTTLED,
    TIMED_OUT,
    UNREACHABLE,
    AwsClients,
    describe_error,
    error_kind,
)
from tools.preflight.report import FAIL, OK, WARN, Row, looked_up
from tools.preflight.targets import Target

ENABLED_REGION_STATES = ("opt-in-not-required", "opted-in")
_GIVE_CREDENTIALS = "give the stack's credentials (aws:profile, AWS_PROFILE, AWS_ACCESS_KEY_ID, aws:assumeRoles)"
# What to do when the identity cannot be read, by the kind of error (tools/preflight/aws_session.error_kind).
IDENTITY_ACTIONS = {
    NO_CREDENTIALS: _GIVE_CREDENTIALS,
    REFUSED_CREDENTIALS: "the credentials are wrong or expired: renew them (aws sso login, a new session)",
    UNREACHABLE: "STS cannot be reached: check aws:endpoints, the proxy settings and the network path",
    TIMED_OUT: "STS did not answer in time: check the network path, or raise --call-timeout",
    THROTTLED: "STS throttles the caller: run preflight again later",
    SERVER_ERROR: "STS answered with a server error: run preflight again later (AWS Health Dashboard)",
    DEADLINE: "rerun with a longer --timeout",
}


def caller_identity(target: Target, clients: AwsClients) -> tuple[list[Row], dict[str, Any] | None]:
    """The identity row, and the identity when it is the account the stack is pinned to."""
    check = "caller identity"
    try:
        identity = clients.client("sts").get_caller_identity()
    except AWS_ERRORS as err:
        action = IDENTITY_ACTIONS.get(error_kind(err), "see the error; nothing else was checked in this account")
        return [Row(target.name, check, FAIL, f"sts:GetCallerIdentity: {describe_error(err)}", action)], None
    account, arn = identity["Account"], identity["Arn"]
    if account != target.account_id:
        key = f"{NAMESPACE}:managementCluster.accountId" if target.is_management else "its deployRoleArn"
        action = (
            f"use credentials of account {target.account_id}, or correct {key}; "
            "nothing else was checked in this account"
        )
        details = f"the credentials reach account {account} as {arn}, the stack is pinned to {target.account_id}"
        return [Row(target.name, check, FAIL, details, action)], None
    return [Row(target.name, check, OK, f"account {account} as {arn}")], identity


def region_enabled(target: Target, clients: AwsClients) -> list[Row]:
    region = clients.region

    def lookup() -> list[Row]:
        regions = clients.client("ec2").describe_regions(RegionNames=[region], AllRegions=True)["Regions"]
        state = regions[0].get("OptInStatus", "opt-in-not-required") if regions else "unknown"
        if state in ENABLED_REGION_STATES:
            return [Row(target.name, "region", OK, f"{region} is enabled ({state})")]
        action = f"enable {region} for the account (Account settings > AWS Regions), or choose another aws:region"
        return [Row(target.name, "region", FAIL, f"{region} is not enabled for this account ({state})", action)]

    return looked_up(target.name, "region", lookup)


def availability_zones(target: Target, clients: AwsClients, wanted: list[str]) -> list[Row]:
    """Every AZ of the config exists here and is available; the row carries the name -> ID map."""
    check = "availability zones"

    def lookup() -> list[Row]:
        region_filter = [{"Name": "region-name", "Values": [clients.region]}]
        zones = clients.client("ec2").describe_availability_zones(Filters=region_filter)["AvailabilityZones"]
        by_name = {z["ZoneName"]: z for z in zones if z.get("ZoneType", "availability-zone") == "availability-zone"}
        mapping = ", ".join(f"{az}={by_name[az]['ZoneId']}" for az in wanted if az in by_name)
        missing = [az for az in wanted if az not in by_name]
        if missing:
            details = f"{', '.join(missing)} not in this account" + (f"; {mapping}" if mapping else "")
            action = f"choose from {', '.join(sorted(by_name))} ({NAMESPACE}:network.availabilityZones)"
            return [Row(target.name, check, FAIL, details, action)]
        impaired = [az for az in wanted if by_name[az].get("State", "available") != "available"]
        if impaired:
            states = ", ".join(f"{az} is {by_name[az]['State']}" for az in impaired)
            return [Row(target.name, check, WARN, f"{states}; {mapping}", "wait, or choose other zones")]
        return [Row(target.name, check, OK, mapping)]

    return looked_up(target.name, check, lookup)


def existing_vpc(target: Target, clients: AwsClients, vpc: ExistingVpcConfig | None) -> list[Row]:
    """Bring-your-own VPC: it exists, and each subnet is in it and in the AZ it is keyed by."""
    if vpc is None:  # the stack creates its VPC
        return []
    check = f"existing VPC {vpc.vpc_id}"

    def lookup() -> list[Row]:
        ec2 = clients.client("ec2")
        found = ec2.describe_vpcs(Filters=[{"Name": "vpc-id", "Values": [vpc.vpc_id]}])["Vpcs"]
        if not found:
            action = f"correct {NAMESPACE}:network.existingVpc.vpcId, or use this account's VPC"
            return [Row(target.name, check, FAIL, f"no VPC {vpc.vpc_id} in this account and region", action)]
        wanted = {("public", az): subnet for az, subnet in vpc.public_subnet_ids.items()}
        wanted |= {("private", az): subnet for az, subnet in vpc.private_subnet_ids.items()}
        ids = sorted(set(wanted.values()))
        subnets = ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": ids}])["Subnets"] if ids else []
        problems = _subnet_problems(vpc.vpc_id, wanted, {s["SubnetId"]: s for s in subnets})
        if problems:
            action = f"correct {NAMESPACE}:network.existingVpc (subnets are keyed by the AZ they are in)"
            return [Row(target.name, check, FAIL, "; ".join(problems), action)]
        return [Row(target.name, check, OK, f"{len(ids)} subnets, each in {vpc.vpc_id} and in its AZ")]

    return looked_up(target.name, check, lookup)


def _subnet_problems(vpc_id: str, wanted: dict[tuple[str, str], str], found: dict[str, dict[str, Any]]) -> list[str]:
    problems = []
    for (tier, az), subnet_id in sorted(wanted.items()):
        subnet = found.get(subnet_id)
        if subnet is None:
            problems.append(f"{tier} subnet {subnet_id} ({az}) does not exist")
        elif subnet["VpcId"] != vpc_id:
            problems.append(f"{tier} subnet {subnet_id} ({az}) is in {subnet['VpcId']}, not {vpc_id}")
        elif subnet["AvailabilityZone"] != az:
            problems.append(f"{tier} subnet {subnet_id} is in {subnet['AvailabilityZone']}, not {az}")
    return problems
