"""Preflight: read a stack's real AWS accounts before its first `pulumi up` and report what stands in the way.

    python -m tools.preflight STACK [--config-file FILE] [--json] [--allow-unchecked CHECK ...]
                                    [--timeout SECONDS] [--call-timeout SECONDS]

Plans the stack offline (tools/plan/command.py) to learn what it creates in which account, then reads each
account with boto3 through the stack's own `aws:` settings (tools/preflight/aws_session.py). Every call is a
read (Describe, Get, List, the IAM policy simulator) or an STS session; nothing in the account changes.
Per account, the checks of ACCOUNT_CHECKS, each by the name `--allow-unchecked` takes:
  - identity: the caller identity is the account the stack is pinned to (workload accounts: first,
    the deploy role can be assumed, with its external id)
  - region: the region is enabled
  - availability-zones: the config's zones exist there, with the AZ IDs they mean in that account
  - existing-vpc: a bring-your-own VPC and its subnets are where the config says
  - quotas: the service quotas TKG's AWS preparation guide lists fit what the account uses plus what the stack adds
  - existing-resources: the fixed-name roles, instance profiles, policies and key pairs the stack
    creates are not already there (or are adopted), naming the CloudFormation stack that owns them
  - permissions: the caller may make the calls the deployment makes (IAM policy simulator)
  - openshift: an OpenShift stack's AMI, instance type offerings, public zone, existing subnets and
    rule quota (tools/preflight/openshift.py)
  - gpu-quotas: the G/VT and P instance quotas fit the GPU workers and GPU compute machines configured
    (tools/preflight/gpu.py)
  - outpost-subnets: an EKS local cluster's existing VPC: its Outpost subnets, DNS attributes, egress
    and local gateway association (tools/preflight/outposts.py)
It fails closed: whatever could not be checked (denied, throttled, unreachable, timed out, a server
error, an API the endpoint lacks) fails, unless accepted unchecked by name (`--allow-unchecked
quotas`, repeatable; `all`). The credentials and the identity cannot be accepted unchecked: without
them nothing was read. Each call has connect and read timeouts (--call-timeout) and bounded
retries, the whole run a deadline (--timeout); on a terminal, stderr shows which check runs.
Prints a report within 100 columns (status and check, details, what to do), with --markdown a
Markdown table (for a CI job summary), with --json a JSON list of rows.
Exit codes: 0 ready (warnings allowed), 1 something must be fixed or could not be checked,
2 bad config or arguments.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from components import __version__
from components.config.base import ConfigError
from components.config.stack_files import StackFileError, stack_files
from components.stack_config.models import StackConfig
from tools.plan.command import ROOT_DIR, plan_stack
from tools.plan.program import ProgramRun
from tools.plan.progress import Progress
from tools.preflight.account import availability_zones, caller_identity, existing_vpc, region_enabled
from tools.preflight.aws_session import (
    AWS_ERRORS,
    AccountAccessError,
    AwsClients,
    CallLimits,
    describe_error,
    stack_clients,
)
from tools.preflight.existing import existing_rows
from tools.preflight.gpu import CHECK_NAME as GPU_CHECK_NAME
from tools.preflight.gpu import applies as gpu_quotas_apply
from tools.preflight.gpu import gpu_quota_rows
from tools.preflight.openshift import openshift_rows
from tools.preflight.outposts import outpost_rows
from tools.preflight.permissions import permission_rows
from tools.preflight.quotas import quota_rows
from tools.preflight.report import (
    ALL_CHECKS,
    FAIL,
    OK,
    WARN,
    Row,
    allow_unchecked,
    as_json,
    could_not_check,
    report,
    table,
    unchecked_row,
    verdict,
)
from tools.preflight.targets import MANAGEMENT, Target, targets

EXIT_READY = 0
EXIT_NOT_READY = 1
EXIT_BAD_CONFIG = 2


DEFAULT_TIMEOUT = 600.0
"""Seconds the whole preflight may take (a few per account are enough where AWS answers)."""
DEFAULT_CALL_TIMEOUT = 15.0
"""Seconds one attempt of a call may wait for an answer."""
CONNECT_TIMEOUT = 5.0


@dataclass(frozen=True)
class CheckContext:
    """What a check of one account gets: where, with which clients, for which stack."""

    target: Target
    clients: AwsClients
    config: StackConfig
    identity: dict[str, Any]
    """The caller identity in this account (sts:GetCallerIdentity's answer)."""


@dataclass(frozen=True)
class AccountCheck:
    """One check of every account; a platform's preflight module adds its own to ACCOUNT_CHECKS.

    `rows` may raise any AWS error: the row then says the check could not be made, which fails
    unless the user accepts `name` unchecked. Rows it returns itself as unchecked
    (preflight_report.could_not_check) are judged the same way.
    """

    name: str
    """Lowercase words joined by `-`: the name --allow-unchecked takes."""
    rows: Callable[[CheckContext], list[Row]]
    applies: Callable[[CheckContext], bool] = lambda context: True


ACCOUNT_CHECKS: tuple[AccountCheck, ...] = (
    AccountCheck("region", lambda c: region_enabled(c.target, c.clients)),
    AccountCheck("availability-zones", lambda c: availability_zones(c.target, c.clients, c.config.availability_zones)),
    AccountCheck(
        "existing-vpc",
        lambda c: existing_vpc(c.target, c.clients, c.config.network.existing_vpc),
        applies=lambda c: c.target.is_management and c.config.network.existing_vpc is not None,
    ),
    AccountCheck("quotas", lambda c: quota_rows(c.target, c.clients)),
    AccountCheck("existing-resources", lambda c: existing_rows(c.target, c.clients)),
    AccountCheck("permissions", lambda c: permission_rows(c.target, c.clients, c.identity["Arn"])),
    AccountCheck(
        "openshift",
        lambda c: openshift_rows(c.target, c.clients, c.config),
        applies=lambda c: c.target.is_management and c.config.openshift is not None,
    ),
    AccountCheck(
        GPU_CHECK_NAME,
        lambda c: gpu_quota_rows(c.target, c.clients, c.config),
        applies=lambda c: gpu_quotas_apply(c.target, c.config),
    ),
    AccountCheck(
        "outpost-subnets",
        lambda c: outpost_rows(c.target, c.clients, c.config),
        applies=lambda c: c.target.is_management and c.config.eks_local_cluster is not None,
    ),
)
# Checks that cannot be accepted unchecked: without them nothing else was read.
REQUIRED_CHECKS = ("credentials", "identity", "deploy-role")


def check_names() -> list[str]:
    """What --allow-unchecked accepts."""
    return [check.name for check in ACCOUNT_CHECKS]


def show_step(progress: Progress, account: str, check: str) -> None:
    """The check that runs now, on a terminal (tools/plan/progress.py)."""
    progress.say(f"preflight: {account}: {check} ...")


def preflight(run: ProgramRun, limits: CallLimits | None = None, progress: Progress | None = None) -> list[Row]:
    """Every row of every account of the planned stack, each named by the check that made it."""
    config = run.config
    limits = limits or CallLimits()
    progress = progress or Progress()
    management, *workloads = targets(run)
    show_step(progress, MANAGEMENT, "credentials")
    try:
        base, notes = stack_clients(config.aws, config.region, limits)
    except AccountAccessError as err:
        action = "fix the aws:assumeRoles chain or its trust policies"
        return [Row(MANAGEMENT, "credentials", FAIL, str(err), action, name="credentials")]
    except AWS_ERRORS as err:
        action = "fix aws:profile or the shared files"
        return [Row(MANAGEMENT, "credentials", FAIL, describe_error(err), action, name="credentials")]
    rows = [Row(MANAGEMENT, "aws settings", WARN, note, name="credentials") for note in notes]
    rows += check_account(management, base, config, limits, progress)
    for target in workloads:
        rows += check_workload_account(target, base, config, limits, progress)
    return rows


def check_workload_account(
    target: Target, base: AwsClients, config: StackConfig, limits: CallLimits, progress: Progress
) -> list[Row]:
    """Enter the account as its provider does (the deploy role, from the stack's identity), then check it."""
    account = target.workload
    assert account is not None
    # The session name the account's provider uses (components/foundations/accounts.py).
    session_name = account.deploy_session_name or f"tkg-aws-{account.name}"[:64]
    show_step(progress, target.name, "deploy-role")
    try:
        limits.check("AssumeRole")
        clients = base.assume_role(account.deploy_role_arn, session_name, account.deploy_external_id)
    except (AccountAccessError, *AWS_ERRORS) as err:
        action = "the role's trust policy must let the stack's identity assume it (with deployExternalId if it asks)"
        details = str(err) if isinstance(err, AccountAccessError) else describe_error(err)
        return [Row(target.name, "deploy role", FAIL, details, action, name="deploy-role")]
    external = " with its external id" if account.deploy_external_id else ""
    assumed = Row(target.name, "deploy role", OK, f"assumed {account.deploy_role_arn}{external}", name="deploy-role")
    return [assumed, *check_account(target, clients, config, limits, progress)]


def check_account(
    target: Target, clients: AwsClients, config: StackConfig, limits: CallLimits, progress: Progress
) -> list[Row]:
    show_step(progress, target.name, "identity")
    rows, identity = caller_identity(target, clients)
    rows = [dataclasses.replace(row, name="identity") for row in rows]
    if identity is None:
        return rows  # another account's (or no) answers would only mislead
    context = CheckContext(target, clients, config, identity)
    for check in ACCOUNT_CHECKS:
        if check.applies(context):
            show_step(progress, target.name, check.name)
            rows += run_check(check, context, limits)
    return rows


def run_check(check: AccountCheck, context: CheckContext, limits: CallLimits) -> list[Row]:
    """The check's rows, named after it; an error on the way, or the deadline, is an unchecked row."""
    account = context.target.name
    if limits.passed():
        why = f"the overall deadline of {limits.deadline_seconds:g} s passed before it started"
        rows = [unchecked_row(account, check.name, why, "rerun with a longer --timeout")]
    else:
        try:
            rows = check.rows(context)
        except AWS_ERRORS as err:
            rows = [could_not_check(account, check.name, err)]
    return [dataclasses.replace(row, name=check.name) for row in rows]


def exit_code(rows: list[Row]) -> int:
    return EXIT_NOT_READY if any(row.status == FAIL for row in rows) else EXIT_READY


# --- command line --------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.preflight",
        description="Check the stack's real AWS accounts, read-only, before the first `pulumi up`.",
    )
    parser.add_argument("--version", action="version", version=f"tkg-aws {__version__}")
    parser.add_argument("stack", help="stack name: reads Pulumi.STACK.yaml (e.g. dev, prod)")
    parser.add_argument("--config-file", type=Path, help="stack config file to read instead")
    parser.add_argument("--json", action="store_true", help="print a JSON list of rows instead of the report")
    parser.add_argument(
        "--markdown", action="store_true", help="print the rows as a Markdown table (a CI job summary) instead"
    )
    parser.add_argument(
        "--allow-unchecked",
        action="append",
        default=[],
        metavar="CHECK",
        choices=[*check_names(), ALL_CHECKS],
        help=f"accept a check that could not be made as a warning (repeatable): {', '.join(check_names())} or all",
    )
    parser.add_argument(
        "--timeout", type=_seconds, default=DEFAULT_TIMEOUT, help="seconds the whole run may take (default 600)"
    )
    parser.add_argument(
        "--call-timeout",
        type=_seconds,
        default=DEFAULT_CALL_TIMEOUT,
        help="seconds one attempt of a call may wait for an answer (default 15)",
    )
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        run = plan_stack(args.stack, args.config_file)
    except StackFileError as err:
        stacks = ", ".join(p.name.removeprefix("Pulumi.").removesuffix(".yaml") for p in stack_files(ROOT_DIR))
        print(f"error: {err}; stacks here: {stacks or 'none'}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    limits = CallLimits(min(CONNECT_TIMEOUT, args.call_timeout), args.call_timeout, args.timeout)
    rows = allow_unchecked(preflight(run, limits), args.allow_unchecked)
    if args.json:
        print(as_json(rows))
    else:
        print(f"{table(rows) if args.markdown else report(rows)}\n{verdict(rows)}")
    return exit_code(rows)


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = 0
    if not 0 < value <= 86_400:
        raise argparse.ArgumentTypeError(f"seconds between 0 and 86400 (got {text!r})")
    return value
