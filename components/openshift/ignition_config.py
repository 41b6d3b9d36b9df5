"""Ignition documents and the install-config part of an OpenShift UPI cluster, as plain dicts.

The bootstrap machine's user data is template 04's pointer: replace the whole config with the one
in S3 (bootstrap.ign is too large for EC2 user data and holds secrets), verified by its SHA-512, so
the machine boots nothing but the file this stack uploaded, and fetched through the cluster's proxy
when there is one. The control-plane and compute machines take `master.ign` and `worker.ign` as
openshift-install writes them: pointers to the machine-config server on api-int:22623.

The install-config part is the first step of the install order, so it holds what the config
alone decides, never an id of what this stack creates: openshift-install looks up every subnet and
hosted zone install-config.yaml lists, and finds the private zone by its tags instead. A UPI
cluster lists no subnets: its machines are the stack's, and the cluster finds its subnets by their
`kubernetes.io/cluster/<infraId>` tags. Pull secret and SSH key stay the user's
(tools/deploy/openshift_install_config.py adds them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from components.openshift.config import CONTROL_PLANE_REPLICAS, ComputeConfig, ControlPlaneConfig, OpenShiftConfig

IGNITION_VERSION = "3.1.0"  # what templates 04 and 05 write; RHCOS reads every 3.x; 3.1 has proxy and sha512


def file_sha512(path: Path) -> str:
    """Ignition's form of a content hash: `sha512-<hex>`."""
    return "sha512-" + hashlib.sha512(path.read_bytes()).hexdigest()


def bootstrap_pointer(
    location: str, content_hash: str | None = None, proxy: dict[str, Any] | None = None
) -> dict[str, Any]:
    source: dict[str, Any] = {"source": location}
    if content_hash is not None:
        source["verification"] = {"hash": content_hash}
    ignition: dict[str, Any] = {"config": {"replace": source}, "version": IGNITION_VERSION}
    if proxy:
        ignition["proxy"] = proxy
    return {"ignition": ignition}


def ignition_proxy(openshift: OpenShiftConfig) -> dict[str, Any] | None:
    """Ignition's `proxy` (spec 3.1) from openshift.proxy."""
    proxy = openshift.proxy
    if proxy is None:
        return None
    found = {"httpProxy": proxy.http_proxy, "httpsProxy": proxy.https_proxy, "noProxy": list(proxy.no_proxy)}
    return {k: v for k, v in found.items() if v}


def install_config(
    openshift: OpenShiftConfig, region: str, machine_network: str, private_azs: Sequence[str]
) -> dict[str, Any]:
    """install-config.yaml without pullSecret and sshKey, from the config alone.

    `machine_network`: openshift.machineNetwork or network.cidr; `private_azs`: the AZs with
    private subnets (the stack's, or the existing VPC's), where compute machines go by default.
    """
    platform: dict[str, Any] = {"region": region}
    if openshift.rhcos_ami is not None:
        platform["amiID"] = openshift.rhcos_ami
    workers = openshift.compute.replicas or {az: 1 for az in private_azs}
    document: dict[str, Any] = {
        "apiVersion": "v1",
        "baseDomain": openshift.base_domain,
        "metadata": {"name": openshift.cluster_name},
        "publish": "External" if openshift.public_hosted_zone_id is not None else "Internal",
        "networking": {"machineNetwork": [{"cidr": machine_network}]},
        "platform": {"aws": platform},
        "controlPlane": {
            "name": "master",
            "replicas": CONTROL_PLANE_REPLICAS,
            "platform": {"aws": _pool(openshift.control_plane, openshift.control_plane_azs(list(private_azs)))},
        },
        # The workers this stack creates: with none, OpenShift makes the control plane schedulable.
        "compute": [
            {
                "name": "worker",
                "replicas": sum(workers.values()),
                "platform": {"aws": _pool(openshift.compute, sorted(az for az, n in workers.items() if n))},
            }
        ],
    }
    if openshift.proxy is not None:
        proxy = openshift.proxy
        given = {"httpProxy": proxy.http_proxy, "httpsProxy": proxy.https_proxy, "noProxy": ",".join(proxy.no_proxy)}
        document["proxy"] = {k: v for k, v in given.items() if v}
    if openshift.image_digest_sources:
        document["imageDigestSources"] = [
            {"source": s.source, "mirrors": list(s.mirrors)} for s in openshift.image_digest_sources
        ]
    return document


def _pool(pool: ControlPlaneConfig | ComputeConfig, zones: Sequence[str]) -> dict[str, Any]:
    volume: dict[str, Any] = {"size": pool.root_volume_size, "type": pool.root_volume_type}
    if pool.root_volume_iops is not None:
        volume["iops"] = pool.root_volume_iops
    return {"type": pool.instance_type, "zones": sorted(set(zones)), "rootVolume": volume}
