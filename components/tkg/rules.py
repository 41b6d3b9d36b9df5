"""Config rules of the TKG / CAPA platform that span several keys (iam, workloadAccounts,
managementCluster's CAPA principals, gpu); each returns finished problem lines.

components/stack_config/loading.py runs them on every section that parses by itself, beside the rules of
the other platforms. Lines read `tkg-aws:<key.path>: <problem> (got <value>)`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pydantic.alias_generators import to_camel

from components.config.rules import MANAGEMENT_PROVIDER_NAME
from components.config.validators import NAMESPACE, ROLE_ARN, ROLE_BASE_NAMES

if TYPE_CHECKING:
    from components.config.models import ManagementClusterConfig
    from components.tkg.config import ExtraPolicyArns, GpuConfig, IamConfig, WorkloadAccountConfig

# STS's cap on a session assumed from another role's session (role chaining).
ROLE_CHAINING_MAX_SECONDS = 3600
MANAGED_POLICIES_PER_ROLE_MAX = 20  # IAM's hard limit
MANAGED_POLICIES_PER_ROLE_DEFAULT = 10  # IAM's default quota, raised on request
IAM_ROLE_NAME_MAX = 64
IAM_INSTANCE_PROFILE_NAME_MAX = 128
IAM_POLICY_NAME_MAX = 128

_EXTRA_KEYS = (("controlPlane", "control_plane"), ("nodes", "nodes"), ("controllers", "controllers"))


# Managed policies the IAM template attaches to each management role, before any extra.
TEMPLATE_MANAGED_POLICIES = {"controlPlane": 3, "nodes": 1, "controllers": 1}

# Sections that belong to the TKG platform alone, and the iam keys every platform's roles follow.
TKG_SECTIONS = ("iam", "workloadAccounts", "gpu")
PLATFORM_IAM_KEYS = {"path", "permissionsBoundary"}


def iam_names(suffix: str) -> list[str]:
    bases = ROLE_BASE_NAMES
    longest = max(bases, key=len) + suffix
    limits = [
        ("role", IAM_ROLE_NAME_MAX),
        ("instance profile", IAM_INSTANCE_PROFILE_NAME_MAX),
        ("policy", IAM_POLICY_NAME_MAX),
    ]
    for kind, limit in limits:
        if len(longest) > limit:
            return [
                (
                    f"{NAMESPACE}:iam.nameSuffix: makes the {kind} name {longest!r} {len(longest)} characters; "
                    f"IAM allows {limit} (got {suffix!r})"
                )
            ]
    return []


def iam_profile_options(iam: IamConfig) -> list[str]:
    """TMC statements are TKG's: asking for them under the capa profile would silently do nothing."""
    if iam.profile == "capa" and iam.tmc_permissions and "tmc_permissions" in iam.model_fields_set:
        return [
            (
                f"{NAMESPACE}:iam.tmcPermissions: the TMC statements belong to profile tkg; profile capa has none "
                "(drop the key or use profile tkg) (got true)"
            )
        ]
    return []


def workload_accounts(accounts: list[WorkloadAccountConfig], partition: str) -> list[str]:
    problems = []
    for field, getter in (
        ("name", lambda a: a.name),
        ("accountId", lambda a: a.account_id),
        ("identity.name", lambda a: a.identity_name),
    ):
        problems += _duplicates(accounts, field, getter)
    for i, account in enumerate(accounts):
        if account.name == MANAGEMENT_PROVIDER_NAME:
            problems.append(
                f"{NAMESPACE}:workloadAccounts[{i}].name: {account.name!r} is the management account's own provider "
                f"name; choose another (got {account.name!r})"
            )
        match = ROLE_ARN.fullmatch(account.deploy_role_arn)
        if match is None:
            continue  # not a role ARN: the field's own rule says so
        if match.group(2) != account.account_id:
            problems.append(
                f"{NAMESPACE}:workloadAccounts[{i}].deployRoleArn: belongs to account {match.group(2)}, "
                f"not {account.account_id} (got {account.deploy_role_arn!r})"
            )
        if match.group(1) != partition:
            problems.append(
                f"{NAMESPACE}:workloadAccounts[{i}].deployRoleArn: partition {match.group(1)} does not match "
                f"the region's {partition} (got {account.deploy_role_arn!r})"
            )
        problems += _foreign_policies(i, account)
    return problems


