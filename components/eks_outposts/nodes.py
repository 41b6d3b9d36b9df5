"""SelfManagedNodes: one Amazon Linux node group of an EKS local cluster.

Local clusters take no managed node groups: nodes are an auto scaling group on the Outpost
subnets, launched from a template with the EKS-optimized Amazon Linux image of the instance type's
architecture and accelerator (resolved from its SSM parameter), gp2 root volumes (all EBS an
Outpost offers), IMDSv2 with a hop limit of 1 unless the group lets pods reach it, the cluster
security group and the user data that joins them without the regional EKS API. The group launches
only after the node role is mapped in aws-auth (ClusterAccess), so the first nodes can join.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.eks_outposts import bootstrap
from components.naming import cluster_tag

ROOT_DEVICE = "/dev/xvda"  # the root device of the EKS-optimized Amazon Linux images


@dataclass(frozen=True, kw_only=True)
class SelfManagedNodesArgs:
    cluster_name: str
    kubernetes_version: str
    ami_family: bootstrap.AmiFamily
    architecture: bootstrap.Architecture
    nvidia: bool
    """NVIDIA GPUs: the accelerated image."""
    instance_type: str
    desired_size: int
    min_size: int
    max_size: int
    volume_type: str
    volume_size: int
    imds_hop_limit: int
    """1: pods cannot reach the instance metadata service (and the node role's credentials); 2: they can."""
    subnet_ids: Sequence[pulumi.Input[str]]
    instance_profile_arn: pulumi.Input[str]
    endpoint: pulumi.Input[str]
    certificate_authority: pulumi.Input[str]
    """Base64 CA data of the cluster."""
    cluster_id: pulumi.Input[str]
    """The id EKS gives a local cluster (tokens and nodes name it)."""
    service_cidr: pulumi.Input[str]
    security_group_id: pulumi.Input[str]
    """The cluster security group EKS creates, which nodes use."""
    group_provider: aws.Provider
    """The group's provider: one that ignores no tag, since its `kubernetes.io/cluster/<name>=owned`
    tag is under a prefix the management provider leaves to CAPA."""
    launch_after: Sequence[pulumi.Resource] = ()
    """What must exist before the first node boots: the node role's mapping in aws-auth."""


class SelfManagedNodes(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:eksOutposts:SelfManagedNodes"

    launch_template: aws.ec2.LaunchTemplate
    group: aws.autoscaling.Group

    def __init__(self, name: str, args: SelfManagedNodesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.launch_template = self._launch_template(name, args)
        self.group = aws.autoscaling.Group(
            name,
            vpc_zone_identifiers=list(args.subnet_ids),
            min_size=args.min_size,
            max_size=args.max_size,
            desired_capacity=args.desired_size,
            launch_template=aws.autoscaling.GroupLaunchTemplateArgs(
                id=self.launch_template.id, version=self.launch_template.latest_version.apply(str)
            ),
            tags=[
                aws.autoscaling.GroupTagArgs(key="Name", value=f"{args.cluster_name}-node", propagate_at_launch=True),
                aws.autoscaling.GroupTagArgs(
                    key=cluster_tag(args.cluster_name), value="owned", propagate_at_launch=True
                ),
            ],
            opts=pulumi.ResourceOptions(parent=self, provider=args.group_provider, depends_on=list(args.launch_after)),
        )
        self.register_outputs({"autoScalingGroupName": self.group.name, "launchTemplateId": self.launch_template.id})

    def _launch_template(self, name: str, args: SelfManagedNodesArgs) -> aws.ec2.LaunchTemplate:
        labels = {bootstrap.POD_IMDS_LABEL: "true"} if args.imds_hop_limit > 1 else None
        user_data = pulumi.Output.all(
            args.endpoint, args.certificate_authority, args.cluster_id, args.service_cidr
        ).apply(lambda v: bootstrap.user_data(args.ami_family, bootstrap.Join(args.cluster_name, *v), labels))
        return aws.ec2.LaunchTemplate(
            name,
            image_id=bootstrap.image_id(args.ami_family, args.kubernetes_version, args.architecture, args.nvidia),
            instance_type=args.instance_type,
            iam_instance_profile=aws.ec2.LaunchTemplateIamInstanceProfileArgs(arn=args.instance_profile_arn),
            vpc_security_group_ids=[args.security_group_id],
            block_device_mappings=[
                aws.ec2.LaunchTemplateBlockDeviceMappingArgs(
                    device_name=ROOT_DEVICE,
                    ebs=aws.ec2.LaunchTemplateBlockDeviceMappingEbsArgs(
                        volume_type=args.volume_type,
                        volume_size=args.volume_size,
                        encrypted="true",
                        delete_on_termination="true",
                    ),
                )
            ],
            # A pod is one hop further from IMDS than its node (the VPC CNI's veth): with a limit of 1
            # its requests never get an answer, so it cannot take the node role's credentials.
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=args.imds_hop_limit
            ),
            user_data=user_data,
            update_default_version=True,
            tag_specifications=[
                aws.ec2.LaunchTemplateTagSpecificationArgs(
                    resource_type="volume", tags={"Name": f"{args.cluster_name}-node"}
                )
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
