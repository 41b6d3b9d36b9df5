"""The OpenShift UPI platform of the openshift stack fixture as a reviewer sees it in the offline plan,
checked against the fact sheet of the six CloudFormation templates (reference/openshift-upi-aws.md):
zone, records, load balancers, target groups and health checks, the port matrix of every security
group, machine roles and policies, the ignition bucket, subnet tags, machines and outputs.

One plan of the stack serves the module; variants are planned once each.
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from policy_sentry.querying.actions import get_action_data

from components.openshift import policies
from components.policies.grammar import iam_size
from tests.conftest import REPO, plan, stack_file
from tests.transitions import Transition
from tools.plan.command import summary, write_plan
from tools.plan.mocks import Registration
from tools.plan.program import ProgramRun

INFRA = "ocp-x7k2p"
DOMAIN = "ocp.example.com"
PUBLIC_ZONE = "Z0123456789ABCDEFGHIJ"
AZS = ["us-east-1a", "us-east-1b", "us-east-1c"]
CLUSTER_TAG = f"kubernetes.io/cluster/{INFRA}"
ZONE = "aws:route53/zone:Zone"
RECORD = "aws:route53/record:Record"
LB = "aws:lb/loadBalancer:LoadBalancer"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
LISTENER = "aws:lb/listener:Listener"
ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
SG = "aws:ec2/securityGroup:SecurityGroup"
INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
EGRESS = "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule"
ROLE = "aws:iam/role:Role"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
INLINE = "aws:iam/rolePolicy:RolePolicy"
INSTANCE = "aws:ec2/instance:Instance"
TAG = "aws:ec2/tag:Tag"
SUBNET = "aws:ec2/subnet:Subnet"
BUCKET_OBJECT = "aws:s3/bucketObjectv2:BucketObjectv2"
SECRET_MARKER = "BOOTSTRAP-SECRET-MARKER"  # inside examples/openshift/bootstrap.ign


def document(value: Any) -> dict:
    """Policy inputs reach the engine as JSON text."""
    return json.loads(value) if isinstance(value, str) else value


def openshift_raw() -> tuple[dict[str, Any], str]:
    raw, region, _ = stack_file("openshift")
    return copy.deepcopy(raw), region


def variant(change) -> ProgramRun:
    raw, region = openshift_raw()
    change(raw)
    return plan(raw, region, stack="openshift")


@pytest.fixture(scope="module")
def run() -> ProgramRun:
    raw, region = openshift_raw()
    return plan(raw, region, stack="openshift")


@pytest.fixture(scope="module")
def internal() -> ProgramRun:
    return variant(lambda raw: raw["openshift"].pop("publicHostedZoneId"))


def by_id(run: ProgramRun, type_token: str) -> dict[str, Registration]:
    return {r.id: r for r in run.of_type(type_token)}


def subnets(run: ProgramRun, tier: str) -> dict[str, str]:
    """AZ -> subnet id of one tier."""
    return {
        s.inputs["availabilityZone"]: s.id
        for s in run.of_type(SUBNET)
        if s.inputs["tags"]["sigs.k8s.io/cluster-api-provider-aws/role"] == tier
    }


# --- DNS -------------------------------------------------------------------------------------------
def test_the_private_zone_is_the_clusters_domain_in_the_vpc_tagged_owned(run: ProgramRun) -> None:
    (zone,) = run.of_type(ZONE)
    vpc_id = run.outputs["network"]["vpcId"]
    assert zone.inputs["name"] == DOMAIN
    assert zone.inputs["vpcs"] == [{"vpcId": vpc_id}]
    assert zone.inputs["tags"] == {"Name": f"{INFRA}-int", CLUSTER_TAG: "owned"}


def test_the_zones_provider_writes_the_owned_tag_the_management_provider_would_ignore(run: ProgramRun) -> None:
    (zone,) = run.of_type(ZONE)
    provider = run.registrations[zone.provider]
    management = run.named("pulumi:providers:aws", "management")
    assert "kubernetes.io/cluster/" in json.dumps(management.inputs.get("ignoreTags"))
    assert not provider.inputs.get("ignoreTags")
    assert json.loads(provider.inputs["allowedAccountIds"]) == ["444444444444"]


def test_api_records_alias_the_load_balancers(run: ProgramRun) -> None:
    (zone,) = run.of_type(ZONE)
    private_zone_id = run.outputs["openshift"]["privateHostedZoneId"]
    lbs = {lb.inputs["name"]: lb for lb in run.of_type(LB)}
    records = {(r.inputs["zoneId"], r.inputs["name"]): r.inputs for r in run.of_type(RECORD)}
    assert set(records) == {
        (private_zone_id, f"api.{DOMAIN}"),
        (private_zone_id, f"api-int.{DOMAIN}"),
        (PUBLIC_ZONE, f"api.{DOMAIN}"),
    }
    int_lb, ext_lb = lbs[f"{INFRA}-int"], lbs[f"{INFRA}-ext"]
    for (zone_id, _), record in records.items():
        target = ext_lb if zone_id == PUBLIC_ZONE else int_lb
        assert record["type"] == "A"
        (alias,) = record["aliases"]
        assert alias["name"].startswith(("internal-" if target is int_lb else "") + target.inputs["name"])
        assert alias["zoneId"].startswith("Z")


def test_an_internal_cluster_has_no_public_record_nor_external_load_balancer(internal: ProgramRun) -> None:
    assert [r.inputs["name"] for r in internal.of_type(RECORD)] == [f"api.{DOMAIN}", f"api-int.{DOMAIN}"]
    assert [lb.inputs["name"] for lb in internal.of_type(LB)] == [f"{INFRA}-int"]
    assert sorted(tg.inputs["name"] for tg in internal.of_type(TARGET_GROUP)) == [f"{INFRA}-aint", f"{INFRA}-sint"]
    assert internal.outputs["openshift"]["installConfig"]["publish"] == "Internal"


def test_govcloud_gets_cname_records() -> None:
    def to_govcloud(raw: dict[str, Any]) -> None:
        raw["network"]["availabilityZones"] = ["us-gov-west-1a", "us-gov-west-1b", "us-gov-west-1c"]
        raw["network"]["vpcEndpoints"]["interface"] = []
        raw["openshift"]["compute"]["replicas"] = {"us-gov-west-1a": 1}

    raw, _ = openshift_raw()
    to_govcloud(raw)
    gov = plan(raw, "us-gov-west-1", stack="openshift")
    lbs = {lb.inputs["name"]: lb for lb in gov.of_type(LB)}
    for record in gov.of_type(RECORD):
        assert record.inputs["type"] == "CNAME" and record.inputs["ttl"] == 10
        assert "aliases" not in record.inputs
        target = f"{INFRA}-ext" if record.inputs["zoneId"] == PUBLIC_ZONE else f"{INFRA}-int"
        assert record.inputs["records"][0].startswith(("" if target.endswith("ext") else "internal-") + target)
    assert set(lbs) == {f"{INFRA}-int", f"{INFRA}-ext"}


# --- load balancers --------------------------------------------------------------------------------
def test_the_load_balancers_are_network_ones_in_the_control_planes_subnets(run: ProgramRun) -> None:
    lbs = {lb.inputs["name"]: lb.inputs for lb in run.of_type(LB)}
    assert set(lbs) == {f"{INFRA}-ext", f"{INFRA}-int"}
    for name, tier, internal in ((f"{INFRA}-ext", "public", False), (f"{INFRA}-int", "private", True)):
        assert lbs[name]["loadBalancerType"] == "network"
        assert lbs[name]["internal"] is internal
        assert lbs[name]["subnets"] == [subnets(run, tier)[az] for az in AZS]


def test_target_groups_have_the_templates_health_checks_and_deregistration_delay(run: ProgramRun) -> None:
    groups = {tg.inputs["name"]: tg.inputs for tg in run.of_type(TARGET_GROUP)}
    expected = {
        f"{INFRA}-aext": (6443, "/readyz"),
        f"{INFRA}-aint": (6443, "/readyz"),
        f"{INFRA}-sint": (22623, "/healthz"),
    }
    assert set(groups) == set(expected)
    for name, (port, path) in expected.items():
        group = groups[name]
        assert (group["port"], group["protocol"], group["targetType"]) == (port, "TCP", "ip")
        assert group["deregistrationDelay"] == "60" or group["deregistrationDelay"] == 60
        check = group["healthCheck"]
        assert (check["protocol"], check["path"], str(check["port"])) == ("HTTPS", path, str(port))
        assert (check["interval"], check["healthyThreshold"], check["unhealthyThreshold"]) == (10, 2, 2)


def test_each_listener_forwards_its_port_to_its_target_group(run: ProgramRun) -> None:
    by_arn = {tg_arn: name for name, tg_arn in run.outputs["openshift"]["targetGroupArns"].items()}
    listeners = {}
    for listener in run.of_type(LISTENER):
        (action,) = listener.inputs["defaultActions"]
        assert action["type"] == "forward" and listener.inputs["protocol"] == "TCP"
        listeners[by_arn[action["targetGroupArn"]]] = (listener.inputs["port"], listener.inputs["loadBalancerArn"])
    assert {k: port for k, (port, _) in listeners.items()} == {
        "externalApi": 6443,
        "internalApi": 6443,
        "internalService": 22623,
    }
    assert listeners["internalApi"][1] == listeners["internalService"][1] != listeners["externalApi"][1]
    assert f"/{INFRA}-int/" in listeners["internalApi"][1] and f"/{INFRA}-ext/" in listeners["externalApi"][1]


# --- security groups -------------------------------------------------------------------------------
VPC_CIDR = "10.30.0.0/16"
BETWEEN = [
    ("udp", 4789, 4789),
    ("udp", 6081, 6081),
    ("udp", 500, 500),
    ("udp", 4500, 4500),
    ("50", None, None),
    ("tcp", 9000, 9999),
    ("udp", 9000, 9999),
    ("tcp", 30000, 32767),
    ("udp", 30000, 32767),
]
# The fact sheet's table, written out: (protocol, from, to, source) per group.
EXPECTED_MATRIX = {
    "master": {
        ("icmp", -1, -1, VPC_CIDR),
        ("tcp", 22, 22, VPC_CIDR),
        ("tcp", 6443, 6443, VPC_CIDR),
        ("tcp", 22623, 22623, VPC_CIDR),
        ("tcp", 2379, 2380, "master"),
        *{(*rule, source) for rule in BETWEEN for source in ("master", "worker")},
        ("tcp", 10250, 10259, "master"),
        ("tcp", 10250, 10259, "worker"),
    },
    "worker": {
        ("icmp", -1, -1, VPC_CIDR),
        ("tcp", 22, 22, VPC_CIDR),
        *{(*rule, source) for rule in BETWEEN for source in ("master", "worker")},
        ("tcp", 10250, 10250, "master"),
        ("tcp", 10250, 10250, "worker"),
    },
    "bootstrap": {("tcp", 22, 22, VPC_CIDR), ("tcp", 19531, 19531, VPC_CIDR)},
}


def security_groups(run: ProgramRun) -> dict[str, str]:
    """Group name (master, worker, bootstrap) -> security group id."""
    return {
        sg.inputs["tags"]["Name"].removeprefix(f"{INFRA}-").removesuffix("-sg"): sg.id
        for sg in run.of_type(SG)
        if sg.inputs["tags"]["Name"].startswith(INFRA)
    }


def matrix(run: ProgramRun) -> dict[str, set[tuple]]:
    names = {sg_id: name for name, sg_id in security_groups(run).items()}
    found: dict[str, set[tuple]] = {}
    for rule in run.of_type(INGRESS):
        group = names.get(rule.inputs["securityGroupId"])
        if group is None:
            continue  # the network's endpoint group
        i = rule.inputs
        source = names.get(i.get("referencedSecurityGroupId")) or i.get("cidrIpv4")
        key = (i["ipProtocol"], i.get("fromPort"), i.get("toPort"), source)
        assert key not in found.setdefault(group, set()), f"rule twice: {group} {key}"
        found[group].add(key)
    return found


def test_every_group_has_exactly_the_fact_sheets_port_matrix(run: ProgramRun) -> None:
    assert matrix(run) == EXPECTED_MATRIX


def test_every_group_stays_inside_the_rule_quota_and_the_summary_says_how_many(run: ProgramRun) -> None:
    counts = {group: len(rules) for group, rules in matrix(run).items()}
    assert counts == {"master": 25, "worker": 22, "bootstrap": 2}
    assert max(counts.values()) <= 60
    lines = summary(run)
    assert "    25 of 60  Inbound rules per security group (L-0EA8095F)" in lines
    assert "     2 of 50  Network Load Balancers per Region (L-69A177A2)" in lines
    assert any(line.strip().startswith("2 × Network Load Balancer  $32.85") for line in lines)


def test_every_group_lets_all_traffic_out(run: ProgramRun) -> None:
    ids = set(security_groups(run).values())
    egress = [r.inputs for r in run.of_type(EGRESS) if r.inputs["securityGroupId"] in ids]
    assert len(egress) == 3
    assert all((e["ipProtocol"], e["cidrIpv4"]) == ("-1", "0.0.0.0/0") for e in egress)


def test_bootstrap_sources_are_configurable_and_keyed_by_cidr() -> None:
    sources = ["203.0.113.0/24", "10.30.0.0/16"]

    def allow(raw: dict[str, Any]) -> None:
        raw["openshift"]["bootstrap"] = {"allowedCidrs": sources}

    bootstrap = matrix(variant(allow))["bootstrap"]
    assert bootstrap == {("tcp", port, port, cidr) for port in (22, 19531) for cidr in sources}


# --- IAM -------------------------------------------------------------------------------------------
def test_machine_roles_and_profiles_are_named_as_the_installer_names_them(run: ProgramRun) -> None:
    roles = {r.inputs["name"]: r.inputs for r in run.of_type(ROLE)}
    assert set(roles) == {f"{INFRA}-{role}-role" for role in ("master", "worker", "bootstrap")}
    for role in roles.values():
        trust = document(role["assumeRolePolicy"])
        assert trust["Statement"] == [
            {"Effect": "Allow", "Principal": {"Service": ["ec2.amazonaws.com"]}, "Action": ["sts:AssumeRole"]}
        ]
        assert role["path"] == "/"
    profiles = {p.inputs["name"]: p.inputs["role"] for p in run.of_type(PROFILE)}
    assert profiles == {f"{INFRA}-{r}-profile": f"{INFRA}-{r}-role" for r in ("master", "worker", "bootstrap")}
    for reg in run.of_type(ROLE) + run.of_type(PROFILE):
        bootstrap = reg.inputs["name"].startswith(f"{INFRA}-bootstrap-")
        # Removing the bootstrap by config alone: nothing of it is protected.
        assert reg.options.get("protect") is (None if bootstrap else True), reg.inputs["name"]
        assert reg.options.get("deleteBeforeReplace") is True


def inline_policies(run: ProgramRun) -> dict[str, dict]:
    return {p.inputs["name"]: document(p.inputs["policy"]) for p in run.of_type(INLINE)}


def actions(document: dict) -> list[str]:
    return [a for s in document["Statement"] for a in s["Action"]]


def test_the_policies_are_the_templates_action_for_action(run: ProgramRun) -> None:
    found = inline_policies(run)
    master = found[f"{INFRA}-master-policy"]
    assert len(actions(master)) == 12 + 25 + 1
    assert {"ec2:ModifyInstanceAttribute", "elasticloadbalancing:RegisterTargets", "kms:DescribeKey"} <= set(
        actions(master)
    )
    assert actions(found[f"{INFRA}-worker-policy"]) == ["ec2:DescribeInstances", "ec2:DescribeRegions"]
    bootstrap = found[f"{INFRA}-bootstrap-policy"]["Statement"]
    assert bootstrap[0]["Action"] == ["ec2:Describe*", "ec2:AttachVolume", "ec2:DetachVolume"]
    # Narrower than the template's s3:GetObject on '*': the ignition object alone, in the cluster's
    # own account (a same-named bucket elsewhere serves nothing), decrypted through S3 alone.
    bucket = run.outputs["openshift"]["bucketName"]
    assert bootstrap[1] == {
        "Effect": "Allow",
        "Action": ["s3:GetObject"],
        "Resource": [f"arn:aws:s3:::{bucket}/bootstrap.ign"],
        "Condition": {"StringEquals": {"s3:ResourceAccount": "444444444444"}},
    }
    assert bootstrap[2] == {
        "Effect": "Allow",
        "Action": ["kms:Decrypt"],
        "Resource": [run.outputs["openshift"]["ignitionKeyArn"]],
        "Condition": {"StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"}},
    }


@pytest.mark.parametrize("role", policies.MACHINE_ROLES)
def test_every_action_is_a_real_iam_action_and_the_policy_fits(role: str) -> None:
    grant = policies.IgnitionGrant("arn:aws:s3:::b/bootstrap.ign", "111111111111", "arn:aws:kms:x", "s3.x")
    document = policies.machine_policy(role, grant)  # type: ignore[arg-type]
    unknown = []
    for action in actions(document):
        service, name = action.split(":")
        if name.endswith("*"):
            continue
        data = get_action_data(service, name)
        if not data or not data.get(service):
            unknown.append(action)
    assert unknown == []
    assert iam_size(document) <= 10240  # the inline policies of one role, together


def test_iam_path_and_boundary_follow_the_stacks_iam_settings() -> None:
    def with_path(raw: dict[str, Any]) -> None:
        raw.pop("tkg")
        raw["iam"] = {"path": "/openshift/", "permissionsBoundary": "arn:aws:iam::444444444444:policy/boundary"}

    other = variant(with_path)
    roles = [r for r in other.of_type(ROLE) if r.inputs["name"].startswith(INFRA)]
    assert len(roles) == 3  # the bootstrap, master and worker roles
    for role in roles:
        assert role.inputs["path"] == "/openshift/"
        assert role.inputs["permissionsBoundary"] == "arn:aws:iam::444444444444:policy/boundary"


# --- ignition bucket ---------------------------------------------------------------------------------
def test_the_bucket_is_private_encrypted_and_tls_only(run: ProgramRun) -> None:
    bucket = run.outputs["openshift"]["bucketName"]
    assert bucket == f"{INFRA}-ignition-444444444444"
    (block,) = run.of_type("aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock")
    assert block.inputs == {
        "bucket": bucket,
        "blockPublicAcls": True,
        "blockPublicPolicy": True,
        "ignorePublicAcls": True,
        "restrictPublicBuckets": True,
    }
    (encryption,) = run.of_type(
        "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration"
    )
    key_arn = run.outputs["openshift"]["ignitionKeyArn"]
    assert encryption.inputs["rules"][0]["applyServerSideEncryptionByDefault"] == {
        "sseAlgorithm": "aws:kms",
        "kmsMasterKeyId": key_arn,
    }
    (ownership,) = run.of_type("aws:s3/bucketOwnershipControls:BucketOwnershipControls")
    assert ownership.inputs["rule"] == {"objectOwnership": "BucketOwnerEnforced"}
    (policy,) = run.of_type("aws:s3/bucketPolicy:BucketPolicy")
    (deny, _) = document(policy.inputs["policy"])["Statement"]
    assert deny["Effect"] == "Deny" and deny["Principal"] == "*" and deny["Action"] == ["s3:*"]
    assert deny["Resource"] == [f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"]
    assert deny["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
    (the_bucket,) = run.of_type("aws:s3/bucket:Bucket")
    assert the_bucket.options.get("protect") is True


BOOTSTRAP_ROLE = f"arn:aws:iam::444444444444:role/{INFRA}-bootstrap-role"
DEPLOYER = "arn:aws:iam::444444444444:user/plan"  # the mocks' caller of `pulumi up`


def test_only_the_bootstrap_role_and_the_deployer_may_read_or_decrypt_the_ignition(run: ProgramRun) -> None:
    bucket = run.outputs["openshift"]["bucketName"]
    (policy,) = run.of_type("aws:s3/bucketPolicy:BucketPolicy")
    others = document(policy.inputs["policy"])["Statement"][1]
    assert others == {
        "Sid": "DenyIgnitionReadsToOthers",
        "Effect": "Deny",
        "Principal": "*",
        "Action": ["s3:GetObject", "s3:GetObjectVersion"],
        "Resource": [f"arn:aws:s3:::{bucket}/bootstrap.ign"],
        "Condition": {"ArnNotEquals": {"aws:PrincipalArn": [BOOTSTRAP_ROLE, DEPLOYER]}},
    }
    (key,) = run.of_type("aws:kms/key:Key")
    administer, bootstrap = document(key.inputs["policy"])["Statement"]
    # No statement for the account root without a condition: IAM policies (ReadOnlyAccess) admit no one.
    assert administer["Principal"] == {"AWS": DEPLOYER}
    assert bootstrap["Principal"] == {"AWS": "arn:aws:iam::444444444444:root"}
    assert bootstrap["Action"] == ["kms:Decrypt"]
    assert bootstrap["Condition"] == {
        "ArnEquals": {"aws:PrincipalArn": BOOTSTRAP_ROLE},
        "StringEquals": {"kms:ViaService": "s3.us-east-1.amazonaws.com"},
    }
    assert key.inputs["enableKeyRotation"] is True


def test_a_given_deployer_replaces_the_caller_in_both_policies() -> None:
    deployer = "arn:aws:iam::444444444444:role/ci/deployer"
    other = variant(lambda raw: raw["openshift"].update(deployerArn=deployer))
    (key,) = other.of_type("aws:kms/key:Key")
    assert document(key.inputs["policy"])["Statement"][0]["Principal"] == {"AWS": deployer}
    (policy,) = other.of_type("aws:s3/bucketPolicy:BucketPolicy")
    condition = document(policy.inputs["policy"])["Statement"][1]["Condition"]
    assert condition == {"ArnNotEquals": {"aws:PrincipalArn": [BOOTSTRAP_ROLE, deployer]}}


def test_the_ignition_object_expires_after_the_bootstrap_window(run: ProgramRun) -> None:
    (lifecycle,) = run.of_type("aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration")
    (rule,) = lifecycle.inputs["rules"]
    assert rule["status"] == "Enabled" and rule["filter"] == {"prefix": "bootstrap.ign"}
    assert rule["expiration"] == {"days": 1}


def test_the_bootstrap_ignition_is_uploaded_as_a_file_never_as_text(run: ProgramRun, tmp_path: Path) -> None:
    (obj,) = run.of_type(BUCKET_OBJECT)
    assert obj.inputs["key"] == "bootstrap.ign" and obj.inputs["serverSideEncryption"] == "aws:kms"
    assert obj.inputs["kmsKeyId"] == run.outputs["openshift"]["ignitionKeyArn"]
    written = write_plan(run, tmp_path)
    for path in written:
        assert SECRET_MARKER not in path.read_text(), path.name
    resources = json.loads((tmp_path / "resources.json").read_text())
    (planned,) = [r for r in resources["resources"] if r["type"] == BUCKET_OBJECT]
    assert planned["inputs"]["source"]["fileAsset"] == "examples/openshift/bootstrap.ign"
    assert len(planned["inputs"]["source"]["sha256"]) == 64
    assert SECRET_MARKER in (REPO / "examples/openshift/bootstrap.ign").read_text()  # the check can fail


# --- subnets and machines ----------------------------------------------------------------------------
def test_every_subnet_gets_the_shared_cluster_tag_as_a_tag_resource(run: ProgramRun) -> None:
    tagged = {
        t.inputs["resourceId"]
        for t in run.of_type(TAG)
        if t.inputs["key"] == CLUSTER_TAG and t.inputs["value"] == "shared"
    }
    all_subnets = set(subnets(run, "public").values()) | set(subnets(run, "private").values())
    assert len(all_subnets) == 6 and all_subnets <= tagged
    for s in run.of_type(SUBNET):
        assert CLUSTER_TAG not in s.inputs["tags"]  # the provider ignores the prefix: never inline


def test_machines_are_placed_and_registered_by_private_ip(run: ProgramRun) -> None:
    instances = {i.inputs["tags"]["Name"]: i for i in run.of_type(INSTANCE)}
    masters = [instances[f"{INFRA}-master-{n}"] for n in range(3)]
    assert [m.inputs["availabilityZone"] for m in masters] == AZS
    assert [m.inputs["subnetId"] for m in masters] == [subnets(run, "private")[az] for az in AZS]
    assert len([n for n in instances if "-worker-" in n]) == 3
    ips = run.outputs["openshift"]["machines"]["privateIps"]
    registered = sorted((a.inputs["targetId"], a.inputs["port"]) for a in run.of_type(ATTACHMENT))
    expected = sorted(
        (ips[m], port) for m in ("bootstrap", "master-0", "master-1", "master-2") for port in (6443, 6443, 22623)
    )
    assert registered == expected
    for m in masters:
        assert m.options.get("protect") is True
        assert m.options.get("ignoreChanges") == ["ami", "userData"]
        assert m.inputs["metadataOptions"]["httpTokens"] == "required"
        assert m.inputs["rootBlockDevice"] == {
            "deleteOnTermination": True,
            "encrypted": True,
            "volumeSize": 120,
            "volumeType": "gp3",
        }
        assert json.loads(m.inputs["userData"])["ignition"]["config"]["merge"][0]["source"].endswith(
            ":22623/config/master"
        )
    tagged = {t.inputs["resourceId"] for t in run.of_type(TAG) if t.inputs["key"] == CLUSTER_TAG}
    assert {i.id for i in instances.values()} <= tagged


def test_the_bootstrap_machine_reads_its_ignition_from_the_bucket(run: ProgramRun) -> None:
    (bootstrap,) = [i for i in run.of_type(INSTANCE) if i.inputs["tags"]["Name"] == f"{INFRA}-bootstrap"]
    location = run.outputs["openshift"]["bootstrapIgnitionLocation"]
    digest = hashlib.sha512((REPO / "examples/openshift/bootstrap.ign").read_bytes()).hexdigest()
    # The hash: the machine boots only the file this stack uploaded, from whatever bucket answers.
    assert json.loads(bootstrap.inputs["userData"]) == {
        "ignition": {
            "config": {"replace": {"source": location, "verification": {"hash": f"sha512-{digest}"}}},
            "version": "3.1.0",
        }
    }
    groups = security_groups(run)
    assert bootstrap.inputs["vpcSecurityGroupIds"] == [groups["bootstrap"], groups["master"]]
    assert bootstrap.inputs["associatePublicIpAddress"] is False
    machines = run.outputs["openshift"]["machines"]
    assert machines["bootstrapAddress"] == machines["privateIps"]["bootstrap"]


def test_the_bootstrap_boots_only_after_its_ignition_object_key_and_grant_exist(run: ProgramRun) -> None:
    (bootstrap,) = [i for i in run.of_type(INSTANCE) if i.inputs["tags"]["Name"] == f"{INFRA}-bootstrap"]
    needs = {run.registrations[urn].type: run.registrations[urn].name for urn in bootstrap.depends_on}
    assert needs[BUCKET_OBJECT] == "openshift-ignition-bootstrap"
    assert needs["aws:kms/key:Key"] == "openshift-ignition-key"
    assert needs["aws:s3/bucketPolicy:BucketPolicy"] == "openshift-ignition-tls-only"
    grants = [run.registrations[u] for u in bootstrap.depends_on if run.registrations[u].type == INLINE]
    assert [g.inputs["name"] for g in grants] == [f"{INFRA}-bootstrap-policy"]
    # A regenerated bootstrap.ign gives a new bootstrap machine; the others ignore new ignition.
    assert bootstrap.inputs["userDataReplaceOnChange"] is True
    assert bootstrap.options.get("ignoreChanges") == ["ami"]


def test_the_proxy_reaches_the_bootstrap_fetch_and_install_config() -> None:
    proxied = variant(
        lambda raw: raw["openshift"].update(
            proxy={"httpsProxy": "http://proxy.example.com:3128", "noProxy": [".example.com", "10.0.0.0/8"]}
        )
    )
    (bootstrap,) = [i for i in proxied.of_type(INSTANCE) if i.inputs["tags"]["Name"] == f"{INFRA}-bootstrap"]
    assert json.loads(bootstrap.inputs["userData"])["ignition"]["proxy"] == {
        "httpsProxy": "http://proxy.example.com:3128",
        "noProxy": [".example.com", "10.0.0.0/8"],
    }
    assert proxied.outputs["openshift"]["installConfig"]["proxy"] == {
        "httpsProxy": "http://proxy.example.com:3128",
        "noProxy": ".example.com,10.0.0.0/8",
    }


# --- outputs ---------------------------------------------------------------------------------------
def test_install_config_comes_from_the_config_alone(run: ProgramRun, tmp_path: Path) -> None:
    out = run.outputs["openshift"]
    config = out["installConfig"]
    # No subnet and no zone: openshift-install looks up every one it is given, before this stack exists.
    assert config["platform"] == {"aws": {"region": "us-east-1", "amiID": "ami-0123456789abcdef0"}}
    assert config["networking"]["machineNetwork"] == [{"cidr": VPC_CIDR}]
    assert (config["baseDomain"], config["metadata"]["name"], config["publish"]) == ("example.com", "ocp", "External")
    # As many workers as the stack creates, so OpenShift keeps the control plane unschedulable.
    workers = [i for i in run.of_type(INSTANCE) if "-worker-" in i.inputs["tags"]["Name"]]
    (compute,) = config["compute"]
    assert compute["replicas"] == len(workers) == 3
    assert compute["platform"]["aws"]["type"] == "m6i.large"
    assert config["controlPlane"]["replicas"] == 3
    assert config["controlPlane"]["platform"]["aws"]["zones"] == AZS
    ids = {r.id for r in run.registrations.values() if r.id}
    assert not [value for value in _strings(config) if value in ids]
    assert out["apiServerDnsName"] == f"api-int.{DOMAIN}"
    write_plan(run, tmp_path)
    assert yaml.safe_load((tmp_path / "openshift-install-config.yaml").read_text()) == config


def _strings(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list):
        return [s for v in value for s in _strings(v)]
    return [value] if isinstance(value, str) else []


def test_outputs_name_what_users_script_against(run: ProgramRun) -> None:
    out = run.outputs["openshift"]
    lbs = {lb.inputs["name"]: lb for lb in run.of_type(LB)}
    assert set(out["loadBalancerFullNames"]) == {"ext", "int"}
    for key, full in out["loadBalancerFullNames"].items():
        assert full.startswith(f"net/{INFRA}-{key}/") and f"{INFRA}-{key}" in lbs
    network = run.outputs["network"]
    tables = {t.id: t for t in run.of_type("aws:ec2/routeTable:RouteTable")}
    assert network["publicRouteTableId"] in tables
    assert set(network["privateRouteTableIds"]) == set(AZS)
    assert set(network["privateRouteTableIds"].values()) <= set(tables)


# --- day 2 -----------------------------------------------------------------------------------------
def test_removing_the_bootstrap_removes_what_only_it_uses_and_touches_nothing_else(run: ProgramRun) -> None:
    after = variant(lambda raw: raw["openshift"].setdefault("bootstrap", {}).update(enabled=False))
    t = Transition(run, after)
    removed = sorted(c.name for c in t.of_kind("removed"))
    assert removed == sorted(
        [
            "openshift-iam-bootstrap",
            "openshift-iam-bootstrap",
            "openshift-iam-bootstrap",  # role, profile, policy
            "openshift-ignition-bootstrap",
            "openshift-machines-bootstrap",
            "openshift-machines-bootstrap-cluster",
            *(f"openshift-machines-bootstrap-{k}" for k in ("aext", "aint", "sint")),
            "openshift-security-groups-bootstrap",
            "openshift-security-groups-bootstrap-all-out",
            "openshift-security-groups-bootstrap-ssh-from-10.30.0.0-16",
            "openshift-security-groups-bootstrap-journal-gateway-from-10.30.0.0-16",
        ]
    )
    assert t.of_kind("changed", "replaced", "added") == []


def test_adding_an_az_or_a_worker_touches_nothing_that_exists(run: ProgramRun) -> None:
    def add_az_and_worker(raw: dict[str, Any]) -> None:
        raw["network"]["availabilityZones"].append("us-east-1d")
        raw["openshift"]["compute"]["replicas"] |= {"us-east-1a": 2, "us-east-1d": 1}

    t = Transition(run, variant(add_az_and_worker))
    assert t.of_kind("replaced", "removed") == []
    # The interface endpoints list every AZ's subnet: theirs is the one in-place update.
    changed = {(c.type, c.changes) for c in t.of_kind("changed")}
    assert changed <= {("aws:ec2/vpcEndpoint:VpcEndpoint", ("inputs.subnetIds",))}
    added = {c.name for c in t.of_kind("added")}
    assert {"openshift-machines-worker-us-east-1a-1", "openshift-machines-worker-us-east-1d-0"} <= added
    assert "openshift-subnet-tags-private-us-east-1d" in added
