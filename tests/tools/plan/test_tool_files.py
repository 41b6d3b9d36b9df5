"""The tool-config files: placeholders in the offline plan where only `pulumi up` knows an id, and the
same files filled from a deployed stack's `pulumi stack output --json` (recorded in tests/data)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, planned
from tools.plan.command import main, write_plan
from tools.plan.tool_files import EC2_ID, PLACEHOLDER_PATTERN, with_placeholders

RECORDED = REPO / "tests" / "data" / "stack-outputs-dev.json"
"""`pulumi stack output --json` of the dev stack after `pulumi up` (secrets shown as "[secret]")."""


@pytest.fixture(scope="module")
def plan_files(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("plan")
    write_plan(planned("dev"), out)
    return out


def test_offline_tool_files_hold_placeholders_not_ids_that_look_real(plan_files: Path) -> None:
    variables = yaml.safe_load((plan_files / "tkg-cluster-config.yaml").read_text())
    assert variables["AWS_VPC_ID"] == "<vpc-id of network-vpc from pulumi up>"
    assert variables["AWS_PRIVATE_SUBNET_ID"] == "<subnet-id of network-private-us-west-2a from pulumi up>"
    assert not [v for v in variables.values() if EC2_ID.search(str(v))]
    # The plan's own record keeps the mocks' ids: diagrams and diffs join on them.
    assert EC2_ID.search((plan_files / "resources.json").read_text())


def test_fill_writes_the_files_users_feed_to_tanzu_from_the_recorded_outputs(plan_files: Path, tmp_path: Path) -> None:
    outputs = json.loads(RECORDED.read_text())
    assert main(["fill", "dev", str(RECORDED), "--out", str(tmp_path)]) == 0
    filled = yaml.safe_load((tmp_path / "tkg-cluster-config.yaml").read_text())
    assert filled == outputs["tkgClusterConfig"]
    assert filled["AWS_VPC_ID"] == outputs["network"]["vpcId"] and EC2_ID.fullmatch(filled["AWS_VPC_ID"])
    assert not PLACEHOLDER_PATTERN.search((tmp_path / "tkg-cluster-config.yaml").read_text())
    # The same files as the plan wrote, with the same variables, now with the stack's values.
    planned_files = {p.name for p in plan_files.glob("tkg-cluster-config*.yaml")}
    assert {p.name for p in tmp_path.iterdir()} == planned_files
    assert set(filled) == set(yaml.safe_load((plan_files / "tkg-cluster-config.yaml").read_text()))


def test_fill_refuses_a_plans_outputs_and_what_is_not_outputs(tmp_path: Path, capsys) -> None:
    plan_outputs = tmp_path / "plan-outputs.json"
    plan_outputs.write_text(json.dumps({"network": {"vpcId": "<vpc-id of network-vpc from pulumi up>"}}))
    assert main(["fill", "dev", str(plan_outputs), "--out", str(tmp_path / "out")]) == 2
    assert "holds placeholders" in capsys.readouterr().err
    (tmp_path / "broken.json").write_text("Current stack outputs (3):")
    assert main(["fill", "dev", str(tmp_path / "broken.json"), "--out", str(tmp_path / "out")]) == 2
    assert "is not the JSON of `pulumi stack output --json`" in capsys.readouterr().err


def test_an_id_inside_another_or_inside_an_arn_gets_the_placeholder_of_the_longest_match() -> None:
    ids = {
        "subnet-0123456789abcdef0": "<subnet-id of a>",
        "rt-12345678": "<id of rt>",
        "private-rt-12345678": "<id of private-rt>",
        "rt-12345678-87654321": "<id of rt-12345678>",
    }
    value = {
        "subnets": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
        "arn": "arn:aws:ec2:us-west-2:111111111111:subnet/subnet-0123456789abcdef0",
        "tables": "private-rt-12345678,rt-12345678 rt-1234567 rt-12345678-87654321",
        "count": 2,
    }
    assert with_placeholders(value, ids) == {
        "subnets": ["<subnet-id of a>", "subnet-0123456789abcdef1"],
        "arn": "arn:aws:ec2:us-west-2:111111111111:subnet/<subnet-id of a>",
        "tables": "<id of private-rt>,<id of rt> rt-1234567 <id of rt-12345678>",
        "count": 2,
    }
