"""Regenerate components/config/data/instance_types.json, the EC2 instance catalog.

Two maintained sources, both installed with the test toolchain:
- names: the `InstanceType` enum of botocore's EC2 service model (what the EC2 API accepts);
- specs (vCPUs, memory, architectures, GPUs, burstable): moto's `ec2/resources/instance_types.json.gz`,
  recorded from EC2's DescribeInstanceTypes. Names the API knows without a recorded spec (retired
  generations, the newest sizes) are kept as names only.

`python -m tools.generate.instance_catalog` rewrites the file; tests/config/test_instance_types.py fails when the
file no longer matches what the installed botocore and moto give, so an upgrade of either shows up
as a reviewed data diff.
"""

from __future__ import annotations

import gzip
import json
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

CATALOG = Path(__file__).resolve().parents[2] / "components" / "config" / "data" / "instance_types.json"
# Architectures a Linux node can run; moto also records the mac* and i386 variants.
LINUX_ARCHITECTURES = ("arm64", "x86_64")


def botocore_names() -> list[str]:
    import botocore.session
    from botocore.model import StringShape

    shape = botocore.session.get_session().get_service_model("ec2").shape_for("InstanceType")
    assert isinstance(shape, StringShape)  # an enum of strings in every EC2 model
    return sorted(shape.enum)


def moto_specs() -> dict[str, dict[str, Any]]:
    import moto

    path = Path(moto.__file__).parent / "ec2" / "resources" / "instance_types.json.gz"
    with gzip.open(path, "rt") as file:
        specs: dict[str, dict[str, Any]] = json.load(file)
    return specs


def spec_row(described: dict[str, Any]) -> list[Any]:
    """[vcpus, memory MiB, architectures, GPU count, GPU manufacturer, burstable] of one type."""
    architectures = described.get("ProcessorInfo", {}).get("SupportedArchitectures", [])
    gpus = described.get("GpuInfo", {}).get("Gpus", [])
    return [
        described["VCpuInfo"]["DefaultVCpus"],
        described["MemoryInfo"]["SizeInMiB"],
        sorted(a for a in architectures if a in LINUX_ARCHITECTURES),
        sum(gpu.get("Count", 0) for gpu in gpus),
        gpus[0].get("Manufacturer") if gpus else None,
        bool(described.get("BurstablePerformanceSupported")),
    ]


def catalog() -> dict[str, Any]:
    specs = moto_specs()
    return {
        "source": (
            f"names: botocore {version('botocore')} EC2 service model, shape InstanceType; specs: moto "
            f"{version('moto')} ec2/resources/instance_types.json.gz (recorded from EC2 DescribeInstanceTypes)"
        ),
        "columns": ["vcpus", "memoryMiB", "architectures", "gpus", "gpuManufacturer", "burstable"],
        "types": {name: spec_row(specs[name]) if name in specs else None for name in botocore_names()},
    }


def render(data: dict[str, Any]) -> str:
    """One type a line, so an upgrade's diff reads type by type."""
    rows = ",\n".join(f"    {json.dumps(name)}: {json.dumps(row)}" for name, row in data["types"].items())
    head = json.dumps({k: v for k, v in data.items() if k != "types"}, indent=2)[:-2]
    return f'{head},\n  "types": {{\n{rows}\n  }}\n}}\n'


def main() -> int:
    CATALOG.write_text(render(catalog()))
    print(f"wrote {CATALOG}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
