"""Pure builders of what nodes and users of an EKS local cluster are handed: node user data, the
AMI's SSM parameter, the aws-auth ConfigMap, the kubeconfigs (IAM through `aws eks get-token`, and
x.509 for while the Outpost is cut off from the region) and the hosts lines of the control plane,
as plain strings and dicts.

A local cluster may run with no route to the region's EKS API, so nodes are told everything that
bootstrap would otherwise ask EKS for: the API endpoint, the CA, and the cluster id that names a
local cluster in its tokens and certificates.
"""

from __future__ import annotations

import base64
import ipaddress
import re
from dataclasses import dataclass
from typing import Any, Literal

import yaml

from components.config import instance_types
from components.eks_outposts.policies import path_free_role_arn

AmiFamily = Literal["AmazonLinux2023", "AmazonLinux2"]
Architecture = Literal["x86_64", "arm64"]
NODE_GROUPS = ("system:bootstrappers", "system:nodes")
NODEADM_BOUNDARY = "BOUNDARY"
# Nodes whose pods may reach the instance metadata service (hop limit 2) carry this label, so the
# EBS CSI driver's controller can be placed there and nowhere else.
POD_IMDS_LABEL = "tkg-aws/pods-reach-imds"
# EKS-optimized image variants published per (family, architecture, NVIDIA GPU), by their SSM
# parameter path below /aws/service/eks/optimized-ami/<version>/; a missing key has no image.
IMAGES: dict[tuple[str, str, bool], str] = {
    ("AmazonLinux2023", "x86_64", False): "amazon-linux-2023/x86_64/standard",
    ("AmazonLinux2023", "arm64", False): "amazon-linux-2023/arm64/standard",
    ("AmazonLinux2023", "x86_64", True): "amazon-linux-2023/x86_64/nvidia",
    ("AmazonLinux2", "x86_64", False): "amazon-linux-2",
    ("AmazonLinux2", "arm64", False): "amazon-linux-2-arm64",
    ("AmazonLinux2", "x86_64", True): "amazon-linux-2-gpu",
}


def node_image_variant(instance_type: str) -> tuple[Architecture, bool]:
    """(architecture, NVIDIA GPUs) of a node type, which pick its EKS-optimized image; config rules
    refuse the types the catalog does not describe and the combinations no image exists for."""
    spec = instance_types.lookup(instance_type)
    if spec is None:
        # A name without recorded specs: Graviton families carry a g after their generation.
        arm = re.fullmatch(r"[a-z]+\d+g[a-z]*", instance_types.family_of(instance_type))
        return ("arm64" if arm else "x86_64"), False
    architecture: Architecture = "arm64" if spec.architectures == ("arm64",) else "x86_64"
    return architecture, spec.nvidia_gpus > 0


def ami_parameter(family: AmiFamily, kubernetes_version: str, architecture: Architecture, nvidia: bool) -> str:
    """The public SSM parameter holding the recommended EKS-optimized AMI id of that variant."""
    image = IMAGES[(family, architecture, nvidia)]
    return f"/aws/service/eks/optimized-ami/{kubernetes_version}/{image}/recommended/image_id"


def image_id(family: AmiFamily, kubernetes_version: str, architecture: Architecture, nvidia: bool) -> str:
    """A launch template's image id that EC2 resolves from the SSM parameter at each launch, so
    nodes replaced later boot the then-recommended image without a stack change."""
    return "resolve:ssm:" + ami_parameter(family, kubernetes_version, architecture, nvidia)


@dataclass(frozen=True)
class Join:
    """What a node is told so that it joins the local cluster without asking the EKS API."""

    cluster_name: str
    endpoint: str
    certificate_authority: str
    """Base64 CA data of the cluster."""
    cluster_id: str
    """The id EKS gives a local cluster, which its tokens and node certificates name."""
    service_cidr: str


def user_data(family: AmiFamily, join: Join, labels: dict[str, str] | None = None) -> str:
    """Base64 user data that joins a node to the local cluster, with kubelet `labels`."""
    write = _bootstrap_script if family == "AmazonLinux2" else _nodeadm_config
    return base64.b64encode(write(join, labels or {}).encode()).decode()


def _label_flag(labels: dict[str, str]) -> str:
    return "--node-labels=" + ",".join(f"{key}={value}" for key, value in sorted(labels.items()))


