"""Workload accounts: per-account providers, cross-account trust, the management AssumeRole policy,
and the AWSClusterRoleIdentity objects, as the prod plan declares them."""

from __future__ import annotations

import copy
import json

import pytest

from components.config.base import ConfigError
from components.tkg.workload_accounts import WorkloadAccount
from tests.conftest import plan
from tools.plan.command import kubernetes_objects, resources_document
from tools.plan.mocks import MANAGEMENT_ACCOUNT_ID
from tools.plan.program import ProgramRun

SUFFIX = ".tkg.cloud.vmware.com"
MANAGEMENT_CONTROL_PLANE = f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:role/control-plane{SUFFIX}"
WORKLOAD_ACCOUNTS = {"lob-dev": "222222222222", "lob-prod": "333333333333"}


def shared_trust(raw: dict) -> dict:
    """The prod config with the opt-in shared trust: the workload accounts trust the management
    control-plane role (the role TKG runs CAPA as) instead of the prod file's dedicated role."""
    raw = copy.deepcopy(raw)
    raw["managementCluster"].pop("capaPrincipalArns", None)
    raw["managementCluster"]["trustControlPlaneRole"] = True
    return raw


@pytest.fixture(scope="module")
def prod() -> ProgramRun:
    from tests.conftest import stack_file

    return plan(shared_trust(stack_file("prod")[0]), stack="prod")


def descendants(run: ProgramRun, type_token: str, name: str) -> list:
    root = next(urn for urn, r in run.registrations.items() if r.type == type_token and r.name == name)
    found, frontier = [], {root}
    while frontier:
        children = [r for r in run.registrations.values() if r.parent in frontier]
        found += children
        frontier = {r.urn for r in children}
    return found


def provider_account(run: ProgramRun, provider_urn: str) -> str:
    allowed = run.registrations[provider_urn].inputs["allowedAccountIds"]
    return json.loads(allowed)[0] if isinstance(allowed, str) else allowed[0]


def controllers_role(run: ProgramRun, account: str):
    roles = [r for r in descendants(run, WorkloadAccount.TYPE_TOKEN, account) if r.type == "aws:iam/role:Role"]
    return next(r for r in roles if r.inputs["name"] == f"controllers{SUFFIX}")


@pytest.mark.parametrize("account", sorted(WORKLOAD_ACCOUNTS))
def test_every_aws_resource_of_an_account_uses_that_accounts_provider(prod: ProgramRun, account: str) -> None:
    resources = [
        r for r in descendants(prod, WorkloadAccount.TYPE_TOKEN, account) if r.custom and r.type.startswith("aws:")
    ]
    assert len(resources) >= 3 + 3 + 3 + 5, [r.name for r in resources]
    assert {provider_account(prod, r.provider) for r in resources} == {WORKLOAD_ACCOUNTS[account]}


def test_the_account_provider_assumes_the_deploy_role_and_allows_only_that_account(prod: ProgramRun) -> None:
    provider = next(r for r in prod.of_type("pulumi:providers:aws") if r.name == "lob-prod")
    assume = json.loads(provider.inputs["assumeRoles"])
    assert assume == [
        {
            "externalId": "tkg-aws-lob-prod",
            "roleArn": "arn:aws:iam::333333333333:role/tkg-aws-deploy",
            "sessionName": "tkg-aws-lob-prod",
        }
    ]
    assert json.loads(provider.inputs["allowedAccountIds"]) == ["333333333333"]
    assert json.loads(provider.inputs["defaultTags"])["tags"]["environment"] == "prod"
    assert provider.inputs["region"] == "us-west-2"


