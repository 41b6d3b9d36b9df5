"""The rows of a preflight report and how they are printed: a plain table, or JSON.

Every check of tools/preflight.py ends as rows of (account, check, status, details, what to do).
A status is `ok`, `warn` (allowed, or could not be checked: an API the account or an emulator does
not offer, a permission the caller lacks to look) or `fail` (must be fixed before `pulumi up`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from tools.aws_session import AWS_ERRORS, describe_error

Status = Literal["ok", "warn", "fail"]
OK: Status = "ok"
WARN: Status = "warn"
FAIL: Status = "fail"
COLUMNS = ("check", "status", "details", "what to do")


@dataclass(frozen=True)
class Row:
    account: str
    """`management` or the workload account's name."""
    check: str
    status: Status
    details: str
    action: str = ""
    """What to do about it; empty when nothing."""

    def as_json(self) -> dict[str, str]:
        return {
            "account": self.account,
            "check": self.check,
            "status": self.status,
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
    return Row(
        account,
        check,
        WARN,
        f"could not check: {describe_error(err)}",
        "check it by hand, or let the caller read it",
    )


def table(rows: Sequence[Row]) -> str:
    """The rows as a plain text table (a Markdown table, so CI summaries render it too)."""
    cells = [COLUMNS] + [(f"{r.account}: {r.check}", r.status, r.details, r.action) for r in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(COLUMNS))]

    def line(values: Sequence[str]) -> str:
        return "| " + " | ".join(v.ljust(w) for v, w in zip(values, widths, strict=True)) + " |"

    separator = "|" + "|".join("-" * (w + 2) for w in widths) + "|"
    return "\n".join([line(cells[0]), separator, *(line(c) for c in cells[1:])])


def as_json(rows: Sequence[Row]) -> str:
    return json.dumps([r.as_json() for r in rows], indent=2)


def verdict(rows: Sequence[Row]) -> str:
    failures = sum(r.status == FAIL for r in rows)
    warnings = sum(r.status == WARN for r in rows)
    state = "not ready" if failures else "ready"
    return f"{state}: {failures} to fix, {warnings} warning(s), {len(rows)} checks"
