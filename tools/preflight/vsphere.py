"""Preflight of the vSphere platform: read vCenter before the first `pulumi up`, change nothing.

    VSPHERE_PASSWORD=... python -m tools.preflight.vsphere STACK [--config-file FILE] [--json]

Reads vCenter's REST API (a session from vsphere:vsphereServer / vsphere:user, or VSPHERE_SERVER /
VSPHERE_USER, and VSPHERE_PASSWORD: a stack's secret password cannot be read without the Pulumi CLI)
with GETs only, and checks what the stack assumes but cannot create:
  - the Supervisor of vsphere.supervisor.id exists and is running
  - the VM classes the namespaces bind but the stack does not create exist; the ones it creates do not
    exist yet (pulumi-vsphere cannot import them)
  - the namespaces the stack creates do not exist yet
  - every storage policy id exists
  - the TKR content library (vsphere.supervisor.tkrContentLibrary) exists
Anything that could not be read is a failure: nothing is assumed. Exit codes as tools/preflight/command.py.
Not yet run against govmomi's vcsim: the paths and shapes follow the vSphere 8 Automation API.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import ssl
import sys
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from components.config.base import ConfigError
from components.config.stack_files import StackFileError
from components.vsphere.config import VsphereConfig
from tools.plan.command import plan_stack
from tools.preflight.report import FAIL, OK, WARN, Row, as_json, table, verdict

SUPERVISORS = "/api/vcenter/namespace-management/supervisors/summaries"
VM_CLASSES = "/api/vcenter/namespace-management/virtual-machine-classes"
NAMESPACES = "/api/vcenter/namespaces/instances"
STORAGE_POLICIES = "/api/vcenter/storage/policies"
LIBRARIES = "/api/content/library"
WHERE = "vcenter"
TIMEOUT_SECONDS = 30
Get = Callable[[str], Any]


def vsphere_rows(section: VsphereConfig, get: Get) -> list[Row]:
    checks = (supervisor, vm_classes, namespaces, storage_policies, tkr_library)
    rows: list[Row] = []
    for check in checks:
        try:
            rows += check(section, get)
        except Exception as err:
            rows.append(
                Row(WHERE, check.__name__.replace("_", " "), FAIL, f"could not check: {err}", "check it by hand")
            )
    return rows


def _items(value: Any) -> list[dict[str, Any]]:
    return value.get("items", []) if isinstance(value, dict) else list(value)


def supervisor(section: VsphereConfig, get: Get) -> list[Row]:
    wanted = section.supervisor.id
    if wanted is None:
        return [Row(WHERE, "supervisor", OK, "created by the stack (create.enabled)")]
    found = {s.get("supervisor"): s.get("info", {}) for s in _items(get(SUPERVISORS))}
    if wanted not in found:
        return [
            Row(
                WHERE,
                "supervisor",
                FAIL,
                f"no Supervisor {wanted}; vCenter has {sorted(found, key=str)}",
                "set vsphere.supervisor.id",
            )
        ]
    status = found[wanted].get("config_status", "?")
    if status != "RUNNING":
        return [Row(WHERE, "supervisor", WARN, f"{wanted} is {status}", "wait until Workload Management shows Running")]
    return [Row(WHERE, "supervisor", OK, f"{wanted} ({found[wanted].get('name', '')}) is RUNNING")]


def vm_classes(section: VsphereConfig, get: Get) -> list[Row]:
    existing = {c.get("id") for c in _items(get(VM_CLASSES))}
    created = {c.name for c in section.vm_classes}
    bound = {c for n in section.namespaces for c in n.vm_classes}
    rows = [
        Row(
            WHERE,
            f"VM class {name}",
            FAIL,
            "exists already: the stack cannot create it",
            "rename it in vsphere.vmClasses",
        )
        for name in sorted(created & existing)
    ]
    rows += [
        Row(
            WHERE,
            f"VM class {name}",
            FAIL,
            "bound by a namespace but not in vCenter",
            "create it, or add it to vsphere.vmClasses",
        )
        for name in sorted(bound - created - existing)
    ]
    return rows or [Row(WHERE, "VM classes", OK, f"{len(created)} to create, {len(bound - created)} found")]


def namespaces(section: VsphereConfig, get: Get) -> list[Row]:
    existing = {n.get("namespace") for n in _items(get(NAMESPACES))}
    clashes = sorted({n.name for n in section.namespaces} & existing)
    if clashes:
        return [Row(WHERE, "namespaces", FAIL, f"exist already: {', '.join(clashes)}", "choose other names")]
    return [Row(WHERE, "namespaces", OK, f"{len(section.namespaces)} names free")]


def storage_policies(section: VsphereConfig, get: Get) -> list[Row]:
    existing = {p.get("policy") for p in _items(get(STORAGE_POLICIES))}
    missing = sorted({p.id for n in section.namespaces for p in n.storage_policies} - existing)
    if missing:
        return [Row(WHERE, "storage policies", FAIL, f"no policy {', '.join(missing)}", "use the ids vCenter lists")]
    return [Row(WHERE, "storage policies", OK, "every policy id exists")]


def tkr_library(section: VsphereConfig, get: Get) -> list[Row]:
    name = section.supervisor.tkr_content_library
    if name is None:
        return [Row(WHERE, "TKR library", WARN, "not named", "set vsphere.supervisor.tkrContentLibrary")]
    names = {get(f"{LIBRARIES}/{library_id}").get("name") for library_id in _items(get(LIBRARIES))}
    if name not in names:
        return [Row(WHERE, "TKR library", FAIL, f"no content library {name!r}", "subscribe one to VMware's TKR feed")]
    return [Row(WHERE, "TKR library", OK, f"{name} exists; `kubectl get tkr` shows what it serves")]


def rest_client(server: str, user: str, password: str, verify: bool = True) -> Get:
    """GETs against vCenter's REST API with one session (POST /api/session is the only non-GET)."""
    context = ssl.create_default_context() if verify else ssl._create_unverified_context()
    basic = base64.b64encode(f"{user}:{password}".encode()).decode()
    login = urllib.request.Request(
        f"https://{server}/api/session", method="POST", headers={"Authorization": f"Basic {basic}"}
    )
    with urllib.request.urlopen(login, timeout=TIMEOUT_SECONDS, context=context) as response:
        session = json.loads(response.read())

    def get(path: str) -> Any:
        request = urllib.request.Request(f"https://{server}{path}", headers={"vmware-api-session-id": session})
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS, context=context) as response:
            return json.loads(response.read())

    return get


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.preflight.vsphere", description=__doc__.split("\n")[0])
    parser.add_argument("stack")
    parser.add_argument("--config-file", type=Path)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        run = plan_stack(args.stack, args.config_file)
    except (StackFileError, ConfigError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if run.config.vsphere is None:
        print("error: the stack has no tkg-aws:vsphere section", file=sys.stderr)
        return 2
    settings = run.config.vsphere_settings
    server = settings.vsphere_server or os.environ.get("VSPHERE_SERVER", "")
    user = settings.user or os.environ.get("VSPHERE_USER", "")
    password = os.environ.get("VSPHERE_PASSWORD", "")
    if not (server and user and password):
        print(
            "error: set vsphere:vsphereServer and vsphere:user (or VSPHERE_SERVER, VSPHERE_USER) and VSPHERE_PASSWORD",
            file=sys.stderr,
        )
        return 2
    try:
        get = rest_client(server, user, password, verify=not settings.allow_unverified_ssl)
    except Exception as err:
        rows = [
            Row(WHERE, "session", FAIL, f"could not log in to {server}: {err}", "check the address and credentials")
        ]
    else:
        rows = vsphere_rows(run.config.vsphere, get)
    print(as_json(rows) if args.json else f"{table(rows)}\n{verdict(rows)}")
    return 1 if any(r.status == FAIL for r in rows) else 0


if __name__ == "__main__":
    sys.exit(main())
