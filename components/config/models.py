"""The stack configuration as typed models: the shared sections with their defaults, and StackConfig.

This is the user interface of the program: one frozen StackConfig of camelCase keys in YAML and
snake_case attributes in Python. Unknown keys are errors, so a typo is never silently ignored.
The shared sections (network, keyPair, managementCluster) and their defaults live here; each
platform's sections and defaults live in its own config.py (components/tkg/, openshift/,
eks_outposts/, vsphere/). Field rules are in validators.py, rules across keys in rules.py and each
platform's rules.py; components/stack_config/ assembles StackConfig and reads and validates a stack's keys.
"""

from __future__ import annotations

import ipaddress
from typing import Annotated, Final, Literal

from pydantic import (
    AfterValidator,
    Field,
)

from components.config import validators as check
from components.config.base import (
    AccountId,
    Cidr,
    DnsLabel,
    Model,
    PrincipalArn,
)

# Namespaces of keys a stack file may hold: ours (components/stack_config/models.py SECTIONS), the
# providers' (provider_settings.py) and the engine's own.
PROVIDER_NAMESPACES = ("aws", "kubernetes", "vsphere")
ENGINE_NAMESPACE = "pulumi"

# --- defaults (the only place they are written) -------------------------------------------------
DEFAULT_VPC_CIDR = "10.0.0.0/16"
DEFAULT_NAT_GATEWAYS: Final = "single"
DEFAULT_IDENTITY_API_VERSION: Final = "v1beta2"


# --- network -------------------------------------------------------------------------------------
class VpcEndpointsConfig(Model):
    s3: bool = True
    """S3 gateway endpoint on every route table (free). Default: true."""
    interface: Annotated[list[str], AfterValidator(check.interface_endpoint_services)] = []
    """Interface endpoints by service short name, e.g. ec2, elasticloadbalancing, sts. Default: []."""


class SubnetCidrs(Model):
    public: Cidr
    private: Cidr


SubnetIdsByAz = Annotated[
    dict[str, Annotated[str, AfterValidator(check.subnet_id)]], AfterValidator(check.az_keys_in_region)
]


class ExistingVpcConfig(Model):
    """A VPC the stack only tags (bring your own VPC): subnets keyed by AZ name."""

    vpc_id: Annotated[str, AfterValidator(check.vpc_id)]
    public_subnet_ids: SubnetIdsByAz = {}
    private_subnet_ids: SubnetIdsByAz = {}


class NetworkConfig(Model):
    cidr: Annotated[Cidr, AfterValidator(check.private_cidr)] = ipaddress.IPv4Network(DEFAULT_VPC_CIDR)
    """VPC CIDR: private (RFC 1918), /16../22 when subnet CIDRs are derived. Default: 10.0.0.0/16."""
    availability_zones: Annotated[list[str], AfterValidator(check.availability_zones)] = []
    """AZ names in aws:region. Default: the region's `a` zone (or the existingVpc's AZs)."""
    nat_gateways: Literal["none", "single", "onePerAz"] = DEFAULT_NAT_GATEWAYS
    """none | single | onePerAz. Default: single."""
    nat_gateway_az: str | None = None
    """AZ of the single NAT gateway, one of availabilityZones: a plan has no memory of where it is, so
    pinning it keeps its egress IP when an AZ that sorts first is added. Default: the first AZ
    alphabetically."""
    cluster_names: Annotated[list[DnsLabel], AfterValidator(check.unique_items)] = []
    """Clusters whose subnets get kubernetes.io/cluster/<name>=shared. Default: []."""
    vpc_endpoints: VpcEndpointsConfig = VpcEndpointsConfig()
    map_public_ip_on_launch: bool = False
    """Public subnets give instances public IPs. CAPA nodes need none. Default: false."""
    subnet_cidrs: Annotated[dict[str, SubnetCidrs], AfterValidator(check.az_keys_in_region)] = {}
    """Explicit per-AZ CIDRs, overriding the derived ones. Default: {}."""
    existing_vpc: ExistingVpcConfig | None = None
    """Bring your own VPC: tag its subnets, create no network. Default: none."""
    protect: bool = True
    """Protect the VPC, subnets, NAT gateways, Elastic IPs and route tables from deletion and
    replacement: running clusters' interfaces and egress depend on them. Default: true."""

    @property
    def az_names(self) -> list[str]:
        """The AZs in the order the user gave them."""
        return list(self.availability_zones)

    def subnet_cidrs_for(self, az: str) -> tuple[str, str]:
        """(public, private) CIDR of one AZ; depends only on the AZ's letter, never on list order.

        Layout of the VPC in eighths: eighths 0..5 are the private subnets of AZ letters a..f,
        eighth 6 is kept free, eighth 7 is cut into eight public subnets (letters a..h).
        A /16 gives /19 private subnets (8,187 usable addresses) and /22 public ones (1,019).
        """
        if az in self.subnet_cidrs:
            pair = self.subnet_cidrs[az]
            return str(pair.public), str(pair.private)
        slot = ord(az[-1]) - ord("a")
        eighths = list(self.cidr.subnets(prefixlen_diff=3))
        public = list(eighths[7].subnets(prefixlen_diff=3))[slot]
        return str(public), str(eighths[slot])


