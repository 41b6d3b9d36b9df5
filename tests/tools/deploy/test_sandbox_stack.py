"""The opt-in sandbox workflow's ephemeral stacks (tools/deploy/sandbox_stack.py, .github/workflows/sandbox.yml).

Each stack file (in the tests, its fixture) is moved into one sandbox account and run: the copy must still be a valid
stack that builds the same kinds of things, in that account only, under names no other run or real
deployment uses, with nothing protected, so that `pulumi destroy` at the end removes it all.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO, fixture_file, planned
from tools.deploy.sandbox_stack import RUN_TAG, SandboxStackError, main, read_config, sandbox_config, write
from tools.plan.command import plan_stack
from tools.plan.program import ProgramRun

SANDBOX_ACCOUNT = "999999999999"
RUN = "sbx-12345678901"
ROLE = "aws:iam/role:Role"


def sandbox_plan(stack: str, tmp_path: Path) -> ProgramRun:
    shutil.copy(fixture_file(stack), tmp_path)
    path = write(stack, SANDBOX_ACCOUNT, RUN, root=tmp_path)
    return plan_stack(f"sandbox-{stack}", config_file=path, directory=tmp_path)


@pytest.fixture(scope="module", params=["dev", "prod"])
def sandbox(request, tmp_path_factory) -> tuple[str, ProgramRun]:
    return request.param, sandbox_plan(request.param, tmp_path_factory.mktemp(request.param))


def test_every_provider_is_pinned_to_the_sandbox_account(sandbox) -> None:
    _, run = sandbox
    providers = run.of_type("pulumi:providers:aws")
    assert providers
    assert {json.dumps(json.loads(p.inputs["allowedAccountIds"])) for p in providers} == {f'["{SANDBOX_ACCOUNT}"]'}
    assert not [p for p in providers if "assumeRoles" in p.inputs]  # no workload account's deploy role


def test_nothing_is_protected_and_names_carry_the_run(sandbox) -> None:
    _, run = sandbox
    assert [r.urn for r in run.registrations.values() if r.options.get("protect")] == []
    roles = [r.inputs["name"] for r in run.of_type(ROLE)]
    assert roles and all(name.endswith(f".{RUN}") for name in roles)
    assert [k.inputs["keyName"] for k in run.of_type("aws:ec2/keyPair:KeyPair")] == [f"tkg-{RUN}"]


def test_the_sandbox_builds_the_stacks_network_iam_key_pair_and_cluster_objects(sandbox) -> None:
    stack, run = sandbox
    real = planned(stack)
    built = {
        "aws:ec2/vpc:Vpc",
        "aws:ec2/subnet:Subnet",
        "aws:ec2/natGateway:NatGateway",
        ROLE,
        "aws:ec2/keyPair:KeyPair",
    }
    kubernetes = {
        r.type for r in real.registrations.values() if r.type.startswith("kubernetes:") and "Identity" not in r.type
    }
    assert built | kubernetes <= {r.type for r in run.registrations.values()}
    assert len(run.of_type("aws:ec2/subnet:Subnet")) == len(real.of_type("aws:ec2/subnet:Subnet"))
    assert run.config.management_cluster.render_yaml_to_directory == f"build/manifests/sandbox-{stack}"
    assert run.config.tags[RUN_TAG] == RUN and run.config.workload_accounts == []


def test_settings_of_the_real_accounts_are_left_behind() -> None:
    config = {
        "aws:region": "eu-west-1",
        "aws:profile": "prod-admin",
        "kubernetes:context": "mgmt",
        "tkg-aws:environment": "prod",
        "tkg-aws:network": {"existingVpc": {"vpcId": "vpc-0123456789abcdef0"}, "cidr": "10.1.0.0/16"},
        "tkg-aws:iam": {
            "adopted": True,
            "permissionsBoundary": "arn:aws:iam::111111111111:policy/boundary",
            "extraPolicyArns": {
                "nodes": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore", "arn:aws:iam::111111111111:policy/x"]
            },
        },
        "tkg-aws:managementCluster": {"accountId": "111111111111", "kubeconfig": {"secure": "v1:abc"}},
    }
    moved = sandbox_config(config, "prod", SANDBOX_ACCOUNT, RUN)
    assert set(moved) == {
        "aws:region",
        "tkg-aws:environment",
        "tkg-aws:network",
        "tkg-aws:iam",
        "tkg-aws:keyPair",
        "tkg-aws:managementCluster",
        "tkg-aws:tags",
    }
    assert moved["tkg-aws:network"] == {"cidr": "10.1.0.0/16", "protect": False}
    assert moved["tkg-aws:iam"] == {
        "extraPolicyArns": {"nodes": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]},
        "nameSuffix": f".{RUN}",
        "protect": False,
    }
    assert moved["tkg-aws:managementCluster"] == {
        "accountId": SANDBOX_ACCOUNT,
        "renderYamlToDirectory": "build/manifests/sandbox-prod",
    }


def test_an_encrypted_value_that_would_remain_is_an_error() -> None:
    config = {"aws:region": "us-west-2", "tkg-aws:environment": "dev", "tkg-aws:gpu": {"values": {"secure": "v1:x"}}}
    with pytest.raises(SandboxStackError, match="tkg-aws:gpu hold encrypted values"):
        sandbox_config(config, "dev", SANDBOX_ACCOUNT, RUN)


@pytest.mark.parametrize(("account", "run"), [("12345", RUN), (SANDBOX_ACCOUNT, "Run 1"), (SANDBOX_ACCOUNT, "x" * 25)])
def test_unusable_arguments_are_refused(account: str, run: str) -> None:
    with pytest.raises(SandboxStackError):
        sandbox_config({"aws:region": "us-west-2"}, "dev", account, run)


def test_the_command_line_prints_the_region_and_exits_2_on_a_missing_stack(capsys) -> None:
    stack = sorted(REPO.glob("Pulumi.*.yaml"))[0].name.removeprefix("Pulumi.").removesuffix(".yaml")  # any shipped
    assert main(["region", stack]) == 0
    assert capsys.readouterr().out.strip() == read_config(stack)["aws:region"]
    assert main(["write", "no-such-stack", SANDBOX_ACCOUNT, RUN]) == 2
    assert "no stack config file" in capsys.readouterr().err


# --- the workflow -------------------------------------------------------------------------------------
def sandbox_workflow() -> dict:
    return yaml.safe_load((REPO / ".github" / "workflows" / "sandbox.yml").read_text())


def test_the_workflow_does_nothing_until_a_sandbox_role_is_set() -> None:
    workflow = sandbox_workflow()
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert "schedule" in triggers and "workflow_dispatch" in triggers
    (job,) = workflow["jobs"].values()
    assert job["if"] == "vars.SANDBOX_ROLE_ARN != '' && github.ref == 'refs/heads/main'"
    assert job["permissions"] == {"contents": "read", "id-token": "write"}


def test_the_preflight_runs_before_the_preview_and_destroy_follows_any_up() -> None:
    (job,) = sandbox_workflow()["jobs"].values()
    runs = [step.get("run", "") for step in job["steps"]]
    preflight = next(i for i, r in enumerate(runs) if "tools.preflight" in r)
    preview = next(i for i, r in enumerate(runs) if "pulumi preview" in r)
    up = next(i for i, r in enumerate(runs) if "pulumi up" in r)
    destroy = next(i for i, r in enumerate(runs) if "pulumi destroy" in r)
    assert preflight < preview < up < destroy
    assert "SANDBOX_UP" in job["steps"][up]["if"]
    assert job["steps"][destroy]["if"].startswith("always()")
