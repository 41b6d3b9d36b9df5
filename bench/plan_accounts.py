"""Benchmark: offline-plan wall time, peak memory and IAM policy sizes for 1 to 2,000 workload accounts.

    python -m bench.plan_accounts [--organization o-...] [COUNTS...]

Each count runs in a fresh Python process (so peak memory is that run's alone) on the prod stack
config with N generated workload accounts. Prints one line per count, with the largest aggregate of
a role's inline policies (IAM allows 10,240 characters), the largest managed policy (6,144) and the
most managed policies attached to one management role (IAM's quota "Managed policies per role": 10
by default, 20 at most). Listed one ARN at a time, the grant on the workload roles grows with every
account and is refused, naming that quota, beyond it; with `--organization` (the config's
managementCluster.workloadRoleGrant.organizationId) it is one statement whatever the count.
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
MANAGED_POLICIES_PER_ROLE = 10  # IAM's default quota

CHILD = """
import json, resource, sys, time
from bench.plan_accounts import policy_sizes
from components.config.base import ConfigError
from tools.plan.program import run_program
raw = json.loads(sys.stdin.read())
start = time.perf_counter()
try:
    run = run_program(raw, "us-west-2", "bench")
    found = {"resources": len(run.registrations), **policy_sizes(run)}
except ConfigError as err:
    found = {"refused": err.problems}
seconds = time.perf_counter() - start
peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(json.dumps({"seconds": seconds, "peak_kib": peak_kib, **found}))
"""


def policy_sizes(run) -> dict[str, int]:
    """The largest aggregate of one role's inline policies, the largest managed policy, and the most
    managed policies the program attaches to one role."""
    from components.policies.grammar import iam_size

    inline: dict[tuple[str, str], int] = {}
    for policy in run.of_type("aws:iam/rolePolicy:RolePolicy"):
        key = (policy.provider, str(policy.inputs["role"]))
        inline[key] = inline.get(key, 0) + iam_size(json.loads(policy.inputs["policy"]))
    managed = [iam_size(json.loads(p.inputs["policy"])) for p in run.of_type("aws:iam/policy:Policy")]
    attached: dict[tuple[str, str], int] = {}
    for attachment in run.of_type("aws:iam/rolePolicyAttachment:RolePolicyAttachment"):
        key = (attachment.provider, str(attachment.inputs["role"]))
        attached[key] = attached.get(key, 0) + 1
    return {
        "role_inline_max": max(inline.values(), default=0),
        "managed_max": max(managed, default=0),
        "attached_max": max(attached.values(), default=0),
    }


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


def measure(count: int, organization: str | None = None) -> dict:
    from components.config.stack_files import read_stack_file

    raw = read_stack_file(ROOT / "Pulumi.prod.yaml").raw
    raw = copy.deepcopy(raw)
    raw["workloadAccounts"] = accounts(count)
    if organization:
        raw["managementCluster"]["workloadRoleGrant"] = {"organizationId": organization}
    start = time.perf_counter()
    child = subprocess.run(
        [sys.executable, "-c", CHILD], input=json.dumps(raw), cwd=ROOT, capture_output=True, text=True, check=True
    )
    wall = time.perf_counter() - start
    result = json.loads(child.stdout.strip().splitlines()[-1])
    return {"accounts": count, "wall": wall, "program": result.pop("seconds"), **result}


def main(argv: list[str]) -> int:
    organization = None
    if argv[:1] == ["--organization"]:
        organization, argv = argv[1], argv[2:]
    counts = [int(a) for a in argv] or list(DEFAULT_COUNTS)
    header = f"{'accounts':>8} {'resources':>9} {'wall s':>8} {'program s':>9} {'peak MiB':>9}"
    print(f"{header} {'role inline':>11} {'managed':>8} {'attached':>8}  (largest policy, characters; most per role)")
    for count in counts:
        r = measure(count, organization)
        timing = f"{r['accounts']:>8} {r.get('resources', 0):>9} {r['wall']:>8.2f} {r['program']:>9.2f}"
        timing += f" {r['peak_kib'] / 1024:>9.0f}"
        if "refused" in r:
            print(f"{timing}  refused: {r['refused'][0]}")
            if "Managed policies per" not in r["refused"][0]:
                return 1  # refused for another reason than the quota
            continue
        print(f"{timing} {r['role_inline_max']:>11} {r['managed_max']:>8} {r['attached_max']:>8}")
        if r["role_inline_max"] > ROLE_INLINE_MAX or r["managed_max"] > MANAGED_POLICY_MAX:
            print(f"  a policy exceeds IAM's limits ({ROLE_INLINE_MAX} inline per role, {MANAGED_POLICY_MAX} managed)")
            return 1
        if r["attached_max"] > MANAGED_POLICIES_PER_ROLE:
            print(f"  a role holds more than IAM's default {MANAGED_POLICIES_PER_ROLE} managed policies")
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
