"""Stack files (`Pulumi.<stack>.yaml`) read the way the Pulumi CLI hands them to the program.

Encrypted values (`secure:` ciphertext, at any depth) cannot be read without the stack's secrets
provider, so they become the secret placeholder and their keys are remembered as secret, which is
what the language host tells the program about a secret key. A file the CLI would refuse is refused
here too (StackFileError): not UTF-8, not YAML, or a key given twice in one map, where YAML
readers disagree about which value wins. A stack name is a name (letters, digits, `-`, `_`, `.`),
never a path, so `Pulumi.<stack>.yaml` stays beside the program.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from components.config.validators import NAMESPACE, SECRET_PLACEHOLDER, SHOWN_CHARACTERS, STACK_NAME, cut, shown

# libyaml's parser where PyYAML has it: a stack file in a millisecond instead of fifteen, and every stack
# file of the repository is read for each plan (its siblings, the stacks sharing its IAM set).
try:
    from yaml import CSafeLoader as _SafeLoader
except ImportError:  # a PyYAML built without libyaml
    from yaml import SafeLoader as _SafeLoader  # type: ignore[assignment]

# `.` and `..` pass STACK_NAME's characters but are directories, not names.
_NOT_NAMES = {".", ".."}


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


def stack_file_path(directory: Path, stack: str) -> Path:
    """`directory/Pulumi.<stack>.yaml`, for a stack name that is a name."""
    if not STACK_NAME.fullmatch(stack) or stack in _NOT_NAMES:
        raise StackFileError(
            f"not a stack name: 1-100 of letters, digits, -, _ and ., never a path (got {shown(stack)})"
        )
    return directory / f"Pulumi.{stack}.yaml"


def read_stack_file(path: Path) -> StackFile:
    if not path.is_file():
        raise StackFileError(f"no stack config file {path}")
    try:
        document = yaml.load(path.read_bytes().decode("utf-8"), Loader=_UniqueKeyLoader) or {}
    except OSError as err:
        raise StackFileError(f"{path} cannot be read: {err.strerror}") from None
    except UnicodeDecodeError as err:
        raise StackFileError(f"{path} is not UTF-8 text (byte {err.start}: {err.object[err.start]:#04x})") from None
    except yaml.YAMLError as err:
        raise StackFileError(f"{path} is not valid YAML: {_yaml_problem(err)}") from None
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


def _yaml_problem(err: yaml.YAMLError) -> str:
    """Where and what, on one line: `line 4, column 3: the key "x" is given twice`."""
    if isinstance(err, yaml.MarkedYAMLError) and err.problem_mark is not None:
        mark = err.problem_mark
        return cut(f"line {mark.line + 1}, column {mark.column + 1}: {err.problem}", SHOWN_CHARACTERS)
    return cut(" ".join(str(err).split()), SHOWN_CHARACTERS)


class _UniqueKeyLoader(_SafeLoader):
    """PyYAML's safe loader, refusing a key given twice in one map (PyYAML keeps the last)."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Hashable, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue  # `<<: *anchor` merges another map; its keys may repeat by design
            key = self.construct_object(key_node, deep=True)
            key = (type(key), key) if isinstance(key, (str, int, float, bool)) else None
            if key is not None and key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a map",
                    node.start_mark,
                    f"the key {shown(key[1])} is given twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _mask_secure(value: Any) -> tuple[Any, bool]:
    """Replace `{secure: ciphertext}` values, at any depth, by the secret placeholder."""
    if isinstance(value, dict):
        if set(value) == {"secure"}:
            return SECRET_PLACEHOLDER, True
        pairs = {k: _mask_secure(v) for k, v in value.items()}
        return {k: v for k, (v, _) in pairs.items()}, any(s for _, s in pairs.values())
    if isinstance(value, list):
        items = [_mask_secure(v) for v in value]
        return [v for v, _ in items], any(s for _, s in items)
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
