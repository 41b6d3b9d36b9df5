"""Shared test setup: the program run under tools/plan/mocks.py, stack configs, golden files.

Every test that needs resources runs the whole program through `plan(raw)` (tools/plan/program.py),
which uses the same TkgMocks and RecordingMonitor as the offline plan tool, so a test sees what
`python -m tools.plan` writes and what `pulumi up` would register. Every whole-program run of
the tests, `plan`'s, the fixtures' and the plan command's (and so preflight's), goes through one
cache, `plan_config`: each distinct input is planned once per test run, by whichever worker needs
it first.

The stacks tests plan are fixtures, tests/data/stacks/Pulumi.<stack>.yaml (copies of the shipped
examples, which may diverge): the shipped Pulumi.<stack>.yaml files at the repository's root are
examples a company replaces with its own accounts, so no test depends on their content; the tests
about them (schema, plans cleanly, CI) check whichever root stack files exist.

Golden files live under tests/golden/ and are rewritten only by `pytest --update-golden`.
"""

from __future__ import annotations

import contextlib
import copy
import difflib
import gc
import hashlib
import io
import ipaddress
import json
import os
import pickle
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig
    from tools.plan.mocks import Registration
    from tools.plan.program import ProgramRun
# The program's modules are imported where they are used: pytest-xdist's controller process loads this file
# too, only for its hooks, and starts the workers once it has (a second and a half sooner).

REPO = Path(__file__).resolve().parent.parent
GOLDEN = Path(__file__).resolve().parent / "golden"
REGION = "us-west-2"
DATA = Path(__file__).resolve().parent / "data"
STACKS = DATA / "stacks"
"""The stack fixtures: Pulumi.<stack>.yaml for dev, prod, openshift, outposts and vsphere."""
# Real public keys made with ssh-keygen for these tests; their private halves were discarded.
RSA_2048_PUBLIC_KEY = (DATA / "rsa2048.pub").read_text().strip()
RSA_1024_PUBLIC_KEY = (DATA / "rsa1024.pub").read_text().strip()
ED25519_PUBLIC_KEY = (DATA / "ed25519.pub").read_text().strip()


def pytest_configure(config: pytest.Config) -> None:
    # A program run allocates hundreds of thousands of short-lived objects (Outputs, futures, tasks):
    # at Python's default thresholds the collector runs thousands of times per plan and walks every
    # live object on each full pass, a third of the suite's time. Rarer passes, same memory bound.
    gc.set_threshold(100_000, 50, 1_000)
    if SHARED_PLANS not in os.environ:  # the controller, or the only process: the workers inherit it
        directory = tempfile.mkdtemp(prefix="tkg-aws-test-plans-")
        os.environ[SHARED_PLANS] = directory
        config.add_cleanup(lambda: shutil.rmtree(directory, ignore_errors=True))


# Plans the workers share, in a folder of this test run named in the environment they inherit: a plan
# one worker made is read by the other instead of planned again (a shipped stack, its common variants).
# Nothing outlives the run: a plan of older code would be wrong.
SHARED_PLANS = "TKG_AWS_TEST_PLANS"


def _shared(key: str, make: Callable[[], ProgramRun]) -> bytes:
    """The pickled run the workers share under `key`, made by `make()` if no worker has yet."""
    path = Path(os.environ[SHARED_PLANS]) / f"{hashlib.sha256(key.encode()).hexdigest()}.pickle"
    if path.exists():
        return path.read_bytes()
    pickled = pickle.dumps(make())  # bad config raises, and nothing is kept
    written = path.with_suffix(f".{os.getpid()}")
    written.write_bytes(pickled)
    written.replace(path)  # whole or not at all, whichever worker writes it last
    return pickled


# Folders whose test files share a setup too costly to repeat per worker: moto's server, started once per
# worker and warmed up by its first calls (tests/tools/preflight/conftest.py). With `--dist loadfile`
# (the Makefile's), pytest-xdist deals a file's tests to one worker; these folders go to one worker whole.
SHARED_SETUP_FOLDERS = ("tests/tools/preflight/",)
# The longest units of work, dealt first and longest first (seconds on two busy cores, December 2026):
# xdist deals the others by their number of tests, and a long unit with few tests dealt last (the bench,
# two tests, 8 s) kept one worker busy while the other had finished.
DEALT_FIRST = (
    "tests/tools/preflight/",  # 27 s
    "tests/test_transitions.py",  # 17 s
    "tests/bench/test_plan_accounts.py",  # 6 s
    "tests/tkg/test_real_accounts.py",  # 5 s
)


