"""Progress of a long command, shown only where a person watches.

The offline plan, preflight and the benchmark each take seconds to minutes. On a terminal they say
what they are doing, one line on stderr per step, flushed at once; in CI logs and pipes they say
nothing of it (their results are complete without it), and never draw a spinner or carriage return.
"""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """One line per step on `stream` (stderr by default), only when it is a terminal."""

    def __init__(self, stream: TextIO | None = None):
        self._stream = stream if stream is not None else sys.stderr
        self.shown = bool(getattr(self._stream, "isatty", lambda: False)())

    def say(self, message: str) -> None:
        if self.shown:
            print(message, file=self._stream, flush=True)