def _foreign_policies(i: int, account: WorkloadAccountConfig) -> list[str]:
    """A customer-managed policy can be attached only in its own account."""
    extra = account.extra_policy_arns
    arns = {"permissionsBoundary": [account.permissions_boundary] if account.permissions_boundary else []}
    arns |= {f"extraPolicyArns.{key}": getattr(extra, attr) for key, attr in _EXTRA_KEYS}
    return [
        f"{NAMESPACE}:workloadAccounts[{i}].{key}: a policy of account {owner} cannot be used in {account.account_id} "
        f"(got {arn!r})"
        for key, values in arns.items()
        for arn in values
        if (owner := arn.split(":")[4]) not in ("aws", account.account_id)
    ]


def managed_policies_of(extra: ExtraPolicyArns, role_key: str) -> int:
    """Managed policies the program attaches to a template role (controlPlane, nodes, controllers)."""
    attr = dict(_EXTRA_KEYS)[role_key]
    return TEMPLATE_MANAGED_POLICIES[role_key] + len(getattr(extra, attr))


def _duplicates(
    accounts: list[WorkloadAccountConfig], field: str, getter: Callable[[WorkloadAccountConfig], str]
) -> list[str]:
    first: dict[str, int] = {}
    problems = []
    for i, account in enumerate(accounts):
        value = getter(account)
        if value in first:
            problems.append(
                f"{NAMESPACE}:workloadAccounts[{i}].{field}: duplicate of workloadAccounts[{first[value]}] (got "
                f"{value!r})"
            )
        first.setdefault(value, i)
    return problems


def arn_partitions(raw: dict[str, Any], partition: str) -> list[str]:
    """Every ARN the user gives must be of the region's partition (aws, aws-us-gov, aws-cn)."""
    problems = []
    for path, arn in _user_arns(raw):
        if isinstance(arn, str) and arn.startswith("arn:") and arn.split(":")[1] != partition:
            problems.append(
                f"{NAMESPACE}:{path}: partition {arn.split(':')[1]} does not match the region's {partition} "
                f"(got {arn!r})"
            )
    return problems


def _user_arns(raw: dict[str, Any]) -> list[tuple[str, object]]:
    def section(name: str) -> dict[str, Any]:
        return _map(raw.get(name))

    def policies(prefix: str, owner: dict[str, Any]) -> list[tuple[str, object]]:
        found: list[tuple[str, object]] = [(f"{prefix}permissionsBoundary", owner.get("permissionsBoundary"))]
        for role, arns in _map(owner.get("extraPolicyArns")).items():
            found += [(f"{prefix}extraPolicyArns.{role}[{i}]", a) for i, a in enumerate(arns or [])]
        return found

    found = policies("iam.", section("iam"))
    principals = section("managementCluster").get("capaPrincipalArns") or []
    found += [(f"managementCluster.capaPrincipalArns[{i}]", a) for i, a in enumerate(principals)]
    accounts = raw.get("workloadAccounts")
    if not isinstance(accounts, list):
        accounts = []
    for i, account in enumerate(a for a in accounts if isinstance(a, dict)):
        found += policies(f"workloadAccounts[{i}].", account)
    return found


def _map(value: object) -> dict[str, Any]:
    """A section of the raw config, or nothing where it is not a map (its model reports that)."""
    return value if isinstance(value, dict) else {}


def managed_policy_counts(where: str, extra: ExtraPolicyArns) -> list[str]:
    """IAM attaches at most 20 managed policies to a role; the template attaches 3 to control-plane."""
    problems = []
    for key, attr in _EXTRA_KEYS:
        total = TEMPLATE_MANAGED_POLICIES[key] + len(getattr(extra, attr))
        if total > MANAGED_POLICIES_PER_ROLE_MAX:
            problems.append(
                f"{NAMESPACE}:{where}extraPolicyArns.{key}: the role would have {total} managed policies; IAM "
                f"attaches at "
                f"most {MANAGED_POLICIES_PER_ROLE_MAX} (the default quota is {MANAGED_POLICIES_PER_ROLE_DEFAULT}) "
                f"(got {len(getattr(extra, attr))} extra)"
            )
    return problems


def principal_names(capa_principal_arns: list[str]) -> list[str]:
    """The program grants each principal by its name: two with one name would be one grant twice."""
    seen: dict[tuple[str, str], int] = {}
    problems = []
    for i, arn in enumerate(capa_principal_arns):
        resource = arn.split(":", 5)[5]
        kind, _, path_and_name = resource.partition("/")
        key = (kind, path_and_name.rsplit("/", 1)[-1])
        if key in seen:
            problems.append(
                f"{NAMESPACE}:managementCluster.capaPrincipalArns[{i}]: the same {kind} name as capaPrincipalArns"
                f"[{seen[key]}]; IAM names are unique in an account whatever the path (got {arn!r})"
            )
        seen.setdefault(key, i)
    return problems