@pytest.hookimpl(optionalhook=True)  # xdist's hook: without xdist (`-p no:xdist`), pytest must not refuse it
def pytest_xdist_make_scheduler(config: pytest.Config, log: Any) -> Any:
    if config.getoption("dist") != "loadfile":
        return None  # xdist's own scheduler for the mode asked for
    from xdist.scheduler import LoadFileScheduling

    class LongestFirstScheduling(LoadFileScheduling):
        def _split_scope(self, nodeid: str) -> str:
            folder = next((f for f in SHARED_SETUP_FOLDERS if nodeid.startswith(f)), None)
            return folder or super()._split_scope(nodeid)

        def _assign_work_unit(self, node: Any) -> None:
            longest = next((scope for scope in DEALT_FIRST if scope in self.workqueue), None)
            if longest is not None:
                self.workqueue.move_to_end(longest, last=False)
            super()._assign_work_unit(node)

    return LongestFirstScheduling(config, log)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite tests/golden/ files")


def fixture_file(stack: str) -> Path:
    """The fixture of a stack (tests/data/stacks/Pulumi.<stack>.yaml)."""
    return STACKS / f"Pulumi.{stack}.yaml"


def stack_file(stack: str) -> tuple[dict[str, Any], str, set[str]]:
    from components.config.stack_files import read_stack_file

    file = read_stack_file(fixture_file(stack))
    return file.raw, file.region, file.secret_sections


def plan_fixture(stack: str) -> ProgramRun:
    """The fixture of `stack` planned as the plan tool plans a stack file of the project: paths in it
    are the project's (as Pulumi runs the program there), its sibling stacks the other fixtures."""
    return plan_config(*_fixture_run(stack))


def _fixture_run(stack: str) -> tuple[StackConfig, str, list[str]]:
    """What `run_config` takes to plan the fixture of `stack`: its config, its name, its sibling stacks."""
    from components.config.stack_files import read_stack_file, stacks_sharing_iam
    from components.stack_config.loading import parse_stack_config

    file = read_stack_file(fixture_file(stack))
    config = parse_stack_config(file.values, file.secret_keys, project_dir=REPO)
    return config, stack, stacks_sharing_iam(stack, STACKS)


@pytest.fixture
def dev_raw() -> dict[str, Any]:
    """The dev fixture's tkg-aws config (a fresh copy a test may change)."""
    return copy.deepcopy(stack_file("dev")[0])


@pytest.fixture
def prod_raw() -> dict[str, Any]:
    return copy.deepcopy(stack_file("prod")[0])


# Each run, pickled: unpickling gives every caller a copy of its own, which it may change without
# changing what another test sees, four times faster than a deep copy, and a stored run is bytes the
# collector never walks. `_SAME_RUN` maps the keys of `plan()` and `planned()` to the run's key.
_KEPT: dict[str, bytes] = {}
_SAME_RUN: dict[str, str] = {}


def _kept(key: str, make: Callable[[], ProgramRun]) -> ProgramRun:
    """A copy of the run stored under `key` in this process, else of the workers' shared one, else of `make()`'s."""
    if key not in _KEPT:
        _KEPT[key] = _shared(key, make)
        gc.freeze()  # what the run left behind lives to the end: no full collection need walk it again
    run: ProgramRun = pickle.loads(_KEPT[key])
    return run


def _run_key(config: StackConfig, stack: str, iam_shared_with: Sequence[str] = (), preview: bool = False) -> str:
    return json.dumps(["run_config", _plain(config), stack, list(iam_shared_with), preview], sort_keys=True)


def plan_config(
    config: StackConfig, stack: str, iam_shared_with: Sequence[str] = (), preview: bool = False
) -> ProgramRun:
    """tools/plan/program.py `run_config`, once per distinct input in a test run: the one cache every
    whole-program run of the tests goes through, `plan()`, the fixtures and the plan command alike (the
    command's, preflight's and the sibling stacks' plans: `_the_plan_command_plans_once`).

    The key is the validated config itself. A file it names (an ignition config, a pinned manifest) is
    read by the program, so a test that changes a file's content writes it under a new name.
    """
    from tools.plan.program import run_config

    key = _run_key(config, stack, iam_shared_with, preview)
    return _kept(key, lambda: run_config(config, stack, iam_shared_with, preview))


@pytest.fixture(scope="session", autouse=True)
def _the_plan_command_plans_once() -> Iterator[None]:
    """The plan command (`main`, `plan_stack`, its sibling stacks) and preflight plan through `plan_config`."""
    from tools.plan import command

    planner = command.run_config
    command.run_config = plan_config
    yield
    command.run_config = planner


