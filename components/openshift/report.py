"""What the plan summary and `pulumi up` say about an OpenShift stack that is allowed but not advised.

Each line starts `WARNING openshift.<key>:` (or `note` for the first step of the install order) and
names the key to change. These are the OpenShift docs' recommendations, not refusals: the installer
and AWS accept the config, the cluster runs, but it loses something a reviewer should decide on
knowingly.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from components.openshift.config import INFRA_ID_MAX, OpenShiftConfig

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig

RANDOM_SUFFIX = 5  # openshift-install ends every infraID with '-' and 5 random characters
INFRA_ID_PREFIX_MAX = INFRA_ID_MAX - RANDOM_SUFFIX - 1


def openshift_notes(config: StackConfig) -> list[str]:
    openshift = config.openshift
    if openshift is None:
        return []
    vpc = config.network.existing_vpc
    private_azs = sorted(vpc.private_subnet_ids) if vpc is not None else config.availability_zones
    return [
        *_workers(openshift, private_azs),
        *_control_plane(openshift, private_azs),
        *_infra_id(openshift),
        *_stage(openshift),
    ]


def derived_infra_id_prefix(cluster_name: str) -> str:
    """What openshift-install puts before the 5 random characters of an infraID: the cluster name,
    runs of other characters as one '-', cut to 21 characters, without a trailing '-'."""
    base = re.sub("-{2,}", "-", re.sub("[^A-Za-z0-9-]", "-", cluster_name))
    return base[:INFRA_ID_PREFIX_MAX].rstrip("-")


def _infra_id(openshift: OpenShiftConfig) -> list[str]:
    prefix = derived_infra_id_prefix(openshift.cluster_name)
    if openshift.infra_id is None or re.fullmatch(rf"{re.escape(prefix)}-[a-z0-9]{{5}}", openshift.infra_id):
        return []
    return [
        (
            f"WARNING openshift.infraId: {openshift.infra_id} is not what openshift-install derives from clusterName "
            f"({prefix}-xxxxx): check that it is this cluster's metadata.json, or every tag the cluster looks for "
            "names another cluster"
        )
    ]


def _workers(openshift: OpenShiftConfig, private_azs: list[str]) -> list[str]:
    workers = openshift.compute.total(private_azs)
    if workers == 0:
        return [
            (
                "WARNING openshift.compute.replicas: no compute machines: install-config.yaml says 0 workers, so "
                "OpenShift makes the control-plane machines schedulable and runs every workload on them"
            )
        ]
    if workers == 1:
        return [
            (
                "WARNING openshift.compute.replicas: one compute machine: the default ingress controller runs two "
                "router replicas on different workers, so ingress stays degraded (the docs ask for at least two)"
            )
        ]
    return []


def _control_plane(openshift: OpenShiftConfig, private_azs: list[str]) -> list[str]:
    azs = set(openshift.control_plane_azs(private_azs))
    if len(azs) != 1:
        return []
    (az,) = azs
    return [
        (
            f"WARNING openshift.controlPlane.availabilityZones: all three control-plane machines in {az}: the "
            "cluster goes down with that AZ (the docs spread them over three)"
        )
    ]


def _stage(openshift: OpenShiftConfig) -> list[str]:
    if openshift.infra_id is not None:
        return []
    return [
        (
            "note openshift.infraId: not set yet: the stack writes install-config.yaml's part only; set it from "
            "metadata.json after `openshift-install create ignition-configs` (docs/openshift.md)"
        )
    ]
