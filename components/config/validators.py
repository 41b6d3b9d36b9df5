"""Validation rules of the stack config, as small pure functions.

Field rules take a value (and pydantic's ValidationInfo where they need the region) and either
return it or raise ValueError with a message that says what is wrong; config.py turns these into
`tkg-aws:<path>: <message> (got <value>)` lines. Rules across several keys are in config_rules.py.
Limits are AWS's and Kubernetes's own, cited where they are not obvious.
"""

from __future__ import annotations

import ipaddress
import json
import re
import unicodedata
from collections.abc import Hashable
from pathlib import Path
from typing import Any, Literal, TypeVar

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import load_ssh_public_key
from pydantic import ValidationInfo

from components.config import instance_types
from components.naming import DEFAULT_TAG_KEYS, NAME_TAG, PROJECT

NAMESPACE = PROJECT
# What the offline plan reads for a `secure:` value.
SECRET_PLACEHOLDER = "[secret]"
# The items of a list checked for repeats, and the values of a map keyed by availability zone.
T = TypeVar("T", bound=Hashable)
V = TypeVar("V")

# Every pattern is matched whole (`fullmatch`: `$` would also match before a trailing newline) and
# ASCII-only: STS, IAM and Kubernetes names are ASCII, and Python's \w and \d would admit any script.
REGION = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d", re.ASCII)
ENVIRONMENT = re.compile(r"[a-z]([a-z0-9-]{0,18}[a-z0-9])?", re.ASCII)
DNS_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?", re.ASCII)
LABEL_NAME = re.compile(r"[A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?", re.ASCII)
LABEL_VALUE = re.compile(r"([A-Za-z0-9]([A-Za-z0-9_.-]{0,61}[A-Za-z0-9])?)?", re.ASCII)
ACCOUNT_ID = re.compile(r"\d{12}", re.ASCII)
PARTITION = r"aws|aws-us-gov|aws-cn|aws-iso|aws-iso-b"
ROLE_ARN = re.compile(rf"arn:({PARTITION}):iam::(\d{{12}}):role/([\w+=,.@/-]+)", re.ASCII)
POLICY_ARN = re.compile(rf"arn:({PARTITION}):iam::(\d{{12}}|aws):policy/([\w+=,.@/-]+)", re.ASCII)
# aws:PrincipalArn of a role session is the role's ARN, so sessions (sts assumed-role) are refused.
PRINCIPAL_ARN = re.compile(rf"arn:({PARTITION}):iam::(\d{{12}}):(role|user)/[\w+=,.@/-]+", re.ASCII)
IAM_NAME_CHARS = re.compile(r"[\w+=,.@-]*", re.ASCII)
# IAM: `/`, or `/` + segments of printable ASCII each ending in `/`; IAM refuses an empty segment (`//`).
IAM_PATH = re.compile(r"/([\x21-\x2e\x30-\x7e]+/)*", re.ASCII)
EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}", re.ASCII)
SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}", re.ASCII)
# AWS Organizations ids: o-<10-32>, and an entity path o-.../r-.../ou-.../ (aws:ResourceOrgPaths).
ORGANIZATION_ID = re.compile(r"o-[a-z0-9]{10,32}", re.ASCII)
ORGANIZATION_PATH = re.compile(r"o-[a-z0-9]{10,32}/r-[0-9a-z]{4,32}/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}/)*", re.ASCII)
VPC_ID = re.compile(r"vpc-([0-9a-f]{8}|[0-9a-f]{17})", re.ASCII)
SUBNET_ID = re.compile(r"subnet-([0-9a-f]{8}|[0-9a-f]{17})", re.ASCII)
SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
CHART_VERSION = re.compile(r"v\d+\.\d+\.\d+", re.ASCII)
KEY_PAIR_NAME = re.compile(r"[\x20-\x7e]{1,255}", re.ASCII)
STACK_NAME = re.compile(r"[A-Za-z0-9_.-]{1,100}", re.ASCII)
GO_DURATION = re.compile(r"(\d+h)?(\d+m)?(\d+s)?", re.ASCII)
# EC2 instance sizes: nano ... xlarge, <n>xlarge, metal, metal-<n>xl (g4dn.8xl is not one).
INSTANCE_SIZE = re.compile(r"(nano|micro|small|medium|large|xlarge|[1-9]\d*xlarge|metal(-[1-9]\d*xl)?)", re.ASCII)

ROLE_BASE_NAMES = ("control-plane", "controllers", "nodes")
# Tag keys the program sets itself on every resource (default tags) or on the network (Name).
OWN_TAG_KEYS = tuple(key.lower() for key in (*DEFAULT_TAG_KEYS, NAME_TAG))
# The most of a value an error message repeats: a pasted file must not fill the terminal or a CI log.
SHOWN_CHARACTERS = 200
SHOWN_LINE_CHARACTERS = 1000
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
# NVIDIA GPU instance families (AMD g4ad, Inferentia, Trainium and Gaudi are not NVIDIA), for the retired
# types the instance catalog knows by name only.
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


