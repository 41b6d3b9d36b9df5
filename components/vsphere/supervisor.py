"""Supervisor: Workload Management enabled by the stack (SupervisorV2), only behind an explicit switch.

Every SupervisorV2 input forces a replacement, and replacing a Supervisor disables it: every
namespace and cluster on it is deleted. So the Supervisor is protected, its inputs are passed once
as the user wrote them (engine names, checked by rules.py), and most stacks use an existing
Supervisor by its ID instead. Its id is the Supervisor ID the namespaces need.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_vsphere as vsphere

_CAMEL = re.compile(r"(?<!^)(?=[A-Z])")


@dataclass(frozen=True, kw_only=True)
class SupervisorArgs:
    spec: dict[str, Any]
    """SupervisorV2 inputs by engine name (name, cluster or zones, controlPlane, workloads)."""


class Supervisor(pulumi.ComponentResource):
    TYPE_TOKEN = "tkg-aws:vsphere:Supervisor"

    supervisor_id: pulumi.Output[str]

    def __init__(self, name: str, args: SupervisorArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        supervisor = vsphere.SupervisorV2(
            name,
            **{python_name(key): snake_keys(value) for key, value in args.spec.items()},
            opts=pulumi.ResourceOptions(parent=self, protect=True),
        )
        self.supervisor_id = supervisor.id
        self.register_outputs({"supervisorId": self.supervisor_id})


def python_name(key: str) -> str:
    return _CAMEL.sub("_", key).lower()


def snake_keys(value: Any) -> Any:
    """Nested engine-named maps as the SDK's input dicts take them."""
    if isinstance(value, dict):
        return {python_name(k): snake_keys(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_keys(v) for v in value]
    return value
