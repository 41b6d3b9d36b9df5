"""Benchmark: the offline plan for 1 to 1,000 workload accounts, against the bare mock-registration floor.

    python -m bench.plan_accounts [--organization o-...] [COUNTS...]      (`make bench`)

Each count plans the prod stack config (its test fixture, BASE_STACK) with N generated workload
accounts in a fresh Python process (so peak memory is that run's alone) and prints one line,
flushed as soon as it is measured:
- the program: resources registered, seconds under the plan's mocks, milliseconds per resource
  (after a one-account run in the same process: modules load once, not per resource);
- the floor: the bare mock registration of the same resources, per resource (bench/replay.py): in a
  process of its own, under the same mocks, every resource the program registered is registered again
  in the same order, as the same SDK class (a Role as pulumi_aws.iam.Role, with its 17 outputs), with
  the same inputs as plain values, parent, provider, dependencies and options, and every component as
  a bare pulumi.ComponentResource of the same type token; none of the program's own work (config,
  builders, Output chains, component and stack outputs). The program's time per resource as a multiple
  of it should stay within FLOOR_RATIO_TARGET;
- the tag floor, the yardstick before: as many trivial resources (a pulumi_aws Tag with constant
  inputs, no parent) under the same mocks, per resource, and the program's multiple of it. A Tag costs
  the SDK less than the Roles and components the program registers, so this ratio is the larger;
- the rest of what `python -m tools.plan` does (its files, its diagrams, its summary), in seconds
  (not its check against the repository's other stack files, which plans those whatever the count);
- the largest aggregate of a role's inline policies (IAM allows 10,240 characters), the largest
  managed policy (6,144) and the most managed policies attached to one management role (IAM's quota
  "Managed policies per role": 10 by default, 20 at most; the bench sets managedPoliciesPerRole to 20).
  Listed one ARN at a time, the grant on the workload roles grows with every account and is refused,
  naming that quota, beyond it (2,000 accounts are refused); with `--organization`
  (managementCluster.workloadRoleGrant.organizationId) it is one statement whatever the count.
Times are CPU seconds of the measuring process (time.process_time, all its threads), so other work
on a shared machine does not inflate them. Then how each piece grew between the three largest
counts, beside how the resources grew: every piece of the plan command should grow linearly with
the account count. Exit 1 when a policy exceeds IAM's limits or the config is refused for another
reason than the quota. On a terminal, stderr says which run is under way (tools/plan/progress.py);
in CI only the results are printed.
"""

from __future__ import annotations

import copy
import itertools
import json
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tools.plan.progress import Progress

if TYPE_CHECKING:  # for annotations only: this process imports the program's modules where it uses them
    from tools.plan.program import ProgramRun

ROOT = Path(__file__).resolve().parent.parent
# The config the bench grows: the prod stack's test fixture, which stays as the tests know it (a
# company may replace the example Pulumi.prod.yaml with a stack of its own, without TKG).
BASE_STACK = ROOT / "tests" / "data" / "stacks" / "Pulumi.prod.yaml"
DEFAULT_COUNTS = (1, 10, 50, 100, 250, 500, 1000)
ROLE_INLINE_MAX, MANAGED_POLICY_MAX = 10240, 6144  # IAM's limits, in characters without whitespace
# IAM's quota "Managed policies per role" (10 by default), raised to its maximum as a stack granting
# 1,000 accounts one ARN at a time must (managementCluster.workloadRoleGrant.managedPoliciesPerRole).
MANAGED_POLICIES_PER_ROLE = 20
FLOOR_RATIO_TARGET = 1.5  # the program's time per resource, at most this multiple of the floor's
PIECES = ("files", "diagrams", "summary")

# The program and the rest of the plan command, timed piece by piece as tools/plan/command.py runs them.
PLAN_CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
from bench.plan_accounts import policy_sizes
from bench.replay import skeleton
from components.config.base import ConfigError
from tools.plan import command
from tools.plan.program import run_program
raw = json.loads(sys.stdin.read())
# Modules load once per process, not per resource: a one-account run loads them before the clock.
warmup = run_program({**raw, "workloadAccounts": raw["workloadAccounts"][:1]}, "us-west-2", "bench")
start = time.process_time()
try:
    run = run_program(raw, "us-west-2", "bench")
