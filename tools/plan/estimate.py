"""What a planned stack costs and consumes in AWS, worked out from the offline plan alone.

Two estimates for the plan summary, both pure functions of the resources a ProgramRun registered
(counted by type, so they follow whatever the components create):

- `quota_usage`: the AWS service quotas the stack's network draws on, against their default values
  (AWS's Amazon VPC quotas page). The default is all an offline plan can
  know; the account's existing resources (its default VPC, other stacks) count against it too.
- `monthly_cost`: the hourly charges of the network, at the list prices recorded in
  tools/plan/data/prices.json for the stack's region, with each item's source and the date they were read. A region
  without prices gets the quantities and says it is unpriced: prices differ between regions.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from tools.plan.mocks import Registration
from tools.plan.program import ProgramRun

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
EIP = "aws:ec2/eip:Eip"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ENDPOINT_SUBNET_ASSOCIATION = "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation"
LOAD_BALANCER = "aws:lb/loadBalancer:LoadBalancer"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
INSTANCE = "aws:ec2/instance:Instance"

HOURS_PER_MONTH = 730  # AWS's own monthly figure (365 × 24 / 12)


@dataclass(frozen=True)
class RegionPrices:
    """Hourly USD list prices of the priced items in one region, and where they come from."""

    hourly_usd: dict[str, Decimal]
    source: str
    recorded: str
    """When the prices were taken from the source (ISO date)."""


REPO_ROOT = Path(__file__).resolve().parents[2]
PRICES_FILE = REPO_ROOT / "tools" / "plan" / "data" / "prices.json"
"""The recorded prices: per region and item, with each item's source and the date they were read."""


def _load_prices(path: Path = PRICES_FILE) -> dict[str, RegionPrices]:
    recorded = json.loads(path.read_text())
    source = f"tools/plan/data/{path.name}"
    return {
        region: RegionPrices({item: Decimal(price) for item, price in items.items()}, source, recorded["recorded"])
        for region, items in recorded["regions"].items()
    }


PRICES: dict[str, RegionPrices] = _load_prices()


@dataclass(frozen=True)
class Quota:
    code: str
    """Service Quotas code, e.g. L-F678F1CE."""
    name: str
    default: int
    """AWS's default value for a new account."""
    usage: Callable[[ProgramRun], int]
    """How much of the quota the stack takes."""
    always: bool = True
    """Listed in every summary; otherwise only where the stack uses it."""


@dataclass(frozen=True)
class CostItem:
    item: str
    """A priced item, a key of RegionPrices.hourly_usd."""
    quantity: int
    monthly: Decimal | None
    """None in a region without prices."""


def _count(type_token: str) -> Callable[[ProgramRun], int]:
    return lambda run: len(run.of_type(type_token))


def nat_gateways_by_az(run: ProgramRun) -> Counter[str]:
    """NAT gateways per AZ name; a NAT's AZ is its subnet's."""
    subnet_azs = {s.id: str(s.inputs.get("availabilityZone", "")) for s in run.of_type(SUBNET)}
    return Counter(subnet_azs.get(str(nat.inputs.get("subnetId")), "") for nat in run.of_type(NAT_GATEWAY))


def nat_gateways_per_az(run: ProgramRun) -> int:
    """The most NAT gateways in one AZ (the quota is per AZ)."""
    return max(nat_gateways_by_az(run).values(), default=0)


def network_load_balancers(run: ProgramRun) -> int:
    return sum(1 for lb in run.of_type(LOAD_BALANCER) if lb.inputs.get("loadBalancerType") == "network")


def inbound_rules_per_group(run: ProgramRun) -> int:
    """The most inbound rules of one security group (the quota is per group)."""
    rules = Counter(rule.inputs.get("securityGroupId") for rule in run.of_type(INGRESS_RULE))
    return max(rules.values(), default=0)


def groups_per_instance(run: ProgramRun) -> int:
    return max((len(i.inputs.get("vpcSecurityGroupIds") or []) for i in run.of_type(INSTANCE)), default=0)


QUOTAS = (
    Quota("L-F678F1CE", "VPCs per Region", 5, _count(VPC)),
    Quota("L-0263D0A3", "EC2-VPC Elastic IPs", 5, _count(EIP)),
    Quota("L-FE5A380F", "NAT gateways per AZ", 5, nat_gateways_per_az),
    Quota("L-A4707A72", "Internet gateways per Region", 5, _count(INTERNET_GATEWAY)),
    Quota("L-69A177A2", "Network Load Balancers per Region", 50, network_load_balancers, always=False),
    Quota("L-0EA8095F", "Inbound rules per security group", 60, inbound_rules_per_group, always=False),
    Quota("L-2AFB9258", "Security groups per network interface", 5, groups_per_instance, always=False),
)


