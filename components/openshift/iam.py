"""MachineIam: the IAM roles, instance profiles and inline policies of the cluster's machines.

One set per machine role (`master`, `worker`, `bootstrap`): the role `<infraId>-<role>-role`
trusted by EC2, its instance profile `<infraId>-<role>-profile` and its inline policy
`<infraId>-<role>-policy` (policies.py, the templates' documents), under the stack's IAM path and
permissions boundary (iam.path, iam.permissionsBoundary). The names are the installer's own, so
they are unique per account: a replacement deletes the old one first. The control-plane and
compute roles and instance profiles are protected by default (openshift.protect); the bootstrap set
is never protected: it goes with bootstrap.enabled, by config alone.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.openshift.policies import IgnitionGrant, MachineRole, machine_policy, machine_trust_policy


@dataclass(frozen=True, kw_only=True)
class MachineIamArgs:
    infra_id: str
    roles: Sequence[MachineRole]
    ignition: IgnitionGrant
    """What the bootstrap machine may read: its ignition object, and the key that decrypts it."""
    partition: str = "aws"
    path: str = "/"
    permissions_boundary: str | None = None
    protect: bool = True


def role_name(infra_id: str, role: MachineRole) -> str:
    return f"{infra_id}-{role}-role"


def role_arn(partition: str, account_id: str, path: str, name: str) -> str:
    """A role's ARN before (or after) it exists, as policies that only name it need it."""
    return f"arn:{partition}:iam::{account_id}:role{path}{name}"


def instance_profile_name(infra_id: str, role: MachineRole) -> str:
    return f"{infra_id}-{role}-profile"


class MachineIam(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:openshift:MachineIam"

    roles: dict[MachineRole, aws.iam.Role]
    instance_profiles: dict[MachineRole, aws.iam.InstanceProfile]
    policies: dict[MachineRole, aws.iam.RolePolicy]
    outputs: dict[str, Any]

    def __init__(self, name: str, args: MachineIamArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.roles, self.instance_profiles, self.policies = {}, {}, {}
        for role in args.roles:
            self.roles[role] = self._role(role)
            self.instance_profiles[role] = self._instance_profile(role)
            self.policies[role] = self._inline_policy(role)
        self.outputs = {
            "roleArns": {r: role.arn for r, role in sorted(self.roles.items())},
            "instanceProfileNames": {r: p.name for r, p in sorted(self.instance_profiles.items())},
        }
        self.register_outputs(self.outputs)

    def _named(self, protect: bool) -> pulumi.ResourceOptions:
        return pulumi.ResourceOptions(parent=self, protect=protect, delete_before_replace=True)

    def _protected(self, role: MachineRole) -> bool:
        # Removing the bootstrap by config must never trip over protect.
        return self._args.protect and role != "bootstrap"

    def _role(self, role: MachineRole) -> aws.iam.Role:
        return aws.iam.Role(
            f"{self._name}-{role}",
            name=role_name(self._args.infra_id, role),
            path=self._args.path,
            permissions_boundary=self._args.permissions_boundary,
            assume_role_policy=json.dumps(machine_trust_policy(self._args.partition)),
            opts=self._named(self._protected(role)),
        )

    def _instance_profile(self, role: MachineRole) -> aws.iam.InstanceProfile:
        return aws.iam.InstanceProfile(
            f"{self._name}-{role}",
            name=instance_profile_name(self._args.infra_id, role),
            path=self._args.path,
            role=self.roles[role].name,
            opts=self._named(self._protected(role)),
        )

    def _inline_policy(self, role: MachineRole) -> aws.iam.RolePolicy:
        document = machine_policy(role, self._args.ignition if role == "bootstrap" else None)
        return aws.iam.RolePolicy(
            f"{self._name}-{role}",
            name=f"{self._args.infra_id}-{role}-policy",
            role=self.roles[role].name,
            policy=pulumi.Output.json_dumps(document),
            opts=self._named(protect=False),
        )
