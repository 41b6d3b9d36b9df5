"""Offline plan: what a stack would deploy, computed without the Pulumi CLI, credentials or network.

    python -m tools.plan STACK [--config-file FILE] [--out DIR]

Reads Pulumi.yaml and Pulumi.STACK.yaml (or FILE), runs the program under mocks, and writes DIR
(default build/plan/STACK):
  resources.json   every resource: urn, type, name, parent, provider, dependsOn, options, inputs
  manifests.yaml   every Kubernetes object the stack pushes into the management cluster
  tkg-cluster-config*.yaml   TKG variables for `tanzu cluster create -f`: in the stack's VPC, in
                   each workload account, and for GPU workers
Secrets (`secure:` config, generated keys) are written as "[secret]". Output is byte-identical for
identical input, so two plans can be diffed. Exit codes: 0 planned, 2 bad config or arguments.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from components.config import NAMESPACE, SECRET_PLACEHOLDER, SECTIONS, ConfigError
from tools.estimate import report as estimate_report
from tools.plan_diff import diff_plans, load_plan
from tools.program import PROJECT, ProgramRun, plain, run_program

ROOT_DIR = Path(__file__).resolve().parent.parent
EXIT_BAD_CONFIG = 2


class StackFileError(Exception):
    """The stack's config file is missing or unreadable."""


def read_stack_file(path: Path) -> tuple[dict[str, Any], str | None, set[str], dict[str, Any]]:
    """(tkg-aws values without namespace, aws:region, secret top-level keys, unknown tkg-aws keys)."""
    if not path.is_file():
        raise StackFileError(f"no stack config file {path}")
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise StackFileError(f"{path} is not valid YAML: {err}") from None
    config = document.get("config") or {}
    raw, secrets = {}, set()
    for key, value in config.items():
        if key.startswith(f"{NAMESPACE}:"):
            section = key.split(":", 1)[1]
            masked, had_secret = _mask_secure(value)
            raw[section] = masked
            if had_secret:
                secrets.add(section)
    unknown = {key: raw.pop(key) for key in sorted(raw) if key not in SECTIONS}
    return raw, config.get("aws:region"), secrets, unknown


def _mask_secure(value: Any) -> tuple[Any, bool]:
    """Replace `{secure: ciphertext}` values, at any depth, by the secret placeholder."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        pairs = {k: _mask_secure(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        pairs = [_mask_secure(v) for v in value]
        return [v for v, _ in pairs], any(s for _, s in pairs)
    return value, False


def plan_stack(stack: str, config_file: Path | None = None) -> ProgramRun:
    path = config_file or ROOT_DIR / f"Pulumi.{stack}.yaml"
    raw, region, secrets, unknown = read_stack_file(path)
    return run_program(raw, region, stack, secret_paths=secrets, unknown=unknown, project_dir=path.parent)


# --- rendering -----------------------------------------------------------------------------------
def resources_document(run: ProgramRun) -> dict[str, Any]:
    resources = []
    for urn, reg in sorted(run.registrations.items()):
        resources.append(
            {
                "urn": urn,
                "type": reg.type,
                "name": reg.name,
                "parent": reg.parent,
                "provider": reg.provider,
                "dependsOn": reg.depends_on,
                "options": reg.options,
                "inputs": _readable(plain(reg.inputs)),
            }
        )
    return {"project": PROJECT, "stack": run.stack, "resources": resources, "outputs": run.outputs}


def _readable(inputs: dict[str, Any]) -> dict[str, Any]:
    """Policy documents travel as JSON strings; decode them so reviewers read (and diff) JSON."""
    readable = dict(inputs)
    for key in ("policy", "assumeRolePolicy"):
        value = readable.get(key)
        if isinstance(value, str) and value.startswith("{"):
            readable[key] = json.loads(value)
    return readable


def kubernetes_objects(run: ProgramRun) -> list[dict[str, Any]]:
    objects = []
    for reg in run.registrations.values():
        if not reg.type.startswith("kubernetes:") or reg.type.startswith("pulumi:providers:"):
            continue
        inputs = plain(reg.inputs)
        if "apiVersion" not in inputs or "kind" not in inputs:
            continue
        objects.append({k: v for k, v in inputs.items() if k in ("apiVersion", "kind", "metadata", "spec", "data")})
    return sorted(objects, key=_object_key)


def _object_key(obj: dict[str, Any]) -> tuple[str, str, str, str]:
    meta = obj.get("metadata") or {}
    return obj["apiVersion"], obj["kind"], meta.get("namespace", ""), meta.get("name", "")


class _ReadableDumper(yaml.SafeDumper):
    """Multi-line strings (Helm values, ConfigMap manifests) as literal blocks, not escaped lines."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_ReadableDumper.add_representer(str, _represent_str)


