"""The EKS-on-Outposts platform: what it asks of the network, and its components composed.

`outpost_network` adds the Outpost subnet, the local-gateway routes and the interface endpoints a
disconnected local cluster needs to the stack's network args (one endpoint set for every platform).
`eks_outposts_platform` builds the roles, the cluster, what the stack applies inside it and the
node groups (their Args from args.py), and returns the `eksLocalCluster` output group: among it the
two kubeconfigs (IAM as the stack's creator; x.509 for disconnects) and the hosts lines of the
control plane.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from components.config.provider_settings import AwsSettings
from components.eks_outposts import bootstrap
from components.eks_outposts.access import ClusterAccess
from components.eks_outposts.args import (
    cluster_access_args,
    local_cluster_args,
    local_cluster_iam_args,
    node_group_args,
)
from components.eks_outposts.cluster import LocalCluster
from components.eks_outposts.config import EksLocalClusterConfig
from components.eks_outposts.iam import MANAGEMENT_NAME, LocalClusterIam
from components.eks_outposts.nodes import SelfManagedNodes
from components.foundations.accounts import AccountProviders
from components.foundations.network import LocalGatewayRoutes, NetworkArgs
from components.foundations.subnet_plan import OutpostSubnet

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig

# Interface endpoints of a local cluster that may lose its link to the region (EKS user guide,
# "VPC and subnet requirements"), beside the S3 gateway endpoint.
LOCAL_CLUSTER_INTERFACE_ENDPOINTS = (
    "ssm",
    "ssmmessages",
    "ec2messages",
    "ec2",
    "secretsmanager",
    "logs",
    "sts",
    "ecr.api",
    "ecr.dkr",
)


def outpost_network(args: NetworkArgs, config: StackConfig) -> NetworkArgs:
    """The network args with what the local cluster needs; an existing VPC is left as it is."""
    cluster = config.eks_local_cluster
    if cluster is None or args.existing_vpc is not None:
        return args
    endpoints = args.interface_endpoints + tuple(
        s for s in LOCAL_CLUSTER_INTERFACE_ENDPOINTS if s not in args.interface_endpoints
    )
    subnet = OutpostSubnet(cluster.availability_zone, cluster.subnet_cidr_in(config.network.cidr), cluster.outpost_arn)
    gateway = None
    if cluster.local_gateway is not None:
        lgw = cluster.local_gateway
        gateway = LocalGatewayRoutes(lgw.id, lgw.route_table_id, tuple(str(c) for c in lgw.destination_cidrs))
    return dataclasses.replace(args, interface_endpoints=endpoints, outpost_subnets=(subnet,), local_gateway=gateway)


def eks_outposts_platform(
    config: StackConfig, network: dict[str, Any], providers: AccountProviders
) -> tuple[dict[str, Any], pulumi.Output[str]]:
    """The `eksLocalCluster` output group, and the creator's kubeconfig as a top-level output too."""
    in_management = pulumi.ResourceOptions(providers=[providers.management])
    cluster_config = config.eks_local_cluster
    assert cluster_config is not None
    subnet_ids = _outpost_subnet_ids(cluster_config, network)
    iam = LocalClusterIam(MANAGEMENT_NAME, local_cluster_iam_args(config, cluster_config), opts=in_management)
    vpc_cidr = _vpc_cidr(config, network, providers)
    local = LocalCluster(
        cluster_config.name,
        local_cluster_args(cluster_config, iam, list(subnet_ids.values()), vpc_cidr),
        # Without its policy the cluster stays CREATING: the attachment has to exist first.
        opts=pulumi.ResourceOptions.merge(in_management, pulumi.ResourceOptions(depends_on=[iam])),
    )
    cluster = local.cluster
    kubeconfig = _kubeconfig(cluster, cluster_config.name, config.region, config.aws)
    first_group = f"{cluster_config.name}-nodes"
    access = ClusterAccess(
        f"{cluster_config.name}-access",
        cluster_access_args(cluster_config, first_group, kubeconfig, iam),
        # The API answers only once the rules let `pulumi up`'s machine in.
        opts=pulumi.ResourceOptions(depends_on=list(local.api_access_rules.values())),
    )
    groups = {
        key: SelfManagedNodes(
            first_group if not key else f"{first_group}-{key}",
            node_group_args(cluster_config, nodes, cluster, iam, list(subnet_ids.values()), providers, access),
            opts=in_management,
        )
        for key, nodes in cluster_config.all_node_groups.items()
    }
    outputs = {
        "clusterName": cluster.name,
        "clusterId": cluster.cluster_id,
        "endpoint": cluster.endpoint,
        "certificateAuthority": cluster.certificate_authority.data,
        "securityGroupId": cluster.vpc_config.cluster_security_group_id,
        "outpostSubnetIds": subnet_ids,
        "clusterRoleArn": iam.cluster_role.arn,
        "nodeRoleArn": iam.node_role.arn,
        "autoScalingGroupName": groups[""].group.name,
        "autoScalingGroupNames": {key or "nodes": g.group.name for key, g in sorted(groups.items())},
        "kubeconfig": kubeconfig,
        **_disconnected_outputs(cluster, cluster_config, providers),
    }
    return outputs, pulumi.Output.secret(kubeconfig)


