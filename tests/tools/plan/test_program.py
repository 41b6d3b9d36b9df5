"""The mock run of the program (tools/plan/program.py) leaves the Pulumi SDK as it found it."""

from __future__ import annotations

import pulumi
from pulumi.runtime import resource as sdk_resource

from tools.plan.program import run_under_mocks


def test_the_sdk_helper_a_run_skips_still_exists() -> None:
    """A run swaps the SDK's stack-trace walk out for speed; renamed upstream, plans would silently slow down."""
    assert callable(getattr(sdk_resource, "_get_stack_trace", None))


def test_a_run_skips_the_stack_trace_walk_and_restores_it_afterwards() -> None:
    original = sdk_resource._get_stack_trace
    seen = []

    def program() -> None:
        seen.append(sdk_resource._get_stack_trace)
        pulumi.ComponentResource("test:index:Probe", "probe")

    run_under_mocks(program, "us-west-2", "test")
    assert seen and seen[0] is not original
    assert seen[0]().frames == []
    assert sdk_resource._get_stack_trace is original
