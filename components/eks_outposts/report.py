"""What the plan summary says of an EKS local cluster: what it puts on the Outpost's capacity
(which the Outpost must keep free for the cluster's lifetime: slots are not elastic), where
`pulumi up` must run to reach the private API, and warnings the config does not refuse."""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.eks_outposts.config import OUTPOST_VOLUME_TYPE, EksLocalClusterConfig, NodesConfig
from components.eks_outposts.policies import passable_by_tkg

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig


CONTROL_PLANE_INSTANCES = 3  # fixed by EKS: stacked etcd, quorum of 2
CONTROL_PLANE_EBS_GB = 246  # provisioned by EKS for each local cluster
# TKG's and CAPA's default iam.nameSuffix: roles under either may be passed by a TKG set of the account.
TKG_SUFFIXES = (".tkg.cloud.vmware.com", ".cluster-api-provider-aws.sigs.k8s.io")


def outpost_report(config: StackConfig) -> list[str]:
    cluster = config.eks_local_cluster
    if cluster is None:
        return _legacy_role(config)
    placement = f", spread by {cluster.placement.spread_level}" if cluster.placement else ""
    lines = [
        (
            f"on Outpost {cluster.outpost_arn} ({cluster.availability_zone}), EKS local cluster {cluster.name} "
            f"(Kubernetes {cluster.kubernetes_version}):"
        ),
        (
            f"  {CONTROL_PLANE_INSTANCES:4d} × {cluster.control_plane_instance_type} control plane{placement}, "
            f"{CONTROL_PLANE_EBS_GB} GB {OUTPOST_VOLUME_TYPE} EBS"
        ),
    ]
    lines += [_group_line(key or "nodes", nodes) for key, nodes in cluster.all_node_groups.items()]
    lines.append("  slots for these must stay free on the Outpost; interface endpoints are priced in the network cost")
    return lines + _reach(config, cluster) + _warnings(config, cluster)


def _group_line(key: str, nodes: NodesConfig) -> str:
    return (
        f"  {nodes.desired_size:4d} × {nodes.instance_type} {key} ({nodes.min_size}..{nodes.max_size}), "
        f"{nodes.volume_size} GiB {nodes.volume_type} root volume each, {nodes.ami_family}, "
        f"IMDS hop limit {nodes.imds_hop_limit}"
    )


def _reach(config: StackConfig, cluster: EksLocalClusterConfig) -> list[str]:
    """The API is private: the machine running `pulumi up` must reach it to apply aws-auth."""
    networks = ["the VPC" + (f" {config.network.cidr}" if config.network.existing_vpc is None else "")]
    if cluster.local_gateway is not None:
        on_premises = ", ".join(str(c) for c in cluster.local_gateway.destination_cidrs)
        networks.append(f"the on-premises networks {on_premises} (local gateway)")
    if cluster.api_access_cidrs:
        networks.append("eksLocalCluster.apiAccessCidrs " + ", ".join(str(c) for c in cluster.api_access_cidrs))
    return [
        "  the API is private: run `pulumi up` (it applies aws-auth before nodes launch) and kubectl from "
        + "; ".join(networks)
    ]


def _warnings(config: StackConfig, cluster: EksLocalClusterConfig) -> list[str]:
    warnings = []
    groups = cluster.all_node_groups
    if any(nodes.ami_family == "AmazonLinux2" for nodes in groups.values()):
        warnings.append(
            "WARNING eksLocalCluster: Amazon Linux 2 nodes: AWS no longer publishes EKS-optimized AL2 images "
            "after Kubernetes 1.32 and ended their support on 2025-11-26; move to amiFamily AmazonLinux2023"
        )
    open_groups = sorted(key or "nodes" for key, nodes in groups.items() if nodes.imds_hop_limit > 1)
    if open_groups:
        csi = " (where the EBS CSI driver's controller runs, with the node role: no IRSA on local clusters)"
        warnings.append(
            f"WARNING eksLocalCluster: pods on {', '.join(open_groups)} reach the instance metadata service "
            f"(hop limit 2) and so the node role's credentials{csi if cluster.ebs_csi_driver else ''}"
        )
    if any(cidr.prefixlen == 0 for cidr in cluster.api_access_cidrs):
        warnings.append(
            "WARNING eksLocalCluster.apiAccessCidrs: 0.0.0.0/0 lets every network routed to the VPC reach the API; "
            "name the operators' networks"
        )
    roles = config.aws.assume_roles
    if roles and roles[-1].external_id is not None:
        warnings.append(
            "WARNING eksLocalCluster: the last aws:assumeRoles role asks for an external ID, which `aws eks "
            "get-token --role-arn` cannot pass: run `pulumi up` and kubectl with an aws:profile that assumes it"
        )
    identity = config.aws.assume_role_with_web_identity
    if identity is not None and not identity.web_identity_token_file:
        warnings.append(
            "WARNING eksLocalCluster: aws:assumeRoleWithWebIdentity gives its token inline, which the kubeconfig "
            "cannot hand to `aws eks get-token`: give webIdentityTokenFile, or aws-auth cannot be applied"
        )
    for key, name in (("cluster", cluster.cluster_role_name), ("nodes", cluster.node_role_name)):
        warnings += _passable(f"eksLocalCluster.roleNames.{key}", name, config)
    return warnings


def _legacy_role(config: StackConfig) -> list[str]:
    name = config.iam.eks_local_cluster_role_name
    return _passable("iam.eksLocalClusterRole", name, config) if name else []


def _passable(key: str, name: str, config: StackConfig) -> list[str]:
    suffix = passable_by_tkg(name, (config.iam.suffix, *TKG_SUFFIXES))
    if suffix is None:
        return []
    return [
        (
            f"WARNING {key}: {name} ends in {suffix}: a TKG IAM set of this account may pass it (iam:PassRole on "
            "*<nameSuffix>) and launch instances as this role"
        )
    ]
