"""Config set with `--secret` stays secret: the external ids and Helm values a stack passes on are
Pulumi secrets in every resource that holds them, so they never reach state, `preview --diff`,
the plan's files or the outputs in plaintext; the offline plan, which cannot decrypt them, accepts
their placeholders where the plaintext would be validated."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.base import ConfigError
from tests.conftest import plan, stack_file
from tests.transitions import revealed
from tools.plan.command import main, write_plan
from tools.plan.program import ProgramRun, plan_data

EXTERNAL_ID, DEPLOY_EXTERNAL_ID, HELM_TOKEN = "s3cret-capa-external-id", "s3cret-deploy-id", "s3cret-nls-token"
KUBECONFIG = "apiVersion: v1\nkind: Config\nclusters: []\n"
ALL_SECRET = {"workloadAccounts", "gpu", "managementCluster"}


def prod_with_secrets() -> dict[str, Any]:
    """prod applying to a cluster, with a secret external id, deploy external id and Helm value."""
    raw = copy.deepcopy(stack_file("prod")[0])
    cluster = {k: v for k, v in raw["managementCluster"].items() if k != "renderYamlToDirectory"}
    raw["managementCluster"] = {**cluster, "kubeconfig": KUBECONFIG}
    lob_prod = raw["workloadAccounts"][1]
    lob_prod["identity"]["externalId"] = EXTERNAL_ID
    lob_prod["deployExternalId"] = DEPLOY_EXTERNAL_ID
    raw["gpu"]["values"] = {"driver": {"licensingConfig": {"nlsToken": HELM_TOKEN}}}
    return raw


@pytest.fixture(scope="module")
def secret_run() -> ProgramRun:
    return plan(prod_with_secrets(), stack="prod", secret_paths=ALL_SECRET)


def named(run: ProgramRun, name: str, type_prefix: str = ""):
    (match,) = [r for r in run.registrations.values() if r.name == name and r.type.startswith(type_prefix)]
    return match


def test_no_plaintext_secret_reaches_any_resource_input_or_output(secret_run: ProgramRun) -> None:
    inputs = json.dumps([plan_data(r.inputs) for r in secret_run.registrations.values()], default=str)
    outputs = json.dumps(secret_run.outputs, default=str)
    for value in (EXTERNAL_ID, DEPLOY_EXTERNAL_ID, HELM_TOKEN):
        assert value not in inputs and value not in outputs


def test_each_secret_travels_as_a_secret_where_it_is_used(secret_run: ProgramRun) -> None:
    # Pulumi tracks secrets per top-level input: the field that holds one is a secret as a whole.
    identity = plan_data(named(secret_run, "management-cluster-lob-prod").inputs)
    trust = plan_data(named(secret_run, "lob-prod-controllers", "aws:iam/role:Role").inputs)
    provider = plan_data(named(secret_run, "lob-prod", "pulumi:providers:aws").inputs)
    chart = plan_data(named(secret_run, "gpu-operator-helmchartproxy").inputs)
    assert (identity["spec"], trust["assumeRolePolicy"], provider["assumeRoles"], chart["spec"]) == ("[secret]",) * 4
    assert identity["metadata"]["name"] == "lob-prod"  # what is not secret stays readable


def test_the_secret_values_themselves_reach_their_resources(secret_run: ProgramRun) -> None:
    """Not dropped on the way: the provider receives the real values, as secrets."""
    identity = revealed(named(secret_run, "management-cluster-lob-prod").inputs)
    assert identity["spec"]["externalID"] == EXTERNAL_ID
    trust = json.loads(
        revealed(named(secret_run, "lob-prod-controllers", "aws:iam/role:Role").inputs)["assumeRolePolicy"]
    )
    assert trust["Statement"][1]["Condition"]["StringEquals"] == {"sts:ExternalId": EXTERNAL_ID}
    assume = json.loads(revealed(named(secret_run, "lob-prod", "pulumi:providers:aws").inputs)["assumeRoles"])
    assert assume[-1]["externalId"] == DEPLOY_EXTERNAL_ID
    values = yaml.safe_load(revealed(named(secret_run, "gpu-operator-helmchartproxy").inputs)["spec"]["valuesTemplate"])
    assert values["driver"]["licensingConfig"]["nlsToken"] == HELM_TOKEN


def test_plan_files_hold_placeholders_only(secret_run: ProgramRun, tmp_path: Path) -> None:
    written = write_plan(secret_run, tmp_path)
    texts = {p.name: p.read_text() for p in written}
    for name in ("resources.json", "manifests.yaml"):
        assert "[secret]" in texts[name], name
        for value in (EXTERNAL_ID, DEPLOY_EXTERNAL_ID, HELM_TOKEN):
            assert value not in texts[name], (name, value)


SECURE_STACK = """
config:
  aws:region: us-west-2
  pulumi:disable-default-providers: [aws, kubernetes]
  tkg-aws:environment: prod
  tkg-aws:workloadAccounts:
    - name: lob-prod
      accountId: "333333333333"
      deployRoleArn: arn:aws:iam::333333333333:role/OrganizationAccountAccessRole
      deployExternalId: {secure: v1:AAAAdeploy}
      identity:
        allowedNamespaces: [lob-prod]
        externalId: {secure: v1:AAAAexternal}
  tkg-aws:managementCluster:
    accountId: "111111111111"
    capaPrincipalArns: [arn:aws:iam::111111111111:role/capa-controller-manager]
    kubeconfig: {secure: v1:AAAAkubeconfig}
  tkg-aws:gpu:
    enabled: true
    values:
      driver:
        licensingConfig: {nlsToken: {secure: v1:AAAAhelm}}
