"""The Network component as a reviewer sees it in the offline plan: counts, CIDRs, routes, tags.

Every assertion reads the resources the program registered (tools/plan/program.py ProgramRun), where
inputs are resolved plain values; references between resources are followed through the ids the
mocks gave them (Registration.id).
"""

from __future__ import annotations

import ipaddress
import json

import pulumi
import pytest

from components.config.base import ConfigError
from components.foundations.network import Network, NetworkArgs, Scope, new_network
from components.foundations.network_tags import ignored_by_provider
from components.foundations.subnet_plan import OutpostSubnet
from tests.conftest import plan, register, stack_file
from tools.plan.mocks import Registration
from tools.plan.program import ProgramRun, plan_data

NETWORK = Network.TYPE_TOKEN
VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
IGW = "aws:ec2/internetGateway:InternetGateway"
EIP = "aws:ec2/eip:Eip"
NAT = "aws:ec2/natGateway:NatGateway"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ASSOCIATION = "aws:ec2/routeTableAssociation:RouteTableAssociation"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS_RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
ENDPOINT = "aws:ec2/vpcEndpoint:VpcEndpoint"
ENDPOINT_ROUTE_TABLE = "aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation"
ENDPOINT_SUBNET = "aws:ec2/vpcEndpointSubnetAssociation:VpcEndpointSubnetAssociation"
TAG = "aws:ec2/tag:Tag"

PROD_AZS = ["us-west-2a", "us-west-2b", "us-west-2c"]
PUBLIC_SUBNET_ID = "subnet-0aaaaaaaaaaaaaaa1"
PRIVATE_SUBNET_IDS = {"us-west-2a": "subnet-0bbbbbbbbbbbbbbb1", "us-west-2b": "subnet-0bbbbbbbbbbbbbbb2"}


@pytest.fixture(scope="module")
def dev() -> ProgramRun:
    return plan(stack_file("dev")[0])


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return plan(stack_file("prod")[0])


# --- reading the plan ------------------------------------------------------------------------------
def network_children(run: ProgramRun) -> list[Registration]:
    (component,) = run.of_type(NETWORK)
    return [r for _, r in sorted(run.registrations.items()) if r.parent == component.urn]


def with_id(run: ProgramRun, type_token: str, resource_id: str) -> Registration:
    (match,) = [r for r in run.of_type(type_token) if r.id == resource_id]
    return match


def subnets(run: ProgramRun, tier: str) -> dict[str, Registration]:
    """Subnets of one tier by AZ, told apart by CAPA's role tag."""
    return {
        s.inputs["availabilityZone"]: s
        for s in run.of_type(SUBNET)
        if s.inputs["tags"]["sigs.k8s.io/cluster-api-provider-aws/role"] == tier
    }


def route_table_of(run: ProgramRun, subnet: Registration) -> Registration:
    (association,) = [a for a in run.of_type(ASSOCIATION) if a.inputs["subnetId"] == subnet.id]
    return with_id(run, ROUTE_TABLE, association.inputs["routeTableId"])


def default_routes(run: ProgramRun, table: Registration) -> list[Registration]:
    return [
        r
        for r in run.of_type(ROUTE)
        if r.inputs["routeTableId"] == table.id and r.inputs["destinationCidrBlock"] == "0.0.0.0/0"
    ]


def egress_nat_az(run: ProgramRun, private_subnet: Registration) -> str:
    """The AZ of the NAT gateway a private subnet's default route leaves through."""
    (route,) = default_routes(run, route_table_of(run, private_subnet))
    nat = with_id(run, NAT, route.inputs["natGatewayId"])
    return with_id(run, SUBNET, nat.inputs["subnetId"]).inputs["availabilityZone"]


def management_provider_urn(run: ProgramRun) -> str:
    (provider,) = [r for r in run.registrations.values() if r.type == "pulumi:providers:aws" and r.name == "management"]
    return provider.urn


def with_azs(raw: dict, azs: list[str], **network) -> dict:
    """The config with other AZs; a pinned NAT gateway AZ stays only where it still applies."""
    merged = {**raw["network"], "availabilityZones": azs, **network}
    if merged.get("natGatewayAz") not in azs or merged.get("natGateways", "single") != "single":
        merged.pop("natGatewayAz", None)
    raw["network"] = merged
    return raw


