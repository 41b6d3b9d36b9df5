"""A stack chooses its platforms: TKG's part is on by default and can be turned off, leaving the
foundations (providers, network, key pair) that every platform stands on."""

from __future__ import annotations

import json

import pytest

from components.config.base import ConfigError
from tests.conftest import plan, planned


def test_tkg_is_on_unless_turned_off(dev_raw: dict) -> None:
    run = plan(dev_raw, stack="dev")
    assert run.config.tkg.enabled
    assert run.of_type("aws:iam/role:Role") and "iam" in run.outputs and "tkgClusterConfig" in run.outputs


def test_without_tkg_the_stack_holds_only_the_foundations(dev_raw: dict) -> None:
    dev_raw = {k: v for k, v in dev_raw.items() if k != "iam"}
    dev_raw["tkg"] = {"enabled": False}
    run = plan(dev_raw, stack="dev")
    assert not [r for r in run.registrations.values() if r.type.startswith(("aws:iam/", "kubernetes:"))]
    assert {"iam", "tkgClusterConfig", "workloadAccounts", "gpu"}.isdisjoint(run.outputs)
    assert {"network", "keyPair", "managementAccountId"} <= set(run.outputs)
    assert run.of_type("aws:ec2/vpc:Vpc") and run.of_type("aws:ec2/keyPair:KeyPair")


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
