"""The shipped example stacks (Pulumi.<stack>.yaml at the repository's root), whichever exist.

They are examples a company replaces with its own accounts, so no test reads their content: the
tests plan the fixtures of tests/data/stacks/. What holds for any stack file of the project is
checked here (the schema and the editor line in tests/tools/generate/test_stack_schema.py), and CI plans
each of them in full (.ci/run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from components.config.stack_files import read_stack_file, stack_files
from components.stack_config.loading import parse_stack_config
from tests.conftest import REPO, STACKS

SHIPPED = stack_files(REPO)


def test_the_repository_ships_example_stacks_and_the_tests_have_fixtures_of_their_own() -> None:
    assert SHIPPED, "no Pulumi.<stack>.yaml at the repository's root"
    fixtures = stack_files(STACKS)
    assert {p.name for p in fixtures} >= {f"Pulumi.{s}.yaml" for s in ("dev", "prod", "openshift", "outposts")}
    assert all(p.read_text().startswith("# Test fixture, not a shipped example") for p in fixtures)


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_stack_file_is_a_config_the_program_accepts(path: Path) -> None:
    file = read_stack_file(path)
    parse_stack_config(file.values, file.secret_keys, project_dir=REPO)  # raises ConfigError with every problem


def test_ci_plans_every_stack_file_of_the_repository() -> None:
    script = (REPO / ".ci" / "run").read_text()
    assert "for stack_file in Pulumi.*.yaml; do" in script and "xargs -P 2 -I '{}' make plan STACK='{}'" in script