def existing_vpc_raw(raw: dict, **existing) -> dict:
    raw["network"] = {
        "clusterNames": ["tkg-mgmt-dev", "tkg-wl-dev-1"],
        "existingVpc": {
            "vpcId": "vpc-0123456789abcdef0",
            "publicSubnetIds": {"us-west-2a": PUBLIC_SUBNET_ID},
            "privateSubnetIds": PRIVATE_SUBNET_IDS,
            **existing,
        },
    }
    return raw


# --- counts ----------------------------------------------------------------------------------------
def test_dev_has_one_vpc_two_subnets_one_internet_gateway_and_one_nat_gateway_with_its_eip(dev):
    counts = {t: len(dev.of_type(t)) for t in (VPC, SUBNET, IGW, NAT, EIP, ROUTE_TABLE)}
    assert counts == {VPC: 1, SUBNET: 2, IGW: 1, NAT: 1, EIP: 1, ROUTE_TABLE: 2}
    (vpc,) = dev.of_type(VPC)
    assert vpc.inputs["cidrBlock"] == "10.0.0.0/16"
    assert vpc.inputs["enableDnsSupport"] is True and vpc.inputs["enableDnsHostnames"] is True


def test_prod_has_two_subnets_per_az_and_a_nat_gateway_with_its_own_eip_in_each_az(prod):
    assert len(prod.of_type(VPC)) == len(prod.of_type(IGW)) == 1
    assert sorted(subnets(prod, "public")) == sorted(subnets(prod, "private")) == PROD_AZS
    nat_azs = sorted(with_id(prod, SUBNET, n.inputs["subnetId"]).inputs["availabilityZone"] for n in prod.of_type(NAT))
    assert nat_azs == PROD_AZS
    eip_ids = {e.id for e in prod.of_type(EIP)}
    assert {n.inputs["allocationId"] for n in prod.of_type(NAT)} == eip_ids
    assert len(eip_ids) == 3
    assert all(e.inputs["domain"] == "vpc" for e in prod.of_type(EIP))


# --- CIDRs -----------------------------------------------------------------------------------------
def test_subnet_cidrs_follow_the_az_letter(prod):
    cidrs = {
        (tier, az): s.inputs["cidrBlock"] for tier in ("public", "private") for az, s in subnets(prod, tier).items()
    }
    assert cidrs == {
        ("private", "us-west-2a"): "10.20.0.0/19",
        ("private", "us-west-2b"): "10.20.32.0/19",
        ("private", "us-west-2c"): "10.20.64.0/19",
        ("public", "us-west-2a"): "10.20.224.0/22",
        ("public", "us-west-2b"): "10.20.228.0/22",
        ("public", "us-west-2c"): "10.20.232.0/22",
    }


def test_an_az_without_its_predecessors_keeps_its_own_cidrs(dev_raw):
    run = plan(with_azs(dev_raw, ["us-west-2c"]))
    assert subnets(run, "public")["us-west-2c"].inputs["cidrBlock"] == "10.0.232.0/22"
    assert subnets(run, "private")["us-west-2c"].inputs["cidrBlock"] == "10.0.64.0/19"


def test_per_az_subnet_cidrs_override_the_derived_ones(dev_raw):
    override = {"us-west-2b": {"public": "10.0.200.0/24", "private": "10.0.128.0/18"}}
    run = plan(with_azs(dev_raw, ["us-west-2a", "us-west-2b"], subnetCidrs=override))
    assert subnets(run, "public")["us-west-2b"].inputs["cidrBlock"] == "10.0.200.0/24"
    assert subnets(run, "private")["us-west-2b"].inputs["cidrBlock"] == "10.0.128.0/18"
    assert subnets(run, "private")["us-west-2a"].inputs["cidrBlock"] == "10.0.0.0/19"


