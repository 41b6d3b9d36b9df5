"""ClusterDns: the cluster's private hosted zone and the API records of 02_cluster_infra.yaml.

The private zone `<clusterName>.<baseDomain>` is associated with the VPC and tagged
`kubernetes.io/cluster/<infraId>=owned` and `Name=<infraId>-int`, which is how OpenShift's ingress
operator finds it. Its provider ignores no tag (platform.py): the stack's management provider
ignores the `kubernetes.io/cluster/` prefix for CAPA's sake and would never write that tag.
Records: `api` and `api-int` in the private zone point at the internal API load balancer, `api` in
the public zone (when there is one) at the external one; aliases, or CNAMEs with a 10 s TTL in the
partitions whose Route 53 has no alias to a load balancer (GovCloud, the isolated regions).
`*.apps` is the ingress operator's, not ours.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from components.naming import NAME_TAG, cluster_tag

CNAME_TTL = 10  # the templates' value for partitions without alias records


@dataclass(frozen=True)
class LoadBalancerTarget:
    dns_name: pulumi.Input[str]
    zone_id: pulumi.Input[str]
    """The load balancer's canonical hosted zone, for the alias."""


@dataclass(frozen=True, kw_only=True)
class ClusterDnsArgs:
    cluster_domain: str
    """`<clusterName>.<baseDomain>`: the private zone's name."""
    infra_id: str
    vpc_id: pulumi.Input[str]
    internal_api: LoadBalancerTarget
    external_api: LoadBalancerTarget | None = None
    """With public_zone_id: the external API load balancer. Default: none (an internal cluster)."""
    public_zone_id: str | None = None
    alias_records: bool = True
    """False where Route 53 cannot alias a load balancer: CNAMEs instead. Default: true."""
    protect: bool = True

    def __post_init__(self) -> None:
        if (self.public_zone_id is None) != (self.external_api is None):
            raise ValueError("ClusterDnsArgs: public_zone_id and external_api go together")


class ClusterDns(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:openshift:ClusterDns"

    outputs: dict[str, Any]
    """privateHostedZoneId, apiServerDnsName (api-int), apiDnsName."""

    def __init__(self, name: str, args: ClusterDnsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.private_zone = aws.route53.Zone(
            f"{name}-private",
            name=args.cluster_domain,
            comment=f"OpenShift cluster {args.infra_id}: api and api-int for the VPC",
            vpcs=[aws.route53.ZoneVpcArgs(vpc_id=args.vpc_id)],
            tags={NAME_TAG: f"{args.infra_id}-int", cluster_tag(args.infra_id): "owned"},
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        for record in ("api", "api-int"):
            self._record(f"private-{record}", self.private_zone.zone_id, record, args.internal_api)
        if args.public_zone_id is not None and args.external_api is not None:
            self._record("public-api", args.public_zone_id, "api", args.external_api)
        self.outputs = {
            "privateHostedZoneId": self.private_zone.zone_id,
            "apiServerDnsName": f"api-int.{args.cluster_domain}",
            "apiDnsName": f"api.{args.cluster_domain}",
        }
        self.register_outputs(self.outputs)

    def _record(self, key: str, zone_id: pulumi.Input[str], label: str, target: LoadBalancerTarget) -> None:
        name = f"{label}.{self._args.cluster_domain}"
        opts = pulumi.ResourceOptions(parent=self)
        if self._args.alias_records:
            alias = aws.route53.RecordAliasArgs(
                name=target.dns_name, zone_id=target.zone_id, evaluate_target_health=False
            )
            aws.route53.Record(f"{self._name}-{key}", zone_id=zone_id, name=name, type="A", aliases=[alias], opts=opts)
            return
        aws.route53.Record(
            f"{self._name}-{key}",
            zone_id=zone_id,
            name=name,
            type="CNAME",
            ttl=CNAME_TTL,
            records=[target.dns_name],
            opts=opts,
        )
