"""Preflight rows of an OpenShift stack: what only the real account knows, read before `pulumi up`.

- the RHCOS AMI (`openshift.rhcosAmi`) exists in the region, is available, and its architecture is
  one every machine's instance type runs (an x86_64 image on a Graviton type never boots);
- every machine's instance type is offered in the AZs its machines go to (EC2 refuses the launch
  otherwise, half way through `pulumi up`);
- the public hosted zone (`openshift.publicHostedZoneId`) exists, is public and is `baseDomain`'s,
  where the `api` record and openshift-install's `*.apps` lookup go;
- with `network.existingVpc`, every subnet lies inside `openshift.machineNetwork`: the API load
  balancers' IP targets see their addresses there as the source of health checks and traffic;
- the inbound rules the largest cluster security group gets fit the account's rules-per-group
  quota (L-0EA8095F; 60 by default, adjustable).
Each check reads only (Describe, Get); an AWS error on the way is a row of its own
(tools/preflight/report.looked_up), never a traceback.
"""

from __future__ import annotations

import ipaddress
from collections import Counter

from botocore.exceptions import ClientError

from components.config import instance_types
from components.openshift.config import OpenShiftConfig
from components.stack_config.models import StackConfig
from tools.plan.estimate import inbound_rules_per_group
from tools.preflight.aws_session import AwsClients, error_code
from tools.preflight.quotas import QuotaCheck, quota_value
from tools.preflight.report import FAIL, OK, Row, looked_up
from tools.preflight.targets import Target

AMI_CHECK = "OpenShift RHCOS AMI"
ZONE_CHECK = "OpenShift public hosted zone"
SUBNETS_CHECK = "OpenShift machine network"
OFFERINGS_CHECK = "OpenShift instance types in their AZs"
RULES_QUOTA = QuotaCheck(
    "L-0EA8095F",
    "Inbound rules per security group",
    "vpc",
    60,
    "AWS VPC quotas (reference/network.md)",
    lambda clients: Counter(),  # the cluster's groups are new: the stack's rules are all they hold
    lambda plan: Counter({"": inbound_rules_per_group(plan)}),
)
RULES_CHECK = f"quota {RULES_QUOTA.code} {RULES_QUOTA.name}"


def openshift_rows(target: Target, clients: AwsClients, config: StackConfig) -> list[Row]:
    openshift = config.openshift
    if openshift is None or not target.is_management:
        return []
    rows: list[Row] = []
    if openshift.rhcos_ami is not None:
        rows += looked_up(target.name, AMI_CHECK, lambda: [ami_row(target, clients, openshift)])
    if openshift.machines:
        rows += looked_up(target.name, OFFERINGS_CHECK, lambda: [offerings_row(target, clients, config)])
    if openshift.public_hosted_zone_id is not None:
        rows += looked_up(target.name, ZONE_CHECK, lambda: [zone_row(target, clients, openshift)])
    if config.network.existing_vpc is not None and openshift.machine_network is not None:
        rows += looked_up(target.name, SUBNETS_CHECK, lambda: [subnets_row(target, clients, config)])
    if inbound_rules_per_group(target.plan):
        rows += looked_up(target.name, RULES_CHECK, lambda: [rules_row(target, clients)])
    return rows


def machine_types(openshift: OpenShiftConfig) -> dict[str, str]:
    """Config key -> instance type of every machine the stack creates."""
    types = {
        "controlPlane.instanceType": openshift.control_plane.instance_type,
        "compute.instanceType": openshift.compute.instance_type,
    }
    if openshift.bootstrap.enabled:
        types["bootstrap.instanceType"] = openshift.bootstrap.instance_type
    return types


def ami_row(target: Target, clients: AwsClients, openshift: OpenShiftConfig) -> Row:
    ami = openshift.rhcos_ami
    fix = "take the region's image from `openshift-install coreos print-stream-json` (tkg-aws:openshift.rhcosAmi)"
    try:
        images = clients.client("ec2").describe_images(ImageIds=[ami])["Images"]
    except ClientError as err:
        if not error_code(err).startswith("InvalidAMIID"):
            raise
        images = []
    if not images:
        return Row(target.name, AMI_CHECK, FAIL, f"{ami} does not exist in {clients.region} (or is not shared)", fix)
    image = images[0]
    architecture, state = image.get("Architecture", "?"), image.get("State", "?")
    if state != "available":
        return Row(target.name, AMI_CHECK, FAIL, f"{ami} is {state}, not available", fix)
    wrong = [
        f"tkg-aws:openshift.{key} {name} runs {'/'.join(spec.architectures)}"
        for key, name in sorted(machine_types(openshift).items())
        if (spec := instance_types.lookup(name)) is not None and architecture not in spec.architectures
    ]
    if wrong:
        details = f"{ami} is {architecture}, but " + "; ".join(wrong)
        return Row(target.name, AMI_CHECK, FAIL, details, f"use instance types of {architecture}, or the other image")
    return Row(target.name, AMI_CHECK, OK, f"{ami} ({image.get('Name', 'no name')}): {architecture}, available")


