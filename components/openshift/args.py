"""The OpenShift platform's component Args, built from its config section here and nowhere else.

`placement` says where the cluster's parts go (the stack's network outputs and the control plane's
AZs); each `*_args` function maps the section, the infraID and the outputs of the components built
before it to one component's Args, and platform.py creates the components in the templates' order.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import pulumi
import pulumi_aws as aws

from components.openshift import ignition_config, ports
from components.openshift.config import OpenShiftConfig
from components.openshift.dns import ClusterDnsArgs, LoadBalancerTarget
from components.openshift.iam import MachineIam, MachineIamArgs, role_arn, role_name
from components.openshift.ignition import IgnitionBucketArgs, bucket_name
from components.openshift.load_balancers import LISTENERS, ApiLoadBalancers, ApiLoadBalancersArgs
from components.openshift.machines import ClusterMachinesArgs, Machine
from components.openshift.policies import IgnitionGrant, MachineRole
from components.openshift.security_groups import ClusterSecurityGroups, ClusterSecurityGroupsArgs
from components.openshift.subnet_tags import SharedSubnetTagsArgs

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig

# Partitions whose Route 53 cannot alias a load balancer (the templates' CNAME note, PR #4043).
CNAME_PARTITIONS = ("aws-us-gov", "aws-iso", "aws-iso-b")


@dataclass(frozen=True)
class Placement:
    """Where the cluster's parts go, from the config and the stack's network outputs."""

    vpc_id: pulumi.Input[str]
    machine_network: str
    control_plane_azs: tuple[str, ...]
    """AZ of master-0, -1, -2."""
    public_subnets: dict[str, pulumi.Input[str]]
    private_subnets: dict[str, pulumi.Input[str]]

    def lb_subnets(self, tier: str) -> list[pulumi.Input[str]]:
        subnets = self.public_subnets if tier == "public" else self.private_subnets
        return [subnets[az] for az in sorted(set(self.control_plane_azs)) if az in subnets]


def placement(config: StackConfig, network: dict[str, Any]) -> Placement:
    openshift = openshift_section(config)
    return Placement(
        vpc_id=network["vpcId"],
        machine_network=machine_network(config),
        control_plane_azs=tuple(openshift.control_plane_azs(config.availability_zones)),
        public_subnets=dict(network["publicSubnetIds"]),
        private_subnets=dict(network["privateSubnetIds"]),
    )


def openshift_section(config: StackConfig) -> OpenShiftConfig:
    if config.openshift is None:
        raise ValueError("the openshift platform needs the tkg-aws:openshift section")
    return config.openshift


def s3_service(region: str) -> str:
    """S3's service name in `kms:ViaService`, with the partition's DNS suffix."""
    return f"s3.{region}.amazonaws.com" + (".cn" if region.startswith("cn-") else "")


def machine_network(config: StackConfig) -> str:
    return str(openshift_section(config).machine_network or config.network.cidr)


def subnet_tags_args(openshift: OpenShiftConfig, infra_id: str, where: Placement) -> SharedSubnetTagsArgs:
    subnets = {f"public-{az}": s for az, s in where.public_subnets.items()}
    subnets |= {f"private-{az}": s for az, s in where.private_subnets.items()}
    return SharedSubnetTagsArgs(infra_id=infra_id, subnet_ids=subnets)


def load_balancers_args(openshift: OpenShiftConfig, infra_id: str, where: Placement) -> ApiLoadBalancersArgs:
    public = openshift.public_hosted_zone_id is not None
    return ApiLoadBalancersArgs(
        infra_id=infra_id,
        vpc_id=where.vpc_id,
        private_subnet_ids=where.lb_subnets("private"),
        public_subnet_ids=where.lb_subnets("public") if public else (),
        external=public,
        protect=openshift.protect,
    )


def dns_args(config: StackConfig, infra_id: str, where: Placement, lbs: ApiLoadBalancers) -> ClusterDnsArgs:
    openshift = openshift_section(config)

    def target(lb: aws.lb.LoadBalancer) -> LoadBalancerTarget:
        return LoadBalancerTarget(dns_name=lb.dns_name, zone_id=lb.zone_id)

    external = lbs.load_balancers.get("ext")

    return ClusterDnsArgs(
        cluster_domain=openshift.cluster_domain,
        infra_id=infra_id,
        vpc_id=where.vpc_id,
        internal_api=target(lbs.load_balancers["int"]),
        external_api=None if external is None else target(external),
        public_zone_id=openshift.public_hosted_zone_id,
        alias_records=config.partition not in CNAME_PARTITIONS,
        protect=openshift.protect,
    )


def security_groups_args(openshift: OpenShiftConfig, infra_id: str, where: Placement) -> ClusterSecurityGroupsArgs:
    rules = ports.cluster_rules(where.machine_network)
    if openshift.bootstrap.enabled:
        sources = [str(c) for c in openshift.bootstrap.allowed_cidrs] or [where.machine_network]
        rules += ports.bootstrap_rules(sources)
    return ClusterSecurityGroupsArgs(infra_id=infra_id, vpc_id=where.vpc_id, rules=rules, protect=openshift.protect)


def ignition_bucket_args(config: StackConfig, deployer_arn: pulumi.Input[str], infra_id: str) -> IgnitionBucketArgs:
    openshift = openshift_section(config)
    account = config.management_cluster.account_id
    upload = openshift.ignition.source("bootstrap") if openshift.bootstrap.enabled else None
    return IgnitionBucketArgs(
        bucket_name=bucket_name(infra_id, account),
        partition=config.partition,
        account_id=account,
        s3_service=s3_service(config.region),
        bootstrap_role_arn=role_arn(config.partition, account, config.iam.path, role_name(infra_id, "bootstrap")),
        deployer_arn=deployer_arn,
        bootstrap_ignition=upload,
        protect=openshift.protect,
    )


def machine_iam_args(
    config: StackConfig, infra_id: str, bucket: IgnitionBucketArgs, key_arn: pulumi.Input[str]
) -> MachineIamArgs:
    openshift = openshift_section(config)
    roles: list[MachineRole] = ["master", "worker"]
    if openshift.bootstrap.enabled:
        roles.append("bootstrap")
    return MachineIamArgs(
        infra_id=infra_id,
        roles=roles,
        ignition=IgnitionGrant(bucket.object_arn, bucket.account_id, key_arn, bucket.s3_service),
        partition=config.partition,
        path=config.iam.path,
        permissions_boundary=config.iam.permissions_boundary,
        protect=openshift.protect,
    )


@dataclass(frozen=True)
class BootstrapSource:
    location: str
    """s3://<bucket>/bootstrap.ign"""
    needs: list[pulumi.Resource]
    """The object, its key, the bucket's guards and the grants: what must exist before it boots."""


