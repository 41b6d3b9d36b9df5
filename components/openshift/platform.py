"""The OpenShift UPI platform of a stack, composed from its parts, from one validated config.

Without `infraId` (the first step of the install order) the platform writes only install-config.yaml's
part, from the config alone. With it, in the order of the six templates, in one `pulumi up`: the
stack's network (or existing VPC) with the cluster's subnet tags; the API load balancers and target
groups; the private zone and records; the security groups; the ignition bucket and key; the
machine roles; and, with an RHCOS AMI, the machines registered in the target groups. Every Args is
built in args.py from the config, and nowhere else.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws

from components.foundations.accounts import AccountProviders
from components.openshift import ignition_config
from components.openshift.args import (
    BootstrapSource,
    Placement,
    dns_args,
    ignition_bucket_args,
    load_balancers_args,
    machine_iam_args,
    machine_network,
    machines_args,
    openshift_section,
    placement,
    security_groups_args,
    subnet_tags_args,
)
from components.openshift.dns import ClusterDns
from components.openshift.iam import MachineIam
from components.openshift.ignition import IgnitionBucket
from components.openshift.load_balancers import ApiLoadBalancers
from components.openshift.machines import ClusterMachines
from components.openshift.report import openshift_notes
from components.openshift.security_groups import ClusterSecurityGroups
from components.openshift.subnet_tags import SharedSubnetTags

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig


def openshift_platform(config: StackConfig, providers: AccountProviders, network: dict[str, Any]) -> dict[str, Any]:
    """Build the platform; returns the `openshift` stack output group."""
    openshift = openshift_section(config)
    where = placement(config, network)
    outputs: dict[str, Any] = {
        "installConfig": install_config(config),
        "machineNetwork": where.machine_network,
        "controlPlaneAvailabilityZones": list(where.control_plane_azs),
        "public": openshift.public_hosted_zone_id is not None,
    }
    for note in openshift_notes(config):
        pulumi.log.info(note)  # `pulumi up` shows it among the diagnostics; the plan in its summary
    if openshift.infra_id is None:
        return outputs  # install-config.yaml first: the infraID comes from the ignition configs
    return outputs | cluster_infrastructure(config, providers, where, openshift.infra_id)


def cluster_infrastructure(
    config: StackConfig, providers: AccountProviders, where: Placement, infra_id: str
) -> dict[str, Any]:
    """What the six templates create for the cluster `infra_id`."""
    openshift = openshift_section(config)
    in_management = pulumi.ResourceOptions(providers=[providers.management])
    SharedSubnetTags("openshift-subnet-tags", subnet_tags_args(openshift, infra_id, where), opts=in_management)
    lbs = ApiLoadBalancers("openshift-api", load_balancers_args(openshift, infra_id, where), opts=in_management)
    dns = ClusterDns(
        "openshift-dns",
        dns_args(config, infra_id, where, lbs),
        # The zone's `owned` tag is under a prefix the management provider ignores.
        opts=pulumi.ResourceOptions(providers=[providers.exact_tags()]),
    )
    groups = ClusterSecurityGroups(
        "openshift-security-groups", security_groups_args(openshift, infra_id, where), opts=in_management
    )
    bucket_args = ignition_bucket_args(config, deployer(config, providers), infra_id)
    bucket = IgnitionBucket("openshift-ignition", bucket_args, opts=in_management)
    iam = MachineIam(
        "openshift-iam", machine_iam_args(config, infra_id, bucket_args, bucket.key.arn), opts=in_management
    )
    outputs: dict[str, Any] = {**dns.outputs, **lbs.outputs, **groups.outputs, **iam.outputs, **bucket.outputs}
    if openshift.machines:
        grant = [iam.policies["bootstrap"]] if "bootstrap" in iam.policies else []
        bootstrap_needs = [*bucket.guards, bucket.key, *grant]
        machines = ClusterMachines(
            "openshift-machines",
            machines_args(
                openshift, infra_id, where, lbs, groups, iam, BootstrapSource(bucket_args.location, bootstrap_needs)
            ),
            opts=in_management,
        )
        outputs["machines"] = machines.outputs
    return outputs


def deployer(config: StackConfig, providers: AccountProviders) -> pulumi.Input[str]:
    """openshift.deployerArn, or the role (or user) of whoever runs `pulumi up`."""
    given = openshift_section(config).deployer_arn
    if given is not None:
        return given
    invoke = pulumi.InvokeOptions(provider=providers.management)
    caller = aws.get_caller_identity_output(opts=invoke)
    return aws.iam.get_session_context_output(arn=caller.arn, opts=invoke).issuer_arn


def install_config(config: StackConfig) -> dict[str, Any]:
    """install-config.yaml's part, from the config alone (no id of anything this stack creates)."""
    openshift = openshift_section(config)
    vpc = config.network.existing_vpc
    private_azs = sorted(vpc.private_subnet_ids) if vpc is not None else config.availability_zones
    return ignition_config.install_config(openshift, config.region, machine_network(config), private_azs)
