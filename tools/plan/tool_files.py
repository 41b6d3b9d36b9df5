"""The tool-config files of a plan, with the ids only `pulumi up` knows marked as placeholders, and
the same files filled from a real stack's outputs.

The offline plan writes the files users feed to `tanzu cluster create -f`, `openshift-install` and
kubectl (tools/plan/command.py write_cluster_configs) from the stack's outputs. Offline, the ids AWS assigns
at creation (a VPC's, a subnet's) do not exist: they are written as PLACEHOLDER says, never as a
realistic-looking id. After `pulumi up`, the same files come from the stack's real outputs:

    pulumi stack output --json > outputs.json
    python -m tools.plan fill STACK outputs.json      # writes build/tool-config/STACK/

(`--show-secrets` is needed only for an output that is a secret; none of the tool files is.)
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from tools.plan.program import ProgramRun

PLACEHOLDER = "<{kind} of {name} from pulumi up>"
"""What stands for an id AWS assigns, e.g. `<vpc-id of dev-vpc from pulumi up>`."""
PLACEHOLDER_PATTERN = re.compile(r"<[^<>]+ from pulumi up>")
# The ids the mocks make up (tools/plan/mocks.py): EC2's `<prefix>-0<16 hex>`, others' `<name>-<8 hex>`.
# Ids that are names the program chose (IAM's, a named bucket's) are known offline and stay.
EC2_ID = re.compile(r"([a-z]+(?:-[a-z]+)?)-0[0-9a-f]{16}")
ID_TAIL = 8  # how many of an id's last characters index it (its hex digits, for the ids above)


def placeholders(run: ProgramRun) -> dict[str, str]:
    """Each id of the plan that only `pulumi up` knows, and the placeholder written in its place."""
    found = {}
    for reg in run.registrations.values():
        if not reg.id or reg.type.startswith("pulumi:providers:"):
            continue
        ec2 = EC2_ID.fullmatch(reg.id)
        if ec2:
            found[reg.id] = PLACEHOLDER.format(kind=f"{ec2.group(1)}-id", name=reg.name)
        elif re.fullmatch(rf"{re.escape(reg.name)}-[0-9a-f]{{8}}", reg.id):
            found[reg.id] = PLACEHOLDER.format(kind="id", name=reg.name)
    return found


def with_placeholders(value: Any, ids: dict[str, str]) -> Any:
    """`value` with every id of `ids` replaced by its placeholder, in strings, lists and maps."""
    if not ids:
        return value
    # A stack's ids grow with its accounts, and so do its strings: each string is scanned once, each
    # position looked up by the characters an id would end with (one regex alternation of thousands
    # of ids takes longer to compile than the plan takes to run).
    tail = min(ID_TAIL, *(len(i) for i in ids))
    by_tail: dict[str, list[str]] = {}
    for found in ids:
        by_tail.setdefault(found[-tail:], []).append(found)
    return _replaced(value, lambda text: _replace_ids(text, ids, by_tail, tail))


def _replace_ids(text: str, ids: dict[str, str], by_tail: dict[str, list[str]], tail: int) -> str:
    """`text` with the ids replaced as an alternation of them would: leftmost first, then longest."""
    longest: dict[int, str] = {}
    for end in range(tail, len(text) + 1):
        for found in by_tail.get(text[end - tail : end], ()):
            start = end - len(found)
            if start >= 0 and text.startswith(found, start) and len(found) > len(longest.get(start, "")):
                longest[start] = found
    parts, position = [], 0
    for start in sorted(longest):
        if start >= position:
            parts += [text[position:start], ids[longest[start]]]
            position = start + len(longest[start])
    return "".join(parts) + text[position:] if parts else text


def _replaced(value: Any, replace: Callable[[str], str]) -> Any:
    if isinstance(value, dict):
        return {key: _replaced(item, replace) for key, item in value.items()}
    if isinstance(value, list):
        return [_replaced(item, replace) for item in value]
    return replace(value) if isinstance(value, str) else value


def unfilled(value: Any) -> list[str]:
    """The placeholders left in `value` (outputs of a plan, not of a stack)."""
    if isinstance(value, dict):
        return [p for item in value.values() for p in unfilled(item)]
    if isinstance(value, list):
        return [p for item in value for p in unfilled(item)]
    return PLACEHOLDER_PATTERN.findall(value) if isinstance(value, str) else []


def fill_main(argv: list[str], root: Path) -> int:
    """`python -m tools.plan fill STACK OUTPUTS_JSON [--out DIR]`: the tool files from real outputs."""
    from tools.plan.command import EXIT_BAD_CONFIG, OutputPathError, write_cluster_configs

    parser = argparse.ArgumentParser(
        prog="python -m tools.plan fill",
        description="Write the tool-config files (tanzu, openshift-install, kubectl) from a deployed stack's "
        "outputs: pulumi stack output --json > outputs.json",
    )
    parser.add_argument("stack", help="the stack the outputs are of (names the output directory)")
    parser.add_argument("outputs", type=Path, help="the JSON of `pulumi stack output --json`")
    parser.add_argument("--out", type=Path, help="output directory (default: build/tool-config/STACK)")
    args = parser.parse_args(argv)
    try:
        outputs = json.loads(args.outputs.read_text())
    except (OSError, ValueError) as err:
        print(f"error: {args.outputs} is not the JSON of `pulumi stack output --json`: {err}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    if not isinstance(outputs, dict):
        print(f"error: {args.outputs} is not a map of stack outputs", file=sys.stderr)
        return EXIT_BAD_CONFIG
    left = unfilled(outputs)
    if left:
        print(f"error: {args.outputs} holds placeholders ({left[0]}, ...): outputs of a plan, not of a stack; "
              "run `pulumi stack output --json` after `pulumi up`", file=sys.stderr)  # fmt: skip
        return EXIT_BAD_CONFIG
    out_dir = args.out or root / "build" / "tool-config" / args.stack
    out_dir.mkdir(parents=True, exist_ok=True)
    try:
        written = write_cluster_configs(outputs, out_dir)
    except OutputPathError as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_CONFIG
    except ValueError:  # a kubeconfig output shown as "[secret]"
        print("error: an output the files need is a secret: pulumi stack output --json --show-secrets", file=sys.stderr)
        return EXIT_BAD_CONFIG
    print("wrote " + (", ".join(str(p) for p in written) or "nothing: the outputs name no tool file"))
    return 0
