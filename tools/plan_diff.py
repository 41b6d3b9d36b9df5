"""Markdown diff of two offline plans, for pull requests that cannot run `pulumi preview`.

    python -m tools.plan diff BASE_DIR HEAD_DIR

Compares the resources.json of two plan directories by URN and prints what a reviewer needs:
resources added, removed and changed, and for each change the input keys that differ with their
old and new values. Plan files already hold secrets as "[secret]"; values under secret-looking
keys are masked again here, so a diff never shows more than the plans do. Every name and value is
printed in a code span (tools/diff_comment.py relies on it to keep a fork's text inert).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tools.diagram import diagram_changes

SECRET = "[secret]"
SECRET_KEY_HINTS = ("secret", "password", "privatekey", "kubeconfig", "token")
MAX_VALUE_CHARS = 120
# Inputs whose change replaces the object, and what that costs, for the types where it is the worst
# thing a diff can hide: a vSphere Namespace takes its TKG clusters with it, a Supervisor everything.
REPLACING_INPUTS = {
    "vsphere:index/namespace:Namespace": (
        ("name", "supervisor"),
        "replaces the namespace: deletes every TKG cluster in it",
    ),
    "vsphere:index/supervisorV2:SupervisorV2": (
        ("name", "cluster", "zones", "controlPlane", "workloads"),
        "replaces the Supervisor: deletes every namespace and cluster on it",
    ),
}


def load_plan(directory: Path) -> dict[str, Any]:
    path = directory / "resources.json"
    if not path.is_file():
        raise FileNotFoundError(f"no plan at {path}; run python -m tools.plan STACK --out {directory}")
    return json.loads(path.read_text())


def diff_plans(base: dict[str, Any], head: dict[str, Any]) -> str:
    """The Markdown summary of the changes from base to head."""
    old = {r["urn"]: r for r in base["resources"]}
    new = {r["urn"]: r for r in head["resources"]}
    added = [new[u] for u in sorted(new.keys() - old.keys())]
    removed = [old[u] for u in sorted(old.keys() - new.keys())]
    changed = [(old[u], new[u]) for u in sorted(old.keys() & new.keys()) if _comparable(old[u]) != _comparable(new[u])]
    unchanged = len(old.keys() & new.keys()) - len(changed)
    title = f"### Offline plan diff: {head.get('stack', '?')}"
    if not (added or removed or changed):
        return f"{title}\n\nNo changes ({unchanged} resources unchanged).\n"
    lines = [
        title,
        "",
        f"**{len(added)} to add, {len(changed)} to change, {len(removed)} to remove** ({unchanged} unchanged)",
    ]
    lines += _table("Added", added) + _table("Removed", removed)
    if changed:
        lines += ["", "#### Changed", ""]
        for before, after in changed:
            lines.append(f"- `{after['type']}` `{after['name']}`")
            lines += [f"  - {line}" for line in _changes(before, after)]
    return "\n".join(lines) + "\n"


def diff_with_diagrams(base: dict[str, Any], head: dict[str, Any]) -> str:
    """diff_plans, then both sides of each diagram that changed (tools/diagram.py), for the job summary.

    The fork comment (tools/diff_comment.py) keeps to diff_plans, whose text stays in code spans.
    """
    return diff_plans(base, head) + diagram_changes(base, head)


def _comparable(resource: dict[str, Any]) -> tuple:
    return (resource["inputs"], resource["options"], resource["provider"], resource["parent"], resource["dependsOn"])


def _table(heading: str, resources: list[dict[str, Any]]) -> list[str]:
    if not resources:
        return []
    rows = [f"| `{r['type']}` | `{r['name']}` |" for r in resources]
    return ["", f"#### {heading}", "", "| type | name |", "|---|---|", *rows]


def _changes(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    lines = []
    old_inputs, new_inputs = _flatten(before["inputs"]), _flatten(after["inputs"])
    for key in sorted(old_inputs.keys() | new_inputs.keys()):
        if old_inputs.get(key) != new_inputs.get(key):
            lines.append(f"`{key}`: {_show(key, old_inputs.get(key))} → {_show(key, new_inputs.get(key))}")
    replacing, cost = REPLACING_INPUTS.get(after["type"], ((), ""))
    if any(line.startswith(f"`{key}") for key in replacing for line in lines):
        lines.insert(0, f"**{cost}**")
    for field in ("options", "provider", "parent", "dependsOn"):
        if before[field] != after[field]:
            lines.append(f"{field}: {_show(field, before[field])} → {_show(field, after[field])}")
    return lines


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


def _show(key: str, value: Any) -> str:
    if value is None:
        return "(none)"
    if any(hint in key.lower().replace("_", "") for hint in SECRET_KEY_HINTS):
        return f"`{SECRET}`"
    text = json.dumps(value, sort_keys=True)
    if len(text) > MAX_VALUE_CHARS:
        text = text[: MAX_VALUE_CHARS - 1] + "…"
    return f"`{text}`"
