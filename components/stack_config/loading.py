"""Loading the stack config: every key of the stack, validated at once, every problem on its line.

`load_config()` reads the running stack's keys (as the Pulumi CLI's language host passes them),
`parse_stack_config()` takes them as a stack file holds them (`namespace:key` -> value), and
`parse_config()` validates the tkg-aws sections. Every problem found is reported at once, one
line each, as `tkg-aws:<key.path>: <what is wrong> (got <value>)`, through ConfigError, a
`pulumi.RunError`, so that `pulumi up` prints the lines without a Python traceback. A secret
value is never shown.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pulumi
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from components.config import rules
from components.config import validators as check
from components.config.base import ConfigError
from components.config.models import (
    ENGINE_NAMESPACE,
    PROVIDER_NAMESPACES,
    KeyPairConfig,
    ManagementClusterConfig,
    NetworkConfig,
)
from components.config.provider_settings import KubernetesSettings, parse_provider_settings, parse_vsphere_settings
from components.config.validators import NAMESPACE, SECRET_PLACEHOLDER
from components.eks_outposts.rules import eks_local_cluster as eks_local_cluster_rules
from components.openshift.rules import openshift_rules
from components.stack_config.models import SECTIONS, StackConfig
from components.tkg import rules as tkg_rules
from components.tkg.config import GpuConfig, IamConfig, TkgConfig, WorkloadAccountConfig
from components.vsphere.rules import vsphere_rules


def load_config() -> StackConfig:
    """Read the running stack's config (as set by the Pulumi CLI's language host)."""
    values = running_stack_values()
    secret_keys = {key for key in values if pulumi.runtime.is_config_secret(key)}
    return parse_stack_config(values, secret_keys)


def running_stack_values() -> dict[str, Any]:
    """Every key of the running stack's config (`namespace:key`), structured values decoded."""
    return {key: _decode(pulumi.runtime.get_config(key)) for key in _all_config_keys()}


def _all_config_keys() -> list[str]:
    return sorted(set(pulumi.runtime.config.CONFIG.get()) | set(pulumi.runtime.get_config_env()))


def _decode(value: Any) -> Any:
    """Structured config arrives JSON-encoded; plain strings stay strings."""
    if isinstance(value, str) and value[:1] in ("{", "["):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def parse_stack_config(
    values: dict[str, Any], secret_keys: set[str] | frozenset[str] = frozenset(), project_dir: Path | None = None
) -> StackConfig:
    """Validate every key of a stack's config (`namespace:key` -> value), as a stack file holds them.

    tkg-aws keys are ours, aws:/kubernetes: keys reach the providers or are refused, pulumi: keys
    are the engine's; a key of any other namespace is a typo (`tkg_aws:network`) and an error.
    """
    raw: dict[str, Any] = {}
    unknown: dict[str, Any] = {}
    provider_values: dict[str, Any] = {}
    foreign: dict[str, Any] = {}
    secret_paths = {key.split(":", 1)[1] for key in secret_keys if key.startswith(f"{NAMESPACE}:")}
    for key, value in values.items():
        namespace, _, name = key.partition(":")
        if namespace == NAMESPACE:
            (raw if name in SECTIONS else unknown)[name] = value
        elif namespace in PROVIDER_NAMESPACES and key != "aws:region":
            provider_values[key] = value
        elif namespace not in (ENGINE_NAMESPACE, "aws"):
            foreign[key] = value
    return parse_config(
        raw,
        values.get("aws:region"),
        unknown=unknown,
        secret_paths=secret_paths | {k for k in secret_keys if not k.startswith(f"{NAMESPACE}:")},
        provider_values=provider_values,
        foreign=foreign,
        project_dir=project_dir,
    )


