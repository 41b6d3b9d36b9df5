"""Preflight check of the GPU instance quotas: can the account start the GPU machines the config asks for?

GPU instances count against quotas of their own, in vCPUs of running on-demand instances: the G and
VT families against L-DB2E81BA, the P family against L-417A185B. A new account often has 0 of both,
and EC2 then refuses the first GPU worker (VcpuLimitExceeded) long after `pulumi up` succeeded.
Checked where GPU machines are configured: the GPU workers of TKG clusters (tkg-aws:gpu, in every
account of the stack, one worker at least) and OpenShift compute machines of a GPU type (their
count). EKS local clusters' nodes run on the Outpost's own capacity, which these regional quotas do
not govern. Where Service Quotas cannot be read, the row is unchecked (`--allow-unchecked gpu-quotas`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from components.config import instance_types
from components.stack_config.models import StackConfig
from tools.preflight.aws_session import AwsClients
from tools.preflight.quotas import on_demand_vcpus, quota_value
from tools.preflight.report import FAIL, OK, WARN, Row, looked_up
from tools.preflight.targets import Target

CHECK_NAME = "gpu-quotas"


@dataclass(frozen=True)
class GpuQuota:
    code: str
    name: str
    service_code: str = "ec2"


G_AND_VT = GpuQuota("L-DB2E81BA", "Running On-Demand G and VT instances (vCPUs)")
P = GpuQuota("L-417A185B", "Running On-Demand P instances (vCPUs)")


@dataclass(frozen=True)
class GpuMachines:
    """GPU machines of one type the config asks for in an account."""

    role: str
    """What they are, in the config's terms: `tkg-aws:gpu workers`, `OpenShift compute`."""
    instance_type: str
    count: int

    @property
    def vcpus(self) -> int:
        spec = instance_types.lookup(self.instance_type)
        return (spec.vcpus if spec is not None else 0) * self.count


def quota_of(instance_type: str) -> GpuQuota | None:
    """The GPU quota an instance type counts against; None for the other families."""
    family = instance_type.split(".")[0].lower()
    if family.startswith("vt") or family.startswith("g"):
        return G_AND_VT
    if family.startswith("p"):
        return P
    return None


def gpu_machines(target: Target, config: StackConfig) -> list[GpuMachines]:
    """The GPU machines the config asks for in the target's account."""
    machines = []
    if config.gpu.enabled:  # the GPU clusters may be in any account of the stack: one worker at least
        machines.append(GpuMachines("tkg-aws:gpu workers", config.gpu.worker_instance_type, 1))
    openshift = config.openshift
    if openshift is not None and target.is_management and quota_of(openshift.compute.instance_type):
        count = openshift.compute.total(config.availability_zones)
        machines.append(GpuMachines("OpenShift compute", openshift.compute.instance_type, count))
    return [m for m in machines if quota_of(m.instance_type) is not None and m.count > 0]


def applies(target: Target, config: StackConfig) -> bool:
    return bool(gpu_machines(target, config))


def gpu_quota_rows(target: Target, clients: AwsClients, config: StackConfig) -> list[Row]:
    machines = gpu_machines(target, config)
    rows = []
    for quota in (G_AND_VT, P):
        mine = [m for m in machines if quota_of(m.instance_type) is quota]
        if mine:
            title = f"quota {quota.code} {quota.name}"
            rows += looked_up(target.name, title, partial(_rows, target, clients, quota, mine, title))
    return rows


def _rows(target: Target, clients: AwsClients, quota: GpuQuota, machines: list[GpuMachines], title: str) -> list[Row]:
    return [_row(target, clients, quota, machines, title)]


def _row(target: Target, clients: AwsClients, quota: GpuQuota, machines: list[GpuMachines], title: str) -> Row:
    used = on_demand_vcpus(clients, lambda instance_type: quota_of(instance_type) is quota)
    needed = sum(m.vcpus for m in machines)
    value, source = quota_value(clients, quota)
    asked = ", ".join(f"{m.role} {m.count} × {m.instance_type}" for m in machines)
    details = f"in use {used} vCPUs, {asked} need {needed}: {used + needed} of {value:g} ({source})"
    increase = f"request {quota.code} of at least {used + needed} (Service Quotas, service ec2)"
    if used + needed > value:
        return Row(target.name, title, FAIL, f"does not fit: {details}", f"{increase} before creating them")
    if used + needed == value:
        return Row(target.name, title, WARN, f"full with these machines: {details}", increase)
    return Row(target.name, title, OK, details)
