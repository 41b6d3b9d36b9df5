"""Config rules that span several keys of one section; each returns finished problem lines.

components/config.py runs them on every section that parses by itself (`section_rules`), so one
section's mistake never hides another's. Lines read `tkg-aws:<key.path>: <problem> (got <value>)`.
"""

from __future__ import annotations

import hashlib
import ipaddress
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic.alias_generators import to_camel

from components.config.validators import NAMESPACE, ROLE_ARN, ROLE_BASE_NAMES, render_directory_problem, shown

if TYPE_CHECKING:
    from components.config.models import (
        ExtraPolicyArns,
        GpuConfig,
        IamConfig,
        KeyPairConfig,
        ManagementClusterConfig,
        NetworkConfig,
        WorkloadAccountConfig,
    )
    from components.config.provider_settings import KubernetesSettings

# Key prefixes of the tags CAPA writes on the subnets of a VPC it does not own (its default feature
# gate TagUnmanagedNetworkResources) for clusters of its own: the management provider ignores them
# (components/accounts.py), and tags of ours under them are aws.ec2.Tag resources.
CAPA_TAG_PREFIXES = ("kubernetes.io/cluster/", "kubernetes.io/role/")
# STS's cap on a session assumed from another role's session (role chaining).
ROLE_CHAINING_MAX_SECONDS = 3600
VPC_MIN_PREFIX = 16  # AWS's largest VPC and subnet
SUBNET_MAX_PREFIX = 28  # AWS's smallest subnet
# An internet-facing load balancer (CAPA's API server ELB/NLB) needs a /27 with 8 free addresses.
PUBLIC_SUBNET_MAX_PREFIX = 27
# Derived public subnets are the VPC's prefix + 6 (components/config.py subnet_cidrs_for).
DERIVED_VPC_MAX_PREFIX = PUBLIC_SUBNET_MAX_PREFIX - 6
# Interface endpoints CAPA's machines need in private subnets without a NAT gateway: EC2 and ELB
# calls of the cloud provider, and Secrets Manager for the bootstrap data (CAPA's default).
PRIVATE_ONLY_ENDPOINTS = ("ec2", "elasticloadbalancing", "secretsmanager")
# The default tags the program puts on every resource (StackConfig.default_tags).
OWN_DEFAULT_TAGS = ("environment", "managed-by")
MANAGED_POLICIES_PER_ROLE_MAX = 20  # IAM's hard limit
MANAGED_POLICIES_PER_ROLE_DEFAULT = 10  # IAM's default quota, raised on request
IAM_ROLE_NAME_MAX = 64
IAM_INSTANCE_PROFILE_NAME_MAX = 128
IAM_POLICY_NAME_MAX = 128
# Providers are named after their account (components/accounts.py): this one is the management's.
MANAGEMENT_PROVIDER_NAME = "management"


def network_layout(network: NetworkConfig, region: str) -> list[str]:
    if network.existing_vpc is not None:
        return _existing_vpc_conflicts(network)
    problems = []
    if "s3" in network.vpc_endpoints.interface and not network.vpc_endpoints.s3:
        problems.append(
            f"{NAMESPACE}:network.vpcEndpoints.interface: an S3 interface endpoint with private DNS needs the S3 "
            'gateway endpoint (AWS resolves in-VPC S3 traffic to it); set vpcEndpoints.s3 true (got ["s3"])'
        )
    azs = network.az_names or [f"{region}a"]
    derived = [az for az in azs if az not in network.subnet_cidrs]
    prefix = network.cidr.prefixlen
    if derived and not VPC_MIN_PREFIX <= prefix <= DERIVED_VPC_MAX_PREFIX:
        problems.append(
            f"{NAMESPACE}:network.cidr: too small to derive subnets (public subnets would be smaller than "
            f"/{PUBLIC_SUBNET_MAX_PREFIX}, too small for a load balancer); use /{VPC_MIN_PREFIX}../"
            f"{DERIVED_VPC_MAX_PREFIX} or set network.subnetCidrs for every AZ (got {str(network.cidr)!r})"
        )
    for az, pair in network.subnet_cidrs.items():
        for tier, largest_prefix in (("public", PUBLIC_SUBNET_MAX_PREFIX), ("private", SUBNET_MAX_PREFIX)):
            cidr = getattr(pair, tier)
            if not cidr.subnet_of(network.cidr) or not VPC_MIN_PREFIX <= cidr.prefixlen <= largest_prefix:
                where = f"{NAMESPACE}:network.subnetCidrs.{az}.{tier}"
                problems.append(
                    f"{where}: must be a /{VPC_MIN_PREFIX}../{largest_prefix} inside {network.cidr} (got {str(cidr)!r})"
                )
    extra = sorted(set(network.subnet_cidrs) - set(azs))
    if extra:
        problems.append(f"{NAMESPACE}:network.subnetCidrs: AZs not in availabilityZones (got {extra})")
    problems += _nat_gateway_az(network, azs)
    if not problems:
        problems += _overlaps(network, azs)
    return problems