@pytest.mark.parametrize("account", sorted(WORKLOAD_ACCOUNTS))
def test_the_controllers_role_trusts_ec2_and_only_the_management_capa_principal(prod: ProgramRun, account: str) -> None:
    trust = json.loads(controllers_role(prod, account).inputs["assumeRolePolicy"])
    ec2, management, session_tags = trust["Statement"]
    assert ec2["Principal"] == {"Service": ["ec2.amazonaws.com"]}
    assert management["Principal"] == {"AWS": [f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"]}
    assert management["Action"] == ["sts:AssumeRole"]
    # An EKS Pod Identity session passes its transitive session tags on; sts:ExternalId is no
    # condition key of sts:TagSession, so the tags have a statement of their own.
    assert session_tags == {
        "Sid": "CapaSessionTags",
        "Effect": "Allow",
        "Principal": management["Principal"],
        "Action": ["sts:TagSession"],
        "Condition": {"ArnEquals": management["Condition"]["ArnEquals"]},
    }
    assert management["Condition"]["ArnEquals"] == {"aws:PrincipalArn": [MANAGEMENT_CONTROL_PLANE]}


def test_an_identity_external_id_becomes_a_trust_condition(prod: ProgramRun) -> None:
    with_id = json.loads(controllers_role(prod, "lob-prod").inputs["assumeRolePolicy"])["Statement"][1]
    without = json.loads(controllers_role(prod, "lob-dev").inputs["assumeRolePolicy"])["Statement"][1]
    assert with_id["Condition"]["StringEquals"] == {"sts:ExternalId": "lob-prod-capa"}
    assert "StringEquals" not in without["Condition"]


def test_capa_principal_arns_replace_the_control_plane_role_as_trusted_and_granted_principal(prod_raw: dict) -> None:
    irsa = f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:role/eks/capa-controller-manager"
    user = f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:user/bootstrapper.tkg.cloud.vmware.com"
    prod_raw["managementCluster"]["capaPrincipalArns"] = [irsa, user]
    run = plan(prod_raw, stack="prod")
    statement = json.loads(controllers_role(run, "lob-dev").inputs["assumeRolePolicy"])["Statement"][1]
    assert statement["Principal"] == {"AWS": [f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:root"]}
    assert statement["Condition"]["ArnEquals"] == {"aws:PrincipalArn": sorted([irsa, user])}
    role_grants = grant_attachments(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    user_grants = grant_attachments(run, "aws:iam/userPolicyAttachment:UserPolicyAttachment")
    assert [r.inputs["role"] for r in role_grants] == ["capa-controller-manager"]
    assert [r.inputs["user"] for r in user_grants] == ["bootstrapper.tkg.cloud.vmware.com"]


def test_the_capa_profile_trusts_and_grants_both_management_roles_capa_may_run_as(prod_raw: dict) -> None:
    prod_raw = shared_trust(prod_raw)
    prod_raw["iam"] = {"profile": "capa"}
    run = plan(prod_raw, stack="prod")
    suffix = ".cluster-api-provider-aws.sigs.k8s.io"
    roles = [r for r in descendants(run, WorkloadAccount.TYPE_TOKEN, "lob-dev") if r.type == "aws:iam/role:Role"]
    (controllers,) = [r for r in roles if r.inputs["name"] == f"controllers{suffix}"]
    condition = json.loads(controllers.inputs["assumeRolePolicy"])["Statement"][1]["Condition"]
    assert condition["ArnEquals"]["aws:PrincipalArn"] == [
        f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:role/control-plane{suffix}",
        f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:role/controllers{suffix}",
    ]
    grants = grant_attachments(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert sorted(r.inputs["role"] for r in grants) == [f"control-plane{suffix}", f"controllers{suffix}"]


def test_a_workload_account_uses_its_own_boundary_and_extra_policies(prod_raw: dict) -> None:
    prod_raw["iam"] = {"permissionsBoundary": f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:policy/boundary"}
    prod_raw["workloadAccounts"][0]["permissionsBoundary"] = "arn:aws:iam::222222222222:policy/boundary"
    prod_raw["workloadAccounts"][0]["extraPolicyArns"] = {
        "nodes": ["arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"]
    }
    run = plan(prod_raw, stack="prod")
    dev_roles = [r for r in descendants(run, WorkloadAccount.TYPE_TOKEN, "lob-dev") if r.type == "aws:iam/role:Role"]
    assert {r.inputs["permissionsBoundary"] for r in dev_roles} == {"arn:aws:iam::222222222222:policy/boundary"}
    prod_roles = [r for r in descendants(run, WorkloadAccount.TYPE_TOKEN, "lob-prod") if r.type == "aws:iam/role:Role"]
    assert all("permissionsBoundary" not in r.inputs for r in prod_roles)
    attachments = [
        r.inputs["policyArn"]
        for r in descendants(run, WorkloadAccount.TYPE_TOKEN, "lob-dev")
        if r.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
    ]
    assert "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore" in attachments


def test_a_workload_account_may_not_use_another_accounts_policy(prod_raw: dict) -> None:
    prod_raw["workloadAccounts"][0]["permissionsBoundary"] = f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:policy/boundary"
    with pytest.raises(ConfigError, match=r"workloadAccounts\[0\].permissionsBoundary: a policy of account"):
        plan(prod_raw, stack="prod")


def test_the_management_account_cannot_also_be_a_workload_account(prod_raw: dict) -> None:
    prod_raw["workloadAccounts"][0]["accountId"] = MANAGEMENT_ACCOUNT_ID
    prod_raw["workloadAccounts"][0]["deployRoleArn"] = f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:role/admin"
    with pytest.raises(ConfigError, match=r"workloadAccounts\[0\].accountId: is the management account"):
        plan(prod_raw, stack="prod")  # known only from the caller identity, at run time
    prod_raw["managementCluster"]["accountId"] = MANAGEMENT_ACCOUNT_ID
    with pytest.raises(ConfigError, match=r"workloadAccounts\[0\].accountId: is the management account"):
        plan(prod_raw, stack="prod")  # known from config, before anything runs


def test_identity_sessions_longer_than_an_hour_raise_the_roles_max_session_duration(prod_raw: dict) -> None:
    # Only IAM users' keys start a session that is no role chain, which STS caps at one hour.
    prod_raw["managementCluster"]["capaPrincipalArns"] = [f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:user/bootstrapper"]
    prod_raw["workloadAccounts"][0]["identity"]["durationSeconds"] = 7200
    run = plan(prod_raw, stack="prod")
    assert controllers_role(run, "lob-dev").inputs["maxSessionDuration"] == 7200
    assert "maxSessionDuration" not in controllers_role(run, "lob-prod").inputs


def test_identity_sessions_longer_than_an_hour_are_refused_while_capa_runs_as_a_role(prod_raw: dict) -> None:
    prod_raw["workloadAccounts"][1]["identity"]["durationSeconds"] = 7200
    with pytest.raises(ConfigError) as raised:
        plan(prod_raw, stack="prod")  # prod's CAPA principal is a role (its controller's IRSA role)
    assert raised.value.problems == [
        (
            "tkg-aws:workloadAccounts[1].identity.durationSeconds: at most 3600 while CAPA runs as a role (a role "
            "in managementCluster.capaPrincipalArns, or trustControlPlaneRole): STS refuses longer role-chained "
            "sessions (got 7200)"
        )
    ]
    prod_raw["managementCluster"]["capaPrincipalArns"] = [
        f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:user/bootstrapper",
        f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:role/eks/capa-controller-manager",
    ]
    with pytest.raises(ConfigError, match=r"workloadAccounts\[1\].identity.durationSeconds: at most 3600"):
        plan(prod_raw, stack="prod")


def grant_attachments(run: ProgramRun, type_token: str) -> list:
    return [r for r in run.of_type(type_token) if "assume-workload" in r.name]


def management_assume_policy(run: ProgramRun):
    policies = [r for r in run.of_type("aws:iam/policy:Policy") if "assume-workload" in r.name]
    assert len(policies) == 1, [r.name for r in policies]
    return policies[0]


def test_the_management_control_plane_role_may_assume_exactly_the_workload_controllers_roles(prod: ProgramRun) -> None:
    policy = management_assume_policy(prod)
    (attachment,) = grant_attachments(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachment.inputs["role"] == f"control-plane{SUFFIX}"
    assert attachment.inputs["policyArn"] == f"arn:aws:iam::{MANAGEMENT_ACCOUNT_ID}:policy/{policy.inputs['name']}"
    assert prod.registrations[policy.provider].name == "management"
    document = json.loads(policy.inputs["policy"])
    (statement,) = document["Statement"]
    assert statement["Action"] == ["sts:AssumeRole"]
    assert statement["Resource"] == [
        f"arn:aws:iam::{account}:role/controllers{SUFFIX}" for account in WORKLOAD_ACCOUNTS.values()
    ]


def test_each_identity_waits_for_its_trust_and_the_management_policy(prod: ProgramRun) -> None:
    identities = prod.of_type("kubernetes:infrastructure.cluster.x-k8s.io/v1beta2:AWSClusterRoleIdentity")
    assert len(identities) == 2
    policy = management_assume_policy(prod)
    (attachment,) = grant_attachments(prod, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    for identity in identities:
        account = identity.inputs["metadata"]["labels"]["tkg-aws/workload-account"]
        assert controllers_role(prod, account).urn in identity.depends_on
        assert {policy.urn, attachment.urn} <= set(identity.depends_on)


def test_manifests_hold_one_identity_per_account(prod: ProgramRun, golden) -> None:
    identities = [o for o in kubernetes_objects(prod) if o["kind"] == "AWSClusterRoleIdentity"]
    assert [o["metadata"]["name"] for o in identities] == ["lob-dev", "lob-prod"]
    golden("identities/prod.yaml", identities)


def test_the_identity_api_version_follows_config(prod_raw: dict) -> None:
    prod_raw["managementCluster"]["identityApiVersion"] = "v1beta1"
    run = plan(prod_raw, stack="prod")
    assert len(run.of_type("kubernetes:infrastructure.cluster.x-k8s.io/v1beta1:AWSClusterRoleIdentity")) == 2


def test_outputs_give_each_account_its_role_and_tkg_identity_variables(prod: ProgramRun) -> None:
    accounts = prod.outputs["workloadAccounts"]
    assert sorted(accounts) == ["lob-dev", "lob-prod"]
    assert accounts["lob-dev"]["controllersRoleArn"] == f"arn:aws:iam::222222222222:role/controllers{SUFFIX}"
    assert accounts["lob-prod"]["tkgClusterConfig"] == {
        "AWS_IDENTITY_REF_KIND": "AWSClusterRoleIdentity",
        "AWS_IDENTITY_REF_NAME": "lob-prod",
        "AWS_NODE_AZ": "us-west-2a",
        "AWS_NODE_AZ_1": "us-west-2b",
        "AWS_NODE_AZ_2": "us-west-2c",
        "AWS_REGION": "us-west-2",
        "AWS_SSH_KEY_NAME": "tkg-prod",
        "CLUSTER_PLAN": "prod",
        "EXP_EXTERNAL_RESOURCE_GC": "false",
    }
    # lob-dev does not ask for the key pair: it is imported there by default, as tanzu needs one.
    assert accounts["lob-dev"]["tkgClusterConfig"]["AWS_SSH_KEY_NAME"] == "tkg-prod"
    assert accounts["lob-dev"]["keyPairName"] == "tkg-prod"


def _inputs_by_urn(run: ProgramRun) -> dict[str, dict]:
    """Each resource as a preview compares it. The management provider waits for every workload
    provider (components/foundations/accounts.py), but a provider's dependencies are no input: no diff."""
    return {
        r["urn"]: {**r, "dependsOn": []} if r["type"].startswith("pulumi:providers:") else r
        for r in resources_document(run)["resources"]
    }


def test_adding_an_account_changes_nothing_but_the_management_assume_policy(prod_raw: dict, prod: ProgramRun) -> None:
    bigger = shared_trust(prod_raw)  # as the prod fixture
    bigger["workloadAccounts"].append(
        {
            "name": "lob-qa",
            "accountId": "555555555555",
            "deployRoleArn": "arn:aws:iam::555555555555:role/OrganizationAccountAccessRole",
            "identity": {"allowedNamespaces": ["lob-qa"]},
        }
    )
    before, after = _inputs_by_urn(prod), _inputs_by_urn(plan(bigger, stack="prod"))
    assert before.keys() <= after.keys()
    changed = [urn for urn in before if before[urn] != after[urn]]
    assert changed == [management_assume_policy(prod).urn]
    assert all("lob-qa" in urn for urn in after.keys() - before.keys())


def test_removing_an_account_touches_only_that_account(prod_raw: dict, prod: ProgramRun) -> None:
    smaller = shared_trust(prod_raw)  # as the prod fixture
    smaller["workloadAccounts"] = [a for a in smaller["workloadAccounts"] if a["name"] != "lob-dev"]
    before, after = _inputs_by_urn(prod), _inputs_by_urn(plan(smaller, stack="prod"))
    assert after.keys() <= before.keys()
    assert all("lob-dev" in urn for urn in before.keys() - after.keys())
    changed = [urn for urn in after if before[urn] != after[urn]]
    assert changed == [management_assume_policy(prod).urn]


def test_a_capa_principal_of_another_account_is_refused(prod_raw: dict) -> None:
    prod_raw["managementCluster"]["capaPrincipalArns"] = ["arn:aws:iam::444444444444:role/capa-controller-manager"]
    with pytest.raises(ConfigError, match=r"capaPrincipalArns\[0\]: belongs to account 444444444444"):
        plan(prod_raw, stack="prod")  # the caller identity says 111111111111
    prod_raw["managementCluster"]["accountId"] = MANAGEMENT_ACCOUNT_ID
    with pytest.raises(ConfigError, match=r"capaPrincipalArns\[0\]: belongs to account 444444444444"):
        plan(prod_raw, stack="prod")
