"""The fork PR diff comment (tools/review/diff_comment.py and offline-diff-comment.yml): rendered by the
trusted job from plan JSON it validates, never from text or code the fork sent."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, plan
from tools.plan.command import resources_document
from tools.review import diff_comment
from tools.review.diff_comment import MARKER, load_plans, main, render

HOSTILE = "@maintainers merge me `now` | <img src=x onerror=alert(1)>\n# Approved\u202e"


def write_artifact(root: Path, plans: dict[str, tuple[dict, dict]]) -> Path:
    """The layout pull-request.yml uploads: base/<stack>/resources.json and head/<stack>/resources.json."""
    for stack, pair in plans.items():
        for side, document in zip(("base", "head"), pair, strict=True):
            (root / side / stack).mkdir(parents=True)
            (root / side / stack / "resources.json").write_text(json.dumps(document))
    return root


def vpc(name: str = "dev-vpc", **inputs: Any) -> dict[str, Any]:
    return {
        "urn": f"urn:pulumi:dev::tkg-aws::aws:ec2/vpc:Vpc::{name}",
        "type": "aws:ec2/vpc:Vpc",
        "name": name,
        "parent": "",
        "provider": "",
        "dependsOn": [],
        "options": {},
        "inputs": {"cidrBlock": "10.0.0.0/16", **inputs},
    }


def comment_of(root: Path, capsys: pytest.CaptureFixture[str]) -> str:
    assert main([str(root), "--head-sha", "0123456789abcdef0123456789abcdef01234567"]) == 0
    return capsys.readouterr().out


def outside_code_spans(markdown: str) -> str:
    return re.sub(r"`[^`\n]*`", "", markdown.replace(MARKER, ""))


def test_the_comment_shows_each_stacks_changes_from_the_plans(dev_raw: dict, tmp_path: Path, capsys) -> None:
    bigger = copy.deepcopy(dev_raw)
    bigger["network"]["availabilityZones"] = ["us-west-2a", "us-west-2b"]
    base, head = resources_document(plan(dev_raw, stack="dev")), resources_document(plan(bigger, stack="dev"))
    text = comment_of(write_artifact(tmp_path, {"dev": (base, head), "prod": (head, head)}), capsys)
    assert text.startswith(MARKER) and "`0123456789ab`" in text
    assert "### Offline plan diff: dev" in text and "### Offline plan diff: prod" in text
    assert ", 0 to change, 0 to replace, 0 to remove**" in text and "us-west-2b" in text
    assert "No changes" in text.split("### Offline plan diff: prod", 1)[1]


def test_text_from_the_fork_stays_inside_code_spans(tmp_path: Path, capsys) -> None:
    head = {"resources": [vpc(HOSTILE, tags={HOSTILE: HOSTILE})]}
    text = comment_of(write_artifact(tmp_path, {"dev": ({"resources": [vpc()]}, head)}), capsys)
    assert "@maintainers merge me" in text  # shown, as inert text
    plain = outside_code_spans(text)
    assert "@" not in plain and "<" not in plain and "`" not in plain
    assert not [line for line in text.splitlines() if line.startswith("#") and "Approved" in line]
    assert "\u202e" not in text


def test_a_huge_diff_is_cut_to_fit_a_github_comment(tmp_path: Path, capsys) -> None:
    head = {"resources": [vpc(f"vpc-{i}", description="x" * 100) for i in range(5000)]}
    text = comment_of(write_artifact(tmp_path, {"dev": ({"resources": []}, head)}), capsys)
    assert len(text) <= 65_536 and text.rstrip().endswith("(cut: the full diff is in the run's summary)")


def bad_artifacts() -> dict[str, Any]:
    resource = vpc()
    return {
        "a stack name of dots": {"..etc": ({"resources": []}, {"resources": []})},
        "a stack name with spaces": {"dev stack": ({"resources": []}, {"resources": []})},
        "resources not a list": {"dev": ({"resources": []}, {"resources": "rm -rf /"})},
        "a resource without a urn": {"dev": ({"resources": []}, {"resources": [{**resource, "urn": None}]})},
        "inputs not an object": {"dev": ({"resources": []}, {"resources": [{**resource, "inputs": "x"}]})},
        "dependsOn not strings": {"dev": ({"resources": []}, {"resources": [{**resource, "dependsOn": [1]}]})},
        "a URN twice": {"dev": ({"resources": []}, {"resources": [resource, resource]})},
        "a plan that is a list": {"dev": ({"resources": []}, [])},
    }


@pytest.mark.parametrize("case", sorted(bad_artifacts()))
def test_an_artifact_not_shaped_like_the_plans_is_refused(case: str, tmp_path: Path, capsys) -> None:
    write_artifact(tmp_path, bad_artifacts()[case])
    assert main([str(tmp_path)]) == diff_comment.EXIT_INVALID
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err.startswith("error: ")


def test_files_that_are_not_plain_json_files_are_refused(tmp_path: Path) -> None:
    write_artifact(tmp_path, {"dev": ({"resources": []}, {"resources": []})})
    head = tmp_path / "head" / "dev" / "resources.json"
    head.write_text("{not json")
    with pytest.raises(diff_comment.UntrustedPlanError, match="not JSON"):
        load_plans(tmp_path)
    head.unlink()
    head.symlink_to(tmp_path / "base" / "dev" / "resources.json")
    with pytest.raises(diff_comment.UntrustedPlanError, match="not a regular file"):
        load_plans(tmp_path)


def test_an_oversized_plan_is_refused_before_it_is_read(tmp_path: Path, monkeypatch) -> None:
    write_artifact(tmp_path, {"dev": ({"resources": []}, {"resources": [vpc()]})})
    monkeypatch.setattr(diff_comment, "MAX_PLAN_BYTES", 100)
    with pytest.raises(diff_comment.UntrustedPlanError, match="larger than 100 bytes"):
        load_plans(tmp_path)


def test_a_missing_base_plan_is_refused(tmp_path: Path) -> None:
    (tmp_path / "head" / "dev").mkdir(parents=True)
    (tmp_path / "head" / "dev" / "resources.json").write_text('{"resources": []}')
    with pytest.raises(diff_comment.UntrustedPlanError, match="base/dev/resources.json: missing"):
        load_plans(tmp_path)


def test_a_commit_that_is_not_a_sha_is_left_out() -> None:
    assert "`" not in render({}, head_sha="`@x`").split("## Offline plan diff", 1)[1].split("`pulumi preview`")[0]


# --- the workflows -----------------------------------------------------------------------------------
def workflow(name: str) -> dict[str, Any]:
    return yaml.safe_load((REPO / ".github" / "workflows" / name).read_text())


def test_the_job_with_the_write_token_runs_only_this_repositorys_code_on_data() -> None:
    jobs = workflow("offline-diff-comment.yml")["jobs"]
    assert list(jobs) == ["comment"]
    steps = jobs["comment"]["steps"]
    checkout = next(s for s in steps if s.get("uses", "").startswith("actions/checkout@"))
    assert "ref" not in checkout.get("with", {}) and checkout["with"]["persist-credentials"] is False
    download = next(s for s in steps if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"]["path"].startswith("${{ runner.temp }}")  # never over the checked-out code
    scripts = "\n".join(s.get("run", "") for s in steps)
    assert "python3 -m tools.review.diff_comment" in scripts
    for forbidden in ("pip ", "make ", "diff.md", "pr-number", "pull_requests"):
        assert forbidden not in scripts
    assert "head_sha" in json.dumps(steps) and "/pulls" in scripts


def test_the_fork_run_uploads_only_plans() -> None:
    steps = workflow("pull-request.yml")["jobs"]["offline-diff"]["steps"]
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["name"] == "offline-plan-diff"
    assert upload["with"]["path"] == "build/diff/*/*/resources.json"
