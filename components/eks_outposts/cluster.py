"""LocalCluster: the EKS local cluster on an Outpost, its control plane's spread placement group,
and who may reach its API.

The outpost config (control-plane instance type, the one Outpost ARN, the placement group) is
create-only, so the cluster is protected by default. The API endpoint is private only: the control
plane sits on the Outpost subnets and is reached from the VPC or, through the local gateway, from
the on-premises network. The security group EKS creates for the cluster admits only its own
members, so HTTPS rules on it let in the VPC, the on-premises networks behind the local gateway and
the operators' networks, one rule per network keyed by its CIDR. Local clusters accept only the
aws-auth ConfigMap for authentication, and the creating principal stays cluster-admin for good.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True, kw_only=True)
class LocalClusterArgs:
    cluster_name: str
    kubernetes_version: str
    outpost_arn: str
    control_plane_instance_type: str
    role_arn: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    """Outpost subnets; the control-plane instances spread evenly over them."""
    api_access: Mapping[str, pulumi.Input[str]]
    """Networks allowed to the API on 443, by key (the CIDR, or `vpc`) to their CIDR."""
    spread_level: str | None = None
    """host or rack: a spread placement group for the control plane. Default: none."""
    protect: bool = True


HTTPS = 443


class LocalCluster(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:eksOutposts:LocalCluster"

    cluster: aws.eks.Cluster
    placement_group: aws.ec2.PlacementGroup | None
    api_access_rules: dict[str, aws.vpc.SecurityGroupIngressRule]

    def __init__(self, name: str, args: LocalClusterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.placement_group = self._placement_group(name, args)
        placement = None
        if self.placement_group is not None:
            placement = aws.eks.ClusterOutpostConfigControlPlanePlacementArgs(group_name=self.placement_group.name)
        self.cluster = aws.eks.Cluster(
            name,
            name=args.cluster_name,
            version=args.kubernetes_version,
            role_arn=args.role_arn,
            vpc_config=aws.eks.ClusterVpcConfigArgs(
                subnet_ids=list(args.subnet_ids), endpoint_private_access=True, endpoint_public_access=False
            ),
            outpost_config=aws.eks.ClusterOutpostConfigArgs(
                control_plane_instance_type=args.control_plane_instance_type,
                outpost_arns=[args.outpost_arn],
                control_plane_placement=placement,
            ),
            access_config=aws.eks.ClusterAccessConfigArgs(
                authentication_mode="CONFIG_MAP", bootstrap_cluster_creator_admin_permissions=True
            ),
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.api_access_rules = {
            key: self._api_access(name, key, cidr) for key, cidr in sorted(args.api_access.items())
        }
        self.register_outputs(
            {"name": self.cluster.name, "endpoint": self.cluster.endpoint, "clusterId": self.cluster.cluster_id}
        )

    def _placement_group(self, name: str, args: LocalClusterArgs) -> aws.ec2.PlacementGroup | None:
        if args.spread_level is None:
            return None
        # The cluster keeps the group's name for life: a new group would mean a new cluster.
        return aws.ec2.PlacementGroup(
            f"{name}-control-plane",
            name=f"{args.cluster_name}-control-plane",
            strategy="spread",
            spread_level=args.spread_level,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )

    def _api_access(self, name: str, key: str, cidr: pulumi.Input[str]) -> aws.vpc.SecurityGroupIngressRule:
        return aws.vpc.SecurityGroupIngressRule(
            f"{name}-api-{key}",
            security_group_id=self.cluster.vpc_config.cluster_security_group_id,
            description=f"Kubernetes API from {key}",
            ip_protocol="tcp",
            from_port=HTTPS,
            to_port=HTTPS,
            cidr_ipv4=cidr,
            opts=pulumi.ResourceOptions(parent=self),
        )
