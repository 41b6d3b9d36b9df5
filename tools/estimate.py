"""What a planned stack costs and consumes in AWS, worked out from the offline plan alone.

Two estimates for the plan summary, both pure functions of the resources a ProgramRun registered
(counted by type, so they follow whatever the components create):

- `quota_usage`: the AWS service quotas the stack's network draws on, against their default values
  (reference/network.md, "Related AWS service quotas"). The default is all an offline plan can
  know; the account's existing resources (its default VPC, other stacks) count against it too.
- `monthly_cost`: the hourly charges of the network, at the list prices of `PRICES_USD_PER_HOUR`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from tools.mocks import Registration
from tools.program import ProgramRun

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
EIP = "aws:ec2/eip:Eip"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
VPC_ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ENDPOINT_SUBNET_ASSOCIATION = "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation"

HOURS_PER_MONTH = 730  # AWS's own monthly figure (365 × 24 / 12)

# Hourly USD list prices in us-east-1 and us-west-2, which charge the same for these items.
# Only the hourly part: data processing ($0.045/GB through a NAT gateway, $0.01/GB through an
# interface endpoint) and traffic are left out, as they depend on use. Source: reference/network.md
# §5, which quotes third-party copies of AWS's client-rendered pricing pages; recheck them against
# the AWS Pricing API before quoting an estimate.
PRICES_USD_PER_HOUR: dict[str, Decimal] = {
    # NAT gateway hour: https://aws.amazon.com/vpc/pricing/
    "NAT gateway": Decimal("0.045"),
    # Public IPv4 address hour, in use or idle, Elastic IPs included, since 2024-02-01:
    # https://aws.amazon.com/blogs/networking-and-content-delivery/identify-and-optimize-public-ipv4-address-usage-on-aws/
    "public IPv4 address": Decimal("0.005"),
    # Interface endpoint, per endpoint and AZ hour: https://aws.amazon.com/privatelink/pricing/
    "interface endpoint AZ": Decimal("0.01"),
    # Gateway endpoints (S3, DynamoDB) have no hourly or per-GB charge: VPC and PrivateLink pricing.
    "gateway endpoint": Decimal("0"),
}


@dataclass(frozen=True)
class Quota:
    code: str
    """Service Quotas code, e.g. L-F678F1CE."""
    name: str
    default: int
    """AWS's default value for a new account."""
    usage: Callable[[ProgramRun], int]
    """How much of the quota the stack takes."""


@dataclass(frozen=True)
class CostItem:
    item: str
    """A key of PRICES_USD_PER_HOUR."""
    quantity: int
    monthly: Decimal


def _count(type_token: str) -> Callable[[ProgramRun], int]:
    return lambda run: len(run.of_type(type_token))


def nat_gateways_per_az(run: ProgramRun) -> int:
    """The most NAT gateways in one AZ (the quota is per AZ); a NAT's AZ is its subnet's."""
    subnet_azs = {s.id: s.inputs.get("availabilityZone") for s in run.of_type(SUBNET)}
    per_az = Counter(subnet_azs.get(nat.inputs.get("subnetId")) for nat in run.of_type(NAT_GATEWAY))
    return max(per_az.values(), default=0)


QUOTAS = (
    Quota("L-F678F1CE", "VPCs per Region", 5, _count(VPC)),
    Quota("L-0263D0A3", "EC2-VPC Elastic IPs", 5, _count(EIP)),
    Quota("L-FE5A380F", "NAT gateways per AZ", 5, nat_gateways_per_az),
    Quota("L-A4707A72", "Internet gateways per Region", 5, _count(INTERNET_GATEWAY)),
)


def quota_usage(run: ProgramRun) -> list[tuple[Quota, int]]:
    return [(quota, quota.usage(run)) for quota in QUOTAS]


def interface_endpoint_azs(run: ProgramRun) -> int:
    """Endpoint-AZ pairs: one per subnet an interface endpoint has, inline or by association."""
    inline = sum(
        len(e.inputs.get("subnetIds") or []) for e in run.of_type(VPC_ENDPOINT) if _endpoint_type(e) == "Interface"
    )
    return inline + len(run.of_type(ENDPOINT_SUBNET_ASSOCIATION))


def _endpoint_type(endpoint: Registration) -> str:
    return endpoint.inputs.get("vpcEndpointType") or "Gateway"  # AWS's default type


def monthly_cost(run: ProgramRun) -> list[CostItem]:
    """The stack's hourly network charges over a month, one item per priced kind of resource."""
    endpoints = run.of_type(VPC_ENDPOINT)
    quantities = {
        "NAT gateway": len(run.of_type(NAT_GATEWAY)),
        "public IPv4 address": len(run.of_type(EIP)),
        "interface endpoint AZ": interface_endpoint_azs(run),
        "gateway endpoint": sum(1 for e in endpoints if _endpoint_type(e) == "Gateway"),
    }
    return [
        CostItem(item, quantity, quantity * PRICES_USD_PER_HOUR[item] * HOURS_PER_MONTH)
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
    items = monthly_cost(run)
    total = sum((i.monthly for i in items), Decimal(0))
    lines.append(
        f"estimated network cost: ${total:.2f}/month ({HOURS_PER_MONTH} h at us-east-1/us-west-2 list prices; "
        "data processing and traffic not included)"
    )
    lines += [f"  {i.quantity:4d} × {i.item:<22} ${i.monthly:.2f}" for i in items]
    return lines
