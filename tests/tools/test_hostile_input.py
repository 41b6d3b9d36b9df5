"""Input a reviewer would try to break the tools with: stack names that are paths, stack files the
CLI refuses, a symlinked output directory, a render directory on the project's own folders, values
megabytes long. Each is refused with exit 2 and a sentence, never a traceback, and never breaks
another stack's plan or `pulumi up`.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from components.config.base import ConfigError
from components.config.stack_files import StackFileError, read_stack_file, stacks_sharing_iam
from components.stack_config.loading import parse_stack_config
from tests.conftest import REPO, fixture_file, planned
from tools.deploy.rendered_manifests import main as rendered_main_of
from tools.deploy.sandbox_stack import main as sandbox_main
from tools.plan.command import main as plan_main
from tools.plan.command import plan_stack, repository_problems, write_plan
from tools.preflight.command import main as preflight_main


def minimal_stack(environment: str = "dev") -> str:
    config = {
        "aws:region": "us-west-2",
        "tkg-aws:environment": environment,
        # An account no shipped stack uses: nothing collides with them.
        "tkg-aws:managementCluster": {"accountId": "999999999999"},
    }
    return yaml.safe_dump({"config": config})


# Valid stacks but for one thing: a byte that is no UTF-8 (é in Latin-1), a key given twice.
NOT_UTF8 = minimal_stack().replace("environment: dev", "environment: d\xe9v").encode("latin-1")
DUPLICATE_KEYS = minimal_stack() + "  tkg-aws:environment: prod\n"


# --- stack names ---------------------------------------------------------------------------------
@pytest.mark.parametrize("name", ["../dev", "..", ".", "a/b", "/etc/passwd", "dev\n", ""])
def test_a_stack_name_that_is_a_path_is_refused_with_exit_2(capsys, name) -> None:
    assert plan_main([name, "--out", "/nonexistent/never-written"]) == 2
    error = capsys.readouterr().err
    assert "not a stack name" in error and "Traceback" not in error


def rendered_main(argv: list[str]) -> int:
    return rendered_main_of(["restore", *argv])


@pytest.mark.parametrize("tool", [preflight_main, rendered_main, lambda argv: sandbox_main(["region", *argv])])
def test_every_tool_refuses_a_stack_name_that_is_a_path(capsys, tool) -> None:
    assert tool(["../../etc/passwd"]) == 2
    assert "not a stack name" in capsys.readouterr().err


def test_a_stack_name_with_a_config_file_is_still_a_name(capsys, tmp_path: Path) -> None:
    """--config-file picks the file; the name still decides build/plan/<stack>, so it stays a name."""
    stack_file = tmp_path / "Pulumi.x.yaml"
    stack_file.write_text(minimal_stack())
    assert plan_main(["../../escaped", "--config-file", str(stack_file)]) == 2
    assert not (REPO / "escaped").exists()  # build/plan/../../escaped


# --- stack files the CLI refuses ------------------------------------------------------------------
def test_a_stack_file_that_is_not_utf8_is_refused_naming_the_byte(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_bytes(NOT_UTF8)
    with pytest.raises(StackFileError, match=r"is not UTF-8 text \(byte \d+: 0xe9\)"):
        read_stack_file(path)


def test_a_key_given_twice_is_refused_as_pulumi_refuses_it(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text(DUPLICATE_KEYS)
    with pytest.raises(StackFileError, match=r'the key "tkg-aws:environment" is given twice'):
        read_stack_file(path)


def test_keys_given_twice_deeper_down_are_refused_too(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("config:\n  tkg-aws:network:\n    cidr: 10.0.0.0/16\n    cidr: 10.1.0.0/16\n")
    with pytest.raises(StackFileError, match='"cidr" is given twice'):
        read_stack_file(path)


def test_anchors_merged_into_a_map_are_not_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "Pulumi.dev.yaml"
    path.write_text("x: &base {a: 1}\nconfig:\n  tkg-aws:tags:\n    <<: *base\n    b: '2'\n")
    assert read_stack_file(path).values["tkg-aws:tags"] == {"a": 1, "b": "2"}


@pytest.mark.parametrize("content", [NOT_UTF8, DUPLICATE_KEYS.encode()], ids=["not-utf8", "duplicate-keys"])
def test_the_plan_command_exits_2_on_such_a_file(capsys, tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "Pulumi.bad.yaml"
    path.write_bytes(content)
    assert plan_main(["bad", "--config-file", str(path), "--out", str(tmp_path / "out")]) == 2
    assert "Traceback" not in capsys.readouterr().err and not (tmp_path / "out").exists()


@pytest.fixture(scope="module")
def project_with_bad_siblings(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project whose dev stack file is fine and whose other stack files are not."""
    root = tmp_path_factory.mktemp("project")
    (root / "Pulumi.dev.yaml").write_text(minimal_stack())
    (root / "Pulumi.latin1.yaml").write_bytes(NOT_UTF8)
    (root / "Pulumi.twice.yaml").write_text(DUPLICATE_KEYS)
    (root / "Pulumi.folder.yaml").mkdir()
    return root