def management_account(
    account_id: str,
    accounts: list[WorkloadAccountConfig],
    capa_principal_arns: list[str],
    iam: IamConfig | None = None,
) -> list[str]:
    """Rules that need the management account id: from config, or at run time the caller identity.

    A workload account that is the management account would collide with its fixed IAM names, and
    a CAPA principal of another account cannot be granted sts:AssumeRole from this stack.
    """
    problems = [
        f"{NAMESPACE}:workloadAccounts[{i}].accountId: is the management account, whose roles this stack already "
        f"creates under the same names (got {account.account_id!r})"
        for i, account in enumerate(accounts)
        if account.account_id == account_id
    ]
    problems += [
        f"{NAMESPACE}:managementCluster.capaPrincipalArns[{i}]: belongs to account {arn.split(':')[4]}, not the "
        f"management account {account_id} where this stack grants it sts:AssumeRole (got {arn!r})"
        for i, arn in enumerate(capa_principal_arns)
        if arn.split(":")[4] != account_id
    ]
    return problems + _foreign_management_policies(account_id, iam)


def _foreign_management_policies(account_id: str, iam: IamConfig | None) -> list[str]:
    """A customer-managed policy can be attached only in its own account, the management one's too."""
    if iam is None:
        return []
    arns = [("permissionsBoundary", iam.permissions_boundary)] if iam.permissions_boundary else []
    arns += [(f"extraPolicyArns.{key}", a) for key, attr in _EXTRA_KEYS for a in getattr(iam.extra_policy_arns, attr)]
    return [
        f"{NAMESPACE}:iam.{key}: a policy of account {owner} cannot be used in the management account {account_id} "
        f"(got {arn!r})"
        for key, arn in arns
        if (owner := arn.split(":")[4]) not in ("aws", account_id)
    ]


def role_chaining(accounts: list[WorkloadAccountConfig], capa_principal_arns: list[str]) -> list[str]:
    """CAPA reaches a workload account by assuming its role from its own session: from an instance
    profile, IRSA or Pod Identity that is role chaining, which STS caps at one hour. Only IAM users'
    keys (clusterawsadm's bootstrap user) start a chain-free session."""
    if capa_principal_arns and all(":user/" in arn for arn in capa_principal_arns):
        return []
    return [
        f"{NAMESPACE}:workloadAccounts[{i}].identity.durationSeconds: at most {ROLE_CHAINING_MAX_SECONDS} while "
        f"CAPA runs "
        "as a role (a role in managementCluster.capaPrincipalArns, or trustControlPlaneRole): STS refuses longer "
        f"role-chained sessions (got {account.identity.duration_seconds})"
        for i, account in enumerate(accounts)
        if account.identity.duration_seconds > ROLE_CHAINING_MAX_SECONDS
    ]


def workload_account_warnings(accounts: list[WorkloadAccountConfig]) -> list[str]:
    """Recommendations, not refusals: an identity every namespace may use, a trust without an external id."""
    warnings = []
    for i, account in enumerate(accounts):
        where = f"{NAMESPACE}:workloadAccounts[{i}].identity"
        if account.identity.allowed_namespaces.all:
            warnings.append(
                f"WARNING {where}.allowedNamespaces: all: a Cluster in any namespace of the management cluster "
                f"may use this identity, so whoever may create one anywhere builds in account {account.account_id}; "
                "list the namespaces or give a selector"
            )
        if account.identity.external_id is None:
            warnings.append(
                f"WARNING {where}.externalId: not set: the controllers role of account {account.account_id} "
                "trusts the CAPA principals without an external id; set one (CAPA passes it from the "
                "AWSClusterRoleIdentity), so that another identity pointed at this role cannot use it"
            )
    return warnings


def rendered_secrets(
    cluster: ManagementClusterConfig,
    accounts: list[WorkloadAccountConfig],
    gpu: GpuConfig | None,
    secret_paths: frozenset[str],
) -> list[str]:
    """renderYamlToDirectory writes every Kubernetes object as plaintext YAML: a secret must not be in one."""
    if cluster.render_yaml_to_directory is None:
        return []
    why = (
        "managementCluster.renderYamlToDirectory writes the {} to disk in plaintext; apply it with a "
        'kubeconfig or set it without --secret (got "[secret]")'
    )
    problems = []
    if "workloadAccounts" in secret_paths:
        problems += [
            f"{NAMESPACE}:workloadAccounts[{i}].identity.externalId: a secret, but "
            f"{why.format('AWSClusterRoleIdentity')}"
            for i, account in enumerate(accounts)
            if account.identity.external_id is not None
        ]
    if "gpu" in secret_paths and gpu is not None and gpu.enabled and gpu.values and gpu.delivery == "helmChartProxy":
        problems.append(f"{NAMESPACE}:gpu.values: a secret, but {why.format('HelmChartProxy')}")
    return problems


