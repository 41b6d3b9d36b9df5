"""Rules of the `openshift` section that span keys, or reach into `network` and the ignition files.

Each returns finished lines `tkg-aws:openshift.<key>: <problem> (got <value>)`; components/config/
loading.py calls `openshift_rules` when both sections parse by themselves. The content of an
ignition file is never shown: bootstrap.ign holds the cluster's secrets.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from components.config.models import NetworkConfig
from components.config.validators import NAMESPACE
from components.openshift.config import DNS_NAME_MAX, OpenShiftConfig

KEY = f"{NAMESPACE}:openshift"
# The longest name the program gives: api-int.<clusterName>.<baseDomain>.
LONGEST_RECORD_PREFIX = "api-int."


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
        *shared_cluster_tag(openshift, network),
        *machine_network(openshift, network),
        *placement(openshift, azs),
        *public_subnets(openshift, network),
        *machines(openshift),
        *ignition_files(openshift),
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


def shared_cluster_tag(openshift: OpenShiftConfig, network: NetworkConfig) -> list[str]:
    # Both would write kubernetes.io/cluster/<infraId> on the same subnets: two owners of one tag.
    if openshift.infra_id not in network.cluster_names:
        return []
    problem = (
        f"{KEY}.infraId: the openshift platform tags the subnets kubernetes.io/cluster/{openshift.infra_id} "
        f"itself; remove it from network.clusterNames (got {openshift.infra_id!r})"
    )
    return [problem]


def machine_network(openshift: OpenShiftConfig, network: NetworkConfig) -> list[str]:
    if network.existing_vpc is not None and openshift.machine_network is None:
        problem = (
            f"{KEY}.machineNetwork: required with network.existingVpc: the VPC's CIDR is the source of the "
            f"cluster's SSH, ICMP, API and machine-config rules (got {network.existing_vpc.vpc_id!r})"
        )
        return [problem]
    given = openshift.machine_network
    if network.existing_vpc is None and given is not None and not given.subnet_of(network.cidr):
        return [f"{KEY}.machineNetwork: must lie inside network.cidr {network.cidr} (got {str(given)!r})"]
    return []


def placement(openshift: OpenShiftConfig, azs: list[str]) -> list[str]:
    problems = []
    for az in openshift.control_plane.availability_zones:
        if az not in azs:
            problems.append(
                f"{KEY}.controlPlane.availabilityZones: {az} is not one of the stack's AZs {azs} (got {az!r})"
            )
    for az in openshift.compute.replicas:
        if az not in azs:
            problems.append(f"{KEY}.compute.replicas: {az} is not one of the stack's AZs {azs} (got {az!r})")
    return problems


def public_subnets(openshift: OpenShiftConfig, network: NetworkConfig) -> list[str]:
    vpc = network.existing_vpc
    needs_public = openshift.public_hosted_zone_id is not None or openshift.bootstrap.public
    if vpc is None or not needs_public or vpc.public_subnet_ids:
        return []
    problem = (
        f"{KEY}.publicHostedZoneId: a public cluster (or bootstrap.public) needs public subnets in "
        f"network.existingVpc.publicSubnetIds (got {openshift.public_hosted_zone_id!r})"
    )
    return [problem]


def machines(openshift: OpenShiftConfig) -> list[str]:
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
    for role in ("bootstrap", "master", "worker"):
        source = openshift.ignition.source(role)
        if source is None:
            continue
        given = getattr(openshift.ignition, role)
        if not source.is_file():
            problems.append(f"{KEY}.ignition.{role}: no such file (got {given!r})")
        elif not _is_ignition(source):
            problems.append(
                f"{KEY}.ignition.{role}: not an Ignition config (JSON with ignition.version) (got {given!r})"
            )
    return problems


def _is_ignition(path: Path) -> bool:
    try:
        document = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, ValueError):
        return False
    return (
        isinstance(document, dict) and isinstance(document.get("ignition"), dict) and "version" in document["ignition"]
    )
