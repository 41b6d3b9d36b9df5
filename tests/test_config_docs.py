"""docs/configuration.md's config table documents every key the config models accept."""

from __future__ import annotations

from pydantic import BaseModel

from components.config.models import KeyPairConfig, ManagementClusterConfig, NetworkConfig
from components.tkg.config import GpuConfig, IamConfig, IdentityConfig, WorkloadAccountConfig
from tests.conftest import REPO

SECTIONS: dict[str, type[BaseModel]] = {
    "network": NetworkConfig,
    "iam": IamConfig,
    "keyPair": KeyPairConfig,
    "managementCluster": ManagementClusterConfig,
    "gpu": GpuConfig,
}


def config_section() -> str:
    text = (REPO / "docs" / "configuration.md").read_text()
    return text.split("\n## ", 1)[0]


def aliases(model: type[BaseModel]) -> list[str]:
    return [field.alias or name for name, field in model.model_fields.items()]


def test_every_section_key_has_a_row() -> None:
    table = config_section()
    missing = [
        f"{section}.{alias}"
        for section, model in SECTIONS.items()
        for alias in aliases(model)
        if f"| `{section}.{alias}" not in table
    ]
    assert missing == []


def test_every_workload_account_and_identity_key_is_named() -> None:
    rows = [line for line in config_section().splitlines() if line.startswith("| `workloadAccounts[]")]
    text = "\n".join(rows)
    missing = [a for a in aliases(WorkloadAccountConfig) + aliases(IdentityConfig) if a not in text]
    assert missing == []
