"""Rules of the `openshift` section that span keys, or reach into `network` and the ignition files.

Each returns finished lines `tkg-aws:openshift.<key>: <problem> (got <value>)`; components/config/
loading.py calls `openshift_rules` when both sections parse by themselves. The content of an
ignition file is never shown: bootstrap.ign holds the cluster's secrets.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import ValidationError

from components.config.models import NetworkConfig
from components.config.validators import NAMESPACE
from components.openshift.config import CONTROL_PLANE_REPLICAS, DNS_NAME_MAX, OpenShiftConfig

KEY = f"{NAMESPACE}:openshift"
ROLES: tuple[Literal["bootstrap", "master", "worker"], ...] = ("bootstrap", "master", "worker")
# The longest name the program gives: api-int.<clusterName>.<baseDomain>.
LONGEST_RECORD_PREFIX = "api-int."
# EC2 takes at most 16 KB of user data before base64 encoding.
USER_DATA_MAX = 16384
# install-config.yaml's defaults, which the part this stack writes does not change.
CLUSTER_DEFAULT_NETWORKS = {
    "clusterNetwork": ipaddress.IPv4Network("10.128.0.0/14"),
    "serviceNetwork": ipaddress.IPv4Network("172.30.0.0/16"),
}
# Prefixes AWS refuses at the start of the names built from the infrastructure id: the bucket
# `<infraId>-ignition-<accountId>` and the load balancers `<infraId>-ext`, `<infraId>-int`.
RESERVED_PREFIXES = {
    "xn--": "an S3 bucket name",
    "sthree-": "an S3 bucket name",
    "amzn-s3-demo-": "an S3 bucket name",
    "internal-": "a load balancer name",
}
# (lowest, highest, per GiB of volume) provisioned IOPS per EBS volume type; 0: none.
IOPS_LIMITS = {"gp2": (0, 0, 0), "gp3": (3000, 80000, 500), "io1": (100, 64000, 50), "io2": (100, 256000, 1000)}


def openshift_rules(raw: dict[str, Any], region: str, project_dir: Path) -> list[str]:
    if raw.get("openshift") in (None, {}) or not region:
        return []
    context = {"region": region, "project_dir": project_dir}
    try:
        openshift = OpenShiftConfig.model_validate(raw["openshift"], context=context)
        network = NetworkConfig.model_validate(raw.get("network", {}), context=context)
    except ValidationError:
        return []  # the field problems are reported on their own lines
    azs = stack_azs(network, region)
    return [
        *domain_length(openshift),
        *reserved_names(openshift),
        *shared_cluster_tag(openshift, network),
        *machine_network(openshift, network),
        *placement(openshift, azs),
        *subnets_per_az(openshift, network, azs),
        *machines(openshift),
        *ignition_files(openshift),
        *root_volumes(openshift),
        *china(openshift, region),
        *proxy(openshift),
        *egress(openshift, network),
    ]


def stack_azs(network: NetworkConfig, region: str) -> list[str]:
    """The stack's AZs as StackConfig.availability_zones gives them."""
    if network.existing_vpc is not None:
        vpc = network.existing_vpc
        return sorted(set(vpc.public_subnet_ids) | set(vpc.private_subnet_ids))
    return network.az_names or [f"{region}a"]


def domain_length(openshift: OpenShiftConfig) -> list[str]:
    name = LONGEST_RECORD_PREFIX + openshift.cluster_domain
    if len(name) <= DNS_NAME_MAX:
        return []
    return [f"{KEY}.baseDomain: {name} is longer than DNS's {DNS_NAME_MAX} characters (got {openshift.base_domain!r})"]


def reserved_names(openshift: OpenShiftConfig) -> list[str]:
    """The infrastructure id begins the bucket and load balancer names, where AWS reserves prefixes."""
    infra_id = openshift.infra_id or ""
    for prefix, what in RESERVED_PREFIXES.items():
        if infra_id.startswith(prefix):
            return [f"{KEY}.infraId: {what} may not begin with {prefix!r} (got {infra_id!r})"]
    return []


