"""`__main__.py` as `pulumi up` runs it: config from the Pulumi runtime, resources, exports."""

from __future__ import annotations

import json
import runpy

import pulumi
import pytest

from components.config.base import ConfigError
from components.stack_config.loading import load_config
from tests.conftest import REGION, REPO, stack_file
from tools.plan.program import run_under_mocks


@pytest.fixture(autouse=True)
def clean_runtime_config():
    yield
    pulumi.runtime.set_all_config({}, [])


def set_stack_config(raw: dict, secret_sections: set[str] = frozenset()) -> None:
    """Config as the language host passes it: strings as they are, structured values as JSON."""
    values = {f"tkg-aws:{k}": v if isinstance(v, str) else json.dumps(v) for k, v in raw.items()}
    pulumi.runtime.set_all_config({**values, "aws:region": REGION}, [f"tkg-aws:{s}" for s in secret_sections])


def test_load_config_reads_the_runtime_config_and_marks_secret_sections() -> None:
    raw, _, _ = stack_file("prod")
    cluster = {k: v for k, v in raw["managementCluster"].items() if k != "renderYamlToDirectory"}
    raw["managementCluster"] = {**cluster, "kubeconfig": "apiVersion: v1"}
    set_stack_config(raw, {"managementCluster"})
    config = load_config()
    assert (config.environment, config.region, len(config.workload_accounts)) == ("prod", REGION, 2)
    assert config.management_cluster.kubeconfig == "apiVersion: v1"
    raw["managementCluster"] = {**cluster, "kubeconfig": {"token": "s3cr3t"}}
    set_stack_config(raw, {"managementCluster"})
    with pytest.raises(ConfigError) as err:
        load_config()
    assert "s3cr3t" not in str(err.value) and "[secret]" in str(err.value)


def test_load_config_reports_unknown_top_level_keys() -> None:
    raw, _, _ = stack_file("dev")
    set_stack_config({**raw, "netwrok": {"cidr": "10.0.0.0/16"}})
    with pytest.raises(ConfigError, match=r"tkg-aws:netwrok: unknown key"):
        load_config()


def test_main_registers_the_dev_stack() -> None:
    raw, _, _ = stack_file("dev")
    set_stack_config(raw)
    monitor = run_under_mocks(lambda: runpy.run_path(str(REPO / "__main__.py")) and None, REGION, "dev")
    types = {r.type for r in monitor.registrations.values()}
    assert {"aws:ec2/vpc:Vpc", "aws:iam/role:Role", "aws:ec2/keyPair:KeyPair"} <= types
