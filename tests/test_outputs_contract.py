"""The outputs contract: what docs/outputs.md documents is what the stack exports, and nothing leaks."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.conftest import REPO, plan, stack_file
from tools.plan.program import ProgramRun

GROUPS = {"network", "iam", "keyPair", "gpu"}
OPTIONAL_MARK = "(only with"


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    return plan(stack_file("prod")[0], stack="prod")


def documented_outputs() -> dict[str, str]:
    """Rows of the outputs table (docs/outputs.md): output name -> the rest of the row."""
    section = (REPO / "docs" / "outputs.md").read_text()
    rows = re.findall(r"^\| `([^`]+)` \|(.*)$", section, flags=re.MULTILINE)
    return dict(rows)


def exported_names(outputs: dict[str, Any]) -> set[str]:
    names = set()
    for key, value in outputs.items():
        if key in GROUPS:
            names |= {f"{key}.{sub}" for sub in value}
        elif key == "workloadAccounts":
            names |= {f"workloadAccounts.<name>.{sub}" for account in value.values() for sub in account}
        else:
            names.add(key)
    return names


def test_every_prod_output_is_documented_and_every_documented_output_exists(prod: ProgramRun) -> None:
    documented = documented_outputs()
    exported = exported_names(prod.outputs)
    assert exported - documented.keys() == set(), "exported but not in docs/outputs.md's table"
    missing = {name for name in documented.keys() - exported if OPTIONAL_MARK not in documented[name]}
    assert missing == set(), "documented but not exported by the prod stack"


def test_the_docs_mark_exactly_the_secret_outputs_as_secret(prod: ProgramRun) -> None:
    secret_rows = {
        name
        for name, row in documented_outputs().items()
        if row.rstrip().endswith("**yes** |") and OPTIONAL_MARK not in row  # optional ones: their platform's tests
    }
    secret_outputs = {key for key, value in prod.outputs.items() if value == "[secret]"}
    assert secret_rows == secret_outputs == {"keyPairPrivateKey"}


def test_no_group_hides_a_secret(prod: ProgramRun) -> None:
    """A secret inside a group would make the whole group secret to StackReference readers."""

    def secrets_in(value: Any) -> int:
        if isinstance(value, dict):
            return sum(secrets_in(v) for v in value.values())
        if isinstance(value, list):
            return sum(secrets_in(v) for v in value)
        return int(value == "[secret]")

    assert {key: secrets_in(value) for key, value in prod.outputs.items() if isinstance(value, dict)} == {
        key: 0 for key, value in prod.outputs.items() if isinstance(value, dict)
    }


def test_an_imported_public_key_exports_no_private_key(dev_raw: dict) -> None:
    dev_raw["keyPair"]["publicKey"] = (REPO / "tests" / "data" / "rsa2048.pub").read_text().strip()
    assert "keyPairPrivateKey" not in plan(dev_raw).outputs
