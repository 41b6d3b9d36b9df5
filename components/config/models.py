"""The stack configuration as typed models, with every default.

This is the user interface of the program: one frozen StackConfig of camelCase keys in YAML and
snake_case attributes in Python. Unknown keys are errors, so a typo is never silently ignored.
Defaults live here and nowhere else; field rules are in validators.py, rules across keys in
rules.py, and loading.py reads and validates a stack's keys.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated, Any, Literal

import pulumi
from pydantic import (
    AfterValidator,
    BeforeValidator,
    Field,
    PrivateAttr,
    model_validator,
)

from components.config import validators as check
from components.config.base import (
    AccountId,
    Cidr,
    DnsLabel,
    DnsSubdomain,
    ExternalId,
    LabelMap,
    Model,
    PolicyArn,
    PrincipalArn,
    RoleArn,
    SessionName,
)
from components.config.provider_settings import AwsSettings, KubernetesSettings, VsphereSettings
from components.eks_outposts.config import LEGACY_EKS_LOCAL_CLUSTER_ROLE, EksLocalClusterConfig
from components.eks_outposts.config import RoleName as EksRoleName
from components.openshift.config import OpenShiftSection
from components.vsphere.config import VsphereSection

# Namespaces of keys a stack file may hold: ours, the providers' (provider_settings.py)
# and the engine's own.
PROVIDER_NAMESPACES = ("aws", "kubernetes", "vsphere")
ENGINE_NAMESPACE = "pulumi"
SECTIONS = (
    "environment",
    "tags",
    "network",
    "iam",
    "keyPair",
    "workloadAccounts",
    "managementCluster",
    "gpu",
    "tkg",
    "eksLocalCluster",
    "openshift",
    "vsphere",
)

# --- defaults (the only place they are written) -------------------------------------------------
DEFAULT_VPC_CIDR = "10.0.0.0/16"
DEFAULT_NAT_GATEWAYS = "single"
TKG_NAME_SUFFIX = ".tkg.cloud.vmware.com"
CAPA_NAME_SUFFIX = ".cluster-api-provider-aws.sigs.k8s.io"
DEFAULT_IAM_PATH = "/"
DEFAULT_IDENTITY_DURATION_SECONDS = 3600  # CAPA e2e moved off 900 s after STS ExpiredToken bugs
DEFAULT_IDENTITY_API_VERSION = "v1beta2"
DEFAULT_GPU_CHART_VERSION = "v26.7.0"
DEFAULT_GPU_NAMESPACE = "gpu-operator"
DEFAULT_GPU_CLUSTER_NAMESPACE = "default"
DEFAULT_GPU_SELECTOR = {"gpu": "nvidia"}
DEFAULT_GPU_INSTANCE_TYPE = "g4dn.xlarge"
# v1beta1 is served by every CAPI release with ClusterResourceSet; v1beta2 only from CAPI 1.11,
# newer than the CAPI of TKG 2.x management clusters.
DEFAULT_CRS_API_VERSION = "v1beta1"


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


# --- IAM -----------------------------------------------------------------------------------------
PolicyArnList = Annotated[list[PolicyArn], AfterValidator(check.unique_items)]


class ExtraPolicyArns(Model):
    """Further managed policies per role (clusterawsadm's extraPolicyAttachments)."""

    control_plane: PolicyArnList = []
    nodes: PolicyArnList = []
    controllers: PolicyArnList = []

    def by_role(self) -> dict[str, list[str]]:
        """Keyed by the role base names of components/iam.py."""
        return {
            "control-plane": list(self.control_plane),
            "nodes": list(self.nodes),
            "controllers": list(self.controllers),
        }


class IamConfig(Model):
    profile: Literal["tkg", "capa"] = "tkg"
    """tkg: TKG's template (CAPA v2.0 action sets); capa: CAPA v2.11 with allowAssumeRole."""
    name_suffix: Annotated[str, AfterValidator(check.iam_name_suffix)] | None = None
    """Suffix of every role, profile and policy name. Default: by profile, TKG's or CAPA's."""
    tmc_permissions: bool = True
    """TMC read statements on control-plane and nodes (false == DISABLE_TMC_CLOUD_PERMISSIONS)."""
    path: Annotated[str, AfterValidator(check.iam_path)] = DEFAULT_IAM_PATH
    permissions_boundary: PolicyArn | None = None
    extra_policy_arns: ExtraPolicyArns = ExtraPolicyArns()
    protect: bool = True
    """Protect roles, profiles and policies from deletion (running clusters use them)."""
    eks_local_cluster_role: bool | EksRoleName = False
    """Also create the EKS-on-Outposts local cluster role: true names it eks-local-cluster, a string
    is its name (never one ending in nameSuffix: TKG may pass those roles). Default: false."""
    adopted: bool = False
    """The set already exists (tanzu or clusterawsadm made it) and is imported with import.json: a
    `pulumi destroy` leaves it in place. Default: false."""
    owned_by_stack: Annotated[str, AfterValidator(check.stack_name)] | None = None
    """Use the IAM set that this other stack of the same account creates, by name; create none. Default: none."""

    @property
    def eks_local_cluster_role_name(self) -> str | None:
        if self.eks_local_cluster_role is True:
            return LEGACY_EKS_LOCAL_CLUSTER_ROLE
        return self.eks_local_cluster_role or None

    @property
    def suffix(self) -> str:
        if self.name_suffix is not None:
            return self.name_suffix
        return TKG_NAME_SUFFIX if self.profile == "tkg" else CAPA_NAME_SUFFIX


# --- key pair ------------------------------------------------------------------------------------
class KeyPairConfig(Model):
    name: Annotated[str, AfterValidator(check.key_pair_name)] | None = None
    """EC2 key pair name. Default: tkg-<environment>."""
    public_key: Annotated[str, AfterValidator(check.ssh_rsa_public_key)] | None = None
    """OpenSSH RSA public key (>= 2048 bits). Absent: generate RSA 4096 with pulumi-tls."""
    adopted: bool = False
    """The key pair already exists and is imported (needs publicKey): destroy leaves it. Default: false."""


# --- workload accounts and identities ------------------------------------------------------------
class LabelSelectorRequirement(Model):
    key: Annotated[str, AfterValidator(check.label_key)]
    operator: Literal["In", "NotIn", "Exists", "DoesNotExist"]
    values: list[Annotated[str, AfterValidator(check.label_value)]] = []

    @model_validator(mode="after")
    def _values_fit_the_operator(self) -> LabelSelectorRequirement:
        # Cluster API's and CAPA's webhooks refuse the other combinations; CAAPH would select nothing.
        if self.operator in ("In", "NotIn") and not self.values:
            raise ValueError(f"operator {self.operator} needs at least one value")
        if self.operator in ("Exists", "DoesNotExist") and self.values:
            raise ValueError(f"operator {self.operator} takes no values")
        return self


class LabelSelector(Model):
    match_labels: LabelMap = {}
    match_expressions: list[LabelSelectorRequirement] = []

    def is_empty(self) -> bool:
        return not self.match_labels and not self.match_expressions

    def render(self) -> dict[str, Any]:
        rendered: dict[str, Any] = {}
        if self.match_labels:
            rendered["matchLabels"] = dict(sorted(self.match_labels.items()))
        if self.match_expressions:
            rendered["matchExpressions"] = [
                e.model_dump(by_alias=True, exclude_defaults=True) for e in self.match_expressions
            ]
        return rendered


class AllowedNamespaces(Model):
    """Which namespaces may use an identity. CAPA reads absent, [] and {} selectors as *none*."""

    all: bool = False
    list_: list[DnsLabel] | None = Field(default=None, alias="list")
    selector: LabelSelector | None = None

    @classmethod
    def from_config(cls, value: Any) -> Any:
        """Accept `[a, b]`, `all`, or `{list: [...], selector: {...}}`."""
        if value == "all":
            return {"all": True}
        if isinstance(value, list):
            return {"list": value}
        return value

    def render(self) -> dict[str, Any]:
        if self.all:
            return {}
        rendered: dict[str, Any] = {}
        if self.list_:
            rendered["list"] = list(self.list_)
        if self.selector is not None:
            rendered["selector"] = self.selector.render()
        return rendered


class IdentityConfig(Model):
    name: DnsSubdomain | None = None
    """AWSClusterRoleIdentity name. Default: the account's name."""
    allowed_namespaces: Annotated[
        AllowedNamespaces,
        BeforeValidator(
            AllowedNamespaces.from_config, json_schema_input_type=list[DnsLabel] | Literal["all"] | AllowedNamespaces
        ),
        AfterValidator(check.grants_namespaces),
    ]
    """Required: a namespace list, a selector, or `all`."""
    duration_seconds: Annotated[int, Field(ge=900, le=43200)] = DEFAULT_IDENTITY_DURATION_SECONDS
    session_name: SessionName | None = None
    external_id: ExternalId | None = None
    _secret: bool = PrivateAttr(default=False)

    def model_post_init(self, context: Any, /) -> None:
        self._secret = check.secret_section(context, "workloadAccounts")

    @property
    def external_id_input(self) -> pulumi.Input[str] | None:
        """The external id as the program passes it on: a secret when workloadAccounts is one."""
        return secret_input(self.external_id, self._secret)


class WorkloadAccountConfig(Model):
    name: DnsLabel
    account_id: AccountId
    deploy_role_arn: RoleArn
    """Role the stack assumes to build this account (e.g. OrganizationAccountAccessRole)."""
    deploy_external_id: ExternalId | None = None
    deploy_session_name: SessionName | None = None
    identity: IdentityConfig
    key_pair: bool = True
    """Import the stack's key pair into this account too: `tanzu cluster create` needs the
    AWS_SSH_KEY_NAME of a key pair in the cluster's account. Default: true."""
    permissions_boundary: PolicyArn | None = None
    """Permissions boundary of this account's roles (iam.permissionsBoundary is the management
    account's: a customer-managed policy cannot be used from another account). Default: none."""
    extra_policy_arns: ExtraPolicyArns = ExtraPolicyArns()
    """More managed policies for this account's roles, as iam.extraPolicyArns. Default: none."""
    adopted: bool = False
    """This account's IAM set already exists (tanzu or clusterawsadm made it there) and is imported
    with import.json: a `pulumi destroy` leaves it in place. Default: false."""
    protect: bool | None = None
    """Protect this account's roles, instance profiles and managed policies; `false` lets the account
    be removed while the management roles stay protected. Default: iam.protect."""
    former_names: Annotated[list[DnsLabel], AfterValidator(check.unique_items)] = []
    """Names this account had before (a rename): its resources keep their identity. Default: []."""
    _secret: bool = PrivateAttr(default=False)

    def model_post_init(self, context: Any, /) -> None:
        self._secret = check.secret_section(context, "workloadAccounts")

    @property
    def identity_name(self) -> str:
        return self.identity.name or self.name

    @property
    def deploy_external_id_input(self) -> pulumi.Input[str] | None:
        """The deploy role's external id as the program passes it on: a secret when workloadAccounts is one."""
        return secret_input(self.deploy_external_id, self._secret)

    def protected(self, iam: IamConfig) -> bool:
        return iam.protect if self.protect is None else self.protect


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


# --- GPU -----------------------------------------------------------------------------------------
class ManifestFile(Model):
    path: str
    """Manifest file, relative to the project directory (where Pulumi.yaml is) or absolute."""
    sha256: Annotated[str, AfterValidator(check.sha256_hex)]
    _project_dir: Path = PrivateAttr(default_factory=Path.cwd)

    def model_post_init(self, context: Any, /) -> None:
        # parse_config() passes the directory it checked the file in, so the program later reads
        # the very file that was validated, whatever the working directory is then.
        if isinstance(context, dict) and context.get("project_dir") is not None:
            self._project_dir = Path(context["project_dir"])

    @property
    def source(self) -> Path:
        """Where the file is read from."""
        return self._project_dir / self.path


class GpuConfig(Model):
    enabled: bool = False
    delivery: Literal["helmChartProxy", "clusterResourceSet"] = "helmChartProxy"
    chart_version: Annotated[str, AfterValidator(check.chart_version)] = DEFAULT_GPU_CHART_VERSION
    namespace: DnsLabel = DEFAULT_GPU_NAMESPACE
    """Namespace of the operator in each workload cluster."""
    cluster_namespace: DnsLabel = DEFAULT_GPU_CLUSTER_NAMESPACE
    """Management-cluster namespace of the Cluster objects (CAPI selects within one namespace)."""
    cluster_selector: Annotated[LabelSelector, AfterValidator(check.non_empty_selector)] = LabelSelector.model_validate(
        {"matchLabels": DEFAULT_GPU_SELECTOR}
    )
    driver_preinstalled: bool = False
    """The AMI already has the NVIDIA driver: the operator installs no driver."""
    values: dict[str, Any] = {}
    """Helm values merged over our defaults."""
    manifests: list[ManifestFile] = []
    """clusterResourceSet delivery: manifest files, each pinned by sha256."""
    cluster_resource_set_api_version: Literal["v1beta1", "v1beta2"] = DEFAULT_CRS_API_VERSION
    worker_instance_type: Annotated[str, AfterValidator(check.nvidia_instance_type)] = DEFAULT_GPU_INSTANCE_TYPE
    _secret: bool = PrivateAttr(default=False)

    def model_post_init(self, context: Any, /) -> None:
        self._secret = check.secret_section(context, "gpu")

    @property
    def values_secret(self) -> bool:
        """The Helm values came from a secret gpu key: the chart's values text stays a secret."""
        return self._secret and bool(self.values)


# --- secrets -------------------------------------------------------------------------------------
# The language host says which tkg-aws keys are secrets, not which values inside them: in a secret
# key, every value the program passes on that may be a secret (external ids, Helm values) is one.
def secret_input(value: str | None, secret: bool) -> pulumi.Input[str] | None:
    return pulumi.Output.secret(value) if value is not None and secret else value


# --- platforms -----------------------------------------------------------------------------------
class TkgConfig(Model):
    enabled: bool = True
    """The TKG / CAPA platform: its IAM set, workload accounts, identities, GPU add-on and cluster
    config. Default: on, so a stack file without this key keeps its meaning."""


# --- the whole stack -----------------------------------------------------------------------------
class StackConfig(Model):
    region: str
    environment: Annotated[str, AfterValidator(check.environment_name)]
    tags: Annotated[dict[str, str], AfterValidator(check.aws_tags)] = {}
    network: NetworkConfig = NetworkConfig()
    iam: IamConfig = IamConfig()
    key_pair: KeyPairConfig = KeyPairConfig()
    workload_accounts: list[WorkloadAccountConfig] = []
    management_cluster: ManagementClusterConfig
    """Required: at least managementCluster.accountId."""
    gpu: GpuConfig = GpuConfig()
    tkg: TkgConfig = TkgConfig()
    eks_local_cluster: Annotated[EksLocalClusterConfig | None, BeforeValidator(check.empty_as_absent)] = None
    """An EKS local cluster on an Outpost (components/eks_outposts/). Default: none."""
    openshift: OpenShiftSection = None
    """An OpenShift cluster on user-provisioned infrastructure (components/openshift/). Default: none."""
    vsphere: VsphereSection = None
    """The vSphere TKG Service on a Supervisor (components/vsphere/). Default: none."""
    aws: AwsSettings = AwsSettings()
    """The stack's aws:* provider settings (components/provider_settings.py)."""
    kubernetes: KubernetesSettings = KubernetesSettings()
    vsphere_settings: VsphereSettings = VsphereSettings()
    """The stack's vsphere:* provider settings (vCenter address and credentials)."""

    @property
    def partition(self) -> str:
        return check.partition_of(self.region)

    @property
    def availability_zones(self) -> list[str]:
        if self.network.existing_vpc is not None:
            vpc = self.network.existing_vpc
            return sorted(set(vpc.public_subnet_ids) | set(vpc.private_subnet_ids))
        return self.network.az_names or [f"{self.region}a"]

    @property
    def key_pair_name(self) -> str:
        return self.key_pair.name or f"tkg-{self.environment}"

    @property
    def default_tags(self) -> dict[str, str]:
        """Tags on every AWS resource (provider default tags): ours, then the user's."""
        return {"environment": self.environment, "managed-by": "tkg-aws", **self.tags}

    @property
    def cluster_kubeconfig(self) -> str | None:
        """The management cluster's kubeconfig: ours, or the stack's kubernetes:kubeconfig."""
        return self.management_cluster.kubeconfig or self.kubernetes.kubeconfig

    @property
    def cluster_context(self) -> str | None:
        return self.management_cluster.context or self.kubernetes.context
