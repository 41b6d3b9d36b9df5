"""A render-mode stack keeps its whole manifest directory across CI runners (tools/deploy/rendered_manifests.py).

The Kubernetes provider writes only the objects an update creates or changes, and removes the files
of deleted ones. The main workflow restores gitops/<stack>/ into the render directory before
`pulumi up` and saves it back afterwards; these tests play the provider's part between the two.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from tests.conftest import REPO
from tools.deploy.rendered_manifests import RenderDirectoryError, main, render_directory, restore, save


def project(tmp_path: Path, render_dir: str | None) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    cluster = {"accountId": "111111111111"}
    if render_dir is not None:
        cluster["renderYamlToDirectory"] = render_dir
    config = {"aws:region": "us-west-2", "tkg-aws:environment": "dev", "tkg-aws:managementCluster": cluster}
    (tmp_path / "Pulumi.dev.yaml").write_text(yaml.safe_dump({"config": config}))
    return tmp_path


def files(directory: Path) -> dict[str, str]:
    return {str(p.relative_to(directory)): p.read_text() for p in sorted(directory.rglob("*")) if p.is_file()}


def test_a_run_that_changes_one_object_keeps_every_other_rendered_file(tmp_path: Path) -> None:
    root = project(tmp_path, "build/manifests/dev")
    kept = root / "gitops" / "dev" / "1-manifest"
    kept.mkdir(parents=True)
    for name in ("identity-lob-dev.yaml", "identity-lob-prod.yaml", "gpu-operator.yaml"):
        (kept / name).write_text(f"kind: {name}\n")
    rendered = restore("dev", root)
    assert rendered == root / "build" / "manifests" / "dev"
    assert files(rendered) == files(root / "gitops" / "dev")
    # `pulumi up`: one identity changes, the GPU add-on is switched off, nothing else is written.
    (rendered / "1-manifest" / "identity-lob-prod.yaml").write_text("kind: changed\n")
    (rendered / "1-manifest" / "gpu-operator.yaml").unlink()
    save("dev", root)
    assert files(root / "gitops" / "dev") == {
        "1-manifest/identity-lob-dev.yaml": "kind: identity-lob-dev.yaml\n",
        "1-manifest/identity-lob-prod.yaml": "kind: changed\n",
    }


def test_the_copy_may_be_kept_in_another_checkout(tmp_path: Path) -> None:
    """The workflow keeps it in a worktree of the latest main: the last deployment's manifests."""
    root, latest_main = project(tmp_path / "deployed-commit", "build/manifests/dev"), tmp_path / "main"
    (latest_main / "gitops" / "dev" / "1-manifest").mkdir(parents=True)
    (latest_main / "gitops" / "dev" / "1-manifest" / "identity.yaml").write_text("kind: Latest\n")
    (root / "gitops" / "dev" / "1-manifest").mkdir(parents=True)
    (root / "gitops" / "dev" / "1-manifest" / "identity.yaml").write_text("kind: Older\n")
    rendered = restore("dev", root, kept_in=latest_main)
    assert files(rendered) == {"1-manifest/identity.yaml": "kind: Latest\n"}
    (rendered / "0-crd").mkdir()
    (rendered / "0-crd" / "new.yaml").write_text("kind: New\n")
    save("dev", root, kept_in=latest_main)
    assert files(latest_main / "gitops" / "dev") == {
        "1-manifest/identity.yaml": "kind: Latest\n",
        "0-crd/new.yaml": "kind: New\n",
    }
    assert files(root / "gitops" / "dev") == {"1-manifest/identity.yaml": "kind: Older\n"}


def test_the_first_run_starts_from_an_empty_directory(tmp_path: Path) -> None:
    root = project(tmp_path, "build/manifests/dev")
    stale = root / "build" / "manifests" / "dev" / "1-manifest" / "left-from-a-local-run.yaml"
    stale.parent.mkdir(parents=True)
    stale.write_text("kind: Stale\n")
    assert files(restore("dev", root)) == {}
    save("dev", root)
    assert (root / "gitops" / "dev").is_dir() and files(root / "gitops" / "dev") == {}


def test_a_stack_that_applies_to_its_cluster_keeps_nothing(tmp_path: Path, capsys) -> None:
    root = project(tmp_path, None)
    assert restore("dev", root) is None and save("dev", root) is None
    assert not (root / "gitops").exists()