# --- routes ----------------------------------------------------------------------------------------
def test_public_subnets_share_one_route_table_with_a_default_route_to_the_internet_gateway(prod):
    tables = {route_table_of(prod, s).urn for s in subnets(prod, "public").values()}
    assert len(tables) == 1
    (route,) = default_routes(prod, prod.registrations[tables.pop()])
    (igw,) = prod.of_type(IGW)
    (vpc,) = prod.of_type(VPC)
    assert route.inputs["gatewayId"] == igw.id
    assert igw.inputs["vpcId"] == vpc.id


def test_each_private_subnet_leaves_through_the_nat_gateway_of_its_own_az(prod):
    private = subnets(prod, "private")
    assert {az: egress_nat_az(prod, s) for az, s in private.items()} == {az: az for az in PROD_AZS}
    assert len({route_table_of(prod, s).urn for s in private.values()}) == 3


def test_a_single_nat_gateway_sits_in_the_alphabetically_first_az_and_serves_every_az(dev_raw):
    run = plan(with_azs(dev_raw, ["us-west-2c", "us-west-2a", "us-west-2b"], natGateways="single"))
    assert len(run.of_type(NAT)) == len(run.of_type(EIP)) == 1
    assert {az: egress_nat_az(run, s) for az, s in subnets(run, "private").items()} == {
        "us-west-2a": "us-west-2a",
        "us-west-2b": "us-west-2a",
        "us-west-2c": "us-west-2a",
    }


def test_without_nat_gateways_private_route_tables_have_no_default_route(dev_raw):
    # Without NAT the private subnets reach AWS through interface endpoints (a config rule).
    endpoints = {"s3": True, "interface": ["ec2", "elasticloadbalancing", "secretsmanager"]}
    run = plan(with_azs(dev_raw, ["us-west-2a", "us-west-2b"], natGateways="none", vpcEndpoints=endpoints))
    assert run.of_type(NAT) == run.of_type(EIP) == []
    private_tables = [route_table_of(run, s) for s in subnets(run, "private").values()]
    assert len(private_tables) == 2
    assert all(default_routes(run, t) == [] for t in private_tables)
    assert len(run.of_type(ROUTE)) == 1  # the public default route only


# --- subnet settings and tags ------------------------------------------------------------------------
def test_public_subnets_do_not_map_public_ips_unless_configured(dev, dev_raw):
    assert [s.inputs["mapPublicIpOnLaunch"] for s in dev.of_type(SUBNET)] == [False, False]
    run = plan(with_azs(dev_raw, ["us-west-2a"], mapPublicIpOnLaunch=True))
    assert subnets(run, "public")["us-west-2a"].inputs["mapPublicIpOnLaunch"] is True
    assert subnets(run, "private")["us-west-2a"].inputs["mapPublicIpOnLaunch"] is False


def tags_of(run: ProgramRun, resource: Registration) -> dict[str, str]:
    """What the stack tags a resource with: its own tags, and the aws.ec2.Tag resources on it."""
    separate = {t.inputs["key"]: t.inputs["value"] for t in run.of_type(TAG) if t.inputs["resourceId"] == resource.id}
    return {**resource.inputs.get("tags", {}), **separate}


def test_subnets_carry_the_tags_capa_and_the_cloud_provider_read(dev):
    assert tags_of(dev, subnets(dev, "public")["us-west-2a"]) == {
        "Name": "dev-public-us-west-2a",
        "kubernetes.io/role/elb": "1",
        "kubernetes.io/cluster/tkg-mgmt-dev": "shared",
        "kubernetes.io/cluster/tkg-wl-dev-1": "shared",
        "sigs.k8s.io/cluster-api-provider-aws/role": "public",
    }
    assert tags_of(dev, subnets(dev, "private")["us-west-2a"]) == {
        "Name": "dev-private-us-west-2a",
        "kubernetes.io/role/internal-elb": "1",
        "kubernetes.io/cluster/tkg-mgmt-dev": "shared",
        "kubernetes.io/cluster/tkg-wl-dev-1": "shared",
        "sigs.k8s.io/cluster-api-provider-aws/role": "private",
    }