def creator(aws_settings: AwsSettings) -> tuple[str | None, dict[str, str]]:
    """How `aws eks get-token` becomes the principal the AWS provider creates the cluster as: the
    last role of aws:assumeRoles (`--role-arn`), from the credentials the provider starts with,
    which the environment names: aws:profile, or aws:assumeRoleWithWebIdentity's role and token
    file (an inline token cannot be handed on; the plan warns)."""
    env = {"AWS_PROFILE": aws_settings.profile} if aws_settings.profile else {}
    identity = aws_settings.assume_role_with_web_identity
    if identity is not None and identity.web_identity_token_file:
        env |= {"AWS_ROLE_ARN": identity.role_arn, "AWS_WEB_IDENTITY_TOKEN_FILE": identity.web_identity_token_file}
        if identity.session_name:
            env["AWS_ROLE_SESSION_NAME"] = identity.session_name
    role = aws_settings.assume_roles[-1].role_arn if aws_settings.assume_roles else None
    return role, env


def _kubeconfig(cluster: aws.eks.Cluster, name: str, region: str, aws_settings: AwsSettings) -> pulumi.Output[str]:
    role_arn, env = creator(aws_settings)
    return pulumi.Output.all(cluster.endpoint, cluster.certificate_authority.data, cluster.cluster_id).apply(
        lambda v: json.dumps(
            bootstrap.kubeconfig(
                cluster_name=name,
                endpoint=v[0],
                certificate_authority=v[1],
                cluster_id=v[2],
                region=region,
                role_arn=role_arn,
                env=env,
            ),
            sort_keys=True,
        )
    )


def _disconnected_outputs(
    cluster: aws.eks.Cluster, cluster_config: EksLocalClusterConfig, providers: AccountProviders
) -> dict[str, pulumi.Output[Any]]:
    """The x.509 kubeconfig and the control plane's fixed addresses as hosts lines (looked up once
    the cluster exists: EKS names its instances <cluster>-control-plane-<id>)."""
    user = cluster_config.disconnected_admin or "admin"
    kubeconfig = pulumi.Output.all(cluster.endpoint, cluster.certificate_authority.data).apply(
        lambda v: json.dumps(
            bootstrap.disconnected_kubeconfig(
                cluster_name=cluster_config.name, endpoint=v[0], certificate_authority=v[1], user=user
            ),
            sort_keys=True,
        )
    )
    running = aws.ec2.GetInstancesFilterArgs(name="instance-state-name", values=["running"])
    instances = aws.ec2.get_instances_output(
        filters=cluster.name.apply(
            lambda n: [aws.ec2.GetInstancesFilterArgs(name="tag:Name", values=[f"{n}-control-plane-*"]), running]
        ),
        opts=pulumi.InvokeOutputOptions(provider=providers.management),
    )
    hosts = pulumi.Output.all(cluster.endpoint, instances.private_ips).apply(
        lambda v: bootstrap.hosts_lines(v[0], list(v[1] or []))
    )
    return {"disconnectedKubeconfig": kubeconfig, "controlPlaneHosts": hosts}


def _vpc_cidr(config: StackConfig, network: dict[str, Any], providers: AccountProviders) -> pulumi.Input[str]:
    if config.network.existing_vpc is None:
        return str(config.network.cidr)
    vpc = aws.ec2.get_vpc_output(id=network["vpcId"], opts=pulumi.InvokeOutputOptions(provider=providers.management))
    return vpc.cidr_block


def _outpost_subnet_ids(cluster: EksLocalClusterConfig, network: dict[str, Any]) -> dict[str, Any]:
    """Outpost subnets by key: the network's by AZ, or an existing VPC's by their own ids."""
    if cluster.existing_subnet_ids is not None:
        return {sid: sid for sid in cluster.existing_subnet_ids}
    return dict(network["outpostSubnetIds"])