def placed_types(config: StackConfig) -> dict[tuple[str, str], set[str]]:
    """(config key, instance type) -> the AZs machines of that type go to."""
    openshift = config.openshift
    assert openshift is not None
    vpc = config.network.existing_vpc
    private_azs = sorted(vpc.private_subnet_ids) if vpc is not None else config.availability_zones
    masters = openshift.control_plane_azs(config.availability_zones)
    workers = openshift.compute.replicas or {az: 1 for az in private_azs}
    placed = {
        ("controlPlane.instanceType", openshift.control_plane.instance_type): set(masters),
        ("compute.instanceType", openshift.compute.instance_type): {az for az, n in workers.items() if n},
    }
    if openshift.bootstrap.enabled and masters:
        key = ("bootstrap.instanceType", openshift.bootstrap.instance_type)
        placed[key] = placed.get(key, set()) | {masters[0]}
    return placed


def offerings_row(target: Target, clients: AwsClients, config: StackConfig) -> Row:
    placed = placed_types(config)
    names = sorted({name for _, name in placed})
    paginator = clients.client("ec2").get_paginator("describe_instance_type_offerings")
    offered: dict[str, set[str]] = {name: set() for name in names}
    request = {"LocationType": "availability-zone", "Filters": [{"Name": "instance-type", "Values": names}]}
    for page in paginator.paginate(**request):
        for offering in page["InstanceTypeOfferings"]:
            offered.setdefault(offering["InstanceType"], set()).add(offering["Location"])
    missing = [
        f"tkg-aws:openshift.{key} {name} in {', '.join(sorted(azs - offered[name]))}"
        for (key, name), azs in sorted(placed.items())
        if azs - offered[name]
    ]
    if missing:
        details = "not offered: " + "; ".join(missing)
        return Row(target.name, OFFERINGS_CHECK, FAIL, details, "choose a type offered there, or other AZs")
    where = ", ".join(f"{name} in {', '.join(sorted(azs))}" for (_, name), azs in sorted(placed.items()))
    return Row(target.name, OFFERINGS_CHECK, OK, f"offered: {where}")


def zone_row(target: Target, clients: AwsClients, openshift: OpenShiftConfig) -> Row:
    zone_id = openshift.public_hosted_zone_id
    fix = "give the public zone of baseDomain (tkg-aws:openshift.publicHostedZoneId), or none for an internal cluster"
    try:
        zone = clients.client("route53").get_hosted_zone(Id=zone_id)["HostedZone"]
    except ClientError as err:
        if error_code(err) != "NoSuchHostedZone":
            raise
        return Row(target.name, ZONE_CHECK, FAIL, f"{zone_id} does not exist in this account", fix)
    name = zone["Name"].rstrip(".")
    if zone.get("Config", {}).get("PrivateZone"):
        return Row(target.name, ZONE_CHECK, FAIL, f"{zone_id} ({name}) is a private zone", fix)
    if name != openshift.base_domain:
        details = f"{zone_id} is {name}, not baseDomain {openshift.base_domain}"
        return Row(target.name, ZONE_CHECK, FAIL, details, fix)
    return Row(target.name, ZONE_CHECK, OK, f"{zone_id}: {name}, public")


def subnets_row(target: Target, clients: AwsClients, config: StackConfig) -> Row:
    vpc, openshift = config.network.existing_vpc, config.openshift
    assert vpc is not None and openshift is not None and openshift.machine_network is not None
    ids = sorted(set(vpc.public_subnet_ids.values()) | set(vpc.private_subnet_ids.values()))
    subnets = clients.client("ec2").describe_subnets(SubnetIds=ids)["Subnets"]
    outside = [
        f"{s['SubnetId']} {s['CidrBlock']}"
        for s in sorted(subnets, key=lambda s: s["SubnetId"])
        if not ipaddress.IPv4Network(s["CidrBlock"]).subnet_of(openshift.machine_network)
    ]
    if outside:
        details = f"outside machineNetwork {openshift.machine_network}: {', '.join(outside)}"
        action = "widen tkg-aws:openshift.machineNetwork to hold every subnet of the cluster"
        return Row(target.name, SUBNETS_CHECK, FAIL, details, action)
    return Row(target.name, SUBNETS_CHECK, OK, f"{len(subnets)} subnets inside {openshift.machine_network}")


def rules_row(target: Target, clients: AwsClients) -> Row:
    needed = inbound_rules_per_group(target.plan)
    value, source = quota_value(clients, RULES_QUOTA)  # raises (unchecked) when Service Quotas cannot say
    details = f"the largest cluster group gets {needed} inbound rules: {needed} of {int(value)} ({source})"
    increase = f"request an increase of {RULES_QUOTA.code} (Service Quotas, service vpc) before `pulumi up`"
    if needed > value:
        return Row(target.name, RULES_CHECK, FAIL, f"does not fit: {details}", increase)
    return Row(target.name, RULES_CHECK, OK, details)
