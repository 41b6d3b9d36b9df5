"""Stack files (`Pulumi.<stack>.yaml`) read the way the Pulumi CLI hands them to the program.

Encrypted values (`secure:` ciphertext, at any depth) cannot be read without the stack's secrets
provider, so they become the secret placeholder and their keys are remembered as secret, which is
what the language host tells the program about a secret key.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.config.validators import NAMESPACE, SECRET_PLACEHOLDER


class StackFileError(Exception):
    """The stack's config file is missing or unreadable."""


@dataclass(frozen=True)
class StackFile:
    """Every config key of one stack file (`namespace:key` -> value) and which keys are secret."""

    path: Path
    values: dict[str, Any]
    secret_keys: frozenset[str]

    @property
    def stack(self) -> str:
        return self.path.name.removeprefix("Pulumi.").removesuffix(".yaml")

    @property
    def raw(self) -> dict[str, Any]:
        """The tkg-aws keys without their namespace."""
        prefix = f"{NAMESPACE}:"
        return {k.removeprefix(prefix): v for k, v in self.values.items() if k.startswith(prefix)}

    @property
    def region(self) -> str | None:
        return self.values.get("aws:region")

    @property
    def secret_sections(self) -> set[str]:
        prefix = f"{NAMESPACE}:"
        return {k.removeprefix(prefix) for k in self.secret_keys if k.startswith(prefix)}


def read_stack_file(path: Path) -> StackFile:
    if not path.is_file():
        raise StackFileError(f"no stack config file {path}")
    try:
        document = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as err:
        raise StackFileError(f"{path} is not valid YAML: {err}") from None
    if not isinstance(document, dict) or not isinstance(document.get("config") or {}, dict):
        raise StackFileError(f"{path} has no `config:` map")
    values, secrets = {}, set()
    for key, value in (document.get("config") or {}).items():
        masked, had_secret = _mask_secure(value)
        values[str(key)] = masked
        if had_secret:
            secrets.add(str(key))
    return StackFile(path, values, frozenset(secrets))


def stack_files(directory: Path) -> list[Path]:
    """The repository's stack files, by stack name."""
    return sorted(directory.glob("Pulumi.*.yaml"))


def _mask_secure(value: Any) -> tuple[Any, bool]:
    """Replace `{secure: ciphertext}` values, at any depth, by the secret placeholder."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        pairs = {k: _mask_secure(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        pairs = [_mask_secure(v) for v in value]
        return [v for v, _ in pairs], any(s for _, s in pairs)
    return value, False


def stacks_sharing_iam(stack: str, directory: Path) -> list[str]:
    """The other stacks of the repository whose file says `iam.ownedByStack: <stack>`.

    Read from the stack files beside the program, for `pulumi up` as for the plan, so the owner of
    a shared IAM set knows to leave it in the account when it is destroyed.
    """
    users = []
    for path in stack_files(directory):
        try:
            other = read_stack_file(path)
        except StackFileError:
            continue
        iam = other.values.get(f"{NAMESPACE}:iam")
        if other.stack != stack and isinstance(iam, dict) and iam.get("ownedByStack") == stack:
            users.append(other.stack)
    return users
