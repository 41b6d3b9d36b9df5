"""The plan summary's quota and monthly cost estimates (tools/estimate.py)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from tests.conftest import plan
from tools.estimate import monthly_cost, quota_usage, report
from tools.plan import summary


def costs(run) -> dict[str, tuple[int, Decimal]]:
    return {item.item: (item.quantity, item.monthly) for item in monthly_cost(run)}


def usage(run) -> dict[str, int]:
    return {quota.code: used for quota, used in quota_usage(run)}


def test_dev_costs_one_nat_gateway_and_its_public_ip(dev_raw):
    run = plan(dev_raw)
    assert costs(run) == {
        "NAT gateway": (1, Decimal("32.85")),
        "public IPv4 address": (1, Decimal("3.65")),
        "gateway endpoint": (1, Decimal("0")),
    }
    assert "estimated network cost: $36.50/month" in "\n".join(report(run))


def test_prod_costs_three_nat_gateways_their_ips_and_three_endpoints_in_three_azs(prod_raw):
    run = plan(prod_raw)
    assert costs(run) == {
        "NAT gateway": (3, Decimal("98.55")),
        "public IPv4 address": (3, Decimal("10.95")),
        "interface endpoint AZ": (9, Decimal("65.70")),
        "gateway endpoint": (1, Decimal("0")),
    }
    assert sum(monthly for _, monthly in costs(run).values()) == Decimal("175.20")
    assert "estimated network cost: $175.20/month" in "\n".join(report(run))


def test_quota_usage_counts_what_the_stack_creates(dev_raw, prod_raw):
    assert usage(plan(dev_raw)) == {"L-F678F1CE": 1, "L-0263D0A3": 1, "L-FE5A380F": 1, "L-A4707A72": 1}
    # onePerAz puts one NAT gateway in each AZ: the per-AZ quota sees one, the regional EIP quota three.
    assert usage(plan(prod_raw)) == {"L-F678F1CE": 1, "L-0263D0A3": 3, "L-FE5A380F": 1, "L-A4707A72": 1}


def test_a_stack_above_a_default_quota_gets_a_warning(dev_raw):
    azs = [f"us-west-2{letter}" for letter in "abcdef"]
    run = plan({**dev_raw, "network": {**dev_raw["network"], "availabilityZones": azs, "natGateways": "onePerAz"}})
    warnings = [line for line in report(run) if "WARNING" in line]
    assert len(warnings) == 1
    assert "6 EC2-VPC Elastic IPs" in warnings[0] and "L-0263D0A3" in warnings[0]


@pytest.mark.parametrize("stack_raw", ["dev_raw", "prod_raw"])
def test_stacks_within_the_defaults_get_no_warning(request, stack_raw):
    assert not [line for line in report(plan(request.getfixturevalue(stack_raw))) if "WARNING" in line]


def test_an_existing_vpc_costs_and_consumes_nothing(dev_raw):
    dev_raw["network"] = {
        "existingVpc": {
            "vpcId": "vpc-0123456789abcdef0",
            "privateSubnetIds": {"us-west-2a": "subnet-0123456789abcdef0"},
        }
    }
    run = plan(dev_raw)
    assert monthly_cost(run) == []
    assert set(usage(run).values()) == {0}
    assert "estimated network cost: $0.00/month" in "\n".join(report(run))


def test_the_plan_summary_ends_with_the_estimates(dev_raw):
    run = plan(dev_raw)
    lines = summary(run)
    assert lines[-len(report(run)) :] == report(run)