def private_only_endpoints(network: NetworkConfig, has_workload_accounts: bool) -> list[str]:
    """Without NAT gateways, private machines reach AWS only through interface endpoints."""
    if network.existing_vpc is not None or network.nat_gateways != "none":
        return []
    needed = list(PRIVATE_ONLY_ENDPOINTS) + (["sts"] if has_workload_accounts else [])
    missing = [s for s in needed if s not in network.vpc_endpoints.interface]
    if not missing:
        return []
    why = " (and sts: workload accounts are reached by assuming roles)" if has_workload_accounts else ""
    return [
        (
            f"{NAMESPACE}:network.vpcEndpoints.interface: with natGateways none, private subnets reach AWS only "
            f"through "
            f"interface endpoints; CAPA's machines need {', '.join(needed)}{why}; add {missing} (and autoscaling "
            f"for MachinePools) (got {list(network.vpc_endpoints.interface)})"
        )
    ]


def _nat_gateway_az(network: NetworkConfig, azs: list[str]) -> list[str]:
    az = network.nat_gateway_az
    if az is None:
        return []
    if network.nat_gateways != "single":
        why = f"only places the single NAT gateway; natGateways is {network.nat_gateways}"
        return [f"{NAMESPACE}:network.natGatewayAz: {why} (got {az!r})"]
    if az not in azs:
        return [f"{NAMESPACE}:network.natGatewayAz: must be one of the stack's AZs {sorted(azs)} (got {az!r})"]
    return []


def _overlaps(network: NetworkConfig, azs: list[str]) -> list[str]:
    seen: list[tuple[str, ipaddress.IPv4Network]] = []
    problems = []
    for az in sorted(azs):
        for tier, cidr in zip(("public", "private"), network.subnet_cidrs_for(az), strict=True):
            net = ipaddress.IPv4Network(cidr)
            for other_name, other in seen:
                if net.overlaps(other):
                    where = f"{NAMESPACE}:network.subnetCidrs.{az}.{tier}"
                    problems.append(f"{where}: overlaps {other_name} (got {cidr!r})")
            seen.append((f"{az} {tier} {cidr}", net))
    return problems


def _existing_vpc_conflicts(network: NetworkConfig) -> list[str]:
    # `protect` too: an existing VPC's resources are its owner's, the stack creates only tags.
    ignored = {
        "cidr",
        "nat_gateways",
        "nat_gateway_az",
        "vpc_endpoints",
        "subnet_cidrs",
        "map_public_ip_on_launch",
        "protect",
    }
    problems = [
        f"{NAMESPACE}:network.{to_camel(key)}: has no effect with network.existingVpc (the stack creates no network)"
        for key in sorted(ignored & network.model_fields_set)
    ]
    vpc = network.existing_vpc
    if not vpc.public_subnet_ids and not vpc.private_subnet_ids:
        problems.append(f"{NAMESPACE}:network.existingVpc: give at least one public or private subnet")
    azs = set(vpc.public_subnet_ids) | set(vpc.private_subnet_ids)
    if network.availability_zones and set(network.availability_zones) != azs:
        problems.append(
            f"{NAMESPACE}:network.availabilityZones: must match the existingVpc subnets' AZs {sorted(azs)} "
            f"(got {network.availability_zones})"
        )
    return problems


