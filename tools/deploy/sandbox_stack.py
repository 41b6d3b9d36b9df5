"""An ephemeral copy of a stack for a sandbox AWS account (the opt-in sandbox workflow).

    python -m tools.deploy.sandbox_stack region STACK                  # prints the stack's aws:region
    python -m tools.deploy.sandbox_stack write STACK ACCOUNT_ID RUN    # writes Pulumi.sandbox-STACK.yaml

`write` moves the stack file's config into one sandbox account and one run, keeping what the stack
builds (network, IAM role set, key pair, Kubernetes objects) and dropping what only the real
accounts have:
- workload accounts (they are other accounts), bring-your-own VPC ids, permissions boundaries and
  customer-managed policies of the real account, `aws:`/`kubernetes:` provider settings (the
  sandbox's credentials come from the workflow's OIDC session), a kubeconfig (the objects are
  rendered to build/manifests/sandbox-STACK instead), adoption of existing IAM;
- the management account becomes the sandbox account; IAM and key pair names get the run's
  suffix and nothing is protected, so runs never collide and `pulumi destroy` removes everything;
- every resource is tagged `tkg-aws-sandbox-run: RUN`, to find leftovers of a failed destroy.
A `secure:` value cannot be carried over (the sandbox stack has its own secrets provider): one left
after those changes is an error. Exit codes: 0 written, 2 the stack file or arguments are unusable.
"""

from __future__ import annotations

import argparse
import copy
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from components.config.stack_files import StackFileError, stack_file_path
from components.config.validators import NAMESPACE

ROOT_DIR = Path(__file__).resolve().parents[2]
RUN_NAME = re.compile(r"[a-z0-9-]{1,24}")
ACCOUNT_ID = re.compile(r"\d{12}")
RUN_TAG = "tkg-aws-sandbox-run"
PROVIDER_NAMESPACES = ("aws:", "kubernetes:")
EXIT_UNUSABLE = 2


class SandboxStackError(Exception):
    """The stack cannot be moved into the sandbox as it is."""


def sandbox_stack_name(stack: str) -> str:
    return f"sandbox-{stack}"


def read_config(stack: str, root: Path = ROOT_DIR) -> dict[str, Any]:
    path = stack_file_path(root, stack)  # a name, never a path
    if not path.is_file():
        raise StackFileError(f"no stack config file {path}")
    try:
        document = yaml.safe_load(path.read_bytes().decode("utf-8")) or {}
    except UnicodeDecodeError:
        raise StackFileError(f"{path} is not UTF-8 text") from None
    config = document.get("config") if isinstance(document, dict) else None
    if not isinstance(config, dict):
        raise StackFileError(f"{path} has no `config:` map")
    return config


def sandbox_config(config: dict[str, Any], stack: str, account_id: str, run: str) -> dict[str, Any]:
    """The stack's config (`namespace:key` -> value) moved into the sandbox account and this run."""
    if not ACCOUNT_ID.fullmatch(account_id) or not RUN_NAME.fullmatch(run):
        raise SandboxStackError("ACCOUNT_ID is 12 digits, RUN 1-24 of a-z, 0-9 and -")
    moved = {
        k: copy.deepcopy(v) for k, v in config.items() if k == "aws:region" or not k.startswith(PROVIDER_NAMESPACES)
    }
    moved.pop(f"{NAMESPACE}:workloadAccounts", None)
    section = _section_setter(moved)
    section("tags", lambda tags: {**tags, RUN_TAG: run})
    section("network", lambda network: {**_without(network, "existingVpc"), "protect": False})
    section("iam", lambda iam: _sandbox_iam(iam, run))
    section("keyPair", lambda key_pair: {**_without(key_pair, "adopted"), "name": f"tkg-{run}"})
    section("managementCluster", lambda cluster: _sandbox_cluster(cluster, stack, account_id))
    leftover = [key for key, value in moved.items() if _holds_secure(value)]
    if leftover:
        raise SandboxStackError(f"{', '.join(leftover)} hold encrypted values the sandbox stack cannot read")
    return moved


def _section_setter(config: dict[str, Any]) -> Callable[[str, Callable[[dict[str, Any]], Any]], None]:
    def change(section: str, how: Callable[[dict[str, Any]], Any]) -> None:
        key = f"{NAMESPACE}:{section}"
        current = config.get(key)
        config[key] = how(current if isinstance(current, dict) else {})

    return change


def _without(section: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {k: v for k, v in section.items() if k not in keys}


def _sandbox_iam(iam: dict[str, Any], run: str) -> dict[str, Any]:
    kept = _without(iam, "adopted", "ownedByStack", "permissionsBoundary", "extraPolicyArns")
    aws_managed = {
        role: [arn for arn in arns if arn.split(":")[4] == "aws"]
        for role, arns in (iam.get("extraPolicyArns") or {}).items()
    }
    if any(aws_managed.values()):
        kept["extraPolicyArns"] = aws_managed  # AWS's own policies exist in every account
    return {**kept, "nameSuffix": f".{run}", "protect": False}


def _sandbox_cluster(cluster: dict[str, Any], stack: str, account_id: str) -> dict[str, Any]:
    kept = _without(cluster, "kubeconfig", "context", "capaPrincipalArns")
    rendered = f"build/manifests/{sandbox_stack_name(stack)}"
    return {**kept, "accountId": account_id, "renderYamlToDirectory": rendered}


def _holds_secure(value: Any) -> bool:
    if isinstance(value, dict):
        return set(value) == {"secure"} or any(_holds_secure(v) for v in value.values())
    if isinstance(value, list):
        return any(_holds_secure(v) for v in value)
    return False


def write(stack: str, account_id: str, run: str, root: Path = ROOT_DIR) -> Path:
    config = sandbox_config(read_config(stack, root), stack, account_id, run)
    path = root / f"Pulumi.{sandbox_stack_name(stack)}.yaml"
    header = f"# Ephemeral copy of Pulumi.{stack}.yaml for a sandbox run (tools/deploy/sandbox_stack.py); "
    header += "never commit it.\n"
    path.write_text(header + yaml.safe_dump({"config": config}, sort_keys=True))
    return path


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.deploy.sandbox_stack", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)
    commands.add_parser("region").add_argument("stack")
    writer = commands.add_parser("write")
    for name in ("stack", "account_id", "run"):
        writer.add_argument(name)
    args = parser.parse_args(argv)
    try:
        if args.command == "region":
            print(read_config(args.stack).get("aws:region", ""))
        else:
            print(write(args.stack, args.account_id, args.run).relative_to(ROOT_DIR))
    except (StackFileError, SandboxStackError, yaml.YAMLError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_UNUSABLE
    return 0


if __name__ == "__main__":
    sys.exit(main())
