"""The OpenShift install order of docs/openshift.md, walked offline step by step, and the day-2 changes after it.

1. The stack without infraId: install-config.yaml from the config alone (no id of anything the
   stack creates: openshift-install looks up every subnet and zone it is given), written whole by
   tools/deploy/openshift_install_config.py; the stack creates the network only.
2. `create manifests`, `create ignition-configs`: infraId and the .ign files go into the stack; the
   next plan only adds, and its install-config part is the one already consumed.
3. After `wait-for bootstrap-complete`: bootstrap.enabled false removes the bootstrap by config alone.
4. Day 2: workers added and removed, an AZ added, ignition files regenerated.
Every step is a plan-to-plan transition (tests/transitions.py) that removes nothing protected.
"""

from __future__ import annotations

import copy
import json
import stat
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.conftest import REPO, fixture_file, plan, stack_file
from tests.transitions import Change, Transition
from tools.deploy import openshift_install_config
from tools.plan.command import summary
from tools.plan.program import ProgramRun

INFRA = "ocp-x7k2p"
OPENSHIFT_TYPES = (
    "tkg-aws:openshift:",
    "aws:kms/",
    "aws:s3/",
    "aws:lb/",
    "aws:route53/",
    "aws:iam/",
    "aws:ec2/instance",
)


def shipped() -> dict[str, Any]:
    return copy.deepcopy(stack_file("openshift")[0])


def before_ignition(raw: dict[str, Any]) -> dict[str, Any]:
    """Step 1's stack file: what the user knows before openshift-install has run."""
    for key in ("infraId", "ignition"):
        raw["openshift"].pop(key)
    return raw


def planned(raw: dict[str, Any]) -> ProgramRun:
    """The plan of `raw` as the openshift stack (planned once per test run: tests/conftest.py `plan`)."""
    return plan(copy.deepcopy(raw), stack_file("openshift")[1], stack="openshift")


def protected_removals(t: Transition) -> list[Change]:
    return [c for c in t.dangers() if c.danger == "protected"]


def ids_in(run: ProgramRun) -> set[str]:
    return {r.id for r in run.registrations.values() if r.id}


def strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in strings(v)]
    return [str(value)]


@pytest.fixture(scope="module")
def step1() -> ProgramRun:
    return planned(before_ignition(shipped()))


@pytest.fixture(scope="module")
def step2() -> ProgramRun:
    return planned(shipped())


# --- step 1: install-config.yaml before anything exists --------------------------------------------
def test_step1_creates_the_network_only_and_names_no_resource_in_install_config(step1: ProgramRun) -> None:
    cluster = [r for r in step1.registrations.values() if r.type.startswith(OPENSHIFT_TYPES)]
    assert cluster == []
    fragment = step1.outputs["openshift"]["installConfig"]
    assert not set(strings(fragment)) & ids_in(step1)
    assert [line for line in summary(step1) if line.startswith("note openshift.infraId: not set yet")]
    assert "subnets" not in fragment["platform"]["aws"] and "hostedZone" not in fragment["platform"]["aws"]


def test_step1_writes_a_whole_install_config_readable_by_its_owner_only(tmp_path: Path, step1: ProgramRun) -> None:
    stack = tmp_path / "Pulumi.openshift.yaml"
    document = yaml.safe_load(fixture_file("openshift").read_text())
    for key in ("infraId", "ignition"):
        document["config"]["tkg-aws:openshift"].pop(key)
    stack.write_text(yaml.safe_dump(document))
    secret = tmp_path / "pull-secret.txt"
    secret.write_text(json.dumps({"auths": {"cloud.openshift.com": {"auth": "UFVMTC1TRUNSRVQ="}}}))
    key = tmp_path / "id.pub"
    key.write_text((REPO / "tests/data/ed25519.pub").read_text())
    out = tmp_path / "ocp"
    argv = ["openshift", "--config-file", str(stack), "--pull-secret", str(secret), "--ssh-public-key", str(key)]
    assert openshift_install_config.main([*argv, "--dir", str(out)]) == 0
    written = out / "install-config.yaml"
    assert stat.S_IMODE(written.stat().st_mode) == 0o600
    config = yaml.safe_load(written.read_text())
    assert config.pop("pullSecret") == secret.read_text()
    assert config.pop("sshKey") == key.read_text().strip()
    assert config == step1.outputs["openshift"]["installConfig"]


def test_a_private_key_or_a_bad_pull_secret_is_refused_without_echo(tmp_path: Path, capsys) -> None:
    secret = tmp_path / "pull-secret.txt"
    secret.write_text("SECRET-MARKER not json")
    assert openshift_install_config.main(["openshift", "--pull-secret", str(secret), "--dir", str(tmp_path)]) == 2
    assert "SECRET-MARKER" not in capsys.readouterr().err
    secret.write_text(json.dumps({"auths": {"r": {"auth": "x"}}}))
    private = tmp_path / "id"
    private.write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nSECRET-MARKER\n-----END OPENSSH PRIVATE KEY-----\n")
    argv = ["openshift", "--pull-secret", str(secret), "--ssh-public-key", str(private), "--dir", str(tmp_path)]
    assert openshift_install_config.main(argv) == 2
    assert "SECRET-MARKER" not in capsys.readouterr().err
    assert not (tmp_path / "install-config.yaml").exists()


