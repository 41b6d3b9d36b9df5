"""Real accounts: every provider pinned to its account, the stack's aws:/kubernetes: settings honoured
or refused, the IAM that tanzu or clusterawsadm created adoptable through import.json, and fixed
names that two stacks of the repository can never both create."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
import yaml

from components.config.base import ConfigError
from tests.conftest import DATA, REPO, RSA_2048_PUBLIC_KEY, fixture_file, plan, planned
from tools.plan.adoption import NAMED_TYPES, import_document, provider_accounts, provider_targets
from tools.plan.command import main, plan_stack, repository_problems, write_plan
from tools.plan.program import ProgramRun

AWS_PROVIDER = "pulumi:providers:aws"


def stack_document(stack: str) -> dict[str, Any]:
    return yaml.safe_load(fixture_file(stack).read_text())


def write_stack(tmp_path: Path, stack: str, document: dict[str, Any]) -> Path:
    tmp_path.mkdir(exist_ok=True)
    path = tmp_path / f"Pulumi.{stack}.yaml"
    path.write_text(yaml.safe_dump(document))
    return path


def with_config(stack: str, **config: Any) -> dict[str, Any]:
    document = stack_document(stack)
    document["config"].update(config)
    return document


def providers(run: ProgramRun) -> dict[str, Any]:
    return {r.name: r for r in run.of_type(AWS_PROVIDER)}


def decoded(value: Any) -> Any:
    """Nested provider inputs reach the engine JSON-encoded."""
    return json.loads(value) if isinstance(value, str) else value


def problems_of_file(tmp_path: Path, document: dict[str, Any], capsys) -> list[str]:
    path = write_stack(tmp_path, "bad", document)
    assert main(["bad", "--config-file", str(path), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()
    return [line for line in err.splitlines() if not line.startswith("error:")]


# --- every provider pins its account -------------------------------------------------------------
@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_every_aws_provider_of_the_shipped_stacks_is_pinned_to_its_account(stack: str) -> None:
    run = planned(stack)
    pins = {name: decoded(p.inputs.get("allowedAccountIds")) for name, p in providers(run).items()}
    expected = {"management": [run.config.management_cluster.account_id]}
    expected |= {a.name: [a.account_id] for a in run.config.workload_accounts}
    assert pins == expected


def test_no_account_is_changed_before_every_provider_reached_its_own() -> None:
    """pulumi-aws checks allowedAccountIds when a provider is configured; the management provider
    waits for every workload provider, and every resource waits for its provider."""
    run = planned("prod")
    by_name = providers(run)
    workload = {by_name[a.name].urn for a in run.config.workload_accounts}
    assert set(by_name["management"].depends_on) == workload


def test_the_workload_providers_keep_their_urns_through_an_alias() -> None:
    """They used to be children of their WorkloadAccount component: the alias names that URN."""
    run = planned("prod")
    provider = providers(run)["lob-dev"]
    assert provider.parent.endswith("pulumi:pulumi:Stack::tkg-aws-prod")
    assert [urn.rsplit("::", 2)[-2:] for urn in provider.options["aliases"]] == [
        ["tkg-aws:cross_account:WorkloadAccount$pulumi:providers:aws", "lob-dev"]
    ]


def test_the_management_account_id_is_required(tmp_path: Path, capsys) -> None:
    document = stack_document("dev")
    del document["config"]["tkg-aws:managementCluster"]["accountId"]
    assert problems_of_file(tmp_path, document, capsys) == [
        (
            "tkg-aws:managementCluster.accountId: required key is missing "
            "(pulumi config set --type string --path tkg-aws:managementCluster.accountId 111111111111)"
        )
    ]


# --- aws: and kubernetes: settings ---------------------------------------------------------------
def test_the_stacks_aws_settings_reach_the_management_and_workload_providers(tmp_path: Path) -> None:
    chain = [{"roleArn": "arn:aws:iam::111111111111:role/platform-deployer", "sessionName": "ci"}]
    document = with_config(
        "prod",
        **{
            "aws:profile": "platform",
            "aws:assumeRoles": chain,
            "aws:httpsProxy": "http://proxy.internal:3128",
            "aws:endpoints": [{"sts": "https://sts.us-west-2.amazonaws.com"}],
            "aws:useFipsEndpoint": True,
            "aws:maxRetries": 10,
        },
    )
    run = plan_stack("prod", write_stack(tmp_path, "prod", document))
    by_name = providers(run)
    management = by_name["management"].inputs
    assert management["profile"] == "platform"
    assert management["httpsProxy"] == "http://proxy.internal:3128"
    assert decoded(management["useFipsEndpoint"]) is True
    assert decoded(management["maxRetries"]) == 10
    assert decoded(management["endpoints"]) == [{"sts": "https://sts.us-west-2.amazonaws.com"}]
    assert [r["roleArn"] for r in decoded(management["assumeRoles"])] == [chain[0]["roleArn"]]
    lob_prod = by_name["lob-prod"].inputs
    assert lob_prod["profile"] == "platform"
    # The workload account is entered from the stack's identity: its chain first, then the deploy role.
    assert [r["roleArn"] for r in decoded(lob_prod["assumeRoles"])] == [
        chain[0]["roleArn"],
        "arn:aws:iam::333333333333:role/tkg-aws-deploy",
    ]


def test_a_secret_aws_setting_stays_secret_on_the_providers(tmp_path: Path) -> None:
    document = with_config("dev", **{"aws:accessKey": "AKIAEXAMPLE", "aws:secretKey": {"secure": "v1:ciphertext"}})
    run = plan_stack("dev", write_stack(tmp_path, "dev", document))
    inputs = providers(run)["management"].inputs
    from tools.plan.program import plan_data

    # pulumi-aws marks both keys secret; ours arrives encrypted, so the plan cannot show it anyway.
    assert plan_data(inputs)["secretKey"] == "[secret]"
    assert "accessKey" in inputs


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("aws:defaultTags", {"tags": {"a": "b"}}, "aws:defaultTags: not settable here: the program sets default tags"),
        ("aws:allowedAccountIds", ["111111111111"], "use tkg-aws:managementCluster.accountId"),
        ("aws:skipRequestingAccountId", True, "aws:skipRequestingAccountId: not settable here"),
        ("aws:tagPolicyCompliance", "error", "aws:tagPolicyCompliance: not a setting this program passes"),
        ("aws:endpoints", [{"ec3": "https://x"}], "aws:endpoints: 'ec3' is not a service of pulumi-aws"),
        ("aws:secretKey", "plaintext-secret", "aws:secretKey: a credential must be a secret"),
        ("tkg_aws:network", {"cidr": "10.9.0.0/16"}, "tkg_aws:network: unknown config namespace 'tkg_aws'"),
        ("kubernetes:namespace", "default", "kubernetes:namespace: not used by this program"),
        ("kubernetes:kubeconfig", "apiVersion: v1\nclusters: []\n", "kubernetes:kubeconfig: a kubeconfig's contents"),
    ],
)
def test_settings_the_program_does_not_pass_on_are_keyed_errors(
    tmp_path: Path, capsys, key: str, value: Any, expected: str
) -> None:
    lines = problems_of_file(tmp_path, with_config("dev", **{key: value}), capsys)
    (line,) = [line for line in lines if line.startswith(key + ":")]
    assert expected in line
    assert "plaintext-secret" not in "\n".join(lines) and "clusters: []" not in "\n".join(lines)
    if key == "tkg_aws:network":
        assert "did you mean tkg-aws:network?" in line


def test_kubernetes_settings_reach_the_management_cluster_provider(tmp_path: Path) -> None:
    document = with_config(
        "dev", **{"kubernetes:kubeconfig": {"secure": "v1:ciphertext"}, "kubernetes:context": "mgmt-admin@mgmt"}
    )
    document["config"]["tkg-aws:managementCluster"] = {"accountId": "123456789012"}
    document["config"]["tkg-aws:gpu"] = {"enabled": True}
    run = plan_stack("dev", write_stack(tmp_path, "dev", document))
    (provider,) = run.of_type("pulumi:providers:kubernetes")
    from tools.plan.program import plan_data

    assert plan_data(provider.inputs)["kubeconfig"] == "[secret]"
    assert provider.inputs["context"] == "mgmt-admin@mgmt"


def test_kubernetes_settings_beside_the_management_cluster_ones_are_an_error(tmp_path: Path, capsys) -> None:
    document = with_config("dev", **{"kubernetes:context": "a", "kubernetes:kubeconfig": "/home/me/.kube/config"})
    document["config"]["tkg-aws:managementCluster"] = {
        "accountId": "123456789012",
        "kubeconfig": {"secure": "v1:ciphertext"},
        "context": "b",
    }
    assert problems_of_file(tmp_path, document, capsys) == [
        "tkg-aws:managementCluster.kubeconfig: set either this or kubernetes:kubeconfig, not both (got both)",
        "tkg-aws:managementCluster.context: set either this or kubernetes:context, not both (got both)",
    ]


# --- empty is not absent -------------------------------------------------------------------------
@pytest.mark.parametrize("key", ["renderYamlToDirectory", "context"])
def test_empty_management_cluster_values_are_errors(tmp_path: Path, capsys, key: str) -> None:
    document = stack_document("dev")
    document["config"]["tkg-aws:managementCluster"][key] = ""
    lines = problems_of_file(tmp_path, document, capsys)
    assert any(line.startswith(f"tkg-aws:managementCluster.{key}: must not be empty") for line in lines), lines


def test_an_empty_kubeconfig_is_an_error() -> None:
    raw = {"environment": "dev", "managementCluster": {"accountId": "111111111111", "kubeconfig": ""}}
    with pytest.raises(ConfigError) as err:
        plan(raw, secret_paths={"managementCluster"})
    assert err.value.problems[0].startswith("tkg-aws:managementCluster.kubeconfig: must not be empty")


def test_a_plaintext_kubeconfig_is_refused_with_the_command_to_set_it(tmp_path: Path, capsys) -> None:
    document = stack_document("dev")
    document["config"]["tkg-aws:managementCluster"] = {
        "accountId": "123456789012",
        "kubeconfig": "apiVersion: v1\nusers:\n- user: {token: plaintext-token}\n",
    }
    (line,) = problems_of_file(tmp_path, document, capsys)
    assert line.startswith("tkg-aws:managementCluster.kubeconfig: must be a secret")
    assert "pulumi config set --secret --path tkg-aws:managementCluster.kubeconfig" in line
    assert "plaintext-token" not in line


# --- import.json ---------------------------------------------------------------------------------
def entries(document: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(e["type"], e["logicalName"]): e for e in document["resources"]}


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_import_json_is_written_and_covers_every_template_resource_of_every_account(stack: str, tmp_path: Path) -> None:
    run = planned(stack)
    write_plan(run, tmp_path)
    document = json.loads((tmp_path / "import.json").read_text())
    imported = [e for e in document["resources"] if not e.get("component")]
    # 3 roles, 3 instance profiles, 3 managed policies, 5 attachments and TKG's 2 inline policies per account.
    assert len(imported) == 16 * (1 + len(run.config.workload_accounts))
    counts = {t: sum(1 for e in imported if e["type"] == t) for t in {e["type"] for e in imported}}
    assert counts["aws:iam/rolePolicyAttachment:RolePolicyAttachment"] == 5 * (1 + len(run.config.workload_accounts))
    names = [e["name"] for e in document["resources"]]
    assert len(names) == len(set(names))
    for entry in imported:
        assert entry["provider"] in document["nameTable"]
        assert entry.get("parent") in {e["name"] for e in document["resources"] if e.get("component")}
    # Nothing the program invents itself, and no key pair whose key would be generated.
    assert not [e for e in imported if "assume-workload-controllers" in e["id"] or "keyPair" in e["type"]]


def test_import_ids_follow_the_formats_of_pulumi_aws() -> None:
    document = import_document(planned("prod"))
    by_key = entries(document)
    assert by_key[("aws:iam/role:Role", "iam-controllers")]["id"] == "controllers.tkg.cloud.vmware.com"
    assert by_key[("aws:iam/instanceProfile:InstanceProfile", "iam-nodes")]["id"] == "nodes.tkg.cloud.vmware.com"
    assert by_key[("aws:iam/policy:Policy", "lob-dev-nodes")]["id"] == (
        "arn:aws:iam::222222222222:policy/nodes.tkg.cloud.vmware.com"
    )
    assert by_key[("aws:iam/rolePolicy:RolePolicy", "iam-control-plane-inline")]["id"] == (
        "control-plane.tkg.cloud.vmware.com:tkg-cloud-vmware-com"
    )
    assert by_key[("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "iam-control-plane-nodes")]["id"] == (
        "control-plane.tkg.cloud.vmware.com/arn:aws:iam::111111111111:policy/nodes.tkg.cloud.vmware.com"
    )
    role = by_key[("aws:iam/role:Role", "lob-prod-controllers")]
    assert document["nameTable"][role["provider"]] == "urn:pulumi:prod::tkg-aws::pulumi:providers:aws::lob-prod"
    assert role["parent"] == "tkg-aws:iam:ClusterIam::lob-prod"
    assert entries(document)[("tkg-aws:iam:ClusterIam", "lob-prod")]["parent"] == (
        "tkg-aws:cross_account:WorkloadAccount::lob-prod"
    )
    assert provider_targets(document) == [
        f"urn:pulumi:prod::tkg-aws::pulumi:providers:aws::{name}" for name in ("lob-dev", "lob-prod", "management")
    ]


def test_import_json_of_the_capa_profile_uses_capas_names_and_has_no_inline_policy(dev_raw: dict) -> None:
    dev_raw["iam"] = {"profile": "capa"}
    document = import_document(plan(dev_raw, stack="dev"))
    ids = sorted(e["id"] for e in document["resources"] if not e.get("component"))
    assert len(ids) == 14
    assert "controllers.cluster-api-provider-aws.sigs.k8s.io" in ids
    assert not [i for i in ids if "tkg" in i]


def test_extra_attachments_and_the_eks_local_role_are_not_in_the_import_file(dev_raw: dict) -> None:
    dev_raw["iam"] = {"eksLocalClusterRole": True, "extraPolicyArns": {"nodes": ["arn:aws:iam::aws:policy/X"]}}
    ids = [e["id"] for e in import_document(plan(dev_raw, stack="dev"))["resources"] if "id" in e]
    assert len(ids) == 16
    assert not [i for i in ids if "eks-local-cluster" in i or i.endswith("policy/X")]


def test_a_given_public_key_makes_the_key_pairs_adoptable(prod_raw: dict) -> None:
    prod_raw["keyPair"] = {"name": "tkg-prod", "publicKey": RSA_2048_PUBLIC_KEY, "adopted": True}
    run = plan(prod_raw, stack="prod")
    key_pairs = [e for e in import_document(run)["resources"] if e["type"] == "aws:ec2/keyPair:KeyPair"]
    assert sorted((e["id"], e["provider"]) for e in key_pairs) == [
        ("tkg-prod", "provider:lob-dev"),  # workload accounts import the stack's key pair too (the default)
        ("tkg-prod", "provider:lob-prod"),
        ("tkg-prod", "provider:management"),
    ]
    (management,) = [r for r in run.of_type("aws:ec2/keyPair:KeyPair") if r.name == "key-pair"]
    assert management.options.get("retainOnDelete") is True


def test_adopting_a_key_pair_without_its_public_key_is_refused(dev_raw: dict) -> None:
    dev_raw["keyPair"] = {"name": "tkg-dev", "adopted": True}
    with pytest.raises(ConfigError) as err:
        plan(dev_raw, stack="dev")
    assert err.value.problems == [
        (
            "tkg-aws:keyPair.adopted: adopting an existing key pair needs its keyPair.publicKey (a generated key "
            "would replace the key pair and lock out its users) (got true)"
        )
    ]


def test_an_adopted_iam_set_is_retained_on_delete_and_a_new_one_is_not(prod_raw: dict) -> None:
    prod_raw["iam"] = {"adopted": True}
    prod_raw["workloadAccounts"][1]["adopted"] = True
    run = plan(prod_raw, stack="prod")
    for r in run.registrations.values():
        if r.type.startswith("aws:iam/") and "assume-workload" not in r.name:
            retained = r.options.get("retainOnDelete") is True
            assert retained == (not r.name.startswith("lob-dev-")), r.name


# --- names that never collide --------------------------------------------------------------------
def test_two_stack_files_that_create_one_iam_set_in_one_account_are_refused(tmp_path: Path, capsys) -> None:
    shutil.copy(fixture_file("prod"), tmp_path)
    document = stack_document("dev")
    document["config"]["tkg-aws:managementCluster"]["accountId"] = "111111111111"
    write_stack(tmp_path, "dev", document)
    run = plan_stack("dev", directory=tmp_path)
    (line,) = repository_problems(run, tmp_path)
    assert line.startswith("tkg-aws:iam: stacks dev and prod both create the ")
    assert "in account 111111111111" in line and "iam.ownedByStack" in line


def test_a_stack_whose_workload_account_is_another_stacks_management_account_collides_there(tmp_path: Path) -> None:
    """The stacks share no management account: the collision is found through prod's workload account."""
    prod = stack_document("prod")
    lob_dev = prod["config"]["tkg-aws:workloadAccounts"][0]
    lob_dev["deployRoleArn"] = lob_dev["deployRoleArn"].replace(lob_dev["accountId"], "123456789012")
    lob_dev["accountId"] = "123456789012"
    write_stack(tmp_path, "prod", prod)
    write_stack(tmp_path, "dev", stack_document("dev"))  # in 123456789012, with the same nameSuffix
    for stack, other in (("dev", "prod"), ("prod", "dev")):
        (line,) = repository_problems(plan_stack(stack, directory=tmp_path), tmp_path)
        assert line.startswith(f"tkg-aws:iam: stacks {stack} and {other} both create the "), line
        assert "in account 123456789012" in line


