"""Validation rules of the stack config, as small pure functions.

Field rules take a value (and pydantic's ValidationInfo where they need the region) and either
return it or raise ValueError with a message that says what is wrong; config.py turns these into
`tkg-aws:<path>: <message> (got <value>)` lines. Rules across several keys are in config_rules.py.
Limits are AWS's and Kubernetes's own, cited where they are not obvious.
"""

from __future__ import annotations

import base64
import ipaddress
import re
import struct
from typing import Any

from pydantic import ValidationInfo

NS = "tkg-aws"

REGION = re.compile(r"^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d$")
ENVIRONMENT = re.compile(r"^[a-z]([a-z0-9-]{0,18}[a-z0-9])?$")
DNS_LABEL = re.compile(r"^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$")
DNS_SUBDOMAIN = re.compile(r"^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$")
LABEL_NAME = re.compile(r"^[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?$")
LABEL_VALUE = re.compile(r"^([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?$")
ACCOUNT_ID = re.compile(r"^\d{12}$")
PARTITION = r"aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b"
ROLE_ARN = re.compile(rf"^arn:({PARTITION}):iam::(\d{{12}}):role/([\w+=,.@/-]+)$")
POLICY_ARN = re.compile(rf"^arn:({PARTITION}):iam::(\d{{12}}|aws):policy/([\w+=,.@/-]+)$")
# aws:PrincipalArn of a role session is the role's ARN, so sessions (sts assumed-role) are refused.
PRINCIPAL_ARN = re.compile(rf"^arn:({PARTITION}):iam::(\d{{12}}):(role|user)/[\w+=,.@/-]+$")
IAM_NAME_CHARS = re.compile(r"^[\w+=,.@-]*$")
IAM_PATH = re.compile(r"^/([\x21-\x7e]*/)?$")
EXTERNAL_ID = re.compile(r"^[\w+=,.@:/-]{2,1224}$")
SESSION_NAME = re.compile(r"^[\w+=,.@-]{2,64}$")
VPC_ID = re.compile(r"^vpc-([0-9a-f]{8}|[0-9a-f]{17})$")
SUBNET_ID = re.compile(r"^subnet-([0-9a-f]{8}|[0-9a-f]{17})$")
SHA256 = re.compile(r"^[0-9a-f]{64}$")
CHART_VERSION = re.compile(r"^v\d+\.\d+\.\d+$")
KEY_PAIR_NAME = re.compile(r"^[\x20-\x7e]{1,255}$")
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}", re.ASCII)

ROLE_BASE_NAMES = ("control-plane", "controllers", "nodes")
MIN_RSA_BITS = 2048
MAX_AZS = 6  # AZ letters a..f: the most any region has
TAG_KEY_MAX, TAG_VALUE_MAX = 128, 256
AWS_SUBNET_MIN_PREFIX, AWS_SUBNET_MAX_PREFIX = 16, 28

# Interface endpoint services CAPA/TKG clusters use (restricted networks, EKS local clusters).
INTERFACE_ENDPOINT_SERVICES = frozenset(
    {
        "autoscaling",
        "ec2",
        "ec2messages",
        "ecr.api",
        "ecr.dkr",
        "elasticloadbalancing",
        "kms",
        "logs",
        "secretsmanager",
        "ssm",
        "ssmmessages",
        "sts",
        "s3",
    }
)
# NVIDIA GPU instance families (AMD g4ad, Inferentia, Trainium and Gaudi are not NVIDIA).
NVIDIA_FAMILIES = frozenset(
    {
        "g3",
        "g3s",
        "g4dn",
        "g5",
        "g5g",
        "g6",
        "g6e",
        "g6f",
        "gr6",
        "gr6f",
        "g7e",
        "p3",
        "p3dn",
        "p4d",
        "p4de",
        "p5",
        "p5e",
        "p5en",
        "p6-b200",
        "p6-b300",
        "p6e-gb200",
    }
)


def partition_of(region: str) -> str:
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def _region(info: ValidationInfo) -> str:
    return (info.context or {}).get("region", "")


# --- field rules ---------------------------------------------------------------------------------
def non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty (an empty value is not the same as leaving the key out)")
    return value


def stack_name(value: str) -> str:
    if not STACK_NAME.fullmatch(value):
        raise ValueError("not a Pulumi stack name (1-100 of letters, digits, -, _ and .)")
    return value


