"""IAM documents and managed-policy names of an EKS local cluster, as plain data.

The cluster role is the console and CLI path's (trusted by EC2, AmazonEKSLocalOutpostClusterPolicy).
The node role carries the CNI policy itself (local clusters have no IAM roles for service accounts,
so aws-node runs with the node's role), SSM's core policy (the stack's SSM endpoints reach the
nodes, for Session Manager while the region is unreachable from the LAN), and the EBS CSI driver's
policy when the driver is installed, for the same reason as the CNI's.

Role names never end in the TKG IAM set's suffix: TKG's control plane and controllers may pass
every role named `*<nameSuffix>` (iam:PassRole), which would let a TKG machine launch an instance
as an EKS node.
"""

from __future__ import annotations

from components.policies.grammar import Document, aws_managed_policy_arn
from components.policies.trust import ec2_trust_policy

CLUSTER_POLICIES = ("AmazonEKSLocalOutpostClusterPolicy",)
NODE_POLICIES = (
    "AmazonEKSWorkerNodePolicy",
    "AmazonEKS_CNI_Policy",
    "AmazonEC2ContainerRegistryPullOnly",
    "AmazonSSMManagedInstanceCore",
)
EBS_CSI_DRIVER_POLICY = "service-role/AmazonEBSCSIDriverPolicy"


def cluster_role_trust() -> Document:
    """EKS runs the control-plane instances on the Outpost as EC2 instances of this role."""
    return ec2_trust_policy()


def node_role_trust() -> Document:
    return ec2_trust_policy()


def cluster_policy_arns(partition: str) -> list[str]:
    return [aws_managed_policy_arn(partition, name) for name in CLUSTER_POLICIES]


def node_policy_arns(partition: str, ebs_csi_driver: bool = False) -> list[str]:
    names = NODE_POLICIES + ((EBS_CSI_DRIVER_POLICY,) if ebs_csi_driver else ())
    return [aws_managed_policy_arn(partition, name) for name in names]


def path_free_role_arn(role_arn: str) -> str:
    """The role ARN as aws-iam-authenticator compares it: an assumed-role session names its role
    without the path, so a mapping with the path never matches (nodes stay Unauthorized)."""
    head, _, rest = role_arn.partition(":role/")
    return f"{head}:role/{rest.rsplit('/', 1)[-1]}"


def passable_by_tkg(role_name: str, suffixes: tuple[str, ...]) -> str | None:
    """The TKG name suffix under whose iam:PassRole pattern (`*<suffix>`) a role name falls, if any."""
    return next((s for s in suffixes if s and role_name.endswith(s)), None)
