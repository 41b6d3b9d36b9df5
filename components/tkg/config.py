"""The TKG / CAPA platform's config sections: iam, workloadAccounts (with their identities), gpu and
tkg, with every default of theirs. iam.path and iam.permissionsBoundary also apply to the other
platforms' roles (rules.py TKG_SECTIONS).

Built on components/config/base.py; components/stack_config/models.py holds them as fields of
StackConfig, beside the shared sections of components/config/models.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Final, Literal

import pulumi
from pydantic import AfterValidator, BeforeValidator, Field, PrivateAttr, model_validator

from components.config import validators as check
from components.config.base import (
    AccountId,
    DnsLabel,
    DnsSubdomain,
    ExternalId,
    LabelMap,
    Model,
    PolicyArn,
    RoleArn,
    SessionName,
)
from components.eks_outposts.config import LEGACY_EKS_LOCAL_CLUSTER_ROLE
from components.eks_outposts.config import RoleName as EksRoleName

# --- defaults (the only place they are written) -------------------------------------------------
TKG_NAME_SUFFIX = ".tkg.cloud.vmware.com"
CAPA_NAME_SUFFIX = ".cluster-api-provider-aws.sigs.k8s.io"
DEFAULT_IAM_PATH = "/"
DEFAULT_IDENTITY_DURATION_SECONDS = 3600  # CAPA e2e moved off 900 s after STS ExpiredToken bugs
DEFAULT_GPU_CHART_VERSION = "v26.7.0"
DEFAULT_GPU_NAMESPACE = "gpu-operator"
DEFAULT_GPU_CLUSTER_NAMESPACE = "default"
DEFAULT_GPU_SELECTOR = {"gpu": "nvidia"}
DEFAULT_GPU_INSTANCE_TYPE = "g4dn.xlarge"
# v1beta1 is served by every CAPI release with ClusterResourceSet; v1beta2 only from CAPI 1.11,
# newer than the CAPI of TKG 2.x management clusters.
DEFAULT_CRS_API_VERSION: Final = "v1beta1"


# --- secrets -------------------------------------------------------------------------------------
# The language host says which tkg-aws keys are secrets, not which values inside them: in a secret
# key, every value the program passes on that may be a secret (external ids, Helm values) is one.
def secret_input(value: str | None, secret: bool) -> pulumi.Input[str] | None:
    return pulumi.Output.secret(value) if value is not None and secret else value


# --- IAM -----------------------------------------------------------------------------------------
PolicyArnList = Annotated[list[PolicyArn], AfterValidator(check.unique_items)]


class ExtraPolicyArns(Model):
    """Further managed policies per role (clusterawsadm's extraPolicyAttachments)."""

    control_plane: PolicyArnList = []
    nodes: PolicyArnList = []
    controllers: PolicyArnList = []

    def by_role(self) -> dict[str, list[str]]:
        """Keyed by the role base names of components/tkg/iam.py."""
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


def non_empty_selector(selector: LabelSelector) -> LabelSelector:
    if selector.is_empty():
        raise ValueError("an empty selector would match nothing in CAPI; give at least one label")
    return selector


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


def grants_namespaces(allowed: AllowedNamespaces) -> AllowedNamespaces:
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


class IdentityConfig(Model):
    name: DnsSubdomain | None = None
    """AWSClusterRoleIdentity name. Default: the account's name."""
    allowed_namespaces: Annotated[
        AllowedNamespaces,
        BeforeValidator(
            AllowedNamespaces.from_config, json_schema_input_type=list[DnsLabel] | Literal["all"] | AllowedNamespaces
        ),
        AfterValidator(grants_namespaces),
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
    cluster_selector: Annotated[LabelSelector, AfterValidator(non_empty_selector)] = LabelSelector.model_validate(
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


# --- the platform -----------------------------------------------------------------------------------
class TkgConfig(Model):
    enabled: bool = True
    """The TKG / CAPA platform: its IAM set, workload accounts, identities, GPU add-on and cluster
    config. Default: on, so a stack file without this key keeps its meaning."""
