"""Network: the VPC TKG and CAPA clusters are placed in, or the tags an existing VPC needs.

A new network is one VPC (DNS support and hostnames on) with, in every availability zone, one
public and one private subnet; an internet gateway and one public route table; NAT gateways (none,
a single one, or one per AZ), each with an Elastic IP; one private route table per AZ whose default
route leaves through its AZ's NAT gateway (or the single one); the VPC's default security group,
adopted and emptied; an S3 gateway endpoint on every route table; and interface endpoints in the
private subnets behind a security group that admits HTTPS from the VPC only.

It is built in steps (`new_network`), each a function that takes what earlier steps made and returns
what it makes: the VPC, the subnets keyed by (tier, AZ), the NAT gateways, the route tables keyed as
the subnet plan keys them; `NewNetwork` holds them and names the `network` output. An existing VPC
(existing_vpc.py) gets only the tags its subnets need, and the same output group.

Subnets and route tables carry the tags CAPA and the Kubernetes AWS cloud provider read
(network_tags.py): the load balancer role and CAPA's subnet role, `kubernetes.io/cluster/<name>=shared`
for each cluster; those under CAPA's prefixes are separate `aws.ec2.Tag` resources, because the
management provider ignores the prefixes for CAPA's sake.

Every per-AZ resource is named after its AZ, never after a list position, and its inputs depend on
its own AZ only: adding an AZ or reordering the list creates the new AZ's resources and leaves every
existing one as it was. The single NAT gateway sits in `nat_gateway_az` (network.natGatewayAz), so
adding an AZ that sorts first does not move it. The VPC, subnets, NAT gateways, their Elastic IPs
and the route tables are protected (network.protect): running clusters' interfaces and egress
depend on them, and the engine refuses a run that would delete or replace them.

Subnets follow the subnet plan (subnet_plan.py). A platform may add Outpost subnets (EKS local
clusters): each sits on its Outpost in the Outpost's parent AZ with a route table of its own (the
parent AZ's NAT gateway, the S3 gateway endpoint, and routes to the Outpost's local gateway when
asked for, with the VPC associated to the local gateway's route table). Interface endpoints are one
set for every platform, in the regional private subnets (the parent AZ's included); their security
group admits HTTPS from the whole VPC, Outpost subnets included.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pulumi
import pulumi_aws as aws

from components.config.models import ExistingVpcConfig
from components.foundations.existing_vpc import tag_existing_vpc
from components.foundations.network_tags import kubernetes_route_table_tags, kubernetes_subnet_tags, tag_resource
from components.foundations.subnet_plan import OutpostSubnet, PlannedSubnet, subnet_plan
from components.foundations.subnet_plan import Tier as SubnetTier  # public, private or outpost
from components.naming import CAPA_ROLE_TAG, name_tag

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig

NatMode = Literal["none", "single", "onePerAz"]

ANYWHERE = "0.0.0.0/0"
HTTPS = 443


@dataclass(frozen=True)
class LocalGatewayRoutes:
    """On-premises networks reached from the Outpost subnets through the Outpost's local gateway."""

    local_gateway_id: str
    route_table_id: str
    """The local gateway route table the VPC is associated with."""
    destination_cidrs: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class NetworkArgs:
    environment: str
    """Prefix of every Name tag, e.g. dev gives dev-public-us-west-2a."""
    region: str
    """Region of the VPC; names the endpoint services (com.amazonaws.<region>.<service>)."""
    cidr: str
    """CIDR block of the VPC. Default: 10.0.0.0/16 (components/config/models.py)."""
    availability_zones: tuple[str, ...]
    """AZ names in the user's order; only outputs keep this order."""
    subnet_cidrs: Mapping[str, tuple[str, str]]
    """(public, private) CIDR of every AZ."""
    nat_gateways: NatMode = "single"
    """none | single | onePerAz. Default: single."""
    nat_gateway_az: str | None = None
    """AZ of the single NAT gateway. Default: the alphabetically first AZ."""
    map_public_ip_on_launch: bool = False
    """Public subnets give instances public IPs. Default: false."""
    cluster_names: tuple[str, ...] = ()
    """Clusters sharing the subnets (kubernetes.io/cluster/<name>=shared). Default: none."""
    s3_gateway_endpoint: bool = True
    """S3 gateway endpoint on every route table. Default: true."""
    interface_endpoints: tuple[str, ...] = ()
    """Interface endpoint services by short name, e.g. ec2, sts. Default: none."""
    existing_vpc: ExistingVpcConfig | None = None
    """Tag this VPC's subnets and create no network. Default: none."""
    protect: bool = True
    """Protect the VPC, subnets, NAT gateways, Elastic IPs and route tables. Default: true."""
    outpost_subnets: tuple[OutpostSubnet, ...] = ()
    """Subnets on an Outpost, each in its parent AZ (one of the AZs). Default: none."""
    local_gateway: LocalGatewayRoutes | None = None
    """Routes from the Outpost subnets to the Outpost's local gateway. Default: none."""

    def __post_init__(self) -> None:
        missing = [az for az in self.availability_zones if az not in self.subnet_cidrs]
        if self.existing_vpc is None and missing:
            raise ValueError(f"NetworkArgs: no subnet CIDRs for {missing}")
        if self.nat_gateway_az is not None and self.nat_gateway_az not in self.availability_zones:
            raise ValueError(f"NetworkArgs: nat_gateway_az {self.nat_gateway_az} is not one of the AZs")
        stray = [
            s.availability_zone for s in self.outpost_subnets if s.availability_zone not in self.availability_zones
        ]
        if stray:
            raise ValueError(f"NetworkArgs: Outpost subnets in {stray}, which are not among the AZs")

    @property
    def subnet_plan(self) -> list[PlannedSubnet]:
        return subnet_plan(self.availability_zones, self.subnet_cidrs, self.outpost_subnets)

    @classmethod
    def from_config(cls, config: StackConfig) -> NetworkArgs:
        network, azs = config.network, tuple(config.availability_zones)
        return cls(
            environment=config.environment,
            region=config.region,
            cidr=str(network.cidr),
            availability_zones=azs,
            subnet_cidrs={az: network.subnet_cidrs_for(az) for az in azs} if network.existing_vpc is None else {},
            nat_gateways=network.nat_gateways,
            nat_gateway_az=network.nat_gateway_az,
            map_public_ip_on_launch=network.map_public_ip_on_launch,
            cluster_names=tuple(network.cluster_names),
            s3_gateway_endpoint=network.vpc_endpoints.s3,
            interface_endpoints=tuple(network.vpc_endpoints.interface),
            existing_vpc=network.existing_vpc,
            protect=network.protect,
        )

    @property
    def nat_azs(self) -> list[str]:
        """AZs that get a NAT gateway; `single` without a pinned AZ takes the alphabetically first,
        so reordering the list never moves it (adding an AZ that sorts first does)."""
        azs = sorted(self.availability_zones)
        single = [self.nat_gateway_az] if self.nat_gateway_az else azs[:1]
        return {"none": [], "single": single, "onePerAz": azs}[self.nat_gateways]

    @property
    def nat_gateway_moves_with_new_azs(self) -> bool:
        """A single NAT gateway whose AZ is not pinned: an AZ that sorts first would move it."""
        return self.existing_vpc is None and self.nat_gateways == "single" and self.nat_gateway_az is None

    def nat_az_for(self, az: str) -> str | None:
        """The AZ whose NAT gateway carries the private subnet of `az` to the internet."""
        if self.nat_gateways == "none":
            return None
        return az if self.nat_gateways == "onePerAz" else self.nat_azs[0]

    def service_name(self, service: str) -> str:
        return f"com.amazonaws.{self.region}.{service}"


