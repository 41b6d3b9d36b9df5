"""The suite's own speed settings still name what exists: the units xdist deals first
(tests/conftest.py) and the package parts the Makefile compiles when it makes the environment.
A stale name costs no correctness, only the time it was there to save, so nothing else would fail."""

from __future__ import annotations

import ipaddress
import re
import sysconfig
from pathlib import Path

import pytest

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


# --- the one plan cache (tests/conftest.py `plan_config`) ------------------------------------------
def test_the_plan_cache_tells_apart_configs_that_differ_only_in_private_attributes() -> None:
    """A gpu section set as a secret differs from the same section in plain text only in a private
    attribute, and the program keeps its values secret: sharing one plan would test the wrong one."""
    from components.stack_config.loading import parse_config
    from tests.conftest import _plain, stack_file

    raw, region, _ = stack_file("prod")
    plain, secret = parse_config(raw, region), parse_config(raw, region, secret_paths={"gpu"})
    assert plain.model_dump() == secret.model_dump()
    assert _plain(plain) != _plain(secret)


def test_the_plan_cache_refuses_a_value_it_cannot_key_on() -> None:
    from tests.conftest import _plain

    cidr, path = ipaddress.ip_network("10.0.0.0/16"), Path("a")
    assert _plain({"cidr": cidr, "path": path}) == {"cidr": "10.0.0.0/16", "path": "a"}
    with pytest.raises(TypeError, match="cannot key on object"):
        _plain(object())
