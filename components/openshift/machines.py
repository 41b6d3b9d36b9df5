"""ClusterMachines: the bootstrap, control-plane and compute machines of templates 04, 05 and 06,
and their registration with the API target groups.

Each machine is an RHCOS instance with the Ignition user data of its role, an encrypted root
volume, IMDSv2 only, its role's security group(s) and instance profile, a Name tag and the cluster
tag `kubernetes.io/cluster/<infraId>=shared` (an `aws.ec2.Tag`: the management provider ignores
that prefix). The bootstrap and control-plane machines are registered by private IP in every API
target group, by `aws.lb.TargetGroupAttachment` (no registration Lambda). Machines are keyed by
name (`master-0`, `worker-<az>-<n>`), so one more worker adds one machine and touches none.

After installation the cluster's machine-config operator manages the machines' content, and a new
RHCOS AMI or ignition file must not replace a control-plane machine: AMI and user data changes are
ignored. The bootstrap machine is the exception: its user data names the hash of bootstrap.ign, so
a regenerated file gives a new bootstrap machine, which boots only once its ignition object and
the grant to read it exist (Ignition does not retry a 403 or 404). Control-plane machines are
protected by default (openshift.protect); the bootstrap machine goes with bootstrap.enabled, its
registrations with it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from components.naming import cluster_tag

# After the first boot, the machine-config operator owns what these were for.
IGNORED_AFTER_INSTALL = ["ami", "userData"]
BOOTSTRAP = "bootstrap"


@dataclass(frozen=True, kw_only=True)
class Machine:
    name: str
    """e.g. bootstrap, master-0, worker-us-east-1a-0."""
    availability_zone: str
    subnet_id: pulumi.Input[str]
    instance_type: str
    instance_profile: pulumi.Input[str]
    security_group_ids: Sequence[pulumi.Input[str]]
    user_data: str
    root_volume_size: int
    root_volume_type: str
    public_ip: bool = False
    root_volume_iops: int | None = None
    target_group_ports: Mapping[str, int] = field(default_factory=dict)
    """Target group key -> port, for the machines the API load balancers reach."""
    protect: bool = False
    replace_on_new_user_data: bool = False
    """A new user data gives a new machine (the bootstrap's), instead of being ignored."""
    depends_on: Sequence[pulumi.Resource] = ()
    """What must exist before it boots (the bootstrap's ignition object, key, grants)."""


@dataclass(frozen=True, kw_only=True)
class ClusterMachinesArgs:
    infra_id: str
    ami: str
    machines: Sequence[Machine]
    target_group_arns: Mapping[str, pulumi.Input[str]]
    """By target group key (aext, aint, sint)."""


class ClusterMachines(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:openshift:ClusterMachines"

    instances: dict[str, aws.ec2.Instance]
    outputs: dict[str, Any]

    def __init__(self, name: str, args: ClusterMachinesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.instances = {machine.name: self._instance(machine) for machine in args.machines}
        for machine in args.machines:
            self._register(machine)
        self.outputs = {
            "instanceIds": {n: i.id for n, i in sorted(self.instances.items())},
            "privateIps": {n: i.private_ip for n, i in sorted(self.instances.items())},
        }
        bootstrap = next((m for m in args.machines if m.name == BOOTSTRAP), None)
        if bootstrap is not None:
            # Where `openshift-install gather bootstrap --bootstrap` reaches it.
            instance = self.instances[BOOTSTRAP]
            self.outputs["bootstrapAddress"] = instance.public_ip if bootstrap.public_ip else instance.private_ip
        self.register_outputs(self.outputs)

    def _instance(self, machine: Machine) -> aws.ec2.Instance:
        infra_id = self._args.infra_id
        instance = aws.ec2.Instance(
            f"{self._name}-{machine.name}",
            ami=self._args.ami,
            instance_type=machine.instance_type,
            availability_zone=machine.availability_zone,
            subnet_id=machine.subnet_id,
            vpc_security_group_ids=list(machine.security_group_ids),
            iam_instance_profile=machine.instance_profile,
            associate_public_ip_address=machine.public_ip,
            user_data=machine.user_data,
            user_data_replace_on_change=machine.replace_on_new_user_data or None,
            root_block_device=aws.ec2.InstanceRootBlockDeviceArgs(
                volume_size=machine.root_volume_size,
                volume_type=machine.root_volume_type,
                iops=machine.root_volume_iops,
                encrypted=True,
                delete_on_termination=True,
            ),
            metadata_options=aws.ec2.InstanceMetadataOptionsArgs(http_endpoint="enabled", http_tokens="required"),
            tags={"Name": f"{infra_id}-{machine.name}"},
            opts=pulumi.ResourceOptions(
                parent=self,
                protect=machine.protect,
                ignore_changes=["ami"] if machine.replace_on_new_user_data else IGNORED_AFTER_INSTALL,
                depends_on=list(machine.depends_on),
            ),
        )
        aws.ec2.Tag(
            f"{self._name}-{machine.name}-cluster",
            resource_id=instance.id,
            key=cluster_tag(infra_id),
            value="shared",
            opts=pulumi.ResourceOptions(parent=self),
        )
        return instance

    def _register(self, machine: Machine) -> None:
        for key, port in sorted(dict(machine.target_group_ports).items()):
            aws.lb.TargetGroupAttachment(
                f"{self._name}-{machine.name}-{key}",
                target_group_arn=self._args.target_group_arns[key],
                target_id=self.instances[machine.name].private_ip,
                port=port,
                opts=pulumi.ResourceOptions(parent=self),
            )