def unpinned_nat_gateway_note(args: NetworkArgs) -> str | None:
    """What the plan summary says about a single NAT gateway whose AZ the config does not pin."""
    if not args.nat_gateway_moves_with_new_azs:
        return None
    az = args.nat_azs[0]
    return (
        f"note: network.natGatewayAz is not set, so the single NAT gateway sits in {az}, the first AZ "
        "alphabetically; adding an AZ that sorts before it would move the gateway and change the stack's "
        f"egress IP. Pin it with network.natGatewayAz: {az}"
    )


class Network(pulumi.ComponentResource):
    """The VPC of the TKG clusters (or the tags of an existing one) and the `network` output group."""

    TYPE_TOKEN = "tkg-aws:network:Network"

    outputs: dict[str, Any]
    """vpcId, availabilityZones, publicSubnetIds / privateSubnetIds / natGatewayPublicIps by AZ."""

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        if args.existing_vpc is not None:
            self.outputs = tag_existing_vpc(
                name, args.existing_vpc, args.availability_zones, args.cluster_names, parent=self
            )
        else:
            self.outputs = new_network(Scope(self, name, args)).outputs(args.availability_zones)
        self.register_outputs(self.outputs)


# --- what the steps share and hand each other ----------------------------------------------------------
@dataclass(frozen=True)
class Scope:
    """Where every step registers: under the component, named `<prefix>-...`, tagged per environment."""

    parent: pulumi.Resource
    prefix: str
    args: NetworkArgs

    def name(self, *parts: str) -> str:
        return "-".join((self.prefix, *parts))

    def name_tag(self, *parts: str) -> dict[str, str]:
        return name_tag(self.args.environment, *parts)

    def opts(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self.parent, **kwargs)

    def protected(self, **kwargs: Any) -> pulumi.ResourceOptions:
        """Options of what running clusters stand on: their interfaces sit in it, their egress leaves by it."""
        return self.opts(protect=self.args.protect, **kwargs)


