"""Network: the VPC TKG and CAPA clusters are placed in, or the tags an existing VPC needs.

A new network is one VPC (DNS support and hostnames on) with, in every availability zone, one
public and one private subnet; an internet gateway and one public route table; NAT gateways (none,
a single one, or one per AZ), each with an Elastic IP; one private route table per AZ whose default
route leaves through its AZ's NAT gateway (or the single one); the VPC's default security group,
adopted and emptied; an S3 gateway endpoint on every route table; and interface endpoints in the
private subnets behind a security group that admits HTTPS from the VPC only.

Tags CAPA and the Kubernetes AWS cloud provider read: subnets get the load balancer role and
`kubernetes.io/cluster/<name>=shared` for each cluster, route tables the cluster tags (the cloud
provider's route controller looks for them), subnets also CAPA's public/private role. CAPA writes
tags under the same `kubernetes.io/cluster/` and `kubernetes.io/role/` prefixes for clusters of its
own, so the management provider ignores those prefixes (CAPA_TAG_PREFIXES): a subnet's own `tags`
hold only keys outside them, and ours under them are separate `aws.ec2.Tag` resources, one per
resource and key, which the ignore does not hide. An existing VPC gets only such Tag resources.

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
from components.config.rules import CAPA_TAG_PREFIXES
from components.foundations.subnet_plan import OutpostSubnet, PlannedSubnet, of_tier, subnet_plan

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig

NatMode = Literal["none", "single", "onePerAz"]
Tier = Literal["public", "private"]

ANYWHERE = "0.0.0.0/0"
HTTPS = 443
# Tags read by the Kubernetes AWS cloud provider (load balancer placement, cluster ownership)
# and by CAPA (subnet role); reference/network.md "Tags".
LOAD_BALANCER_ROLE_TAG: dict[Tier, str] = {
    "public": "kubernetes.io/role/elb",
    "private": "kubernetes.io/role/internal-elb",
}
CAPA_ROLE_TAG = "sigs.k8s.io/cluster-api-provider-aws/role"


def cluster_tag(cluster_name: str) -> str:
    return f"kubernetes.io/cluster/{cluster_name}"


def kubernetes_subnet_tags(tier: Tier, cluster_names: tuple[str, ...]) -> dict[str, str]:
    """The tags the cloud provider needs on a subnet of `tier` shared by `cluster_names`."""
    return {LOAD_BALANCER_ROLE_TAG[tier]: "1", **kubernetes_route_table_tags(cluster_names)}


def kubernetes_route_table_tags(cluster_names: tuple[str, ...]) -> dict[str, str]:
    """The cluster tags the cloud provider's route controller needs on a route table."""
    return {cluster_tag(name): "shared" for name in cluster_names}