def shared_cluster_tag(openshift: OpenShiftConfig, network: NetworkConfig) -> list[str]:
    # Both would write kubernetes.io/cluster/<infraId> on the same subnets: two owners of one tag.
    if openshift.infra_id is None or openshift.infra_id not in network.cluster_names:
        return []
    problem = (
        f"{KEY}.infraId: the openshift platform tags the subnets kubernetes.io/cluster/{openshift.infra_id} "
        f"itself; remove it from network.clusterNames (got {openshift.infra_id!r})"
    )
    return [problem]


def machine_network(openshift: OpenShiftConfig, network: NetworkConfig) -> list[str]:
    if network.existing_vpc is not None and openshift.machine_network is None:
        problem = (
            f"{KEY}.machineNetwork: required with network.existingVpc: the CIDR holding every subnet of the "
            f"cluster is the source of its SSH, ICMP, API and machine-config rules (got none)"
        )
        return [problem]
    given = openshift.machine_network
    if network.existing_vpc is None and given is not None and not network.cidr.subnet_of(given):
        problem = (
            f"{KEY}.machineNetwork: must hold network.cidr {network.cidr}: the API load balancers have their "
            f"addresses in the public and private subnets, and their IP targets see those addresses as the "
            f"source of every health check and connection (got {str(given)!r})"
        )
        return [problem]
    effective = given or network.cidr
    key = "machineNetwork" if given is not None else "network.cidr"
    return [
        f"{KEY}.{key}: overlaps OpenShift's default {what} {default}, which install-config.yaml keeps "
        f"(got {str(effective)!r})"
        for what, default in CLUSTER_DEFAULT_NETWORKS.items()
        if effective.overlaps(default)
    ]


def placement(openshift: OpenShiftConfig, azs: list[str]) -> list[str]:
    problems = []
    given = openshift.control_plane.availability_zones
    if len(given) > CONTROL_PLANE_REPLICAS:
        problems.append(
            f"{KEY}.controlPlane.availabilityZones: at most {CONTROL_PLANE_REPLICAS}, one per control-plane "
            f"machine (got {given!r})"
        )
    for az in given:
        if az not in azs:
            problems.append(
                f"{KEY}.controlPlane.availabilityZones: {az} is not one of the stack's AZs {azs} (got {az!r})"
            )
    for az in openshift.compute.replicas:
        if az not in azs:
            problems.append(f"{KEY}.compute.replicas: {az} is not one of the stack's AZs {azs} (got {az!r})")
    return problems


def subnets_per_az(openshift: OpenShiftConfig, network: NetworkConfig, azs: list[str]) -> list[str]:
    """An existing VPC holds, in each AZ the cluster uses, the subnets its machines and load balancers need."""
    vpc = network.existing_vpc
    if vpc is None:
        return []
    if not vpc.private_subnet_ids:
        return [f"{KEY}: the cluster's machines need network.existingVpc.privateSubnetIds (got none)"]
    problems = []
    masters = sorted(set(openshift.control_plane_azs(azs)))
    workers = sorted(openshift.compute.replicas) or sorted(vpc.private_subnet_ids)
    for az in sorted(set(masters) | set(workers)):
        if az not in vpc.private_subnet_ids:
            problems.append(
                f"{KEY}: {az} holds machines but no subnet of network.existingVpc.privateSubnetIds "
                f"(got {sorted(vpc.private_subnet_ids)!r})"
            )
    public = openshift.public_hosted_zone_id is not None or openshift.bootstrap.public
    missing = [az for az in masters if az not in vpc.public_subnet_ids]
    if public and missing:
        problems.append(
            f"{KEY}.publicHostedZoneId: a public cluster (or bootstrap.public) needs a public subnet in every "
            f"control-plane AZ; network.existingVpc.publicSubnetIds has none in {missing} "
            f"(got {openshift.public_hosted_zone_id!r})"
        )
    return problems


def machines(openshift: OpenShiftConfig) -> list[str]:
    if openshift.infra_id is None:
        given = [role for role in ROLES if getattr(openshift.ignition, role) is not None]
        return [
            f"{KEY}.infraId: required with ignition.{role}: `openshift-install create ignition-configs` writes "
            f"both; set `jq -r .infraID metadata.json` (got none)"
            for role in given[:1]
        ]
    if not openshift.machines:
        return []
    needed = ["master", "worker"] + (["bootstrap"] if openshift.bootstrap.enabled else [])
    return [
        f"{KEY}.ignition.{role}: rhcosAmi creates the machines, which need {role}.ign from "
        f"`openshift-install create ignition-configs` (got none)"
        for role in needed
        if getattr(openshift.ignition, role) is None
    ]