def environment_name(value: str) -> str:
    if not ENVIRONMENT.match(value):
        raise ValueError("must be 1-20 lowercase letters, digits or hyphens, starting with a letter")
    return value


def dns1123_label(value: str) -> str:
    if not DNS_LABEL.match(value):
        raise ValueError("not a Kubernetes name (DNS-1123 label: lowercase, digits, '-', at most 63)")
    return value


def dns1123_subdomain(value: str) -> str:
    if not DNS_SUBDOMAIN.match(value) or any(not DNS_LABEL.match(p) for p in value.split(".")):
        raise ValueError("not a Kubernetes name (DNS-1123 subdomain)")
    return value


def account_id(value: Any) -> Any:
    if isinstance(value, int):
        raise ValueError("an account id must be a quoted string of 12 digits (YAML drops leading zeros)")
    if not isinstance(value, str) or not ACCOUNT_ID.match(value):
        raise ValueError("not a 12-digit AWS account id")
    return value


def role_arn(value: str) -> str:
    if not ROLE_ARN.match(value):
        raise ValueError("not an IAM role ARN like arn:aws:iam::123456789012:role/name")
    return value


def policy_arn(value: str) -> str:
    if not POLICY_ARN.match(value):
        raise ValueError("not an IAM policy ARN like arn:aws:iam::aws:policy/Name")
    return value


def principal_arn(value: str) -> str:
    if not PRINCIPAL_ARN.match(value):
        raise ValueError("not an IAM role or user ARN like arn:aws:iam::123456789012:role/name")
    return value


def external_id(value: str) -> str:
    if not EXTERNAL_ID.match(value):
        raise ValueError("an external id is 2-1224 characters of letters, digits and +=,.@:/-")
    return value


def session_name(value: str) -> str:
    if not SESSION_NAME.match(value):
        raise ValueError("a session name is 2-64 characters of letters, digits and +=,.@-")
    return value


def vpc_id(value: str) -> str:
    if not VPC_ID.match(value):
        raise ValueError("not a VPC id like vpc-0123456789abcdef0")
    return value


def subnet_id(value: str) -> str:
    if not SUBNET_ID.match(value):
        raise ValueError("not a subnet id like subnet-0123456789abcdef0")
    return value


def sha256_hex(value: str) -> str:
    if not SHA256.match(value):
        raise ValueError("not a sha256 digest (64 lowercase hex characters)")
    return value


def chart_version(value: str) -> str:
    if not CHART_VERSION.match(value):
        raise ValueError("not a gpu-operator chart version like v26.7.0")
    return value


def key_pair_name(value: str | None) -> str | None:
    if value is not None and not KEY_PAIR_NAME.match(value):
        raise ValueError("an EC2 key pair name is 1-255 printable ASCII characters")
    return value


def unique_items(values: list) -> list:
    seen, repeated = set(), []
    for v in values:
        if v in seen and v not in repeated:
            repeated.append(v)
        seen.add(v)
    if repeated:
        raise ValueError(f"duplicate entries {repeated}")
    return values


def interface_endpoint_services(values: list[str]) -> list[str]:
    unknown = [v for v in values if v not in INTERFACE_ENDPOINT_SERVICES]
    if unknown:
        raise ValueError(f"unknown interface endpoint services {unknown}; known: {sorted(INTERFACE_ENDPOINT_SERVICES)}")
    return unique_items(values)