def test_two_stacks_that_create_the_legacy_eks_local_cluster_role_in_one_account_are_refused(tmp_path: Path) -> None:
    # The role is the EKS platform's component, but neither stack has an eksLocalCluster section:
    # the key to change is the one each stack file holds.
    prod = stack_document("prod")
    prod["config"]["tkg-aws:iam"]["eksLocalClusterRole"] = True
    write_stack(tmp_path, "prod", prod)
    dev = stack_document("dev")
    dev["config"]["tkg-aws:managementCluster"]["accountId"] = "111111111111"
    dev["config"]["tkg-aws:iam"] = {"nameSuffix": ".dev.example.com", "eksLocalClusterRole": True}
    run = plan_stack("dev", write_stack(tmp_path, "dev", dev), tmp_path)
    (line,) = repository_problems(run, tmp_path)
    assert line.startswith(
        "tkg-aws:iam.eksLocalClusterRole: stacks dev and prod both create the IAM role eks-local-cluster "
        "in account 111111111111; "
    )
    assert "eksLocalCluster.name" not in line


def test_two_local_clusters_of_one_name_in_one_account_are_refused_naming_the_section(tmp_path: Path) -> None:
    shutil.copy(fixture_file("outposts"), tmp_path)
    run = plan_stack("second", write_stack(tmp_path, "second", stack_document("outposts")), tmp_path)
    (line,) = repository_problems(run, tmp_path)  # the role, the cluster, its placement group... in one line
    assert line.startswith("tkg-aws:eksLocalCluster.name: stacks second and outposts both create ")
    assert "another eksLocalCluster.name" in line


