"""Run the Pulumi program under mocks and collect the desired state it declares.

Used by the offline plan tool and by the tests, so both see exactly what `pulumi up` would
register: components/stack.py's `build()` on a validated StackConfig, with TkgMocks standing in
for the providers and RecordingMonitor keeping parent, provider, dependencies and options.
With `preview=True` the run is a `pulumi preview` of a new stack instead (tools/plan/mocks.py): what AWS
computes is unknown, and shows as "[unknown]" in the outputs and in `plan_data`.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import hashlib
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.output import Unknown
from pulumi.runtime import resource as sdk_resource
from pulumi.runtime import rpc
from pulumi.runtime.proto import source_pb2
from pulumi.runtime.settings import ROOT

from components.config.validators import SECRET_PLACEHOLDER
from components.naming import PROJECT
from components.stack import build
from components.stack_config.loading import parse_config
from components.stack_config.models import StackConfig
from tools.plan.mocks import RecordingMonitor, Registration, TkgMocks, install

RUN_GC_THRESHOLDS = (50_000, 20, 100)  # allocations per young collection, young per middle, middle per full
UNKNOWN_PLACEHOLDER = "[unknown]"
"""What a preview shows for a value known only once `pulumi up` has created its resource."""


@dataclass
class ProgramRun:
    """The desired state of one stack: every resource as registered, and the stack outputs."""

    config: StackConfig
    stack: str
    registrations: dict[str, Registration]
    outputs: dict[str, Any]

    def of_type(self, type_token: str) -> list[Registration]:
        # Filtered before sorted: the summary and the estimate ask for many types of a large plan.
        return [r for _, r in sorted((u, r) for u, r in self.registrations.items() if r.type == type_token)]

    def named(self, type_token: str, name: str) -> Registration:
        matches = [r for r in self.of_type(type_token) if r.name == name]
        if len(matches) != 1:
            known = sorted(r.name for r in self.of_type(type_token))
            raise KeyError(f"{len(matches)} {type_token} named {name!r}; known: {known}")
        return matches[0]


def run_program(
    raw: dict[str, Any],
    region: str | None,
    stack: str = "test",
    *,
    secret_paths: set[str] | frozenset[str] = frozenset(),
    unknown: dict[str, Any] | None = None,
    project_dir: Path | None = None,
    preview: bool = False,
) -> ProgramRun:
    """Validate `raw` (the tkg-aws:* values, without the namespace) and run the program on it.

    Raises components.config.ConfigError before any resource is registered when config is bad.
    """
    config = parse_config(raw, region, secret_paths=secret_paths, unknown=unknown, project_dir=project_dir)
    return run_config(config, stack, preview=preview)


def run_config(
    config: StackConfig, stack: str, iam_shared_with: Sequence[str] = (), preview: bool = False
) -> ProgramRun:
    """Run the program on a validated config, as stack `stack` (see components/stack.py `build`),
    as `pulumi up` registers it or, with `preview`, as `pulumi preview` shows it."""
    collected: dict[str, Any] = {}

    async def resolve_outputs() -> None:
        collected.update(await _resolve(build(config, iam_shared_with=iam_shared_with)))

    monitor = run_under_mocks(lambda: asyncio.ensure_future(resolve_outputs()), config.region, stack, preview=preview)
    return ProgramRun(config, stack, dict(monitor.registrations), collected)


def run_under_mocks(
    program: Callable[[], Any], region: str, stack: str, mocks: TkgMocks | None = None, preview: bool = False
) -> RecordingMonitor:
    """Run `program` (which may return an Output or future to wait for) against the mocks.

    `mocks` replaces the default TkgMocks, e.g. to answer a program's StackReference; `preview`
    runs it as `pulumi preview` (the mocks must then be preview mocks too).
    """
    with _own_event_loop(), _without_source_positions(), _rare_collections():
        ROOT.set(None)  # a fresh root stack per run, so URNs and parents name this stack
        monitor = install(region, PROJECT, stack, mocks=mocks, preview=preview)
        pulumi.runtime.test(program)()
    return monitor


@contextlib.contextmanager
def _without_source_positions() -> Iterator[None]:
    """Skip the SDK's walk of the Python stack at each registration.

    The SDK sends the engine the stack trace of the line that declared each resource, for the
    engine's messages; the mock monitor has no engine and drops it. The walk reads every frame's
    source line and was about a fifth of a plan's time. If the SDK renames its helper, plans just
    run at the old speed (tests/tools/plan/test_program.py checks that the name still exists).
    """
    original = getattr(sdk_resource, "_get_stack_trace", None)
    if original is None:
        yield
        return
    sdk_resource._get_stack_trace = _empty_stack_trace
    try:
        yield
    finally:
        sdk_resource._get_stack_trace = original


def _empty_stack_trace() -> source_pb2.StackTrace:
    return source_pb2.StackTrace()


@contextlib.contextmanager
def _rare_collections() -> Iterator[None]:
    """The cycle collector, rarely during a run: nearly everything a run allocates (resources, Outputs,
    futures) lives until it ends, and with the default thresholds the collector scans the whole heap,
    the SDK's modules included, a dozen times in a 100-account plan for almost nothing: 40% of its
    time. Young cycles are still collected; the defaults return when the run ends."""
    thresholds = gc.get_threshold()
    gc.set_threshold(*RUN_GC_THRESHOLDS)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@contextlib.contextmanager
def _own_event_loop() -> Iterator[None]:
    """One event loop per run, closed with its executor threads and their loops when the run ends.

    The SDK registers resources from executor threads, and the mock monitor needs an event loop in
    each of them. Each thread gets its loop from `_open_thread_loop`, so the run knows them all and
    closes them once the threads are joined; a loop left open would be collected later and reported
    as an unclosed event loop and two unclosed sockets (its self-pipe), in whichever test came next.
    """
    thread_loops: list[asyncio.AbstractEventLoop] = []
    loop = asyncio.new_event_loop()
    loop.set_default_executor(ThreadPoolExecutor(initializer=_open_thread_loop, initargs=(thread_loops,)))
    asyncio.set_event_loop(loop)
    try:
        yield
    finally:
        loop.run_until_complete(loop.shutdown_default_executor())
        for thread_loop in thread_loops:
            thread_loop.close()
        loop.close()
        asyncio.set_event_loop(None)


def _open_thread_loop(thread_loops: list[asyncio.AbstractEventLoop]) -> None:
    """Executor thread start: the event loop the SDK would otherwise open there, and never close."""
    thread_loop = asyncio.new_event_loop()
    asyncio.set_event_loop(thread_loop)
    thread_loops.append(thread_loop)


async def _resolve(value: Any) -> Any:
    """Resolve Outputs inside plain data; a secret becomes the placeholder, never its value."""
    if isinstance(value, pulumi.Output):
        if await value.is_secret():
            return SECRET_PLACEHOLDER
        if not await value.is_known():
            return UNKNOWN_PLACEHOLDER
        return await _resolve(await value.future())
    if isinstance(value, dict):
        return {k: await _resolve(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [await _resolve(v) for v in value]
    return value


def plan_data(value: Any) -> Any:
    """Registered inputs as JSON-ready data: secrets masked, resource references as URNs."""
    if rpc.is_rpc_secret(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, Unknown):
        return UNKNOWN_PLACEHOLDER
    if isinstance(value, dict):
        return {k: plan_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plan_data(v) for v in value]
    if isinstance(value, pulumi.Resource):
        return f"[resource {type(value).__name__}]"
    if isinstance(value, pulumi.FileAsset):
        return file_asset_data(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)  # the wire format has only doubles; providers read 443.0 as the integer 443
    return value


def file_asset_data(asset: pulumi.FileAsset) -> dict[str, str]:
    """A file asset as the engine keeps it: its path and hash, never its content (an ignition file's
    content is the cluster's secrets). The path is shown relative to the working directory."""
    path = Path(asset.path)
    shown = path.relative_to(Path.cwd()) if path.is_relative_to(Path.cwd()) else path
    digest = hashlib.sha256(path.read_bytes()).hexdigest() if path.is_file() else ""
    return {"fileAsset": shown.as_posix(), "sha256": digest}