def parse_config(
    raw: dict[str, Any],
    region: str | None,
    *,
    unknown: dict[str, Any] | None = None,
    secret_paths: set[str] | frozenset[str] = frozenset(),
    provider_values: dict[str, Any] | None = None,
    foreign: dict[str, Any] | None = None,
    project_dir: Path | None = None,
) -> StackConfig:
    """Validate raw config (tkg-aws keys without the namespace); raise ConfigError with every problem.

    `secret_paths` names the tkg-aws sections (and the full aws:/kubernetes: keys) set as secrets;
    `provider_values` holds the aws:/kubernetes: keys, `foreign` keys of unknown namespaces.
    """
    project_dir = project_dir or Path.cwd()
    problems = [
        f"{NAMESPACE}:{key}: unknown key (got {_show(SECRET_PLACEHOLDER if key in secret_paths else v)})"
        for key, v in sorted((unknown or {}).items())
    ]
    problems += [
        _foreign_problem(key, SECRET_PLACEHOLDER if key in secret_paths else v)
        for key, v in sorted((foreign or {}).items())
    ]
    problems += _region_problems(region)
    aws_settings, kubernetes_settings, provider_problems = parse_provider_settings(provider_values or {}, secret_paths)
    problems += provider_problems
    vsphere_settings, vsphere_problems = parse_vsphere_settings(provider_values or {}, secret_paths)
    problems += vsphere_problems
    if raw.get("vsphere") in (None, {}):
        problems += [
            f"{key}: no provider of this stack reads it: only {NAMESPACE}:vsphere uses vCenter (got it set)"
            for key in sorted(provider_values or {})
            if key.startswith("vsphere:")
        ]
    valid_region = region if region and not _region_problems(region) else ""
    context = {"region": valid_region, "project_dir": project_dir, "secret_sections": frozenset(secret_paths)}
    data = {**raw, "region": valid_region or "invalid", "aws": aws_settings, "kubernetes": kubernetes_settings}
    data["vsphereSettings"] = vsphere_settings
    config = None
    try:
        config = StackConfig.model_validate(data, context=context)
    except ValidationError as err:
        problems += _format_pydantic(err, secret_paths)
    problems += section_rules(raw, valid_region, project_dir, kubernetes_settings, frozenset(secret_paths))
    if "managementCluster" not in secret_paths:
        problems += rules.plaintext_kubeconfig(raw.get("managementCluster"))
    if problems or config is None:
        raise ConfigError(list(dict.fromkeys(problems)))
    return config


def _foreign_problem(key: str, value: Any) -> str:
    namespace = key.partition(":")[0]
    hint = f"; did you mean {NAMESPACE}:{key.partition(':')[2]}?" if namespace.replace("_", "-") == NAMESPACE else ""
    return (
        f"{key}: unknown config namespace {namespace!r}: this program reads {NAMESPACE}:, aws:, kubernetes: "
        f"and pulumi: keys{hint} (got {_show(value)})"
    )


def _region_problems(region: str | None) -> list[str]:
    if not region:
        return ["aws:region: required key is missing (pulumi config set aws:region us-west-2)"]
    if not isinstance(region, str) or not check.REGION.fullmatch(region):
        return [f"aws:region: not an AWS region name like us-west-2 (got {_show(region)})"]
    problem = check.region_problem(region)
    return [f"aws:region: {problem} (got {_show(region)})"] if problem else []


def section_rules(
    raw: dict[str, Any],
    region: str,
    project_dir: Path,
    kubernetes: KubernetesSettings | None = None,
    secret_paths: frozenset[str] = frozenset(),
) -> list[str]:
    """Rules spanning several keys of one section, run on every section that parses by itself.

    Sections are parsed one by one so that a mistake in one does not hide the others' problems.
    """
    context = {"region": region, "secret_sections": secret_paths}

    def parsed(section: str, model: Any) -> Any:
        try:
            return TypeAdapter(model).validate_python(
                raw.get(section, {} if model is not list else []), context=context
            )
        except ValidationError:
            return None

    problems = rules.default_tags(raw.get("tags"))
    tkg = parsed("tkg", TkgConfig)
    problems += tkg_rules.tkg_sections(raw, tkg.enabled if tkg is not None else True)
    problems += eks_local_cluster_rules(raw, region)
    problems += openshift_rules(raw, region, project_dir)
    problems += vsphere_rules(raw, secret_paths)
    network = parsed("network", NetworkConfig)
    if network is not None and region:
        problems += rules.network_layout(network, region)
        if tkg is None or tkg.enabled:  # CAPA's machines' endpoints; other platforms name their own
            problems += rules.private_only_endpoints(network, bool(raw.get("workloadAccounts")))
    if region:
        problems += tkg_rules.arn_partitions(raw, check.partition_of(region))
    tags = parsed("tags", dict[str, str])
    if tags is not None:
        openshift = raw.get("openshift")
        problems += rules.tag_count(tags, network, isinstance(openshift, dict) and bool(openshift.get("infraId")))
    iam = parsed("iam", IamConfig)
    if iam is not None:
        problems += tkg_rules.managed_policy_counts("iam.", iam.extra_policy_arns)
        problems += tkg_rules.iam_names(iam.suffix)
        problems += tkg_rules.iam_profile_options(iam)
        problems += tkg_rules.shared_iam_set(iam)
    key_pair = parsed("keyPair", KeyPairConfig)
    if key_pair is not None and (tkg is None or tkg.enabled):  # elsewhere no key pair is made: ignored
        problems += rules.key_pair_adoption(key_pair)
    accounts = parsed("workloadAccounts", list[WorkloadAccountConfig])
    if accounts is not None and region:
        problems += tkg_rules.workload_accounts(accounts, check.partition_of(region))
        problems += tkg_rules.renamed_accounts(accounts)
        for i, account in enumerate(accounts):
            problems += tkg_rules.managed_policy_counts(f"workloadAccounts[{i}].", account.extra_policy_arns)
    cluster = parsed("managementCluster", ManagementClusterConfig)
    gpu = parsed("gpu", GpuConfig)
    needs_cluster = bool(raw.get("workloadAccounts")) or (gpu is not None and gpu.enabled)
    if cluster is not None:
        problems += rules.management_cluster(cluster, needs_cluster, kubernetes or KubernetesSettings())
        problems += rules.render_directory(cluster, project_dir)
        problems += tkg_rules.principal_names(cluster.capa_principal_arns)
        problems += tkg_rules.workload_trust(cluster, bool(raw.get("workloadAccounts")))
        if cluster.account_id:
            problems += tkg_rules.management_account(
                cluster.account_id, accounts or [], cluster.capa_principal_arns, iam
            )
        problems += tkg_rules.role_chaining(accounts or [], cluster.capa_principal_arns)
        problems += tkg_rules.rendered_secrets(cluster, accounts or [], gpu, secret_paths)
    if gpu is not None:
        problems += tkg_rules.gpu_manifests(gpu, project_dir)
    return problems


