"""`make bench` still runs (bench/plan_accounts.py): one small count, end to end, as CI would see it."""

from __future__ import annotations

from bench.plan_accounts import HEADER, main


def test_the_bench_prints_the_program_the_floor_and_the_pieces_of_one_count(capsys) -> None:
    assert main(["1"]) == 0
    out, err = capsys.readouterr()
    header, measured, ratio = out.splitlines()
    assert header.startswith(HEADER)
    accounts, resources, *times = measured.split()[:10]
    assert accounts == "1" and int(resources) > 100 and all(float(t) >= 0 for t in times)
    assert ratio.startswith("program per resource at 1 accounts: ") and "x the floor" in ratio
    assert err == ""  # progress only on a terminal
    assert "\r" not in out
