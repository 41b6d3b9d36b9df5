"""ClusterSecurityGroups: the control-plane, compute and bootstrap security groups and their rules.

The rules are ports.py's matrix, each an `aws.vpc.SecurityGroupIngressRule` of its own (the
templates' inline rules and `AWS::EC2::SecurityGroupIngress` resources in one form): a changed rule
replaces that rule alone. Outbound, each group allows everything, as AWS's default egress rule does
for the templates' groups (the provider removes that default, so it is declared). The control-plane
and compute groups are protected by default (openshift.protect): every machine's interfaces are in
them; the bootstrap group never is, so removing the bootstrap by config goes through.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.openshift.ports import Group, Rule

ANYWHERE = "0.0.0.0/0"
DESCRIPTIONS: dict[Group, str] = {
    "master": "OpenShift control-plane machines",
    "worker": "OpenShift compute machines",
    "bootstrap": "OpenShift bootstrap machine",
}


@dataclass(frozen=True, kw_only=True)
class ClusterSecurityGroupsArgs:
    infra_id: str
    vpc_id: pulumi.Input[str]
    rules: Sequence[Rule]
    """Every inbound rule (ports.py); a group exists for each group a rule names."""
    protect: bool = True


class ClusterSecurityGroups(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:openshift:ClusterSecurityGroups"

    groups: dict[Group, aws.ec2.SecurityGroup]
    outputs: dict[str, Any]
    """securityGroupIds by group."""

    def __init__(self, name: str, args: ClusterSecurityGroupsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        names = list(dict.fromkeys(rule.group for rule in args.rules))
        self.groups = {group: self._group(group) for group in names}
        for rule in args.rules:
            self._ingress(rule)
        self.outputs = {"securityGroupIds": {g: sg.id for g, sg in sorted(self.groups.items())}}
        self.register_outputs(self.outputs)

    def _group(self, group: Group) -> aws.ec2.SecurityGroup:
        security_group = aws.ec2.SecurityGroup(
            f"{self._name}-{group}",
            vpc_id=self._args.vpc_id,
            description=DESCRIPTIONS[group],
            tags={"Name": f"{self._args.infra_id}-{group}-sg"},
            opts=pulumi.ResourceOptions(parent=self, protect=self._args.protect and group != "bootstrap"),
        )
        aws.vpc.SecurityGroupEgressRule(
            f"{self._name}-{group}-all-out",
            security_group_id=security_group.id,
            description="All traffic out",
            ip_protocol="-1",
            cidr_ipv4=ANYWHERE,
            opts=pulumi.ResourceOptions(parent=self),
        )
        return security_group

    def _ingress(self, rule: Rule) -> None:
        source = self.groups[rule.source_group].id if rule.source_group else None
        aws.vpc.SecurityGroupIngressRule(
            f"{self._name}-{rule.group}-{rule.key}",
            security_group_id=self.groups[rule.group].id,
            description=rule.description,
            ip_protocol=rule.protocol,
            from_port=rule.from_port,
            to_port=rule.to_port,
            cidr_ipv4=rule.cidr,
            referenced_security_group_id=source,
            opts=pulumi.ResourceOptions(parent=self),
        )