def test_a_stack_rendering_straight_into_its_kept_copy_is_left_as_it_is(tmp_path: Path) -> None:
    root = project(tmp_path, "gitops/dev")
    (root / "gitops" / "dev" / "1-manifest").mkdir(parents=True)
    (root / "gitops" / "dev" / "1-manifest" / "a.yaml").write_text("kind: A\n")
    restore("dev", root)
    save("dev", root)
    assert files(root / "gitops" / "dev") == {"1-manifest/a.yaml": "kind: A\n"}


@pytest.mark.parametrize(
    ("directory", "why"),
    [
        (".", "must be a folder inside the project"),
        ("..", "must be a folder inside the project"),
        ("../../etc", "must be a folder inside the project"),
        ("/tmp/manifests", "must be a folder inside the project"),
        (".git", "own folder .git/"),
        ("policy", "own folder policy/"),
        ("components", "own folder components/"),
        ("tests", "own folder tests/"),
        ("gitops", "apart from gitops/dev"),
        ("gitops/dev/sub", "apart from gitops/dev"),
    ],
)
def test_a_directory_outside_the_project_on_its_folders_or_on_the_kept_copy_is_refused(
    tmp_path: Path, directory, why
) -> None:
    with pytest.raises(RenderDirectoryError, match=why):
        render_directory("dev", project(tmp_path, directory))


def test_restore_touches_only_the_files_the_provider_renders(tmp_path: Path) -> None:
    """A render directory shared with files of the user's own (a README, a kustomization) keeps them."""
    root = project(tmp_path, "build/manifests/dev")
    rendered = root / "build" / "manifests" / "dev"
    (rendered / "1-manifest").mkdir(parents=True)
    (rendered / "1-manifest" / "stale.yaml").write_text("kind: Stale\n")
    (rendered / "1-manifest" / "notes.txt").write_text("mine\n")
    (rendered / "kustomization.yaml").write_text("resources: []\n")
    (root / "gitops" / "dev" / "1-manifest").mkdir(parents=True)
    (root / "gitops" / "dev" / "1-manifest" / "kept.yaml").write_text("kind: Kept\n")
    restore("dev", root)
    assert files(rendered) == {
        "1-manifest/kept.yaml": "kind: Kept\n",
        "1-manifest/notes.txt": "mine\n",
        "kustomization.yaml": "resources: []\n",
    }


def test_restore_never_writes_or_deletes_through_a_symlink(tmp_path: Path) -> None:
    root = project(tmp_path / "project", "build/manifests/dev")
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "precious.yaml").write_text("kind: Precious\n")
    (root / "build" / "manifests" / "dev").mkdir(parents=True)
    (root / "build" / "manifests" / "dev" / "1-manifest").symlink_to(outside)
    with pytest.raises(RenderDirectoryError, match="symlink"):
        restore("dev", root)
    assert files(outside) == {"precious.yaml": "kind: Precious\n"}


def test_a_stack_name_that_is_a_path_exits_2(capsys) -> None:
    assert main(["restore", "../../etc/x"]) == 2
    assert "not a stack name" in capsys.readouterr().err


def test_the_deploy_job_restores_before_pulumi_up_and_hands_the_copy_on_after_it() -> None:
    jobs = yaml.safe_load((REPO / ".github" / "workflows" / "main.yml").read_text())["jobs"]
    steps = jobs["up"]["steps"]
    order = [s.get("uses", "").split("@")[0] or s.get("run", "") for s in steps]
    restore_at = next(i for i, s in enumerate(order) if "tools.deploy.rendered_manifests restore" in s)
    up_at = order.index("pulumi/actions")
    save_at = next(i for i, s in enumerate(order) if "tools.deploy.rendered_manifests save" in s)
    assert restore_at < up_at < save_at
    # Both read and write the copy the last deployment left: the branch gitops/<stack>, else main.
    assert "--kept-in" in order[restore_at] and "--kept-in" in order[save_at]
    kept = next(step for step in order[:restore_at] if "git worktree add" in step)
    assert "origin/gitops/$STACK" in kept and "origin/main" in kept
    assert order[save_at + 1] == "actions/upload-artifact"
    assert jobs["deliver"]["needs"] == "up"


def test_the_command_line_names_the_directory_or_fails_with_exit_2(capsys) -> None:
    assert main(["restore", "no-such-stack"]) == 2
    assert "no stack config file" in capsys.readouterr().err
