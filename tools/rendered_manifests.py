"""Keep what a render-mode stack renders (managementCluster.renderYamlToDirectory) across CI runners.

    python -m tools.rendered_manifests restore STACK [--kept-in CHECKOUT]   # before `pulumi up`
    python -m tools.rendered_manifests save STACK [--kept-in CHECKOUT]      # after it

In render mode the Kubernetes provider writes an object's YAML file when the object is created or
updated and deletes it when the object is deleted; it never writes an unchanged object again. On
a throwaway CI runner the directory therefore starts empty, and after `pulumi up` it holds only
what changed. The main workflow keeps the whole directory in git instead, under gitops/<STACK>/:
`restore` copies that copy into the render directory before `pulumi up`, so the provider works on
the complete set, and `save` makes gitops/<STACK>/ a mirror of the render directory afterwards,
for the workflow to commit (and a GitOps controller to apply). `--kept-in` names the checkout whose
gitops/ holds the copy (default: this one): the workflow uses a worktree of the latest main, since
the copy must match the stack's state, which the last deployment left, not the commit being deployed.

Both print the render directory, or nothing for a stack that applies to its cluster directly (and
then do nothing). Exit codes: 0 done, 2 the stack file is unreadable or its directory is outside
the project.
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

from components.config.stack_files import StackFileError, read_stack_file

ROOT_DIR = Path(__file__).resolve().parent.parent
GITOPS_DIR = "gitops"
EXIT_BAD_STACK = 2


class RenderDirectoryError(Exception):
    """The stack's render directory cannot be kept safely."""


def render_directory(stack: str, root: Path = ROOT_DIR) -> Path | None:
    """The stack's managementCluster.renderYamlToDirectory, inside the project; None when unset."""
    cluster = read_stack_file(root / f"Pulumi.{stack}.yaml").raw.get("managementCluster")
    directory = cluster.get("renderYamlToDirectory") if isinstance(cluster, dict) else None
    if not directory:
        return None
    resolved, kept = (root / directory).resolve(), kept_copy(stack, root).resolve()
    # Both directories are emptied and refilled: neither may hold the project or the other.
    inside = resolved.is_relative_to(root.resolve()) and resolved != root.resolve()
    nested = resolved != kept and (resolved.is_relative_to(kept) or kept.is_relative_to(resolved))
    if not inside or nested:
        kept_name = f"{GITOPS_DIR}/{stack}"
        raise RenderDirectoryError(
            f"renderYamlToDirectory {directory!r} must be inside the project, apart from {kept_name}"
        )
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
    """Make `target` hold exactly the files of `source` (an absent source counts as empty)."""
    if source.resolve() == target.resolve():
        return  # the stack renders straight into its kept copy
    if target.exists():
        shutil.rmtree(target)
    if source.is_dir():
        shutil.copytree(source, target)
    else:
        target.mkdir(parents=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.rendered_manifests", description=__doc__.splitlines()[0])
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
