"""The EKS-on-Outposts platform's component Args, built from its config section here and nowhere else.

Each function maps eksLocalCluster (and the outputs of the components built before: the roles, the
cluster, the access objects) to one component's Args; platform.py creates them in that order.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components.eks_outposts import bootstrap
from components.eks_outposts.access import ClusterAccess, ClusterAccessArgs
from components.eks_outposts.cluster import LocalClusterArgs
from components.eks_outposts.config import EksLocalClusterConfig, NodesConfig
from components.eks_outposts.iam import LocalClusterIam, LocalClusterIamArgs
from components.eks_outposts.nodes import SelfManagedNodesArgs
from components.foundations.accounts import AccountProviders

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig


def local_cluster_iam_args(config: StackConfig, cluster: EksLocalClusterConfig) -> LocalClusterIamArgs:
    """The cluster and node roles, under the stack's IAM path and boundary."""
    return LocalClusterIamArgs(
        cluster_role_name=cluster.cluster_role_name,
        node_role_name=cluster.node_role_name,
        partition=config.partition,
        path=config.iam.path,
        permissions_boundary=config.iam.permissions_boundary,
        protect=cluster.protect,
        ebs_csi_driver=cluster.ebs_csi_driver,
    )


def local_cluster_args(
    cluster: EksLocalClusterConfig,
    iam: LocalClusterIam,
    subnet_ids: list[pulumi.Input[str]],
    vpc_cidr: pulumi.Input[str],
) -> LocalClusterArgs:
    return LocalClusterArgs(
        cluster_name=cluster.name,
        kubernetes_version=cluster.kubernetes_version,
        outpost_arn=cluster.outpost_arn,
        control_plane_instance_type=cluster.control_plane_instance_type,
        role_arn=iam.cluster_role.arn,
        subnet_ids=subnet_ids,
        api_access=api_access_cidrs(cluster, vpc_cidr),
        spread_level=cluster.placement.spread_level if cluster.placement else None,
        protect=cluster.protect,
    )


def api_access_cidrs(cluster: EksLocalClusterConfig, vpc_cidr: pulumi.Input[str]) -> dict[str, pulumi.Input[str]]:
    """Who reaches the API on 443, keyed by CIDR: the VPC (nodes, endpoints, in-VPC hosts), the
    on-premises networks behind the local gateway, and the operators' networks; each once."""
    found: dict[str, pulumi.Input[str]] = {"vpc": vpc_cidr}
    gateway = cluster.local_gateway.destination_cidrs if cluster.local_gateway is not None else []
    # AWS refuses a second rule for the same CIDR and port (InvalidPermission.Duplicate).
    for cidr in [str(c) for c in [*gateway, *cluster.api_access_cidrs] if str(c) != vpc_cidr]:
        found.setdefault(cidr, cidr)
    return found


def cluster_access_args(
    cluster: EksLocalClusterConfig, first_group: str, kubeconfig: pulumi.Input[str], iam: LocalClusterIam
) -> ClusterAccessArgs:
    """What the stack applies inside the cluster; `first_group` named the objects' former parent."""
    return ClusterAccessArgs(
        former_name=first_group,
        kubeconfig=kubeconfig,
        node_role_arn=iam.node_role.arn,
        disconnected_admin=cluster.disconnected_admin,
        ebs_csi_driver=cluster.ebs_csi_driver,
    )


def node_group_args(
    cluster_config: EksLocalClusterConfig,
    nodes: NodesConfig,
    cluster: aws.eks.Cluster,
    iam: LocalClusterIam,
    subnet_ids: list[pulumi.Input[str]],
    providers: AccountProviders,
    access: ClusterAccess,
) -> SelfManagedNodesArgs:
    architecture, nvidia = bootstrap.node_image_variant(nodes.instance_type)
    return SelfManagedNodesArgs(
        cluster_name=cluster_config.name,
        kubernetes_version=cluster_config.kubernetes_version,
        ami_family=nodes.ami_family,
        architecture=architecture,
        nvidia=nvidia,
        instance_type=nodes.instance_type,
        desired_size=nodes.desired_size,
        min_size=nodes.min_size,
        max_size=nodes.max_size,
        volume_type=nodes.volume_type,
        volume_size=nodes.volume_size,
        imds_hop_limit=nodes.imds_hop_limit,
        subnet_ids=subnet_ids,
        instance_profile_arn=iam.node_instance_profile.arn,
        endpoint=cluster.endpoint,
        certificate_authority=cluster.certificate_authority.data,
        cluster_id=cluster.cluster_id,
        service_cidr=cluster.kubernetes_network_config.service_ipv4_cidr,
        security_group_id=cluster.vpc_config.cluster_security_group_id,
        group_provider=providers.exact_tags(),
        launch_after=[access.aws_auth],
    )