def test_a_config_file_that_collides_with_a_stack_of_the_repo_is_refused(tmp_path: Path) -> None:
    shutil.copy(fixture_file("prod"), tmp_path)
    document = stack_document("dev")
    document["config"]["tkg-aws:managementCluster"]["accountId"] = "111111111111"
    document["config"]["tkg-aws:keyPair"] = {"name": "tkg-prod"}
    run = plan_stack("bad", write_stack(tmp_path / "elsewhere", "bad", document), tmp_path)
    (iam, key_pair) = repository_problems(run, tmp_path)
    assert iam.startswith("tkg-aws:iam: stacks bad and prod both create")
    assert key_pair.startswith("tkg-aws:keyPair.name: stacks bad and prod both create the key pair tkg-prod")
    assert "region us-west-2" in key_pair


def test_a_stack_can_use_the_iam_set_another_stack_of_its_account_owns(tmp_path: Path) -> None:
    shutil.copy(fixture_file("prod"), tmp_path)
    shutil.copy(DATA / "shared-account" / "Pulumi.dev.yaml", tmp_path)
    dev = plan_stack("dev", directory=tmp_path)
    assert repository_problems(dev, tmp_path) == []
    assert not [r for r in dev.registrations.values() if r.type.startswith("aws:iam/")]
    assert dev.outputs["iam"]["roleArns"]["controlPlane"] == (
        "arn:aws:iam::111111111111:role/control-plane.tkg.cloud.vmware.com"
    )
    # The owner learns from the stack files that dev uses its set, and keeps it on destroy.
    prod = plan_stack("prod", directory=tmp_path)
    assert repository_problems(prod, tmp_path) == []
    (role,) = [r for r in prod.of_type("aws:iam/role:Role") if r.name == "iam-control-plane"]
    assert role.options.get("retainOnDelete") is True
    assert "retainOnDelete" not in next(r for r in planned("prod").of_type("aws:iam/role:Role")).options