def ignored_by_provider(key: str) -> bool:
    """Whether the management provider ignores a tag key (one CAPA also writes)."""
    return key.startswith(CAPA_TAG_PREFIXES)


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
        self._prefix, self._args = name, args
        if args.existing_vpc is not None:
            self.outputs = self._tag_existing_vpc(args.existing_vpc)
        else:
            self.outputs = self._build_vpc()
        self.register_outputs(self.outputs)

    # --- helpers ---------------------------------------------------------------------------------
    def _opts(self, **kwargs: Any) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, **kwargs)

    def _protected(self, **kwargs: Any) -> pulumi.ResourceOptions:
        """Options of what running clusters stand on: their interfaces sit in it, their egress leaves by it."""
        return self._opts(protect=self._args.protect, **kwargs)

    def _tag(self, name: str, resource_id: pulumi.Input[str], tags: dict[str, str]) -> None:
        """One aws.ec2.Tag per key: a tag under a prefix the provider ignores stays visible and ours."""
        for key, value in tags.items():
            aws.ec2.Tag(f"{name}-{key}", resource_id=resource_id, key=key, value=value, opts=self._opts())

    def _name_tag(self, *parts: str) -> dict[str, str]:
        return {"Name": "-".join((self._args.environment, *parts))}

    # --- a new VPC -------------------------------------------------------------------------------
    def _build_vpc(self) -> dict[str, Any]:
        args = self._args
        self.vpc = aws.ec2.Vpc(
            f"{self._prefix}-vpc",
            cidr_block=args.cidr,
            enable_dns_support=True,
            # CAPA nodes and private-DNS endpoints need DNS names (EKS on Outposts fails without).
            enable_dns_hostnames=True,
            tags=self._name_tag("vpc"),
            opts=self._protected(),
        )
        self._empty_default_security_group()
        self.public_subnets = self._subnets("public")
        self.private_subnets = self._subnets("private")
        self.outpost_subnets = self._outpost_subnets()
        route_tables = {"public": self._public_routing()}
        nat_gateways = self._nat_gateways()
        for az, table in self._private_routing(nat_gateways).items():
            route_tables[f"private-{az}"] = table
        for az, table in self._outpost_routing(nat_gateways).items():
            route_tables[f"outpost-{az}"] = table
        if args.s3_gateway_endpoint:
            self._s3_gateway_endpoint(route_tables)
        if args.interface_endpoints:
            self._interface_endpoints()
        outputs = {
            "vpcId": self.vpc.id,
            "availabilityZones": list(args.availability_zones),
            "publicSubnetIds": {az: s.id for az, s in sorted(self.public_subnets.items())},
            "privateSubnetIds": {az: s.id for az, s in sorted(self.private_subnets.items())},
            "natGatewayPublicIps": {az: eip.public_ip for az, eip in sorted(self.nat_ips.items())},
            # What 01_vpc.yaml outputs, for routes users add (peering, transit gateway, on-premises).
            "publicRouteTableId": route_tables["public"].id,
            "privateRouteTableIds": {
                key.removeprefix("private-"): table.id
                for key, table in sorted(route_tables.items())
                if key.startswith("private-")
            },
        }
        if self.outpost_subnets:
            outputs["outpostSubnetIds"] = {az: s.id for az, s in sorted(self.outpost_subnets.items())}
        return outputs

    def _empty_default_security_group(self) -> None:
        # Adopted with no rules, the default group loses AWS's "all from members, all out" rules:
        # whatever lands in it for want of a group (an ENI, an endpoint) can neither talk nor listen.
        aws.ec2.DefaultSecurityGroup(
            f"{self._prefix}-default",
            vpc_id=self.vpc.id,
            ingress=[],
            egress=[],
            tags=self._name_tag("default"),
            opts=self._opts(),
        )

    def _subnets(self, tier: Tier) -> dict[str, aws.ec2.Subnet]:
        args, subnets = self._args, {}
        for planned in of_tier(args.subnet_plan, tier):
            az = planned.availability_zone
            subnets[az] = aws.ec2.Subnet(
                f"{self._prefix}-{tier}-{az}",
                vpc_id=self.vpc.id,
                availability_zone=az,
                cidr_block=planned.cidr,
                map_public_ip_on_launch=args.map_public_ip_on_launch if tier == "public" else False,
                tags={**self._name_tag(tier, az), CAPA_ROLE_TAG: tier},
                # A changed CIDR stays in the AZ's slot and so overlaps the old subnet, which AWS
                # refuses while the old one exists: the old subnet has to go first.
                opts=self._protected(delete_before_replace=True),
            )
            self._tag(f"{self._prefix}-{tier}-{az}", subnets[az].id, kubernetes_subnet_tags(tier, args.cluster_names))
        return subnets

    def _outpost_subnets(self) -> dict[str, aws.ec2.Subnet]:
        """Private subnets on an Outpost rack: the Outpost ARN and its parent AZ place them there."""
        subnets = {}
        for planned in of_tier(self._args.subnet_plan, "outpost"):
            az = planned.availability_zone
            subnets[az] = aws.ec2.Subnet(
                f"{self._prefix}-outpost-{az}",
                vpc_id=self.vpc.id,
                availability_zone=az,
                outpost_arn=planned.outpost_arn,
                cidr_block=planned.cidr,
                map_public_ip_on_launch=False,
                tags=self._name_tag("outpost", az),
                # As for the regional subnets: a new CIDR overlaps the old one until it is gone.
                opts=self._protected(delete_before_replace=True),
            )
        return subnets

    def _outpost_routing(self, nat_gateways: dict[str, aws.ec2.NatGateway]) -> dict[str, aws.ec2.RouteTable]:
        """One route table per Outpost subnet: regional egress by the parent AZ's NAT gateway, and
        the on-premises networks by the local gateway, which the regional subnets must not get."""
        tables, gateway = {}, self._args.local_gateway
        if gateway is not None and self.outpost_subnets:
            aws.ec2.LocalGatewayRouteTableVpcAssociation(
                f"{self._prefix}-local-gateway",
                local_gateway_route_table_id=gateway.route_table_id,
                vpc_id=self.vpc.id,
                tags=self._name_tag("local-gateway"),
                opts=self._opts(),
            )
        for az, subnet in self.outpost_subnets.items():
            tables[az] = aws.ec2.RouteTable(
                f"{self._prefix}-outpost-{az}",
                vpc_id=self.vpc.id,
                tags=self._name_tag("outpost", az),
                opts=self._protected(),
            )
            self._associate(f"{self._prefix}-outpost-{az}", subnet, tables[az])
            nat_az = self._args.nat_az_for(az)
            if nat_az is not None:
                aws.ec2.Route(
                    f"{self._prefix}-outpost-{az}-default",
                    route_table_id=tables[az].id,
                    destination_cidr_block=ANYWHERE,
                    nat_gateway_id=nat_gateways[nat_az].id,
                    opts=self._opts(),
                )
            if gateway is None:
                continue
            for cidr in gateway.destination_cidrs:
                aws.ec2.Route(
                    f"{self._prefix}-outpost-{az}-local-gateway-{cidr}",
                    route_table_id=tables[az].id,
                    destination_cidr_block=cidr,
                    local_gateway_id=gateway.local_gateway_id,
                    opts=self._opts(),
                )
        return tables

    def _public_routing(self) -> aws.ec2.RouteTable:
        # The internet gateway is attached inline (vpc_id): one per VPC, replaced only with the VPC.
        self.internet_gateway = aws.ec2.InternetGateway(
            f"{self._prefix}-igw", vpc_id=self.vpc.id, tags=self._name_tag("igw"), opts=self._opts()
        )
        table = aws.ec2.RouteTable(
            f"{self._prefix}-public", vpc_id=self.vpc.id, tags=self._name_tag("public"), opts=self._protected()
        )
        self._tag(f"{self._prefix}-public-route-table", table.id, kubernetes_route_table_tags(self._args.cluster_names))
        aws.ec2.Route(
            f"{self._prefix}-public-default",
            route_table_id=table.id,
            destination_cidr_block=ANYWHERE,
            gateway_id=self.internet_gateway.id,
            opts=self._opts(),
        )
        for az, subnet in self.public_subnets.items():
            self._associate(f"{self._prefix}-public-{az}", subnet, table)
        return table

    def _associate(self, name: str, subnet: aws.ec2.Subnet, table: aws.ec2.RouteTable) -> None:
        # A subnet takes one explicit association; a replacement that keeps the subnet (a provider
        # change, `pulumi up --replace`) would ask AWS for a second one, so the old one goes first.
        aws.ec2.RouteTableAssociation(
            name, subnet_id=subnet.id, route_table_id=table.id, opts=self._opts(delete_before_replace=True)
        )

    def _nat_gateways(self) -> dict[str, aws.ec2.NatGateway]:
        self.nat_ips: dict[str, aws.ec2.Eip] = {}
        gateways = {}
        for az in self._args.nat_azs:
            # The Elastic IP is the stack's egress address that partners allowlist.
            self.nat_ips[az] = aws.ec2.Eip(
                f"{self._prefix}-nat-{az}", domain="vpc", tags=self._name_tag("nat", az), opts=self._protected()
            )
            gateways[az] = aws.ec2.NatGateway(
                f"{self._prefix}-nat-{az}",
                allocation_id=self.nat_ips[az].allocation_id,
                subnet_id=self.public_subnets[az].id,
                tags=self._name_tag("nat", az),
                # A NAT gateway only reaches the internet once the VPC has its internet gateway.
                opts=self._protected(depends_on=[self.internet_gateway]),
            )
        return gateways

    def _private_routing(self, nat_gateways: dict[str, aws.ec2.NatGateway]) -> dict[str, aws.ec2.RouteTable]:
        tables = {}
        for az, subnet in self.private_subnets.items():
            tables[az] = aws.ec2.RouteTable(
                f"{self._prefix}-private-{az}",
                vpc_id=self.vpc.id,
                tags=self._name_tag("private", az),
                opts=self._protected(),
            )
            cluster_tags = kubernetes_route_table_tags(self._args.cluster_names)
            self._tag(f"{self._prefix}-private-{az}-route-table", tables[az].id, cluster_tags)
            self._associate(f"{self._prefix}-private-{az}", subnet, tables[az])
            nat_az = self._args.nat_az_for(az)
            if nat_az is not None:
                aws.ec2.Route(
                    f"{self._prefix}-private-{az}-default",
                    route_table_id=tables[az].id,
                    destination_cidr_block=ANYWHERE,
                    nat_gateway_id=nat_gateways[nat_az].id,
                    opts=self._opts(),
                )
        return tables

    # --- VPC endpoints -----------------------------------------------------------------------------
    def _s3_gateway_endpoint(self, route_tables: dict[str, aws.ec2.RouteTable]) -> None:
        # Route tables join through one association each rather than the endpoint's route_table_ids,
        # so a new AZ adds an association and leaves the endpoint's inputs as they were.
        self.s3_gateway = aws.ec2.VpcEndpoint(
            f"{self._prefix}-s3-gateway",
            vpc_id=self.vpc.id,
            service_name=self._args.service_name("s3"),
            vpc_endpoint_type="Gateway",
            tags=self._name_tag("s3-gateway"),
            opts=self._opts(),
        )
        for key, table in route_tables.items():
            aws.ec2.VpcEndpointRouteTableAssociation(
                f"{self._prefix}-s3-gateway-{key}",
                vpc_endpoint_id=self.s3_gateway.id,
                route_table_id=table.id,
                # Each association adds the S3 prefix-list route to its table, and a table holds one
                # route per destination: the old association has to go before its replacement.
                opts=self._opts(delete_before_replace=True),
            )

    def _interface_endpoints(self) -> None:
        group = self._endpoint_security_group()
        # The subnets are set on the endpoint itself, sorted by AZ: adding an AZ is an in-place update
        # of this list. Subnet associations as resources of their own would each wait on the
        # provider's per-endpoint lock and its one-minute settle, one after another, which makes
        # them the longest chain of a first `pulumi up`.
        subnet_ids = [subnet.id for _, subnet in sorted(self.private_subnets.items())]
        for service in self._args.interface_endpoints:
            aws.ec2.VpcEndpoint(
                f"{self._prefix}-{service}-endpoint",
                vpc_id=self.vpc.id,
                service_name=self._args.service_name(service),
                vpc_endpoint_type="Interface",
                private_dns_enabled=True,
                subnet_ids=subnet_ids,
                security_group_ids=[group.id],
                dns_options=self._s3_interface_dns(service),
                tags=self._name_tag(service, "endpoint"),
                # Private DNS names of a service can exist once per VPC: a replacement would clash.
                opts=self._opts(delete_before_replace=True, depends_on=self._s3_interface_dependencies(service)),
            )

    def _s3_interface_dns(self, service: str) -> aws.ec2.VpcEndpointDnsOptionsArgs | None:
        """S3 alone has gateway and interface endpoints; keep in-VPC traffic on the free gateway.

        Config requires the gateway endpoint beside an S3 interface endpoint: AWS refuses private
        DNS for S3 otherwise, and the provider drops an explicit `false` for this option.
        """
        if service != "s3":
            return None
        return aws.ec2.VpcEndpointDnsOptionsArgs(private_dns_only_for_inbound_resolver_endpoint=True)

    def _s3_interface_dependencies(self, service: str) -> list[pulumi.Resource]:
        # AWS accepts the inbound-only DNS option only once the S3 gateway endpoint exists.
        return [self.s3_gateway] if service == "s3" and self._args.s3_gateway_endpoint else []

    def _endpoint_security_group(self) -> aws.ec2.SecurityGroup:
        # No egress rules: the endpoints only answer, and security groups are stateful.
        group = aws.ec2.SecurityGroup(
            f"{self._prefix}-endpoints",
            vpc_id=self.vpc.id,
            description="HTTPS from inside the VPC to its interface endpoints",
            tags=self._name_tag("endpoints"),
            opts=self._opts(),
        )
        aws.vpc.SecurityGroupIngressRule(
            f"{self._prefix}-endpoints-https",
            security_group_id=group.id,
            description="HTTPS from the VPC",
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            cidr_ipv4=self._args.cidr,
            opts=self._opts(),
        )
        return group

    # --- an existing VPC ---------------------------------------------------------------------------
    def _tag_existing_vpc(self, vpc: ExistingVpcConfig) -> dict[str, Any]:
        cluster_names = self._args.cluster_names
        tiers: tuple[tuple[Tier, dict[str, str]], ...] = (
            ("public", vpc.public_subnet_ids),
            ("private", vpc.private_subnet_ids),
        )
        for tier, subnet_ids in tiers:
            for az, subnet_id in sorted(subnet_ids.items()):
                self._tag(f"{self._prefix}-{tier}-{az}", subnet_id, kubernetes_subnet_tags(tier, cluster_names))
        return {
            "vpcId": vpc.vpc_id,
            "availabilityZones": list(self._args.availability_zones),
            "publicSubnetIds": dict(sorted(vpc.public_subnet_ids.items())),
            "privateSubnetIds": dict(sorted(vpc.private_subnet_ids.items())),
            "natGatewayPublicIps": {},
        }
