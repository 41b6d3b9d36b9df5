"""The suite's own speed settings still name what exists: the units xdist deals first
(tests/conftest.py) and the package parts the Makefile compiles when it makes the environment.
A stale name costs no correctness, only the time it was there to save, so nothing else would fail."""

from __future__ import annotations

import re
import sysconfig
from pathlib import Path

from tests.conftest import DEALT_FIRST, REPO, SHARED_SETUP_FOLDERS


def test_the_units_dealt_first_and_the_shared_folders_exist() -> None:
    for unit in (*DEALT_FIRST, *SHARED_SETUP_FOLDERS):
        assert (REPO / unit).exists(), unit
        assert unit.startswith("tests/") and (unit.endswith("/") or unit.endswith(".py")), unit


def makefile_list(name: str) -> list[str]:
    text = (REPO / "Makefile").read_text().replace("\\\n", " ")
    (line,) = re.findall(rf"^{name} := (.*)$", text, re.MULTILINE)
    return line.split()


def test_every_part_the_makefile_compiles_is_in_the_environment() -> None:
    site_packages = Path(sysconfig.get_paths()["purelib"])
    parts = makefile_list("PRECOMPILED_TOP") + makefile_list("PRECOMPILED")
    assert len(parts) > 20
    assert [part for part in parts if not (site_packages / part).is_dir()] == []
