"""The program's own names: what it calls itself and the labels it puts on what it creates.

Besides its default tags, the program writes the tags CAPA and the Kubernetes AWS cloud provider read
on subnets and route tables (their keys are those projects' words, the program's choice is to write
them): the load balancer role, the cluster ownership `kubernetes.io/cluster/<name>` and CAPA's subnet
role, beside AWS's `Name`.
"""

from typing import Literal

PROJECT = "tkg-aws"
"""The Pulumi project name, the config namespace and the prefix of every type token."""

ENVIRONMENT_TAG = "environment"
MANAGED_BY_TAG = "managed-by"
DEFAULT_TAG_KEYS = (ENVIRONMENT_TAG, MANAGED_BY_TAG)
"""The tags the program puts on every AWS resource (provider default tags), before the user's."""


def default_tags(environment: str, tags: dict[str, str]) -> dict[str, str]:
    """Tags on every AWS resource: ours, then the user's."""
    return {ENVIRONMENT_TAG: environment, MANAGED_BY_TAG: PROJECT, **tags}


MANAGEMENT_IAM_SET = "iam"
"""Logical name of the management account's TKG IAM set (tkg-aws:iam:ClusterIam), in users' URNs."""

NAME_TAG = "Name"
"""What the AWS console shows as a resource's name: `<environment>-<what>[-<AZ>]` on the network."""


def name_tag(environment: str, *parts: str) -> dict[str, str]:
    """The Name tag of a network resource, e.g. dev-private-us-west-2a."""
    return {NAME_TAG: "-".join((environment, *parts))}


Tier = Literal["public", "private"]

LOAD_BALANCER_ROLE_TAG: dict[Tier, str] = {
    "public": "kubernetes.io/role/elb",
    "private": "kubernetes.io/role/internal-elb",
}
"""Where the cloud provider and CAPA place internet-facing and internal load balancers."""
CAPA_ROLE_TAG = "sigs.k8s.io/cluster-api-provider-aws/role"
"""CAPA's subnet role (public or private), by which it tells the subnets of a VPC it does not own apart."""
CAPA_TAG_PREFIXES = ("kubernetes.io/cluster/", "kubernetes.io/role/")
"""Key prefixes CAPA also writes, on the subnets of a VPC it does not own (its default feature gate
TagUnmanagedNetworkResources), for clusters of its own: the management provider ignores them, and
the program's own tags under them are aws.ec2.Tag resources, which the ignore does not hide."""


def cluster_tag(cluster_name: str) -> str:
    """The key that gives a resource to a cluster (`=shared` on a network it shares, `=owned` on its own)."""
    return f"kubernetes.io/cluster/{cluster_name}"


MANAGED_BY = {"app.kubernetes.io/managed-by": PROJECT}
"""Who owns a Kubernetes object: `kubectl get -l app.kubernetes.io/managed-by=tkg-aws` lists them all."""
