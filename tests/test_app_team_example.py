"""The app-team example (examples/app-team) on the outputs the prod stack exports.

App teams read our outputs through a StackReference. This runs the example's program under the
plan's mocks, its StackReference answered with the outputs `python -m tools.plan prod` computes,
so renaming or reshaping an output the example relies on fails here before it breaks a team.
"""

from __future__ import annotations

import asyncio
import gc
import importlib.util
import json
import logging
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import pytest
import yaml
from pulumi.runtime import rpc
from pulumi.runtime.mocks import MockResourceArgs
from pulumi.runtime.settings import _get_rpc_manager

from components.config.validators import SECRET_PLACEHOLDER
from tests.conftest import REPO, planned
from tools.plan.mocks import Registration, TkgMocks
from tools.plan.program import run_under_mocks

EXAMPLE = REPO / "examples" / "app-team"
CLUSTER_NAME = "orders-dev"
STACK_REFERENCE = "pulumi:pulumi:StackReference"


@dataclass
class PlatformStackMocks(TkgMocks):
    """TkgMocks that answer StackReference reads with one stack's outputs, and record the reads."""

    platform_outputs: dict[str, Any] = field(default_factory=dict)
    stacks_read: list[str] = field(default_factory=list)

    def new_resource(self, args: MockResourceArgs) -> tuple[str, dict]:
        if args.typ == STACK_REFERENCE:
            self.stacks_read.append(args.inputs["name"])
            return args.resource_id, self._stack_state(args.inputs["name"])
        resource_id, state = super().new_resource(args)
        if args.typ == "aws:s3/bucket:Bucket":
            # S3 names the bucket after the resource, and its ARN has neither region nor account.
            state.update(bucket=resource_id, arn=f"arn:{self.partition}:s3:::{resource_id}")
        return resource_id, state

    def _stack_state(self, stack: str) -> dict[str, Any]:
        # The plan masks secret outputs; a real stack reference marks them secret by name.
        secret_names = sorted(k for k, v in self.platform_outputs.items() if v == SECRET_PLACEHOLDER)
        outputs = {k: rpc.wrap_rpc_secret(v) if k in secret_names else v for k, v in self.platform_outputs.items()}
        return {"name": stack, "outputs": outputs, "secretOutputNames": secret_names}


@dataclass
class ExampleRun:
    mocks: PlatformStackMocks
    registrations: list[Registration]
    exports: dict[str, Any]
    secret_exports: list[str]

    def only(self, type_token: str) -> Registration:
        matches = [r for r in self.registrations if r.type == type_token]
        assert len(matches) == 1, f"expected one {type_token}, got {[r.name for r in matches]}"
        return matches[0]


@pytest.fixture(scope="module")
def example() -> ModuleType:
    # Loaded under a name of its own: the example's `app` and `__main__` would shadow ours.
    spec = importlib.util.spec_from_file_location("app_team_example", EXAMPLE / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def platform_stack() -> str:
    """The stack name the example's dev stack is configured with."""
    config = yaml.safe_load((EXAMPLE / "Pulumi.dev.yaml").read_text())["config"]
    return config["orders-app:platformStack"]


@pytest.fixture(scope="module")
def prod() -> dict[str, Any]:
    """What the prod stack exports, as `python -m tools.plan prod` computes it."""
    return planned("prod").outputs


def run_example(example: ModuleType, platform_stack: str, platform_outputs: dict[str, Any]) -> ExampleRun:
    mocks = PlatformStackMocks(region=platform_outputs.get("region", "us-west-2"), platform_outputs=platform_outputs)
    exports: dict[str, Any] = {}
    secret_exports: list[str] = []

    async def program() -> None:
        for name, output in example.build(platform_stack, CLUSTER_NAME).items():
            exports[name] = await output.future()
            if await output.is_secret():
                secret_exports.append(name)

    monitor = run_under_mocks(lambda: asyncio.ensure_future(program()), mocks.region, "dev", mocks=mocks)
    return ExampleRun(mocks, list(monitor.registrations.values()), exports, secret_exports)


@pytest.fixture(scope="module")
def run(example: ModuleType, platform_stack: str, prod: dict[str, Any]) -> ExampleRun:
    return run_example(example, platform_stack, prod)


def test_the_example_reads_the_platform_stack_it_is_configured_with(run: ExampleRun, platform_stack: str) -> None:
    assert platform_stack.endswith("/tkg-aws/prod")
    assert run.mocks.stacks_read == [platform_stack]


def test_the_database_subnet_group_spans_the_private_subnets_in_az_order(run: ExampleRun, prod: dict[str, Any]) -> None:
    private = prod["network"]["privateSubnetIds"]
    assert len(private) == 3, "prod spans three AZs; the test relies on more than one subnet"
    subnet_group = run.only("aws:rds/subnetGroup:SubnetGroup")
    assert subnet_group.inputs["subnetIds"] == [private[az] for az in sorted(private)]


def test_the_nodes_role_may_only_get_and_put_objects_of_the_apps_bucket(run: ExampleRun, prod: dict[str, Any]) -> None:
    bucket = run.only("aws:s3/bucket:Bucket")
    role_policy = run.only("aws:iam/rolePolicy:RolePolicy")
    assert role_policy.inputs["role"] == prod["iam"]["roleNames"]["nodes"] == "nodes.tkg.cloud.vmware.com"
    assert json.loads(role_policy.inputs["policy"]) == {
        "Version": "2012-10-17",
        "Statement": [
            {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject"], "Resource": f"arn:aws:s3:::{bucket.id}/*"}
        ],
    }
    assert run.exports["bucketName"] == bucket.id


def test_the_cluster_config_is_the_platforms_plus_the_apps_cluster_name(run: ExampleRun, prod: dict[str, Any]) -> None:
    config = run.exports["tkgClusterConfig"]
    assert config["AWS_VPC_ID"] == prod["network"]["vpcId"]
    assert config["CLUSTER_NAME"] == CLUSTER_NAME
    assert config == {**prod["tkgClusterConfig"], "CLUSTER_NAME": CLUSTER_NAME}


def test_the_example_never_touches_the_platforms_secret_private_key(run: ExampleRun, prod: dict[str, Any]) -> None:
    assert prod["keyPairPrivateKey"] == SECRET_PLACEHOLDER, "the platform must export a secret to leave alone"
    assert run.secret_exports == []
    assert [r.name for r in run.registrations if _has_secret(r.inputs)] == []


def test_a_platform_stack_without_an_output_fails_naming_the_stack_and_output(
    example: ModuleType, platform_stack: str, prod: dict[str, Any]
) -> None:
    without_iam = {k: v for k, v in prod.items() if k != "iam"}
    with pytest.raises(example.PlatformOutputError, match=f"{platform_stack!r} has no output 'iam'"):
        run_example(example, platform_stack, without_iam)
    # The failed run leaves futures holding that very error, which asyncio reports again ("exception
    # was never retrieved") when they are freed: freed here, quietly, not in CI's log when the next run
    # replaces the SDK's RPC manager that still lists them.
    asyncio_log = logging.getLogger("asyncio")
    asyncio_log.disabled = True
    try:
        _get_rpc_manager().clear()
        gc.collect()
    finally:
        asyncio_log.disabled = False


def _has_secret(value: Any) -> bool:
    if rpc.is_rpc_secret(value):
        return True
    if isinstance(value, dict):
        return any(_has_secret(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_secret(v) for v in value)
    return False
