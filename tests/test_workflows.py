"""The CI workflows as a security review reads them, against the trust policies docs/ci.md documents.

Every job that asks for an OIDC token assumes a role whose documented trust policy admits exactly the
`sub` claims that job's tokens carry (GitHub: `repo:OWNER/REPO:environment:<name>` for a job with an
environment, `repo:OWNER/REPO:pull_request` for a pull request's job without one), pull requests
never get the deploy identity, actions are pinned by commit, each job's token has only the scopes
it uses and stays out of .git/config, and nothing pushes to main.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.stack_files import read_stack_file
from tests.conftest import REPO

WORKFLOWS = REPO / ".github" / "workflows"
OIDC_PROVIDER = "token.actions.githubusercontent.com"
CI_DOC = REPO / "docs" / "ci.md"
REPOSITORY = "OWNER/REPO"
PINNED = re.compile(r"^[\w.-]+/[\w.-]+@[0-9a-f]{40}$")
VERSION_COMMENT = re.compile(r"@[0-9a-f]{40} # v\d+\.\d+\.\d+$")
# Job -> the token scopes it may hold, and why (what it does with them).
WRITE_SCOPES = {
    ("pull-request.yml", "preview"): {"id-token": "write", "pull-requests": "write"},  # OIDC; the comment
    ("main.yml", "up"): {"id-token": "write"},  # OIDC
    ("main.yml", "deliver"): {"contents": "write", "pull-requests": "write"},  # the gitops branch and its PR
    ("offline-diff-comment.yml", "comment"): {"pull-requests": "write"},  # the comment
    ("sandbox.yml", "sandbox"): {"id-token": "write"},  # OIDC
}
# The role variable each identity is assumed with.
PREVIEW, DEPLOY, SANDBOX = "AWS_PREVIEW_ROLE_ARN", "AWS_DEPLOY_ROLE_ARN", "SANDBOX_ROLE_ARN"


def workflows() -> dict[str, dict[str, Any]]:
    return {path.name: yaml.safe_load(path.read_text()) for path in sorted(WORKFLOWS.glob("*.yml"))}


def jobs() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    """(workflow file, job name, job, workflow) of every job."""
    return [(name, job_name, job, flow) for name, flow in workflows().items() for job_name, job in flow["jobs"].items()]


def triggers(flow: dict[str, Any]) -> set[str]:
    return set(flow[True])  # YAML 1.1 reads the key `on` as true


def token_subjects(flow: dict[str, Any], job: dict[str, Any]) -> set[str]:
    """The `sub` claims of the OIDC tokens this job can get."""
    environment = job.get("environment")
    if environment is None:
        assert triggers(flow) == {"pull_request"}, "a job without environment gets tokens of its ref"
        return {f"repo:{REPOSITORY}:pull_request"}
    if environment == "${{ matrix.stack }}":
        return {f"repo:{REPOSITORY}:environment:{stack}" for stack in job["strategy"]["matrix"]["stack"]}
    return {f"repo:{REPOSITORY}:environment:{environment}"}


def role_variable(job: dict[str, Any]) -> str:
    (step,) = [s for s in job["steps"] if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@")]
    match = re.fullmatch(r"\$\{\{ vars\.(\w+) \}\}", step["with"]["role-to-assume"])
    assert match, "role ARNs are variables (not secrets): they are no secret, and reviewers can read them"
    return match.group(1)


def oidc_jobs() -> list[tuple[str, str, dict[str, Any], dict[str, Any]]]:
    return [j for j in jobs() if (j[2].get("permissions") or {}).get("id-token") == "write"]


# --- the documented trust policies --------------------------------------------------------------
def documented_trust_policies() -> list[dict[str, Any]]:
    """Every OIDC trust statement docs/ci.md shows, as JSON."""
    text = CI_DOC.read_text()
    statements = []
    for block in re.findall(r"```json\n(.*?)```", text, flags=re.S):
        if OIDC_PROVIDER not in block:
            continue
        document = json.loads(block)
        statements += document.get("Statement", [document])
    return statements


def documented_subjects() -> dict[str, set[str]]:
    """Role variable -> the sub claims its documented trust admits (docs/ci.md's table says which)."""
    text = CI_DOC.read_text()
    section = text[text.index("## CI identities") :]
    table = {
        variable: set(re.findall(r"`(repo:[^`]+)`", subs))
        for variable, subs in re.findall(r"^\|[^|]+\|[^|]+\| `(\w+)`[^|]*\|([^|]+)\|", section, flags=re.M)
    }
    sandbox = text[text.index("## Sandbox runs") :]
    table[SANDBOX] = set(re.findall(r'"(repo:[^"]+)"', sandbox.split("```json", 1)[1].split("```", 1)[0]))
    return table


@pytest.mark.parametrize(
    "statement", documented_trust_policies(), ids=lambda s: s["Condition"]["StringEquals"][f"{OIDC_PROVIDER}:sub"]
)
def test_each_documented_trust_admits_exact_subjects_of_this_repository_only(statement) -> None:
    assert statement["Action"] == "sts:AssumeRoleWithWebIdentity"
    assert statement["Principal"]["Federated"].endswith(f":oidc-provider/{OIDC_PROVIDER}")
    assert set(statement["Condition"]) == {"StringEquals"}, "no StringLike: a wildcard widens who may assume"
    condition = statement["Condition"]["StringEquals"]
    assert condition[f"{OIDC_PROVIDER}:aud"] == "sts.amazonaws.com"
    subject = condition[f"{OIDC_PROVIDER}:sub"]
    assert isinstance(subject, str) and "*" not in subject and subject.startswith(f"repo:{REPOSITORY}:")


def test_every_job_with_an_oidc_token_assumes_a_role_trusting_exactly_its_subjects() -> None:
    documented = documented_subjects()
    trusted = {s["Condition"]["StringEquals"][f"{OIDC_PROVIDER}:sub"] for s in documented_trust_policies()}
    used: dict[str, set[str]] = {}
    for _, _, job, flow in oidc_jobs():
        variable = role_variable(job)
        used.setdefault(variable, set()).update(token_subjects(flow, job))
    assert set(used) == {PREVIEW, DEPLOY, SANDBOX}
    for variable, subjects in used.items():
        assert documented[variable] == subjects, variable
        assert subjects <= trusted, f"{variable}: no trust policy shown for {subjects - trusted}"


def test_pull_requests_never_get_the_deploy_identity() -> None:
    for name, job_name, job, flow in oidc_jobs():
        variable = role_variable(job)
        if "pull_request" in triggers(flow) or "pull_request_target" in triggers(flow):
            assert variable == PREVIEW and "environment" not in job, (name, job_name)
        if variable == DEPLOY:
            assert triggers(flow) == {"push"} and flow[True]["push"]["branches"] == ["main"]
            assert job["environment"] == "${{ matrix.stack }}"


def test_the_pull_request_preview_covers_only_stacks_without_workload_accounts() -> None:
    """Their deploy roles trust only the deploy identity; the preview identity cannot enter them."""
    preview = workflows()["pull-request.yml"]["jobs"]["preview"]
    for stack in preview["strategy"]["matrix"]["stack"]:
        assert not read_stack_file(REPO / f"Pulumi.{stack}.yaml").raw.get("workloadAccounts"), stack
    pulumi = next(s for s in preview["steps"] if s.get("uses", "").startswith("pulumi/actions@"))
    assert pulumi["with"]["command"] == "preview"
    assert pulumi["env"]["PULUMI_ACCESS_TOKEN"] == "${{ secrets.PULUMI_PREVIEW_ACCESS_TOKEN }}"


# --- tokens, pins, pushes -------------------------------------------------------------------------
def test_each_job_holds_only_the_scopes_it_uses() -> None:
    for name, flow in workflows().items():
        assert flow["permissions"] == {}, f"{name}: the top level grants nothing; each job says what it needs"
    for name, job_name, job, _ in jobs():
        permissions = job.get("permissions")
        assert permissions is not None, f"{name} {job_name}: no permissions block"
        writes = {scope: level for scope, level in permissions.items() if level == "write"}
        assert writes == WRITE_SCOPES.get((name, job_name), {}), (name, job_name)
        assert set(permissions.values()) <= {"read", "write"}


def test_every_action_is_pinned_by_commit_with_its_version_beside_it() -> None:
    for path in sorted(WORKFLOWS.glob("*.yml")):
        for line in path.read_text().splitlines():
            match = re.search(r"uses: (\S+)(.*)$", line)
            if match:
                assert PINNED.fullmatch(match.group(1)), f"{path.name}: {line.strip()}"
                assert VERSION_COMMENT.search(line), f"{path.name}: no version comment: {line.strip()}"


def test_an_update_bot_proposes_new_pins_and_locks() -> None:
    config = yaml.safe_load((REPO / ".github" / "dependabot.yml").read_text())
    ecosystems = {update["package-ecosystem"]: update for update in config["updates"]}
    assert set(ecosystems) == {"github-actions", "pip"}
    locks = {str(Path(d.lstrip("/")) / "requirements.txt") for d in ecosystems["pip"]["directories"]}
    assert locks == {"requirements.txt", "policy/requirements.txt", "examples/app-team/requirements.txt"}


def test_no_checkout_keeps_the_token_in_git_config() -> None:
    for name, job_name, job, _ in jobs():
        for step in job["steps"]:
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step.get("with", {}).get("persist-credentials") is False, (name, job_name)


def test_nothing_pushes_to_main_the_manifests_arrive_by_pull_request() -> None:
    scripts = {(n, j): "\n".join(s.get("run", "") for s in job["steps"]) for n, j, job, _ in jobs()}
    for where, script in scripts.items():
        assert not re.search(r"git push[^\n]*\b(HEAD:)?(refs/heads/)?main\b", script), where
    deliver = scripts["main.yml", "deliver"]
    assert 'push --quiet origin "HEAD:refs/heads/$branch"' in deliver and 'branch="gitops/$stack"' in deliver
    assert "gh pr create" in deliver and "--base main" in deliver
    up = workflows()["main.yml"]["jobs"]["up"]
    assert "contents" not in {k for k, v in up["permissions"].items() if v == "write"}
