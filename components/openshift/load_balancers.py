"""ApiLoadBalancers: the network load balancers of 02_cluster_infra.yaml, their listeners and IP
target groups.

The internal NLB `<infraId>-int` serves the API (6443) and the machine-config server (22623) in the
control plane's private subnets; the external, internet-facing `<infraId>-ext` serves the API in
their public subnets, and exists only for a cluster with a public zone. Target groups are of type
ip (the machines register by private IP) and named as the installer names them (`-aint`, `-aext`,
`-sint`), with the templates' HTTPS health checks (`/readyz` on 6443, `/healthz` on 22623, every
10 s, 2 healthy / 2 unhealthy) and a 60 s deregistration delay. Cross-zone load balancing is on, so
the API stays reachable through every AZ's address while one AZ's control-plane machine is down.

Load balancer and target group names are unique per account and region: a replacement deletes the
old one first. Both are protected by default (openshift.protect): the API and every machine's
ignition go through them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import pulumi
import pulumi_aws as aws

TargetGroupKey = Literal["aext", "aint", "sint"]
HEALTH_CHECK_INTERVAL = 10
HEALTH_CHECK_THRESHOLD = 2
DEREGISTRATION_DELAY = 60


@dataclass(frozen=True)
class Listener:
    load_balancer: Literal["ext", "int"]
    port: int
    health_check_path: str


LISTENERS: dict[TargetGroupKey, Listener] = {
    "aext": Listener("ext", 6443, "/readyz"),
    "aint": Listener("int", 6443, "/readyz"),
    "sint": Listener("int", 22623, "/healthz"),
}
# The stack output's names of the target groups, as the templates' outputs name them.
OUTPUT_NAMES: dict[TargetGroupKey, str] = {
    "aext": "externalApi",
    "aint": "internalApi",
    "sint": "internalService",
}


@dataclass(frozen=True, kw_only=True)
class ApiLoadBalancersArgs:
    infra_id: str
    vpc_id: pulumi.Input[str]
    private_subnet_ids: Sequence[pulumi.Input[str]]
    """Where the internal load balancer has its addresses: the control plane's AZs."""
    public_subnet_ids: Sequence[pulumi.Input[str]] = ()
    """Where the external one has its addresses; none for an internal cluster. Default: none."""
    external: bool = False
    protect: bool = True

    def __post_init__(self) -> None:
        if self.external and not self.public_subnet_ids:
            raise ValueError("ApiLoadBalancersArgs: an external load balancer needs public subnets")


class ApiLoadBalancers(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:openshift:ApiLoadBalancers"

    load_balancers: dict[str, aws.lb.LoadBalancer]
    target_groups: dict[TargetGroupKey, aws.lb.TargetGroup]
    outputs: dict[str, Any]

    def __init__(self, name: str, args: ApiLoadBalancersArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.load_balancers = {"int": self._load_balancer("int", args.private_subnet_ids)}
        if args.external:
            self.load_balancers["ext"] = self._load_balancer("ext", args.public_subnet_ids)
        self.target_groups = {}
        for key, listener in LISTENERS.items():
            if listener.load_balancer in self.load_balancers:
                self.target_groups[key] = self._target_group(key, listener)
                self._listener(key, listener)
        self.outputs = {
            "loadBalancerNames": {lb: self.load_balancers[lb].name for lb in sorted(self.load_balancers)},
            "loadBalancerDnsNames": {lb: self.load_balancers[lb].dns_name for lb in sorted(self.load_balancers)},
            # `net/<name>/<id>`: CloudWatch's LoadBalancer dimension, as the templates output it.
            "loadBalancerFullNames": {lb: self.load_balancers[lb].arn_suffix for lb in sorted(self.load_balancers)},
            "targetGroupArns": {OUTPUT_NAMES[k]: tg.arn for k, tg in sorted(self.target_groups.items())},
        }
        self.register_outputs(self.outputs)

    def _named(self) -> pulumi.ResourceOptions:
        """A resource whose name is unique in the account and region: the old one goes first."""
        return pulumi.ResourceOptions(parent=self, protect=self._args.protect, delete_before_replace=True)

    def _load_balancer(self, key: str, subnet_ids: Sequence[pulumi.Input[str]]) -> aws.lb.LoadBalancer:
        return aws.lb.LoadBalancer(
            f"{self._name}-{key}",
            name=f"{self._args.infra_id}-{key}",
            load_balancer_type="network",
            internal=key == "int",
            ip_address_type="ipv4",
            subnets=list(subnet_ids),
            enable_cross_zone_load_balancing=True,
            opts=self._named(),
        )

    def _target_group(self, key: TargetGroupKey, listener: Listener) -> aws.lb.TargetGroup:
        health_check = aws.lb.TargetGroupHealthCheckArgs(
            enabled=True,
            protocol="HTTPS",
            path=listener.health_check_path,
            port=str(listener.port),
            interval=HEALTH_CHECK_INTERVAL,
            healthy_threshold=HEALTH_CHECK_THRESHOLD,
            unhealthy_threshold=HEALTH_CHECK_THRESHOLD,
        )
        return aws.lb.TargetGroup(
            f"{self._name}-{key}",
            name=f"{self._args.infra_id}-{key}",
            port=listener.port,
            protocol="TCP",
            target_type="ip",
            vpc_id=self._args.vpc_id,
            deregistration_delay=DEREGISTRATION_DELAY,
            health_check=health_check,
            opts=self._named(),
        )

    def _listener(self, key: TargetGroupKey, listener: Listener) -> None:
        forward = aws.lb.ListenerDefaultActionArgs(type="forward", target_group_arn=self.target_groups[key].arn)
        aws.lb.Listener(
            f"{self._name}-{key}",
            load_balancer_arn=self.load_balancers[listener.load_balancer].arn,
            port=listener.port,
            protocol="TCP",
            default_actions=[forward],
            opts=pulumi.ResourceOptions(parent=self),
        )
