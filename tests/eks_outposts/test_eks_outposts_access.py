"""An EKS local cluster that nodes join and operators reach, connected or not: the API's security
group rules, aws-auth with an IAM path, the creator's kubeconfig, the disconnected kubeconfig and
hosts lines, node groups keyed by name, images by architecture and GPU, the EBS CSI driver, and
the config variants of a field review (refused naming the key, or accepted as AWS would)."""

from __future__ import annotations

import base64
import copy
import json
from pathlib import Path

import pytest
import yaml

from components.config.base import ConfigError
from components.stack_config.loading import parse_config
from tests.conftest import REPO, plan, stack_file
from tests.transitions import Transition
from tools.plan.command import summary, write_eks_local_files
from tools.plan.program import ProgramRun, run_config

CREATOR = "arn:aws:iam::123456789012:role/platform-deployer"
RULE = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"


def outposts() -> dict:
    return copy.deepcopy(stack_file("outposts")[0])


def plan_with_provider(raw: dict, provider_values: dict) -> ProgramRun:
    config = parse_config(raw, "us-west-2", provider_values=provider_values, project_dir=REPO)
    return run_config(config, "outposts")


@pytest.fixture(scope="module")
def field() -> ProgramRun:
    """Operators' variant: an IAM path, an assumed deployer role, admin networks, a GPU node group
    whose pods reach IMDS, the EBS CSI driver and a disconnected admin."""
    raw = outposts()
    raw["iam"] = {"path": "/platform/eks/"}
    cluster = raw["eksLocalCluster"]
    cluster["apiAccessCidrs"] = ["172.16.8.0/24"]
    cluster["nodeGroups"] = {"gpu": {"instanceType": "g4dn.xlarge", "desiredSize": 1, "maxSize": 2, "imdsHopLimit": 2}}
    cluster["ebsCsiDriver"] = True
    cluster["disconnectedAdmin"] = "outpost-admin"
    return plan_with_provider(raw, {"aws:assumeRoles": [{"roleArn": CREATOR, "sessionName": "pulumi"}]})


def test_the_api_is_reachable_from_the_vpc_the_on_premises_network_and_admin_cidrs(field: ProgramRun) -> None:
    (cluster,) = field.of_type("aws:eks/cluster:Cluster")
    api = {r.inputs["cidrIpv4"]: r for r in field.of_type(RULE) if "-api-" in r.name}
    assert sorted(api) == ["10.20.0.0/16", "172.16.8.0/24", "192.168.0.0/16"]
    security_group = field.outputs["eksLocalCluster"]["securityGroupId"]
    assert all(r.inputs["securityGroupId"] == security_group for r in api.values())
    assert all(
        (r.inputs["fromPort"], r.inputs["toPort"], r.inputs["ipProtocol"]) == (443, 443, "tcp") for r in api.values()
    )
    (config_map,) = field.of_type("kubernetes:core/v1:ConfigMap")
    # aws-auth goes through the private endpoint only once the rules let `pulumi up`'s host in.
    assert {r.urn for r in api.values()} <= set(field.registrations[config_map.parent].depends_on)


def test_a_node_whose_role_has_an_iam_path_joins(field: ProgramRun) -> None:
    (node_role,) = [r for r in field.of_type("aws:iam/role:Role") if r.inputs["name"].endswith("-nodes")]
    assert node_role.inputs["path"] == "/platform/eks/"
    (config_map,) = field.of_type("kubernetes:core/v1:ConfigMap")
    (mapped,) = yaml.safe_load(config_map.inputs["data"]["mapRoles"])
    # The authenticator sees the node's assumed-role session, which names the role without its path.
    assert mapped["rolearn"] == "arn:aws:iam::123456789012:role/edge-outpost-eks-local-nodes"
    assert config_map.inputs["metadata"]["annotations"] == {"pulumi.com/patchForce": "true"}
    provider = field.registrations[config_map.provider]
    assert provider.inputs["enableConfigMapMutable"] == "true" and provider.inputs["upsertExistingObjects"] == "true"
    # Only aws-auth takes over a namesake: the other objects' provider fails on one, as by default.
    (binding,) = field.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
    assert "upsertExistingObjects" not in field.registrations[binding.provider].inputs


def test_the_kubeconfig_authenticates_as_the_creator_the_provider_assumes(field: ProgramRun) -> None:
    kubeconfig = json.loads(field.outputs["eksLocalCluster"]["kubeconfig"])
    command = kubeconfig["users"][0]["user"]["exec"]
    assert command["command"] == "aws" and command["args"][:3] == ["eks", "get-token", "--cluster-id"]
    assert command["args"][-2:] == ["--role-arn", CREATOR] and "env" not in command


