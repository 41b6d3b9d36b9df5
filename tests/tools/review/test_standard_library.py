"""The review tools run with a bare Python: offline-diff-comment.yml runs `python3 -m
tools.review.diff_comment` with the runner's interpreter and installs nothing (tools/review/__init__.py).

Every module of tools.review, and of tools.diagrams which it draws with, is imported by a Python without
site-packages (`-I -S`) and renders a diff there; and each imports only the standard library and those
two packages, so a third-party import fails here rather than in the job that holds the write token.
"""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO

BARE_PACKAGES = ("tools.review", "tools.diagrams")


def bare_modules() -> list[str]:
    modules = []
    for package in BARE_PACKAGES:
        folder = REPO / package.replace(".", "/")
        modules += [f"{package}.{path.stem}" for path in sorted(folder.glob("*.py")) if path.stem != "__init__"]
    return modules


def imported_names(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    names |= {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) and node.module}
    return names


def test_the_review_and_diagram_modules_import_only_the_standard_library_and_each_other() -> None:
    foreign = {}
    for module in bare_modules():
        names = imported_names(REPO / f"{module.replace('.', '/')}.py")
        outside = {
            n for n in names if n.split(".")[0] not in sys.stdlib_module_names and not n.startswith(BARE_PACKAGES)
        }
        if outside:
            foreign[module] = sorted(outside)
    assert foreign == {}
    assert "tools.review.diff_comment" in bare_modules() and "tools.diagrams.markdown" in bare_modules()


def test_the_packages_on_the_way_import_nothing() -> None:
    for init in ("tools/__init__.py", "tools/review/__init__.py", "tools/diagrams/__init__.py"):
        assert imported_names(REPO / init) == set(), init


BARE_IMPORT = """
import json, sys
sys.path.insert(0, sys.argv[1])
for module in json.loads(sys.argv[2]):
    __import__(module)
print(json.dumps(sorted(n for n in sys.modules if n.split(".")[0] not in {*sys.stdlib_module_names, "__main__"})))
"""


def test_every_module_imports_in_a_python_without_site_packages() -> None:
    command = [sys.executable, "-I", "-S", "-c", BARE_IMPORT, str(REPO), json.dumps(bare_modules())]
    result = subprocess.run(command, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert {name.split(".")[0] for name in json.loads(result.stdout)} == {"tools"}


def test_the_workflows_command_renders_a_comment_without_site_packages(tmp_path: Path) -> None:
    vpc = {"urn": "urn:pulumi:dev::tkg-aws::aws:ec2/vpc:Vpc::vpc", "type": "aws:ec2/vpc:Vpc", "name": "vpc"}
    vpc |= {"parent": "", "provider": "", "dependsOn": [], "options": {}, "inputs": {"cidrBlock": "10.0.0.0/16"}}
    for side, resources in (("base", []), ("head", [vpc])):
        (tmp_path / side / "dev").mkdir(parents=True)
        (tmp_path / side / "dev" / "resources.json").write_text(json.dumps({"resources": resources}))
    # As offline-diff-comment.yml runs it from the checkout, minus site-packages and the environment.
    command = [sys.executable, "-E", "-s", "-S", "-m", "tools.review.diff_comment", str(tmp_path)]
    result = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "aws:ec2/vpc:Vpc" in result.stdout and "Offline plan diff" in result.stdout
