"""Pure builders of what nodes and users of an EKS local cluster are handed: node user data, the
AMI's SSM parameter, the aws-auth ConfigMap and a kubeconfig, as plain strings and dicts.

A local cluster may run with no route to the region's EKS API, so nodes are told everything that
bootstrap would otherwise ask EKS for: the API endpoint, the CA, and the cluster id that names a
local cluster in its tokens and certificates.
"""

from __future__ import annotations

import base64
from typing import Any, Literal

import yaml

AmiFamily = Literal["AmazonLinux2023", "AmazonLinux2"]
NODE_GROUPS = ("system:bootstrappers", "system:nodes")
NODEADM_BOUNDARY = "BOUNDARY"


def ami_parameter(family: AmiFamily, kubernetes_version: str) -> str:
    """The public SSM parameter holding the recommended EKS-optimized x86_64 AMI id."""
    image = "amazon-linux-2023/x86_64/standard" if family == "AmazonLinux2023" else "amazon-linux-2"
    return f"/aws/service/eks/optimized-ami/{kubernetes_version}/{image}/recommended/image_id"


def image_id(family: AmiFamily, kubernetes_version: str) -> str:
    """A launch template's image id that EC2 resolves from the SSM parameter at each launch, so
    nodes replaced later boot the then-recommended image without a stack change."""
    return "resolve:ssm:" + ami_parameter(family, kubernetes_version)


def user_data(
    family: AmiFamily,
    *,
    cluster_name: str,
    endpoint: str,
    certificate_authority: str,
    cluster_id: str,
    service_cidr: str,
) -> str:
    """Base64 user data that joins a node to the local cluster without calling the EKS API."""
    if family == "AmazonLinux2":
        text = _bootstrap_script(cluster_name, endpoint, certificate_authority, cluster_id)
    else:
        text = _nodeadm_config(cluster_name, endpoint, certificate_authority, cluster_id, service_cidr)
    return base64.b64encode(text.encode()).decode()


def _bootstrap_script(cluster_name: str, endpoint: str, certificate_authority: str, cluster_id: str) -> str:
    # Amazon Linux 2's bootstrap.sh: the arguments AWS gives for private local clusters.
    return (
        "#!/bin/bash\n"
        "set -o errexit\n"
        f"/etc/eks/bootstrap.sh {cluster_name} --b64-cluster-ca {certificate_authority} "
        f"--apiserver-endpoint {endpoint} --enable-local-outpost true --cluster-id {cluster_id}\n"
    )


def node_config(
    cluster_name: str, endpoint: str, certificate_authority: str, cluster_id: str, service_cidr: str
) -> dict:
    """Amazon Linux 2023's nodeadm NodeConfig; enableOutpost needs the cluster id."""
    return {
        "apiVersion": "node.eks.aws/v1alpha1",
        "kind": "NodeConfig",
        "spec": {
            "cluster": {
                "name": cluster_name,
                "apiServerEndpoint": endpoint,
                "certificateAuthority": certificate_authority,
                "cidr": service_cidr,
                "enableOutpost": True,
                "id": cluster_id,
            }
        },
    }


def _nodeadm_config(
    cluster_name: str, endpoint: str, certificate_authority: str, cluster_id: str, service_cidr: str
) -> str:
    # nodeadm reads NodeConfig parts of a MIME multi-part user data by their content type.
    config = yaml.safe_dump(node_config(cluster_name, endpoint, certificate_authority, cluster_id, service_cidr))
    return (
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/mixed; boundary="{NODEADM_BOUNDARY}"\n\n'
        f"--{NODEADM_BOUNDARY}\n"
        "Content-Type: application/node.eks.aws\n\n"
        f"{config}\n"
        f"--{NODEADM_BOUNDARY}--\n"
    )


def aws_auth_config_map(node_role_arn: str) -> dict[str, Any]:
    """kube-system/aws-auth mapping the node role (the role ARN, not the profile's) to node groups.

    Local clusters accept only authenticationMode CONFIG_MAP, so access entries are no option.
    """
    map_roles = [
        {"rolearn": node_role_arn, "username": "system:node:{{EC2PrivateDNSName}}", "groups": list(NODE_GROUPS)}
    ]
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "aws-auth", "namespace": "kube-system"},
        "data": {"mapRoles": yaml.safe_dump(map_roles, sort_keys=True)},
    }


def kubeconfig(*, cluster_name: str, endpoint: str, certificate_authority: str, cluster_id: str, region: str) -> dict:
    """What `aws eks update-kubeconfig` writes for a local cluster: tokens name the cluster id."""
    user = f"{cluster_name}-aws"
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": certificate_authority}}
        ],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": user}}],
        "current-context": cluster_name,
        "users": [
            {
                "name": user,
                "user": {
                    "exec": {
                        "apiVersion": "client.authentication.k8s.io/v1beta1",
                        "command": "aws",
                        "args": [
                            "eks",
                            "get-token",
                            "--cluster-id",
                            cluster_id,
                            "--region",
                            region,
                            "--output",
                            "json",
                        ],
                    }
                },
            }
        ],
    }
