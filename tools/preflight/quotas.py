"""Preflight check of the service quotas TKG's AWS guide lists: will the stack fit in what the account has left?

For each quota: the account's value (Service Quotas; where the account has no value of its own,
Service Quotas' AWS default), what the account already uses, and what this stack adds (counted
from the plan by tools/plan/estimate.py). It fails when the stack would not fit, warns when it leaves
nothing for the clusters built next, which draw on the same quotas (a VPC, an Elastic IP and NAT
gateway per AZ, a Classic Load Balancer per cluster API, instances). When Service Quotas cannot be
read (denied, throttled, unreachable, an emulator without it), the row is unchecked: it says how
the stack compares with AWS's documented default, and fails unless `quotas` is accepted unchecked.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any, Protocol

from botocore.exceptions import ClientError

from components.config import instance_types
from tools.plan import estimate
from tools.plan.program import ProgramRun
from tools.preflight.aws_session import AWS_ERRORS, AwsClients, ServiceName, describe_error
from tools.preflight.report import FAIL, OK, WARN, Row, looked_up, unchecked_row
from tools.preflight.targets import Target

REGIONAL = ""
"""The scope key of a quota that counts per region (per-AZ quotas are keyed by AZ name)."""
# Instance families of L-1216C47A; the DL, Inf, Trn, HPC and Mac families have quotas of their own.
STANDARD_FAMILY_LETTERS = "acdhimrtz"
NON_STANDARD_PREFIXES = ("dl", "inf", "trn", "hpc", "mac")


@dataclass(frozen=True)
class QuotaCheck:
    code: str
    """Service Quotas code, e.g. L-F678F1CE."""
    name: str
    service_code: str
    default: int | None
    """AWS's default for a new account; None where it varies by account."""
    default_source: str
    """Where the default is documented."""
    in_use: Callable[[AwsClients], Counter[str]]
    """What the account uses now, by scope (REGIONAL, or AZ name for a per-AZ quota)."""
    added: Callable[[ProgramRun], Counter[str]]
    """What the stack adds in the account, by the same scopes."""


# --- what the account uses -------------------------------------------------------------------------
def _pages(clients: AwsClients, service: ServiceName, operation: str, key: str, **request: Any) -> list[dict[str, Any]]:
    paginator = clients.client(service).get_paginator(operation)
    return [item for page in paginator.paginate(**request) for item in page[key]]


def _regional(count: int) -> Counter[str]:
    return Counter({REGIONAL: count})


def vpcs_in_use(clients: AwsClients) -> Counter[str]:
    return _regional(len(_pages(clients, "ec2", "describe_vpcs", "Vpcs")))


def internet_gateways_in_use(clients: AwsClients) -> Counter[str]:
    return _regional(len(_pages(clients, "ec2", "describe_internet_gateways", "InternetGateways")))


def elastic_ips_in_use(clients: AwsClients) -> Counter[str]:
    addresses = clients.client("ec2").describe_addresses(Filters=[{"Name": "domain", "Values": ["vpc"]}])
    return _regional(len(addresses["Addresses"]))


def nat_gateways_in_use(clients: AwsClients) -> Counter[str]:
    """Pending and available NAT gateways per AZ (a NAT gateway's AZ is its subnet's)."""
    live = [{"Name": "state", "Values": ["pending", "available"]}]
    gateways = _pages(clients, "ec2", "describe_nat_gateways", "NatGateways", Filter=live)
    subnet_ids = sorted({g["SubnetId"] for g in gateways})
    if not subnet_ids:
        return Counter()
    subnets = clients.client("ec2").describe_subnets(SubnetIds=subnet_ids)["Subnets"]
    az_of = {s["SubnetId"]: s["AvailabilityZone"] for s in subnets}
    return Counter(az_of[g["SubnetId"]] for g in gateways)


def standard_vcpus_in_use(clients: AwsClients) -> Counter[str]:
    """vCPUs of running on-demand instances of the standard families."""
    return _regional(on_demand_vcpus(clients, is_standard_family))


def on_demand_vcpus(clients: AwsClients, counts: Callable[[str], bool]) -> int:
    """vCPUs of the account's pending and running on-demand instances whose type `counts`."""
    running = [{"Name": "instance-state-name", "Values": ["pending", "running"]}]
    reservations = _pages(clients, "ec2", "describe_instances", "Reservations", Filters=running)
    instances = [i for r in reservations for i in r["Instances"]]
    return sum(
        _vcpus(i) for i in instances if "InstanceLifecycle" not in i and counts(i["InstanceType"])
    )  # spot and scheduled instances count apart


def _vcpus(instance: dict[str, Any]) -> int:
    """An instance's vCPUs as it runs (CpuOptions), or its type's (the catalog) where the answer lacks them."""
    cpu = instance.get("CpuOptions")
    if cpu:
        return int(cpu["CoreCount"]) * int(cpu["ThreadsPerCore"])
    spec = instance_types.lookup(instance["InstanceType"])
    return spec.vcpus if spec is not None else 0


