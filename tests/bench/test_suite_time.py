"""bench/suite_time.py reads the suite's own duration from pytest's summary line, as `make test` prints it."""

from __future__ import annotations

import pytest

from bench.suite_time import summary_figures


@pytest.mark.parametrize(
    ("output", "outcome", "seconds"),
    [
        ("....\n1317 passed, 1 skipped in 46.29s\n", "1317 passed, 1 skipped", 46.29),
        ("F...\n3 failed, 1314 passed, 1 skipped in 105.33s (0:01:45)\n", "3 failed, 1314 passed, 1 skipped", 105.33),
        ("=== 12 passed, 1 warning in 3.10s ===\n", "12 passed, 1 warning", 3.10),
    ],
)
def test_the_suites_duration_and_outcome_come_from_pytests_last_line(output: str, outcome: str, seconds: float) -> None:
    assert summary_figures(output) == (outcome, seconds)


def test_a_run_that_ended_before_its_summary_is_named_so() -> None:
    with pytest.raises(ValueError, match="no pytest summary line"):
        summary_figures("ERROR collecting tests/test_x.py\nmake: *** [Makefile:67: test] Error 2\n")
