"""What the plan summary and `pulumi up` say about an OpenShift stack that is allowed but not advised.

Each line starts `WARNING openshift:` and names the key to change. These are the OpenShift docs'
recommendations, not refusals: the installer and AWS accept the config, the cluster runs, but it
loses something a reviewer should decide on knowingly.
"""

from __future__ import annotations

from components.config.models import StackConfig
from components.openshift.config import OpenShiftConfig


def openshift_notes(config: StackConfig) -> list[str]:
    openshift = config.openshift
    if openshift is None:
        return []
    vpc = config.network.existing_vpc
    private_azs = sorted(vpc.private_subnet_ids) if vpc is not None else config.availability_zones
    return [*_workers(openshift, private_azs), *_control_plane(openshift, private_azs), *_stage(openshift)]


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
            "metadata.json after `openshift-install create ignition-configs` (README, OpenShift)"
        )
    ]
