"""Preflight of an EKS local cluster placed in an existing VPC: what AWS will need of that VPC.

The stack creates nothing in a VPC it does not own, so these are checked against the account,
read-only: the Outpost subnets exist in the VPC, sit on the configured Outpost in its parent AZ
(EKS refuses others) and have addresses free for the control plane and the nodes; the VPC
resolves DNS names and hostnames (creation fails otherwise and the cluster has to be made anew);
the subnets reach the region, through a NAT gateway default route or, fully private, through the
endpoints a local cluster needs; and the VPC is associated with the Outpost's local gateway route
table when on-premises networks are to reach the API.
"""

from __future__ import annotations

from typing import Any

from components.config.validators import NAMESPACE
from components.eks_outposts.config import EksLocalClusterConfig
from components.eks_outposts.network_rules import addresses_needed
from components.eks_outposts.platform import LOCAL_CLUSTER_INTERFACE_ENDPOINTS
from components.stack_config.models import StackConfig
from tools.preflight.aws_session import AwsClients
from tools.preflight.report import FAIL, OK, WARN, Row, looked_up
from tools.preflight.targets import Target

KEY = f"{NAMESPACE}:eksLocalCluster"


def outpost_rows(target: Target, clients: AwsClients, config: StackConfig) -> list[Row]:
    """Rows of the existing-VPC checks; none unless the local cluster goes into an existing VPC."""
    cluster, vpc = config.eks_local_cluster, config.network.existing_vpc
    if not target.is_management or cluster is None or vpc is None or not cluster.existing_subnet_ids:
        return []
    ec2 = clients.client("ec2")
    rows = looked_up(target.name, "Outpost subnets", lambda: [subnets_row(target.name, ec2, vpc.vpc_id, cluster)])
    rows += looked_up(target.name, "VPC DNS", lambda: [dns_row(target.name, ec2, vpc.vpc_id)])
    rows += looked_up(
        target.name, "regional access", lambda: [egress_row(target.name, ec2, vpc.vpc_id, cluster, config.region)]
    )
    rows += looked_up(target.name, "local gateway", lambda: [local_gateway_row(target.name, ec2, vpc.vpc_id)])
    return rows


def subnets_row(account: str, ec2: Any, vpc_id: str, cluster: EksLocalClusterConfig) -> Row:
    ids = sorted(cluster.existing_subnet_ids or [])
    found = {s["SubnetId"]: s for s in ec2.describe_subnets(Filters=[{"Name": "subnet-id", "Values": ids}])["Subnets"]}
    problems = []
    for subnet_id in ids:
        subnet = found.get(subnet_id)
        if subnet is None:
            problems.append(f"{subnet_id} does not exist")
        elif subnet["VpcId"] != vpc_id:
            problems.append(f"{subnet_id} is in {subnet['VpcId']}, not {vpc_id}")
        elif subnet.get("OutpostArn") != cluster.outpost_arn:
            problems.append(
                f"{subnet_id} is not on {cluster.outpost_arn} (on {subnet.get('OutpostArn') or 'the region'})"
            )
        elif subnet["AvailabilityZone"] != cluster.availability_zone:
            problems.append(f"{subnet_id} is in {subnet['AvailabilityZone']}, not {cluster.availability_zone}")
    if problems:
        action = f"correct {KEY}.existingSubnetIds: subnets of {vpc_id} on the Outpost"
        return Row(account, "Outpost subnets", FAIL, "; ".join(problems), action)
    free, needed = sum(found[s].get("AvailableIpAddressCount", 0) for s in ids), addresses_needed(cluster)
    if free < needed:
        action = "add Outpost subnets with free addresses, or lower the node groups' maxSize"
        details = (
            f"{free} free addresses, the cluster needs at least {needed} (3 control-plane interfaces and the nodes)"
        )
        return Row(account, "Outpost subnets", FAIL, details, action)
    return Row(
        account,
        "Outpost subnets",
        OK,
        f"{len(ids)} subnets of {vpc_id} on {cluster.outpost_arn}, {free} free addresses",
    )


def dns_row(account: str, ec2: Any, vpc_id: str) -> Row:
    off = [
        attribute
        for attribute, key in (("enableDnsSupport", "EnableDnsSupport"), ("enableDnsHostnames", "EnableDnsHostnames"))
        if not ec2.describe_vpc_attribute(VpcId=vpc_id, Attribute=attribute)[key]["Value"]
    ]
    if off:
        action = f"turn them on (aws ec2 modify-vpc-attribute --vpc-id {vpc_id} --enable-dns-...) before the cluster"
        return Row(
            account, "VPC DNS", FAIL, f"{', '.join(off)} off in {vpc_id}: EKS fails to create the cluster", action
        )
    return Row(account, "VPC DNS", OK, f"{vpc_id} resolves DNS names and hostnames")


def egress_row(account: str, ec2: Any, vpc_id: str, cluster: EksLocalClusterConfig, region: str) -> Row:
    """A NAT gateway default route on every Outpost subnet, or every endpoint a local cluster needs."""
    ids = sorted(cluster.existing_subnet_ids or [])
    tables = ec2.describe_route_tables(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["RouteTables"]
    main = next((t for t in tables if any(a.get("Main") for a in t.get("Associations", []))), None)
    by_subnet = {a["SubnetId"]: t for t in tables for a in t.get("Associations", []) if a.get("SubnetId")}
    natted = [
        s
        for s in ids
        if any(
            r.get("DestinationCidrBlock") == "0.0.0.0/0" and r.get("NatGatewayId")
            for r in (by_subnet.get(s) or main or {}).get("Routes", [])
        )
    ]
    if len(natted) == len(ids):
        return Row(account, "regional access", OK, "every Outpost subnet routes 0.0.0.0/0 to a NAT gateway")
    endpoints = ec2.describe_vpc_endpoints(Filters=[{"Name": "vpc-id", "Values": [vpc_id]}])["VpcEndpoints"]
    have = {e["ServiceName"].removeprefix(f"com.amazonaws.{region}.") for e in endpoints}
    missing = [s for s in (*LOCAL_CLUSTER_INTERFACE_ENDPOINTS, "s3") if s not in have]
    if missing:
        action = "add a NAT gateway route in the Outpost's parent AZ, or these endpoints (private DNS on)"
        details = f"no NAT gateway route and no endpoints for {', '.join(missing)} in {vpc_id}"
        return Row(account, "regional access", FAIL, details, action)
    return Row(account, "regional access", OK, f"fully private: every endpoint a local cluster needs is in {vpc_id}")


def local_gateway_row(account: str, ec2: Any, vpc_id: str) -> Row:
    associations = ec2.describe_local_gateway_route_table_vpc_associations(
        Filters=[{"Name": "vpc-id", "Values": [vpc_id]}]
    )["LocalGatewayRouteTableVpcAssociations"]
    if not [a for a in associations if a.get("State") == "associated"]:
        action = "associate the VPC with the Outpost's local gateway route table, or reach the API from inside the VPC"
        return Row(
            account, "local gateway", WARN, f"{vpc_id} is not associated with a local gateway route table", action
        )
    tables = ", ".join(sorted(a["LocalGatewayRouteTableId"] for a in associations))
    return Row(account, "local gateway", OK, f"{vpc_id} is associated with {tables}")