@dataclass(frozen=True)
class Subnets:
    """The VPC's subnets keyed by (tier, AZ), as the subnet plan keys them."""

    by_key: Mapping[tuple[SubnetTier, str], aws.ec2.Subnet]

    def of_tier(self, tier: SubnetTier) -> dict[str, aws.ec2.Subnet]:
        """One tier's subnets by AZ, in AZ order."""
        return {az: subnet for (t, az), subnet in sorted(self.by_key.items()) if t == tier}


@dataclass(frozen=True)
class NatGateways:
    """The NAT gateways and their Elastic IPs by AZ, and the gateway each AZ's private traffic leaves by."""

    gateways: Mapping[str, aws.ec2.NatGateway]
    addresses: Mapping[str, aws.ec2.Eip]
    egress_az: Mapping[str, str | None]
    """AZ -> the AZ whose gateway carries its private subnets to the internet; None without NAT."""

    def serving(self, az: str) -> aws.ec2.NatGateway | None:
        nat_az = self.egress_az[az]
        return None if nat_az is None else self.gateways[nat_az]


@dataclass(frozen=True)
class NewNetwork:
    """A new VPC: what the `network` output names, and the route tables by the subnet plan's keys."""

    vpc: aws.ec2.Vpc
    subnets: Subnets
    nat: NatGateways
    route_tables: Mapping[str, aws.ec2.RouteTable]
    """`public`, `private-<az>`, `outpost-<az>` (PlannedSubnet.route_table)."""

    def outputs(self, availability_zones: tuple[str, ...]) -> dict[str, Any]:
        outputs = {
            "vpcId": self.vpc.id,
            "availabilityZones": list(availability_zones),
            "publicSubnetIds": {az: s.id for az, s in self.subnets.of_tier("public").items()},
            "privateSubnetIds": {az: s.id for az, s in self.subnets.of_tier("private").items()},
            "natGatewayPublicIps": {az: eip.public_ip for az, eip in sorted(self.nat.addresses.items())},
            # What 01_vpc.yaml outputs, for routes users add (peering, transit gateway, on-premises).
            "publicRouteTableId": self.route_tables["public"].id,
            "privateRouteTableIds": {
                key.removeprefix("private-"): table.id
                for key, table in sorted(self.route_tables.items())
                if key.startswith("private-")
            },
        }
        outposts = self.subnets.of_tier("outpost")
        if outposts:
            outputs["outpostSubnetIds"] = {az: s.id for az, s in outposts.items()}
        return outputs


# --- a new VPC, step by step ---------------------------------------------------------------------------
def new_network(at: Scope) -> NewNetwork:
    """Every resource of a new VPC; each step takes what earlier steps made and returns what it makes."""
    args, plan = at.args, at.args.subnet_plan
    vpc = new_vpc(at)
    empty_default_security_group(at, vpc.id)
    subnets = new_subnets(at, vpc.id, plan)
    internet_gateway = new_internet_gateway(at, vpc.id)
    nat = nat_gateways(at, subnets.of_tier("public"), internet_gateway)
    tables = route_tables(at, vpc.id, plan, internet_gateway, nat)
    associate_route_tables(at, plan, subnets, tables)
    if args.local_gateway is not None and subnets.of_tier("outpost"):
        associate_local_gateway(at, vpc.id, args.local_gateway)
    s3_gateway = s3_gateway_endpoint(at, vpc.id, tables) if args.s3_gateway_endpoint else None
    if args.interface_endpoints:
        interface_endpoints(at, vpc.id, subnets.of_tier("private"), s3_gateway)
    return NewNetwork(vpc, subnets, nat, tables)


