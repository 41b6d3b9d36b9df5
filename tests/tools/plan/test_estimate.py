"""The plan summary's quota and monthly cost estimates (tools/plan/estimate.py)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.conftest import plan
from tools.plan.command import summary
from tools.plan.estimate import PRICES, monthly_cost, quota_usage, report


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
    # The interface endpoints' security group has one inbound rule (HTTPS from the VPC) of its 60.
    assert usage(plan(prod_raw)) == {
        "L-F678F1CE": 1,
        "L-0263D0A3": 3,
        "L-FE5A380F": 1,
        "L-A4707A72": 1,
        "L-0EA8095F": 1,
    }


def test_a_stack_above_a_default_quota_gets_a_warning(dev_raw):
    azs = [f"us-east-1{letter}" for letter in "abcdef"]  # us-east-1 has six AZs
    network = {"cidr": dev_raw["network"]["cidr"], "availabilityZones": azs, "natGateways": "onePerAz"}
    run = plan({**dev_raw, "network": network}, region="us-east-1")
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


def in_region(raw: dict, region: str) -> dict:
    """The prod stack's network (3 AZs, a NAT gateway each, 3 interface endpoints) in another region."""
    azs = [f"{region}a", f"{region}b", f"{region}c"]
    network = {"cidr": raw["network"]["cidr"], "availabilityZones": azs, "natGateways": "onePerAz"}
    return {**raw, "network": {**network, "vpcEndpoints": raw["network"]["vpcEndpoints"]}}


@pytest.mark.parametrize("region", ["eu-west-1", "ap-southeast-2"])
def test_a_region_without_prices_gets_quantities_and_says_it_has_no_price(prod_raw, region):
    run = plan(in_region(prod_raw, region), region=region)
    lines = report(run)
    cost = next(i for i, line in enumerate(lines) if line.startswith("estimated network cost"))
    assert lines[cost].startswith(f"estimated network cost: unknown: no price for {region} ")
    assert "(tools/plan/data/prices.json prices us-east-1, us-west-2 only)" in lines[cost]
    items = lines[cost + 1 :]
    assert items == [
        "     3 × NAT gateway            no price",
        "     3 × public IPv4 address    no price",
        "     9 × interface endpoint AZ  no price",
        "     1 × gateway endpoint       no price",
    ]
    assert "$" not in "\n".join(lines)
    assert all(item.monthly is None for item in monthly_cost(run))


def test_a_priced_region_names_its_prices_source_and_date(prod_raw):
    east = report(plan(in_region(prod_raw, "us-east-1"), region="us-east-1"))
    cost = next(line for line in east if line.startswith("estimated network cost"))
    assert cost.startswith("estimated network cost: $175.20/month (730 h at us-east-1 list prices recorded 2026-11-21")
    assert "from tools/plan/data/prices.json" in cost


def test_the_prices_source_is_in_the_repository_with_a_source_for_every_item():
    import json

    from tools.plan.estimate import PRICES_FILE, REPO_ROOT

    recorded = json.loads(PRICES_FILE.read_text())
    assert PRICES_FILE.is_relative_to(REPO_ROOT)
    for region, items in recorded["regions"].items():
        assert set(items) <= set(recorded["sources"]), region
    assert all(source.startswith("https://aws.amazon.com/") for source in recorded["sources"].values())


def test_the_machines_the_stack_creates_are_counted_and_said_to_be_unpriced():
    from tests.conftest import planned

    lines = report(planned("openshift"))
    head = next(i for i, line in enumerate(lines) if line.startswith("machines the stack creates, not priced"))
    assert lines[head + 1 :] == ["     3 × m6i.large", "     4 × m6i.xlarge"]


def test_every_priced_region_prices_every_item_and_says_when_and_where_from():
    items = {"NAT gateway", "public IPv4 address", "interface endpoint AZ", "gateway endpoint", "Network Load Balancer"}
    for region, prices in PRICES.items():
        assert set(prices.hourly_usd) == items, region
        assert prices.source and date.fromisoformat(prices.recorded) <= date.today()


def test_every_priced_region_is_one_the_program_accepts_and_the_others_are_said_to_be_unpriced():
    import json

    from components.config.validators import region_problem
    from tools.plan.estimate import PRICES_FILE

    recorded = json.loads(PRICES_FILE.read_text())
    assert [region for region in recorded["regions"] if region_problem(region)] == []
    assert "no price for <region>" in recorded["otherRegions"] and "2026-12-06" in recorded["otherRegions"]
