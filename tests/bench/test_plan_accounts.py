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


def test_the_floor_registers_what_the_program_registered_without_the_program() -> None:
    import copy

    from bench.plan_accounts import BASE_STACK, accounts
    from bench.replay import replay, skeleton
    from components.config.stack_files import read_stack_file
    from tools.plan.program import plan_data, run_program, run_under_mocks

    raw = copy.deepcopy(read_stack_file(BASE_STACK).raw)
    raw["workloadAccounts"] = accounts(2)
    run = run_program(raw, "us-west-2", "bench")
    replayed = run_under_mocks(lambda: replay(skeleton(run)), "us-west-2", "bench").registrations
    assert sorted(replayed) == sorted(run.registrations)
    for urn, registered in run.registrations.items():
        again = replayed[urn]
        assert (again.parent, again.provider, again.depends_on, again.options) == (
            registered.parent,
            registered.provider,
            registered.depends_on,
            registered.options,
        ), urn
        assert plan_data(again.inputs) == plan_data(registered.inputs), urn
