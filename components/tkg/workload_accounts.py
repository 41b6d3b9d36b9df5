"""WorkloadAccount: a secondary AWS account where workload clusters run, prepared from this stack.

The manual way runs `tanzu mc permissions aws set` in every secondary account, then edits the
controllers role's trust by hand. Here, per account, through the account's pinned provider
(components/foundations/accounts.py): the account's ClusterIam, whose controllers role also trusts the
management CAPA principal(s), optionally the stack's key pair, and with iam.eksLocalClusterRole the
EKS local cluster role beside the set (eks_local_cluster_role.py). With `adopted` the account's
set came from tanzu or clusterawsadm and stays in the account when it leaves the stack.

The account's roles are protected unless `protect: false` (default iam.protect), so one account
can be removed on purpose while every other keeps its protection. A renamed account (formerNames)
keeps its resources: the component is aliased to its former names, and its children inherit the
alias.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.foundations.key_pairs import KeyPairs, KeyPairsArgs
from components.tkg import cluster_config
from components.tkg.eks_local_cluster_role import eks_local_cluster_role
from components.tkg.iam import ClusterIam, ClusterIamArgs
from components.tkg.policies.cross_account import management_trust_statements


@dataclass(frozen=True, kw_only=True)
class WorkloadAccountArgs:
    account_id: str
    identity_name: str
    """The AWSClusterRoleIdentity that points at this account (TKG's AWS_IDENTITY_REF_NAME)."""
    former_names: Sequence[str] = ()
    """Names the account had before: aliases keep its resources."""
    provider: aws.Provider
    """The account's pinned provider (components/foundations/accounts.py)."""
    region: str
    partition: str
    iam: ClusterIamArgs
    """The account's IAM set: the management template with the account's own boundary, extra
    policies and protection; the trust of the management side is added here."""
    capa_principal_arns: pulumi.Input[list[str]]
    """Who CAPA runs as in the management account; only they may assume the controllers role."""
    trust_external_id: pulumi.Input[str] | None = None
    """The sts:ExternalId the identity presents (may be a secret)."""
    availability_zones: list[str]
    """The stack's AZs: AZ names mean the same in every account of a region for TKG's purposes."""
    key_name: str
    public_key: pulumi.Input[str] | None = None
    """The stack's public key, imported here; None: no key pair in this account."""
    retain_on_delete: bool = False
    """The account's set came from tanzu or clusterawsadm: it stays when the account leaves the stack."""
    eks_local_cluster_role: str | None = None
    """Name of the EKS local cluster role beside the account's set (iam.eksLocalClusterRole). Default: none."""


class WorkloadAccount(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:cross_account:WorkloadAccount"

    provider: aws.Provider
    iam: ClusterIam
    key_pairs: KeyPairs | None

    def __init__(self, name: str, args: WorkloadAccountArgs, opts: pulumi.ResourceOptions | None = None):
        former = pulumi.ResourceOptions(aliases=[pulumi.Alias(name=n) for n in args.former_names])
        super().__init__(self.TYPE_TOKEN, name, None, pulumi.ResourceOptions.merge(opts, former))
        self._args = args
        self.provider = args.provider
        in_account = pulumi.ResourceOptions(parent=self, providers=[self.provider])
        trust = pulumi.Output.all(args.capa_principal_arns, args.trust_external_id).apply(
            lambda values: management_trust_statements(args.partition, *values)
        )
        # AssumeRole, and TagSession for Pod Identity's session tags.
        iam = dataclasses.replace(args.iam, controllers_trust_statements=trust)
        self.iam = ClusterIam(name, iam, opts=in_account)
        self.key_pairs = None
        if args.public_key is not None:
            key_pair = KeyPairsArgs(
                key_name=args.key_name, public_key=args.public_key, retain_on_delete=args.retain_on_delete
            )
            self.key_pairs = KeyPairs(name, key_pair, opts=in_account)
        if args.eks_local_cluster_role is not None:
            eks_local_cluster_role(f"{name}-eks-local", args.eks_local_cluster_role, self.iam, name, in_account)
        self.register_outputs(self.outputs())

    @property
    def controllers_role(self) -> aws.iam.Role:
        return self.iam.roles["controllers"]

    def outputs(self) -> dict[str, Any]:
        """This account's entry of the `workloadAccounts` stack output."""
        args = self._args
        return {
            "accountId": args.account_id,
            "controllersRoleArn": self.controllers_role.arn,
            "identityName": args.identity_name,
            "identityKind": "AWSClusterRoleIdentity",
            "keyPairName": self.key_pairs.key_pair.key_name if self.key_pairs else None,
            # What `tanzu cluster create -f` needs to build a cluster in this account.
            "tkgClusterConfig": cluster_config.in_workload_account(
                region=args.region,
                azs=args.availability_zones,
                identity_name=args.identity_name,
                ssh_key_name=args.key_name if self.key_pairs else None,
            ),
        }