def _format_pydantic(err: ValidationError, secret_paths: set[str] | frozenset[str]) -> list[str]:
    lines = []
    for e in err.errors():
        path = _path(e["loc"])
        if e["type"] == "missing":
            hint = MISSING_HINTS.get(path, "")
            lines.append(f"{NAMESPACE}:{path}: required key is missing{hint}")
            continue
        value = SECRET_PLACEHOLDER if _is_secret(path, secret_paths) else _shown_input(e.get("input"))
        lines.append(f"{NAMESPACE}:{path}: {_message(e)}{_number_hint(path, e)} (got {_show(value)})")
    return lines


# `pulumi config set --path` stores 12 digits as a number (leading zeros lost) unless told the type.
ACCOUNT_ID_COMMAND = "pulumi config set --type string --path tkg-aws:{path} 111111111111"
MISSING_HINTS = {
    "environment": " (pulumi config set tkg-aws:environment dev)",
    "managementCluster": f" ({ACCOUNT_ID_COMMAND.format(path='managementCluster.accountId')})",
    "managementCluster.accountId": f" ({ACCOUNT_ID_COMMAND.format(path='managementCluster.accountId')})",
}


def _number_hint(path: str, e: ErrorDetails) -> str:
    """The command that stores an account id as text, for one that arrived as a number."""
    value = e.get("input")
    if isinstance(value, int) and not isinstance(value, bool) and path.endswith(("accountId", "AccountId")):
        return f": quote it in the stack file ('111111111111') or {ACCOUNT_ID_COMMAND.format(path=path)}"
    return ""


def _path(loc: tuple[int | str, ...]) -> str:
    """pydantic's error location as the user's key path, e.g. workloadAccounts[0].identity.name."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        elif not str(part).startswith(("function-", "constrained-", "list[", "dict[")):
            path += f".{part}" if path else str(part)
    return path


def _shown_input(value: Any) -> Any:
    """A private key pasted where a public key belongs is named, never echoed."""
    if isinstance(value, str) and "PRIVATE KEY" in value:
        return "[a private key, not shown: give its public half, e.g. from ssh-keygen -y]"
    return value


# pydantic's messages for the wrong kind of value name Python classes; these say it in YAML terms.
TYPE_MESSAGES = {
    "model_type": "must be a map of keys",
    "model_attributes_type": "must be a map of keys",
    "dict_type": "must be a map",
    "list_type": "must be a list",
    "string_type": "must be a string",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
}


def _message(e: ErrorDetails) -> str:
    kind, msg = e["type"], e["msg"]
    if kind in TYPE_MESSAGES:
        return TYPE_MESSAGES[kind]
    if kind == "extra_forbidden":
        return "unknown key"
    if kind == "value_error":
        return msg.removeprefix("Value error, ")
    if kind == "literal_error":
        return "must be one of " + msg.removeprefix("Input should be ")
    if kind in ("greater_than_equal", "less_than_equal") and "durationSeconds" in e["loc"]:
        return "must be between 900 and 43200 seconds (CAPA's and STS's limits)"
    if kind == "ip_v4_network":
        return "not an IPv4 CIDR block like 10.0.0.0/16"
    return msg[0].lower() + msg[1:]


def _is_secret(path: str, secret_paths: set[str] | frozenset[str]) -> bool:
    return path.split(".")[0].split("[")[0] in secret_paths or "kubeconfig" in path


def _show(value: Any) -> str:
    return check.shown(value)