_REGION_DATA = json.loads((Path(__file__).parent / "data" / "regions.json").read_text())
REGION_AZ_LETTERS: dict[str, str] = _REGION_DATA["regions"]
"""Region -> the letters of its availability zones (components/config/data/regions.json: source and date)."""
UNSUPPORTED_REGIONS: dict[str, str] = _REGION_DATA["unsupported"]


def shown(value: Any, limit: int = SHOWN_CHARACTERS) -> str:
    """A value as a message repeats it: JSON, cut to `limit` characters with how long it was."""
    try:
        text = json.dumps(value, sort_keys=True, default=str)
    except (TypeError, ValueError):
        text = repr(value)
    return cut(text, limit)


def cut(text: str, limit: int) -> str:
    """`text`, or its first `limit` characters and how long it was."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"


# The project's own folders: the provider empties and rewrites a render directory's files, and the
# deploy workflow restores and commits it, so it may be none of these nor inside one.
PROJECT_FOLDERS = frozenset(
    {
        ".ci",
        ".git",
        ".github",
        ".venv",
        ".venv-run",
        "bench",
        "components",
        "docs",
        "examples",
        "policy",
        "provider",
        "schema",
        "templates",
        "tests",
        "tools",
    }
)


def render_directory_problem(directory: str, project_dir: Path) -> str | None:
    """Why `directory` (managementCluster.renderYamlToDirectory) may not be written, or None.

    Relative paths are the project's, as the Kubernetes provider resolves them from the program's
    directory; symlinks are followed, so a link out of the project counts as out.
    """
    root = project_dir.resolve()
    resolved = (root / directory).resolve()
    if not resolved.is_relative_to(root) or resolved == root:
        return "must be a folder inside the project, e.g. build/manifests/<stack> or gitops/<stack>"
    top = resolved.relative_to(root).parts[0]
    if top in PROJECT_FOLDERS or top.startswith("."):
        return f"must not be in the project's own folder {top}/: choose one under build/ or gitops/"
    if resolved.exists() and not resolved.is_dir():
        return "is a file of the project, not a folder"
    return None


def partition_of(region: str) -> str:
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    if region.startswith("cn-"):
        return "aws-cn"
    return "aws"


def _region(info: ValidationInfo) -> str:
    region: str = (info.context or {}).get("region", "")
    return region


# --- field rules ---------------------------------------------------------------------------------
def region_problem(region: str) -> str | None:
    """Why `region` cannot be a stack's region, or None."""
    if region in UNSUPPORTED_REGIONS:
        return (
            f"the isolated region's {UNSUPPORTED_REGIONS[region]} has ARN, endpoint-service and TKG image formats "
            "this program does not model"
        )
    if region not in REGION_AZ_LETTERS:
        known = f"regions known on {_REGION_DATA['date']} are in components/config/data/regions.json"
        return f"not an AWS region ({known})"
    return None


def region_name(value: str) -> str:
    problem = region_problem(value)
    if problem:
        raise ValueError(problem)
    return value


def go_duration(value: str) -> str:
    """A Go duration of hours, minutes and seconds, as pulumi-aws takes assume-role durations (1h30m)."""
    if not GO_DURATION.fullmatch(value) or not value:
        raise ValueError("not a duration like 1h, 30m or 1h30m")
    return value


def empty_as_absent(value: Any) -> Any:
    """An optional platform section declared `default: {}` in Pulumi.yaml: empty means off."""
    return None if value == {} else value


def non_empty(value: str) -> str:
    if not value.strip():
        raise ValueError("must not be empty (an empty value is not the same as leaving the key out)")
    return value


def stack_name(value: str) -> str:
    if not STACK_NAME.fullmatch(value):
        raise ValueError("not a Pulumi stack name (1-100 of letters, digits, -, _ and .)")
    return value


def environment_name(value: str) -> str:
    if not ENVIRONMENT.fullmatch(value):
        raise ValueError("must be 1-20 lowercase letters, digits or hyphens, starting with a letter")
    return value


def dns1123_label(value: str) -> str:
    if not DNS_LABEL.fullmatch(value):
        raise ValueError("not a Kubernetes name (DNS-1123 label: lowercase, digits, '-', at most 63)")
    return value


def dns1123_subdomain(value: str) -> str:
    if not DNS_SUBDOMAIN.fullmatch(value) or any(not DNS_LABEL.fullmatch(p) for p in value.split(".")):
        raise ValueError("not a Kubernetes name (DNS-1123 subdomain)")
    return value


