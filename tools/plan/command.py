"""Offline plan: what a stack would deploy, computed without the Pulumi CLI, credentials or network.

    python -m tools.plan STACK [--config-file FILE] [--out DIR]

Reads Pulumi.yaml and Pulumi.STACK.yaml (or FILE), runs the program under mocks, and writes DIR
(default build/plan/STACK):
  resources.json   every resource: urn, type, name, parent, provider, dependsOn, id, options, inputs
  manifests.yaml   every Kubernetes object the stack pushes into the management cluster
  diagram.md       Mermaid diagrams: who may assume which role, where each subnet's traffic goes
  tkg-cluster-config*.yaml   TKG variables for `tanzu cluster create -f`: in the stack's VPC, in
                   each workload account, and for GPU workers
  eks-local-kubeconfig*.yaml, eks-local-control-plane.hosts   an EKS local cluster's kubeconfigs
                   (IAM as the stack's creator; x.509 while disconnected) and /etc/hosts lines
  openshift-install-config.yaml   the stack's part of OpenShift's install-config.yaml (openshift)
  vsphere-tkg.yaml   namespaces, VM classes, clusters, logins and steps left (vsphere)
Secrets (`secure:` config, generated keys) are written as "[secret]". Output is byte-identical for
identical input, so two plans can be diffed. No file is written through a symlink: DIR, or a file
in it, that is one is refused. Exit codes: 0 planned, 2 bad config or arguments.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

from components import __version__
from components.config.base import ConfigError
from components.config.stack_files import (
    StackFileError,
    read_stack_file,
    stack_file_path,
    stack_files,
    stacks_sharing_iam,
)
from components.eks_outposts.report import outpost_report
from components.foundations.key_pairs import unused_key_pair_note
from components.foundations.network import NetworkArgs, unpinned_nat_gateway_note
from components.naming import PROJECT
from components.openshift.report import openshift_notes
from components.stack_config.loading import parse_stack_config
from components.stack_config.models import StackConfig
from components.tkg.rules import workload_account_warnings
from components.vsphere.report import vsphere_report
from tools.diagrams.markdown import markdown as diagram_markdown
from tools.plan.adoption import collisions, import_document, provider_accounts, shared_iam_problems
from tools.plan.estimate import report as estimate_report
from tools.plan.mocks import Registration
from tools.plan.program import ProgramRun, plan_data, run_config
from tools.plan.progress import Progress
from tools.plan.tool_files import fill_main, placeholders, with_placeholders
from tools.review.plan_diff import PlanError, compare, diff_with_diagrams, load_plan

ROOT_DIR = Path(__file__).resolve().parents[2]
EXIT_BAD_CONFIG = 2
EXIT_CHANGES = 1  # diff --exit-code: the plans differ


def plan_stack(stack: str, config_file: Path | None = None, directory: Path = ROOT_DIR) -> ProgramRun:
    """Validate the stack's file in `directory` (or `config_file` in its place) and run the program on it."""
    return run_config(
        read_stack_config(stack, config_file, directory), stack, iam_shared_with=stacks_sharing_iam(stack, directory)
    )


def read_stack_config(stack: str, config_file: Path | None = None, directory: Path = ROOT_DIR) -> StackConfig:
    """The stack's file in `directory` (or `config_file` in its place), validated."""
    default_file = stack_file_path(directory, stack)  # the stack's name is checked, also with a config file
    stack_file = read_stack_file(config_file or default_file)
    return parse_stack_config(stack_file.values, stack_file.secret_keys, project_dir=stack_file.path.parent)


