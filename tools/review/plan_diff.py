"""Markdown diff of two offline plans, for pull requests that cannot run `pulumi preview`.

    python -m tools.plan diff BASE_DIR HEAD_DIR [--full] [--exit-code]

Compares the resources.json of two plan directories by URN and prints what a reviewer needs:
resources added, removed, replaced and changed, and for each change the input keys that differ
with their old and new values. A change of an input the provider cannot update marks the resource
replaced (tools/review/replacement.py, the table the transition harness uses too); a list of plain values
shows the items added and removed; values are cut at MAX_VALUE_CHARS unless `full`.

Plan files already hold secrets as "[secret]"; values under secret-looking
keys are masked again here, so a diff never shows more than the plans do. Every name and value is
printed in a code span (tools/review/diff_comment.py relies on it to keep a fork's text inert).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tools.diagrams.markdown import diagram_changes
from tools.review.replacement import REPLACEMENT_COSTS, forces_new

SECRET = "[secret]"
SECRET_KEY_HINTS = ("secret", "password", "privatekey", "kubeconfig", "token")
MAX_VALUE_CHARS = 120


def load_plan(directory: Path) -> dict[str, Any]:
    path = directory / "resources.json"
    if not path.is_file():
        raise PlanError(f"no plan at {path}; run python -m tools.plan STACK --out {directory}")
    try:
        plan = json.loads(path.read_text())
    except ValueError as err:
        raise PlanError(f"{path} is not a plan's JSON: {err}") from None
    if not isinstance(plan, dict) or not isinstance(plan.get("resources"), list):
        raise PlanError(f"{path} is not a plan: it has no resources list")
    return plan


class PlanError(ValueError):
    """A plan directory that holds no readable plan."""


@dataclass(frozen=True)
class PlanDiff:
    added: list[dict[str, Any]]
    removed: list[dict[str, Any]]
    replaced: list[tuple[dict[str, Any], dict[str, Any]]]
    changed: list[tuple[dict[str, Any], dict[str, Any]]]
    unchanged: int

    @property
    def any(self) -> bool:
        return bool(self.added or self.removed or self.replaced or self.changed)


def compare(base: dict[str, Any], head: dict[str, Any]) -> PlanDiff:
    """The resources of head against base, by URN."""
    old = {r["urn"]: r for r in base["resources"]}
    new = {r["urn"]: r for r in head["resources"]}
    both = sorted(old.keys() & new.keys())
    differing = [(old[u], new[u]) for u in both if _comparable(old[u]) != _comparable(new[u])]
    replaced = [pair for pair in differing if replacement_reasons(*pair)]
    return PlanDiff(
        added=[new[u] for u in sorted(new.keys() - old.keys())],
        removed=[old[u] for u in sorted(old.keys() - new.keys())],
        replaced=replaced,
        changed=[pair for pair in differing if pair not in replaced],
        unchanged=len(both) - len(differing),
    )


def replacement_reasons(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """Why the provider replaces `after` rather than updating it: the inputs it cannot update, or a
    different provider. Empty for an update in place."""
    old_inputs, new_inputs = _flatten(before["inputs"]), _flatten(after["inputs"])
    keys = [
        key
        for key in sorted(old_inputs.keys() | new_inputs.keys())
        if old_inputs.get(key) != new_inputs.get(key) and forces_new(after["type"], after["inputs"], key)
    ]
    reasons = [f"`{key}` cannot be updated in place" for key in keys]
    if before["provider"] != after["provider"]:
        reasons.append("another provider manages it")
    return reasons


def diff_plans(base: dict[str, Any], head: dict[str, Any], *, full: bool = False) -> str:
    """The Markdown summary of the changes from base to head; values cut unless `full`."""
    diff = compare(base, head)
    title = f"### Offline plan diff: {head.get('stack', '?')}"
    if not diff.any:
        return f"{title}\n\nNo changes ({diff.unchanged} resources unchanged).\n"
    counts = (
        f"{len(diff.added)} to add, {len(diff.changed)} to change, {len(diff.replaced)} to replace, "
        f"{len(diff.removed)} to remove"
    )
    lines = [title, "", f"**{counts}** ({diff.unchanged} unchanged)"]
    lines += _table("Added", diff.added) + _table("Removed", diff.removed)
    if diff.replaced:
        lines += ["", "#### Replaced (deleted and created again, with a new id)", ""]
        for before, after in diff.replaced:
            lines.append(f"- `{after['type']}` `{after['name']}`: **replaced**")
            lines += [f"  - **{reason}**" for reason in replacement_reasons(before, after)]
            lines += [f"  - {line}" for line in _replacement_costs(before, after)]
            lines += [f"  - {line}" for line in _changes(before, after, full)]
    if diff.changed:
        lines += ["", "#### Changed", ""]
        for before, after in diff.changed:
            lines.append(f"- `{after['type']}` `{after['name']}`")
            lines += [f"  - {line}" for line in _changes(before, after, full)]
    return "\n".join(lines) + "\n"


def diff_with_diagrams(base: dict[str, Any], head: dict[str, Any], *, full: bool = False) -> str:
    """diff_plans, then both sides of each diagram that changed (tools/diagrams/markdown.py), for the job summary.

    The fork comment (tools/review/diff_comment.py) keeps to diff_plans, whose text stays in code spans.
    """
    return diff_plans(base, head, full=full) + diagram_changes(base, head)


def _comparable(resource: dict[str, Any]) -> tuple[Any, ...]:
    return (resource["inputs"], resource["options"], resource["provider"], resource["parent"], resource["dependsOn"])


def _table(heading: str, resources: list[dict[str, Any]]) -> list[str]:
    if not resources:
        return []
    rows = [f"| `{r['type']}` | `{r['name']}` |" for r in resources]
    return ["", f"#### {heading}", "", "| type | name |", "|---|---|", *rows]


def _replacement_costs(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    costs = [f"**{REPLACEMENT_COSTS[after['type']]}**"] if after["type"] in REPLACEMENT_COSTS else []
    if before["options"].get("protect"):
        costs.append("**protected: `pulumi up` refuses to delete it and stops; unprotect it first if this is meant**")
    return costs


def _changes(before: dict[str, Any], after: dict[str, Any], full: bool = False) -> list[str]:
    lines = []
    old_inputs, new_inputs = _flatten(before["inputs"]), _flatten(after["inputs"])
    for key in sorted(old_inputs.keys() | new_inputs.keys()):
        old, new = old_inputs.get(key), new_inputs.get(key)
        if old == new:
            continue
        if isinstance(old, list) and isinstance(new, list) and (_items_added(old, new) or _items_added(new, old)):
            lines.append(f"`{key}`: {_list_change(key, old, new, full)}")
        else:
            lines.append(f"`{key}`: {_show(key, old, full)} → {_show(key, new, full)}")
    for field in ("options", "provider", "parent", "dependsOn"):
        if before[field] != after[field]:
            lines.append(f"{field}: {_show(field, before[field], full)} → {_show(field, after[field], full)}")
    return lines


def _items_added(old: list[Any], new: list[Any]) -> list[Any]:
    return [item for item in new if item not in old]


def _list_change(key: str, old: list[Any], new: list[Any], full: bool) -> str:
    """A list of plain values (ARNs, subnet ids, CIDRs) by the items added and removed, each whole."""
    added = [f"+ {_show(key, item, full=True)}" for item in _items_added(old, new)]
    removed = [f"− {_show(key, item, full=True)}" for item in _items_added(new, old)]
    return ", ".join(added + removed)


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested inputs as dotted paths (`tags.Name`, `statement[0].action`), leaves as values."""
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and value and any(isinstance(v, dict | list) for v in value):
        flat = {}
        for i, item in enumerate(value):
            flat.update(_flatten(item, f"{prefix}[{_list_key(value, i)}]"))
        return flat
    return {prefix: value}


def _list_key(items: list[Any], index: int) -> str:
    """A list of named entries (node pools, ClusterClass variables) by name, so that adding one
    shows as one addition rather than as every later entry changing; otherwise by position."""
    names = [item.get("name") if isinstance(item, dict) else None for item in items]
    if all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
        return f"name={names[index]}"
    return str(index)


def _show(key: str, value: Any, full: bool = False) -> str:
    if value is None:
        return "(none)"
    if any(hint in key.lower().replace("_", "") for hint in SECRET_KEY_HINTS):
        return f"`{SECRET}`"
    text = json.dumps(value, sort_keys=True)
    if len(text) > MAX_VALUE_CHARS and not full:
        return f"`{text[: MAX_VALUE_CHARS - 1]}…` ({len(text)} characters; `--full` shows all)"
    return f"`{text}`"
