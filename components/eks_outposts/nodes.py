"""SelfManagedNodes: the Amazon Linux node group of an EKS local cluster, and its node mapping.

Local clusters take no managed node groups: nodes are an auto scaling group on the Outpost
subnets, launched from a template with the EKS-optimized Amazon Linux image (resolved from its
SSM parameter), gp2 root volumes (all EBS an Outpost offers), IMDSv2, the cluster security group
and the user data that joins them without the regional EKS API. The node role is mapped in the
cluster's aws-auth ConfigMap, applied through the cluster's private endpoint before the group
launches, so the first nodes can join.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_kubernetes as k8s

from components.eks_outposts import bootstrap

ROOT_DEVICE = "/dev/xvda"  # the root device of the EKS-optimized Amazon Linux images


@dataclass(frozen=True, kw_only=True)
class SelfManagedNodesArgs:
    cluster_name: str
    kubernetes_version: str
    region: str
    ami_family: bootstrap.AmiFamily
    instance_type: str
    desired_size: int
    min_size: int
    max_size: int
    volume_type: str
    volume_size: int
    subnet_ids: Sequence[pulumi.Input[str]]
    instance_profile_arn: pulumi.Input[str]
    node_role_arn: pulumi.Input[str]
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


class SelfManagedNodes(pulumi.ComponentResource):
    launch_template: aws.ec2.LaunchTemplate
    group: aws.autoscaling.Group
    kubeconfig: pulumi.Output[str]
    """A secret: the cluster's kubeconfig (tokens from `aws eks get-token --cluster-id`)."""

    def __init__(self, name: str, args: SelfManagedNodesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tkg-aws:eksOutposts:SelfManagedNodes", name, None, opts)
        self.kubeconfig = pulumi.Output.secret(
            pulumi.Output.all(args.endpoint, args.certificate_authority, args.cluster_id).apply(
                lambda v: json.dumps(
                    bootstrap.kubeconfig(
                        cluster_name=args.cluster_name,
                        endpoint=v[0],
                        certificate_authority=v[1],
                        cluster_id=v[2],
                        region=args.region,
                    ),
                    sort_keys=True,
                )
            )
        )
        node_mapping = self._aws_auth(name, args)
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
                    key=f"kubernetes.io/cluster/{args.cluster_name}", value="owned", propagate_at_launch=True
                ),
            ],
            opts=pulumi.ResourceOptions(parent=self, provider=args.group_provider, depends_on=[node_mapping]),
        )
        self.register_outputs({"autoScalingGroupName": self.group.name, "launchTemplateId": self.launch_template.id})

    def _aws_auth(self, name: str, args: SelfManagedNodesArgs) -> k8s.core.v1.ConfigMap:
        provider = k8s.Provider(f"{name}-cluster", kubeconfig=self.kubeconfig, opts=pulumi.ResourceOptions(parent=self))
        config_map = pulumi.Output.from_input(args.node_role_arn).apply(bootstrap.aws_auth_config_map)
        return k8s.core.v1.ConfigMap(
            f"{name}-aws-auth",
            metadata=config_map["metadata"],
            data=config_map["data"],
            opts=pulumi.ResourceOptions(parent=self, provider=provider),
        )

    def _launch_template(self, name: str, args: SelfManagedNodesArgs) -> aws.ec2.LaunchTemplate:
        user_data = pulumi.Output.all(
            args.endpoint, args.certificate_authority, args.cluster_id, args.service_cidr
        ).apply(
            lambda v: bootstrap.user_data(
                args.ami_family,
                cluster_name=args.cluster_name,
                endpoint=v[0],
                certificate_authority=v[1],
                cluster_id=v[2],
                service_cidr=v[3],
            )
        )
        return aws.ec2.LaunchTemplate(
            name,
            image_id=bootstrap.image_id(args.ami_family, args.kubernetes_version),
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
            # Pods reach IMDS through one more hop (the VPC CNI's veth), hence a hop limit of 2.
            metadata_options=aws.ec2.LaunchTemplateMetadataOptionsArgs(
                http_endpoint="enabled", http_tokens="required", http_put_response_hop_limit=2
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
