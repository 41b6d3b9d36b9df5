"""Preflight of an EKS local cluster in an existing VPC (tools/preflight/outposts.py).

On moto's server (as tests/tools/preflight/test_preflight.py runs it): the subnets' VPC, the VPC's DNS attributes,
the route to a NAT gateway and the endpoints. moto has no Outposts: its subnets carry no OutpostArn
and it answers no local gateway API, so the Outpost placement and the local gateway association are
checked against botocore's Stubber, which validates each request and answer against EC2's model.
"""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber

from components.eks_outposts.config import EksLocalClusterConfig
from tests.tools.preflight.conftest import REGION
from tools.preflight.outposts import dns_row, egress_row, local_gateway_row, subnets_row
from tools.preflight.report import FAIL, OK, WARN

OUTPOST = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0"


def cluster(subnet_ids: list[str]) -> EksLocalClusterConfig:
    return EksLocalClusterConfig.model_validate(
        {"name": "edge", "outpostArn": OUTPOST, "availabilityZone": "us-west-2a", "existingSubnetIds": subnet_ids}
    )


@pytest.fixture
def vpc(account: boto3.Session):
    ec2 = account.client("ec2")
    vpc_id = ec2.create_vpc(CidrBlock="10.30.0.0/16")["Vpc"]["VpcId"]
    subnet = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.0.0/22", AvailabilityZone="us-west-2a")["Subnet"]
    return ec2, vpc_id, subnet["SubnetId"]


def test_a_vpc_without_dns_hostnames_fails_before_eks_would(vpc) -> None:
    ec2, vpc_id, _ = vpc
    row = dns_row("management", ec2, vpc_id)
    assert row.status == FAIL and "enableDnsHostnames off" in row.details
    ec2.modify_vpc_attribute(VpcId=vpc_id, EnableDnsHostnames={"Value": True})
    assert dns_row("management", ec2, vpc_id).status == OK


def test_outpost_subnets_without_nat_or_endpoints_fail_naming_what_is_missing(vpc) -> None:
    ec2, vpc_id, subnet_id = vpc
    row = egress_row("management", ec2, vpc_id, cluster([subnet_id]), REGION)
    assert row.status == FAIL and "ecr.dkr" in row.details and "s3" in row.details
    for service in ("ssm", "ssmmessages", "ec2messages", "ec2", "secretsmanager", "logs", "sts", "ecr.api", "ecr.dkr"):
        ec2.create_vpc_endpoint(
            VpcId=vpc_id,
            ServiceName=f"com.amazonaws.{REGION}.{service}",
            VpcEndpointType="Interface",
            SubnetIds=[subnet_id],
        )
    assert egress_row("management", ec2, vpc_id, cluster([subnet_id]), REGION).status == FAIL
    ec2.create_vpc_endpoint(VpcId=vpc_id, ServiceName=f"com.amazonaws.{REGION}.s3", VpcEndpointType="Gateway")
    assert egress_row("management", ec2, vpc_id, cluster([subnet_id]), REGION).status == OK


def test_a_nat_gateway_route_gives_the_outpost_subnet_regional_access(vpc) -> None:
    ec2, vpc_id, subnet_id = vpc
    public = ec2.create_subnet(VpcId=vpc_id, CidrBlock="10.30.8.0/24", AvailabilityZone="us-west-2a")["Subnet"]
    allocation = ec2.allocate_address(Domain="vpc")["AllocationId"]
    nat = ec2.create_nat_gateway(SubnetId=public["SubnetId"], AllocationId=allocation)["NatGateway"]["NatGatewayId"]
    table = ec2.create_route_table(VpcId=vpc_id)["RouteTable"]["RouteTableId"]
    ec2.create_route(RouteTableId=table, DestinationCidrBlock="0.0.0.0/0", NatGatewayId=nat)
    ec2.associate_route_table(RouteTableId=table, SubnetId=subnet_id)
    assert egress_row("management", ec2, vpc_id, cluster([subnet_id]), REGION).status == OK


def test_a_subnet_of_another_vpc_fails(vpc) -> None:
    ec2, _, subnet_id = vpc
    other = ec2.create_vpc(CidrBlock="10.40.0.0/16")["Vpc"]["VpcId"]
    row = subnets_row("management", ec2, other, cluster([subnet_id]))
    assert row.status == FAIL and "is in " in row.details and "existingSubnetIds" in row.action


# --- what moto lacks: the Outpost's placement and the local gateway ------------------------------
def stubbed() -> tuple[object, Stubber]:
    ec2 = boto3.client("ec2", region_name=REGION, aws_access_key_id="x", aws_secret_access_key="x")
    return ec2, Stubber(ec2)


def subnet(outpost_arn: str | None, free: int = 1000) -> dict:
    found = {
        "SubnetId": "subnet-0123456789abcdef0",
        "VpcId": "vpc-0123456789abcdef0",
        "AvailabilityZone": "us-west-2a",
        "AvailableIpAddressCount": free,
    }
    return found | ({"OutpostArn": outpost_arn} if outpost_arn else {})


@pytest.mark.parametrize(
    ("placed_on", "status"), [(OUTPOST, OK), (None, FAIL), (OUTPOST.replace("abcdef0", "abcdef1"), FAIL)]
)
def test_a_subnet_not_on_the_outpost_fails(placed_on: str | None, status: str) -> None:
    ec2, stub = stubbed()
    query = {"Filters": [{"Name": "subnet-id", "Values": ["subnet-0123456789abcdef0"]}]}
    stub.add_response("describe_subnets", {"Subnets": [subnet(placed_on)]}, query)
    with stub:
        row = subnets_row("management", ec2, "vpc-0123456789abcdef0", cluster(["subnet-0123456789abcdef0"]))
    assert row.status == status


def test_a_vpc_without_the_local_gateway_association_is_warned_about() -> None:
    ec2, stub = stubbed()
    query = {"Filters": [{"Name": "vpc-id", "Values": ["vpc-0123456789abcdef0"]}]}
    stub.add_response(
        "describe_local_gateway_route_table_vpc_associations", {"LocalGatewayRouteTableVpcAssociations": []}, query
    )
    association = {
        "LocalGatewayRouteTableId": "lgw-rtb-0123456789abcdef0",
        "VpcId": "vpc-0123456789abcdef0",
        "State": "associated",
    }
    stub.add_response(
        "describe_local_gateway_route_table_vpc_associations",
        {"LocalGatewayRouteTableVpcAssociations": [association]},
        query,
    )
    with stub:
        assert local_gateway_row("management", ec2, "vpc-0123456789abcdef0").status == WARN
        assert local_gateway_row("management", ec2, "vpc-0123456789abcdef0").status == OK


def test_an_outpost_subnet_without_room_for_the_nodes_fails() -> None:
    ec2, stub = stubbed()
    query = {"Filters": [{"Name": "subnet-id", "Values": ["subnet-0123456789abcdef0"]}]}
    stub.add_response("describe_subnets", {"Subnets": [subnet(OUTPOST, free=11)]}, query)
    with stub:
        row = subnets_row("management", ec2, "vpc-0123456789abcdef0", cluster(["subnet-0123456789abcdef0"]))
    assert row.status == FAIL and "11 free addresses, the cluster needs at least 36" in row.details