def account_id(value: Any) -> Any:
    if isinstance(value, int):
        raise ValueError("an account id is 12 digits written as text (as a number it loses its leading zeros)")
    if not isinstance(value, str) or not ACCOUNT_ID.fullmatch(value):
        raise ValueError("not a 12-digit AWS account id")
    return value


def role_arn(value: str) -> str:
    if not ROLE_ARN.fullmatch(value):
        raise ValueError("not an IAM role ARN like arn:aws:iam::123456789012:role/name")
    return value


def policy_arn(value: str) -> str:
    if not POLICY_ARN.fullmatch(value):
        raise ValueError("not an IAM policy ARN like arn:aws:iam::aws:policy/Name")
    return value


def principal_arn(value: str) -> str:
    if not PRINCIPAL_ARN.fullmatch(value):
        raise ValueError("not an IAM role or user ARN like arn:aws:iam::123456789012:role/name")
    return value


def external_id(value: str, info: ValidationInfo) -> str:
    if value == SECRET_PLACEHOLDER and secret_section(info.context, "workloadAccounts"):
        return value  # a secure: value the offline plan cannot read; `pulumi up` checks the real one
    if not EXTERNAL_ID.fullmatch(value):
        raise ValueError("an external id is 2-1224 characters of letters, digits and +=,.@:/-")
    return value


def secret_section(context: Any, section: str) -> bool:
    """Whether the validation context says the stack holds `section` (a tkg-aws key such as
    workloadAccounts) as a secret."""
    return isinstance(context, dict) and section in context.get("secret_sections", ())


def session_name(value: str) -> str:
    if not SESSION_NAME.fullmatch(value):
        raise ValueError("a session name is 2-64 characters of letters, digits and +=,.@-")
    return value


def organization_id(value: str) -> str:
    if not ORGANIZATION_ID.fullmatch(value):
        raise ValueError("not an AWS Organizations id like o-a1b2c3d4e5")
    return value


def organization_path(value: str) -> str:
    if not ORGANIZATION_PATH.fullmatch(value):
        raise ValueError("not an organization path like o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ (ending in /)")
    return value


def vpc_id(value: str) -> str:
    if not VPC_ID.fullmatch(value):
        raise ValueError("not a VPC id like vpc-0123456789abcdef0")
    return value


def subnet_id(value: str) -> str:
    if not SUBNET_ID.fullmatch(value):
        raise ValueError("not a subnet id like subnet-0123456789abcdef0")
    return value


def sha256_hex(value: str) -> str:
    if not SHA256.match(value):
        raise ValueError("not a sha256 digest (64 lowercase hex characters)")
    return value


def chart_version(value: str) -> str:
    if not CHART_VERSION.fullmatch(value):
        raise ValueError("not a gpu-operator chart version like v26.7.0")
    return value


def key_pair_name(value: str | None) -> str | None:
    if value is not None and not KEY_PAIR_NAME.fullmatch(value):
        raise ValueError("an EC2 key pair name is 1-255 printable ASCII characters")
    return value


def unique_items(values: list[T]) -> list[T]:
    seen: set[T] = set()
    repeated: list[T] = []
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


