"""Run the Pulumi program under mocks and collect the desired state it declares.

Used by the offline plan tool and by the tests, so both see exactly what `pulumi up` would
register: components/stack.py's `build()` on a validated StackConfig, with TkgMocks standing in
for the providers and RecordingMonitor keeping parent, provider, dependencies and options.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import rpc
from pulumi.runtime.settings import ROOT

from components.config import SECRET_PLACEHOLDER, StackConfig, parse_config
from components.stack import build
from tools.mocks import RecordingMonitor, Registration, install

PROJECT = "tkg-aws"


@dataclass
class ProgramRun:
    """The desired state of one stack: every resource as registered, and the stack outputs."""

    config: StackConfig
    stack: str
    registrations: dict[str, Registration]
    outputs: dict[str, Any]

    def of_type(self, type_token: str) -> list[Registration]:
        return [r for urn, r in sorted(self.registrations.items()) if r.type == type_token]

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
) -> ProgramRun:
    """Validate `raw` (the tkg-aws:* values, without the namespace) and run the program on it.

    Raises components.config.ConfigError before any resource is registered when config is bad.
    """
    config = parse_config(raw, region, secret_paths=secret_paths, unknown=unknown, project_dir=project_dir)
    ROOT.set(None)  # a fresh root stack per run, so URNs and parents name this stack
    _run_monitor_calls_inline()
    monitor: RecordingMonitor = install(config.region, PROJECT, stack)
    collected: dict[str, Any] = {}

    async def resolve_outputs() -> None:
        collected.update(await _resolve(build(config)))

    pulumi.runtime.test(lambda: asyncio.ensure_future(resolve_outputs()))()
    return ProgramRun(config, stack, dict(monitor.registrations), collected)


class _ImmediateExecutor(ThreadPoolExecutor):
    """Runs each submitted call at once, on the calling thread."""

    def submit(self, fn, /, *args, **kwargs):  # type: ignore[override]
        future: Future = Future()
        try:
            future.set_result(fn(*args, **kwargs))
        except BaseException as err:
            future.set_exception(err)
        return future


def _run_monitor_calls_inline() -> None:
    """The SDK sends resource registrations to the monitor through the loop's executor threads;
    with mocks there is nothing to wait for, and threads make runs nondeterministic in timing and
    leave per-thread event loops behind (pulumi/pulumi#7663 uses the same remedy)."""
    try:
        loop = asyncio.get_event_loop()
    except RuntimeError:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    loop.set_default_executor(_ImmediateExecutor())


async def _resolve(value: Any) -> Any:
    """Resolve Outputs inside plain data; a secret becomes the placeholder, never its value."""
    if isinstance(value, pulumi.Output):
        if await value.is_secret():
            return SECRET_PLACEHOLDER
        return await _resolve(await value.future())
    if isinstance(value, dict):
        return {k: await _resolve(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [await _resolve(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """Registered inputs as JSON-ready data: secrets masked, resource references as URNs."""
    if rpc.is_rpc_secret(value):
        return SECRET_PLACEHOLDER
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, pulumi.Resource):
        return f"[resource {type(value).__name__}]"
    return value