def renamed_accounts(accounts: list[WorkloadAccountConfig]) -> list[str]:
    """A renamed account keeps its resources through aliases; its identity keeps its name only if
    the config names it, since clusters refer to it (AWS_IDENTITY_REF_NAME)."""
    names = {account.name for account in accounts}
    problems = []
    for i, account in enumerate(accounts):
        taken = sorted(set(account.former_names) & names)
        if taken:
            problems.append(
                f"{NAMESPACE}:workloadAccounts[{i}].formerNames: {taken} name current accounts (got "
                f"{account.former_names})"
            )
        if account.former_names and account.identity.name is None:
            problems.append(
                f"{NAMESPACE}:workloadAccounts[{i}].identity.name: a renamed account's AWSClusterRoleIdentity is named "
                f"after the account unless set; set it to the identity's current name, e.g. "
                f"{account.former_names[-1]!r}, so clusters keep finding it (got none)"
            )
    return problems


def workload_trust(cluster: ManagementClusterConfig, has_workload_accounts: bool) -> list[str]:
    """Workload accounts trust exactly who CAPA runs as; the shared control-plane role only by opt-in."""
    key = f"{NAMESPACE}:managementCluster"
    if cluster.trust_control_plane_role and cluster.capa_principal_arns:
        return [f"{key}.trustControlPlaneRole: capaPrincipalArns already names who CAPA runs as; drop one (got true)"]
    if has_workload_accounts and not cluster.capa_principal_arns and not cluster.trust_control_plane_role:
        return [
            (
                f"{key}.capaPrincipalArns: workload accounts need to know who CAPA runs as: the role of its "
                "controller (IRSA or Pod Identity) or clusterawsadm's bootstrap user; or set "
                "managementCluster.trustControlPlaneRole: true to trust the control-plane instance profile, which "
                "every cluster's control plane in the account has (got [])"
            )
        ]
    return []


def tkg_sections(raw: dict[str, Any], tkg_enabled: bool) -> list[str]:
    """With tkg.enabled false nothing of TKG is built, so its settings would be silently ignored."""
    if tkg_enabled:
        return []
    problems = [
        f"{NAMESPACE}:{section}: belongs to the TKG platform, which tkg.enabled: false turns off (got {section} set)"
        for section in TKG_SECTIONS
        if section != "iam" and raw.get(section) not in (None, {}, [], {"enabled": False})
    ]
    iam = _map(raw.get("iam"))
    return problems + [
        f"{NAMESPACE}:iam.{key}: belongs to the TKG platform, which tkg.enabled: false turns off; only iam.path "
        f"and iam.permissionsBoundary apply to every platform's roles (got {iam[key]!r})"
        for key in sorted(set(iam) - PLATFORM_IAM_KEYS)
    ]


def shared_iam_set(iam: IamConfig) -> list[str]:
    """With ownedByStack the IAM set and its settings belong to the owning stack's config."""
    if iam.owned_by_stack is None:
        return []
    owned_elsewhere = ("adopted", "permissions_boundary", "extra_policy_arns", "eks_local_cluster_role", "protect")
    return [
        f"{NAMESPACE}:iam.{to_camel(key)}: set in stack {iam.owned_by_stack}'s config, which owns the IAM set "
        f"(iam.ownedByStack) (got {getattr(iam, key)!r})"
        for key in owned_elsewhere
        if key in iam.model_fields_set
    ]


def gpu_manifests(gpu: GpuConfig, project_dir: Path) -> list[str]:
    if not gpu.enabled:
        return []
    if gpu.delivery == "helmChartProxy":
        if gpu.manifests:
            return [f"{NAMESPACE}:gpu.manifests: only used with gpu.delivery clusterResourceSet"]
        return []
    if not gpu.manifests:
        return [f"{NAMESPACE}:gpu.manifests: clusterResourceSet delivery needs at least one manifest file"]
    problems = []
    for i, manifest in enumerate(gpu.manifests):
        path = project_dir / manifest.path
        if not path.is_file():
            problems.append(f"{NAMESPACE}:gpu.manifests[{i}].path: no such file (got {manifest.path!r})")
            continue
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if actual != manifest.sha256:
            problems.append(
                f"{NAMESPACE}:gpu.manifests[{i}].sha256: the file's sha256 is {actual}; refusing a file that "
                f"differs from the pinned one (got {manifest.sha256!r})"
            )
    return problems