def ignition_files(openshift: OpenShiftConfig) -> list[str]:
    problems = []
    for role in ROLES:
        source = openshift.ignition.source(role)
        if source is None:
            continue
        given = getattr(openshift.ignition, role)
        problem = ignition_problem(openshift, role, source) if source.is_file() else "no such file"
        if problem:
            problems.append(f"{KEY}.ignition.{role}: {problem} (got {given!r})")
    return problems


def ignition_problem(openshift: OpenShiftConfig, role: str, path: Path) -> str | None:
    """What makes the file unfit for its role; never a word of its content."""
    document = _ignition(path)
    if document is None:
        return "not an Ignition config (JSON with ignition.version)"
    version = str(document["ignition"]["version"])
    if not version.startswith("3."):
        return f"Ignition spec {version}: RHCOS of OpenShift 4.6 and later reads spec 3 only"
    if role == "bootstrap":
        return None
    expected = f"https://api-int.{openshift.cluster_domain}:22623/config/{role}"
    merge = (document["ignition"].get("config") or {}).get("merge") or []
    sources = [entry.get("source") for entry in merge if isinstance(entry, dict)]
    if expected not in sources:
        return (
            f"not {role}.ign of this cluster: its user data must point at {expected} (the bootstrap config "
            f"holds the cluster's secrets and never goes into user data)"
        )
    size = path.stat().st_size
    if size > USER_DATA_MAX:
        return f"{size} bytes: EC2 user data holds at most {USER_DATA_MAX}"
    return None


def root_volumes(openshift: OpenShiftConfig) -> list[str]:
    problems = []
    for key, pool in (("controlPlane", openshift.control_plane), ("compute", openshift.compute)):
        kind, iops = pool.root_volume_type, pool.root_volume_iops
        if iops is None:
            if kind in ("io1", "io2"):
                problems.append(f"{KEY}.{key}.rootVolumeIops: required with rootVolumeType {kind} (got none)")
            continue
        low, high, per_gib = IOPS_LIMITS[kind]
        if high == 0:
            problems.append(f"{KEY}.{key}.rootVolumeIops: {kind} takes no provisioned IOPS (got {iops})")
        elif not low <= iops <= min(high, per_gib * pool.root_volume_size):
            problems.append(
                f"{KEY}.{key}.rootVolumeIops: {kind} takes {low}..{high} IOPS, at most {per_gib} per GiB "
                f"of rootVolumeSize {pool.root_volume_size} (got {iops})"
            )
    return problems


def china(openshift: OpenShiftConfig, region: str) -> list[str]:
    if not region.startswith("cn-") or openshift.rhcos_ami is not None:
        return []
    problem = (
        f"{KEY}.rhcosAmi: required in {region}: Red Hat publishes no RHCOS image there, and "
        f"openshift-install refuses install-config.yaml without platform.aws.amiID (got none)"
    )
    return [problem]


def proxy(openshift: OpenShiftConfig) -> list[str]:
    given = openshift.proxy
    if given is None or given.http_proxy or given.https_proxy:
        return []
    return [f"{KEY}.proxy: give httpProxy or httpsProxy, or leave the section out (got {list(given.no_proxy)!r})"]


def egress(openshift: OpenShiftConfig, network: NetworkConfig) -> list[str]:
    if network.existing_vpc is not None or network.nat_gateways != "none":
        return []
    if openshift.proxy is not None or openshift.image_digest_sources:
        return []
    problem = (
        f"{KEY}: network.natGateways none leaves the machines no way to the release images: set "
        f"openshift.proxy or openshift.imageDigestSources (a mirror registry) (got {network.nat_gateways!r})"
    )
    return [problem]


def _ignition(path: Path) -> dict[str, Any] | None:
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    if isinstance(document, dict) and isinstance(document.get("ignition"), dict) and "version" in document["ignition"]:
        return document
    return None
