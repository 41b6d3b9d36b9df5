"""The stack's AWS providers: one per account, each pinned to its account, all reaching AWS as the
stack's `aws:` settings say.

The management provider uses the stack's credentials chain (components/config/provider_settings.py); each
workload account's provider starts from the same identity and then assumes the account's deploy
role. Every provider carries `allowed_account_ids`, which pulumi-aws checks when the provider is
configured, and the management provider depends on every workload provider: no resource of any
account is created before every provider has proven it reaches the right account. That holds for
`pulumi up --skip-preview` (the Automation API path) too, where no preview stops a bad run first.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import pulumi
import pulumi_aws as aws

from components.config.rules import MANAGEMENT_PROVIDER_NAME
from components.naming import CAPA_TAG_PREFIXES

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig
    from components.tkg.config import WorkloadAccountConfig

# Where each workload account's provider was registered before it moved here: inside its
# WorkloadAccount component (components/tkg/workload_accounts.py). The alias keeps the provider, so no
# resource of the account sees a provider change. WorkloadAccount's token, written out: the foundations import
# no platform (tests/test_type_tokens.py checks they agree).
FORMER_WORKLOAD_PROVIDER_PARENT = "tkg-aws:cross_account:WorkloadAccount"
EXACT_TAGS_PROVIDER_NAME = f"{MANAGEMENT_PROVIDER_NAME}-exact-tags"


@dataclass
class AccountProviders:
    config: StackConfig
    management: aws.Provider
    workload: dict[str, aws.Provider]
    """Keyed by workload account name."""
    _exact_tags: aws.Provider | None = None

    def exact_tags(self) -> aws.Provider:
        """The management account's provider that ignores no tag key, made on first use.

        For resources whose own tags sit under the prefixes the management provider leaves to CAPA
        and that have no tag resource of their own (a Route 53 zone's `owned` tag, an auto scaling
        group's cluster tag): with the ignore, the provider would hide them and show a change on
        every run.
        """
        if self._exact_tags is None:
            self._exact_tags = aws.Provider(
                EXACT_TAGS_PROVIDER_NAME,
                region=self.config.region,
                default_tags=aws.ProviderDefaultTagsArgs(tags=self.config.default_tags),
                allowed_account_ids=[self.config.management_cluster.account_id],
                **self.config.aws.provider_args(),
                opts=pulumi.ResourceOptions(depends_on=[self.management]),
            )
        return self._exact_tags


def account_providers(config: StackConfig) -> AccountProviders:
    """Every account's provider, the workload accounts' first (the management provider waits for them)."""
    workload = {account.name: workload_provider(config, account) for account in config.workload_accounts}
    return AccountProviders(config, management_provider(config, list(workload.values())), workload)


def management_provider(config: StackConfig, wait_for: list[aws.Provider]) -> aws.Provider:
    return aws.Provider(
        MANAGEMENT_PROVIDER_NAME,
        region=config.region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=config.default_tags),
        allowed_account_ids=[config.management_cluster.account_id],
        # CAPA tags the network's subnets for its own clusters; those tags are CAPA's, ours under the
        # same prefixes are aws.ec2.Tag resources (components/foundations/network_tags.py). Workload
        # providers hold no network and keep every tag.
        ignore_tags=aws.ProviderIgnoreTagsArgs(key_prefixes=list(CAPA_TAG_PREFIXES)),
        **config.aws.provider_args(),
        opts=pulumi.ResourceOptions(depends_on=wait_for),
    )


def workload_provider(config: StackConfig, account: WorkloadAccountConfig) -> aws.Provider:
    """The account's provider: the stack's identity, then the account's deploy role."""
    deploy_role = aws.ProviderAssumeRoleArgs(
        role_arn=account.deploy_role_arn,
        external_id=account.deploy_external_id_input,
        session_name=account.deploy_session_name or f"tkg-aws-{account.name}"[:64],
    )
    stack, project = pulumi.get_stack(), pulumi.get_project()
    former_parent = f"urn:pulumi:{stack}::{project}::{FORMER_WORKLOAD_PROVIDER_PARENT}::{account.name}"
    return aws.Provider(
        account.name,
        region=config.region,
        default_tags=aws.ProviderDefaultTagsArgs(tags=config.default_tags),
        # A deploy role that lands in any other account fails the run before it changes anything.
        allowed_account_ids=[account.account_id],
        **config.aws.provider_args(extra_assume_roles=[deploy_role]),
        # A renamed account (formerNames) keeps its provider, so none of its resources is replaced.
        opts=pulumi.ResourceOptions(
            aliases=[pulumi.Alias(parent=former_parent), *(pulumi.Alias(name=n) for n in account.former_names)]
        ),
    )
