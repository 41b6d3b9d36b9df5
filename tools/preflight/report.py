"""The rows of a preflight report and how they are printed: a plain table, or JSON.

Every check of tools/preflight/command.py ends as rows of (account, check, status, details, what to do).
A status is `ok`, `warn` (allowed; a recommendation) or `fail` (must be fixed before `pulumi up`).
Preflight fails closed: a row that could not be checked (denied, throttled, unreachable, timed out,
an API the endpoint does not offer) is `unchecked` and fails, unless the user accepts that check
unchecked by its name (`--allow-unchecked quotas`, or `all`), which turns it into a warning.
"""

from __future__ import annotations

import json
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from tools.preflight.aws_session import AWS_ERRORS, describe_error

Status = Literal["ok", "warn", "fail"]
OK: Status = "ok"
WARN: Status = "warn"
FAIL: Status = "fail"
COLUMNS = ("check", "status", "details", "what to do")
ALL_CHECKS = "all"


@dataclass(frozen=True)
class Row:
    account: str
    """`management` or the workload account's name."""
    check: str
    status: Status
    details: str
    action: str = ""
    """What to do about it; empty when nothing."""
    unchecked: bool = False
    """Nothing could be learned (an error on the way): fails unless allowed by name."""
    name: str = ""
    """The name of the check that made the row, as `--allow-unchecked` takes it (preflight.py sets it)."""

    def as_json(self) -> dict[str, str | bool]:
        return {
            "account": self.account,
            "check": self.check,
            "name": self.name,
            "status": self.status,
            "unchecked": self.unchecked,
            "details": self.details,
            "whatToDo": self.action,
        }


def looked_up(account: str, check: str, lookup: Callable[[], list[Row]]) -> list[Row]:
    """The rows of `lookup`; an AWS error on the way is a warning row, as nothing could be checked."""
    try:
        return lookup()
    except AWS_ERRORS as err:
        return [could_not_check(account, check, err)]


def could_not_check(account: str, check: str, err: Exception) -> Row:
    return unchecked_row(account, check, describe_error(err), "let the caller read it, or check it by hand")


def unchecked_row(account: str, check: str, why: str, action: str) -> Row:
    """A row of a check that could not be made: a failure until allowed by name."""
    return Row(account, check, FAIL, f"could not check: {why}", action, unchecked=True)


def allow_unchecked(rows: Sequence[Row], allowed: Sequence[str]) -> list[Row]:
    """Unchecked rows of the checks named in `allowed` (or of all) as warnings; the others fail and say
    how to accept them."""
    result = []
    for row in rows:
        if not row.unchecked:
            result.append(row)
        elif ALL_CHECKS in allowed or row.name in allowed:
            result.append(replace(row, status=WARN, action=f"accepted unchecked (--allow-unchecked {row.name})"))
        else:
            how = f"or accept it unchecked with --allow-unchecked {row.name}"
            result.append(replace(row, action=f"{row.action}; {how}" if row.action else how))
    return result


def table(rows: Sequence[Row]) -> str:
    """The rows as a plain text table (a Markdown table, so CI summaries render it too)."""
    cells = [COLUMNS] + [(f"{r.account}: {r.check}", r.status, r.details, r.action) for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), separator, *(line(c) for c in cells[1:])])


REPORT_WIDTH = 100  # a terminal's or a CI log's line: no row runs off the screen
STATUS_WIDTH = 6


def report(rows: Sequence[Row], width: int = REPORT_WIDTH) -> str:
    """The rows as text no wider than `width`: the status and the check on one line, the details and
    what to do (after `->`) wrapped and indented under them; long words (ARNs) are not broken."""
    indent = " " * STATUS_WIDTH
    lines = []
    for r in rows:
        lines += _wrapped(f"{r.status.ljust(STATUS_WIDTH - 1)} {r.account}: {r.check}", width, "", indent)
        lines += _wrapped(r.details, width, indent, indent)
        if r.action:
            lines += _wrapped(f"-> {r.action}", width, indent, indent + "   ")
    return "\n".join(lines)


def _wrapped(text: str, width: int, first: str, rest: str) -> list[str]:
    return textwrap.wrap(
        text, width, initial_indent=first, subsequent_indent=rest, break_long_words=False, break_on_hyphens=False
    ) or [first.rstrip()]


def as_json(rows: Sequence[Row]) -> str:
    return json.dumps([r.as_json() for r in rows], indent=2)


def verdict(rows: Sequence[Row]) -> str:
    failures = sum(r.status == FAIL for r in rows)
    warnings = sum(r.status == WARN for r in rows)
    unchecked = sum(r.unchecked for r in rows)
    state = "not ready" if failures else "ready"
    return f"{state}: {failures} to fix, {warnings} warning(s), {unchecked} unchecked, {len(rows)} checks"
