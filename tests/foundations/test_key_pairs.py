"""KeyPairs: the EC2 key pair imported from config or generated, and where its private key may show."""

from __future__ import annotations

import json

import pulumi
import pytest

from components.foundations.key_pairs import KeyPairs, KeyPairsArgs
from tests.conftest import RSA_2048_PUBLIC_KEY, plan, register, stack_file
from tools.plan.command import write_plan
from tools.plan.program import ProgramRun

KEY_PAIR = "aws:ec2/keyPair:KeyPair"
PRIVATE_KEY = "tls:index/privateKey:PrivateKey"
# What tools/plan/mocks.py returns as the generated private key; it must never reach a plan file.
MOCK_PEM_TEXT = "BEGIN RSA PRIVATE KEY"


@pytest.fixture(scope="module")
def generated() -> ProgramRun:
    return plan(stack_file("dev")[0])  # dev gives no publicKey


@pytest.fixture(scope="module")
def imported() -> ProgramRun:
    raw = stack_file("dev")[0]
    return plan({**raw, "keyPair": {"name": "ops", "publicKey": RSA_2048_PUBLIC_KEY}})


def test_without_a_public_key_an_rsa_4096_key_is_generated_and_imported(generated):
    (private_key,) = generated.of_type(PRIVATE_KEY)
    assert private_key.inputs == {"algorithm": "RSA", "rsaBits": 4096}
    (key_pair,) = generated.of_type(KEY_PAIR)
    assert key_pair.inputs["keyName"] == "tkg-dev"
    assert key_pair.inputs["publicKey"].startswith("ssh-rsa AAAA")
    assert not key_pair.inputs["publicKey"].endswith("\n")


def test_a_given_public_key_is_imported_as_is(imported):
    assert imported.of_type(PRIVATE_KEY) == []
    (key_pair,) = imported.of_type(KEY_PAIR)
    assert key_pair.inputs == {"keyName": "ops", "publicKey": RSA_2048_PUBLIC_KEY}


def test_key_pair_is_deleted_before_it_is_replaced(generated):
    # EC2 key pair names are unique per region: a replacement cannot be created beside the old one.
    (key_pair,) = generated.of_type(KEY_PAIR)
    assert key_pair.options == {"deleteBeforeReplace": True}


def test_key_pair_output_names_the_key_without_secrets(generated, imported):
    for run, name in ((generated, "tkg-dev"), (imported, "ops")):
        group = run.outputs["keyPair"]
        assert set(group) == {"name", "fingerprint", "keyPairId"}
        assert group["name"] == name
        assert group["keyPairId"].startswith("key-0")
        assert "[secret]" not in json.dumps(group)


def test_generated_private_key_is_a_secret_top_level_output(generated, imported):
    assert generated.outputs["keyPairPrivateKey"] == "[secret]"
    assert "keyPairPrivateKey" not in imported.outputs


def test_private_key_never_reaches_the_plan_files(generated, tmp_path):
    written = write_plan(generated, tmp_path)
    text = "".join(path.read_text() for path in written)
    assert MOCK_PEM_TEXT not in text
    assert "OPENSSH PRIVATE KEY" not in text
    resources = json.loads((tmp_path / "resources.json").read_text())
    assert resources["outputs"]["keyPairPrivateKey"] == "[secret]"


def test_a_key_pair_can_import_another_accounts_public_key():
    # Issue 5: the management account's key, imported into a workload account.
    def build():
        management = KeyPairs("key-pair", KeyPairsArgs(key_name="tkg-dev"))
        workload = KeyPairs("lob-dev", KeyPairsArgs(key_name="tkg-dev", public_key=management.public_key_openssh))
        return pulumi.Output.all(management.public_key_openssh, workload.public_key_openssh)

    registrations = register(build)
    keys = {r.name: r.inputs["publicKey"] for r in registrations.values() if r.type == KEY_PAIR}
    private_keys = [r for r in registrations.values() if r.type == PRIVATE_KEY]
    assert keys["lob-dev"] == keys["key-pair"]
    assert len(private_keys) == 1
