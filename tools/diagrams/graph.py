"""A small graph model (boxes, arrows, nested groups) and its Mermaid flowchart text.

tools/diagrams/trust.py and tools/diagrams/network.py build a Graph from an offline plan; `mermaid`
writes it. Output is byte-identical for an identical graph: groups, nodes and edges are written
sorted by key, and Mermaid ids are digests of the keys.

Plan text reaches the diagram (resource names, tags, ARNs), and the diagram reaches Markdown (job
summaries, README). Every label is therefore written with Mermaid's entity codes for the characters
that could end a label, open HTML or close the Markdown code fence (`"`, `<`, `>`, `&`, `#`, a
backtick), and without line breaks or control characters; `<br/>` is added only between lines.
Standard library only: the plan diff imports this where only the runner's Python is installed.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from typing import Literal

Shape = Literal["box", "round", "stadium", "hexagon", "parallelogram", "subroutine", "flag", "trapezoid"]
Style = Literal["solid", "dashed", "thick", "link", "dashed-link"]

_SHAPES: dict[str, tuple[str, str]] = {
    "box": ("[", "]"),
    "round": ("(", ")"),
    "stadium": ("([", "])"),
    "hexagon": ("{{", "}}"),
    "parallelogram": ("[/", "/]"),
    "subroutine": ("[[", "]]"),
    "flag": (">", "]"),
    "trapezoid": ("[\\", "\\]"),
}
ARROWS: dict[str, str] = {"solid": "-->", "dashed": "-.->", "thick": "==>", "link": "---", "dashed-link": "-.-"}
_ENTITIES = {"#": "#35;", "&": "#38;", '"': "#quot;", "<": "#lt;", ">": "#gt;", "`": "#96;"}


@dataclass(frozen=True)
class Group:
    """A Mermaid subgraph: an account, a Kubernetes cluster, a VPC, an AZ."""

    key: str
    label: str
    parent: str = ""
    """Key of the enclosing group; "" for the top level."""


@dataclass(frozen=True)
class Node:
    key: str
    label: tuple[str, ...]
    """Lines of the box's text."""
    shape: Shape = "box"
    group: str = ""


@dataclass(frozen=True, order=True)
class Edge:
    source: str
    target: str
    label: tuple[str, ...] = ()
    style: Style = "solid"


@dataclass
class Graph:
    groups: dict[str, Group] = field(default_factory=dict)
    nodes: dict[str, Node] = field(default_factory=dict)
    edges: set[Edge] = field(default_factory=set)
    notes: dict[str, list[str]] = field(default_factory=dict)
    """Extra label lines per node key, added by whoever finds something to say about the node."""

    def add_group(self, key: str, label: str, parent: str = "") -> str:
        self.groups.setdefault(key, Group(key, label, parent))
        return key

    def add_node(self, key: str, label: tuple[str, ...], shape: Shape = "box", group: str = "") -> str:
        """The node `key`; the first caller decides its label, shape and group."""
        self.nodes.setdefault(key, Node(key, label, shape, group))
        return key

    def add_edge(self, source: str, target: str, label: tuple[str, ...] = (), style: Style = "solid") -> None:
        self.edges.add(Edge(source, target, tuple(label), style))

    def note(self, key: str, line: str) -> None:
        lines = self.notes.setdefault(key, [])
        if line not in lines:
            lines.append(line)

    def label_of(self, key: str) -> tuple[str, ...]:
        return self.nodes[key].label + tuple(self.notes.get(key, ()))

    def remove_nodes(self, keys: set[str]) -> None:
        """Drop nodes and every edge touching them."""
        for key in keys:
            self.nodes.pop(key, None)
            self.notes.pop(key, None)
        self.edges = {e for e in self.edges if e.source not in keys and e.target not in keys}


def text(value: object) -> str:
    """Plan text as Mermaid label text that cannot leave its label (or the Markdown fence)."""
    spaced = "".join(" " if c in "\r\n\t" else c for c in str(value))
    plain = "".join(c for c in spaced if unicodedata.category(c) not in ("Cc", "Cf"))
    return "".join(_ENTITIES.get(c, c) for c in plain)


def label(lines: tuple[str, ...] | list[str]) -> str:
    return '"' + "<br/>".join(text(line) for line in lines) + '"'


def mermaid(graph: Graph, direction: str = "LR") -> str:
    """The flowchart of `graph`: groups (nested), their nodes, then the edges, all sorted."""
    ids = _mermaid_ids([*graph.groups, *graph.nodes])
    lines = [f"flowchart {direction}"]
    lines += _group_lines(graph, ids, parent="", depth=1)
    for edge in sorted(graph.edges):
        text_part = f"|{label(edge.label)}|" if edge.label else ""
        lines.append(f"  {ids[edge.source]} {ARROWS[edge.style]}{text_part} {ids[edge.target]}")
    return "\n".join(lines) + "\n"


def _group_lines(graph: Graph, ids: dict[str, str], parent: str, depth: int) -> list[str]:
    indent = "  " * depth
    lines = []
    for group in sorted((g for g in graph.groups.values() if g.parent == parent), key=lambda g: g.key):
        lines.append(f"{indent}subgraph {ids[group.key]}[{label([group.label])}]")
        lines += _group_lines(graph, ids, group.key, depth + 1)
        lines.append(f"{indent}end")
    # A node whose group was never added is drawn at the top level rather than lost.
    members = [n for n in graph.nodes.values() if (n.group if n.group in graph.groups else "") == parent]
    for node in sorted(members, key=lambda n: n.key):
        opening, closing = _SHAPES[node.shape]
        lines.append(f"{indent}{ids[node.key]}{opening}{label(graph.label_of(node.key))}{closing}")
    return lines


def _mermaid_ids(keys: list[str]) -> dict[str, str]:
    """A short Mermaid id per key, stable when other nodes come and go, unique, never a keyword.

    Short, because Mermaid refuses a diagram of more than 50,000 characters (its maxTextSize).
    """
    ids: dict[str, str] = {}
    taken: set[str] = set()
    for key in sorted(set(keys)):
        digest = hashlib.sha256(key.encode()).hexdigest()
        length = 6
        while f"n{digest[:length]}" in taken:
            length += 1
        ids[key] = f"n{digest[:length]}"
        taken.add(ids[key])
    return ids