def private_cidr(value: ipaddress.IPv4Network) -> ipaddress.IPv4Network:
    rfc1918 = [ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16")]
    if not any(value.subnet_of(n) for n in rfc1918):
        raise ValueError("must be a private range inside 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16")
    if not AWS_SUBNET_MIN_PREFIX <= value.prefixlen <= AWS_SUBNET_MAX_PREFIX:
        raise ValueError("an AWS VPC CIDR is between /16 and /28")
    return value


def availability_zones(values: list[str], info: ValidationInfo) -> list[str]:
    region = _region(info)
    problems = []
    wrong = [az for az in values if not _az_in_region(az, region)]
    if wrong:
        problems.append(f"{wrong} are not availability zones of {region} (like {region}a)")
    repeated = sorted({az for az in values if values.count(az) > 1})
    if repeated:
        problems.append(f"duplicate entries {repeated}")
    if len(values) > MAX_AZS:
        problems.append(f"at most {MAX_AZS} availability zones")
    if problems:
        raise ValueError("; ".join(problems))
    return values


def az_keys_in_region(mapping: dict, info: ValidationInfo) -> dict:
    region = _region(info)
    wrong = [az for az in mapping if not _az_in_region(az, region)]
    if wrong:
        raise ValueError(f"keys {wrong} are not availability zones of {region}")
    return mapping


def _az_in_region(az: str, region: str) -> bool:
    return bool(re.fullmatch(re.escape(region) + "[a-f]", az))


def iam_path(value: str) -> str:
    if len(value) > 512 or not IAM_PATH.match(value):
        raise ValueError("an IAM path starts and ends with '/', e.g. / or /tkg/")
    return value


def iam_name_suffix(value: str | None) -> str | None:
    if value is not None and not IAM_NAME_CHARS.match(value):
        raise ValueError("IAM names allow only letters, digits and +=,.@_-")
    return value


def aws_tags(tags: dict[str, str]) -> dict[str, str]:
    bad = [k for k, v in tags.items() if not 1 <= len(k) <= TAG_KEY_MAX or len(v) > TAG_VALUE_MAX]
    reserved = [k for k in tags if k.lower().startswith("aws:")]
    if bad:
        raise ValueError(f"tag keys are 1-128 and values at most 256 characters: {bad}")
    if reserved:
        raise ValueError(f"the aws: prefix is reserved for AWS's own tags: {reserved}")
    return tags


def label_map(labels: dict[str, str]) -> dict[str, str]:
    for key, value in labels.items():
        prefix, _, name = key.rpartition("/")
        if (prefix and not DNS_SUBDOMAIN.match(prefix)) or not LABEL_NAME.match(name):
            raise ValueError(f"{key!r} is not a Kubernetes label key")
        if not LABEL_VALUE.match(value):
            raise ValueError(f"{value!r} is not a Kubernetes label value")
    return labels


def non_empty_selector(selector):
    if selector.is_empty():
        raise ValueError("an empty selector would match nothing in CAPI; give at least one label")
    return selector


def grants_namespaces(allowed):
    """CAPA reads an absent field, an empty list and an empty selector as 'no namespace'."""
    if allowed.all:
        if allowed.list_ is not None or allowed.selector is not None:
            raise ValueError("'all' cannot be combined with a list or a selector")
        return allowed
    if not allowed.list_ and (allowed.selector is None or allowed.selector.is_empty()):
        raise ValueError(
            "grants no namespace (CAPA reads an empty list or selector as none); "
            "give namespaces, a non-empty selector, or 'all'"
        )
    return allowed


def nvidia_instance_type(value: str) -> str:
    family, _, size = value.partition(".")
    if not size or family not in NVIDIA_FAMILIES:
        raise ValueError(f"not an NVIDIA GPU instance type (families: {', '.join(sorted(NVIDIA_FAMILIES))})")
    return value


def ssh_rsa_public_key(value: str | None) -> str | None:
    """An OpenSSH `ssh-rsa AAAA... [comment]` key of at least 2048 bits (TKG needs RSA)."""
    if value is None:
        return value
    parts = value.strip().split()
    if len(parts) < 2:
        raise ValueError("not an OpenSSH public key ('ssh-rsa AAAA... comment')")
    if parts[0] != "ssh-rsa":
        raise ValueError(f"TKG on AWS needs an RSA key; this is {parts[0]}")
    bits = _rsa_bits(parts[1])
    if bits is None:
        raise ValueError("the ssh-rsa key data does not decode")
    if bits < MIN_RSA_BITS:
        raise ValueError(f"the RSA key has {bits} bits; at least {MIN_RSA_BITS} are needed")
    return value


def _rsa_bits(blob_b64: str) -> int | None:
    try:
        blob = base64.b64decode(blob_b64, validate=True)
        fields, offset = [], 0
        for _ in range(3):
            (length,) = struct.unpack(">I", blob[offset : offset + 4])
            fields.append(blob[offset + 4 : offset + 4 + length])
            offset += 4 + length
    except (ValueError, struct.error):
        return None
    if fields[0] != b"ssh-rsa" or not fields[2]:
        return None
    return int.from_bytes(fields[2], "big").bit_length()
