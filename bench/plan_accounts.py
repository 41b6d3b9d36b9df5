"""Benchmark: offline-plan wall time and peak memory for 1, 10, 50 and 100 workload accounts.

    python -m bench.plan_accounts [COUNTS...]

Each count runs in a fresh Python process (so peak memory is that run's alone) on the prod stack
config with N generated workload accounts. Prints one line per count.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COUNTS = (1, 10, 50, 100)

CHILD = """
import json, resource, sys, time
from tools.program import run_program
raw = json.loads(sys.stdin.read())
start = time.perf_counter()
run = run_program(raw, "us-west-2", "bench")
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": time.perf_counter() - start, "resources": len(run.registrations), "peak_kib": peak_kib}))
"""


def accounts(count: int) -> list[dict]:
    return [
        {
            "name": f"account-{i:03d}",
            "accountId": f"{400000000000 + i}",
            "deployRoleArn": f"arn:aws:iam::{400000000000 + i}:role/OrganizationAccountAccessRole",
            "identity": {"allowedNamespaces": [f"tenant-{i:03d}"]},
        }
        for i in range(count)
    ]


def measure(count: int) -> dict:
    from components.stack_files import read_stack_file

    raw = read_stack_file(ROOT / "Pulumi.prod.yaml").raw
    raw = copy.deepcopy(raw)
    raw["workloadAccounts"] = accounts(count)
    start = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", CHILD], input=json.dumps(raw), cwd=ROOT, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    result = json.loads(child.stdout.strip().splitlines()[-1])
    return {
        "accounts": count,
        "wall": wall,
        "program": result["seconds"],
        "resources": result["resources"],
        "peak_mib": result["peak_kib"] / 1024,
    }


def main(argv: list[str]) -> int:
    counts = [int(a) for a in argv] or list(DEFAULT_COUNTS)
    print(f"{'accounts':>8} {'resources':>9} {'wall s':>8} {'program s':>9} {'peak MiB':>9}")
    for count in counts:
        r = measure(count)
        print(f"{r['accounts']:>8} {r['resources']:>9} {r['wall']:>8.2f} {r['program']:>9.2f} {r['peak_mib']:>9.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
