"""The `tkg-aws:openshift` config section: an OpenShift cluster on user-provisioned infrastructure.

The values `openshift-install` decides (cluster name, infrastructure id, base domain) and what the six
UPI CloudFormation templates asked for as parameters: the public hosted zone, the machine network,
the RHCOS AMI and ignition files, instance types and counts. Absent section: no OpenShift at all.
Field rules are here (full ASCII matches); rules across keys are in rules.py.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, BeforeValidator, Field, PrivateAttr

from components.config import instance_types
from components.config import validators as check
from components.config.base import Cidr, DnsLabel, Model, PrincipalArn

# openshift-install's infrastructure id starts with a letter; the NLB names `<infraId>-ext` and
# `<infraId>-int` must fit Elastic Load Balancing's 32 characters (02_cluster_infra.yaml).
INFRA_ID_MAX = 27
INFRA_ID = re.compile(r"[a-z]([a-z0-9-]{0,25}[a-z0-9])?", re.ASCII)
DNS_NAME_LABEL = re.compile(r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?", re.ASCII)
# Route 53 zone ids as the API and console show them: Z and upper-case letters and digits.
HOSTED_ZONE_ID = re.compile(r"Z[A-Z0-9]{1,31}", re.ASCII)
AMI_ID = re.compile(r"ami-([0-9a-f]{8}|[0-9a-f]{17})", re.ASCII)
INSTANCE_FAMILY = re.compile(r"[a-z][a-z0-9-]*[0-9][a-z0-9-]*", re.ASCII)
DNS_NAME_MAX = 253
IMAGE_REPOSITORY = re.compile(r"[a-z0-9]([a-z0-9.-]*[a-z0-9])?(:[0-9]{1,5})?(/[a-z0-9._-]+)*", re.ASCII)

DEFAULT_BOOTSTRAP_INSTANCE_TYPE = "m6i.xlarge"  # the docs' bootstrap minimum is 4 vCPU and 16 GiB
DEFAULT_CONTROL_PLANE_INSTANCE_TYPE = "m6i.xlarge"  # the docs' suggestion (the template's m5.xlarge)
DEFAULT_COMPUTE_INSTANCE_TYPE = "m6i.large"
DEFAULT_ROOT_VOLUME_GIB = 120  # templates 05 and 06
DEFAULT_ROOT_VOLUME_TYPE: Final = "gp3"  # the templates' gp2 costs more for the same baseline
CONTROL_PLANE_REPLICAS = 3  # etcd's quorum: OpenShift supports three control-plane machines


def infra_id(value: str) -> str:
    if len(value) > INFRA_ID_MAX:
        raise ValueError(
            f"longer than {INFRA_ID_MAX} characters: the load balancer names <infraId>-ext and "
            "<infraId>-int must fit 32; use the infraID of openshift-install's metadata.json"
        )
    if not INFRA_ID.fullmatch(value):
        raise ValueError("not an infrastructure id: lowercase letters, digits and '-', starting with a letter")
    return value


def base_domain(value: str) -> str:
    if value.endswith("."):
        raise ValueError("must not end with a dot: the zone and records are named <clusterName>.<baseDomain>")
    labels = value.split(".")
    if len(value) > DNS_NAME_MAX or any(not DNS_NAME_LABEL.fullmatch(label) for label in labels):
        raise ValueError("not a DNS domain (lowercase labels of letters, digits and '-', joined by dots)")
    return value


def hosted_zone_id(value: str) -> str:
    if value.startswith("/hostedzone/"):
        raise ValueError("give the zone id alone, without the /hostedzone/ prefix")
    if not HOSTED_ZONE_ID.fullmatch(value):
        raise ValueError("not a Route 53 hosted zone id (Z followed by upper-case letters and digits)")
    return value


def ami_id(value: str) -> str:
    if not AMI_ID.fullmatch(value):
        raise ValueError("not an AMI id like ami-0123456789abcdef0")
    return value


def instance_type(value: str) -> str:
    family, _, size = value.partition(".")
    if not INSTANCE_FAMILY.fullmatch(family) or not check.INSTANCE_SIZE.fullmatch(size):
        raise ValueError("not an EC2 instance type like m6i.xlarge")
    if not instance_types.exists(value):
        raise ValueError(instance_types.unknown_message(value))
    return value


def at_least(vcpus: int, memory_gib: int, role: str) -> AfterValidator:
    """A validator: the type meets OpenShift's minimum for `role` (a type known by name only passes)."""

    def check_minimum(value: str) -> str:
        spec = instance_types.lookup(value)
        if spec is not None and (spec.vcpus < vcpus or spec.memory_mib < memory_gib * 1024):
            raise ValueError(
                f"below OpenShift's minimum for the {role} ({vcpus} vCPUs, {memory_gib} GiB): {value} has "
                f"{spec.vcpus} vCPUs and {spec.memory_gib:g} GiB"
            )
        return value

    return AfterValidator(check_minimum)