def repository_problems(run: ProgramRun, directory: Path = ROOT_DIR) -> list[str]:
    """What this stack would collide with among the repository's other stack files.

    IAM names are per account and key pair names per account and region, so two stacks may not
    both create one. The other stacks that could collide are planned too: those pinned to one of
    this stack's accounts (every name the program gives is unique per account, or per region of
    an account, or holds its account id, as the ignition bucket's does), and the stack whose IAM set
    this one uses. Reading the other files costs milliseconds; planning one, a second. A stack whose
    own config is bad is its own plan's problem and is skipped here.
    """
    accounts, owner = run.config.aws_account_ids, run.config.iam.owned_by_stack
    others = {}
    for path in stack_files(directory):
        name = path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        if name == run.stack:
            continue
        try:
            config = read_stack_config(name, path, directory)
            if name == owner or config.aws_account_ids & accounts:
                others[name] = run_config(config, name, iam_shared_with=stacks_sharing_iam(name, directory))
        except (ConfigError, StackFileError):
            continue
    return shared_iam_problems(run, others) + collisions(run, list(others.values()))


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
                # What other resources' inputs hold when they refer to this one (the diagrams join on it).
                "id": reg.id,
                "options": reg.options,
                "inputs": _readable(plan_data(reg.inputs)),
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
        inputs = plan_data(reg.inputs)
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


class OutputPathError(Exception):
    """The output directory, or a file in it, is a symlink (or not a directory)."""


def write_plan(run: ProgramRun, out_dir: Path, root: Path = ROOT_DIR) -> list[Path]:
    refuse_symlinks(out_dir, root)
    out_dir.mkdir(parents=True, exist_ok=True)
    resources = out_dir / "resources.json"
    document = resources_document(run)
    write_file(resources, json.dumps(document, indent=2, sort_keys=True) + "\n")
    diagram = out_dir / "diagram.md"
    # Drawn from the file's JSON form, as diffs are.
    write_file(diagram, diagram_markdown(json.loads(json.dumps(document, sort_keys=True))))
    imports = out_dir / "import.json"
    write_file(imports, json.dumps(import_document(run), indent=2) + "\n")
    manifests = out_dir / "manifests.yaml"
    write_file(manifests, dump_yaml(kubernetes_objects(run)))
    # The ids AWS assigns at creation are placeholders in the tool files (tools/plan/tool_files.py).
    tool_outputs = with_placeholders(run.outputs, placeholders(run))
    return [resources, manifests, imports, diagram, *write_cluster_configs(tool_outputs, out_dir)]


def refuse_symlinks(out_dir: Path, root: Path) -> None:
    """OutputPathError if the output directory, or a folder of the project on the way to it, is a symlink."""
    linked = _symlink_on_the_way(out_dir, root)
    if linked is not None:
        raise OutputPathError(f"{linked} is a symlink; the plan is written only into a real directory")


def _symlink_on_the_way(out_dir: Path, root: Path) -> Path | None:
    """The output directory if it is a symlink, or a folder of the project (`root`) on the way to it that is."""
    absolute = Path(os.path.abspath(out_dir))
    on_the_way = [absolute, *(p for p in absolute.parents if p.is_relative_to(root) and p != root)]
    return next((p for p in on_the_way if p.is_symlink()), None)


def write_file(path: Path, text: str) -> None:
    """Write `path` anew; a symlink there is refused, never followed (O_NOFOLLOW)."""
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o644)
    except OSError as err:
        raise OutputPathError(f"{path} cannot be written (a symlink is never followed): {err.strerror}") from None
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write(text)


def write_cluster_configs(outputs: dict[str, Any], out_dir: Path) -> list[Path]:
    """One `tanzu cluster create -f` file per place the stack prepared for a workload cluster,
    eksctl's ClusterConfig of an EKS local cluster, and OpenShift's install-config.yaml part."""
    configs = {"tkg-cluster-config.yaml": outputs.get("tkgClusterConfig")}
    for name, account in sorted((outputs.get("workloadAccounts") or {}).items()):
        configs[f"tkg-cluster-config-{name}.yaml"] = account.get("tkgClusterConfig")
    configs["tkg-cluster-config-gpu.yaml"] = (outputs.get("gpu") or {}).get("tkgClusterConfig")
    # What install-config.yaml needs from the stack (region, subnets, zone, machine network).
    configs["openshift-install-config.yaml"] = (outputs.get("openshift") or {}).get("installConfig")
    # Namespaces, classes, clusters and how to log in to each (vSphere TKG Service).
    configs["vsphere-tkg.yaml"] = outputs.get("vsphere")
    written = write_eks_local_files(outputs.get("eksLocalCluster") or {}, out_dir)
    for filename, variables in configs.items():
        if variables:
            path = out_dir / filename
            write_file(path, yaml.safe_dump(variables, sort_keys=True))
            written.append(path)
    return written