def new_vpc(at: Scope) -> aws.ec2.Vpc:
    return aws.ec2.Vpc(
        at.name("vpc"),
        cidr_block=at.args.cidr,
        enable_dns_support=True,
        # CAPA nodes and private-DNS endpoints need DNS names (EKS on Outposts fails without).
        enable_dns_hostnames=True,
        tags=at.name_tag("vpc"),
        opts=at.protected(),
    )


def empty_default_security_group(at: Scope, vpc_id: pulumi.Output[str]) -> None:
    # Adopted with no rules, the default group loses AWS's "all from members, all out" rules:
    # whatever lands in it for want of a group (an ENI, an endpoint) can neither talk nor listen.
    aws.ec2.DefaultSecurityGroup(
        at.name("default"), vpc_id=vpc_id, ingress=[], egress=[], tags=at.name_tag("default"), opts=at.opts()
    )


def new_subnets(at: Scope, vpc_id: pulumi.Output[str], plan: list[PlannedSubnet]) -> Subnets:
    """Every planned subnet, named after its tier and AZ; the regional ones tagged for the clusters."""
    subnets: dict[tuple[SubnetTier, str], aws.ec2.Subnet] = {}
    for planned in plan:
        tier, az = planned.key
        subnets[planned.key] = subnet = aws.ec2.Subnet(
            at.name(tier, az),
            vpc_id=vpc_id,
            availability_zone=az,
            # An Outpost subnet sits on the rack the ARN names, in the Outpost's parent AZ.
            outpost_arn=planned.outpost_arn,
            cidr_block=planned.cidr,
            map_public_ip_on_launch=at.args.map_public_ip_on_launch if tier == "public" else False,
            tags=at.name_tag(tier, az) if tier == "outpost" else {**at.name_tag(tier, az), CAPA_ROLE_TAG: tier},
            # A changed CIDR stays in the AZ's slot and so overlaps the old subnet, which AWS
            # refuses while the old one exists: the old subnet has to go first.
            opts=at.protected(delete_before_replace=True),
        )
        if tier != "outpost":
            tag_resource(at.name(tier, az), subnet.id, kubernetes_subnet_tags(tier, at.args.cluster_names), at.parent)
    return Subnets(subnets)


def new_internet_gateway(at: Scope, vpc_id: pulumi.Output[str]) -> aws.ec2.InternetGateway:
    # Attached inline (vpc_id): one per VPC, replaced only with the VPC.
    return aws.ec2.InternetGateway(at.name("igw"), vpc_id=vpc_id, tags=at.name_tag("igw"), opts=at.opts())


def nat_gateways(
    at: Scope, public_subnets: Mapping[str, aws.ec2.Subnet], internet_gateway: aws.ec2.InternetGateway
) -> NatGateways:
    """A NAT gateway with its Elastic IP in every AZ of `network.natGateways`' choice."""
    addresses: dict[str, aws.ec2.Eip] = {}
    gateways: dict[str, aws.ec2.NatGateway] = {}
    for az in at.args.nat_azs:
        # The Elastic IP is the stack's egress address that partners allowlist.
        addresses[az] = aws.ec2.Eip(at.name("nat", az), domain="vpc", tags=at.name_tag("nat", az), opts=at.protected())
        gateways[az] = aws.ec2.NatGateway(
            at.name("nat", az),
            allocation_id=addresses[az].allocation_id,
            subnet_id=public_subnets[az].id,
            tags=at.name_tag("nat", az),
            # A NAT gateway only reaches the internet once the VPC has its internet gateway.
            opts=at.protected(depends_on=[internet_gateway]),
        )
    egress_az = {az: at.args.nat_az_for(az) for az in at.args.availability_zones}
    return NatGateways(gateways, addresses, egress_az)


