"""ClusterIam: one account's IAM set for TKG / CAPA clusters.

Creates what `tanzu mc permissions aws set` (TKG) or `clusterawsadm bootstrap iam
create-cloudformation-stack` (CAPA) create, as plain IAM resources: the roles `control-plane`,
`nodes` and `controllers` (plus the name suffix) trusting EC2, an instance profile of the same name
for each, the three customer managed policies and their five attachments (policies/template.py),
the inline policy TKG adds and the user's extra policy attachments. The same component builds a
workload account's set through that account's provider, with extra trust statements on the
controllers role. The EKS local cluster role iam.eksLocalClusterRole asks for beside each set is the
EKS platform's (eks_local_cluster_role.py).

Replacement and deletion: the names are fixed (clusters and TKG refer to them by name), so a second
copy cannot exist next to the first, and every named resource is deleted before its replacement is
created (`delete_before_replace`). The provider already replaces a role, instance profile or
managed policy when its name or path changes, and an inline policy or attachment when its role,
name or policy ARN changes; no `replace_on_changes` is needed. Roles, instance profiles and
managed policies are protected by default (`iam.protect`): running clusters use them, so deleting
or replacing them (e.g. after a suffix or path change) only happens after `iam.protect: false`.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws
from pydantic.alias_generators import to_camel

from components.policies import trust
from components.policies.grammar import Profile, Statement
from components.tkg.policies import template
from components.tkg.policies.tanzu import INLINE_POLICY_NAME


@dataclass(frozen=True, kw_only=True)
class ClusterIamArgs:
    name_suffix: str
    """Suffix of every role, instance profile and policy name, e.g. `.tkg.cloud.vmware.com`."""
    partition: str
    """Partition of the account (aws, aws-us-gov, aws-cn), for AWS-managed policy ARNs."""
    profile: Profile = "tkg"
    """tkg: TKG's template (CAPA v2.0 action sets); capa: CAPA v2.11.1 with allowAssumeRole. Default: tkg."""
    tmc_permissions: bool = True
    """TKG's TMC read statements on control-plane and nodes (profile tkg only). Default: true."""
    path: str = "/"
    """IAM path of the roles, instance profiles and managed policies. Default: /."""
    permissions_boundary: str | None = None
    """Policy ARN set as permissions boundary on every role. Default: none."""
    extra_policy_arns: Mapping[str, Sequence[str]] = field(default_factory=dict)
    """Role base name -> further managed policy ARNs to attach. Default: none."""
    protect: bool = True
    """Protect roles, instance profiles and managed policies. Default: true."""
    controllers_trust_statements: pulumi.Input[Sequence[pulumi.Input[Statement]]] = ()
    """Statements appended to the controllers role's trust policy; an Output of them, or Outputs among
    them, allowed. Default: none."""
    controllers_max_session_duration: int | None = None
    """MaxSessionDuration of the controllers role (seconds, 3600..43200). Default: AWS's, 3600."""
    allow_assume_role: bool = True
    """CAPA's allowAssumeRole (profile capa): the controllers may assume a role of the set in other
    accounts. The management account's set needs it; a workload account's does not. Default: true."""
    retain_on_delete: bool = False
    """Leave every resource in the account when it leaves the stack: the set was adopted from tanzu or
    clusterawsadm, or other stacks use it. Default: false."""

    def __post_init__(self) -> None:
        unknown = set(self.extra_policy_arns) - set(template.ROLES)
        if unknown:
            raise ValueError(f"extra_policy_arns: no such roles {sorted(unknown)}; roles are {template.ROLES}")


