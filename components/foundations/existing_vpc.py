"""An existing VPC (network.existingVpc): the stack creates no network, only the tags its subnets need.

Each public and private subnet the config names gets, as one `aws.ec2.Tag` per key, the load
balancer role of its tier and `kubernetes.io/cluster/<name>=shared` for every cluster of
network.clusterNames (network_tags.py). Tags are named after the subnet's tier and AZ, so adding a
subnet adds its tags and leaves the others as they were. The VPC's ids become the `network` output,
the same group a new VPC gives, without NAT gateway addresses (the stack knows of none).
"""

from __future__ import annotations

from typing import Any

import pulumi

from components.config.models import ExistingVpcConfig
from components.foundations.network_tags import kubernetes_subnet_tags, tag_resource
from components.naming import Tier


def tag_existing_vpc(
    prefix: str,
    vpc: ExistingVpcConfig,
    availability_zones: tuple[str, ...],
    cluster_names: tuple[str, ...],
    parent: pulumi.Resource,
) -> dict[str, Any]:
    """Tag the VPC's subnets for the clusters; returns the `network` output group."""
    tiers: tuple[tuple[Tier, dict[str, str]], ...] = (
        ("public", vpc.public_subnet_ids),
        ("private", vpc.private_subnet_ids),
    )
    for tier, subnet_ids in tiers:
        for az, subnet_id in sorted(subnet_ids.items()):
            tag_resource(f"{prefix}-{tier}-{az}", subnet_id, kubernetes_subnet_tags(tier, cluster_names), parent)
    return {
        "vpcId": vpc.vpc_id,
        "availabilityZones": list(availability_zones),
        "publicSubnetIds": dict(sorted(vpc.public_subnet_ids.items())),
        "privateSubnetIds": dict(sorted(vpc.private_subnet_ids.items())),
        "natGatewayPublicIps": {},
    }