def route_tables(
    at: Scope,
    vpc_id: pulumi.Output[str],
    plan: list[PlannedSubnet],
    internet_gateway: aws.ec2.InternetGateway,
    nat: NatGateways,
) -> dict[str, aws.ec2.RouteTable]:
    """The route tables the planned subnets join, by the plan's keys, each with its routes."""
    tables = {"public": public_route_table(at, vpc_id, internet_gateway)}
    for planned in plan:
        if planned.tier == "private":
            tables[planned.route_table] = private_route_table(at, vpc_id, planned.availability_zone, nat)
        elif planned.tier == "outpost":
            tables[planned.route_table] = outpost_route_table(at, vpc_id, planned.availability_zone, nat)
    return tables


def public_route_table(
    at: Scope, vpc_id: pulumi.Output[str], internet_gateway: aws.ec2.InternetGateway
) -> aws.ec2.RouteTable:
    """One table for every public subnet, its default route to the internet gateway."""
    table = aws.ec2.RouteTable(at.name("public"), vpc_id=vpc_id, tags=at.name_tag("public"), opts=at.protected())
    tag_resource(
        at.name("public", "route-table"), table.id, kubernetes_route_table_tags(at.args.cluster_names), at.parent
    )
    aws.ec2.Route(
        at.name("public", "default"),
        route_table_id=table.id,
        destination_cidr_block=ANYWHERE,
        gateway_id=internet_gateway.id,
        opts=at.opts(),
    )
    return table


def private_route_table(at: Scope, vpc_id: pulumi.Output[str], az: str, nat: NatGateways) -> aws.ec2.RouteTable:
    """The table of one AZ's private subnet: its default route leaves by the NAT gateway serving the AZ."""
    table = aws.ec2.RouteTable(
        at.name("private", az), vpc_id=vpc_id, tags=at.name_tag("private", az), opts=at.protected()
    )
    cluster_tags = kubernetes_route_table_tags(at.args.cluster_names)
    tag_resource(at.name("private", az, "route-table"), table.id, cluster_tags, at.parent)
    default_route(at, at.name("private", az, "default"), table, nat.serving(az))
    return table


def outpost_route_table(at: Scope, vpc_id: pulumi.Output[str], az: str, nat: NatGateways) -> aws.ec2.RouteTable:
    """A table of its own for an Outpost subnet: regional egress by the parent AZ's NAT gateway, and
    the on-premises networks by the local gateway, which the regional subnets must not get."""
    table = aws.ec2.RouteTable(
        at.name("outpost", az), vpc_id=vpc_id, tags=at.name_tag("outpost", az), opts=at.protected()
    )
    default_route(at, at.name("outpost", az, "default"), table, nat.serving(az))
    gateway = at.args.local_gateway
    if gateway is not None:
        for cidr in gateway.destination_cidrs:
            aws.ec2.Route(
                at.name("outpost", az, "local-gateway", cidr),
                route_table_id=table.id,
                destination_cidr_block=cidr,
                local_gateway_id=gateway.local_gateway_id,
                opts=at.opts(),
            )
    return table


def default_route(at: Scope, name: str, table: aws.ec2.RouteTable, nat: aws.ec2.NatGateway | None) -> None:
    """The route to the internet through `nat`; none without a NAT gateway."""
    if nat is not None:
        aws.ec2.Route(
            name, route_table_id=table.id, destination_cidr_block=ANYWHERE, nat_gateway_id=nat.id, opts=at.opts()
        )


def associate_route_tables(
    at: Scope, plan: list[PlannedSubnet], subnets: Subnets, tables: Mapping[str, aws.ec2.RouteTable]
) -> None:
    """Every planned subnet joins the table its plan names."""
    for planned in plan:
        # A subnet takes one explicit association; a replacement that keeps the subnet (a provider
        # change, `pulumi up --replace`) would ask AWS for a second one, so the old one goes first.
        aws.ec2.RouteTableAssociation(
            at.name(*planned.key),
            subnet_id=subnets.by_key[planned.key].id,
            route_table_id=tables[planned.route_table].id,
            opts=at.opts(delete_before_replace=True),
        )


def associate_local_gateway(at: Scope, vpc_id: pulumi.Output[str], gateway: LocalGatewayRoutes) -> None:
    """The VPC joins the local gateway's route table, so on-premises traffic finds its way back."""
    aws.ec2.LocalGatewayRouteTableVpcAssociation(
        at.name("local-gateway"),
        local_gateway_route_table_id=gateway.route_table_id,
        vpc_id=vpc_id,
        tags=at.name_tag("local-gateway"),
        opts=at.opts(),
    )


