"""Network: the VPC every platform stands on, in an account its provider is pinned to.

The stack program's network from the same `network` keys (or an existing VPC, tagged), for teams
that put their own resources or clusters in it: the pinned provider of the account and the VPC,
subnets per AZ, NAT gateways, routes and endpoints.
"""

import pulumi

from components.foundations.accounts import account_providers
from components.package.building import PACKAGE_NAME, children_of, validated_config
from components.package.sections import NetworkArgs
from components.stack import stack_network


class Network(pulumi.ComponentResource):
    """A VPC with public and private subnets per AZ, NAT gateways and VPC endpoints, as the stack's `network`."""

    TYPE_TOKEN = f"{PACKAGE_NAME}:index:Network"

    vpc_id: pulumi.Output[str]
    availability_zones: pulumi.Output[list[str]]
    """In the order of network.availabilityZones."""
    public_subnet_ids: pulumi.Output[dict[str, str]]
    """Keyed by AZ name."""
    private_subnet_ids: pulumi.Output[dict[str, str]]
    """Keyed by AZ name."""
    nat_gateway_public_ips: pulumi.Output[dict[str, str]]
    """Keyed by AZ name; empty with natGateways none or an existing VPC."""
    public_route_table_id: pulumi.Output[str] | None
    """The public subnets' route table; only when the stack creates the VPC."""
    private_route_table_ids: pulumi.Output[dict[str, str]] | None
    """Keyed by AZ name; only when the stack creates the VPC."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        config = validated_config(args, platform=None)
        with children_of(self):
            outputs = stack_network(config, account_providers(config)).outputs
        self.vpc_id = pulumi.Output.from_input(outputs["vpcId"])
        self.availability_zones = pulumi.Output.from_input(outputs["availabilityZones"])
        self.public_subnet_ids = pulumi.Output.from_input(outputs["publicSubnetIds"])
        self.private_subnet_ids = pulumi.Output.from_input(outputs["privateSubnetIds"])
        self.nat_gateway_public_ips = pulumi.Output.from_input(outputs["natGatewayPublicIps"])
        if "publicRouteTableId" in outputs:
            self.public_route_table_id = pulumi.Output.from_input(outputs["publicRouteTableId"])
            self.private_route_table_ids = pulumi.Output.from_input(outputs["privateRouteTableIds"])
        self.register_outputs(outputs)
