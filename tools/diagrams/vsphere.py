"""The vSphere diagram of an offline plan: Supervisor, vSphere Namespaces, the VM classes each binds,
and the TKG clusters in each namespace with their node pools and the classes they run on.

Drawn from the plan document only (resources.json), like the trust and network diagrams.
Standard library only, like tools/review/plan_diff.py, which imports it through tools/diagrams/markdown.py.
"""

from __future__ import annotations

from typing import Any

from tools.diagrams.document import Plan, inputs
from tools.diagrams.graph import Graph

VM_CLASS = "vsphere:index/virtualMachineClass:VirtualMachineClass"
NAMESPACE = "vsphere:index/namespace:Namespace"
SUPERVISOR = "vsphere:index/supervisorV2:SupervisorV2"
CLUSTER = "kubernetes:cluster.x-k8s.io/v1beta1:Cluster"
TKC = "kubernetes:run.tanzu.vmware.com/v1alpha3:TanzuKubernetesCluster"


def vsphere_graph(plan: Plan) -> Graph:
    graph = Graph()
    namespaces = plan.of_type(NAMESPACE)
    if not namespaces:
        return graph
    gpu_classes = {inputs(r).get("name") for r in plan.of_type(VM_CLASS) if inputs(r).get("vgpuDevices")}
    created = plan.of_type(SUPERVISOR)
    supervisor = str(inputs(namespaces[0]).get("supervisor", "?"))
    graph.add_node("supervisor", ("Supervisor", "created by the stack" if created else supervisor), "hexagon")
    for ns in namespaces:
        name = str(inputs(ns).get("name"))
        group = graph.add_group(f"ns:{name}", f"vSphere Namespace {name}")
        classes = [c for s in inputs(ns).get("vmServices") or [] for c in s.get("vmClasses") or []]
        graph.add_node(f"ns:{name}:classes", ("VM classes", *(_class(c, gpu_classes) for c in classes)), "round", group)
        graph.add_edge("supervisor", f"ns:{name}:classes", ("namespace",), "link")
    for resource in plan.of_type(CLUSTER, TKC):
        _cluster(graph, inputs(resource), gpu_classes)
    return graph


def _cluster(graph: Graph, document: dict[str, Any], gpu_classes: set[Any]) -> None:
    meta = document.get("metadata") or {}
    name, namespace = meta.get("name", "?"), meta.get("namespace", "?")
    spec = document.get("spec") or {}
    topology = spec.get("topology") or {}
    group = f"ns:{namespace}"
    key = f"cluster:{namespace}/{name}"
    if document.get("kind") == "TanzuKubernetesCluster":
        version = ((topology.get("controlPlane") or {}).get("tkr") or {}).get("reference", {}).get("name", "?")
        pools = [(p.get("name"), p.get("replicas"), p.get("vmClass")) for p in topology.get("nodePools") or []]
        kind = "TanzuKubernetesCluster"
    else:
        version = topology.get("version", "?")
        default = next((v.get("value") for v in topology.get("variables") or [] if v.get("name") == "vmClass"), "?")
        pools = [
            (d.get("name"), d.get("replicas"), _override(d, "vmClass") or default)
            for d in (topology.get("workers") or {}).get("machineDeployments") or []
        ]
        kind = f"Cluster on {topology.get('class', '?')}"
    graph.add_node(key, (name, kind, str(version)), "box", group)
    graph.add_edge(f"ns:{namespace}:classes", key, ("classes",), "dashed")
    for pool, replicas, vm_class in pools:
        graph.add_node(f"{key}:{pool}", (f"{pool} × {replicas}", _class(vm_class, gpu_classes)), "stadium", group)
        graph.add_edge(key, f"{key}:{pool}")


def _override(deployment: dict[str, Any], name: str) -> Any:
    overrides = (deployment.get("variables") or {}).get("overrides") or []
    return next((o.get("value") for o in overrides if o.get("name") == name), None)


def _class(name: Any, gpu_classes: set[Any]) -> str:
    return f"{name} (vGPU)" if name in gpu_classes else str(name)