def write_eks_local_files(cluster: dict[str, Any], out_dir: Path) -> list[Path]:
    """The EKS local cluster's kubeconfigs as YAML and its control plane's hosts lines, as they are."""
    written = []
    for filename, key in (
        ("eks-local-kubeconfig.yaml", "kubeconfig"),
        ("eks-local-kubeconfig-disconnected.yaml", "disconnectedKubeconfig"),
    ):
        if isinstance(cluster.get(key), str):
            path = out_dir / filename
            path.write_text(yaml.safe_dump(json.loads(cluster[key]), sort_keys=False))
            written.append(path)
    if cluster.get("controlPlaneHosts"):
        path = out_dir / "eks-local-control-plane.hosts"
        path.write_text(cluster["controlPlaneHosts"])
        written.append(path)
    return written


def summary(run: ProgramRun) -> list[str]:
    """Resources per type and per account (by the provider each uses), quotas used, monthly cost."""
    custom, by_account = resource_counts(run)
    lines = [f"stack {run.stack}: {len(custom)} resources in {len(by_account)} account(s)"]
    lines += [f"  {count:4d}  {typ}" for typ, count in sorted(Counter(r.type for r in custom).items())]
    lines += [f"  account {account}: {count} resources" for account, count in sorted(by_account.items())]
    nat_note = unpinned_nat_gateway_note(NetworkArgs.from_config(run.config))
    lines += [nat_note] if nat_note else []
    lines += trust_decision(run)
    lines += workload_account_warnings(run.config.workload_accounts)
    lines += estimate_report(run)  # quotas used and monthly network cost (tools/plan/estimate.py)
    lines += outpost_report(run.config)  # what runs on the Outpost (eks_outposts/report.py)
    lines += openshift_notes(run.config)  # advised against, not refused (openshift/report.py)
    lines += vsphere_report(run.config.vsphere)  # what runs on the Supervisor, what is left to do
    lines += unused_key_pair_note(run.config)
    return lines


def resource_counts(run: ProgramRun) -> tuple[list[Registration], Counter[str]]:
    """The stack's cloud resources (not providers or components) and how many each account gets."""
    custom = [r for r in run.registrations.values() if r.custom and not r.type.startswith("pulumi:")]
    accounts = provider_accounts(run)
    management = run.config.management_cluster.account_id or "management"
    return custom, Counter(accounts.get(r.provider, management) for r in custom)


def trust_decision(run: ProgramRun) -> list[str]:
    """Who may enter the workload accounts: said in every summary, loudly when it is the shared role."""
    cluster = run.config.management_cluster
    if not run.config.workload_accounts:
        return []
    if cluster.trust_control_plane_role:
        warning = (
            "WARNING trust: the workload accounts trust the management control-plane role "
            "(managementCluster.trustControlPlaneRole): every cluster's control plane in account "
            f"{cluster.account_id} can enter them, workload clusters' included"
        )
        return [warning]
    return [f"trust: the workload accounts trust only {', '.join(cluster.capa_principal_arns)}"]


