"""The README's "Your first stack", followed as written: for each platform, in a scratch copy of the
repository, its `cp` and `sed` lines run as they are and `make plan STACK=...` runs the command the
Makefile's plan target runs. The plan must be of the new stack, in the new account.

`make plan` runs in this process, on the scratch copy (`main(argv, root)`): the command line itself is
run as a process by tests/tools/plan/test_plan_tool.py, and a process per platform would cost more
than the plans.

The example each block copies is the one the README was written for: the stack fixture
(tests/data/stacks/), put in the scratch copy as the shipped file, so a repository that replaced its
example stack files with its own still runs this test."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from tools.plan.command import main

REPO = Path(__file__).resolve().parent.parent
STACKS = REPO / "tests" / "data" / "stacks"
BLOCK = re.compile(r"<!-- first-stack: (\S+) (\d{12}) -->\n```sh\n(.*?)```", re.DOTALL)
NEW_ACCOUNT = "111122223333"


def first_stack_blocks() -> dict[str, tuple[str, list[str]]]:
    """Example stack -> (its example account id, the block's command lines without comments)."""
    blocks = {}
    for example, account, body in BLOCK.findall((REPO / "README.md").read_text()):
        lines = [line.split("  #")[0].strip() for line in body.splitlines()]
        blocks[example] = (account, [line for line in lines if line])
    return blocks


BLOCKS = first_stack_blocks()


def test_the_readme_shows_the_first_stack_of_every_platform() -> None:
    assert set(BLOCKS) == {"dev", "openshift", "outposts", "vsphere"}


def test_make_plan_runs_the_plan_tool_with_the_runtime_environment() -> None:
    makefile = (REPO / "Makefile").read_text()
    assert "plan: $(RUN_BIN)/.installed\n\t$(RUN_BIN)/python -m tools.plan $(STACK)\n" in makefile


@pytest.fixture
def scratch(tmp_path: Path) -> Path:
    """The repository's tracked files, as a fresh clone has them (the working tree's versions)."""
    tracked = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, tracked.decode().split("\0")):
        source = REPO / name
        if source.is_file() and not source.is_symlink():
            (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, tmp_path / name)
    return tmp_path


def shipped_example(example: str) -> str:
    """The example stack file as shipped: its fixture without the fixture's header, the schema line
    pointing from the repository's root again."""
    fixture = (STACKS / f"Pulumi.{example}.yaml").read_text().split("\n", 2)[2]
    return fixture.replace("$schema=../../../schema/", "$schema=schema/", 1)


def test_an_example_as_shipped_points_editors_at_the_schema_from_the_root() -> None:
    assert shipped_example("dev").startswith("# yaml-language-server: $schema=schema/stack-config.schema.json\n")
    assert "tkg-aws:managementCluster:" in shipped_example("dev")


@pytest.mark.parametrize("example", sorted(BLOCKS))
def test_the_first_stack_of_each_platform_plans_in_the_new_account(example: str, scratch: Path, capsys) -> None:
    account, lines = BLOCKS[example]
    (scratch / f"Pulumi.{example}.yaml").write_text(shipped_example(example))
    stack = None
    for line in lines:
        if line.startswith(("cp ", "sed ")):
            subprocess.run(["bash", "-c", line], cwd=scratch, check=True)
        elif line.startswith("make plan STACK="):
            stack = line.removeprefix("make plan STACK=")
            assert main([stack], root=scratch) == 0, capsys.readouterr().err
    assert stack is not None
    assert (scratch / f"Pulumi.{example}.yaml").read_text() == shipped_example(example)  # the example is left as is
    plan = json.loads((scratch / "build" / "plan" / stack / "resources.json").read_text())
    assert plan["stack"] == stack
    text = json.dumps(plan)
    assert NEW_ACCOUNT in text and account not in text
