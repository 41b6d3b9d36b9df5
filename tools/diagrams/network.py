"""The network diagram: per VPC and AZ, the subnets (with CIDRs) and where their traffic goes.

Drawn from an offline plan, following the ids that inputs hold: each subnet points at the route
table associated with it, each route table at what its routes lead to (`0.0.0.0/0` to the internet
gateway or to which NAT gateway; a table without a default route says so), NAT gateways at the
public subnet they sit in (their traffic leaves by that subnet's routes), gateway endpoints are
reached from the route tables they add their prefix list to, and interface endpoints (one box per
set of endpoints in the same subnets) and anything else placed in subnets (load balancers,
instances, Outpost resources as platforms bring them) are linked to those subnets. A VPC the stack
only tags (network.existingVpc) is drawn from the plan's `network` outputs: its routes are not in
the plan, and the diagram says so.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from tools.diagrams.document import Plan, as_list, inputs, mapping, name_tag, short_type, tags
from tools.diagrams.graph import Graph

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
INTERNET_GATEWAY = "aws:ec2/internetGateway:InternetGateway"
EGRESS_ONLY_GATEWAY = "aws:ec2/egressOnlyInternetGateway:EgressOnlyInternetGateway"
NAT_GATEWAY = "aws:ec2/natGateway:NatGateway"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ENDPOINT_ROUTE_TABLE = "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation"
ENDPOINT_SUBNET = "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation"
TAG = "aws:ec2/tag:Tag"
# Drawn by their own rules, so not again as "placed in a subnet".
HANDLED = {SUBNET, ASSOCIATION, NAT_GATEWAY, ENDPOINT, ENDPOINT_SUBNET, TAG}
CAPA_ROLE_TAG = "sigs.k8s.io/cluster-api-provider-aws/role"  # components/foundations/network.py CAPA_ROLE_TAG
LOAD_BALANCER_TIERS = {"kubernetes.io/role/elb": "public", "kubernetes.io/role/internal-elb": "private"}
DESTINATIONS = ("destinationCidrBlock", "destinationIpv6CidrBlock", "destinationPrefixListId")
ROUTE_TARGETS = {
    "gatewayId": "gateway",
    "natGatewayId": "NAT gateway",
    "egressOnlyGatewayId": "egress-only gateway",
    "transitGatewayId": "transit gateway",
    "vpcEndpointId": "VPC endpoint",
    "vpcPeeringConnectionId": "VPC peering",
    "networkInterfaceId": "network interface",
    "carrierGatewayId": "carrier gateway",
    "localGatewayId": "local gateway",
    "coreNetworkArn": "core network",
}
DEFAULT_ROUTES = ("0.0.0.0/0", "::/0")
SUBNET_INPUTS = ("subnetId", "subnetIds", "subnets")
NO_IDS = "this plan's resources carry no ids (written before diagrams): routes not drawn"


def network_graph(plan: Plan) -> Graph:
    drawing = NetworkDrawing(plan)
    drawing.draw()
    return drawing.graph


class NetworkDrawing:
    def __init__(self, plan: Plan):
        self.plan = plan
        self.graph = Graph()
        self.subnet_az: dict[str, str] = {}
        """Subnet id -> the key of its AZ group."""
        self.vpc_of_table: dict[str, str] = {}

    def draw(self) -> None:
        for vpc in self.plan.of_type(VPC):
            self._vpc_group(str(vpc.get("id", "")), name_tag(vpc), inputs(vpc).get("cidrBlock"))
        self._subnets()
        self._existing_subnets()
        if not self.plan.has_ids:
            for key in [k for k in self.graph.nodes if k.startswith("subnet:")]:
                self.graph.note(key, NO_IDS)
            return
        self._gateways()
        self._route_tables()
        self._endpoints()
        self._placed_in_subnets()

    # --- groups ------------------------------------------------------------------------------------
    def _vpc_group(self, vpc_id: str, name: str = "", cidr: Any = None, existing: bool = False) -> str:
        key = f"vpc:{vpc_id}"
        if existing:
            title = f"VPC {vpc_id} (existing: not managed by this stack)"
        else:
            title = " ".join(str(part) for part in ("VPC", name or vpc_id, cidr or "") if part)
        return self.graph.add_group(key, title)

    def _az_group(self, vpc_key: str, az: str) -> str:
        return self.graph.add_group(f"{vpc_key}:az:{az}", az, vpc_key)

    # --- subnets -----------------------------------------------------------------------------------
    def _subnets(self) -> None:
        tiers = self._tagged_tiers()
        for subnet in self.plan.of_type(SUBNET):
            given = inputs(subnet)
            subnet_id = str(subnet.get("id", subnet.get("name")))
            vpc_key = self._vpc_group(str(given.get("vpcId", "")))
            az = str(given.get("availabilityZone") or given.get("availabilityZoneId") or "AZ unknown")
            tier = tags(subnet).get(CAPA_ROLE_TAG) or tiers.get(subnet_id, "subnet")
            lines = [f"{tier} {given.get('cidrBlock', '')}".strip(), name_tag(subnet)]
            if given.get("outpostArn"):
                lines.append(f"Outpost {str(given['outpostArn']).rsplit('/', 1)[-1]}")
            self._subnet_node(subnet_id, tuple(lines), self._az_group(vpc_key, az))

    def _existing_subnets(self) -> None:
        """Subnets the stack only tags: AZ and tier from the `network` outputs, else from the tags."""
        if self.plan.of_type(SUBNET) and not self.plan.has_ids:
            return  # the outputs' subnet ids cannot be matched with the plan's subnets
        network = mapping(self.plan.outputs.get("network"))
        known = {s.get("id") for s in self.plan.of_type(SUBNET)}
        found: dict[str, tuple[str, str]] = {}
        for tier in ("public", "private"):
            for az, subnet_id in sorted(mapping(network.get(f"{tier}SubnetIds")).items()):
                found[str(subnet_id)] = (tier, str(az))
        for subnet_id, tier in self._tagged_tiers().items():
            found.setdefault(subnet_id, (tier, "AZ unknown"))
        vpc_id = network.get("vpcId") if isinstance(network.get("vpcId"), str) else "of the tagged subnets"
        for subnet_id, (tier, az) in sorted(found.items()):
            if subnet_id in known:
                continue
            vpc_key = self._vpc_group(str(vpc_id), existing=True)
            lines = (f"{tier} subnet", subnet_id, "routes not in this plan")
            self._subnet_node(subnet_id, lines, self._az_group(vpc_key, az))

    def _subnet_node(self, subnet_id: str, lines: tuple[str, ...], az_group: str) -> None:
        self.subnet_az[subnet_id] = az_group
        self.graph.add_node(f"subnet:{subnet_id}", lines, "box", az_group)

    def _tagged_tiers(self) -> dict[str, str]:
        """Subnet id -> tier, from the load balancer role tags the stack puts on subnets."""
        tiers = {}
        for tag in self.plan.of_type(TAG):
            resource_id, key = inputs(tag).get("resourceId"), inputs(tag).get("key")
            if isinstance(resource_id, str) and resource_id.startswith("subnet-") and key in LOAD_BALANCER_TIERS:
                tiers[resource_id] = LOAD_BALANCER_TIERS[key]
        return tiers

    # --- gateways and routes -------------------------------------------------------------------------
    def _gateways(self) -> None:
        for gateway in self.plan.of_type(INTERNET_GATEWAY, EGRESS_ONLY_GATEWAY):
            vpc_key = self._vpc_group(str(inputs(gateway).get("vpcId", "")))
            words = "internet gateway" if gateway["type"] == INTERNET_GATEWAY else "egress-only internet gateway"
            self.graph.add_node(f"target:{gateway.get('id')}", (words, name_tag(gateway)), "hexagon", vpc_key)
        for nat in self.plan.of_type(NAT_GATEWAY):
            subnet_id = inputs(nat).get("subnetId")
            words = "private NAT gateway" if inputs(nat).get("connectivityType") == "private" else "NAT gateway"
            key = self.graph.add_node(
                f"target:{nat.get('id')}", (words, name_tag(nat)), "hexagon", self.subnet_az.get(str(subnet_id), "")
            )
            if f"subnet:{subnet_id}" in self.graph.nodes:
                self.graph.add_edge(key, f"subnet:{subnet_id}", ("in subnet",))

    def _route_tables(self) -> None:
        associations = defaultdict(list)
        for association in self.plan.of_type(ASSOCIATION):
            table, subnet = inputs(association).get("routeTableId"), inputs(association).get("subnetId")
            if isinstance(table, str) and f"subnet:{subnet}" in self.graph.nodes:
                associations[table].append(str(subnet))
        routes = defaultdict(list)
        for route in self.plan.of_type(ROUTE):
            routes[str(inputs(route).get("routeTableId"))].append(inputs(route))
        for table in self.plan.of_type(ROUTE_TABLE):
            table_id = str(table.get("id"))
            table_routes = routes[table_id] + [r for r in as_list(inputs(table).get("routes")) if isinstance(r, dict)]
            self._route_table(table, associations[table_id], table_routes)
        associated = {subnet for subnets in associations.values() for subnet in subnets}
        for key, node in list(self.graph.nodes.items()):
            existing = "routes not in this plan" in node.label
            if key.startswith("subnet:") and key.removeprefix("subnet:") not in associated and not existing:
                self.graph.note(key, "no route table here: the VPC's main one")

    def _route_table(self, table: dict[str, Any], subnets: list[str], routes: list[dict[str, Any]]) -> None:
        vpc_key = self._vpc_group(str(inputs(table).get("vpcId", "")))
        azs = {self.subnet_az[s] for s in subnets}
        group = azs.pop() if len(azs) == 1 else vpc_key
        key = self.graph.add_node(f"table:{table.get('id')}", ("route table", name_tag(table)), "round", group)
        self.vpc_of_table[str(table.get("id"))] = vpc_key
        for subnet in subnets:
            self.graph.add_edge(f"subnet:{subnet}", key)
        has_default = False
        for route in sorted(routes, key=lambda r: sorted((k, str(v)) for k, v in r.items())):
            destination = next((str(route[d]) for d in DESTINATIONS if route.get(d)), "?")
            has_default = has_default or destination in DEFAULT_ROUTES
            target = self._route_target(route, vpc_key)
            if target is not None:
                self.graph.add_edge(key, target, (destination,))
        if not has_default:
            self.graph.note(key, "no default route")

    def _route_target(self, route: dict[str, Any], vpc_key: str) -> str | None:
        for field, words in ROUTE_TARGETS.items():
            value = route.get(field)
            if isinstance(value, str) and value:
                key = f"target:{value}"
                self.graph.add_node(key, (words, value, "not managed by this stack"), "hexagon", vpc_key)
                return key
        return None

    # --- endpoints ---------------------------------------------------------------------------------
    def _endpoints(self) -> None:
        route_tables: defaultdict[Any, set[Any]] = defaultdict(set)  # ids as the plan holds them
        subnets: defaultdict[Any, set[Any]] = defaultdict(set)
        for association in self.plan.of_type(ENDPOINT_ROUTE_TABLE):
            route_tables[inputs(association).get("vpcEndpointId")].add(inputs(association).get("routeTableId"))
        for association in self.plan.of_type(ENDPOINT_SUBNET):
            subnets[inputs(association).get("vpcEndpointId")].add(inputs(association).get("subnetId"))
        interface = defaultdict(list)
        for endpoint in self.plan.of_type(ENDPOINT):
            given, endpoint_id = inputs(endpoint), endpoint.get("id")
            tables = route_tables[endpoint_id] | set(as_list(given.get("routeTableIds")))
            placed = subnets[endpoint_id] | set(as_list(given.get("subnetIds")))
            service = str(given.get("serviceName", "?")).rsplit(".", 1)[-1]
            kind = str(given.get("vpcEndpointType", "Gateway"))
            vpc_key = self._vpc_group(str(given.get("vpcId", "")))
            if kind == "Gateway":
                key = self.graph.add_node(f"target:{endpoint_id}", (f"{service} gateway endpoint",), "flag", vpc_key)
                for table in sorted(t for t in tables if f"table:{t}" in self.graph.nodes):
                    self.graph.add_edge(f"table:{table}", key, (f"{service} prefix list",), "dashed")
            else:
                on = tuple(sorted(str(s) for s in placed if f"subnet:{s}" in self.graph.nodes))
                interface[(vpc_key, kind, on)].append(service)
        for (vpc_key, kind, on), services in sorted(interface.items()):
            key = f"endpoints:{vpc_key}:{kind}:{','.join(on)}"
            self.graph.add_node(key, (f"{kind.lower()} endpoints", *sorted(services)), "flag", vpc_key)
            for subnet in on:
                self.graph.add_edge(key, f"subnet:{subnet}", ("network interface in",), "dashed-link")

    def _placed_in_subnets(self) -> None:
        """Whatever else names a drawn subnet: load balancers, instances, clusters."""
        for resource in self.plan.resources:
            if resource["type"] in HANDLED or not resource["type"].startswith("aws:"):
                continue
            given = inputs(resource)
            mapped = [m.get("subnetId") for m in as_list(given.get("subnetMappings")) if isinstance(m, dict)]
            named = [v for field in SUBNET_INPUTS for v in as_list(given.get(field))] + mapped
            on = sorted({str(v) for v in named if f"subnet:{v}" in self.graph.nodes})
            if not on:
                continue
            azs = {self.subnet_az[s] for s in on}
            group = azs.pop() if len(azs) == 1 else self.graph.groups[self.subnet_az[on[0]]].parent
            key = self.graph.add_node(
                f"placed:{resource.get('urn')}", (short_type(resource["type"]), name_tag(resource)), "subroutine", group
            )
            for subnet in on:
                self.graph.add_edge(key, f"subnet:{subnet}", ("in",), "dashed-link")