def default_tags(tags: object) -> list[str]:
    """Default tags under CAPA's prefixes would be sent, then hidden by the provider's ignore and
    shown as a change on every run (terraform-provider-aws issue 42638); clusterNames tags subnets."""
    if not isinstance(tags, dict):
        return []
    return [
        f"{NAMESPACE}:tags: {key!r} is under a prefix CAPA writes ({', '.join(CAPA_TAG_PREFIXES)}), which the "
        f"stack leaves to CAPA; list clusters in network.clusterNames instead (got {key!r})"
        for key in sorted(tags)
        if str(key).startswith(CAPA_TAG_PREFIXES)
    ]


TAGS_PER_RESOURCE_MAX = 50  # EC2 and IAM, counting the provider's default tags
# The tags of a subnet besides the default tags and the clusters': Name, CAPA's role and the load
# balancer role (components/foundations/network.py).
SUBNET_OWN_TAGS = ("Name", "sigs.k8s.io/cluster-api-provider-aws/role", "kubernetes.io/role/<elb|internal-elb>")


def tag_count(tags: dict[str, str], network: NetworkConfig | None, openshift_cluster: bool = False) -> list[str]:
    """The most tagged resource is a subnet. AWS counts every tag on it, those the program adds as
    separate aws.ec2.Tag resources included: the default tags (ours and the user's), Name, CAPA's
    role tag, the load balancer role tag, one tag per cluster name and OpenShift's cluster tag."""
    cluster_names = list(network.cluster_names) if network is not None else []
    own = len(OWN_DEFAULT_TAGS) + len(SUBNET_OWN_TAGS) + int(openshift_cluster)
    total = own + len(tags) + len(cluster_names)
    if total <= TAGS_PER_RESOURCE_MAX:
        return []
    # Named under the key that brings the most of them.
    many_clusters = len(cluster_names) > len(tags)
    key, got = (
        ("network.clusterNames", f"{len(cluster_names)} names") if many_clusters else ("tags", f"{len(tags)} tags")
    )
    openshift = ", the OpenShift cluster's" if openshift_cluster else ""
    return [
        (
            f"{NAMESPACE}:{key}: a subnet would carry {total} tags ({len(tags)} of tkg-aws:tags, "
            f"{len(cluster_names)} of network.clusterNames and {own} of the program's: environment, managed-by, "
            f"Name, CAPA's and the load balancer's role{openshift}); AWS allows {TAGS_PER_RESOURCE_MAX} per "
            f"resource (got {got})"
        )
    ]


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


_EXTRA_KEYS = (("controlPlane", "control_plane"), ("nodes", "nodes"), ("controllers", "controllers"))
# Managed policies the IAM template attaches to each management role, before any extra.
TEMPLATE_MANAGED_POLICIES = {"controlPlane": 3, "nodes": 1, "controllers": 1}


def managed_policies_of(extra: ExtraPolicyArns, role_key: str) -> int:
    """Managed policies the program attaches to a template role (controlPlane, nodes, controllers)."""
    attr = dict(_EXTRA_KEYS)[role_key]
    return TEMPLATE_MANAGED_POLICIES[role_key] + len(getattr(extra, attr))


def _duplicates(accounts: list, field: str, getter) -> list[str]:
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


def arn_partitions(raw: dict, partition: str) -> list[str]:
    """Every ARN the user gives must be of the region's partition (aws, aws-us-gov, aws-cn)."""
    problems = []
    for path, arn in _user_arns(raw):
        if isinstance(arn, str) and arn.startswith("arn:") and arn.split(":")[1] != partition:
            problems.append(
                f"{NAMESPACE}:{path}: partition {arn.split(':')[1]} does not match the region's {partition} "
                f"(got {arn!r})"
            )
    return problems


def _user_arns(raw: dict) -> list[tuple[str, object]]:
    def section(name: str) -> dict:
        value = raw.get(name)
        return value if isinstance(value, dict) else {}

    def policies(prefix: str, owner: dict) -> list[tuple[str, object]]:
        found = [(f"{prefix}permissionsBoundary", owner.get("permissionsBoundary"))]
        extra = owner.get("extraPolicyArns") if isinstance(owner.get("extraPolicyArns"), dict) else {}
        for role, arns in extra.items():
            found += [(f"{prefix}extraPolicyArns.{role}[{i}]", a) for i, a in enumerate(arns or [])]
        return found

    found = policies("iam.", section("iam"))
    principals = section("managementCluster").get("capaPrincipalArns") or []
    found += [(f"managementCluster.capaPrincipalArns[{i}]", a) for i, a in enumerate(principals)]
    accounts = raw.get("workloadAccounts") if isinstance(raw.get("workloadAccounts"), list) else []
    for i, account in enumerate(a for a in accounts if isinstance(a, dict)):
        found += policies(f"workloadAccounts[{i}].", account)
    return found


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


