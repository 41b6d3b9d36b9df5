"""The layers of components/ import only downwards: the config is the ground floor, the platforms
stand on it, and the stack config that assembles them is imported at run time only from above."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

COMPONENTS = Path(__file__).resolve().parent.parent / "components"
PLATFORMS = ("tkg", "openshift", "eks_outposts", "vsphere")
ABOVE_CONFIG = (*PLATFORMS, "foundations", "stack_config", "stack", "package")


def runtime_imports(path: Path) -> set[str]:
    """Modules a file imports when it runs: `if TYPE_CHECKING:` blocks are for the type checker only."""
    tree = ast.parse(path.read_text())
    skipped = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and ast.unparse(block.test) == "TYPE_CHECKING"
        for child in block.body
        for node in ast.walk(child)
    }
    found = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def layer_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if parts[0] == "components" and len(parts) > 1 else None


def files(folder: str) -> list[Path]:
    return sorted((COMPONENTS / folder).rglob("*.py"))


@pytest.mark.parametrize("path", files("config"), ids=lambda p: p.name)
def test_the_config_package_imports_no_platform_and_nothing_above_it(path: Path) -> None:
    upward = sorted(m for m in runtime_imports(path) if layer_of(m) in ABOVE_CONFIG)
    assert upward == []


@pytest.mark.parametrize("platform", [*PLATFORMS, "foundations"])
def test_platforms_and_foundations_never_import_the_stack_config_at_run_time(platform: str) -> None:
    upward = sorted(
        (path.name, module)
        for path in files(platform)
        for module in runtime_imports(path)
        if layer_of(module) in ("stack_config", "stack", "package")
    )
    assert upward == []
    assert files(platform), platform


def test_platforms_use_each_other_one_way_only() -> None:
    """TKG's legacy iam.eksLocalClusterRole is built by the EKS platform's role code, so TKG imports
    the EKS platform; the EKS platform imports no other platform at run time, so no cycle can form."""
    sideways = {
        (platform, layer_of(module))
        for platform in PLATFORMS
        for path in files(platform)
        for module in runtime_imports(path)
        if layer_of(module) in PLATFORMS and layer_of(module) != platform
    }
    assert sideways == {("tkg", "eks_outposts")}
