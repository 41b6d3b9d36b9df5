"""Progress lines of the long commands (tools/plan/progress.py): on a terminal only, whole lines."""

from __future__ import annotations

import io

from tools.plan.progress import Progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_terminal_gets_one_whole_line_per_step_and_a_pipe_nothing() -> None:
    terminal, pipe = _Terminal(), io.StringIO()
    for stream in (terminal, pipe):
        progress = Progress(stream)
        progress.say("planning dev offline...")
        progress.say("writing 90 resources ...")
    assert terminal.getvalue() == "planning dev offline...\nwriting 90 resources ...\n"
    assert pipe.getvalue() == ""