def _bootstrap_script(join: Join, labels: dict[str, str]) -> str:
    # Amazon Linux 2's bootstrap.sh: the arguments AWS gives for private local clusters.
    extra = f" --kubelet-extra-args '{_label_flag(labels)}'" if labels else ""
    return (
        "#!/bin/bash\n"
        "set -o errexit\n"
        f"/etc/eks/bootstrap.sh {join.cluster_name} --b64-cluster-ca {join.certificate_authority} "
        f"--apiserver-endpoint {join.endpoint} --enable-local-outpost true --cluster-id {join.cluster_id}{extra}\n"
    )


def node_config(join: Join, labels: dict[str, str] | None = None) -> dict[str, Any]:
    """Amazon Linux 2023's nodeadm NodeConfig; enableOutpost needs the cluster id."""
    spec: dict[str, Any] = {
        "cluster": {
            "name": join.cluster_name,
            "apiServerEndpoint": join.endpoint,
            "certificateAuthority": join.certificate_authority,
            "cidr": join.service_cidr,
            "enableOutpost": True,
            "id": join.cluster_id,
        }
    }
    if labels:
        spec["kubelet"] = {"flags": [_label_flag(labels)]}
    return {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "spec": spec}


def _nodeadm_config(join: Join, labels: dict[str, str]) -> str:
    # nodeadm reads NodeConfig parts of a MIME multi-part user data by their content type.
    config = yaml.safe_dump(node_config(join, labels))
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

    Local clusters accept only authenticationMode CONFIG_MAP, so access entries are no option. The
    ARN is mapped without its IAM path: the authenticator sees the node's assumed-role session,
    which names the role without it.
    """
    map_roles = [
        {
            "rolearn": path_free_role_arn(node_role_arn),
            "username": "system:node:{{EC2PrivateDNSName}}",
            "groups": list(NODE_GROUPS),
        }
    ]
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "aws-auth", "namespace": "kube-system"},
        "data": {"mapRoles": yaml.safe_dump(map_roles, sort_keys=True)},
    }


def kubeconfig(
    *,
    cluster_name: str,
    endpoint: str,
    certificate_authority: str,
    cluster_id: str,
    region: str,
    role_arn: str | None = None,
    env: dict[str, str] | None = None,
) -> dict[str, Any]:
    """What `aws eks update-kubeconfig` writes for a local cluster (tokens name the cluster id),
    authenticating as the stack's creator: `env` reaches the credentials the AWS provider starts
    from (a profile, a web identity), `--role-arn` the role it assumes last. Under CONFIG_MAP only
    that principal is admin at first."""
    args = ["eks", "get-token", "--cluster-id", cluster_id, "--region", region, "--output", "json"]
    if role_arn is not None:
        args += ["--role-arn", role_arn]
    command: dict[str, Any] = {"apiVersion": "client.authentication.k8s.io/v1beta1", "command": "aws", "args": args}
    if env:
        command["env"] = [{"name": name, "value": value} for name, value in sorted(env.items())]
    return _config(cluster_name, endpoint, certificate_authority, f"{cluster_name}-aws", {"exec": command})


def disconnected_kubeconfig(
    *, cluster_name: str, endpoint: str, certificate_authority: str, user: str
) -> dict[str, Any]:
    """A kubeconfig that needs no AWS: the x.509 client certificate and key of `user`, read from
    files beside it (made by the operator and signed by the cluster beforehand; never in the stack).
    The endpoint's name resolves through the hosts lines while Route 53 is out of reach."""
    files = {"client-certificate": f"{user}.crt", "client-key": f"{user}.key"}
    return _config(cluster_name, endpoint, certificate_authority, f"{user}-x509", files)


def _config(
    cluster_name: str, endpoint: str, certificate_authority: str, user: str, credentials: dict[str, Any]
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [
            {"name": cluster_name, "cluster": {"server": endpoint, "certificate-authority-data": certificate_authority}}
        ],
        "contexts": [{"name": cluster_name, "context": {"cluster": cluster_name, "user": user}}],
        "current-context": cluster_name,
        "users": [{"name": user, "user": credentials}],
    }


def hosts_lines(endpoint: str, addresses: list[str]) -> str:
    """/etc/hosts lines naming the API endpoint by the control plane's fixed private addresses."""
    host = endpoint.removeprefix("https://").split("/", 1)[0]
    return "".join(f"{address} {host}\n" for address in sorted(addresses, key=ipaddress.ip_address))