# --- VPC endpoints -----------------------------------------------------------------------------------
def s3_gateway_endpoint(
    at: Scope, vpc_id: pulumi.Output[str], tables: Mapping[str, aws.ec2.RouteTable]
) -> aws.ec2.VpcEndpoint:
    """The S3 gateway endpoint, on every route table."""
    # Route tables join through one association each rather than the endpoint's route_table_ids,
    # so a new AZ adds an association and leaves the endpoint's inputs as they were.
    endpoint = aws.ec2.VpcEndpoint(
        at.name("s3-gateway"),
        vpc_id=vpc_id,
        service_name=at.args.service_name("s3"),
        vpc_endpoint_type="Gateway",
        tags=at.name_tag("s3-gateway"),
        opts=at.opts(),
    )
    for key, table in tables.items():
        aws.ec2.VpcEndpointRouteTableAssociation(
            at.name("s3-gateway", key),
            vpc_endpoint_id=endpoint.id,
            route_table_id=table.id,
            # Each association adds the S3 prefix-list route to its table, and a table holds one
            # route per destination: the old association has to go before its replacement.
            opts=at.opts(delete_before_replace=True),
        )
    return endpoint


def interface_endpoints(
    at: Scope,
    vpc_id: pulumi.Output[str],
    private_subnets: Mapping[str, aws.ec2.Subnet],
    s3_gateway: aws.ec2.VpcEndpoint | None,
) -> None:
    """network.vpcEndpoints.interface in the private subnets, behind a group admitting HTTPS from the VPC."""
    group = endpoint_security_group(at, vpc_id)
    # The subnets are set on the endpoint itself, sorted by AZ: adding an AZ is an in-place update
    # of this list. Subnet associations as resources of their own would each wait on the
    # provider's per-endpoint lock and its one-minute settle, one after another, which makes
    # them the longest chain of a first `pulumi up`.
    subnet_ids = [subnet.id for _, subnet in sorted(private_subnets.items())]
    for service in at.args.interface_endpoints:
        aws.ec2.VpcEndpoint(
            at.name(service, "endpoint"),
            vpc_id=vpc_id,
            service_name=at.args.service_name(service),
            vpc_endpoint_type="Interface",
            private_dns_enabled=True,
            subnet_ids=subnet_ids,
            security_group_ids=[group.id],
            dns_options=s3_interface_dns(service),
            tags=at.name_tag(service, "endpoint"),
            # Private DNS names of a service can exist once per VPC: a replacement would clash.
            # AWS accepts S3's inbound-only DNS option only once the S3 gateway endpoint exists.
            opts=at.opts(
                delete_before_replace=True,
                depends_on=[s3_gateway] if service == "s3" and s3_gateway is not None else [],
            ),
        )


def s3_interface_dns(service: str) -> aws.ec2.VpcEndpointDnsOptionsArgs | None:
    """S3 alone has gateway and interface endpoints; keep in-VPC traffic on the free gateway.

    Config requires the gateway endpoint beside an S3 interface endpoint: AWS refuses private
    DNS for S3 otherwise, and the provider drops an explicit `false` for this option.
    """
    if service != "s3":
        return None
    return aws.ec2.VpcEndpointDnsOptionsArgs(private_dns_only_for_inbound_resolver_endpoint=True)


def endpoint_security_group(at: Scope, vpc_id: pulumi.Output[str]) -> aws.ec2.SecurityGroup:
    # No egress rules: the endpoints only answer, and security groups are stateful.
    group = aws.ec2.SecurityGroup(
        at.name("endpoints"),
        vpc_id=vpc_id,
        description="HTTPS from inside the VPC to its interface endpoints",
        tags=at.name_tag("endpoints"),
        opts=at.opts(),
    )
    aws.vpc.SecurityGroupIngressRule(
        at.name("endpoints", "https"),
        security_group_id=group.id,
        description="HTTPS from the VPC",
        ip_protocol="tcp",
        from_port=HTTPS,
        to_port=HTTPS,
        cidr_ipv4=at.args.cidr,
        opts=at.opts(),
    )
    return group
