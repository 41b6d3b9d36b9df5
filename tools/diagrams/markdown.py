"""diagram.md of an offline plan: who can assume what, and where the network runs, as Mermaid.

    python -m tools.plan STACK        writes build/plan/STACK/diagram.md beside resources.json

Two flowcharts drawn from the plan document itself (tools/diagrams/trust.py, tools/diagrams/network.py),
never by hand: GitHub renders them in READMEs, pull requests and job summaries. The plan diff shows
both sides of a diagram that changed (`diagram_changes`). Identical plans give identical text.
Standard library only, like tools/review/plan_diff.py, which imports it.
"""

from __future__ import annotations

from typing import Any

from tools.diagrams.document import Plan
from tools.diagrams.graph import mermaid
from tools.diagrams.network import network_graph
from tools.diagrams.trust import MAX_WORKLOAD_ACCOUNTS, trust_graph
from tools.diagrams.vsphere import vsphere_graph

TRUST_LEGEND = (
    "Solid arrow: the role's trust policy lets the principal in (label: actions and conditions). "
    "Dashed: the principal's own policy grants sts:AssumeRole. Thick: the stack's providers assume "
    "the role to deploy. An account root stands for whoever that account's IAM policies allow."
)
NETWORK_LEGEND = (
    "Each subnet points at its route table, each route table at where its routes go; "
    "NAT gateways point at the public subnet whose routes they leave by."
)

VSPHERE_LEGEND = (
    "Each vSphere Namespace lists the VM classes bound to it; its clusters (dashed: they may use only "
    "those classes) point at their node pools, each with its count and class."
)


def trust_mermaid(document: dict[str, Any]) -> tuple[str, list[str]]:
    """The trust flowchart, and the accounts drawn on behalf of others."""
    graph, stands_for = trust_graph(Plan(document))
    return (mermaid(graph) if graph.nodes else ""), stands_for


def network_mermaid(document: dict[str, Any]) -> str:
    graph = network_graph(Plan(document))
    return mermaid(graph) if graph.nodes else ""


def vsphere_mermaid(document: dict[str, Any]) -> str:
    graph = vsphere_graph(Plan(document))
    return mermaid(graph) if graph.nodes else ""


def markdown(document: dict[str, Any]) -> str:
    """diagram.md: both diagrams of one plan, with a heading naming the stack."""
    stack = Plan(document).stack or "?"
    trust, stands_for = trust_mermaid(document)
    lines = [f"### Trust: stack {stack}", "", TRUST_LEGEND, "", *_fenced(trust, "No IAM roles in this plan.")]
    if stands_for:
        lines += ["", f"Beyond {MAX_WORKLOAD_ACCOUNTS} workload accounts, accounts alike are drawn once:", ""]
        lines += [f"- {line}" for line in stands_for]
    network = network_mermaid(document)
    lines += ["", f"### Network: stack {stack}", "", NETWORK_LEGEND, "", *_fenced(network, "No network in this plan.")]
    vsphere = vsphere_mermaid(document)
    if vsphere:  # only stacks with the vSphere platform get its diagram
        lines += ["", f"### vSphere: stack {stack}", "", VSPHERE_LEGEND, "", *_fenced(vsphere, "")]
    return "\n".join(lines) + "\n"


def diagram_changes(base: dict[str, Any], head: dict[str, Any]) -> str:
    """Markdown showing the base's and the change's diagram, for each diagram that differs."""
    sections = []
    diagrams = (("Trust", lambda d: trust_mermaid(d)[0]), ("Network", network_mermaid), ("vSphere", vsphere_mermaid))
    for title, draw in diagrams:
        before, after = draw(base), draw(head)
        if before != after:
            sections += [f"#### {title} diagram changed: before", "", *_fenced(before, "Nothing drawn.")]
            sections += ["", f"#### {title} diagram changed: after", "", *_fenced(after, "Nothing drawn."), ""]
    return "\n".join(["", *sections]) if sections else ""


def _fenced(chart: str, empty: str) -> list[str]:
    return ["```mermaid", *chart.rstrip("\n").split("\n"), "```"] if chart else [f"_{empty}_"]