def is_standard_family(instance_type: str) -> bool:
    family = instance_type.split(".")[0].lower()
    return family[:1] in STANDARD_FAMILY_LETTERS and not family.startswith(NON_STANDARD_PREFIXES)


def classic_load_balancers_in_use(clients: AwsClients) -> Counter[str]:
    return _regional(len(_pages(clients, "elb", "describe_load_balancers", "LoadBalancerDescriptions")))


# --- what the stack adds ---------------------------------------------------------------------------
# Names, defaults and plan counts of the quotas the offline plan summary reports too.
_ESTIMATE_QUOTAS = {quota.code: quota for quota in estimate.QUOTAS}


def _estimated(code: str) -> Callable[[ProgramRun], Counter[str]]:
    usage = _ESTIMATE_QUOTAS[code].usage
    return lambda plan: _regional(usage(plan))


def _nothing(plan: ProgramRun) -> Counter[str]:
    return Counter()  # the stack creates none; the clusters built next do


_NETWORK_DEFAULTS = "AWS VPC quotas (reference/network.md)"


def _from_estimate(code: str, service_code: str, in_use: Callable[[AwsClients], Counter[str]], **kw: Any) -> QuotaCheck:
    quota = _ESTIMATE_QUOTAS[code]
    return QuotaCheck(code, quota.name, service_code, quota.default, _NETWORK_DEFAULTS, in_use, **kw)


# The guide's table, in its order.
QUOTA_CHECKS = (
    _from_estimate("L-A4707A72", "vpc", internet_gateways_in_use, added=_estimated("L-A4707A72")),
    _from_estimate("L-FE5A380F", "vpc", nat_gateways_in_use, added=estimate.nat_gateways_by_az),
    _from_estimate("L-F678F1CE", "vpc", vpcs_in_use, added=_estimated("L-F678F1CE")),
    QuotaCheck(
        "L-1216C47A",
        "Running On-Demand Standard instances (vCPUs)",
        "ec2",
        None,
        "none: varies by account (reference/network.md)",
        standard_vcpus_in_use,
        _nothing,
    ),
    _from_estimate("L-0263D0A3", "ec2", elastic_ips_in_use, added=_estimated("L-0263D0A3")),
    QuotaCheck(
        "L-E9E9831D",
        "Classic Load Balancers per Region",
        "elasticloadbalancing",
        20,
        "ELB quotas (reference/network.md)",
        classic_load_balancers_in_use,
        _nothing,
    ),
)


# --- the rows --------------------------------------------------------------------------------------
def quota_rows(target: Target, clients: AwsClients) -> list[Row]:
    rows = []
    for quota in QUOTA_CHECKS:
        rows += looked_up(target.name, _title(quota), partial(_quota_rows, target, clients, quota))
    return rows


def _title(quota: QuotaCheck) -> str:
    return f"quota {quota.code} {quota.name}"


def _quota_rows(target: Target, clients: AwsClients, quota: QuotaCheck) -> list[Row]:
    return [_quota_row(target, clients, quota)]


def _quota_row(target: Target, clients: AwsClients, quota: QuotaCheck) -> Row:
    used, added = quota.in_use(clients), quota.added(target.plan)
    scope = max(set(used) | set(added) or {REGIONAL}, key=lambda s: (used[s] + added[s], s or ""))
    after = used[scope] + added[scope]
    where = f"{scope}: " if scope else ""
    usage = f"{where}in use {used[scope]}, this stack adds {added[scope]}"
    increase = f"request an increase of {quota.code} (Service Quotas, service {quota.service_code})"
    try:
        value, source = quota_value(clients, quota)
    except AWS_ERRORS as err:
        default = f": {after} of AWS's default {quota.default}" if quota.default is not None else ""
        details = f"Service Quotas: {describe_error(err)}; {usage}{default}"
        return unchecked_row(target.name, _title(quota), details, "let the caller read Service Quotas")
    details = f"{usage}: {after} of {_number(value)} ({source})"
    if after > value:
        return Row(target.name, _title(quota), FAIL, f"does not fit: {details}", f"{increase} before `pulumi up`")
    if after == value:
        return Row(target.name, _title(quota), WARN, f"full after this stack: {details}", increase)
    return Row(target.name, _title(quota), OK, details)


class ServiceQuota(Protocol):
    """What Service Quotas knows a quota by."""

    @property
    def code(self) -> str: ...

    @property
    def service_code(self) -> str: ...


def quota_value(clients: AwsClients, quota: ServiceQuota) -> tuple[float, str]:
    """(value, where it came from): the account's own, or Service Quotas' AWS default where the account
    has none; raises the AWS error when neither could be read."""
    service_quotas = clients.client("service-quotas")
    request = {"ServiceCode": quota.service_code, "QuotaCode": quota.code}
    try:
        return service_quotas.get_service_quota(**request)["Quota"]["Value"], "Service Quotas"
    except ClientError as err:
        if err.response.get("Error", {}).get("Code") != "NoSuchResourceException":
            raise
    # No value applied to the account: the AWS default holds, which Service Quotas also knows.
    return service_quotas.get_aws_default_service_quota(**request)["Quota"]["Value"], "AWS default from Service Quotas"


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else str(value)