def proxy_url(value: str) -> str:
    scheme, sep, rest = value.partition("://")
    if scheme not in ("http", "https") or not sep or not rest or any(c.isspace() for c in value):
        raise ValueError("not a proxy URL like http://proxy.example.com:3128")
    return value


def no_proxy_entry(value: str) -> str:
    if not value or "," in value or any(c.isspace() for c in value):
        raise ValueError("one domain, address or CIDR per entry, without commas or spaces")
    return value


def image_repository(value: str) -> str:
    if not IMAGE_REPOSITORY.fullmatch(value):
        raise ValueError("not an image repository like registry.example.com/ocp/release")
    return value


InfraId = Annotated[str, AfterValidator(infra_id)]
BaseDomain = Annotated[str, AfterValidator(base_domain)]
HostedZoneId = Annotated[str, AfterValidator(hosted_zone_id)]
AmiId = Annotated[str, AfterValidator(ami_id)]
InstanceType = Annotated[str, AfterValidator(instance_type)]
ControlPlaneType = Annotated[InstanceType, at_least(4, 16, "control-plane machines")]
BootstrapType = Annotated[InstanceType, at_least(4, 16, "bootstrap machine")]
ComputeType = Annotated[InstanceType, at_least(2, 8, "compute machines")]
RootVolumeGib = Annotated[int, Field(ge=DEFAULT_ROOT_VOLUME_GIB, le=16384)]
RootVolumeType = Literal["gp3", "gp2", "io1", "io2"]
# EBS's range of provisioned IOPS over gp3, io1 and io2; each type's own bounds are in rules.py.
RootVolumeIops = Annotated[int, Field(ge=100, le=256000)]


class IgnitionFiles(Model):
    """Files of `openshift-install create ignition-configs`, relative to the project directory."""

    bootstrap: str | None = None
    """bootstrap.ign: uploaded to the ignition bucket (it holds the cluster's secrets). Default: none."""
    master: str | None = None
    """master.ign: the control-plane machines' user data (a pointer to api-int:22623). Default: none."""
    worker: str | None = None
    """worker.ign: the compute machines' user data. Default: none."""
    _project_dir: Path = PrivateAttr(default_factory=Path.cwd)

    def model_post_init(self, context: Any, /) -> None:
        # The program reads the very files config validation checked, whatever the working directory.
        if isinstance(context, dict) and context.get("project_dir") is not None:
            self._project_dir = Path(context["project_dir"])

    def source(self, role: Literal["bootstrap", "master", "worker"]) -> Path | None:
        path = getattr(self, role)
        return None if path is None else self._project_dir / path


class BootstrapConfig(Model):
    enabled: bool = True
    """The bootstrap machine and what only it uses (its role, security group, ignition object and
    target registrations); `false` once `openshift-install wait-for bootstrap-complete` succeeded."""
    instance_type: BootstrapType = DEFAULT_BOOTSTRAP_INSTANCE_TYPE
    public: bool = False
    """In a public subnet with a public IP (template 04), for `openshift-install gather bootstrap`
    from outside the VPC. Default: false, a private subnet."""
    allowed_cidrs: list[Cidr] = []
    """Sources of SSH (22) and the journal gateway (19531) to the bootstrap machine. Default: the
    machine network (the template's 0.0.0.0/0 exposes a machine that holds the cluster's secrets)."""


class ControlPlaneConfig(Model):
    instance_type: ControlPlaneType = DEFAULT_CONTROL_PLANE_INSTANCE_TYPE
    availability_zones: Annotated[list[str], AfterValidator(check.availability_zones)] = []
    """AZs of master-0, -1, -2 in that order (repeated when fewer than three); the API load balancers
    serve these AZs. Default: the stack's first three AZs alphabetically."""
    root_volume_size: RootVolumeGib = DEFAULT_ROOT_VOLUME_GIB
    root_volume_type: RootVolumeType = DEFAULT_ROOT_VOLUME_TYPE
    root_volume_iops: RootVolumeIops | None = None
    """Provisioned IOPS: required with io1 and io2, optional with gp3. Default: none."""


