"""`make lint` type-checks components/, tools/ and bench/ with mypy against the Pulumi SDKs' own types.

pyproject.toml has mypy read only the SDK modules the program uses (the others would cost minutes
of a cold check); a module the program starts to use and nobody adds there would be typed Any, and
its calls checked against nothing. This test finds every SDK module the program names.
"""

from __future__ import annotations

import ast
import importlib
import tomllib

from tests.conftest import REPO

# How the program imports the SDKs whose modules mypy reads selectively.
SDK_ALIASES = {"aws": "pulumi_aws", "k8s": "pulumi_kubernetes"}


def _read_modules() -> list[str]:
    """The module patterns mypy follows (overrides with follow_imports = normal)."""
    settings = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]
    return [
        pattern
        for override in settings["overrides"]
        if override.get("follow_imports") == "normal"
        for pattern in override["module"]
    ]


def _is_read(module: str, patterns: list[str]) -> bool:
    for pattern in patterns:
        if pattern.endswith(".*"):
            base = pattern.removesuffix(".*")
            if module == base or module.startswith(base + "."):
                return True
        elif module == pattern:
            return True
    return False


def _sdk_modules_named(source: str) -> set[str]:
    """`aws.ec2.Vpc` -> pulumi_aws.ec2; `aws.Provider` -> the module that defines it (pulumi_aws.provider)."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id in SDK_ALIASES:
            package = SDK_ALIASES[node.value.id]
            member = getattr(importlib.import_module(package), node.attr)
            found.add(member.__name__ if hasattr(member, "__path__") else member.__module__)
    return found


def test_mypy_reads_every_pulumi_sdk_module_the_program_uses() -> None:
    patterns = _read_modules()
    checked = [path for folder in ("components", "tools", "bench") for path in (REPO / folder).rglob("*.py")]
    used = set().union(*(_sdk_modules_named(path.read_text()) for path in checked))
    assert {"pulumi_aws.ec2", "pulumi_aws.provider", "pulumi_kubernetes.core"} <= used
    assert sorted(m for m in used if not _is_read(m, patterns)) == []


def test_mypy_checks_the_program_and_its_tools() -> None:
    files = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]["files"]
    assert {"components", "__main__.py", "tools", "bench"} <= set(files)


def test_mypy_caches_outside_git() -> None:
    cache = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["mypy"]["cache_dir"]
    assert f"{cache}/" in (REPO / ".gitignore").read_text().splitlines()