def test_the_kubeconfig_uses_the_provider_s_profile() -> None:
    run = plan_with_provider(outposts(), {"aws:profile": "outpost-admin"})
    command = json.loads(run.outputs["eksLocalCluster"]["kubeconfig"])["users"][0]["user"]["exec"]
    assert command["env"] == [{"name": "AWS_PROFILE", "value": "outpost-admin"}] and "--role-arn" not in command["args"]


def test_the_kubeconfig_starts_from_the_provider_s_web_identity() -> None:
    identity = {"roleArn": CREATOR, "webIdentityTokenFile": "/var/run/oidc/token", "sessionName": "ci"}
    run = plan_with_provider(outposts(), {"aws:assumeRoleWithWebIdentity": identity})
    command = json.loads(run.outputs["eksLocalCluster"]["kubeconfig"])["users"][0]["user"]["exec"]
    assert command["env"] == [
        {"name": "AWS_ROLE_ARN", "value": CREATOR},
        {"name": "AWS_ROLE_SESSION_NAME", "value": "ci"},
        {"name": "AWS_WEB_IDENTITY_TOKEN_FILE", "value": "/var/run/oidc/token"},
    ]
    assert "--role-arn" not in command["args"]


def test_operators_get_an_x509_kubeconfig_and_hosts_lines_for_disconnects(field: ProgramRun, tmp_path: Path) -> None:
    out = field.outputs["eksLocalCluster"]
    written = {p.name: p for p in write_eks_local_files(out, tmp_path)}
    assert sorted(written) == [
        "eks-local-control-plane.hosts",
        "eks-local-kubeconfig-disconnected.yaml",
        "eks-local-kubeconfig.yaml",
    ]
    offline = yaml.safe_load(written["eks-local-kubeconfig-disconnected.yaml"].read_text())
    assert offline["users"] == [
        {
            "name": "outpost-admin-x509",
            "user": {"client-certificate": "outpost-admin.crt", "client-key": "outpost-admin.key"},
        }
    ]
    host = out["endpoint"].removeprefix("https://")
    assert offline["clusters"][0]["cluster"]["server"] == out["endpoint"]
    lines = written["eks-local-control-plane.hosts"].read_text().splitlines()
    assert len(lines) == 3 and all(line.split()[1] == host for line in lines)
    (binding,) = field.of_type("kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding")
    assert binding.inputs["subjects"] == [
        {"apiGroup": "rbac.authorization.k8s.io", "kind": "User", "name": "outpost-admin"}
    ]
    assert binding.inputs["roleRef"]["name"] == "cluster-admin"
    assert "PRIVATE KEY" not in json.dumps(out)


