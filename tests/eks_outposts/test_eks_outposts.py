"""EKS local cluster on an Outpost (the outposts stack fixture): Outpost subnet, endpoints, roles, the
cluster's outpost config, self-managed nodes, outputs, and the config it refuses."""

from __future__ import annotations

import base64
import copy
import ipaddress
import json

import pytest
import yaml

from components.config.base import ConfigError
from components.eks_outposts.platform import LOCAL_CLUSTER_INTERFACE_ENDPOINTS
from tests.conftest import REPO, plan, stack_file
from tools.plan.command import summary
from tools.plan.program import ProgramRun

OUTPOST = "arn:aws:outposts:us-west-2:123456789012:outpost/op-0123456789abcdef0"
SUFFIX = ".tkg.cloud.vmware.com"
CLUSTER_ROLE = "edge-outpost-eks-local-cluster"
NODE_ROLE = "edge-outpost-eks-local-nodes"


@pytest.fixture(scope="module")
def outposts_raw() -> dict:
    return stack_file("outposts")[0]


@pytest.fixture(scope="module")
def run(outposts_raw: dict) -> ProgramRun:
    return plan(copy.deepcopy(outposts_raw), stack="outposts")


def fresh(raw: dict) -> dict:
    return copy.deepcopy(raw)


def test_the_outpost_subnet_sits_on_the_outpost_beside_the_parent_az(run: ProgramRun) -> None:
    subnets = {s.name: s.inputs for s in run.of_type("aws:ec2/subnet:Subnet")}
    outpost = subnets["network-outpost-us-west-2a"]
    assert outpost["outpostArn"] == OUTPOST and outpost["availabilityZone"] == "us-west-2a"
    assert outpost["cidrBlock"] == "10.20.192.0/22" and outpost["mapPublicIpOnLaunch"] is False
    assert sorted(subnets) == ["network-outpost-us-west-2a", "network-private-us-west-2a", "network-public-us-west-2a"]
    vpc = run.of_type("aws:ec2/vpc:Vpc")[0].inputs
    assert vpc["enableDnsSupport"] is True and vpc["enableDnsHostnames"] is True
    assert run.outputs["network"]["outpostSubnetIds"] == {
        "us-west-2a": run.named("aws:ec2/subnet:Subnet", "network-outpost-us-west-2a").id
    }


def test_the_outpost_subnet_routes_by_nat_and_local_gateway(run: ProgramRun) -> None:
    table = run.named("aws:ec2/routeTable:RouteTable", "network-outpost-us-west-2a")
    routes = {
        r.inputs["destinationCidrBlock"]: r.inputs
        for r in run.of_type("aws:ec2/route:Route")
        if r.inputs["routeTableId"] == table.id
    }
    assert "natGatewayId" in routes["0.0.0.0/0"]
    assert routes["192.168.0.0/16"]["localGatewayId"] == "lgw-0123456789abcdef0"
    association = run.of_type("aws:ec2/localGatewayRouteTableVpcAssociation:LocalGatewayRouteTableVpcAssociation")
    assert [a.inputs["localGatewayRouteTableId"] for a in association] == ["lgw-rtb-0123456789abcdef0"]
    s3 = [
        a.inputs["routeTableId"]
        for a in run.of_type("aws:ec2/vpcEndpointRouteTableAssociation:VpcEndpointRouteTableAssociation")
    ]
    assert table.id in s3


