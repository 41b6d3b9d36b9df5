"""MachineIam: the IAM roles, instance profiles and inline policies of the cluster's machines.

One set per machine role (`master`, `worker`, `bootstrap`): the role `<infraId>-<role>-role`
trusted by EC2, its instance profile `<infraId>-<role>-profile` and its inline policy
`<infraId>-<role>-policy` (policies.py, the templates' documents), under the stack's IAM path and
permissions boundary (iam.path, iam.permissionsBoundary). The names are the installer's own, so
they are unique per account: a replacement deletes the old one first. Roles and instance profiles
are protected by default (openshift.protect); the bootstrap set goes with bootstrap.enabled.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.openshift.policies import MachineRole, machine_policy, machine_trust_policy


@dataclass(frozen=True, kw_only=True)
class MachineIamArgs:
    infra_id: str
    roles: Sequence[MachineRole]
    ignition_object_arn: str
    """What the bootstrap machine may read: its ignition object."""
    path: str = "/"
    permissions_boundary: str | None = None
    protect: bool = True


def role_name(infra_id: str, role: MachineRole) -> str:
    return f"{infra_id}-{role}-role"


def instance_profile_name(infra_id: str, role: MachineRole) -> str:
    return f"{infra_id}-{role}-profile"


class MachineIam(pulumi.ComponentResource):
    roles: dict[MachineRole, aws.iam.Role]
    instance_profiles: dict[MachineRole, aws.iam.InstanceProfile]
    outputs: dict[str, Any]

    def __init__(self, name: str, args: MachineIamArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tkg-aws:openshift:MachineIam", name, None, opts)
        self._name, self._args = name, args
        self.roles, self.instance_profiles = {}, {}
        for role in args.roles:
            self.roles[role] = self._role(role)
            self.instance_profiles[role] = self._instance_profile(role)
            self._inline_policy(role)
        self.outputs = {
            "roleArns": {r: role.arn for r, role in sorted(self.roles.items())},
            "instanceProfileNames": {r: p.name for r, p in sorted(self.instance_profiles.items())},
        }
        self.register_outputs(self.outputs)

    def _named(self, protect: bool) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, protect=protect, delete_before_replace=True)

    def _role(self, role: MachineRole) -> aws.iam.Role:
        return aws.iam.Role(
            f"{self._name}-{role}",
            name=role_name(self._args.infra_id, role),
            path=self._args.path,
            permissions_boundary=self._args.permissions_boundary,
            assume_role_policy=json.dumps(machine_trust_policy()),
            opts=self._named(self._args.protect),
        )

    def _instance_profile(self, role: MachineRole) -> aws.iam.InstanceProfile:
        return aws.iam.InstanceProfile(
            f"{self._name}-{role}",
            name=instance_profile_name(self._args.infra_id, role),
            path=self._args.path,
            role=self.roles[role].name,
            opts=self._named(self._args.protect),
        )

    def _inline_policy(self, role: MachineRole) -> None:
        document = machine_policy(role, self._args.ignition_object_arn)
        aws.iam.RolePolicy(
            f"{self._name}-{role}",
            name=f"{self._args.infra_id}-{role}-policy",
            role=self.roles[role].name,
            policy=json.dumps(document),
            opts=self._named(protect=False),
        )