def machines_args(
    openshift: OpenShiftConfig,
    infra_id: str,
    where: Placement,
    lbs: ApiLoadBalancers,
    groups: ClusterSecurityGroups,
    iam: MachineIam,
    bootstrap: BootstrapSource,
) -> ClusterMachinesArgs:
    api_targets: dict[str, int] = {
        key: listener.port for key, listener in LISTENERS.items() if key in lbs.target_groups
    }
    machines = [
        *_bootstrap(openshift, where, groups, iam, bootstrap, api_targets),
        *_control_plane(openshift, where, groups, iam, api_targets),
        *_compute(openshift, where, groups, iam),
    ]
    return ClusterMachinesArgs(
        infra_id=infra_id,
        ami=openshift.rhcos_ami or "",
        machines=machines,
        target_group_arns={key: tg.arn for key, tg in lbs.target_groups.items()},
    )


def _bootstrap(
    openshift: OpenShiftConfig,
    where: Placement,
    groups: ClusterSecurityGroups,
    iam: MachineIam,
    source: BootstrapSource,
    api_targets: Mapping[str, int],
) -> list[Machine]:
    if not openshift.bootstrap.enabled:
        return []
    az = where.control_plane_azs[0]
    bootstrap = openshift.bootstrap
    subnets = where.public_subnets if bootstrap.public else where.private_subnets
    file = openshift.ignition.source("bootstrap")
    pointer = ignition_config.bootstrap_pointer(
        source.location,
        ignition_config.file_sha512(file) if file is not None else None,
        ignition_config.ignition_proxy(openshift),
    )
    return [
        Machine(
            name="bootstrap",
            availability_zone=az,
            subnet_id=subnets[az],
            instance_type=bootstrap.instance_type,
            instance_profile=iam.instance_profiles["bootstrap"].name,
            security_group_ids=[groups.groups["bootstrap"].id, groups.groups["master"].id],
            user_data=json.dumps(pointer, sort_keys=True),
            root_volume_size=openshift.control_plane.root_volume_size,
            root_volume_type=openshift.control_plane.root_volume_type,
            root_volume_iops=openshift.control_plane.root_volume_iops,
            public_ip=bootstrap.public,
            target_group_ports=api_targets,
            replace_on_new_user_data=True,
            depends_on=source.needs,
        )
    ]


def _control_plane(
    openshift: OpenShiftConfig,
    where: Placement,
    groups: ClusterSecurityGroups,
    iam: MachineIam,
    api_targets: Mapping[str, int],
) -> list[Machine]:
    control_plane = openshift.control_plane
    return [
        Machine(
            name=f"master-{i}",
            availability_zone=az,
            subnet_id=where.private_subnets[az],
            instance_type=control_plane.instance_type,
            instance_profile=iam.instance_profiles["master"].name,
            security_group_ids=[groups.groups["master"].id],
            user_data=_ignition_text(openshift, "master"),
            root_volume_size=control_plane.root_volume_size,
            root_volume_type=control_plane.root_volume_type,
            root_volume_iops=control_plane.root_volume_iops,
            target_group_ports=api_targets,
            protect=openshift.protect,
        )
        for i, az in enumerate(where.control_plane_azs)
    ]


def _compute(
    openshift: OpenShiftConfig, where: Placement, groups: ClusterSecurityGroups, iam: MachineIam
) -> list[Machine]:
    compute = openshift.compute
    replicas = compute.replicas or {az: 1 for az in sorted(where.private_subnets)}
    return [
        Machine(
            name=f"worker-{az}-{n}",
            availability_zone=az,
            subnet_id=where.private_subnets[az],
            instance_type=compute.instance_type,
            instance_profile=iam.instance_profiles["worker"].name,
            security_group_ids=[groups.groups["worker"].id],
            user_data=_ignition_text(openshift, "worker"),
            root_volume_size=compute.root_volume_size,
            root_volume_type=compute.root_volume_type,
            root_volume_iops=compute.root_volume_iops,
        )
        for az, count in sorted(replicas.items())
        for n in range(count)
    ]


def _ignition_text(openshift: OpenShiftConfig, role: Literal["master", "worker"]) -> str:
    source = openshift.ignition.source(role)
    return source.read_text() if source is not None else ""
