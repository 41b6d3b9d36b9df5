"""Pulumi.yaml's `config:` block: the keys `pulumi config` and Pulumi Cloud show for this project.

It must declare exactly the keys the program reads and docs/configuration.md's config table documents, within
the rules of Pulumi's project schema (pulumi/pulumi sdk/go/common/workspace/project.json and
project.go `Validate`), and a key Pulumi would then require in every stack must be one the program
requires too. Declaring the keys must not change what a stack builds: Pulumi puts a declared
default into every stack that does not set the key.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
import yaml

from components.config.stack_files import read_stack_file
from components.config.validators import NAMESPACE
from components.stack_config.loading import parse_stack_config
from components.stack_config.models import SECTIONS, StackConfig
from tests.conftest import REPO, fixture_file

# What Pulumi's schema allows in a declaration, and the types it can check.
DECLARATION_ATTRIBUTES = {"type", "items", "description", "secret", "default", "value"}
PULUMI_TYPES = {"string", "integer", "boolean", "array"}
# The config table's type column, for the types Pulumi can check on a top-level key.
DOCUMENTED_TO_PULUMI_TYPE = {"string": "string", "bool": "boolean", "integer": "integer"}


def declarations() -> dict[str, dict[str, Any]]:
    """Pulumi.yaml's config block, by key without the namespace."""
    config = yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]
    return {key.removeprefix(f"{NAMESPACE}:"): value for key, value in config.items()}


def documented_rows() -> dict[str, str]:
    """The config table's project keys (`network.cidr`, `workloadAccounts[]`), with their type."""
    section = (REPO / "docs" / "configuration.md").read_text().split("\n## ", 1)[0]
    rows = {}
    for line in section.splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        key = re.fullmatch(r"`([^`]+)`", cells[0]) if line.startswith("| `") else None
        if key and ":" not in key[1]:  # aws:region and other namespaces are not the project's
            rows[key[1]] = cells[1]
    return rows


def top_level(key: str) -> str:
    return re.split(r"[.\[]", key, maxsplit=1)[0]


def test_pulumi_yaml_declares_every_key_of_the_config_table_and_of_the_program() -> None:
    documented = {top_level(key) for key in documented_rows()}
    assert documented, "no rows found in docs/configuration.md's config table"
    assert set(declarations()) == documented == set(SECTIONS)


@pytest.mark.parametrize("key", sorted(declarations()))
def test_each_declaration_is_one_pulumi_accepts(key: str) -> None:
    declaration = declarations()[key]
    assert isinstance(declaration, dict) and set(declaration) <= DECLARATION_ATTRIBUTES
    assert declaration.get("description"), "every key says what it is in `pulumi config`"
    assert not ({"default", "value"} <= set(declaration)), "Pulumi refuses both default and value"
    assert "value" not in declaration, "a value would override every stack's own"
    if "type" in declaration:
        assert declaration["type"] in PULUMI_TYPES
        assert declaration["type"] != "array" or "items" in declaration, "Pulumi needs an array's items type"


def test_only_keys_the_program_requires_are_required_by_pulumi() -> None:
    """Pulumi requires a declared key without a default in every stack; so must the program."""
    fields = {field.alias or name: field for name, field in StackConfig.model_fields.items()}
    required_by_pulumi = {key for key, d in declarations().items() if "default" not in d}
    required_by_program = {key for key in declarations() if fields[key].is_required()}
    assert required_by_pulumi == required_by_program


def test_top_level_keys_of_a_type_pulumi_checks_are_typed_as_the_config_table_says() -> None:
    rows = documented_rows()
    for key, declaration in declarations().items():
        expected = DOCUMENTED_TO_PULUMI_TYPE.get(rows.get(key, ""))  # structured keys have no row of their own
        assert declaration.get("type") == expected, key


MINIMAL_STACK = {
    "aws:region": "us-west-2",
    f"{NAMESPACE}:environment": "dev",
    f"{NAMESPACE}:managementCluster": {"accountId": "123456789012"},
}


@pytest.mark.parametrize("stack", ["minimal", "dev"])
def test_the_declared_defaults_change_nothing_a_stack_builds(stack: str) -> None:
    values = MINIMAL_STACK if stack == "minimal" else read_stack_file(fixture_file(stack)).values
    merged = dict(values)
    for key, declaration in declarations().items():
        if "default" in declaration:
            merged.setdefault(f"{NAMESPACE}:{key}", declaration["default"])  # as Pulumi does before the run
    assert set(merged) > set(values), "the stack sets every optional key: nothing would be tested"
    assert parse_stack_config(merged, project_dir=REPO) == parse_stack_config(values, project_dir=REPO)


def test_a_declared_default_is_what_the_program_reads_as_absent() -> None:
    """`{}` and `[]` mean "every default of this section", whatever the section holds."""
    for key, declaration in declarations().items():
        if "default" in declaration:
            assert declaration["default"] in ({}, []), key
