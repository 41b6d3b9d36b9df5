"""docs/architecture.md's table of folders is the tree: each row names a folder or file that exists,
every package under components/ has a row, and every platform folder holds its config and rules."""

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


def test_every_package_under_components_has_a_row() -> None:
    packages = {f"components/{p.name}/" for p in (REPO / "components").iterdir() if (p / "__init__.py").is_file()}
    assert packages - set(folder_rows()) == set()


def test_every_platform_folder_holds_its_config_and_rules_and_has_its_tests() -> None:
    for platform in PLATFORMS:
        assert (REPO / "components" / platform / "config.py").is_file(), platform
        assert (REPO / "components" / platform / "rules.py").is_file(), platform
        assert f"tests/{platform}/" in folder_rows(), platform