def cidr_text(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError("not an IPv4 CIDR block like 10.0.0.0/16 (write it as text)")
    try:
        network = ipaddress.IPv4Network(value, strict=False)
    except ValueError:
        return value  # not a CIDR at all: the IPv4Network type says so
    if ipaddress.IPv4Address(value.split("/")[0]) != network.network_address:
        raise ValueError(f"host bits are set: the network of this block is {network}")
    return value


def strict_bool(value: Any) -> Any:
    """A flag is YAML's true or false: "yes", "no", "1" or 0 are refused, not read as booleans."""
    if not isinstance(value, bool):
        raise ValueError("must be true or false, unquoted (a YAML boolean)")
    return value


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


def az_keys_in_region(mapping: dict[str, V], info: ValidationInfo) -> dict[str, V]:
    region = _region(info)
    wrong = [az for az in mapping if not _az_in_region(az, region)]
    if wrong:
        raise ValueError(f"keys {wrong} are not availability zones of {region}")
    return mapping


def _az_in_region(az: str, region: str) -> bool:
    if not region:
        return True  # no valid region (aws:region's own line says so): nothing to judge the AZ by
    letters = REGION_AZ_LETTERS.get(region, "")
    return az.startswith(region) and len(az) == len(region) + 1 and az[-1] in letters


def iam_path(value: str) -> str:
    if len(value) > 512 or not IAM_PATH.fullmatch(value):
        raise ValueError("an IAM path starts and ends with '/', e.g. / or /tkg/")
    return value


def iam_name_suffix(value: str | None) -> str | None:
    if value is not None and not IAM_NAME_CHARS.fullmatch(value):
        raise ValueError("IAM names allow only letters, digits and +=,.@_-")
    return value


def aws_tags(tags: dict[str, str]) -> dict[str, str]:
    """Default tags reach every resource, IAM's included: IAM's rules, the strictest, apply."""
    bad = [k for k, v in tags.items() if not 1 <= len(k) <= TAG_KEY_MAX or len(v) > TAG_VALUE_MAX]
    reserved = [k for k in tags if k.lower().startswith("aws:")]
    chars = [k for k, v in tags.items() if not _iam_tag_text(k) or not _iam_tag_text(v)]
    ours = [k for k in tags if k.lower() in OWN_TAG_KEYS]
    folded = [k.lower() for k in tags]
    repeated = sorted(k for k in tags if folded.count(k.lower()) > 1)
    problems = [
        (bad, f"tag keys are 1-128 and values at most 256 characters: {bad}"),
        (reserved, f"the aws: prefix is reserved for AWS's own tags: {reserved}"),
        (chars, f"IAM tags allow only letters, digits, spaces and _.:/=+-@ (not in {chars})"),
        (ours, f"{ours} are set by the program (IAM tag keys ignore case); use tkg-aws:environment"),
        (repeated, f"{repeated} are one key to IAM, which ignores case in tag keys"),
    ]
    if any(found for found, _ in problems):
        raise ValueError("; ".join(message for found, message in problems if found))
    return tags


def _iam_tag_text(text: str) -> bool:
    """IAM's tag character set: [\\p{L}\\p{Z}\\p{N}_.:/=+\\-@]."""
    return all(c in "_.:/=+-@" or unicodedata.category(c)[0] in "LZN" for c in text)


def label_key(key: str) -> str:
    prefix, _, name = key.rpartition("/")
    if (prefix and not DNS_SUBDOMAIN.fullmatch(prefix)) or not LABEL_NAME.fullmatch(name):
        raise ValueError(f"{key!r} is not a Kubernetes label key")
    return key


def label_value(value: str) -> str:
    if not LABEL_VALUE.fullmatch(value):
        raise ValueError(f"{value!r} is not a Kubernetes label value")
    return value


def label_map(labels: dict[str, str]) -> dict[str, str]:
    for key, value in labels.items():
        label_key(key)
        label_value(value)
    return labels


def nvidia_instance_type(value: str) -> str:
    """An EC2 instance type with an NVIDIA GPU (the GPU operator drives only NVIDIA's)."""
    if not instance_types.exists(value):
        raise ValueError(instance_types.unknown_message(value))
    spec = instance_types.lookup(value)
    # Retired generations carry names only in the catalog: their family says whether they are NVIDIA's.
    has_nvidia = spec.nvidia_gpus > 0 if spec else instance_types.family_of(value) in NVIDIA_FAMILIES
    if not has_nvidia:
        if spec is None:
            why = f"NVIDIA families: {', '.join(sorted(NVIDIA_FAMILIES))}"
        else:
            why = f"its GPUs are {spec.gpu_manufacturer}'s" if spec.gpus else "it has no GPU"
        raise ValueError(f"not an NVIDIA GPU instance type ({why})")
    return value


def ssh_rsa_public_key(value: str | None) -> str | None:
    """An OpenSSH `ssh-rsa AAAA... [comment]` key of at least 2048 bits (TKG needs RSA).

    cryptography parses the key (its wire format, the RSA numbers) and gives its size; only the
    key type is read here first, to name a wrong type in the message.
    """
    if value is None:
        return value
    if "PRIVATE KEY" in value:
        raise ValueError("this is a private key: give its public half (ssh-keygen -y -f KEY), and keep the key secret")
    parts = value.strip().split()
    if len(parts) < 2:
        raise ValueError("not an OpenSSH public key ('ssh-rsa AAAA... comment')")
    if parts[0] != "ssh-rsa":
        raise ValueError(f"TKG on AWS needs an RSA key; this is {parts[0]}")
    try:
        key = load_ssh_public_key(" ".join(parts).encode())
    except (ValueError, UnsupportedAlgorithm):
        raise ValueError("the ssh-rsa key data does not decode to an RSA public key") from None
    if not isinstance(key, rsa.RSAPublicKey):
        raise ValueError("the ssh-rsa key data holds another kind of key")
    if key.key_size < MIN_RSA_BITS:
        raise ValueError(f"the RSA key has {key.key_size} bits; at least {MIN_RSA_BITS} are needed")
    return value


def principal_of(arn: str) -> tuple[Literal["role", "user"], str]:
    """('role' | 'user', name) of an IAM ARN; the name is the last segment after any path."""
    resource = arn.split(":", 5)[5]
    kind, _, path_and_name = resource.partition("/")
    name = path_and_name.rsplit("/", 1)[-1]
    if kind == "role":
        return "role", name
    if kind == "user":
        return "user", name
    raise ValueError(f"not the ARN of an IAM role or user: {arn}")
