"""The offline PR diff: what a reviewer of a fork's pull request reads instead of `pulumi preview`."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from tests.conftest import plan
from tools.plan.command import main, resources_document
from tools.review.plan_diff import diff_plans


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
    assert summary.startswith("**") and ", 0 to change, 0 to replace, 0 to remove**" in summary
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


def test_a_vpc_cidr_change_is_marked_as_a_replacement_of_a_protected_vpc() -> None:
    base = {"stack": "dev", "resources": [_resource({"cidrBlock": "10.0.0.0/16"}, protect=True)]}
    head = {"stack": "dev", "resources": [_resource({"cidrBlock": "10.1.0.0/16"}, protect=True)]}
    text = diff_plans(base, head)
    assert "**0 to add, 0 to change, 1 to replace, 0 to remove**" in text
    assert "- `aws:ec2/vpc:Vpc` `dev-vpc`: **replaced**" in text
    assert "**`cidrBlock` cannot be updated in place**" in text
    assert "protected: `pulumi up` refuses to delete it" in text
    assert '`cidrBlock`: `"10.0.0.0/16"` → `"10.1.0.0/16"`' in text


def test_a_tag_change_is_an_update_in_place_not_a_replacement() -> None:
    base = {"stack": "dev", "resources": [_resource({"cidrBlock": "10.0.0.0/16", "tags": {"team": "a"}})]}
    head = {"stack": "dev", "resources": [_resource({"cidrBlock": "10.0.0.0/16", "tags": {"team": "b"}})]}
    text = diff_plans(base, head)
    assert "1 to change, 0 to replace" in text and "replaced" not in text


def test_a_list_shows_the_items_added_and_removed_whole() -> None:
    arn = "arn:aws:iam::{}:role/" + "capa-controller-manager-with-a-long-name-" * 3
    old = [arn.format("111111111111")]
    new = [arn.format("111111111111"), arn.format("333333333333")]
    base = {"stack": "dev", "resources": [_resource({"principals": old})]}
    head = {"stack": "dev", "resources": [_resource({"principals": new})]}
    text = diff_plans(base, head)
    assert f"`principals`: + `{json.dumps(new[1])}`" in text
    assert "111111111111" not in text


def test_long_values_are_cut_with_their_length_and_shown_whole_with_full() -> None:
    base = {"stack": "dev", "resources": [_resource({"userData": "x" * 300 + "a"})]}
    head = {"stack": "dev", "resources": [_resource({"userData": "x" * 300 + "b"})]}
    assert "(303 characters; `--full` shows all)" in diff_plans(base, head)
    assert "x" * 300 + 'b"`' in diff_plans(base, head, full=True)


@pytest.fixture
def plans(tmp_path: Path) -> dict[str, Path]:
    directories = {}
    for name, cidr in (("base", "10.0.0.0/16"), ("same", "10.0.0.0/16"), ("head", "10.1.0.0/16")):
        directories[name] = tmp_path / name
        directories[name].mkdir()
        document = {"stack": "dev", "resources": [_resource({"cidrBlock": cidr})], "outputs": {}}
        (directories[name] / "resources.json").write_text(json.dumps(document))
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "resources.json").write_text("{not json")
    directories["broken"], directories["missing"] = tmp_path / "broken", tmp_path / "missing"
    return directories


def test_exit_code_is_0_without_changes_1_with_changes_and_2_on_bad_input(
    plans: dict[str, Path], capsys: pytest.CaptureFixture
) -> None:
    def diff(base: str, head: str, *flags: str) -> int:
        return main(["diff", str(plans[base]), str(plans[head]), *flags])

    assert diff("base", "same", "--exit-code") == 0
    assert diff("base", "head", "--exit-code") == 1
    assert diff("base", "head") == 0  # as git diff: only --exit-code reports changes in the status
    assert diff("base", "missing", "--exit-code") == 2
    assert diff("broken", "head", "--exit-code") == 2
    err = capsys.readouterr().err
    assert "no plan at" in err and "is not a plan's JSON" in err


def _resource(inputs: dict, protect: bool = False) -> dict:
    return {
        "urn": "urn:pulumi:dev::tkg-aws::aws:ec2/vpc:Vpc::dev-vpc",
        "type": "aws:ec2/vpc:Vpc",
        "name": "dev-vpc",
        "parent": "",
        "provider": "",
        "dependsOn": [],
        "options": {"protect": True} if protect else {},
        "inputs": inputs,
    }
