"""The accounts a planned stack deploys to, each with the part of the plan that lands there.

Preflight checks each account against what the stack will create in it: a resource belongs to the
account its provider is pinned to (`allowedAccountIds` of its `pulumi:providers:aws`), so the
management account gets the network, its IAM set and key pair, and each workload account its own
IAM set (and key pair, when it asks for one).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from components.config.validators import NAMESPACE
from components.tkg.config import WorkloadAccountConfig
from tools.plan.adoption import fixed_names, provider_accounts
from tools.plan.mocks import Registration
from tools.plan.program import ProgramRun

MANAGEMENT = "management"


@dataclass(frozen=True)
class Target:
    """One account of the stack, as preflight checks it."""

    name: str
    """`management`, or the workload account's name."""
    account_id: str
    plan: ProgramRun
    """The stack's plan restricted to the resources created in this account."""
    iam_adopted: bool
    """The account's IAM set is adopted (imported), so finding it in place is expected."""
    key_pair_adopted: bool
    adopt_iam_key: str
    """The config key that adopts the account's IAM set, e.g. tkg-aws:iam.adopted."""
    importable: frozenset[str]
    """URNs of this account's resources that the plan's import.json can adopt (tools/plan/adoption.py)."""
    workload: WorkloadAccountConfig | None = None

    @property
    def is_management(self) -> bool:
        return self.workload is None


def targets(run: ProgramRun) -> list[Target]:
    """The management account first, then every workload account in config order."""
    config = run.config
    management_id = config.management_cluster.account_id
    by_account = _plans_by_account(run, management_id)
    importable = frozenset(fixed.urn for fixed in fixed_names(run))
    found = [
        Target(
            MANAGEMENT,
            management_id,
            by_account.get(management_id, _empty(run)),
            iam_adopted=config.iam.adopted,
            key_pair_adopted=config.key_pair.adopted,
            adopt_iam_key=f"{NAMESPACE}:iam.adopted",
            importable=importable,
        )
    ]
    for index, account in enumerate(config.workload_accounts):
        found.append(
            Target(
                account.name,
                account.account_id,
                by_account.get(account.account_id, _empty(run)),
                iam_adopted=account.adopted,
                key_pair_adopted=account.adopted,
                adopt_iam_key=f"{NAMESPACE}:workloadAccounts[{index}].adopted",
                importable=importable,
                workload=account,
            )
        )
    return found


def _plans_by_account(run: ProgramRun, management_id: str) -> dict[str, ProgramRun]:
    accounts = provider_accounts(run)
    grouped: dict[str, dict[str, Registration]] = {}
    for urn, registration in run.registrations.items():
        account = accounts.get(registration.provider, management_id)
        grouped.setdefault(account, {})[urn] = registration
    return {account: dataclasses.replace(run, registrations=regs) for account, regs in grouped.items()}


def _empty(run: ProgramRun) -> ProgramRun:
    return dataclasses.replace(run, registrations={})
