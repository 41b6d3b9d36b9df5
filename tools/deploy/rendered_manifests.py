"""Keep what a render-mode stack renders (managementCluster.renderYamlToDirectory) across CI runners.

    python -m tools.deploy.rendered_manifests restore STACK [--kept-in CHECKOUT]   # before `pulumi up`
    python -m tools.deploy.rendered_manifests save STACK [--kept-in CHECKOUT]      # after it

In render mode the Kubernetes provider writes an object's YAML file when the object is created or
updated and deletes it when the object is deleted; it never writes an unchanged object again. On
a throwaway CI runner the directory therefore starts empty, and after `pulumi up` it holds only
what changed. The main workflow keeps the whole directory in git instead, under gitops/<STACK>/:
`restore` copies that copy into the render directory before `pulumi up`, so the provider works on
the complete set, and `save` makes gitops/<STACK>/ a mirror of the render directory afterwards,
for the workflow to commit (and a GitOps controller to apply). `--kept-in` names the checkout whose
gitops/ holds the copy (default: this one): the workflow uses a worktree of the latest main, since
the copy must match the stack's state, which the last deployment left, not the commit being deployed.

Both touch only what the provider renders: the `*.yaml` files of its two folders, `0-crd/` and
`1-manifest/`. Anything else in either directory stays, and nothing is followed through a symlink.
Both print the render directory, or nothing for a stack that applies to its cluster directly (and
then do nothing). Exit codes: 0 done, 2 the stack name or file is bad, or the directory is outside
the project or one of its own folders (components/config/validators.py).
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from components.config.stack_files import StackFileError, read_stack_file, stack_file_path
from components.config.validators import render_directory_problem

ROOT_DIR = Path(__file__).resolve().parents[2]
GITOPS_DIR = "gitops"
# The folders the Kubernetes provider renders into: custom resource definitions, then every other object.
RENDERED_FOLDERS = ("0-crd", "1-manifest")
EXIT_BAD_STACK = 2


class RenderDirectoryError(Exception):
    """The stack's render directory cannot be kept safely."""


def render_directory(stack: str, root: Path = ROOT_DIR) -> Path | None:
    """The stack's managementCluster.renderYamlToDirectory, inside the project; None when unset."""
    cluster = read_stack_file(stack_file_path(root, stack)).raw.get("managementCluster")
    directory = cluster.get("renderYamlToDirectory") if isinstance(cluster, dict) else None
    if not directory:
        return None
    if not isinstance(directory, str):
        raise RenderDirectoryError(f"renderYamlToDirectory must be a folder's path (got {directory!r})")
    problem = render_directory_problem(directory, root)
    resolved, kept = (root / directory).resolve(), kept_copy(stack, root).resolve()
    # Both directories are refilled from each other: neither may hold the other.
    nested = resolved != kept and (resolved.is_relative_to(kept) or kept.is_relative_to(resolved))
    if problem is None and nested:
        problem = f"must be apart from {GITOPS_DIR}/{stack}, the copy kept of it"
    if problem is not None:
        raise RenderDirectoryError(f"renderYamlToDirectory {problem} (got {directory!r})")
    return resolved


def kept_copy(stack: str, root: Path = ROOT_DIR) -> Path:
    return root / GITOPS_DIR / stack


def restore(stack: str, root: Path = ROOT_DIR, kept_in: Path | None = None) -> Path | None:
    """The kept copy into the render directory, which then holds exactly what the last run left."""
    directory = render_directory(stack, root)
    if directory is not None:
        _mirror(kept_copy(stack, kept_in or root), directory)
    return directory


def save(stack: str, root: Path = ROOT_DIR, kept_in: Path | None = None) -> Path | None:
    """The render directory into the kept copy: files of deleted objects go, new and changed ones come."""
    directory = render_directory(stack, root)
    if directory is not None:
        _mirror(directory, kept_copy(stack, kept_in or root))
    return directory


def _mirror(source: Path, target: Path) -> None:
    """Make `target`'s rendered files exactly those of `source` (an absent source counts as empty);
    nothing else in `target` is touched."""
    if source.resolve() == target.resolve():
        return  # the stack renders straight into its kept copy
    if target.is_symlink() or any((target / folder).is_symlink() for folder in RENDERED_FOLDERS):
        raise RenderDirectoryError(f"{target} or one of its rendered folders is a symlink: not followed")
    wanted = rendered_files(source)
    for relative in rendered_files(target).keys() - wanted.keys():
        (target / relative).unlink()
    for relative, path in sorted(wanted.items()):
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        if destination.is_symlink():
            destination.unlink()
        shutil.copyfile(path, destination)
    target.mkdir(parents=True, exist_ok=True)


def rendered_files(directory: Path) -> dict[str, Path]:
    """The provider's files in `directory` by relative path: regular `*.yaml` files of its folders."""
    found = {}
    for folder in RENDERED_FOLDERS:
        base = directory / folder
        if base.is_dir() and not base.is_symlink():
            for path in base.glob("*.yaml"):
                if path.is_file() and not path.is_symlink():
                    found[f"{folder}/{path.name}"] = path
    return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.deploy.rendered_manifests", description=__doc__.splitlines()[0]
    )
    parser.add_argument("action", choices=("restore", "save"))
    parser.add_argument("stack", help="stack name: reads Pulumi.STACK.yaml")
    parser.add_argument("--kept-in", type=Path, help="checkout whose gitops/ holds the copy (default: this one)")
    args = parser.parse_args(argv)
    try:
        directory = (restore if args.action == "restore" else save)(args.stack, kept_in=args.kept_in)
    except (StackFileError, RenderDirectoryError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_STACK
    if directory is not None:
        print(directory.relative_to(ROOT_DIR))
    return 0


if __name__ == "__main__":
    sys.exit(main())
