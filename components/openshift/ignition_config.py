"""Ignition documents and the install-config fragment of an OpenShift UPI cluster, as plain dicts.

The bootstrap machine's user data is template 04's pointer: replace the whole config with the one
in S3 (bootstrap.ign is too large for EC2 user data and holds secrets). The control-plane and
compute machines take `master.ign` and `worker.ign` as openshift-install writes them: pointers to
the machine-config server on api-int:22623 with the cluster's root CA. The install-config fragment
holds what `install-config.yaml` needs from this stack; pull secret and SSH key stay the user's.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

IGNITION_VERSION = "3.1.0"  # what templates 04 and 05 write; RHCOS reads every 3.x


def bootstrap_pointer(location: str) -> dict[str, Any]:
    return {"ignition": {"config": {"replace": {"source": location}}, "version": IGNITION_VERSION}}


def install_config(
    *,
    cluster_name: str,
    base_domain: str,
    region: str,
    machine_network: str,
    subnet_ids: Sequence[Any],
    private_zone_id: Any,
    public: bool,
    control_plane_zones: Sequence[str],
    compute_zones: Sequence[str],
) -> dict[str, Any]:
    """The keys of install-config.yaml this stack decides; values may be Outputs."""
    return {
        "apiVersion": "v1",
        "baseDomain": base_domain,
        "metadata": {"name": cluster_name},
        "publish": "External" if public else "Internal",
        "networking": {"machineNetwork": [{"cidr": machine_network}]},
        "platform": {"aws": {"region": region, "subnets": list(subnet_ids), "hostedZone": private_zone_id}},
        # The machines are this stack's: openshift-install creates none (UPI).
        "controlPlane": {"name": "master", "replicas": 3, "platform": {"aws": {"zones": list(control_plane_zones)}}},
        "compute": [{"name": "worker", "replicas": 0, "platform": {"aws": {"zones": list(compute_zones)}}}],
    }
