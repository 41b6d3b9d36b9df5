"""Preflight of the GPU instance quotas (tools/preflight/gpu.py) against moto in server mode, as
tests/tools/preflight/test_preflight.py runs it. moto's Service Quotas lacks EC2's quotas: the rows are unchecked
there, and the quota's value is given in its place to see the judgement."""

from __future__ import annotations

import pytest

from tests.tools.preflight import test_preflight as moto_server
from tools.preflight import gpu as preflight_gpu

GPU_TITLE = "quota L-DB2E81BA Running On-Demand G and VT instances (vCPUs)"


def gpu_values(instance_type: str = "g4dn.8xlarge", enabled: bool = True) -> dict:
    values = moto_server.prod_values()
    values["tkg-aws:gpu"] = {**values["tkg-aws:gpu"], "enabled": enabled, "workerInstanceType": instance_type}
    return values


def test_a_gpu_stack_whose_quota_cannot_be_read_is_unchecked_by_name(account, stacks):
    code, rows = moto_server.preflight(stacks, gpu_values())
    gpu = moto_server.row(rows, GPU_TITLE)
    assert (gpu["status"], gpu["unchecked"], gpu["name"]) == ("warn", True, "gpu-quotas")  # accepted as MOTO_LACKS
    assert gpu["details"].startswith("could not check:")
    assert code == 0


def test_without_gpu_machines_no_gpu_quota_is_read(account, stacks):
    _, rows = moto_server.preflight(stacks, gpu_values(enabled=False))
    assert not [r for r in rows if "L-DB2E81BA" in r["check"] or "L-417A185B" in r["check"]]


@pytest.mark.parametrize(
    ("quota", "running", "status", "details"),
    [
        (0, 0, "fail", "does not fit: in use 0 vCPUs, tkg-aws:gpu workers 1 × g4dn.8xlarge need 32: 32 of 0"),
        (64, 1, "fail", "does not fit: in use 48 vCPUs, tkg-aws:gpu workers 1 × g4dn.8xlarge need 32: 80 of 64"),
        (32, 0, "warn", "full with these machines: in use 0 vCPUs"),
        (64, 0, "ok", "in use 0 vCPUs, tkg-aws:gpu workers 1 × g4dn.8xlarge need 32: 32 of 64"),
    ],
)
def test_the_gpu_quota_must_hold_the_running_gpu_instances_and_one_worker_more(
    account, stacks, monkeypatch, quota, running, status, details
):
    monkeypatch.setattr(preflight_gpu, "quota_value", lambda clients, q: (quota, "Service Quotas"))
    ec2 = account.client("ec2")
    image = ec2.register_image(Name="gpu-node", RootDeviceName="/dev/xvda")["ImageId"]
    if running:
        # moto leaves out CpuOptions: the instance type's vCPUs count (the catalog's).
        for instance_type in ("g5.12xlarge", "m5.4xlarge"):  # 48 vCPUs; not a GPU family
            ec2.run_instances(ImageId=image, InstanceType=instance_type, MinCount=1, MaxCount=1)
    code, rows = moto_server.preflight(stacks, gpu_values())
    gpu = moto_server.row(rows, GPU_TITLE)
    assert gpu["status"] == status
    assert gpu["details"].startswith(details)
    if status == "fail":
        assert gpu["whatToDo"].startswith("request L-DB2E81BA of at least")
        assert code == 1


def test_p_family_workers_count_against_the_p_quota(account, stacks, monkeypatch):
    monkeypatch.setattr(preflight_gpu, "quota_value", lambda clients, q: (0, "Service Quotas"))
    _, rows = moto_server.preflight(stacks, gpu_values("p4d.24xlarge"))
    p = moto_server.row(rows, "quota L-417A185B Running On-Demand P instances (vCPUs)")
    assert p["status"] == "fail" and "need 96" in p["details"]
