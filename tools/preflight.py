"""Preflight: read a stack's real AWS accounts before its first `pulumi up` and report what stands in the way.

    python -m tools.preflight STACK [--config-file FILE] [--json]

Plans the stack offline (tools/plan.py) to learn what it creates in which account, then reads each
account with boto3 through the stack's own `aws:` settings (tools/aws_session.py). Every call is a
read (Describe, Get, List, the IAM policy simulator) or an STS session; nothing in the account changes.
Per account:
  - the caller identity is the account the stack is pinned to, and the region is enabled
    (workload accounts: first, the deploy role can be assumed, with its external id)
  - the config's availability zones exist there, with the AZ IDs they mean in that account
  - the service quotas TKG's AWS preparation guide lists fit what the account uses plus what the stack adds
  - the fixed-name roles, instance profiles, policies and key pairs the stack creates are not
    already there (or are adopted), naming the CloudFormation stack that owns them
  - a bring-your-own VPC and its subnets are where the config says
  - the caller may make the calls the deployment makes (IAM policy simulator)
  - an OpenShift stack's AMI, public zone, existing subnets and rule quota (tools/preflight_openshift.py)
Prints a table (check, status, details, what to do), or with --json a JSON list of rows.
Exit codes: 0 ready (warnings allowed), 1 something must be fixed, 2 bad config or arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from components.config.base import ConfigError
from components.config.models import StackConfig
from components.config.stack_files import StackFileError, stack_files
from tools.aws_session import AWS_ERRORS, AccountAccessError, AwsClients, describe_error, stack_clients
from tools.plan import ROOT_DIR, plan_stack
from tools.preflight_account import availability_zones, caller_identity, existing_vpc, region_enabled
from tools.preflight_existing import existing_rows
from tools.preflight_openshift import openshift_rows
from tools.preflight_outposts import outpost_rows
from tools.preflight_permissions import permission_rows
from tools.preflight_quotas import quota_rows
from tools.preflight_report import FAIL, OK, WARN, Row, as_json, table, verdict
from tools.preflight_targets import MANAGEMENT, Target, targets
from tools.program import ProgramRun

EXIT_READY = 0
EXIT_NOT_READY = 1
EXIT_BAD_CONFIG = 2


def preflight(run: ProgramRun) -> list[Row]:
    """Every row of every account of the planned stack."""
    config = run.config
    management, *workloads = targets(run)
    try:
        base, notes = stack_clients(config.aws, config.region)
    except AccountAccessError as err:
        return [Row(MANAGEMENT, "credentials", FAIL, str(err), "fix the aws:assumeRoles chain or its trust policies")]
    except AWS_ERRORS as err:
        return [Row(MANAGEMENT, "credentials", FAIL, describe_error(err), "fix aws:profile or the shared files")]
    rows = [Row(MANAGEMENT, "aws settings", WARN, note) for note in notes]
    rows += check_account(management, base, config)
    for target in workloads:
        rows += check_workload_account(target, base, config)
    return rows


def check_workload_account(target: Target, base: AwsClients, config: StackConfig) -> list[Row]:
    """Enter the account as its provider does (the deploy role, from the stack's identity), then check it."""
    account = target.workload
    assert account is not None
    # The session name the account's provider uses (components/accounts.py).
    session_name = account.deploy_session_name or f"tkg-aws-{account.name}"[:64]
    try:
        clients = base.assume_role(account.deploy_role_arn, session_name, account.deploy_external_id)
    except AccountAccessError as err:
        action = "the role's trust policy must let the stack's identity assume it (with deployExternalId if it asks)"
        return [Row(target.name, "deploy role", FAIL, str(err), action)]
    external = " with its external id" if account.deploy_external_id else ""
    assumed = Row(target.name, "deploy role", OK, f"assumed {account.deploy_role_arn}{external}")
    return [assumed, *check_account(target, clients, config)]


def check_account(target: Target, clients: AwsClients, config: StackConfig) -> list[Row]:
    rows, identity = caller_identity(target, clients)
    if identity is None:
        return rows  # another account's (or no) answers would only mislead
    rows += region_enabled(target, clients)
    rows += availability_zones(target, clients, config.availability_zones)
    if target.is_management and config.network.existing_vpc is not None:
        rows += existing_vpc(target, clients, config.network.existing_vpc)
        rows += outpost_rows(target, clients, config)
    rows += quota_rows(target, clients)
    rows += existing_rows(target, clients)
    rows += permission_rows(target, clients, identity["Arn"])
    rows += openshift_rows(target, clients, config)
    return rows


def exit_code(rows: list[Row]) -> int:
    return EXIT_NOT_READY if any(row.status == FAIL for row in rows) else EXIT_READY


# --- command line --------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.preflight",
        description="Check the stack's real AWS accounts, read-only, before the first `pulumi up`.",
    )
    parser.add_argument("stack", help="stack name: reads Pulumi.STACK.yaml (e.g. dev, prod)")
    parser.add_argument("--config-file", type=Path, help="stack config file to read instead")
    parser.add_argument("--json", action="store_true", help="print a JSON list of rows instead of the table")
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
    rows = preflight(run)
    print(as_json(rows) if args.json else f"{table(rows)}\n{verdict(rows)}")
    return exit_code(rows)


if __name__ == "__main__":
    sys.exit(main())