def test_route_tables_carry_the_cluster_tags_of_byo_vpc_rules(prod):
    clusters = {f"kubernetes.io/cluster/{name}": "shared" for name in ("tkg-mgmt", "tkg-prod-1", "tkg-gpu-1")}
    tables = prod.of_type(ROUTE_TABLE)
    assert len(tables) == 4
    for table in tables:
        assert {k: v for k, v in tags_of(prod, table).items() if k != "Name"} == clusters, table.name


def test_the_management_provider_ignores_the_tag_prefixes_capa_writes(prod):
    provider = prod.registrations[management_provider_urn(prod)]
    assert json.loads(provider.inputs["ignoreTags"]) == {
        "keyPrefixes": ["kubernetes.io/cluster/", "kubernetes.io/role/"]
    }
    workload = [p for p in prod.of_type("pulumi:providers:aws") if p.urn != provider.urn]
    assert workload and all("ignoreTags" not in p.inputs for p in workload)


def test_no_resource_sends_a_tag_the_provider_ignores(prod):
    """A tag under an ignored prefix in a resource's own tags is sent, then hidden by the ignore, and
    shows as a change on every run (terraform-provider-aws issue 42638)."""
    sent = [(r.name, key) for r in prod.registrations.values() for key in (r.inputs.get("tags") or {})]
    assert sent
    assert [(name, key) for name, key in sent if ignored_by_provider(key)] == []
    assert all(ignored_by_provider(t.inputs["key"]) for t in prod.of_type(TAG))


def refreshed(inputs_tags: dict[str, str], in_aws: dict[str, str], ignored_prefixes: list[str]) -> dict[str, str]:
    """A resource's `tags` output after `pulumi refresh`: what AWS holds, minus the keys its provider
    ignores (pulumi-aws drops them before comparing with the inputs)."""
    return {k: v for k, v in {**inputs_tags, **in_aws}.items() if not k.startswith(tuple(ignored_prefixes))}


def test_a_refreshed_subnet_with_tags_capa_added_shows_no_diff(prod):
    subnet = subnets(prod, "private")["us-west-2b"]
    provider = prod.registrations[subnet.provider]
    ignored = json.loads(provider.inputs["ignoreTags"])["keyPrefixes"]
    # CAPA (TagUnmanagedNetworkResources) tags the subnet for a cluster missing from clusterNames.
    capa = {"kubernetes.io/cluster/team-x": "shared", "kubernetes.io/role/internal-elb": "1"}
    inputs, output = subnet.inputs["tags"], refreshed(subnet.inputs["tags"], capa, ignored)
    assert (
        output == inputs == {"Name": "prod-private-us-west-2b", "sigs.k8s.io/cluster-api-provider-aws/role": "private"}
    )
    # Without the ignore the same refresh would show CAPA's tags as a change `up` removes.
    assert refreshed(inputs, capa, []) != inputs
    # The clusters the config names are still tagged, by Tag resources the ignore does not hide.
    assert tags_of(prod, subnet)["kubernetes.io/cluster/tkg-prod-1"] == "shared"


def test_adding_a_cluster_name_adds_tag_resources_and_changes_nothing(prod, prod_raw):
    prod_raw["network"]["clusterNames"] = [*prod_raw["network"]["clusterNames"], "tkg-prod-2"]
    added = unchanged_and_new(prod, plan(prod_raw))
    assert {r.type for r in added} == {TAG}
    assert len(added) == 6 + 4  # subnets and route tables
    assert all(r.name.endswith("kubernetes.io/cluster/tkg-prod-2") for r in added)


def test_name_tags_combine_environment_and_az(prod):
    names = {r.type: r.inputs["tags"]["Name"] for r in network_children(prod) if r.type in (VPC, IGW)}
    assert names == {VPC: "prod-vpc", IGW: "prod-igw"}
    for nat in prod.of_type(NAT):
        az = with_id(prod, SUBNET, nat.inputs["subnetId"]).inputs["availabilityZone"]
        assert nat.inputs["tags"]["Name"] == f"prod-nat-{az}"
        assert az in nat.name
    for subnet in prod.of_type(SUBNET):
        assert subnet.inputs["availabilityZone"] in subnet.name


