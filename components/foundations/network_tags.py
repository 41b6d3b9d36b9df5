"""The tags CAPA and the Kubernetes AWS cloud provider read on a VPC's subnets and route tables, and
how the stack writes the ones under CAPA's prefixes: one `aws.ec2.Tag` per resource and key.

Subnets get the load balancer role of their tier and `kubernetes.io/cluster/<name>=shared` for each
cluster sharing them; route tables get the cluster tags (the cloud provider's route controller looks
for them). CAPA writes tags under the same prefixes for clusters of its own, so the management
provider ignores those prefixes (CAPA_TAG_PREFIXES): a resource's own `tags` hold only keys outside
them, and ours under them are separate Tag resources, which the ignore does not hide.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from components.naming import CAPA_TAG_PREFIXES, LOAD_BALANCER_ROLE_TAG, Tier, cluster_tag


def kubernetes_subnet_tags(tier: Tier, cluster_names: tuple[str, ...]) -> dict[str, str]:
    """The tags the cloud provider needs on a subnet of `tier` shared by `cluster_names`."""
    return {LOAD_BALANCER_ROLE_TAG[tier]: "1", **kubernetes_route_table_tags(cluster_names)}


def kubernetes_route_table_tags(cluster_names: tuple[str, ...]) -> dict[str, str]:
    """The cluster tags the cloud provider's route controller needs on a route table."""
    return {cluster_tag(name): "shared" for name in cluster_names}


def ignored_by_provider(key: str) -> bool:
    """Whether the management provider ignores a tag key (one CAPA also writes)."""
    return key.startswith(CAPA_TAG_PREFIXES)


def tag_resource(
    name: str, resource_id: pulumi.Input[str], tags: dict[str, str], parent: pulumi.Resource
) -> list[aws.ec2.Tag]:
    """One aws.ec2.Tag per key, named `<name>-<key>`: a tag under a prefix the provider ignores
    stays visible and ours."""
    return [
        aws.ec2.Tag(
            f"{name}-{key}", resource_id=resource_id, key=key, value=value, opts=pulumi.ResourceOptions(parent=parent)
        )
        for key, value in tags.items()
    ]