def test_ownership_of_an_iam_set_must_name_a_stack_that_creates_it_in_this_account(tmp_path: Path) -> None:
    shutil.copy(fixture_file("prod"), tmp_path)
    document = yaml.safe_load((DATA / "shared-account" / "Pulumi.dev.yaml").read_text())
    document["config"]["tkg-aws:iam"] = {"ownedByStack": "staging"}
    dev = plan_stack("dev", write_stack(tmp_path, "dev", document), tmp_path)
    assert repository_problems(dev, tmp_path) == [
        (
            "tkg-aws:iam.ownedByStack: stack staging has no valid stack file Pulumi.staging.yaml in the "
            "repository (got 'staging')"
        )
    ]
    document["config"]["tkg-aws:iam"] = {"ownedByStack": "prod", "nameSuffix": ".example.com"}
    dev = plan_stack("dev", write_stack(tmp_path, "dev", document), tmp_path)
    (line,) = repository_problems(dev, tmp_path)
    assert "names its set with suffix '.tkg.cloud.vmware.com'" in line


def test_the_grant_names_carry_the_stack_so_stacks_sharing_a_principal_keep_their_own() -> None:
    run = planned("prod")
    grants = [r for r in run.of_type("aws:iam/policy:Policy") if "assume-workload" in r.name]
    assert grants and {r.inputs["name"] for r in grants} == {"tkg-aws-prod-assume-workload-controllers"}


