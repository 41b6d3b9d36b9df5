"""Benchmark: offline-plan wall time, peak memory and IAM policy sizes for 1 to 500 workload accounts.

    python -m bench.plan_accounts [COUNTS...]

Each count runs in a fresh Python process (so peak memory is that run's alone) on the prod stack
config with N generated workload accounts. Prints one line per count, with the largest aggregate of
a role's inline policies (IAM allows 10,240 characters) and the largest managed policy (6,144):
the management grant on the workload roles grows with every account.
"""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COUNTS = (1, 10, 50, 100, 500)
ROLE_INLINE_MAX, MANAGED_POLICY_MAX = 10240, 6144  # IAM's limits, in characters without whitespace

CHILD = """
import json, resource, sys, time
from bench.plan_accounts import policy_sizes
from tools.program import run_program
raw = json.loads(sys.stdin.read())
start = time.perf_counter()
run = run_program(raw, "us-west-2", "bench")
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "resources": len(run.registrations), "peak_kib": peak_kib, **policy_sizes(run)}))
"""


def policy_sizes(run) -> dict[str, int]:
    """The largest aggregate of one role's inline policies, and the largest managed policy."""
    from components.policies.grammar import iam_size

    inline: dict[tuple[str, str], int] = {}
    for policy in run.of_type("aws:iam/rolePolicy:RolePolicy"):
        key = (policy.provider, str(policy.inputs["role"]))
        inline[key] = inline.get(key, 0) + iam_size(json.loads(policy.inputs["policy"]))
    managed = [iam_size(json.loads(p.inputs["policy"])) for p in run.of_type("aws:iam/policy:Policy")]
    return {"role_inline_max": max(inline.values(), default=0), "managed_max": max(managed, default=0)}


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
    from components.config.stack_files import read_stack_file

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
        "role_inline_max": result["role_inline_max"],
        "managed_max": result["managed_max"],
        "peak_mib": result["peak_kib"] / 1024,
    }


def main(argv: list[str]) -> int:
    counts = [int(a) for a in argv] or list(DEFAULT_COUNTS)
    header = f"{'accounts':>8} {'resources':>9} {'wall s':>8} {'program s':>9} {'peak MiB':>9}"
    print(f"{header} {'role inline':>11} {'managed':>8}  (largest policy, characters)")
    for count in counts:
        r = measure(count)
        timing = f"{r['accounts']:>8} {r['resources']:>9} {r['wall']:>8.2f} {r['program']:>9.2f} {r['peak_mib']:>9.0f}"
        print(f"{timing} {r['role_inline_max']:>11} {r['managed_max']:>8}")
        if r["role_inline_max"] > ROLE_INLINE_MAX or r["managed_max"] > MANAGED_POLICY_MAX:
            print(f"  a policy exceeds IAM's limits ({ROLE_INLINE_MAX} inline per role, {MANAGED_POLICY_MAX} managed)")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