def test_a_bad_sibling_stack_file_never_breaks_pulumi_up_of_another_stack(project_with_bad_siblings: Path) -> None:
    """__main__.py reads the stack files beside the program for the IAM set they share."""
    assert stacks_sharing_iam("dev", project_with_bad_siblings) == []


def test_a_bad_sibling_stack_file_never_breaks_the_plan_of_another_stack(project_with_bad_siblings: Path) -> None:
    run = plan_stack("dev", directory=project_with_bad_siblings)
    assert repository_problems(run, project_with_bad_siblings) == []


# --- where the plan writes ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def dev_plan():
    return planned("dev")


def test_an_output_directory_that_is_a_symlink_is_refused(capsys, tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (tmp_path / "out").symlink_to(elsewhere)
    assert plan_main(["dev", "--config-file", str(fixture_file("dev")), "--out", str(tmp_path / "out")]) == 2
    assert "is a symlink" in capsys.readouterr().err
    assert list(elsewhere.iterdir()) == []


def test_a_plan_file_that_is_a_symlink_is_never_written_through(dev_plan, tmp_path: Path) -> None:
    victim = tmp_path / "victim"
    victim.write_text("keep me\n")
    out = tmp_path / "out"
    out.mkdir()
    (out / "resources.json").symlink_to(victim)
    with pytest.raises(Exception, match="a symlink is never followed"):
        write_plan(dev_plan, out)
    assert victim.read_text() == "keep me\n"


# --- renderYamlToDirectory -------------------------------------------------------------------------
def render_config(directory: str) -> dict:
    cluster = {"accountId": "111111111111", "renderYamlToDirectory": directory}
    return {"aws:region": "us-west-2", "tkg-aws:environment": "dev", "tkg-aws:managementCluster": cluster}


@pytest.mark.parametrize(
    ("directory", "why"),
    [
        ("../../etc", "must be a folder inside the project"),
        ("/etc", "must be a folder inside the project"),
        (".", "must be a folder inside the project"),
        (".git", "must not be in the project's own folder .git/"),
        ("policy", "own folder policy/"),
        ("components/tkg", "own folder components/"),
        ("tools", "own folder tools/"),
        ("tests/rendered", "own folder tests/"),
        (".github/workflows", "own folder .github/"),
        ("build/../policy", "own folder policy/"),
        ("README.md", "is a file of the project"),
    ],
)
def test_a_render_directory_outside_the_project_or_on_its_own_folders_is_refused(directory, why) -> None:
    with pytest.raises(ConfigError) as refused:
        parse_stack_config(render_config(directory), project_dir=REPO)
    (line,) = [p for p in refused.value.problems if "renderYamlToDirectory" in p]
    assert line.startswith("tkg-aws:managementCluster.renderYamlToDirectory: ") and why in line


def test_a_render_directory_reached_through_a_symlink_out_of_the_project_is_refused(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / "build").symlink_to(tmp_path)
    with pytest.raises(ConfigError, match="must be a folder inside the project"):
        parse_stack_config(render_config("build/manifests"), project_dir=project)


@pytest.mark.parametrize("directory", ["build/manifests/dev", "gitops/dev", "rendered"])
def test_render_directories_of_their_own_are_accepted(directory) -> None:
    parse_stack_config(render_config(directory), project_dir=REPO)


# --- long values ------------------------------------------------------------------------------------
def test_a_value_megabytes_long_is_cut_in_the_message() -> None:
    values = {**render_config("build/x"), "tkg-aws:environment": "x" * 5_000_000, "tkg-aws:netwrk": ["y" * 10**6]}
    with pytest.raises(ConfigError) as refused:
        parse_stack_config(values, project_dir=REPO)
    message = str(refused.value)
    assert len(message) < 5_000
    assert "(5000002 characters)" in message


def test_a_long_value_a_rule_repeats_is_cut_too() -> None:
    arn = "arn:aws:iam::222222222222:role/" + "r" * 100_000
    values = {
        **render_config("build/x"),
        "tkg-aws:managementCluster": {"accountId": "111111111111", "capaPrincipalArns": [arn, arn]},
    }
    with pytest.raises(ConfigError) as refused:
        parse_stack_config(values, project_dir=REPO)
    assert all(len(line) < 1_100 for line in refused.value.problems)


def test_the_shipped_projects_folders_are_all_protected() -> None:
    """A new source folder must join validators.PROJECT_FOLDERS, or renders could overwrite it."""
    from components.config.validators import PROJECT_FOLDERS

    generated = {"build", "gitops", "__pycache__", ".pytest_cache", ".ruff_cache"}
    folders = {p.name for p in REPO.iterdir() if p.is_dir() and p.name not in generated}
    assert folders <= PROJECT_FOLDERS | {p for p in folders if p.startswith(".")}, folders - PROJECT_FOLDERS
