"""The `tkg-aws:eksLocalCluster` section: an Amazon EKS local cluster on an Outpost, and its nodes.

Absent, the platform is off. Facts the defaults and rules stand on (the Kubernetes versions local
clusters run, their regions, the control-plane sizing table) are data in data/local_clusters.json,
each with its source; rules across keys are in rules.py.
"""

from __future__ import annotations

import ipaddress
import json
import re
from pathlib import Path
from typing import Annotated, Any, Final, Literal

from pydantic import AfterValidator, Field

from components.config import validators as check
from components.config.base import Cidr, Model

FACTS = json.loads((Path(__file__).parent / "data" / "local_clusters.json").read_text())
KUBERNETES_VERSIONS: dict[str, dict[str, Any]] = FACTS["kubernetesVersions"]["supported"]
DEFAULT_KUBERNETES_VERSION: str = FACTS["kubernetesVersions"]["newest"]
SUPPORTED_REGIONS: tuple[str, ...] = tuple(FACTS["regions"]["supported"])
CONTROL_PLANE_SIZES: tuple[tuple[str, int], ...] = tuple(
    (row["size"], row["maxNodes"]) for row in FACTS["controlPlaneSizing"]["sizes"]
)
OUTPOST_RACK_FAMILIES: tuple[str, ...] = tuple(FACTS["outpostRackFamilies"]["families"])
ADDRESSES: dict[str, int] = {k: v for k, v in FACTS["nodeAddresses"].items() if k != "source"}
DEFAULT_CONTROL_PLANE_INSTANCE_TYPE = "m5.large"
DEFAULT_NODE_INSTANCE_TYPE = "m5.xlarge"
DEFAULT_AMI_FAMILY: Final = "AmazonLinux2023"
DEFAULT_NODE_VOLUME_GIB = 40
DEFAULT_IMDS_HOP_LIMIT = 1
# The role iam.eksLocalClusterRole: true creates, outside TKG's iam:PassRole pattern `*<nameSuffix>`.
LEGACY_EKS_LOCAL_CLUSTER_ROLE = "eks-local-cluster"
# EBS on Outposts racks offers gp2 only (local clusters' control plane and nodes alike).
OUTPOST_VOLUME_TYPE = "gp2"

CLUSTER_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]{0,99}", re.ASCII)
OUTPOST_ARN = re.compile(
    r"arn:(aws|aws-us-gov|aws-cn):outposts:([a-z0-9-]+):(\d{12}):outpost/op-[0-9a-f]{17}", re.ASCII
)
INSTANCE_TYPE = re.compile(r"[a-z][a-z0-9-]*\.[a-z0-9]+", re.ASCII)
IAM_ROLE_NAME = re.compile(r"[\w+=,.@-]{1,64}", re.ASCII)
NODE_GROUP_NAME = re.compile(r"[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?", re.ASCII)
# The x.509 user name a disconnected operator's certificate carries as its CN.
X509_USER = re.compile(r"[A-Za-z0-9][A-Za-z0-9@._-]{0,62}", re.ASCII)
LOCAL_GATEWAY_ID = re.compile(r"lgw-[0-9a-f]{17}", re.ASCII)
LOCAL_GATEWAY_ROUTE_TABLE_ID = re.compile(r"lgw-rtb-[0-9a-f]{17}", re.ASCII)


def _matches(pattern: re.Pattern[str], example: str) -> AfterValidator:
    def validate(value: str) -> str:
        if not pattern.fullmatch(value):
            raise ValueError(f"not {example}")
        return value

    return AfterValidator(validate)


def _kubernetes_version(value: str) -> str:
    if value not in KUBERNETES_VERSIONS:
        raise ValueError(f"local clusters run Kubernetes {sorted(KUBERNETES_VERSIONS)}")
    return value


ClusterName = Annotated[str, _matches(CLUSTER_NAME, "an EKS cluster name: a letter, then letters, digits, -")]
OutpostArn = Annotated[
    str,
    _matches(OUTPOST_ARN, "an Outpost ARN like arn:aws:outposts:us-west-2:111111111111:outpost/op-0123456789abcdef0"),
]
InstanceType = Annotated[str, _matches(INSTANCE_TYPE, "an EC2 instance type like m5.large")]
SubnetId = Annotated[str, AfterValidator(check.subnet_id)]
RoleName = Annotated[str, _matches(IAM_ROLE_NAME, "an IAM role name: 1-64 of letters, digits, +=,.@_-")]
NodeGroupName = Annotated[
    str, _matches(NODE_GROUP_NAME, "a node group name: lowercase letters, digits and -, at most 32 characters")
]


class NodesConfig(Model):
    instance_type: InstanceType = DEFAULT_NODE_INSTANCE_TYPE
    """Instance type of the self-managed nodes; one the Outpost has slots for. Default: m5.xlarge."""
    desired_size: Annotated[int, Field(ge=0)] = 2
    min_size: Annotated[int, Field(ge=0)] = 1
    max_size: Annotated[int, Field(ge=1)] = 3
    """The most nodes the group may reach: sizes the control plane (controlPlaneInstanceType)."""
    ami_family: Literal["AmazonLinux2023", "AmazonLinux2"] = DEFAULT_AMI_FAMILY
    """EKS-optimized Amazon Linux image: AmazonLinux2023 (nodeadm) or AmazonLinux2 (bootstrap.sh,
    published up to Kubernetes 1.32). Default: AmazonLinux2023."""
    volume_type: str = OUTPOST_VOLUME_TYPE
    """Root volume type; Outposts offer gp2 only. Default: gp2."""
    volume_size: Annotated[int, Field(ge=20, le=16384)] = DEFAULT_NODE_VOLUME_GIB
    """Root volume size in GiB. Default: 40."""
    imds_hop_limit: Annotated[int, Field(ge=1, le=64)] = DEFAULT_IMDS_HOP_LIMIT
    """Instance metadata hop limit (EC2 takes 1..64): 1 keeps pods away from the node role's
    credentials (which hold the CNI policy: local clusters have no IRSA); 2 lets pods take them, as
    the EBS CSI driver's controller must. Default: 1."""