def quota_usage(run: ProgramRun) -> list[tuple[Quota, int]]:
    usage = [(quota, quota.usage(run)) for quota in QUOTAS]
    return [(quota, used) for quota, used in usage if quota.always or used]


def interface_endpoint_azs(run: ProgramRun) -> int:
    """Endpoint-AZ pairs: one per subnet an interface endpoint has, inline or by association."""
    inline = sum(
        len(e.inputs.get("subnetIds") or []) for e in run.of_type(VPC_ENDPOINT) if _endpoint_type(e) == "Interface"
    )
    return inline + len(run.of_type(ENDPOINT_SUBNET_ASSOCIATION))


def _endpoint_type(endpoint: Registration) -> str:
    return endpoint.inputs.get("vpcEndpointType") or "Gateway"  # AWS's default type


def public_load_balancer_addresses(run: ProgramRun) -> int:
    """An internet-facing load balancer has one public IPv4 address in each of its subnets."""
    return sum(
        len(lb.inputs.get("subnets") or []) for lb in run.of_type(LOAD_BALANCER) if not lb.inputs.get("internal")
    )


def public_instances(run: ProgramRun) -> int:
    return sum(1 for i in run.of_type(INSTANCE) if i.inputs.get("associatePublicIpAddress"))


def monthly_cost(run: ProgramRun) -> list[CostItem]:
    """The stack's hourly network charges over a month, one item per priced kind of resource."""
    prices = PRICES.get(run.config.region)
    endpoints = run.of_type(VPC_ENDPOINT)
    quantities = {
        "NAT gateway": len(run.of_type(NAT_GATEWAY)),
        "public IPv4 address": len(run.of_type(EIP)) + public_load_balancer_addresses(run) + public_instances(run),
        "interface endpoint AZ": interface_endpoint_azs(run),
        "gateway endpoint": sum(1 for e in endpoints if _endpoint_type(e) == "Gateway"),
        "Network Load Balancer": network_load_balancers(run),
    }
    return [
        CostItem(item, quantity, quantity * prices.hourly_usd[item] * HOURS_PER_MONTH if prices else None)
        for item, quantity in quantities.items()
        if quantity
    ]


def report(run: ProgramRun) -> list[str]:
    """Summary lines: quota usage (with a WARNING line above a default) and the monthly cost."""
    lines = ["quotas used (AWS defaults; the account's existing resources count too):"]
    for quota, used in quota_usage(run):
        lines.append(f"  {used:4d} of {quota.default}  {quota.name} ({quota.code})")
        if used > quota.default:
            lines.append(
                f"  WARNING: {used} {quota.name} exceed the default quota of {quota.default}; "
                f"request more in Service Quotas ({quota.code}) before `pulumi up`"
            )
    return lines + cost_report(run) + machines_report(run)


def machines_report(run: ProgramRun) -> list[str]:
    """The EC2 instances the stack creates, by type: counted, not priced (no offline price list)."""
    types = Counter(str(i.inputs.get("instanceType")) for i in run.of_type(INSTANCE))
    if not types:
        return []
    head = (
        "machines the stack creates, not priced (instance prices vary by region, OS and purchase option; "
        "no offline price list: AWS's EC2 On-Demand pricing or the Price List API):"
    )
    return [head, *[f"  {count:4d} × {name}" for name, count in sorted(types.items())]]


def cost_report(run: ProgramRun) -> list[str]:
    """The monthly cost line and its items; in a region without prices, the items unpriced."""
    items, region = monthly_cost(run), run.config.region
    prices = PRICES.get(region)
    if prices is None:
        unpriced = (
            f"estimated network cost: unknown: no price for {region} (tools/plan/data/prices.json prices "
            f"{', '.join(sorted(PRICES))} only); what the stack pays for by the hour:"
        )
        return [unpriced, *[f"  {i.quantity:4d} × {i.item:<22} no price" for i in items]]
    total = sum((i.monthly for i in items if i.monthly is not None), Decimal(0))
    priced = (
        f"estimated network cost: ${total:.2f}/month ({HOURS_PER_MONTH} h at {region} list prices recorded "
        f"{prices.recorded} from {prices.source}; data processing and traffic not included)"
    )
    return [priced, *[f"  {i.quantity:4d} × {i.item:<22} ${i.monthly:.2f}" for i in items]]
