"""The EKS-on-Outposts platform: what it asks of the network, and its components composed.

`outpost_network` adds the Outpost subnet, the local-gateway routes and the interface endpoints a
disconnected local cluster needs to the stack's network args (one endpoint set for every platform).
`eks_outposts_platform` builds the roles, the cluster and the nodes, and returns the
`eksLocalCluster` output group.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pulumi

from components.config.models import StackConfig
from components.eks_outposts import eksctl
from components.eks_outposts.cluster import LocalCluster, LocalClusterArgs
from components.eks_outposts.config import EksLocalClusterConfig
from components.eks_outposts.iam import LocalClusterIam, LocalClusterIamArgs
from components.eks_outposts.nodes import SelfManagedNodes, SelfManagedNodesArgs
from components.foundations.accounts import AccountProviders
from components.foundations.network import LocalGatewayRoutes, NetworkArgs
from components.foundations.subnet_plan import OutpostSubnet

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
    """The `eksLocalCluster` output group, and the cluster's kubeconfig as a secret of its own."""
    in_management = pulumi.ResourceOptions(providers=[providers.management])
    cluster_config = config.eks_local_cluster
    assert cluster_config is not None
    subnet_ids = _outpost_subnet_ids(cluster_config, network)
    iam = LocalClusterIam(
        "eks-local",
        LocalClusterIamArgs(
            name_suffix=config.iam.suffix,
            partition=config.partition,
            path=config.iam.path,
            permissions_boundary=config.iam.permissions_boundary,
            protect=cluster_config.protect,
        ),
        opts=in_management,
    )
    local = LocalCluster(
        cluster_config.name,
        LocalClusterArgs(
            cluster_name=cluster_config.name,
            kubernetes_version=cluster_config.kubernetes_version,
            outpost_arn=cluster_config.outpost_arn,
            control_plane_instance_type=cluster_config.control_plane_instance_type,
            role_arn=iam.cluster_role.arn,
            subnet_ids=list(subnet_ids.values()),
            spread_level=cluster_config.placement.spread_level if cluster_config.placement else None,
            protect=cluster_config.protect,
        ),
        # Without its policy the cluster stays CREATING: the attachment has to exist first.
        opts=pulumi.ResourceOptions.merge(in_management, pulumi.ResourceOptions(depends_on=[iam])),
    )
    cluster = local.cluster
    nodes_config = cluster_config.nodes
    nodes = SelfManagedNodes(
        f"{cluster_config.name}-nodes",
        SelfManagedNodesArgs(
            cluster_name=cluster_config.name,
            kubernetes_version=cluster_config.kubernetes_version,
            region=config.region,
            ami_family=nodes_config.ami_family,
            instance_type=nodes_config.instance_type,
            desired_size=nodes_config.desired_size,
            min_size=nodes_config.min_size,
            max_size=nodes_config.max_size,
            volume_type=nodes_config.volume_type,
            volume_size=nodes_config.volume_size,
            subnet_ids=list(subnet_ids.values()),
            instance_profile_arn=iam.node_instance_profile.arn,
            node_role_arn=iam.node_role.arn,
            endpoint=cluster.endpoint,
            certificate_authority=cluster.certificate_authority.data,
            cluster_id=cluster.cluster_id,
            service_cidr=cluster.kubernetes_network_config.service_ipv4_cidr,
            security_group_id=cluster.vpc_config.cluster_security_group_id,
            group_provider=providers.exact_tags(),
        ),
        opts=in_management,
    )
    placement_group = local.placement_group.name if local.placement_group is not None else None
    return {
        "clusterName": cluster.name,
        "clusterId": cluster.cluster_id,
        "endpoint": cluster.endpoint,
        "certificateAuthority": cluster.certificate_authority.data,
        "outpostSubnetIds": subnet_ids,
        "clusterRoleArn": iam.cluster_role.arn,
        "nodeRoleArn": iam.node_role.arn,
        "autoScalingGroupName": nodes.group.name,
        "eksctlClusterConfig": pulumi.Output.all(network["vpcId"], subnet_ids, placement_group).apply(
            lambda v: eksctl.cluster_config(
                cluster_name=cluster_config.name,
                region=config.region,
                kubernetes_version=cluster_config.kubernetes_version,
                vpc_id=v[0],
                outpost_subnet_ids=v[1],
                outpost_arn=cluster_config.outpost_arn,
                control_plane_instance_type=cluster_config.control_plane_instance_type,
                placement_group=v[2],
                instance_type=nodes_config.instance_type,
                volume_size=nodes_config.volume_size,
            )
        ),
    }, nodes.kubeconfig


def _outpost_subnet_ids(cluster: EksLocalClusterConfig, network: dict[str, Any]) -> dict[str, Any]:
    """Outpost subnets by key: the network's by AZ, or an existing VPC's by their own ids."""
    if cluster.existing_subnet_ids is not None:
        return {sid: sid for sid in cluster.existing_subnet_ids}
    return dict(network["outpostSubnetIds"])
