"""A stack chooses its platforms: TKG's part is on by default and can be turned off, leaving the
foundations (providers, network) that every platform stands on; the key pair goes with TKG, the
only platform that launches machines with one."""

from __future__ import annotations

import copy
import json

import pytest

from components.config.base import ConfigError
from components.foundations.key_pairs import KeyPairs
from tests.conftest import REPO, plan, planned
from tools.plan.command import summary
from tools.plan.program import run_program


def test_tkg_is_on_unless_turned_off(dev_raw: dict) -> None:
    run = plan(dev_raw, stack="dev")
    assert run.config.tkg.enabled
    assert run.of_type("aws:iam/role:Role") and "iam" in run.outputs and "tkgClusterConfig" in run.outputs


def test_without_tkg_the_stack_holds_only_the_foundations_and_no_key_pair(dev_raw: dict) -> None:
    dev_raw = {k: v for k, v in dev_raw.items() if k != "iam"}
    dev_raw["tkg"] = {"enabled": False}
    dev_raw["keyPair"]["adopted"] = True  # set (without the publicKey adoption needs), and ignored with a note

    run = plan(dev_raw, stack="dev")
    assert not [r for r in run.registrations.values() if r.type.startswith(("aws:iam/", "kubernetes:"))]
    assert {"iam", "tkgClusterConfig", "workloadAccounts", "gpu", "keyPair", "keyPairPrivateKey"}.isdisjoint(
        run.outputs
    )
    assert {"network", "managementAccountId"} <= set(run.outputs)
    assert run.of_type("aws:ec2/vpc:Vpc") and not run.of_type("aws:ec2/keyPair:KeyPair")
    assert not run.of_type("tls:index/privateKey:PrivateKey")
    assert [line for line in summary(run) if line.startswith("note keyPair: ignored")]


@pytest.mark.parametrize("stack", ["openshift", "outposts"])
def test_the_shipped_stacks_without_tkg_lose_only_their_unused_key_pair(stack: str, monkeypatch) -> None:
    from tests.conftest import stack_file
    from tests.transitions import Transition

    raw, region, _ = stack_file(stack)
    after = plan(copy.deepcopy(raw), region, stack=stack)
    monkeypatch.setattr("components.stack.uses_key_pair", lambda config: True)  # as every stack had before
    before = run_program(copy.deepcopy(raw), region, stack, project_dir=REPO)  # past plan()'s cache: patched
    t = Transition(before, after)
    assert sorted(c.type for c in t.of_kind("removed")) == [
        "aws:ec2/keyPair:KeyPair",
        KeyPairs.TYPE_TOKEN,
        "tls:index/privateKey:PrivateKey",
    ]
    assert t.of_kind("added", "changed", "replaced") == []


def test_tkg_settings_in_a_stack_without_tkg_are_refused(prod_raw: dict) -> None:
    prod_raw["tkg"] = {"enabled": False}
    with pytest.raises(ConfigError) as err:
        plan(prod_raw, stack="prod")
    assert [p.split(":")[1] for p in err.value.problems] == [
        "workloadAccounts",
        "gpu",
        "iam.profile",
        "iam.tmcPermissions",
    ]
    prod_raw = {k: v for k, v in prod_raw.items() if k not in ("workloadAccounts", "gpu")}
    prod_raw["iam"] = {"path": "/platform/", "permissionsBoundary": "arn:aws:iam::111111111111:policy/boundary"}
    prod_raw["managementCluster"] = {"accountId": "111111111111"}
    assert plan(prod_raw, stack="prod").config.iam.path == "/platform/"


@pytest.mark.parametrize(
    ("stack", "type_token"),
    [("openshift", "aws:route53/zone:Zone"), ("outposts", "aws:autoscaling/group:Group")],
)
def test_own_tags_under_capa_prefixes_go_through_a_provider_that_ignores_none(stack: str, type_token: str) -> None:
    """The management provider ignores kubernetes.io/cluster/* (CAPA's); a resource whose own tag sits
    there and has no tag resource of its own uses the account's exact-tags provider, pinned alike."""

    run = planned(stack)
    (resource,) = run.of_type(type_token)
    assert any(str(t).startswith("kubernetes.io/cluster/") for t in json.dumps(resource.inputs["tags"]).split('"'))
    provider = run.registrations[resource.provider]
    management = run.named("pulumi:providers:aws", "management")
    assert provider.name == "management-exact-tags" and "ignoreTags" not in provider.inputs
    assert "ignoreTags" in management.inputs
    assert provider.inputs["allowedAccountIds"] == management.inputs["allowedAccountIds"]
