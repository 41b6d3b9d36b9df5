"""The offline PR diff: what a reviewer of a fork's pull request reads instead of `pulumi preview`."""

from __future__ import annotations

import copy

from tests.conftest import plan
from tools.plan import resources_document
from tools.plan_diff import diff_plans


def document(raw: dict) -> dict:
    return resources_document(plan(raw, stack="dev"))


def test_the_dev_plan_against_itself_has_no_changes(dev_raw: dict) -> None:
    text = diff_plans(document(dev_raw), document(dev_raw))
    assert "No changes" in text
    assert "to add" not in text


def test_one_more_az_lists_only_additions(dev_raw: dict) -> None:
    bigger = copy.deepcopy(dev_raw)
    bigger["network"]["availabilityZones"] = ["us-west-2a", "us-west-2b"]
    text = diff_plans(document(dev_raw), document(bigger))
    summary = next(line for line in text.splitlines() if line.startswith("**"))
    assert summary.startswith("**") and ", 0 to change, 0 to remove**" in summary
    assert int(summary.strip("*").split(" ")[0]) > 0
    assert "#### Changed" not in text and "#### Removed" not in text
    assert "us-west-2b" in text


def test_changes_show_the_input_keys_with_old_and_new_values() -> None:
    base = {"stack": "dev", "resources": [_resource({"tags": {"Name": "a"}, "cidrBlock": "10.0.0.0/16"})]}
    head = {"stack": "dev", "resources": [_resource({"tags": {"Name": "b"}, "cidrBlock": "10.0.0.0/16"})]}
    text = diff_plans(base, head)
    assert '`tags.Name`: `"a"` → `"b"`' in text
    assert "cidrBlock" not in text


def test_secret_looking_keys_are_masked_even_if_a_plan_held_a_value() -> None:
    base = {"stack": "dev", "resources": [_resource({"kubeconfig": "old-token"})]}
    head = {"stack": "dev", "resources": [_resource({"kubeconfig": "new-token"})]}
    text = diff_plans(base, head)
    assert "token" not in text.replace("`kubeconfig`", "")
    assert "[secret]" in text


def _resource(inputs: dict) -> dict:
    return {
        "urn": "urn:pulumi:dev::tkg-aws::aws:ec2/vpc:Vpc::dev-vpc",
        "type": "aws:ec2/vpc:Vpc",
        "name": "dev-vpc",
        "parent": "",
        "provider": "",
        "dependsOn": [],
        "options": {},
        "inputs": inputs,
    }
