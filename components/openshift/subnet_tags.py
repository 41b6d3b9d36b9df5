"""SharedSubnetTags: `kubernetes.io/cluster/<infraId>=shared` on every subnet the cluster may use.

What the subnet-tag Lambda of 02_cluster_infra.yaml did, as one `aws.ec2.Tag` per subnet: the tag
is the cluster's alone, so other owners' tags on the same subnets (CAPA's, other clusters') stay
as they are, and the management provider's ignore of the `kubernetes.io/cluster/` prefix does not
hide it. Keyed by tier and AZ, so adding an AZ adds its tags and changes none.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.naming import cluster_tag


@dataclass(frozen=True, kw_only=True)
class SharedSubnetTagsArgs:
    infra_id: str
    subnet_ids: Mapping[str, pulumi.Input[str]]
    """Keyed `<tier>-<az>`, e.g. private-us-east-1a."""


class SharedSubnetTags(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:openshift:SharedSubnetTags"

    def __init__(self, name: str, args: SharedSubnetTagsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        for key, subnet_id in sorted(args.subnet_ids.items()):
            aws.ec2.Tag(
                f"{name}-{key}",
                resource_id=subnet_id,
                key=cluster_tag(args.infra_id),
                value="shared",
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({})
