"""TKG cluster-configuration outputs and the files the plan writes for `tanzu cluster create -f`."""

from __future__ import annotations

import copy
from pathlib import Path

import yaml

from components.tkg import cluster_config
from tests.conftest import plan
from tools.plan.command import write_plan

PROD_VPC_KEYS = {
    "AWS_REGION",
    "AWS_VPC_ID",
    "AWS_SSH_KEY_NAME",
    "CLUSTER_PLAN",
    "EXP_EXTERNAL_RESOURCE_GC",
    *(
        f"AWS_{kind}{suffix}"
        for kind in ("NODE_AZ", "PUBLIC_SUBNET_ID", "PRIVATE_SUBNET_ID")
        for suffix in ("", "_1", "_2")
    ),
}


def test_prod_gives_a_three_az_prod_plan_in_the_stacks_vpc(prod_raw: dict) -> None:
    run = plan(prod_raw, stack="prod")
    variables, network = run.outputs["tkgClusterConfig"], run.outputs["network"]
    assert set(variables) == PROD_VPC_KEYS
    assert variables["CLUSTER_PLAN"] == "prod"
    assert variables["AWS_VPC_ID"] == network["vpcId"]
    assert [variables[f"AWS_NODE_AZ{s}"] for s in ("", "_1", "_2")] == ["us-west-2a", "us-west-2b", "us-west-2c"]
    assert variables["AWS_PRIVATE_SUBNET_ID_2"] == network["privateSubnetIds"]["us-west-2c"]
    assert variables["AWS_PUBLIC_SUBNET_ID_1"] == network["publicSubnetIds"]["us-west-2b"]
    assert variables["AWS_SSH_KEY_NAME"] == "tkg-prod"
    assert variables["EXP_EXTERNAL_RESOURCE_GC"] == "false"


def test_dev_gives_a_one_az_dev_plan(dev_raw: dict) -> None:
    variables = plan(dev_raw).outputs["tkgClusterConfig"]
    assert variables["CLUSTER_PLAN"] == "dev"
    assert "AWS_NODE_AZ_1" not in variables and "AWS_PUBLIC_SUBNET_ID_1" not in variables
    assert variables["AWS_NODE_AZ"] == "us-west-2a"


def test_two_azs_are_not_enough_for_the_prod_plan() -> None:
    assert cluster_config.cluster_plan(2) == "dev"
    assert cluster_config.plan_azs(["us-west-2c", "us-west-2b"]) == ["us-west-2b"]


def test_an_existing_vpc_with_private_subnets_only_offers_those(dev_raw: dict) -> None:
    raw = copy.deepcopy(dev_raw)
    raw["network"] = {
        "existingVpc": {
            "vpcId": "vpc-0123456789abcdef0",
            "privateSubnetIds": {"us-west-2a": "subnet-0123456789abcdef0"},
        },
        "clusterNames": ["tkg-mgmt-dev"],
    }
    variables = plan(raw).outputs["tkgClusterConfig"]
    assert variables["AWS_VPC_ID"] == "vpc-0123456789abcdef0"
    assert variables["AWS_PRIVATE_SUBNET_ID"] == "subnet-0123456789abcdef0"
    assert "AWS_PUBLIC_SUBNET_ID" not in variables


def test_the_plan_writes_one_cluster_config_file_per_target(prod_raw: dict, tmp_path: Path) -> None:
    run = plan(prod_raw, stack="prod")
    write_plan(run, tmp_path)
    files = sorted(p.name for p in tmp_path.glob("tkg-cluster-config*.yaml"))
    assert files == [
        "tkg-cluster-config-gpu.yaml",
        "tkg-cluster-config-lob-dev.yaml",
        "tkg-cluster-config-lob-prod.yaml",
        "tkg-cluster-config.yaml",
    ]
    gpu = yaml.safe_load((tmp_path / "tkg-cluster-config-gpu.yaml").read_text())
    main_file = yaml.safe_load((tmp_path / "tkg-cluster-config.yaml").read_text())
    assert gpu == {**main_file, "NODE_MACHINE_TYPE": "g4dn.8xlarge"}
    assert main_file["AWS_VPC_ID"] == "<vpc-id of network-vpc from pulumi up>"  # tools/plan/tool_files.py
    account = yaml.safe_load((tmp_path / "tkg-cluster-config-lob-dev.yaml").read_text())
    assert account["AWS_IDENTITY_REF_NAME"] == "lob-dev"
    assert "AWS_VPC_ID" not in account  # the stack's VPC lives in the management account
    assert all(isinstance(v, str) for v in account.values())