def plan(raw: dict[str, Any], region: str = REGION, stack: str = "test", **kwargs: Any) -> ProgramRun:
    """Run the whole program on `raw` config under mocks, once per distinct input in a test run.

    Many tests look at the same stacks (the shipped ones, small variants of them); a run of the
    same input registers the same resources, so it is planned once and each caller gets a copy of
    its own, which it may change without changing what another test sees. Bad config raises every
    time (it is not stored).
    """
    from components.stack_config.loading import parse_config

    key = json.dumps(_plain([raw, region, stack, kwargs]), sort_keys=True)
    if key in _SAME_RUN:  # the raw values, not validated again: that costs more than this lookup
        return pickle.loads(_KEPT[_SAME_RUN[key]])
    secret_paths, unknown = kwargs.pop("secret_paths", frozenset()), kwargs.pop("unknown", None)
    config = parse_config(copy.deepcopy(raw), region, secret_paths=secret_paths, unknown=unknown, project_dir=REPO)
    run = plan_config(config, stack, **kwargs)
    _SAME_RUN[key] = _run_key(config, stack, **kwargs)
    return run


def planned(stack: str) -> ProgramRun:
    """A stack fixture (tests/data/stacks/Pulumi.<stack>.yaml) as the plan tool runs it, planned once
    per test run; each caller gets a copy of its own."""
    key = f"fixture {stack}"
    if key in _SAME_RUN:
        return pickle.loads(_KEPT[_SAME_RUN[key]])
    inputs = _fixture_run(stack)
    run = plan_config(*inputs)
    _SAME_RUN[key] = _run_key(*inputs)
    return run


def _plain(value: Any) -> Any:
    """A config as JSON values, its models' private attributes too (OpenShift's project folder, which
    its file paths are relative to, is one); a type it does not know fails the test, never collides."""
    from pydantic import BaseModel

    if isinstance(value, BaseModel):
        fields = {name: _plain(getattr(value, name)) for name in type(value).model_fields}
        private = {name: _plain(v) for name, v in (value.__pydantic_private__ or {}).items()}
        return [type(value).__name__, fields, private]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, Path | ipaddress.IPv4Network | ipaddress.IPv6Network):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"the plan cache cannot key on {type(value).__name__}")


def plan_command(*args: str) -> subprocess.CompletedProcess:
    """`python -m tools.plan ARGS` as a user runs it, from the repository."""
    return subprocess.run(
        [sys.executable, "-m", "tools.plan", *args], cwd=REPO, capture_output=True, text=True, timeout=120
    )


def plan_in_process(*args: str) -> subprocess.CompletedProcess:
    """`python -m tools.plan ARGS` in this process: its exit code and what it printed. An exception
    the command does not turn into an exit code fails the test, as its traceback would show."""
    from tools.plan.command import main as plan_main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = plan_main(list(args))
    return subprocess.CompletedProcess(["python", "-m", "tools.plan", *args], code, out.getvalue(), err.getvalue())


def plan_document(document: dict[str, Any], tmp_path: Path) -> subprocess.CompletedProcess:
    """The plan command on a stack file holding `document` (its `config:` map), as stack `bad`."""
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_text(yaml.safe_dump(document))
    return plan_in_process("bad", "--config-file", str(path), "--out", str(tmp_path / "out"))


def register(build: Callable[[], Any], region: str = REGION) -> dict[str, Registration]:
    """Run `build` (which creates components without stack config) under the plan's mocks.

    For component interfaces the stack config cannot reach (e.g. inputs another component passes).
    Returns every registration by URN; `build` may return an Output to wait for.
    """
    from tools.plan.program import run_under_mocks

    return dict(run_under_mocks(build, region, "test").registrations)


@pytest.fixture
def golden(request: pytest.FixtureRequest):
    """golden(relative_path, data): compare canonical JSON/YAML text with tests/golden/<path>."""
    update = request.config.getoption("--update-golden")

    def check(relative: str, data: Any) -> None:
        from tools.plan.command import dump_yaml

        path = GOLDEN / relative
        if relative.endswith((".yaml", ".yml")):
            text = dump_yaml(data if isinstance(data, list) else [data])
        else:
            text = json.dumps(data, indent=2, sort_keys=True) + "\n"
        if update:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            return
        assert path.is_file(), f"missing golden file {path}; create it with pytest --update-golden"
        expected = path.read_text()
        if text != expected:
            diff = "".join(difflib.unified_diff(expected.splitlines(True), text.splitlines(True), str(path), "actual"))
            pytest.fail(f"{relative} differs from its golden file:\n{diff}")

    return check