class ClusterIam(pulumi.ComponentResource):
    """The roles, instance profiles and policies of one account, keyed by base name."""

    TYPE_TOKEN = "tkg-aws:iam:ClusterIam"

    roles: dict[str, aws.iam.Role]
    instance_profiles: dict[str, aws.iam.InstanceProfile]
    policies: dict[str, aws.iam.Policy]
    inline_policies: dict[str, aws.iam.RolePolicy]
    attachments: dict[str, aws.iam.RolePolicyAttachment]
    """Keyed `<role>/<policy base name or ARN>`."""
    args: ClusterIamArgs
    """What the set was built from: path, boundary, protection and retention apply beside it too."""

    def __init__(self, name: str, args: ClusterIamArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.args = args
        self.attachments = {}
        documents = template.managed_policies(args.profile, args.name_suffix, args.allow_assume_role)
        self.policies = {base: self._managed_policy(base, doc) for base, doc in documents.items()}
        self.roles = {base: self._role(base) for base in template.ROLES}
        self.instance_profiles = {base: self._instance_profile(base) for base in template.ROLES}
        for role, bases in template.ATTACHMENTS.items():
            for base in bases:
                self._attach(role, base, self.policies[base].arn)
        for role, arns in args.extra_policy_arns.items():
            for arn in arns:
                self._attach(role, arn, arn)
        inline = template.inline_policies(args.profile, args.tmc_permissions)
        self.inline_policies = {role: self._inline_policy(role, doc) for role, doc in inline.items()}
        self.register_outputs(self.outputs())

    def role_arn(self, base: str) -> pulumi.Output[str]:
        return self.roles[base].arn

    def role_name(self, base: str) -> pulumi.Output[str]:
        return self.roles[base].name

    def outputs(self) -> dict[str, Any]:
        """The `iam` stack output: names and ARNs keyed by camelCase base name (controlPlane, ...)."""
        return {
            "roleArns": _by_key(self.roles, lambda r: r.arn),
            "roleNames": _by_key(self.roles, lambda r: r.name),
            "instanceProfileArns": _by_key(self.instance_profiles, lambda p: p.arn),
            "instanceProfileNames": _by_key(self.instance_profiles, lambda p: p.name),
            "policyArns": _by_key(self.policies, lambda p: p.arn),
        }

    # --- children ----------------------------------------------------------------------------
    def _named(self, protect: bool) -> pulumi.ResourceOptions:
        """Options of a resource whose identity is its name: no second copy can exist beside it."""
        return pulumi.ResourceOptions(
            parent=self, protect=protect, delete_before_replace=True, retain_on_delete=self._args.retain_on_delete
        )

    def _managed_policy(self, base: str, document: dict[str, Any]) -> aws.iam.Policy:
        return aws.iam.Policy(
            f"{self._name}-{base}",
            name=base + self._args.name_suffix,
            path=self._args.path,
            policy=json.dumps(document),
            opts=self._named(self._args.protect),
        )

    def _role(self, base: str, name: str | None = None) -> aws.iam.Role:
        controllers = base == "controllers"
        extra = self._args.controllers_trust_statements if controllers else ()
        return aws.iam.Role(
            f"{self._name}-{base}",
            name=name or base + self._args.name_suffix,
            path=self._args.path,
            permissions_boundary=self._args.permissions_boundary,
            max_session_duration=self._args.controllers_max_session_duration if controllers else None,
            assume_role_policy=_trust_policy(extra),
            opts=self._named(self._args.protect),
        )

    def _instance_profile(self, base: str) -> aws.iam.InstanceProfile:
        return aws.iam.InstanceProfile(
            f"{self._name}-{base}",
            name=base + self._args.name_suffix,
            path=self._args.path,
            role=self.roles[base].name,
            opts=self._named(self._args.protect),
        )

    def _attach(self, role: str, key: str, policy_arn: pulumi.Input[str]) -> None:
        # Attachments and inline policies are identified by (role, policy), which a replacement
        # keeps: creating the new one first and then deleting the old would detach the policy.
        self.attachments[f"{role}/{key}"] = aws.iam.RolePolicyAttachment(
            f"{self._name}-{role}-{_policy_key(key)}",
            role=self.roles[role].name,
            policy_arn=policy_arn,
            opts=self._named(protect=False),
        )

    def _inline_policy(self, role: str, document: dict[str, Any]) -> aws.iam.RolePolicy:
        return aws.iam.RolePolicy(
            f"{self._name}-{role}-inline",
            name=INLINE_POLICY_NAME,
            role=self.roles[role].name,
            policy=json.dumps(document),
            opts=self._named(protect=False),
        )


@dataclass(frozen=True)
class ExistingIamSet:
    """The IAM set another stack of the same account creates (iam.ownedByStack), known by its names.

    Nothing is created: the names are TKG's fixed ones, so ARNs follow from account, path and suffix.
    """

    account_id: str
    partition: str
    name_suffix: str
    path: str = "/"

    def _arn(self, kind: str, base: str) -> str:
        return f"arn:{self.partition}:iam::{self.account_id}:{kind}{self.path}{base}{self.name_suffix}"

    def role_arn(self, base: str) -> str:
        return self._arn("role", base)

    def role_name(self, base: str) -> str:
        return base + self.name_suffix

    def outputs(self) -> dict[str, Any]:
        """The same `iam` stack output as ClusterIam's."""
        bases = template.ROLES
        return {
            "roleArns": {_output_key(b): self.role_arn(b) for b in bases},
            "roleNames": {_output_key(b): self.role_name(b) for b in bases},
            "instanceProfileArns": {_output_key(b): self._arn("instance-profile", b) for b in bases},
            "instanceProfileNames": {_output_key(b): self.role_name(b) for b in bases},
            "policyArns": {_output_key(b): self._arn("policy", b) for b in bases},
        }


def _trust_policy(extra_statements: pulumi.Input[Sequence[pulumi.Input[Statement]]]) -> pulumi.Input[str]:
    """The EC2 trust policy as JSON: plain text without extra statements (all roles but a workload
    account's controllers), else one Output of the statements resolved (Output.json_dumps would lift
    every value of the whole document into an Output of its own)."""
    if isinstance(extra_statements, Sequence) and not extra_statements:
        return json.dumps(trust.ec2_trust_policy())
    statements = pulumi.Output.from_input(extra_statements)
    return statements.apply(lambda resolved: json.dumps(trust.ec2_trust_policy(resolved)))


def _policy_key(key: str) -> str:
    """A logical-name part for a policy: its base name, or an ARN's account and name.

    `arn:aws:iam::aws:policy/service-role/X` -> `aws-service-role/X`: stable, readable, and free of
    the `::` that URNs use as separators.
    """
    if not key.startswith("arn:"):
        return key
    account, resource = key.split(":", 5)[4:6]
    return f"{account}-{resource.removeprefix('policy/')}"


def _by_key(resources: Mapping[str, Any], attribute: Callable[[Any], pulumi.Output[str]]) -> dict[str, Any]:
    """Base names as output keys: control-plane -> controlPlane."""
    return {_output_key(base): attribute(resource) for base, resource in resources.items()}


def _output_key(base: str) -> str:
    """A role base name as an output key: control-plane -> controlPlane."""
    return to_camel(base.replace("-", "_"))