# --- key pair ------------------------------------------------------------------------------------
class KeyPairConfig(Model):
    name: Annotated[str, AfterValidator(check.key_pair_name)] | None = None
    """EC2 key pair name. Default: tkg-<environment>."""
    public_key: Annotated[str, AfterValidator(check.ssh_rsa_public_key)] | None = None
    """OpenSSH RSA public key (>= 2048 bits). Absent: generate RSA 4096 with pulumi-tls."""
    adopted: bool = False
    """The key pair already exists and is imported (needs publicKey): destroy leaves it. Default: false."""


# --- management cluster --------------------------------------------------------------------------
NonEmpty = Annotated[str, AfterValidator(check.non_empty)]


class WorkloadRoleGrantConfig(Model):
    """How the CAPA principals' permission to assume the workload controllers roles is written."""

    organization_id: Annotated[str, AfterValidator(check.organization_id)] | None = None
    """Opt-in: one statement for the controllers role of every account of this organization
    (aws:ResourceOrgID), instead of one ARN per account. Default: none (every ARN listed)."""
    organization_paths: Annotated[
        list[Annotated[str, AfterValidator(check.organization_path)]], AfterValidator(check.unique_items)
    ] = []
    """Opt-in, narrower: the accounts under these organizational units (aws:ResourceOrgPaths). Default: []."""
    managed_policies_per_role: Annotated[int, Field(ge=1, le=20)] = 10
    """The account's IAM quota "Managed policies per role" (and per user): 10 by default, 20 at most."""

    @property
    def by_organization(self) -> bool:
        return self.organization_id is not None or bool(self.organization_paths)


class ManagementClusterConfig(Model):
    kubeconfig: NonEmpty | None = None
    """Kubeconfig of the management cluster; set it with `pulumi config set --secret`."""
    context: NonEmpty | None = None
    render_yaml_to_directory: NonEmpty | None = None
    """Write manifests to this directory instead of applying them (GitOps, offline dev)."""
    account_id: AccountId
    """Required: the management account id. Every AWS provider of the stack is pinned to its account."""
    capa_principal_arns: Annotated[list[PrincipalArn], AfterValidator(check.unique_items)] = []
    trust_control_plane_role: bool = False
    """Opt-in: let the workload accounts trust the management control-plane role. TKG runs CAPA on the
    control-plane nodes, but every cluster's control plane in the account has that instance profile,
    so all of them could then enter every workload account. Default: false."""
    """Who runs CAPA (IRSA / Pod Identity role). Default: the management control-plane role."""
    identity_api_version: Literal["v1beta2", "v1beta1", "v1alpha4"] = DEFAULT_IDENTITY_API_VERSION
    workload_role_grant: WorkloadRoleGrantConfig = WorkloadRoleGrantConfig()