class PlacementConfig(Model):
    spread_level: Literal["host", "rack"]
    """host: 1-2 racks (at least 3 hosts of the type); rack: 3 or more racks."""


class LocalGatewayConfig(Model):
    """Reach the cluster from the on-premises network through the Outpost's local gateway."""

    id: Annotated[str, _matches(LOCAL_GATEWAY_ID, "a local gateway id like lgw-0123456789abcdef0")]
    route_table_id: Annotated[
        str, _matches(LOCAL_GATEWAY_ROUTE_TABLE_ID, "a local gateway route table id like lgw-rtb-0123456789abcdef0")
    ]
    """The local gateway route table the VPC is associated with."""
    destination_cidrs: Annotated[list[Cidr], Field(min_length=1)]
    """On-premises networks routed from the Outpost subnet to the local gateway."""


class RoleNamesConfig(Model):
    """Names of the cluster and node roles (the node role's instance profile takes its name)."""

    cluster: RoleName | None = None
    """Default: <name>-eks-local-cluster."""
    nodes: RoleName | None = None
    """Default: <name>-eks-local-nodes."""


class EksLocalClusterConfig(Model):
    name: ClusterName
    """Required: the EKS cluster name (unique in the account and region)."""
    outpost_arn: OutpostArn
    """Required: the one Outpost (rack) of the control plane and nodes, in the stack's region and account."""
    availability_zone: str
    """Required: the Outpost's AZ (its parent AZ in the region), one of network.availabilityZones."""
    control_plane_instance_type: InstanceType = DEFAULT_CONTROL_PLANE_INSTANCE_TYPE
    """Type of the 3 control-plane instances; immutable, sized by nodes.maxSize. Default: m5.large."""
    kubernetes_version: Annotated[str, AfterValidator(_kubernetes_version)] = DEFAULT_KUBERNETES_VERSION
    """Default: the newest version local clusters run (data/local_clusters.json)."""
    placement: PlacementConfig | None = None
    """A spread placement group for the control plane. Default: none."""
    subnet_cidr: Cidr | None = None
    """CIDR of the Outpost subnet. Default: a /22 of the VPC's free eighth (for a /16), by AZ letter."""
    existing_subnet_ids: Annotated[list[SubnetId], Field(min_length=1)] | None = None
    """With network.existingVpc: Outpost subnets that already exist; none is created. Default: none."""
    local_gateway: LocalGatewayConfig | None = None
    """Associate the VPC with the local gateway route table and route on-premises CIDRs to it. Default: none."""
    nodes: NodesConfig = NodesConfig()
    """The cluster's first self-managed node group. Default: 2 m5.xlarge nodes (1..3)."""
    node_groups: dict[NodeGroupName, NodesConfig] = {}
    """Further self-managed node groups by name; adding or removing one touches no other. Default: none."""
    api_access_cidrs: list[Cidr] = []
    """Networks allowed to the API (443) besides the VPC and localGateway.destinationCidrs: where
    operators and `pulumi up` run. Default: none."""
    role_names: RoleNamesConfig = RoleNamesConfig()
    """Names of the cluster and node roles. Default: <name>-eks-local-cluster, <name>-eks-local-nodes."""
    disconnected_admin: (
        Annotated[str, _matches(X509_USER, "a user name like admin: letters, digits, @._-, at most 63")] | None
    ) = None
    """The x.509 user (the CN of a client certificate) bound to cluster-admin, to operate while the
    Outpost is disconnected from the region. Default: none."""
    ebs_csi_driver: bool = False
    """Install the Amazon EBS CSI driver and a default gp2 StorageClass. Default: false."""
    protect: bool = True
    """Protect the cluster and its roles: the control plane's type and placement are create-only,
    and a replacement is a new cluster. Default: true."""

    def subnet_cidr_in(self, vpc_cidr: ipaddress.IPv4Network) -> str:
        """The Outpost subnet's CIDR: the configured one, or by AZ letter from the eighth of the VPC
        that the regional subnets leave free (NetworkConfig.subnet_cidrs_for), a /22 of a /16."""
        if self.subnet_cidr is not None:
            return str(self.subnet_cidr)
        free_eighth = list(vpc_cidr.subnets(prefixlen_diff=3))[6]
        return str(list(free_eighth.subnets(prefixlen_diff=3))[ord(self.availability_zone[-1]) - ord("a")])

    @property
    def cluster_role_name(self) -> str:
        return self.role_names.cluster or f"{self.name}-eks-local-cluster"

    @property
    def node_role_name(self) -> str:
        return self.role_names.nodes or f"{self.name}-eks-local-nodes"

    @property
    def all_node_groups(self) -> dict[str, NodesConfig]:
        """Every node group by key: `nodes` under the key "" (its resources keep their first names)."""
        return {"": self.nodes, **self.node_groups}

    @property
    def outpost_region(self) -> str:
        return self.outpost_arn.split(":")[3]

    @property
    def outpost_account(self) -> str:
        return self.outpost_arn.split(":")[4]
