"""The port matrix of an OpenShift UPI cluster's security groups, as plain rules.

Control plane (`master`) and compute (`worker`) follow 03_cluster_security.yaml of OCP 4.22 rule for
rule: SSH, ICMP, the API (6443) and the machine-config server (22623) from the machine network,
etcd between control-plane machines, and between all machines the overlay (VXLAN, Geneve), IPsec
(IKE, NAT-T, ESP), the 9000-9999 host-level services, the kubelet and control-plane ranges and the
node ports. The bootstrap group (04_cluster_bootstrap.yaml) takes SSH and the journal gateway from
the given sources only. ICMP is every type (the template's type 0 alone lets no ping nor path-MTU
discovery through). Each rule becomes one rule resource, so changing one rule changes one resource.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

Group = Literal["master", "worker", "bootstrap"]
Protocol = Literal["tcp", "udp", "icmp", "50"]

ESP: Final = "50"  # IP protocol 50, no ports
SSH, API, MACHINE_CONFIG, JOURNAL_GATEWAY = 22, 6443, 22623, 19531
# AWS's default quota of inbound (and of outbound) rules per security group (L-0EA8095F).
RULES_PER_GROUP_QUOTA = 60


@dataclass(frozen=True)
class Rule:
    """One inbound rule: to `group`, from a CIDR or from another of the cluster's groups."""

    group: Group
    key: str
    """Stable name of the rule inside its group, e.g. `vxlan-from-worker`."""
    description: str
    protocol: Protocol
    from_port: int | None = None
    to_port: int | None = None
    cidr: str | None = None
    source_group: Group | None = None


@dataclass(frozen=True)
class Service:
    key: str
    description: str
    protocol: Protocol
    from_port: int | None = None
    to_port: int | None = None


ICMP = Service("icmp", "ICMP", "icmp", -1, -1)
FROM_MACHINE_NETWORK: dict[Group, tuple[Service, ...]] = {
    "master": (
        ICMP,
        Service("ssh", "SSH", "tcp", SSH, SSH),
        Service("api", "Kubernetes API", "tcp", API, API),
        Service("machine-config", "Machine config server", "tcp", MACHINE_CONFIG, MACHINE_CONFIG),
    ),
    "worker": (ICMP, Service("ssh", "SSH", "tcp", SSH, SSH)),
}
ETCD = Service("etcd", "etcd", "tcp", 2379, 2380)
BETWEEN_MACHINES = (
    Service("vxlan", "VXLAN", "udp", 4789, 4789),
    Service("geneve", "Geneve", "udp", 6081, 6081),
    Service("ike", "IPsec IKE", "udp", 500, 500),
    Service("ike-nat-t", "IPsec NAT-T", "udp", 4500, 4500),
    Service("esp", "IPsec ESP", ESP),
    Service("internal-tcp", "Internal cluster communication", "tcp", 9000, 9999),
    Service("internal-udp", "Internal cluster communication", "udp", 9000, 9999),
    Service("kube", "Kubernetes kubelet, scheduler and controller manager", "tcp", 10250, 10259),
    Service("node-ports-tcp", "Kubernetes node ports", "tcp", 30000, 32767),
    Service("node-ports-udp", "Kubernetes node ports", "udp", 30000, 32767),
)
# Compute machines run no scheduler or controller manager: the kubelet's port only.
WORKER_KUBE = Service("kube", "Kubernetes kubelet", "tcp", 10250, 10250)


def cluster_rules(machine_network: str) -> list[Rule]:
    """Every inbound rule of the control-plane and compute groups."""
    rules = [_rule(g, s, cidr=machine_network) for g, services in FROM_MACHINE_NETWORK.items() for s in services]
    rules.append(_rule("master", ETCD, source_group="master"))
    for group in ("master", "worker"):
        for service in BETWEEN_MACHINES:
            if group == "worker" and service.key == "kube":
                service = WORKER_KUBE
            rules += [_rule(group, service, source_group=source) for source in ("master", "worker")]
    return rules


def bootstrap_rules(allowed_cidrs: list[str]) -> list[Rule]:
    """SSH and the journal gateway (openshift-install gather bootstrap) from `allowed_cidrs`."""
    services = (
        Service("ssh", "SSH", "tcp", SSH, SSH),
        Service("journal-gateway", "systemd journal gateway", "tcp", JOURNAL_GATEWAY, JOURNAL_GATEWAY),
    )
    return [_rule("bootstrap", s, cidr=cidr) for s in services for cidr in allowed_cidrs]


def _rule(group: Group, service: Service, *, cidr: str | None = None, source_group: Group | None = None) -> Rule:
    # Keyed by source, never by list position: reordering sources touches no rule.
    source = source_group or str(cidr).replace("/", "-")
    description = f"{service.description} from {source_group or cidr}"
    key = f"{service.key}-from-{source}"
    return Rule(group, key, description, service.protocol, service.from_port, service.to_port, cidr, source_group)


def inbound_rules_per_group(rules: list[Rule]) -> dict[Group, int]:
    counts: dict[Group, int] = {}
    for rule in rules:
        counts[rule.group] = counts.get(rule.group, 0) + 1
    return counts