"""


def test_the_offline_plan_accepts_secret_external_ids_and_helm_values(tmp_path: Path) -> None:
    stack = tmp_path / "Pulumi.prod.yaml"
    stack.write_text(SECURE_STACK)
    assert main(["prod", "--config-file", str(stack), "--out", str(tmp_path / "plan")]) == 0
    manifests = list(yaml.safe_load_all((tmp_path / "plan" / "manifests.yaml").read_text()))
    identity = next(o for o in manifests if o["kind"] == "AWSClusterRoleIdentity")
    chart = next(o for o in manifests if o["kind"] == "HelmChartProxy")
    assert (identity["spec"], chart["spec"]) == ("[secret]", "[secret]")


def test_a_plaintext_external_id_is_still_validated(prod_raw: dict) -> None:
    prod_raw["workloadAccounts"][1]["identity"]["externalId"] = "[secret]"  # not from a secure: value
    with pytest.raises(ConfigError, match=r"workloadAccounts\[1\].identity.externalId: an external id is 2-1224"):
        plan(prod_raw)


@pytest.mark.parametrize(
    ("section", "change", "problem"),
    [
        (
            "workloadAccounts",
            lambda raw: raw["workloadAccounts"][1]["identity"].update(externalId=EXTERNAL_ID),
            (
                "tkg-aws:workloadAccounts[1].identity.externalId: a secret, but "
                "managementCluster.renderYamlToDirectory writes the AWSClusterRoleIdentity to disk in plaintext"
            ),
        ),
        (
            "gpu",
            lambda raw: raw["gpu"].update(values={"x": HELM_TOKEN}),
            "tkg-aws:gpu.values: a secret, but managementCluster.renderYamlToDirectory writes the HelmChartProxy",
        ),
    ],
)
def test_a_secret_that_rendering_would_write_in_plaintext_is_refused(section: str, change, problem: str) -> None:
    raw = copy.deepcopy(stack_file("prod")[0])  # prod renders its manifests to a directory
    change(raw)
    with pytest.raises(ConfigError) as raised:
        plan(raw, secret_paths={section})
    assert [p for p in raised.value.problems if p.startswith(problem)], raised.value.problems
    assert not any(HELM_TOKEN in p or EXTERNAL_ID in p for p in raised.value.problems)