class ComputeConfig(Model):
    instance_type: ComputeType = DEFAULT_COMPUTE_INSTANCE_TYPE
    replicas: Annotated[dict[str, Annotated[int, Field(ge=0, le=100)]], AfterValidator(check.az_keys_in_region)] = {}
    """Compute machines per AZ, e.g. {us-east-1a: 2}. Default: one in each AZ of the stack."""
    root_volume_size: RootVolumeGib = DEFAULT_ROOT_VOLUME_GIB
    root_volume_type: RootVolumeType = DEFAULT_ROOT_VOLUME_TYPE
    root_volume_iops: RootVolumeIops | None = None
    """Provisioned IOPS: required with io1 and io2, optional with gp3. Default: none."""

    def total(self, azs: list[str]) -> int:
        """Compute machines the stack creates, given the AZs that hold private subnets."""
        return sum(self.replicas.values()) if self.replicas else len(azs)


class ProxyConfig(Model):
    """install-config.yaml's `proxy`, also given to the bootstrap machine's Ignition fetch."""

    http_proxy: Annotated[str, AfterValidator(proxy_url)] | None = None
    https_proxy: Annotated[str, AfterValidator(proxy_url)] | None = None
    no_proxy: list[Annotated[str, AfterValidator(no_proxy_entry)]] = []
    """Destinations reached directly, e.g. .example.com or 10.0.0.0/8. Default: []."""


class ImageDigestSource(Model):
    """install-config.yaml's `imageDigestSources` entry: where a mirror serves the release images."""

    source: Annotated[str, AfterValidator(image_repository)]
    mirrors: Annotated[list[Annotated[str, AfterValidator(image_repository)]], Field(min_length=1)]


class OpenShiftConfig(Model):
    cluster_name: DnsLabel
    """Required: install-config.yaml's metadata.name."""
    infra_id: InfraId | None = None
    """`jq -r .infraID metadata.json` after `openshift-install create ignition-configs`, at most 27
    characters. Absent: the stack creates the network only and writes install-config.yaml's part
    (the first step of the install order). Default: none."""
    base_domain: BaseDomain
    """Required: install-config.yaml's baseDomain, without a trailing dot."""
    public_hosted_zone_id: HostedZoneId | None = None
    """The public zone of baseDomain: gets `api` and the external API load balancer. Absent: an
    internal cluster, reachable only from the VPC. Default: none."""
    machine_network: Cidr | None = None
    """networking.machineNetwork: the source of SSH, ICMP, API and machine-config traffic. Default:
    network.cidr (required with network.existingVpc)."""
    rhcos_ami: AmiId | None = None
    """RHCOS AMI (`openshift-install coreos print-stream-json`): with it, the machines are created
    and registered with the load balancers, and install-config.yaml names it (platform.aws.amiID).
    Required in the China regions, where Red Hat publishes none. Default: none (no machines)."""
    proxy: ProxyConfig | None = None
    """The cluster-wide egress proxy (install-config.yaml's `proxy`); the bootstrap machine fetches
    its ignition through it. Default: none."""
    image_digest_sources: list[ImageDigestSource] = []
    """Mirrors of the release images (install-config.yaml's `imageDigestSources`) for a network
    without NAT gateways or proxy. Default: []."""
    deployer_arn: PrincipalArn | None = None
    """The IAM role or user that runs `pulumi up`: with the bootstrap role, the only principal the
    ignition key and object admit. Default: the caller of `pulumi up` (its role, for a session)."""
    ignition: IgnitionFiles = IgnitionFiles()
    bootstrap: BootstrapConfig = BootstrapConfig()
    control_plane: ControlPlaneConfig = ControlPlaneConfig()
    compute: ComputeConfig = ComputeConfig()
    protect: bool = True
    """Protect the zone, load balancers, target groups, security groups, roles, instance profiles,
    bucket and control-plane machines: the running cluster depends on them. Default: true."""

    @property
    def cluster_domain(self) -> str:
        return f"{self.cluster_name}.{self.base_domain}"

    def control_plane_azs(self, azs: list[str]) -> list[str]:
        """AZ of master-0, -1, -2: the given ones repeated, or the first three of `azs` alphabetically."""
        chosen = self.control_plane.availability_zones or sorted(azs)[:CONTROL_PLANE_REPLICAS]
        return [chosen[i % len(chosen)] for i in range(CONTROL_PLANE_REPLICAS)] if chosen else []

    @property
    def machines(self) -> bool:
        """Whether the program creates the cluster's machines."""
        return self.rhcos_ami is not None and self.infra_id is not None


def empty_is_absent(value: Any) -> Any:
    # Pulumi.yaml declares the key with the empty default, which Pulumi hands over when a stack
    # does not set it: `{}` means no OpenShift, as an absent key does.
    return None if value == {} else value


OpenShiftSection = Annotated[OpenShiftConfig | None, BeforeValidator(empty_is_absent)]
"""StackConfig's `openshift` field: absent or `{}` is off."""
