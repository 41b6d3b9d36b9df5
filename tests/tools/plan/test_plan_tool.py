"""The offline plan tool as a reviewer uses it: files, determinism, exit codes, secrets."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from components.config.stack_files import read_stack_file
from components.stack_config.loading import parse_config
from components.tkg.rules import workload_account_warnings
from tests.conftest import REPO, fixture_file, plan_command, plan_fixture, plan_in_process, planned
from tools.plan.command import main, plan_stack, summary, write_plan

BAD_CONFIG = """
config:
  aws:region: us-west-2
  tkg-aws:environment: Dev
  tkg-aws:netwrk: {}
  tkg-aws:network:
    cidr: 8.8.0.0/16
    natGateways: perAz
  tkg-aws:workloadAccounts:
    - name: lob-dev
      accountId: "22222222222"
      deployRoleArn: arn:aws:iam::222222222222:role/OrganizationAccountAccessRole
      identity: {allowedNamespaces: [], durationSeconds: 100}
  tkg-aws:managementCluster:
    accountId: "111111111111"
    capaPrincipalArns: [arn:aws:iam::111111111111:role/capa-controller-manager]
    kubeconfig: {secure: v1:AAAA}
"""


def test_two_plans_of_the_same_stack_are_byte_identical(tmp_path: Path) -> None:
    first, second = tmp_path / "a", tmp_path / "b"
    write_plan(plan_fixture("dev"), first)
    write_plan(plan_fixture("dev"), second)
    for name in ("resources.json", "manifests.yaml"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name


def test_resources_json_has_the_documented_shape(tmp_path: Path) -> None:
    write_plan(planned("prod"), tmp_path)
    document = json.loads((tmp_path / "resources.json").read_text())
    assert set(document) == {"project", "stack", "resources", "outputs"}
    assert (document["project"], document["stack"]) == ("tkg-aws", "prod")
    urns = [r["urn"] for r in document["resources"]]
    assert urns == sorted(urns) and len(urns) == len(set(urns))
    for resource in document["resources"]:
        assert set(resource) == {"urn", "type", "name", "parent", "provider", "dependsOn", "id", "options", "inputs"}


def test_secure_config_values_are_written_as_secret_placeholders(tmp_path: Path) -> None:
    stack_file = tmp_path / "Pulumi.prod.yaml"
    config = yaml.safe_load(fixture_file("prod").read_text())
    cluster = config["config"]["tkg-aws:managementCluster"]
    del cluster["renderYamlToDirectory"]
    cluster["kubeconfig"] = {"secure": "v1:ciphertext-of-a-kubeconfig"}
    stack_file.write_text(yaml.safe_dump(config))
    write_plan(plan_stack("prod", stack_file), tmp_path)
    text = (tmp_path / "resources.json").read_text()
    assert "ciphertext" not in text
    provider = next(r for r in json.loads(text)["resources"] if r["type"] == "pulumi:providers:kubernetes")
    assert provider["inputs"]["kubeconfig"] == "[secret]"


def test_a_config_with_many_mistakes_exits_2_with_one_line_each_and_no_traceback(tmp_path: Path) -> None:
    bad = tmp_path / "Pulumi.bad.yaml"
    bad.write_text(BAD_CONFIG)
    result = plan_in_process("bad", "--config-file", str(bad), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith("tkg-aws:")]
    assert len(lines) == 7, result.stderr
    assert "v1:AAAA" not in result.stderr
    assert not (tmp_path / "out").exists()


def test_a_missing_stack_file_names_the_stacks_that_exist(capsys) -> None:
    assert main(["staging"]) == 2
    error = capsys.readouterr().err
    assert "Pulumi.staging.yaml" in error
    stacks = sorted(f.name.removeprefix("Pulumi.").removesuffix(".yaml") for f in REPO.glob("Pulumi.*.yaml"))
    assert f"stacks here: {', '.join(stacks) or 'none'}" in error


def test_the_command_line_writes_the_plan_and_a_summary(tmp_path: Path) -> None:
    result = plan_command("dev", "--config-file", str(fixture_file("dev")), "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("stack dev:")
    assert (tmp_path / "resources.json").is_file()
    assert yaml.safe_load_all((tmp_path / "manifests.yaml").read_text()) is not None


def test_no_aws_or_kubernetes_resource_falls_back_to_a_default_provider() -> None:
    """The stack files disable default providers; every resource must name an explicit one."""
    for stack in ("dev", "prod"):
        run = planned(stack)
        resources = [
            r for r in run.registrations.values() if r.custom and r.type.split(":")[0] in ("aws", "kubernetes")
        ]
        assert resources and all(r.provider for r in resources), stack


# --- warnings: recommendations, not refusals --------------------------------------------------------
def test_an_identity_for_all_namespaces_and_a_trust_without_external_id_are_warned_not_refused() -> None:
    raw = read_stack_file(fixture_file("prod")).raw
    accounts = raw["workloadAccounts"]
    accounts[1]["identity"]["allowedNamespaces"] = "all"
    config = parse_config(raw, "us-west-2", project_dir=REPO)  # accepted
    warnings = workload_account_warnings(config.workload_accounts)
    assert warnings == [
        (
            "WARNING tkg-aws:workloadAccounts[0].identity.externalId: not set: the controllers role of account "
            "222222222222 trusts the CAPA principals without an external id; set one (CAPA passes it from the "
            "AWSClusterRoleIdentity), so that another identity pointed at this role cannot use it"
        ),
        (
            "WARNING tkg-aws:workloadAccounts[1].identity.allowedNamespaces: all: a Cluster in any namespace of the "
            "management cluster may use this identity, so whoever may create one anywhere builds in account "
            "333333333333; list the namespaces or give a selector"
        ),
    ]


def test_the_plan_summary_carries_the_warnings() -> None:
    lines = summary(planned("prod"))
    assert any(line.startswith("WARNING tkg-aws:workloadAccounts[0].identity.externalId: not set") for line in lines)
    assert not any("allowedNamespaces: all" in line for line in lines)


def test_the_json_summary_is_for_machines_and_notes_and_warnings_go_to_stderr(capsys, tmp_path) -> None:
    assert main(["prod", "--config-file", str(fixture_file("prod")), "--out", str(tmp_path), "--json"]) == 0
    captured = capsys.readouterr()
    summary = json.loads(captured.out)
    assert summary["stack"] == "prod" and summary["resources"] == sum(summary["byType"].values())
    assert summary["byType"]["aws:ec2/vpc:Vpc"] == 1
    assert str(tmp_path / "tkg-cluster-config.yaml") in summary["files"]
    assert summary["warnings"] and all(w.startswith("WARNING") for w in summary["warnings"])
    assert any("python -m tools.plan fill prod outputs.json" in note for note in summary["notes"])
    # Diagnostics on stderr, each once; nothing of them on stdout beside the JSON.
    assert summary["warnings"][0] in captured.err and "WARNING" not in captured.out.replace('"WARNING', "")
    assert "planning" not in captured.err  # progress only on a terminal


def test_version_is_the_projects(capsys) -> None:
    from components import __version__

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0
    assert capsys.readouterr().out.strip() == f"tkg-aws {__version__}"
