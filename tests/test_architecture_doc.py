"""docs/architecture.md's table of folders is the tree: each row names a folder or file that exists,
every package under components/ and tools/ has a row, every platform folder holds its config and
rules, and the tests mirror the tools by job."""

from __future__ import annotations

import re

from tests.conftest import REPO
from tests.test_layers import PLATFORMS

DOC = REPO / "docs" / "architecture.md"


def folder_rows() -> list[str]:
    """The first cells of the table under "## Folders"."""
    section = DOC.read_text().split("\n## Folders\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"^\| `([^`]+)` \|", section, flags=re.M)


def test_every_row_of_the_folder_table_exists() -> None:
    rows = folder_rows()
    assert len(rows) > 20
    assert [row for row in rows if not (REPO / row).exists() or row.endswith("/") != (REPO / row).is_dir()] == []


def packages_under(folder: str) -> set[str]:
    return {f"{folder}/{p.name}/" for p in (REPO / folder).iterdir() if (p / "__init__.py").is_file()}


def test_every_package_under_components_has_a_row() -> None:
    assert packages_under("components") - set(folder_rows()) == set()


def test_every_package_under_tools_has_a_row() -> None:
    assert len(packages_under("tools")) >= 6
    assert packages_under("tools") - set(folder_rows()) == set()


def test_the_tools_tests_mirror_the_tools_by_job() -> None:
    tools = {path.removeprefix("tools/") for path in packages_under("tools")}
    tests = {path.removeprefix("tests/tools/") for path in packages_under("tests/tools")}
    assert tests == tools


def test_every_platform_folder_holds_its_config_and_rules_and_has_its_tests() -> None:
    for platform in PLATFORMS:
        assert (REPO / "components" / platform / "config.py").is_file(), platform
        assert (REPO / "components" / platform / "rules.py").is_file(), platform
        assert f"tests/{platform}/" in folder_rows(), platform