def dump_yaml(objects: list[Any]) -> str:
    """Kubernetes objects as one multi-document YAML text, keys sorted, reviewable in a diff."""
    return yaml.dump_all(objects, Dumper=_ReadableDumper, sort_keys=True) if objects else ""


def write_plan(run: ProgramRun, out_dir: Path) -> list[Path]:
    out_dir.mkdir(parents=True, exist_ok=True)
    resources = out_dir / "resources.json"
    resources.write_text(json.dumps(resources_document(run), indent=2, sort_keys=True) + "\n")
    manifests = out_dir / "manifests.yaml"
    objects = kubernetes_objects(run)
    manifests.write_text(dump_yaml(objects))
    return [resources, manifests, *write_cluster_configs(run.outputs, out_dir)]


def write_cluster_configs(outputs: dict[str, Any], out_dir: Path) -> list[Path]:
    """One `tanzu cluster create -f` file per place the stack prepared for a workload cluster."""
    configs = {"tkg-cluster-config.yaml": outputs.get("tkgClusterConfig")}
    for name, account in sorted((outputs.get("workloadAccounts") or {}).items()):
        configs[f"tkg-cluster-config-{name}.yaml"] = account.get("tkgClusterConfig")
    configs["tkg-cluster-config-gpu.yaml"] = (outputs.get("gpu") or {}).get("tkgClusterConfig")
    written = []
    for filename, variables in configs.items():
        if variables:
            path = out_dir / filename
            path.write_text(yaml.safe_dump(variables, sort_keys=True))
            written.append(path)
    return written


def summary(run: ProgramRun) -> list[str]:
    """Resources per type and per account (by the provider each uses), quotas used, monthly cost."""
    custom = [r for r in run.registrations.values() if r.custom and not r.type.startswith("pulumi:")]
    accounts = _provider_accounts(run)
    by_account = Counter(
        accounts.get(r.provider, run.config.management_cluster.account_id or "management") for r in custom
    )
    lines = [f"stack {run.stack}: {len(custom)} resources in {len(by_account)} account(s)"]
    lines += [f"  {count:4d}  {typ}" for typ, count in sorted(Counter(r.type for r in custom).items())]
    lines += [f"  account {account}: {count} resources" for account, count in sorted(by_account.items())]
    lines += estimate_report(run)  # quotas used and monthly network cost (tools/estimate.py)
    return lines


def _provider_accounts(run: ProgramRun) -> dict[str, str]:
    accounts = {}
    for urn, reg in run.registrations.items():
        allowed = reg.inputs.get("allowedAccountIds")
        if reg.type == "pulumi:providers:aws" and allowed:
            ids = json.loads(allowed) if isinstance(allowed, str) else allowed
            accounts[urn] = ids[0]
    return accounts


# --- command line --------------------------------------------------------------------------------
def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["diff"]:
        return diff_main(argv[1:])
    parser = argparse.ArgumentParser(
        prog="python -m tools.plan",
        description="Render a stack's desired state offline (no Pulumi CLI, no cloud credentials). "
        "`python -m tools.plan diff BASE_DIR HEAD_DIR` compares two rendered plans.",
    )
    parser.add_argument("stack", help="stack name: reads Pulumi.STACK.yaml (e.g. dev, prod)")
    parser.add_argument("--config-file", type=Path, help="stack config file to read instead")
    parser.add_argument("--out", type=Path, help="output directory (default: build/plan/STACK)")
    args = parser.parse_args(argv)
    try:
        run = plan_stack(args.stack, args.config_file)
    except StackFileError as err:
        stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in ROOT_DIR.glob("Pulumi.*.yaml"))
        print(f"error: {err}; stacks here: {', '.join(stacks) or 'none'}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except ConfigError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    out_dir = args.out or ROOT_DIR / "build" / "plan" / args.stack
    written = write_plan(run, out_dir)
    print("\n".join(summary(run)))
    print("wrote " + ", ".join(str(p) for p in written))
    return 0


def diff_main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.plan diff",
        description="Print a Markdown summary of the changes between two plan directories.",
    )
    parser.add_argument("base", type=Path, help="plan directory of the base (e.g. main)")
    parser.add_argument("head", type=Path, help="plan directory of the change")
    args = parser.parse_args(argv)
    try:
        base, head = load_plan(args.base), load_plan(args.head)
    except FileNotFoundError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    print(diff_plans(base, head), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
