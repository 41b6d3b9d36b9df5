"""The offline plan diff comment of a fork's pull request, rendered from plans nobody vouches for.

    python3 -m tools.review.diff_comment PLANS_DIR [--head-sha SHA] > comment.md

offline-diff-comment.yml runs this with a token that can write to pull requests, on the artifact a
fork's workflow run uploaded: PLANS_DIR/base/<stack>/resources.json and PLANS_DIR/head/<stack>/
resources.json, the offline plans of the base and of the change. The fork controls every byte of
that artifact, so nothing in it is taken as it comes:
- only that layout is read: plain stack names, regular files of bounded size, JSON;
- each plan must have the shape tools/plan/command.py writes (resources with string urn, type, name,
  parent and provider, a dependsOn list of strings, options and inputs objects; URNs unique);
- every string that reaches the Markdown is made inert first (no backticks, pipes, angle brackets,
  line breaks or control characters), so it stays inside its code span: no mention, link, HTML or
  heading of the fork's making;
- the comment is cut to fit GitHub's limit.
It needs the standard library only, so the job runs it with the runner's Python and installs nothing.
Exit codes: 0 rendered, 2 the artifact is not what pull-request.yml uploads (nothing is rendered).
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
from pathlib import Path
from typing import Any

from tools.review.plan_diff import diff_plans

SIDES = ("base", "head")
STACK_NAME = re.compile(r"[a-z0-9][a-z0-9_.-]{0,39}")
COMMIT_SHA = re.compile(r"[0-9a-f]{40}")
MAX_STACKS = 20
MAX_PLAN_BYTES = 20 * 1024 * 1024
MAX_RESOURCES = 20_000
# GitHub refuses a comment body over 65,536 characters; the rest of the comment needs some room.
MAX_COMMENT_CHARS = 60_000
MARKER = "<!-- tkg-aws offline plan diff -->"
STRING_FIELDS = ("urn", "type", "name", "parent", "provider")
OBJECT_FIELDS = ("options", "inputs")
# Characters that could end a code span or a table cell, or open HTML, in GitHub's Markdown.
INERT = str.maketrans({"`": "'", "|": "¦", "<": "‹", ">": "›", "\n": " ", "\r": " ", "\t": " "})
EXIT_INVALID = 2


class UntrustedPlanError(ValueError):
    """The artifact is not a set of offline plans as pull-request.yml uploads them."""


def load_plans(directory: Path) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """stack -> (base plan, head plan), each validated and made inert."""
    base, head = SIDES
    return {
        stack: (
            _read_plan(directory / base / stack / "resources.json", stack),
            _read_plan(directory / head / stack / "resources.json", stack),
        )
        for stack in _stack_names(directory / head)
    }


def _stack_names(head: Path) -> list[str]:
    if not head.is_dir() or head.is_symlink():
        raise UntrustedPlanError("no head/ directory of plans")
    names = sorted(entry.name for entry in head.iterdir())
    wrong = [name for name in names if not STACK_NAME.fullmatch(name)]
    if wrong or not names or len(names) > MAX_STACKS:
        raise UntrustedPlanError(f"expected 1-{MAX_STACKS} stack directories with plain names under head/")
    return names


def _read_plan(path: Path, stack: str) -> dict[str, Any]:
    where = f"{path.parent.parent.name}/{stack}/resources.json"
    if path.is_symlink() or not path.is_file():
        raise UntrustedPlanError(f"{where}: missing or not a regular file")
    if path.stat().st_size > MAX_PLAN_BYTES:
        raise UntrustedPlanError(f"{where}: larger than {MAX_PLAN_BYTES} bytes")
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (ValueError, RecursionError) as err:
        raise UntrustedPlanError(f"{where}: not JSON ({type(err).__name__})") from None
    return {"stack": stack, "resources": _checked_resources(document, where)}


def _checked_resources(document: Any, where: str) -> list[dict[str, Any]]:
    resources = document.get("resources") if isinstance(document, dict) else None
    if not isinstance(resources, list) or len(resources) > MAX_RESOURCES:
        raise UntrustedPlanError(f"{where}: `resources` is not a list of at most {MAX_RESOURCES}")
    checked = [_checked_resource(resource, f"{where} resource {index}") for index, resource in enumerate(resources)]
    if len({r["urn"] for r in checked}) != len(checked):
        raise UntrustedPlanError(f"{where}: a URN appears twice")
    return checked


def _checked_resource(resource: Any, where: str) -> dict[str, Any]:
    if not isinstance(resource, dict):
        raise UntrustedPlanError(f"{where}: not an object")
    wrong = [f for f in STRING_FIELDS if not isinstance(resource.get(f), str)]
    wrong += [f for f in OBJECT_FIELDS if not isinstance(resource.get(f), dict)]
    depends_on = resource.get("dependsOn")
    if not isinstance(depends_on, list) or not all(isinstance(d, str) for d in depends_on):
        wrong.append("dependsOn")
    if wrong:
        raise UntrustedPlanError(f"{where}: {', '.join(wrong)} missing or of the wrong type")
    try:
        return {key: inert(resource[key]) for key in (*STRING_FIELDS, *OBJECT_FIELDS, "dependsOn")}
    except RecursionError:
        raise UntrustedPlanError(f"{where}: nested too deeply") from None


def inert(value: Any) -> Any:
    """JSON data whose strings (keys too) cannot leave the code span they are printed in."""
    if isinstance(value, str):
        return "".join(c for c in value.translate(INERT) if unicodedata.category(c) not in ("Cc", "Cf"))
    if isinstance(value, dict):
        return {inert(str(key)): inert(item) for key, item in value.items()}
    if isinstance(value, list):
        return [inert(item) for item in value]
    return value


def render(plans: dict[str, tuple[dict[str, Any], dict[str, Any]]], head_sha: str | None = None) -> str:
    """The whole comment: what it is, then one diff per stack, cut to GitHub's limit."""
    commit = f" at `{head_sha[:12]}`" if head_sha and COMMIT_SHA.fullmatch(head_sha) else ""
    intro = (
        f"{MARKER}\n## Offline plan diff\n\n"
        f"The plans of the base and of this pull request{commit}, computed by the pull request's own "
        "workflow run without cloud credentials and checked before this comment was written. "
        "A maintainer's `pulumi preview` is what decides.\n\n"
    )
    body = "\n".join(diff_plans(base, head) for base, head in plans.values())
    if len(intro) + len(body) > MAX_COMMENT_CHARS:
        body = body[: MAX_COMMENT_CHARS - len(intro)] + "\n\n… (cut: the full diff is in the run's summary)\n"
    return intro + body


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python3 -m tools.review.diff_comment", description=__doc__.splitlines()[0])
    parser.add_argument("plans", type=Path, help="the downloaded artifact: base/<stack>/ and head/<stack>/ plans")
    parser.add_argument("--head-sha", help="the commit the plans are of (from the triggering run)")
    args = parser.parse_args(argv)
    try:
        plans = load_plans(args.plans)
    except UntrustedPlanError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_INVALID
    print(render(plans, args.head_sha), end="")
    return 0


if __name__ == "__main__":
    sys.exit(main())