# --- command line --------------------------------------------------------------------------------
def main(argv: list[str] | None = None, root: Path = ROOT_DIR) -> int:
    """The command; `root` is the project whose stack files it reads and whose build/ it writes."""
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["diff"]:
        return diff_main(argv[1:])
    if argv[:1] == ["fill"]:
        return fill_main(argv[1:], root)
    parser = argparse.ArgumentParser(
        prog="python -m tools.plan",
        description="Render a stack's desired state offline (no Pulumi CLI, no cloud credentials). "
        "`python -m tools.plan diff BASE_DIR HEAD_DIR` compares two rendered plans; "
        "`python -m tools.plan fill STACK OUTPUTS_JSON` writes the tool files from a deployed stack's outputs.",
    )
    parser.add_argument("--version", action="version", version=f"tkg-aws {__version__}")
    parser.add_argument("stack", help="stack name: reads Pulumi.STACK.yaml (e.g. dev, prod)")
    parser.add_argument("--config-file", type=Path, help="stack config file to read instead")
    parser.add_argument("--out", type=Path, help="output directory (default: build/plan/STACK)")
    parser.add_argument("--json", action="store_true", help="print the summary as JSON (notes stay on stderr)")
    args = parser.parse_args(argv)
    progress = Progress()  # the plan takes seconds: say so on a terminal, stay quiet in CI and pipes
    progress.say(f"planning {args.stack} offline...")
    out_dir = args.out or root / "build" / "plan" / args.stack
    try:
        refuse_symlinks(out_dir, root)  # before the plan's seconds are spent
        run = plan_stack(args.stack, args.config_file, root)
        conflicts = repository_problems(run, root)
        if conflicts:
            raise ConfigError(conflicts)
        progress.say(f"writing {len(run.registrations)} resources, diagrams and tool files to {out_dir} ...")
        written = write_plan(run, out_dir, root)
    except StackFileError as err:
        stacks = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in stack_files(root))
        print(f"error: {err}; stacks here: {', '.join(stacks) or 'none'}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except (ConfigError, OutputPathError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    lines = summary(run)
    diagnostics = [line for line in lines if is_diagnostic(line)]
    if placeholders(run):
        diagnostics.append(
            f"note: ids AWS assigns are `<... from pulumi up>` placeholders in the tool files; after `pulumi up`: "
            f"pulumi stack output --json > outputs.json && python -m tools.plan fill {args.stack} outputs.json"
        )
    if args.json:
        print(json.dumps(json_summary(run, written, diagnostics), indent=2))
    else:
        print("\n".join(line for line in lines if not is_diagnostic(line)))
        print("wrote " + ", ".join(str(p) for p in written))
    for line in diagnostics:
        print(line.strip(), file=sys.stderr)
    return 0


def is_diagnostic(line: str) -> bool:
    """Notes and warnings of the summary, which go to stderr as diagnostics do."""
    return line.lstrip().startswith(("note:", "WARNING"))


def json_summary(run: ProgramRun, written: list[Path], diagnostics: list[str]) -> dict[str, Any]:
    """The plan's summary for a machine: resources by type and account, files, notes and warnings."""
    custom, by_account = resource_counts(run)
    return {
        "version": __version__,
        "stack": run.stack,
        "resources": len(custom),
        "byType": dict(sorted(Counter(r.type for r in custom).items())),
        "byAccount": dict(sorted(by_account.items())),
        "files": [str(p) for p in written],
        "warnings": [line.strip() for line in diagnostics if line.lstrip().startswith("WARNING")],
        "notes": [line.strip() for line in diagnostics if not line.lstrip().startswith("WARNING")],
    }


def diff_main(argv: list[str]) -> int:
    """Exit status as `git diff`'s: 0, or with --exit-code 1 when something changes; 2 on bad input."""
    parser = argparse.ArgumentParser(
        prog="python -m tools.plan diff",
        description="Print a Markdown summary of the changes between two plan directories.",
    )
    parser.add_argument("base", type=Path, help="plan directory of the base (e.g. main)")
    parser.add_argument("head", type=Path, help="plan directory of the change")
    parser.add_argument("--full", action="store_true", help="print every value whole (default: cut at 120 characters)")
    parser.add_argument(
        "--exit-code", action="store_true", help="exit 1 when the plans differ, 0 when they do not (as git diff)"
    )
    args = parser.parse_args(argv)
    try:
        base, head = load_plan(args.base), load_plan(args.head)
        text = diff_with_diagrams(base, head, full=args.full)
    except (PlanError, KeyError, TypeError) as err:
        print(
            f"error: {err if isinstance(err, PlanError) else f'not a plan of python -m tools.plan: {err!r}'}",
            file=sys.stderr,
        )
        return EXIT_BAD_CONFIG
    print(text, end="")
    return EXIT_CHANGES if args.exit_code and compare(base, head).any else 0
