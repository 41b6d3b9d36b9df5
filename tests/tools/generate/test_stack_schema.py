"""The stack file's JSON Schema: generated from the models, shipped, and what editors check against."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.conftest import fixture_file
from tools.generate.stack_schema import EDITOR_LINE, SCHEMA_PATH, main, schema_text

REPO = Path(__file__).resolve().parents[3]
SHIPPED = sorted(REPO.glob("Pulumi.*.yaml"))


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def test_the_shipped_schema_is_the_one_the_models_generate() -> None:
    # A model change without `python -m tools.generate.stack_schema` leaves editors checking the old shape.
    assert SCHEMA_PATH.read_text() == schema_text()
    assert main(["--check"]) == 0


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.name)
def test_every_shipped_stack_file_is_valid_and_points_editors_at_the_schema(
    path: Path, validator: jsonschema.Draft202012Validator
) -> None:
    assert path.read_text().splitlines()[0] == EDITOR_LINE
    assert (path.parent / EDITOR_LINE.split("$schema=")[1]).is_file()
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(yaml.safe_load(path.read_text()))]
    assert errors == []


def _dev() -> dict[str, Any]:
    return yaml.safe_load(fixture_file("dev").read_text())


def _with(key: str, change: Any) -> dict[str, Any]:
    document = copy.deepcopy(_dev())
    change(document["config"]) if callable(change) else document["config"].update({key: change})
    return document


WRONG = {
    "a misspelt namespace": _with("tkg_aws:network", {"cidr": "10.0.0.0/16"}),
    "an unknown section": _with("tkg-aws:netwrok", {"cidr": "10.0.0.0/16"}),
    "an unknown key in a section": _with("tkg-aws:network", {"cidrs": "10.0.0.0/16"}),
    "a word where a flag belongs": _with("tkg-aws:network", {"mapPublicIpOnLaunch": "yes"}),
    "a choice that is not one": _with("tkg-aws:network", {"natGateways": "two"}),
    "an account id as a number": _with("tkg-aws:managementCluster", {"accountId": 123456789012}),
    "a region that is not one": _with("aws:region", "us-west-9"),
    "a provider key the program refuses": _with("aws:defaultTags", {"tags": {"a": "b"}}),
    "no environment": _with("", lambda config: config.pop("tkg-aws:environment")),
}


@pytest.mark.parametrize("document", WRONG.values(), ids=WRONG.keys())
def test_the_schema_refuses_a_wrong_stack_file(document: dict, validator: jsonschema.Draft202012Validator) -> None:
    assert not validator.is_valid(document)


def test_secrets_and_empty_platform_sections_are_accepted(validator: jsonschema.Draft202012Validator) -> None:
    document = _with("tkg-aws:openshift", {})
    document["config"]["tkg-aws:managementCluster"]["kubeconfig"] = {"secure": "v1:AAAA"}
    document["config"]["tkg-aws:gpu"] = {"secure": "v1:AAAA"}
    assert validator.is_valid(document), [e.message for e in validator.iter_errors(document)]
