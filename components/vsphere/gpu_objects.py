"""What NVIDIA AI Enterprise's GPU operator needs in a TKG cluster, as plain dicts and values.

NVIDIA's procedure for vSphere with Tanzu: the namespace `gpu-operator`, privileged for Pod Security
(TKRs from v1.26 enforce it, and the driver, toolkit and device plugin DaemonSets are privileged);
the NLS licence (gridd.conf and client_configuration_token.tok, exactly that file name) the vGPU
guest driver reads; the image pull secret `ngc-secret` for nvcr.io/nvaie, whose name the NVAIE
chart's defaults use; then the chart nvaie/gpu-operator from NGC's authenticated repository.
Charts from v25.10.0 read the licence from a Secret (`driver.licensingConfig.secretName`); older
ones only from a ConfigMap (`configMapName`, deprecated since). NVIDIA rotates a licence by a new
object under a new name; the name here ends in a digest of the licence's content (as kustomize's
generators name theirs), so a new token is a new object and the chart's values change with it.
"""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

from components.naming import MANAGED_BY

CHART_REPOSITORY = "https://helm.ngc.nvidia.com/nvaie"
CHART_NAME = "gpu-operator"
RELEASE_NAME = "gpu-operator"
REGISTRY = "nvcr.io"
NGC_USER = "$oauthtoken"  # NGC's fixed user name for API-key logins
PULL_SECRET = "ngc-secret"
LICENSING = "licensing-config"
TOKEN_FILE = "client_configuration_token.tok"
GRIDD_FILE = "gridd.conf"
SECRET_LICENSING_SINCE = (25, 10, 0)
PRIVILEGED = {f"pod-security.kubernetes.io/{mode}": "privileged" for mode in ("enforce", "audit", "warn")}


def licensing_in_secret(chart_version: str) -> bool:
    """Whether the chart reads the licence from a Secret (v25.10.0 and later)."""
    parts = tuple(int(p) for p in chart_version.removeprefix("v").split("."))
    return parts >= SECRET_LICENSING_SINCE


def namespace(name: str) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {**MANAGED_BY, **PRIVILEGED}},
    }


def licensing_name(gridd_conf: str, token: str) -> str:
    """`licensing-config-<8 hex digits of the content's sha256>`."""
    digest = hashlib.sha256(json.dumps(licensing_data(gridd_conf, token), sort_keys=True).encode()).hexdigest()
    return f"{LICENSING}-{digest[:8]}"


def licensing_data(gridd_conf: str, token: str) -> dict[str, str]:
    """The two files of the licence, by the names the driver container mounts them as."""
    return {GRIDD_FILE: gridd_conf, TOKEN_FILE: token}


def docker_config_json(api_key: str) -> str:
    """`.dockerconfigjson` of the pull secret for nvcr.io."""
    auth = base64.b64encode(f"{NGC_USER}:{api_key}".encode()).decode()
    return json.dumps({"auths": {REGISTRY: {"username": NGC_USER, "password": api_key, "auth": auth}}}, sort_keys=True)


def chart_values(chart_version: str, licensing: str) -> dict[str, Any]:
    """Our values over the NVAIE chart's defaults (which already point at the NVAIE vGPU driver);
    `licensing` names the licence's Secret (or ConfigMap)."""
    key = "secretName" if licensing_in_secret(chart_version) else "configMapName"
    return {"driver": {"licensingConfig": {key: licensing, "nlsEnabled": True}}}
