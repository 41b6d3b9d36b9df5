"""StackConfig: every section of a stack's config, the shared ones (components/config/models.py) and
each platform's own (components/<platform>/config.py), assembled above the platforms.

A new platform adds its section here and to SECTIONS, and its rules to loading.py's section_rules.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BeforeValidator

from components.config import validators as check
from components.config.base import Model
from components.config.models import KeyPairConfig, ManagementClusterConfig, NetworkConfig
from components.config.provider_settings import AwsSettings, KubernetesSettings, VsphereSettings
from components.eks_outposts.config import EksLocalClusterConfig
from components.naming import default_tags
from components.openshift.config import OpenShiftSection
from components.tkg.config import GpuConfig, IamConfig, TkgConfig, WorkloadAccountConfig
from components.vsphere.config import VsphereSection

# The tkg-aws keys a stack file may hold: the shared sections and every platform's.
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
    """The stack's aws:* provider settings (components/config/provider_settings.py)."""
    kubernetes: KubernetesSettings = KubernetesSettings()
    vsphere_settings: VsphereSettings = VsphereSettings()
    """The stack's vsphere:* provider settings (vCenter address and credentials)."""

    @property
    def aws_account_ids(self) -> set[str]:
        """Every account the stack's AWS providers are pinned to (components/foundations/accounts.py)."""
        return {self.management_cluster.account_id, *(a.account_id for a in self.workload_accounts)}

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
        return default_tags(self.environment, self.tags)

    @property
    def cluster_kubeconfig(self) -> str | None:
        """The management cluster's kubeconfig: ours, or the stack's kubernetes:kubeconfig."""
        return self.management_cluster.kubeconfig or self.kubernetes.kubeconfig

    @property
    def cluster_context(self) -> str | None:
        return self.management_cluster.context or self.kubernetes.context