# --- step 2: the infraID and the ignition files into the stack ---------------------------------------
def test_step2_adds_the_cluster_and_keeps_the_install_config_already_consumed(
    step1: ProgramRun, step2: ProgramRun
) -> None:
    t = Transition(step1, step2)
    assert t.of_kind("removed", "replaced", "changed") == []
    assert len(t.of_kind("added")) > 100
    assert step2.outputs["openshift"]["installConfig"] == step1.outputs["openshift"]["installConfig"]


# --- step 3: bootstrap removal by config alone -------------------------------------------------------
def test_bootstrap_removal_removes_nothing_protected(step2: ProgramRun) -> None:
    raw = shipped()
    raw["openshift"]["bootstrap"] = {"enabled": False}
    t = Transition(step2, planned(raw))
    assert protected_removals(t) == []
    removed = {c.type for c in t.of_kind("removed")}
    assert "aws:ec2/instance:Instance" in removed and "aws:iam/role:Role" in removed
    assert t.of_kind("replaced", "changed", "added") == []


# --- day 2 -------------------------------------------------------------------------------------------
def test_adding_and_removing_workers_touches_only_those_workers(step2: ProgramRun) -> None:
    more = shipped()
    more["openshift"]["compute"]["replicas"]["us-east-1a"] = 3
    grown = Transition(step2, planned(more))
    assert sorted(c.name for c in grown.of_kind("added")) == [
        f"openshift-machines-worker-us-east-1a-{n}{suffix}" for n in (1, 2) for suffix in ("", "-cluster")
    ]
    assert grown.of_kind("removed", "replaced", "changed") == []
    fewer = shipped()
    fewer["openshift"]["compute"]["replicas"].pop("us-east-1c")
    shrunk = Transition(step2, planned(fewer))
    assert sorted(c.name for c in shrunk.of_kind("removed")) == [
        "openshift-machines-worker-us-east-1c-0",
        "openshift-machines-worker-us-east-1c-0-cluster",
    ]
    assert protected_removals(shrunk) == [] and shrunk.of_kind("replaced", "changed", "added") == []


def test_adding_an_az_adds_its_subnets_tags_and_workers_only(step2: ProgramRun) -> None:
    raw = shipped()
    raw["network"]["availabilityZones"].append("us-east-1d")
    raw["openshift"]["compute"]["replicas"]["us-east-1d"] = 1
    t = Transition(step2, planned(raw))
    assert t.of_kind("removed", "replaced") == []
    assert {c.type for c in t.of_kind("changed")} <= {"aws:ec2/vpcEndpoint:VpcEndpoint"}
    added = {c.name for c in t.of_kind("added")}
    assert {"openshift-machines-worker-us-east-1d-0", "openshift-subnet-tags-private-us-east-1d"} <= added


def test_a_regenerated_bootstrap_ign_updates_its_object_and_gives_a_new_bootstrap_machine(
    step2: ProgramRun, tmp_path: Path
) -> None:
    rotated = tmp_path / "bootstrap.ign"
    rotated.write_text(json.dumps({"ignition": {"version": "3.2.0"}, "storage": {"files": []}}))
    raw = shipped()
    raw["openshift"]["ignition"]["bootstrap"] = str(rotated)
    t = Transition(step2, planned(raw))
    assert protected_removals(t) == [] and t.of_kind("removed", "added") == []
    (replaced,) = t.of_kind("replaced")
    assert replaced.name == "openshift-machines-bootstrap" and "inputs.userData" in replaced.changes
    (changed,) = t.of_kind("changed")
    assert changed.type == "aws:s3/bucketObjectv2:BucketObjectv2"
    assert {c.split(".")[1] for c in changed.changes} == {"source"}


def test_a_regenerated_worker_ign_replaces_no_machine(step2: ProgramRun, tmp_path: Path) -> None:
    rotated = tmp_path / "worker.ign"
    document = json.loads((REPO / "examples/openshift/worker.ign").read_text())
    document["ignition"]["timeouts"] = {"httpTotal": 120}
    rotated.write_text(json.dumps(document))
    raw = shipped()
    raw["openshift"]["ignition"]["worker"] = str(rotated)
    t = Transition(step2, planned(raw))
    # The workers' user data changes, but they ignore it: the machine-config operator owns them.
    workers = [r for r in t.after.of_type("aws:ec2/instance:Instance") if "-worker-" in r.name]
    assert workers and all(json.loads(w.inputs["userData"])["ignition"]["timeouts"] for w in workers)
    assert t.of_kind("removed", "added", "replaced", "changed") == []
