"""The EC2 instance catalog every platform checks its instance types against.

`data/instance_types.json` holds every type name the EC2 API accepts (botocore's EC2 model) and,
for most, what DescribeInstanceTypes reports of it (moto's recording): vCPUs, memory, the Linux
architectures, NVIDIA/AMD GPUs, burstable. Retired generations and the newest sizes may be names
only: `lookup` returns None for them, and a platform with minimums decides what that means.
`python -m tools.generate.instance_catalog` regenerates the file from the installed packages.
"""

from __future__ import annotations

import difflib
import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

CATALOG = Path(__file__).resolve().parent / "data" / "instance_types.json"


@dataclass(frozen=True)
class InstanceType:
    name: str
    vcpus: int
    memory_mib: int
    architectures: tuple[str, ...]
    """Linux architectures the type runs: "x86_64", "arm64"."""
    gpus: int
    gpu_manufacturer: str | None
    burstable: bool

    @property
    def family(self) -> str:
        return family_of(self.name)

    @property
    def memory_gib(self) -> float:
        return self.memory_mib / 1024

    @property
    def nvidia_gpus(self) -> int:
        return self.gpus if self.gpu_manufacturer == "NVIDIA" else 0


@cache
def _rows() -> dict[str, list[Any] | None]:
    """Each type's row (vCPUs, memory, architectures, GPUs, GPU manufacturer, burstable), None for a name only."""
    rows: dict[str, list[Any] | None] = json.loads(CATALOG.read_text())["types"]
    return rows


def source() -> str:
    """Where the catalog comes from, for messages and the README."""
    text: str = json.loads(CATALOG.read_text())["source"]
    return text


def family_of(name: str) -> str:
    return name.partition(".")[0]


def exists(name: str) -> bool:
    """Whether the EC2 API knows `name` (case matters: EC2 refuses `M5.large`)."""
    return name in _rows()


@cache
def lookup(name: str) -> InstanceType | None:
    """The type's specs, or None when it does not exist or only its name is recorded."""
    row = _rows().get(name)
    if row is None:
        return None
    vcpus, memory_mib, architectures, gpus, gpu_manufacturer, burstable = row
    return InstanceType(name, vcpus, memory_mib, tuple(architectures), gpus, gpu_manufacturer, burstable)


def suggest(name: str, count: int = 3) -> list[str]:
    """The closest existing names, for a 'did you mean' in a message."""
    return difflib.get_close_matches(name.lower(), _rows(), n=count, cutoff=0.75)


def unknown_message(name: str) -> str:
    """'not an EC2 instance type' with the nearest names, for a config error."""
    close = suggest(name)
    hint = f"; did you mean {' or '.join(close)}?" if close else " (names as in `aws ec2 describe-instance-types`)"
    return f"not an EC2 instance type{hint}"