def test_the_endpoint_set_is_one_and_admits_https_from_the_outpost_subnet(run: ProgramRun) -> None:
    endpoints = run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")
    services = sorted(e.inputs["serviceName"].removeprefix("com.amazonaws.us-west-2.") for e in endpoints)
    assert services == sorted([*LOCAL_CLUSTER_INTERFACE_ENDPOINTS, "s3"])
    interface = [e for e in endpoints if e.inputs["vpcEndpointType"] == "Interface"]
    assert all(e.inputs["privateDnsEnabled"] is True for e in interface)
    private = run.named("aws:ec2/subnet:Subnet", "network-private-us-west-2a").id
    # In the regional private subnet of the Outpost's parent AZ, set on each endpoint itself.
    assert len(interface) == 9 and all(e.inputs["subnetIds"] == [private] for e in interface)
    (rule,) = [
        r for r in run.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule") if "endpoints" in r.name
    ]
    assert (rule.inputs["fromPort"], rule.inputs["toPort"], rule.inputs["ipProtocol"]) == (443, 443, "tcp")
    assert ipaddress.ip_network("10.20.192.0/22").subnet_of(ipaddress.ip_network(rule.inputs["cidrIpv4"]))


def test_tkg_endpoints_and_the_local_cluster_s_are_not_duplicated(outposts_raw: dict) -> None:
    raw = fresh(outposts_raw)
    raw["network"]["vpcEndpoints"]["interface"] = ["ec2", "elasticloadbalancing", "sts"]
    services = [e.inputs["serviceName"] for e in plan(raw, stack="outposts").of_type("aws:ec2/vpcEndpoint:VpcEndpoint")]
    assert len(services) == len(set(services)) == 11


