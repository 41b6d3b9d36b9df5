"""The JSON Schema of a stack file (`Pulumi.<stack>.yaml`), generated from the config models.

    python -m tools.generate.stack_schema            # writes schema/stack-config.schema.json
    python -m tools.generate.stack_schema --check    # exit 1 when the file differs from the models

Editors complete and check a stack file against it through the first line of the file,
`# yaml-language-server: $schema=schema/stack-config.schema.json` (the YAML language server of
VS Code, IntelliJ, Neovim). The schema says what the models say of each key's shape (types,
choices, required keys, unknown keys refused), with the key's documentation; the rules across keys
and the catalogs (regions' AZs, instance types, account ids) stay the program's: `make plan` is
the full check. Any value may also be a Pulumi secret (`secure: v1:...`).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from components import __version__
from components.config.models import ENGINE_NAMESPACE
from components.config.provider_settings import AwsSettings, KubernetesSettings, VsphereSettings
from components.config.validators import NAMESPACE, REGION_AZ_LETTERS
from components.stack_config.models import SECTIONS, StackConfig

ROOT_DIR = Path(__file__).resolve().parents[2]
SCHEMA_PATH = ROOT_DIR / "schema" / "stack-config.schema.json"
# The line that points an editor's YAML language server at the schema, first in every stack file.
EDITOR_LINE = "# yaml-language-server: $schema=schema/stack-config.schema.json"
SECURE = {
    "type": "object",
    "properties": {"secure": {"type": "string"}},
    "required": ["secure"],
    "additionalProperties": False,
    "description": "A Pulumi secret (pulumi config set --secret)",
}
# Provider settings arrive as the Pulumi CLI stores them (a top-level value is always a string),
# so the schema names the keys the program passes on and leaves their values to the program.
PROVIDER_SETTINGS: dict[str, type[BaseModel]] = {
    "aws": AwsSettings,
    "kubernetes": KubernetesSettings,
    "vsphere": VsphereSettings,
}


def stack_schema() -> dict[str, Any]:
    """The schema of a whole stack file: its `config:` map and Pulumi's own top-level keys."""
    models = StackConfig.model_json_schema(by_alias=True)
    definitions = {name: _secret_allowed(_untitled(d)) for name, d in sorted(models["$defs"].items())}
    config: dict[str, Any] = {
        f"{NAMESPACE}:{section}": _section(_untitled(models["properties"][section]), section in models["required"])
        for section in SECTIONS
    }
    config["aws:region"] = {"description": "The stack's AWS region", "enum": sorted(REGION_AZ_LETTERS)}
    for namespace, settings in PROVIDER_SETTINGS.items():
        for field in settings.model_fields.values():
            config.setdefault(f"{namespace}:{field.alias}", {"description": f"passed to the {namespace} provider"})
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": f"tkg-aws stack file (Pulumi.<stack>.yaml), version {__version__}",
        "type": "object",
        "properties": {
            "config": {
                "type": "object",
                "properties": config,
                "patternProperties": {f"^{ENGINE_NAMESPACE}:": {}},
                "additionalProperties": False,
                "required": [f"{NAMESPACE}:{s}" for s in SECTIONS if s in models["required"]] + ["aws:region"],
            },
            "secretsprovider": {"type": "string"},
            "encryptedkey": {"type": "string"},
            "encryptionsalt": {"type": "string"},
            "environment": {"description": "Pulumi ESC environments the stack imports"},
        },
        "required": ["config"],
        "additionalProperties": False,
        "$defs": {**definitions, "secure": SECURE},
    }


def _section(schema: dict[str, Any], required: bool) -> dict[str, Any]:
    schema = {key: value for key, value in schema.items() if key != "default"}
    if not required:
        # Pulumi.yaml declares the platform sections with an empty default: `{}` is "absent".
        return {"anyOf": [schema, {"type": "object", "maxProperties": 0}, {"$ref": "#/$defs/secure"}]}
    return {"anyOf": [schema, {"$ref": "#/$defs/secure"}]}


def _untitled(value: Any) -> Any:
    """pydantic's titles ("Natgateways") say nothing the key does not; editors show descriptions."""
    if isinstance(value, dict):
        return {k: _untitled(v) for k, v in value.items() if k != "title" or not isinstance(v, str)}
    if isinstance(value, list):
        return [_untitled(v) for v in value]
    return value


def _secret_allowed(definition: dict[str, Any]) -> dict[str, Any]:
    """A key inside a section may hold a secret too (`pulumi config set --secret --path`)."""
    properties = definition.get("properties")
    if not properties:
        return definition
    wrapped = {name: {"anyOf": [prop, {"$ref": "#/$defs/secure"}]} for name, prop in properties.items()}
    return {**definition, "properties": wrapped}


def schema_text() -> str:
    return json.dumps(stack_schema(), indent=2, sort_keys=True) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.generate.stack_schema", description=__doc__.split("\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the schema file differs from the models")
    args = parser.parse_args(argv)
    text = schema_text()
    if args.check:
        current = SCHEMA_PATH.read_text() if SCHEMA_PATH.is_file() else ""
        if current != text:
            stale = f"{SCHEMA_PATH.relative_to(ROOT_DIR)} is stale: run python -m tools.generate.stack_schema"
            print(stale, file=sys.stderr)
            return 1
        return 0
    SCHEMA_PATH.parent.mkdir(exist_ok=True)
    SCHEMA_PATH.write_text(text)
    print(f"wrote {SCHEMA_PATH.relative_to(ROOT_DIR)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