def test_the_adoption_page_explains_the_import_file_the_plan_writes() -> None:
    section = (REPO / "docs" / "adoption.md").read_text()
    document = import_document(planned("prod"))
    for fragment in ("iam.adopted", "DeletionPolicy: Retain", "pulumi import --file", "--target", "nameTable"):
        assert fragment in section
    # Every import ID format the file uses is named in the section.
    formats = {"role:policy", "role/policyArn", "by ARN", "by name"}
    assert all(f in section for f in formats)
    first_provider = next(iter(document["nameTable"].values()))
    assert first_provider.startswith("urn:pulumi:prod::tkg-aws::pulumi:providers:aws::")
    assert "'urn:pulumi:prod::tkg-aws::pulumi:providers:aws::management'" in section


def test_two_openshift_stacks_with_one_infra_id_in_one_account_are_refused(tmp_path: Path) -> None:
    shutil.copy(fixture_file("openshift"), tmp_path)
    shutil.copytree(REPO / "examples" / "openshift", tmp_path / "examples" / "openshift")
    document = stack_document("openshift")
    document["config"]["tkg-aws:keyPair"] = {"name": "openshift-second"}
    run = plan_stack("second", write_stack(tmp_path, "second", document), tmp_path)
    problems = repository_problems(run, tmp_path)
    assert [line.split(":")[1] for line in problems] == ["openshift.infraId"]
    assert "stacks second and openshift both create" in problems[0]


@pytest.mark.parametrize("stack", ["dev", "prod", "openshift", "outposts", "vsphere"])
def test_the_accounts_a_stack_config_names_are_the_ones_its_providers_are_pinned_to(stack: str) -> None:
    """The plan command plans the other stacks of the repository only where they share one of these accounts."""
    run = planned(stack)
    assert set(provider_accounts(run).values()) == run.config.aws_account_ids


@pytest.mark.parametrize("stack", ["dev", "prod", "openshift", "outposts", "vsphere"])
def test_every_globally_unique_name_holds_its_account_id(stack: str) -> None:
    """Why the plan command skips the stack files of other accounts: no name of theirs can be one of ours."""
    run = planned(stack)
    accounts = provider_accounts(run)
    named = [r for r in run.registrations.values() if NAMED_TYPES.get(r.type, ("", ""))[1] == "global"]
    assert [r.urn for r in named if accounts[r.provider] not in r.inputs[NAMED_TYPES[r.type][0]]] == []
    assert named or stack != "openshift"  # the ignition bucket: at least one stack has a name to check