def test_cluster_and_node_roles_carry_their_policies(run: ProgramRun) -> None:
    roles = {r.inputs["name"]: r for r in run.of_type("aws:iam/role:Role")}
    assert sorted(roles) == [CLUSTER_ROLE, NODE_ROLE]
    for role in roles.values():
        trust = json.loads(role.inputs["assumeRolePolicy"])
        assert trust["Statement"] == [
            {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
        ]
        assert role.options["protect"] is True and role.options["deleteBeforeReplace"] is True
    attached = sorted(
        (a.inputs["role"], a.inputs["policyArn"].rsplit("/", 1)[1])
        for a in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    )
    assert attached == [
        (CLUSTER_ROLE, "AmazonEKSLocalOutpostClusterPolicy"),
        (NODE_ROLE, "AmazonEC2ContainerRegistryPullOnly"),
        (NODE_ROLE, "AmazonEKSWorkerNodePolicy"),
        (NODE_ROLE, "AmazonEKS_CNI_Policy"),
        (NODE_ROLE, "AmazonSSMManagedInstanceCore"),
    ]
    (profile,) = run.of_type("aws:iam/instanceProfile:InstanceProfile")
    assert profile.inputs["name"] == NODE_ROLE


def test_the_cluster_role_keeps_the_former_iam_set_urn(run: ProgramRun) -> None:
    role = run.named("aws:iam/role:Role", "eks-local-cluster")
    assert (
        "urn:pulumi:outposts::tkg-aws::tkg-aws:iam:ClusterIam$aws:iam/role:Role::iam-eks-local-cluster"
        in role.options.get("aliases", [])
    )


def test_the_cluster_runs_on_the_outpost_with_a_private_endpoint(run: ProgramRun) -> None:
    (cluster,) = run.of_type("aws:eks/cluster:Cluster")
    inputs = cluster.inputs
    outpost = inputs["outpostConfig"]
    assert outpost["outpostArns"] == [OUTPOST] and outpost["controlPlaneInstanceType"] == "m5.large"
    assert outpost["controlPlanePlacement"] == {"groupName": "edge-outpost-control-plane"}
    assert inputs["vpcConfig"]["endpointPrivateAccess"] is True and inputs["vpcConfig"]["endpointPublicAccess"] is False
    assert inputs["vpcConfig"]["subnetIds"] == [run.named("aws:ec2/subnet:Subnet", "network-outpost-us-west-2a").id]
    assert inputs["accessConfig"]["authenticationMode"] == "CONFIG_MAP"
    assert inputs["version"] == "1.32" and cluster.options["protect"] is True
    (group,) = run.of_type("aws:ec2/placementGroup:PlacementGroup")
    assert (group.inputs["strategy"], group.inputs["spreadLevel"]) == ("spread", "host")


def test_nodes_boot_amazon_linux_on_gp2_in_the_outpost_subnet(run: ProgramRun) -> None:
    (template,) = run.of_type("aws:ec2/launchTemplate:LaunchTemplate")
    inputs = template.inputs
    assert (
        inputs["imageId"]
        == "resolve:ssm:/aws/service/eks/optimized-ami/1.32/amazon-linux-2023/x86_64/standard/recommended/image_id"
    )
    (device,) = inputs["blockDeviceMappings"]
    assert device["ebs"]["volumeType"] == "gp2" and device["ebs"]["volumeSize"] == 40
    assert inputs["metadataOptions"]["httpTokens"] == "required"
    assert inputs["metadataOptions"]["httpPutResponseHopLimit"] == 1
    text = base64.b64decode(inputs["userData"]).decode()
    config = yaml.safe_load(text.split("application/node.eks.aws\n\n", 1)[1].split("\n--BOUNDARY--", 1)[0])
    cluster = config["spec"]["cluster"]
    assert (
        cluster["enableOutpost"] is True
        and cluster["name"] == "edge-outpost"
        and cluster["id"]
        and cluster["cidr"] == "10.100.0.0/16"
    )
    (group,) = run.of_type("aws:autoscaling/group:Group")
    assert group.inputs["vpcZoneIdentifiers"] == [run.named("aws:ec2/subnet:Subnet", "network-outpost-us-west-2a").id]
    assert (group.inputs["minSize"], group.inputs["desiredCapacity"], group.inputs["maxSize"]) == (1, 3, 6)


def test_amazon_linux_2_nodes_get_the_local_outpost_bootstrap(outposts_raw: dict) -> None:
    raw = fresh(outposts_raw)
    raw["eksLocalCluster"]["nodes"]["amiFamily"] = "AmazonLinux2"
    (template,) = plan(raw, stack="outposts").of_type("aws:ec2/launchTemplate:LaunchTemplate")
    script = base64.b64decode(template.inputs["userData"]).decode()
    assert "/etc/eks/bootstrap.sh edge-outpost" in script and "--enable-local-outpost true --cluster-id " in script
    assert template.inputs["imageId"].endswith("/1.32/amazon-linux-2/recommended/image_id")


def test_the_node_role_is_mapped_in_aws_auth_before_nodes_launch(run: ProgramRun) -> None:
    (config_map,) = run.of_type("kubernetes:core/v1:ConfigMap")
    assert config_map.inputs["metadata"] == {
        "name": "aws-auth",
        "namespace": "kube-system",
        "annotations": {"pulumi.com/patchForce": "true"},
    }
    (mapped,) = yaml.safe_load(config_map.inputs["data"]["mapRoles"])
    assert mapped["rolearn"] == f"arn:aws:iam::123456789012:role/{NODE_ROLE}"
    assert mapped["groups"] == ["system:bootstrappers", "system:nodes"]
    (group,) = run.of_type("aws:autoscaling/group:Group")
    assert config_map.urn in group.depends_on


def test_outputs_name_the_cluster_and_keep_the_kubeconfig_secret(run: ProgramRun) -> None:
    out = run.outputs["eksLocalCluster"]
    assert out["clusterName"] == "edge-outpost" and out["endpoint"].startswith("https://")
    assert out["certificateAuthority"] and out["clusterId"]
    assert run.outputs["eksLocalClusterKubeconfig"] == "[secret]"
    row = next(
        line
        for line in (REPO / "docs" / "outputs.md").read_text().splitlines()
        if line.startswith("| `eksLocalClusterKubeconfig`")
    )
    assert row.rstrip().endswith("**yes** |")
    assert "eksctlClusterConfig" not in out


def test_the_summary_says_what_runs_on_the_outpost(run: ProgramRun) -> None:
    lines = "\n".join(summary(run))
    assert "3 × m5.large control plane, spread by host, 246 GB gp2 EBS" in lines
    assert "3 × m5.xlarge nodes (1..6)" in lines and "9 × interface endpoint AZ" in lines
    assert (
        "the API is private: run `pulumi up` (it applies aws-auth before nodes launch) and kubectl from the VPC "
        "10.20.0.0/16; the on-premises networks 192.168.0.0/16 (local gateway)"
    ) in lines
    assert "WARNING" not in lines


REFUSED = [
    (
        {"outpostArn": OUTPOST.replace("us-west-2", "us-east-1")},
        "tkg-aws:eksLocalCluster.outpostArn: the Outpost must be in the stack's region",
    ),
    (
        {"outpostArn": OUTPOST.replace("123456789012", "999999999999")},
        "tkg-aws:eksLocalCluster.outpostArn: the Outpost must belong to the management account",
    ),
    (
        {"nodes": {"maxSize": 40, "desiredSize": 30}},
        (
            "tkg-aws:eksLocalCluster.controlPlaneInstanceType: 40 nodes (nodes.maxSize) need a control plane "
            "of at least xlarge"
        ),
    ),
    (
        {"nodes": {"volumeType": "gp3"}},
        "tkg-aws:eksLocalCluster.nodes.volumeType: EBS on an Outpost offers gp2 only (got 'gp3')",
    ),
    ({"kubernetesVersion": "1.33"}, "tkg-aws:eksLocalCluster.kubernetesVersion: local clusters run Kubernetes"),
    (
        {"availabilityZone": "us-west-2b"},
        "tkg-aws:eksLocalCluster.availabilityZone: must be one of network.availabilityZones",
    ),
]


@pytest.mark.parametrize(("change", "expected"), REFUSED)
def test_bad_config_is_refused_with_keyed_lines(outposts_raw: dict, change: dict, expected: str) -> None:
    raw = fresh(outposts_raw)
    raw["eksLocalCluster"].update(change)
    with pytest.raises(ConfigError) as err:
        plan(raw, stack="outposts")
    assert any(p.startswith(expected) for p in err.value.problems), err.value.problems


def test_an_unsupported_region_is_refused(outposts_raw: dict) -> None:
    raw = fresh(outposts_raw)
    raw["network"]["availabilityZones"] = ["eu-north-1a"]
    raw["network"]["natGatewayAz"] = "eu-north-1a"
    raw["eksLocalCluster"].update(outpostArn=OUTPOST.replace("us-west-2", "eu-north-1"), availabilityZone="eu-north-1a")
    with pytest.raises(ConfigError) as err:
        plan(raw, region="eu-north-1", stack="outposts")
    assert err.value.problems == [
        (
            "tkg-aws:eksLocalCluster: local clusters are offered in ap-northeast-1, ap-northeast-2, ap-southeast-1, "
            "ap-southeast-2, ca-central-1, eu-central-1, eu-west-1, eu-west-2, me-south-1, sa-east-1, us-east-1, "
            "us-east-2, us-west-1, us-west-2 only (got 'eu-north-1')"
        )
    ]


def test_the_former_role_key_and_the_platform_are_refused_together(outposts_raw: dict) -> None:
    raw = fresh(outposts_raw)
    del raw["tkg"]
    raw["iam"] = {"eksLocalClusterRole": True}
    with pytest.raises(ConfigError) as err:
        plan(raw, stack="outposts")
    assert [p.split(":")[1] for p in err.value.problems] == ["iam.eksLocalClusterRole"]


def test_an_empty_section_is_the_platform_off(outposts_raw: dict) -> None:
    raw = fresh(outposts_raw)
    raw["eksLocalCluster"] = {}
    run = plan(raw, stack="outposts")
    assert run.config.eks_local_cluster is None and not run.of_type("aws:eks/cluster:Cluster")
    assert "outpostSubnetIds" not in run.outputs["network"] and len(run.of_type("aws:ec2/subnet:Subnet")) == 2