def render_directory(cluster: ManagementClusterConfig, project_dir: Path) -> list[str]:
    """The render directory is the project's, and none of its own folders (sources, git, CI)."""
    directory = cluster.render_yaml_to_directory
    problem = render_directory_problem(directory, project_dir) if directory is not None else None
    if problem is None:
        return []
    return [f"{NAMESPACE}:managementCluster.renderYamlToDirectory: {problem} (got {shown(directory)})"]


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


def management_cluster(cluster: ManagementClusterConfig, needed: bool, kubernetes: KubernetesSettings) -> list[str]:
    """How the management cluster is reached: one kubeconfig (ours or kubernetes:kubeconfig), or rendering."""
    problems = [
        f"{NAMESPACE}:managementCluster.{key}: set either this or kubernetes:{key}, not both (got both)"
        for key in ("kubeconfig", "context")
        if getattr(cluster, key) is not None and getattr(kubernetes, key) is not None
    ]
    kubeconfig = cluster.kubeconfig or kubernetes.kubeconfig
    if kubeconfig is not None and cluster.render_yaml_to_directory is not None:
        return problems + [f"{NAMESPACE}:managementCluster: set a kubeconfig or renderYamlToDirectory, not both"]
    if needed and kubeconfig is None and cluster.render_yaml_to_directory is None:
        return problems + [
            (
                f"{NAMESPACE}:managementCluster: workloadAccounts or gpu need a management cluster; set kubeconfig "
                "(pulumi config set --secret --path tkg-aws:managementCluster.kubeconfig ...) or renderYamlToDirectory"
            )
        ]
    context = cluster.context or kubernetes.context
    if context is not None and kubeconfig is None:
        where = f"{NAMESPACE}:managementCluster.context"
        return problems + [f"{where}: needs a kubeconfig to choose from (got {context!r})"]
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


# Sections that belong to the TKG platform alone, and the iam keys every platform's roles follow.
TKG_SECTIONS = ("iam", "workloadAccounts", "gpu")
PLATFORM_IAM_KEYS = {"path", "permissionsBoundary"}


def tkg_sections(raw: dict, tkg_enabled: bool) -> list[str]:
    """With tkg.enabled false nothing of TKG is built, so its settings would be silently ignored."""
    if tkg_enabled:
        return []
    problems = [
        f"{NAMESPACE}:{section}: belongs to the TKG platform, which tkg.enabled: false turns off (got {section} set)"
        for section in TKG_SECTIONS
        if section != "iam" and raw.get(section) not in (None, {}, [], {"enabled": False})
    ]
    iam = raw.get("iam") if isinstance(raw.get("iam"), dict) else {}
    return problems + [
        f"{NAMESPACE}:iam.{key}: belongs to the TKG platform, which tkg.enabled: false turns off; only iam.path "
        f"and iam.permissionsBoundary apply to every platform's roles (got {iam[key]!r})"
        for key in sorted(set(iam) - PLATFORM_IAM_KEYS)
    ]


def plaintext_kubeconfig(cluster: dict | None) -> list[str]:
    """A kubeconfig holds the cluster's credentials: never in a stack file in plaintext."""
    if not isinstance(cluster, dict) or not cluster.get("kubeconfig"):
        return []
    return [
        (
            f"{NAMESPACE}:managementCluster.kubeconfig: must be a secret; set it with `pulumi config set "
            f"--secret --path "
            f"{NAMESPACE}:managementCluster.kubeconfig < kubeconfig.yaml` (got a plaintext kubeconfig)"
        )
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


def key_pair_adoption(key_pair: KeyPairConfig) -> list[str]:
    """An existing key pair can be kept only with its own public key: a generated one would replace it."""
    if key_pair.adopted and key_pair.public_key is None:
        return [
            (
                f"{NAMESPACE}:keyPair.adopted: adopting an existing key pair needs its keyPair.publicKey (a "
                f"generated key "
                "would replace the key pair and lock out its users) (got true)"
            )
        ]
    return []


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
