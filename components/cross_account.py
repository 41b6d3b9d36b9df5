"""WorkloadAccount: a secondary AWS account where workload clusters run, prepared from this stack.

Seed 003 does this by hand in every secondary account: run `tanzu mc permissions aws set` there,
then edit the controllers role's trust. Here, per account: an aws.Provider that assumes the
account's deploy role (and refuses any other account), the account's ClusterIam whose controllers
role also trusts the management CAPA principal(s), and optionally the stack's key pair.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components import tool_config
from components.config import IamConfig, WorkloadAccountConfig
from components.iam import ClusterIam, ClusterIamArgs
from components.key_pairs import KeyPairs, KeyPairsArgs
from components.policies.cross_account import management_trust_statement

# Role chaining (an instance-profile or IRSA session assuming another role) is capped at one hour.
ROLE_CHAINING_MAX_SECONDS = 3600


@dataclass(frozen=True, kw_only=True)
class WorkloadAccountArgs:
    account: WorkloadAccountConfig
    region: str
    partition: str
    default_tags: Mapping[str, str]
    iam: IamConfig
    """The same IAM settings as the management account: one template everywhere."""
    capa_principal_arns: pulumi.Input[list[str]]
    """Who CAPA runs as in the management account; only they may assume the controllers role."""
    availability_zones: list[str]
    """The stack's AZs: AZ names mean the same in every account of a region for TKG's purposes."""
    key_name: str
    public_key: pulumi.Input[str] | None = None
    """The stack's public key, imported here when the account asks for a key pair."""


class WorkloadAccount(pulumi.ComponentResource):
    provider: aws.Provider
    iam: ClusterIam
    key_pairs: KeyPairs | None

    def __init__(self, name: str, args: WorkloadAccountArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("tkg-aws:cross_account:WorkloadAccount", name, None, opts)
        self._account = account = args.account
        self._region, self._azs, self._key_name = args.region, args.availability_zones, args.key_name
        self.provider = self._account_provider(name, args)
        in_account = pulumi.ResourceOptions(parent=self, providers=[self.provider])
        trust = pulumi.Output.from_input(args.capa_principal_arns).apply(
            lambda arns: management_trust_statement(args.partition, arns, account.identity.external_id)
        )
        self.iam = ClusterIam(name, self._iam_args(args, trust), opts=in_account)
        self.key_pairs = None
        if account.key_pair and args.public_key is not None:
            self.key_pairs = KeyPairs(
                name, KeyPairsArgs(key_name=args.key_name, public_key=args.public_key), opts=in_account
            )
        if account.identity.duration_seconds > ROLE_CHAINING_MAX_SECONDS:
            pulumi.log.warn(
                f"workload account {account.name}: identity durationSeconds {account.identity.duration_seconds} "
                "works only when CAPA runs with IAM user keys: STS refuses role-chained sessions (CAPA on an "
                "instance profile, IRSA or Pod Identity) longer than 3600 seconds",
                resource=self,
            )
        self.register_outputs(self.outputs())

    @staticmethod
    def _iam_args(args: WorkloadAccountArgs, trust: pulumi.Output[Any]) -> ClusterIamArgs:
        """The management template, with this account's own boundary and extra policies."""
        account = args.account
        duration = account.identity.duration_seconds
        return dataclasses.replace(
            ClusterIamArgs.from_config(args.iam, args.partition, [trust]),
            permissions_boundary=account.permissions_boundary,
            extra_policy_arns=account.extra_policy_arns.by_role(),
            # The identity's sessions may last as long as its durationSeconds asks.
            controllers_max_session_duration=duration if duration > ROLE_CHAINING_MAX_SECONDS else None,
        )

    @property
    def controllers_role(self) -> aws.iam.Role:
        return self.iam.roles["controllers"]

    def outputs(self) -> dict[str, Any]:
        """This account's entry of the `workloadAccounts` stack output."""
        account = self._account
        return {
            "accountId": account.account_id,
            "controllersRoleArn": self.controllers_role.arn,
            "identityName": account.identity_name,
            "identityKind": "AWSClusterRoleIdentity",
            "keyPairName": self.key_pairs.key_pair.key_name if self.key_pairs else None,
            # What `tanzu cluster create -f` needs to build a cluster in this account.
            "tkgClusterConfig": tool_config.in_workload_account(
                region=self._region,
                azs=self._azs,
                identity_name=account.identity_name,
                ssh_key_name=self._key_name if self.key_pairs else None,
            ),
        }

    def _account_provider(self, name: str, args: WorkloadAccountArgs) -> aws.Provider:
        account = args.account
        return aws.Provider(
            name,
            region=args.region,
            assume_roles=[
                aws.ProviderAssumeRoleArgs(
                    role_arn=account.deploy_role_arn,
                    external_id=account.deploy_external_id,
                    session_name=account.deploy_session_name or f"tkg-aws-{account.name}"[:64],
                )
            ],
            # A deploy role that lands in any other account fails the run before it changes anything.
            allowed_account_ids=[account.account_id],
            default_tags=aws.ProviderDefaultTagsArgs(tags=dict(args.default_tags)),
            opts=pulumi.ResourceOptions(parent=self),
        )
