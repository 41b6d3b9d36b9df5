"""The subnet plan of a new VPC: every subnet the network creates, keyed by (tier, AZ), as plain data.

Tiers: `public` and `private` in every AZ of the stack (CIDRs from network.subnetCidrs or derived
from the AZ letter, components/config/models.py), and `outpost`: subnets on an Outpost rack in the
Outpost's parent AZ, which a platform asks for (components/eks_outposts/). Each planned subnet says
which kind of route table it joins: the one public table, its AZ's private table, or a table of its
own for an Outpost subnet (local-gateway routes must not reach the regional subnets).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

Tier = Literal["public", "private", "outpost"]
TIERS: tuple[Tier, ...] = ("public", "private", "outpost")


@dataclass(frozen=True)
class OutpostSubnet:
    """A subnet a platform needs on an Outpost."""

    availability_zone: str
    """The Outpost's parent AZ."""
    cidr: str
    outpost_arn: str


@dataclass(frozen=True)
class PlannedSubnet:
    tier: Tier
    availability_zone: str
    cidr: str
    route_table: str
    """Key of the route table it is associated with: `public`, `private-<az>` or `outpost-<az>`."""
    outpost_arn: str | None = None

    @property
    def key(self) -> tuple[Tier, str]:
        return self.tier, self.availability_zone


def subnet_plan(
    availability_zones: Sequence[str],
    subnet_cidrs: Mapping[str, tuple[str, str]],
    outpost_subnets: Sequence[OutpostSubnet] = (),
) -> list[PlannedSubnet]:
    """Every subnet of the VPC, tier by tier, each tier in the AZs' given order."""
    planned = [PlannedSubnet("public", az, subnet_cidrs[az][0], "public") for az in availability_zones]
    planned += [PlannedSubnet("private", az, subnet_cidrs[az][1], f"private-{az}") for az in availability_zones]
    planned += [
        PlannedSubnet("outpost", s.availability_zone, s.cidr, f"outpost-{s.availability_zone}", s.outpost_arn)
        for s in outpost_subnets
    ]
    keys = [p.key for p in planned]
    repeated = sorted({k for k in keys if keys.count(k) > 1})
    if repeated:
        raise ValueError(f"subnet_plan: more than one subnet for {repeated}")
    return planned


def of_tier(plan: Sequence[PlannedSubnet], tier: Tier) -> list[PlannedSubnet]:
    return [p for p in plan if p.tier == tier]