def test_gpu_nodes_boot_the_nvidia_image_and_let_the_ebs_csi_controller_reach_imds(field: ProgramRun) -> None:
    templates = {t.name: t.inputs for t in field.of_type("aws:ec2/launchTemplate:LaunchTemplate")}
    gpu = templates["edge-outpost-nodes-gpu"]
    assert gpu["imageId"].endswith("/1.32/amazon-linux-2023/x86_64/nvidia/recommended/image_id")
    assert gpu["metadataOptions"]["httpPutResponseHopLimit"] == 2
    assert templates["edge-outpost-nodes"]["metadataOptions"]["httpPutResponseHopLimit"] == 1
    user_data = base64.b64decode(gpu["userData"]).decode()
    assert "--node-labels=tkg-aws/pods-reach-imds=true" in user_data
    (release,) = field.of_type("kubernetes:helm.sh/v3:Release")
    assert release.inputs["chart"] == "aws-ebs-csi-driver"
    assert release.inputs["values"]["controller"]["nodeSelector"] == {"tkg-aws/pods-reach-imds": "true"}
    (storage,) = field.of_type("kubernetes:storage.k8s.io/v1:StorageClass")
    assert storage.inputs["parameters"] == {"type": "gp2", "encrypted": "true"}
    attached = [a.inputs["policyArn"] for a in field.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment")]
    assert "arn:aws:iam::aws:policy/service-role/AmazonEBSCSIDriverPolicy" in attached
    lines = "\n".join(summary(field))
    assert "WARNING eksLocalCluster: pods on gpu reach the instance metadata service" in lines


def test_adding_a_node_group_touches_nothing_else() -> None:
    raw = outposts()
    before = plan(copy.deepcopy(raw), stack="outposts")
    raw["eksLocalCluster"]["nodeGroups"] = {"batch": {"instanceType": "c5.2xlarge", "maxSize": 2}}
    after = plan(raw, stack="outposts")
    change = Transition(before, after)
    assert {c.type for c in change.of_kind("added")} == {
        "tkg-aws:eksOutposts:SelfManagedNodes",
        "aws:ec2/launchTemplate:LaunchTemplate",
        "aws:autoscaling/group:Group",
    }
    assert not change.of_kind("removed", "replaced", "changed", "aliased")


def test_letting_an_admin_network_in_adds_one_rule_and_touches_nothing_else() -> None:
    raw = outposts()
    before = plan(copy.deepcopy(raw), stack="outposts")
    raw["eksLocalCluster"]["apiAccessCidrs"] = ["172.16.8.0/24"]
    change = Transition(before, plan(raw, stack="outposts"))
    assert [(c.type, c.name) for c in change.of_kind("added")] == [(RULE, "edge-outpost-api-172.16.8.0/24")]
    assert not change.of_kind("removed", "replaced", "aliased", "changed")


def test_aws_auth_and_its_provider_keep_their_urns_from_the_first_node_group() -> None:
    run = plan(outposts(), stack="outposts")
    (config_map,) = run.of_type("kubernetes:core/v1:ConfigMap")
    former = "tkg-aws:eksOutposts:SelfManagedNodes$kubernetes:core/v1:ConfigMap::edge-outpost-nodes-aws-auth"
    assert any(alias.endswith(former) for alias in config_map.options["aliases"])


# --- config variants: refused naming the key, or accepted as AWS would ----------------------------
def refusal(change) -> list[str]:
    raw = outposts()
    change(raw)
    with pytest.raises(ConfigError) as err:
        plan(raw, stack="outposts")
    return err.value.problems


def set_cluster(**values):
    return lambda raw: raw["eksLocalCluster"].update(values)


def set_nodes(**values):
    return lambda raw: raw["eksLocalCluster"]["nodes"].update(values)


def set_network(**values):
    return lambda raw: raw["network"].update(values)


def set_gateway_cidrs(*cidrs):
    return lambda raw: raw["eksLocalCluster"]["localGateway"].update(destinationCidrs=list(cidrs))


REFUSED = [
    (
        set_cluster(controlPlaneInstanceType="t3.large"),
        "eksLocalCluster.controlPlaneInstanceType: not a type of an Outposts rack",
    ),
    (
        set_cluster(controlPlaneInstanceType="m5.medium"),
        "eksLocalCluster.controlPlaneInstanceType: not an EC2 instance type",
    ),
    (set_nodes(instanceType="t2.xlarge"), "eksLocalCluster.nodes.instanceType: not a type of an Outposts rack"),
    (set_nodes(instanceType="m6g.xlarge"), "eksLocalCluster.nodes.instanceType: not a type of an Outposts rack"),
    (set_cluster(subnetCidr="10.20.192.0/28"), "eksLocalCluster.subnetCidr: 11 usable addresses, the cluster needs"),
    (set_gateway_cidrs("0.0.0.0/0"), "eksLocalCluster.localGateway.destinationCidrs: 0.0.0.0/0 is the NAT gateway's"),
    (set_gateway_cidrs("10.20.5.0/24"), "eksLocalCluster.localGateway.destinationCidrs: 10.20.5.0/24 lies inside"),
    (
        set_gateway_cidrs("192.168.0.0/16", "192.168.0.0/16"),
        "eksLocalCluster.localGateway.destinationCidrs: 192.168.0.0/16 is listed twice",
    ),
    (
        set_cluster(apiAccessCidrs=["172.16.0.0/24", "172.16.0.0/24"]),
        "eksLocalCluster.apiAccessCidrs: 172.16.0.0/24 is listed twice",
    ),
    (set_cluster(ebsCsiDriver=True), "eksLocalCluster.ebsCsiDriver: the driver's controller runs with the node role"),
    (set_cluster(roleNames={"nodes": "bad name!"}), "eksLocalCluster.roleNames.nodes: not an IAM role name"),
    (set_cluster(nodeGroups={"GPU_1": {}}), "eksLocalCluster.nodeGroups.GPU_1"),
    (set_cluster(name="edge-" + "x" * 42), "eksLocalCluster.name: makes the cluster role name"),
    (set_nodes(imdsHopLimit=0), "eksLocalCluster.nodes.imdsHopLimit"),
    (
        set_cluster(nodeGroups={"batch": {"maxSize": 15, "desiredSize": 1}}),
        "eksLocalCluster.controlPlaneInstanceType: 21 nodes (the maxSize of nodes and nodeGroups) need",
    ),
    (set_cluster(roleNames={"cluster": "edge", "nodes": "edge"}), "eksLocalCluster.roleNames: EKS needs a node role"),
]


@pytest.mark.parametrize(
    ("change", "expected"), REFUSED, ids=[e.split(":")[0] + str(i) for i, (_, e) in enumerate(REFUSED)]
)
def test_a_config_aws_would_refuse_is_refused_naming_the_key(change, expected: str) -> None:
    problems = refusal(change)
    assert any(p.startswith(f"tkg-aws:{expected}") for p in problems), problems


def test_a_nat_gateway_outside_the_outposts_parent_az_is_refused() -> None:
    def two_azs(raw):
        raw["network"].update(availabilityZones=["us-west-2a", "us-west-2b"], natGatewayAz="us-west-2b")

    problems = refusal(two_azs)
    assert any(
        p.startswith("tkg-aws:network.natGatewayAz: the Outpost subnet's NAT gateway must sit") for p in problems
    )


def test_the_fully_private_layout_is_accepted_with_tkg_off() -> None:
    raw = outposts()
    raw["network"]["natGateways"] = "none"
    del raw["network"]["natGatewayAz"]
    run = plan(raw, stack="outposts")
    assert not run.of_type("aws:ec2/natGateway:NatGateway")
    services = {e.inputs["serviceName"].rsplit(".", 1)[-1] for e in run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint")}
    assert {"s3", "sts", "ssm", "ssmmessages", "ec2messages", "secretsmanager", "dkr", "api"} <= services
    raw["network"]["vpcEndpoints"]["s3"] = False
    problems = refusal(lambda r: r.update(network=raw["network"]))
    assert any(p.startswith("tkg-aws:network.vpcEndpoints.s3: without NAT gateways") for p in problems)


def test_the_ebs_csi_driver_is_refused_where_its_images_cannot_be_pulled() -> None:
    def private_with_driver(raw):
        raw["network"]["natGateways"] = "none"
        del raw["network"]["natGatewayAz"]
        raw["eksLocalCluster"].update(ebsCsiDriver=True)
        raw["eksLocalCluster"]["nodes"]["imdsHopLimit"] = 2

    problems = refusal(private_with_driver)
    assert [p.split(":")[1] for p in problems] == ["eksLocalCluster.ebsCsiDriver"]


def test_no_s3_gateway_endpoint_is_accepted_when_a_nat_gives_egress() -> None:
    raw = outposts()
    raw["network"]["vpcEndpoints"]["s3"] = False
    run = plan(raw, stack="outposts")
    assert not [e for e in run.of_type("aws:ec2/vpcEndpoint:VpcEndpoint") if e.inputs["vpcEndpointType"] == "Gateway"]


def test_an_api_open_to_every_network_is_accepted_with_a_warning() -> None:
    raw = outposts()
    raw["eksLocalCluster"]["apiAccessCidrs"] = ["0.0.0.0/0"]
    assert "WARNING eksLocalCluster.apiAccessCidrs: 0.0.0.0/0" in "\n".join(summary(plan(raw, stack="outposts")))


def test_amazon_linux_2_is_accepted_with_a_warning() -> None:
    raw = outposts()
    raw["eksLocalCluster"]["nodes"]["amiFamily"] = "AmazonLinux2"
    assert "WARNING eksLocalCluster: Amazon Linux 2 nodes" in "\n".join(summary(plan(raw, stack="outposts")))


def test_roles_kept_under_tkg_s_suffix_are_accepted_with_a_warning() -> None:
    raw = outposts()
    raw["eksLocalCluster"]["roleNames"] = {"cluster": "eks-local-cluster.tkg.cloud.vmware.com"}
    run = plan(raw, stack="outposts")
    names = sorted(r.inputs["name"] for r in run.of_type("aws:iam/role:Role"))
    assert names == ["edge-outpost-eks-local-nodes", "eks-local-cluster.tkg.cloud.vmware.com"]
    assert "WARNING eksLocalCluster.roleNames.cluster: eks-local-cluster.tkg.cloud.vmware.com ends in" in "\n".join(
        summary(run)
    )


def test_in_an_existing_vpc_the_api_admits_that_vpc_s_cidr_and_nothing_of_its_network_is_created() -> None:
    raw = outposts()
    raw["network"] = {
        "availabilityZones": ["us-west-2a"],
        "existingVpc": {
            "vpcId": "vpc-0123456789abcdef0",
            "privateSubnetIds": {"us-west-2a": "subnet-0123456789abcdef1"},
        },
    }
    del raw["eksLocalCluster"]["localGateway"]
    raw["eksLocalCluster"]["existingSubnetIds"] = ["subnet-0123456789abcdef2"]
    run = plan(raw, stack="outposts")
    assert not run.of_type("aws:ec2/subnet:Subnet") and not run.of_type("aws:ec2/vpc:Vpc")
    (cluster,) = run.of_type("aws:eks/cluster:Cluster")
    assert cluster.inputs["vpcConfig"]["subnetIds"] == ["subnet-0123456789abcdef2"]
    # The VPC's CIDR as EC2 describes it (the plan's mocks answer 10.0.0.0/16).
    assert [r.inputs["cidrIpv4"] for r in run.of_type(RULE) if "-api-" in r.name] == ["10.0.0.0/16"]
