"""What a project ships besides its code: the license, the changelog at the current version, and a
`pulumi new` template whose program the package accepts."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml

from components import __version__
from components.stack_config.loading import parse_stack_config

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "templates" / "tkg-account" / "Pulumi.yaml"


def test_the_license_is_the_apache_license_2_0_in_full() -> None:
    text = (REPO / "LICENSE").read_text()
    assert "Apache License" in text and "Version 2.0, January 2004" in text
    assert "END OF TERMS AND CONDITIONS" in text and len(text) > 10_000


def test_the_changelog_keeps_a_changelog_and_names_the_current_version() -> None:
    text = (REPO / "CHANGELOG.md").read_text()
    assert "## [Unreleased]" in text
    versions = re.findall(r"^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$", text, re.MULTILINE)
    assert versions and versions[0] == __version__


def _substituted(value: Any, config: dict[str, str]) -> Any:
    if isinstance(value, dict):
        return {k: _substituted(v, config) for k, v in value.items()}
    if isinstance(value, str) and value.startswith("${") and value.endswith("}"):
        return config[value[2:-1]]
    return value


def test_the_pulumi_new_template_asks_for_what_its_program_reads_and_the_package_accepts_it() -> None:
    project = yaml.safe_load(TEMPLATE.read_text())
    template = project["template"]
    assert template["description"] and template["config"]
    # Every value the program reads is asked for, and declared as the program's config.
    assert set(template["config"]) == set(project["config"])
    answers = {key: spec.get("default", "123456789012") for key, spec in template["config"].items()}
    (resource,) = project["resources"].values()
    assert resource["type"] == "tkg-aws:index:TkgAccount"
    properties = _substituted(resource["properties"], answers)
    values = {f"tkg-aws:{key}": value for key, value in properties.items() if key != "region"}
    config = parse_stack_config(values | {"aws:region": properties["region"]})
    assert config.management_cluster.account_id == "123456789012"