def test_default_tags_come_from_the_management_provider_not_from_each_resource(prod):
    provider = management_provider_urn(prod)
    default_keys = set(prod.config.default_tags)
    assert default_keys >= {"environment", "managed-by"}
    children = network_children(prod)
    assert {r.type for r in children} >= {VPC, SUBNET}
    for resource in children:
        assert resource.provider == provider, resource.urn
        assert not default_keys & set(resource.inputs.get("tags", {})), resource.urn


# --- security groups and endpoints ---------------------------------------------------------------------
def test_the_default_security_group_is_adopted_and_emptied(dev):
    (group,) = dev.of_type(DEFAULT_SG)
    (vpc,) = dev.of_type(VPC)
    assert group.inputs["vpcId"] == vpc.id
    assert group.inputs["ingress"] == [] and group.inputs["egress"] == []


def test_the_s3_gateway_endpoint_is_on_every_route_table(prod):
    (s3,) = [e for e in prod.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    assert s3.inputs["serviceName"] == "com.amazonaws.us-west-2.s3"
    associations = prod.of_type(ENDPOINT_ROUTE_TABLE)
    assert all(a.inputs["vpcEndpointId"] == s3.id for a in associations)
    assert sorted(a.inputs["routeTableId"] for a in associations) == sorted(t.id for t in prod.of_type(ROUTE_TABLE))
    assert len(associations) == 4


def test_no_s3_gateway_endpoint_when_it_is_turned_off(dev_raw):
    run = plan(with_azs(dev_raw, ["us-west-2a"], vpcEndpoints={"s3": False}))
    assert run.of_type(ENDPOINT) == run.of_type(ENDPOINT_ROUTE_TABLE) == []


def test_interface_endpoints_have_private_dns_in_every_private_subnet(prod):
    interface = {
        e.inputs["serviceName"]: e for e in prod.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"
    }
    assert sorted(interface) == [f"com.amazonaws.us-west-2.{s}" for s in ("ec2", "elasticloadbalancing", "sts")]
    (group,) = prod.of_type(SG)
    private_ids = sorted(s.id for s in subnets(prod, "private").values())
    for endpoint in interface.values():
        assert endpoint.inputs["privateDnsEnabled"] is True
        assert endpoint.inputs["securityGroupIds"] == [group.id]
        # Set on the endpoint itself, in AZ order: an AZ added anywhere is an in-place update.
        assert endpoint.inputs["subnetIds"] == [s.id for _, s in sorted(subnets(prod, "private").items())]
        assert sorted(endpoint.inputs["subnetIds"]) == private_ids, endpoint.name
    assert prod.of_type(ENDPOINT_SUBNET) == []


def test_the_endpoint_security_group_admits_https_from_the_vpc_only(prod):
    (group,) = prod.of_type(SG)
    (rule,) = prod.of_type(INGRESS_RULE)
    assert "ingress" not in group.inputs and "egress" not in group.inputs
    assert {k: rule.inputs[k] for k in ("securityGroupId", "ipProtocol", "fromPort", "toPort", "cidrIpv4")} == {
        "securityGroupId": group.id,
        "ipProtocol": "tcp",
        "fromPort": 443,
        "toPort": 443,
        "cidrIpv4": "10.20.0.0/16",
    }


def test_nothing_admits_traffic_from_anywhere(prod):
    rules = [r.inputs for r in prod.of_type(INGRESS_RULE)]
    rules += [rule for g in prod.of_type(SG) + prod.of_type(DEFAULT_SG) for rule in g.inputs.get("ingress", [])]
    assert rules, "no ingress rule to check"
    for rule in rules:
        assert rule.get("cidrIpv4") != "0.0.0.0/0" and "0.0.0.0/0" not in rule.get("cidrBlocks", [])


def test_an_s3_interface_endpoint_leaves_in_vpc_traffic_on_the_gateway_endpoint(dev_raw):
    run = plan(with_azs(dev_raw, ["us-west-2a"], vpcEndpoints={"s3": True, "interface": ["s3"]}))
    (interface,) = [e for e in run.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Interface"]
    assert interface.inputs["dnsOptions"] == {"privateDnsOnlyForInboundResolverEndpoint": True}
    (gateway,) = [e.urn for e in run.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    assert gateway in interface.depends_on


def test_an_s3_interface_endpoint_without_the_gateway_endpoint_is_a_config_error(dev_raw):
    with pytest.raises(ConfigError, match=r"tkg-aws:network.vpcEndpoints.interface: an S3 interface endpoint"):
        plan(with_azs(dev_raw, ["us-west-2a"], vpcEndpoints={"s3": False, "interface": ["s3"]}))


def test_replacements_aws_would_refuse_to_overlap_delete_first(prod):
    delete_first = {r.type for r in network_children(prod) if r.options.get("deleteBeforeReplace")}
    assert delete_first == {SUBNET, ASSOCIATION, ENDPOINT_ROUTE_TABLE, ENDPOINT}
    (gateway,) = [e for e in prod.of_type(ENDPOINT) if e.inputs["vpcEndpointType"] == "Gateway"]
    assert "deleteBeforeReplace" not in gateway.options


# --- stability -------------------------------------------------------------------------------------
def unchanged_and_new(before: ProgramRun, after: ProgramRun) -> list[Registration]:
    """Assert every resource of `before` is in `after` as it was, but for the subnet list of an
    interface endpoint, which lists every AZ's subnet; return the resources `after` adds."""
    for urn, old in before.registrations.items():
        assert urn in after.registrations, f"{urn} would be deleted"
        new = after.registrations[urn]
        old_inputs, new_inputs = plan_data(old.inputs), plan_data(new.inputs)
        if old.type == ENDPOINT and old_inputs.get("vpcEndpointType") == "Interface":
            assert set(old_inputs.pop("subnetIds")) <= set(new_inputs.pop("subnetIds")), urn
        assert new_inputs == old_inputs, f"{urn} inputs changed"
        assert (new.options, new.provider, new.parent) == (old.options, old.provider, old.parent), urn
    return [r for urn, r in sorted(after.registrations.items()) if urn not in before.registrations]


def test_adding_an_az_leaves_every_existing_resource_untouched(dev, dev_raw):
    added = unchanged_and_new(dev, plan(with_azs(dev_raw, ["us-west-2a", "us-west-2b"])))
    tags = 2 * (1 + 2) + 2  # per subnet: load balancer role and two clusters; the route table's clusters
    assert sorted(r.type for r in added) == sorted(
        [SUBNET, SUBNET, ASSOCIATION, ASSOCIATION, ROUTE_TABLE, ROUTE, ENDPOINT_ROUTE_TABLE] + [TAG] * tags
    )
    assert all("us-west-2b" in r.name for r in added)


def test_adding_an_az_to_prod_only_adds_that_azs_resources(prod, prod_raw):
    added = unchanged_and_new(prod, plan(with_azs(prod_raw, [*PROD_AZS, "us-west-2d"])))
    tags = 2 * (1 + 3) + 3
    assert len(added) == 2 + 2 + 1 + 1 + 1 + 1 + 1 + tags  # subnets, associations, table, route, NAT, EIP, S3
    assert all("us-west-2d" in r.name for r in added)


def test_reversing_the_az_list_changes_no_resource(prod, prod_raw):
    reversed_run = plan(with_azs(prod_raw, list(reversed(PROD_AZS))))
    assert unchanged_and_new(prod, reversed_run) == []
    assert reversed_run.outputs["network"]["availabilityZones"] == list(reversed(PROD_AZS))


# --- outputs ---------------------------------------------------------------------------------------
def test_the_network_output_group_names_vpc_subnets_and_nat_ips_by_az(prod):
    network = prod.outputs["network"]
    (vpc,) = prod.of_type(VPC)
    assert network["vpcId"] == vpc.id
    assert network["availabilityZones"] == PROD_AZS
    assert network["publicSubnetIds"] == {az: s.id for az, s in subnets(prod, "public").items()}
    assert network["privateSubnetIds"] == {az: s.id for az, s in subnets(prod, "private").items()}
    nat_azs = [with_id(prod, SUBNET, n.inputs["subnetId"]).inputs["availabilityZone"] for n in prod.of_type(NAT)]
    ips = network["natGatewayPublicIps"]
    assert sorted(ips) == sorted(nat_azs) == PROD_AZS
    assert len({ipaddress.IPv4Address(ip) for ip in ips.values()}) == 3


# --- bring your own VPC -------------------------------------------------------------------------------
def test_an_existing_vpc_gets_one_tag_per_subnet_and_key_and_nothing_else(dev_raw):
    run = plan(existing_vpc_raw(dev_raw))
    assert {r.type for r in network_children(run)} == {TAG}
    tags = {(t.inputs["resourceId"], t.inputs["key"]): t.inputs["value"] for t in run.of_type(TAG)}
    assert len(run.of_type(TAG)) == len(tags) == 3 * 3  # subnets × (two clusters + load balancer role)
    assert tags[(PUBLIC_SUBNET_ID, "kubernetes.io/role/elb")] == "1"
    for subnet_id in PRIVATE_SUBNET_IDS.values():
        assert tags[(subnet_id, "kubernetes.io/role/internal-elb")] == "1"
        assert tags[(subnet_id, "kubernetes.io/cluster/tkg-wl-dev-1")] == "shared"
    assert (PUBLIC_SUBNET_ID, "kubernetes.io/role/internal-elb") not in tags
    assert "network-private-us-west-2b-kubernetes.io/cluster/tkg-mgmt-dev" in {t.name for t in run.of_type(TAG)}


def test_an_existing_vpc_is_the_network_output(dev_raw):
    network = plan(existing_vpc_raw(dev_raw)).outputs["network"]
    assert network == {
        "vpcId": "vpc-0123456789abcdef0",
        "availabilityZones": ["us-west-2a", "us-west-2b"],
        "publicSubnetIds": {"us-west-2a": PUBLIC_SUBNET_ID},
        "privateSubnetIds": PRIVATE_SUBNET_IDS,
        "natGatewayPublicIps": {},
    }


def test_existing_vpc_tags_keep_their_names_when_a_subnet_is_added(dev_raw):
    before = plan(existing_vpc_raw(dev_raw))
    more_private = {"us-west-2c": "subnet-0bbbbbbbbbbbbbbb3", **PRIVATE_SUBNET_IDS}
    added = unchanged_and_new(before, plan(existing_vpc_raw(dev_raw, privateSubnetIds=more_private)))
    assert len(added) == 3 and all("us-west-2c" in t.name for t in added)


# --- the steps -------------------------------------------------------------------------------------
def test_each_planned_subnet_joins_the_route_table_its_plan_names_through_what_the_steps_return():
    outpost = OutpostSubnet(
        "us-west-2a", "10.0.192.0/22", "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0"
    )
    cidrs = {"us-west-2a": ("10.0.224.0/22", "10.0.0.0/19"), "us-west-2b": ("10.0.228.0/22", "10.0.32.0/19")}
    args = NetworkArgs(
        environment="t",
        region="us-west-2",
        cidr="10.0.0.0/16",
        availability_zones=("us-west-2b", "us-west-2a"),
        subnet_cidrs=cidrs,
        nat_gateways="onePerAz",
        outpost_subnets=(outpost,),
    )
    ids: dict[str, str] = {}

    def build():
        made = new_network(Scope(pulumi.ComponentResource("test:index:Holder", "n"), "n", args))
        keyed = {f"{tier} {az}": subnet.id for (tier, az), subnet in made.subnets.by_key.items()}
        keyed |= {f"table {key}": table.id for key, table in made.route_tables.items()}
        return pulumi.Output.all(**keyed).apply(ids.update)

    registrations = register(build)
    assert sorted(ids) == [
        "outpost us-west-2a",
        "private us-west-2a",
        "private us-west-2b",
        "public us-west-2a",
        "public us-west-2b",
        "table outpost-us-west-2a",
        "table private-us-west-2a",
        "table private-us-west-2b",
        "table public",
    ]
    joined = {(r.inputs["subnetId"], r.inputs["routeTableId"]) for r in registrations.values() if r.type == ASSOCIATION}
    assert joined == {(ids[" ".join(p.key)], ids[f"table {p.route_table}"]) for p in args.subnet_plan}


# --- golden ----------------------------------------------------------------------------------------
def test_dev_network_matches_its_golden_file(dev, golden):
    resources = [{"type": r.type, "name": r.name, "inputs": plan_data(r.inputs)} for r in network_children(dev)]
    golden("network/dev.json", sorted(resources, key=lambda r: (r["type"], r["name"])))


# --- day 2: the NAT gateway's AZ and protection -----------------------------------------------------
def test_a_pinned_single_nat_gateway_stays_in_its_az_when_an_az_sorts_before_it(dev_raw):
    run = plan(with_azs(dev_raw, ["us-west-2a", "us-west-2b"], natGatewayAz="us-west-2b"))
    (nat,) = run.of_type(NAT)
    assert with_id(run, SUBNET, nat.inputs["subnetId"]).inputs["availabilityZone"] == "us-west-2b"
    assert {az: egress_nat_az(run, s) for az, s in subnets(run, "private").items()} == {
        "us-west-2a": "us-west-2b",
        "us-west-2b": "us-west-2b",
    }


@pytest.mark.parametrize(
    ("network", "problem"),
    [
        (
            {"availabilityZones": ["us-west-2a"], "natGatewayAz": "us-west-2c"},
            "tkg-aws:network.natGatewayAz: must be one of the stack's AZs ['us-west-2a'] (got 'us-west-2c')",
        ),
        (
            {"natGateways": "onePerAz", "natGatewayAz": "us-west-2a"},
            (
                "tkg-aws:network.natGatewayAz: only places the single NAT gateway; natGateways is onePerAz "
                "(got 'us-west-2a')"
            ),
        ),
    ],
)
def test_the_nat_gateway_az_must_be_a_stack_az_and_needs_a_single_gateway(dev_raw, network, problem):
    dev_raw["network"] = {**dev_raw["network"], **network}
    with pytest.raises(ConfigError) as raised:
        plan(dev_raw)
    assert problem in raised.value.problems


def test_the_plan_summary_says_when_the_nat_gateway_az_is_not_pinned(dev_raw):
    from tools.plan.command import summary

    assert not [line for line in summary(plan(dev_raw)) if "natGatewayAz" in line]  # dev pins it
    dev_raw["network"].pop("natGatewayAz")
    (note,) = [line for line in summary(plan(dev_raw)) if "natGatewayAz" in line]
    assert "us-west-2a" in note and "egress IP" in note


def test_what_running_clusters_stand_on_is_protected(prod):
    protected = sorted({r.type for r in network_children(prod) if r.options.get("protect")})
    assert protected == sorted([VPC, SUBNET, NAT, EIP, ROUTE_TABLE])
    counts = {t: sum(1 for r in network_children(prod) if r.type == t and r.options.get("protect")) for t in protected}
    assert counts == {VPC: 1, SUBNET: 6, NAT: 3, EIP: 3, ROUTE_TABLE: 4}


def test_network_protect_false_protects_nothing(prod_raw):
    prod_raw["network"]["protect"] = False
    assert [r.name for r in network_children(plan(prod_raw)) if r.options.get("protect")] == []


def test_an_existing_vpc_refuses_network_settings_it_would_ignore(dev_raw):
    raw = existing_vpc_raw(dev_raw)
    raw["network"].update(protect=False, natGatewayAz="us-west-2a")
    with pytest.raises(ConfigError) as raised:
        plan(raw)
    assert [p.split(":", 2)[1] for p in raised.value.problems] == ["network.natGatewayAz", "network.protect"]


def test_default_tags_under_the_prefixes_capa_writes_are_refused(dev_raw):
    dev_raw["tags"] = {**dev_raw["tags"], "kubernetes.io/cluster/tkg-mgmt-dev": "shared"}
    with pytest.raises(ConfigError, match=r"tkg-aws:tags: 'kubernetes.io/cluster/tkg-mgmt-dev' is under a prefix CAPA"):
        plan(dev_raw)