except ConfigError as err:
    print(json.dumps({"refused": err.problems}))
    sys.exit(0)
found = {"program": time.process_time() - start, "resources": len(run.registrations), **policy_sizes(run)}
diagrams = []
draw = command.diagram_markdown
def timed_diagrams(document):
    started = time.process_time()
    try:
        return draw(document)
    finally:
        diagrams.append(time.process_time() - started)
command.diagram_markdown = timed_diagrams
with tempfile.TemporaryDirectory() as out:
    start = time.process_time()
    command.write_plan(run, Path(out))
    written = time.process_time() - start
start = time.process_time()
command.summary(run)
found |= {"files": written - sum(diagrams), "diagrams": sum(diagrams), "summary": time.process_time() - start}
found["peak_kib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
# The registrations, for the floor to replay: written after the peak is read.
Path(sys.argv[1]).write_text(json.dumps({"warmup": skeleton(warmup), "resources": skeleton(run)}))
print(json.dumps(found))
"""

# The floors, in one process of their own: the old yardstick, as many trivial resources as the program
# registered (Tags with constant inputs and no parent), after ten of them; then the program's own
# registrations replayed (bench/replay.py), after its one-account run's.
FLOORS_CHILD = """
import json, sys, time
from pathlib import Path
import pulumi_aws as aws
from bench.replay import replay
from tools.plan.program import run_under_mocks
recorded = json.loads(Path(sys.argv[1]).read_text())
count = int(sys.argv[2])  # as many as the program registered
def tags(count):
    for i in range(count):
        aws.ec2.Tag(f"floor-{i}", resource_id="vpc-0123456789abcdef0", key="tkg-aws-bench", value="floor")
run_under_mocks(lambda: tags(10), "us-west-2", "bench")  # as the program's child: modules loaded first
start = time.process_time()
monitor = run_under_mocks(lambda: tags(count), "us-west-2", "bench")
tag_floor = {"seconds": time.process_time() - start, "resources": len(monitor.registrations)}
run_under_mocks(lambda: replay(recorded["warmup"]), "us-west-2", "bench")
start = time.process_time()
monitor = run_under_mocks(lambda: replay(recorded["resources"]), "us-west-2", "bench")
floor = {"seconds": time.process_time() - start, "resources": len(monitor.registrations)}
print(json.dumps({"floor": floor, "tag_floor": tag_floor}))
"""


def policy_sizes(run: ProgramRun) -> dict[str, int]:
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


def accounts(count: int) -> list[dict[str, Any]]:
    return [
        {
            "name": f"account-{i:03d}",
            "accountId": f"{400000000000 + i}",
            "deployRoleArn": f"arn:aws:iam::{400000000000 + i}:role/OrganizationAccountAccessRole",
            "identity": {"allowedNamespaces": [f"tenant-{i:03d}"]},
        }
        for i in range(count)
    ]


def child(script: str, *args: str, stdin: str = "") -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], input=stdin, cwd=ROOT, capture_output=True, text=True, check=True
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def measure(count: int, organization: str | None = None, progress: Progress | None = None) -> dict[str, Any]:
    """The plan command's pieces at `count` accounts, and the floor for as many resources."""
    from components.config.stack_files import read_stack_file

    progress = progress or Progress()
    raw = copy.deepcopy(read_stack_file(BASE_STACK).raw)
    raw["workloadAccounts"] = accounts(count)
    grant = {"organizationId": organization} if organization else {"managedPoliciesPerRole": MANAGED_POLICIES_PER_ROLE}
    raw["managementCluster"]["workloadRoleGrant"] = grant
    with tempfile.TemporaryDirectory() as scratch:
        recorded = str(Path(scratch) / "registrations.json")
        progress.say(f"bench: {count} account(s): planning ...")
        result = {"accounts": count, **child(PLAN_CHILD, recorded, stdin=json.dumps(raw))}
        if "refused" in result:
            return result
        progress.say(f"bench: {count} account(s): the floors, {result['resources']} resources replayed and as Tags ...")
        floors = child(FLOORS_CHILD, recorded, str(result["resources"]))
    floor, tags = floors["floor"], floors["tag_floor"]
    if floor["resources"] != result["resources"] or tags["resources"] != result["resources"]:
        counts = f"{floor['resources']} and {tags['resources']} of {result['resources']}"
        raise RuntimeError(f"the floors registered {counts} resources")
    result["floor"] = floor["seconds"] / floor["resources"]
    result["tag_floor"] = tags["seconds"] / tags["resources"]
    return result


HEADER = (
    f"{'accounts':>8} {'resources':>9} {'program s':>9} {'ms/res':>6} {'floor':>6} {'ratio':>5}"
    f" {'tag fl':>6} {'ratio':>5}"
    f" {'files s':>7} {'diagrams s':>10} {'summary s':>9} {'peak MiB':>8}"
    f" {'inline':>6} {'managed':>7} {'attached':>8}"
)


def line(r: dict[str, Any]) -> str:
    """One measured count: times, memory, and the largest policies (characters) and attachments."""
    if "refused" in r:
        return f"{r['accounts']:>8}  refused: {r['refused'][0]}"
    per_resource = 1000 * r["program"] / r["resources"]
    text = f"{r['accounts']:>8} {r['resources']:>9} {r['program']:>9.2f} {per_resource:>6.2f}"
    text += f" {1000 * r['floor']:>6.2f} {per_resource / (1000 * r['floor']):>5.2f}"
    text += f" {1000 * r['tag_floor']:>6.2f} {per_resource / (1000 * r['tag_floor']):>5.2f}"
    text += f" {r['files']:>7.2f} {r['diagrams']:>10.2f} {r['summary']:>9.2f} {r['peak_kib'] / 1024:>8.0f}"
    return text + f" {r['role_inline_max']:>6} {r['managed_max']:>7} {r['attached_max']:>8}"


def growth(smaller: dict[str, Any], larger: dict[str, Any]) -> str:
    """How each piece grew from one count to the next, beside how the resources grew (linear: alike)."""
    pieces = ", ".join(
        f"{piece} x{larger[piece] / smaller[piece]:.2f}" for piece in ("program", *PIECES) if smaller[piece] > 0
    )
    resources = larger["resources"] / smaller["resources"]
    return f"growth {smaller['accounts']} -> {larger['accounts']} accounts: resources x{resources:.2f}; {pieces}"


def floor_ratio(r: dict[str, Any]) -> str:
    ratio = r["program"] / r["resources"] / r["floor"]
    verdict = "within" if ratio <= FLOOR_RATIO_TARGET else "ABOVE"
    tags = r["program"] / r["resources"] / r["tag_floor"]
    return (
        f"program per resource at {r['accounts']} accounts: {ratio:.2f}x the floor ({verdict} {FLOOR_RATIO_TARGET}x);"
        f" {tags:.2f}x the tag floor"
    )


def over_limits(r: dict[str, Any]) -> str | None:
    if "refused" in r:
        return None if "Managed policies per" in r["refused"][0] else "refused for another reason than the quota"
    if r["role_inline_max"] > ROLE_INLINE_MAX or r["managed_max"] > MANAGED_POLICY_MAX:
        return f"a policy exceeds IAM's limits ({ROLE_INLINE_MAX} inline per role, {MANAGED_POLICY_MAX} managed)"
    if r["attached_max"] > MANAGED_POLICIES_PER_ROLE:
        return f"a role holds more than IAM's {MANAGED_POLICIES_PER_ROLE} managed policies at most"
    return None


def main(argv: list[str]) -> int:
    organization = None
    if argv[:1] == ["--organization"]:
        organization, argv = argv[1], argv[2:]
    counts = [int(a) for a in argv] or list(DEFAULT_COUNTS)
    progress = Progress()
    print(f"{HEADER}  (ms per resource: program, floor, tag floor; largest policies, characters)", flush=True)
    planned = []
    for count in counts:
        r = measure(count, organization, progress)
        print(line(r), flush=True)
        problem = over_limits(r)
        if problem:
            print(f"  {problem}", flush=True)
            return 1
        if "refused" not in r:
            planned.append(r)
    for smaller, larger in itertools.pairwise(planned[-3:]):  # the largest counts, where a square shows
        print(growth(smaller, larger), flush=True)
    if planned:
        print(floor_ratio(planned[-1]), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
