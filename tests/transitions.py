"""Transition harness: what a config change does to a running stack, from two offline plans.

`Transition(before, after)` compares two ProgramRuns of one stack, plan A (the config that is
deployed) and plan B (the config after the change), the way the engine matches them: by URN, and
through the aliases B records (tools/plan/mocks.py resolves them to URNs). Every resource gets one
kind:

- `same`: in both, with equal inputs, options, provider and parent;
- `changed`: in both, updated in place (`changes` names the inputs and options that differ);
- `aliased`: B's resource carries an alias that stands for A's URN (possibly with changes);
- `replaced`: in both (or aliased), but a change forces a new physical resource: an input the
  provider cannot update (tools/review/replacement.py), a different provider, or a replaced provider;
- `added`, `removed`.

A removal or replacement is dangerous when the old resource is protected (the engine refuses and
the run stops half way), has a fixed physical name (the new copy cannot exist beside the old one),
or is a Kubernetes object (deleting an identity strands CAPA; deleting a HelmChartProxy uninstalls
the GPU operator from every cluster), unless it is retained on delete. `dangers()` lists those;
`problems(...)` also lists in-place updates outside what a change may update.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import pulumi
from pulumi.runtime import rpc

from tools.plan.mocks import Registration
from tools.plan.program import ProgramRun, file_asset_data
from tools.review.replacement import forces_new

Kind = Literal["same", "changed", "aliased", "replaced", "added", "removed"]

# Inputs that list every AZ's subnets: adding an AZ updates them in place, and nothing else.
AZ_LIST_INPUTS: frozenset[tuple[str, str]] = frozenset(
    {
        ("aws:ec2/vpcEndpoint:VpcEndpoint", "subnetIds"),
        ("aws:lb/loadBalancer:LoadBalancer", "subnets"),
        ("aws:lb/loadBalancer:LoadBalancer", "subnetMappings"),
    }
)
# Inputs that name a resource's physical object: a second copy cannot exist beside the first.
NAME_INPUTS = ("name", "keyName")
KUBERNETES_PROVIDER = "pulumi:providers:kubernetes"
# pulumi-kubernetes DiffConfig: with the same clusterIdentifier the provider is updated in place;
# without one, a change of where it points replaces it (and so every object it manages).
KUBERNETES_TARGET_INPUTS = frozenset({"kubeconfig", "context", "cluster", "renderYamlToDirectory"})


@dataclass(frozen=True)
class Change:
    kind: Kind
    type: str
    name: str
    urn: str
    """B's URN, or A's for a removal."""
    former_urn: str = ""
    """A's URN of an aliased resource."""
    changes: tuple[str, ...] = ()
    """`inputs.<path>`, `options.<name>`, `provider`, `parent`: what differs between A and B."""
    reasons: tuple[str, ...] = ()
    """Why a resource is replaced."""
    danger: str = ""
    """Why removing or replacing it hurts (protected, fixed name, Kubernetes object), if it does."""


@dataclass
class Transition:
    before: ProgramRun
    after: ProgramRun
    changes: list[Change] = field(init=False)

    def __post_init__(self) -> None:
        self._matches = self._match()
        self._continued_by = {old: new for new, old in self._matches.items() if old}
        replaced_providers = self._replaced_providers()
        changes = [self._classify(urn, old, replaced_providers) for urn, old in sorted(self._matches.items())]
        changes += [
            Change("removed", r.type, r.name, urn, danger=_danger(r))
            for urn, r in sorted(self.before.registrations.items())
            if urn not in self._continued_by
        ]
        self.changes = changes

    # --- queries -------------------------------------------------------------------------------
    def of_kind(self, *kinds: Kind) -> list[Change]:
        return [c for c in self.changes if c.kind in kinds]

    def dangers(self) -> list[Change]:
        """Removals and replacements of protected, fixed-name or Kubernetes resources."""
        return [c for c in self.of_kind("removed", "replaced") if c.danger]

    def problems(
        self,
        *,
        may_remove: Callable[[Change], bool] = lambda change: False,
        may_update: Iterable[tuple[str, str]] = (),
    ) -> list[str]:
        """One line per dangerous removal or replacement that `may_remove` does not accept, and per
        in-place change outside `may_update` ((type, input) pairs); an empty list is a safe change."""
        allowed = set(may_update)
        lines = [
            f"{c.kind} {c.type} {c.name} ({c.danger}{': ' + ', '.join(c.reasons) if c.reasons else ''})"
            for c in self.dangers()
            if not may_remove(c)
        ]
        for c in self.of_kind("changed", "aliased"):
            unexpected = [key for key in c.changes if (c.type, key.removeprefix("inputs.")) not in allowed]
            if unexpected:
                lines.append(f"{c.kind} {c.type} {c.name}: {', '.join(unexpected)}")
        return lines

    def summary(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for c in self.changes:
            counts[c.kind] = counts.get(c.kind, 0) + 1
        return dict(sorted(counts.items()))

    # --- matching --------------------------------------------------------------------------------
    def _match(self) -> dict[str, str]:
        """B's URN -> A's URN it continues ("" for a new resource), by URN first, then by alias."""
        old = self.before.registrations
        matches = {}
        for urn, reg in self.after.registrations.items():
            if urn in old:
                matches[urn] = urn
                continue
            aliased = [alias for alias in reg.options.get("aliases", []) if alias in old]
            matches[urn] = aliased[0] if aliased else ""
        return matches

    def _replaced_providers(self) -> set[str]:
        """B's URNs of providers that are replaced (so is every resource they manage)."""
        replaced = set()
        for urn, old_urn in self._matches.items():
            new = self.after.registrations[urn]
            if (
                old_urn
                and new.type == KUBERNETES_PROVIDER
                and _kubernetes_provider_replaced(self.before.registrations[old_urn], new)
            ):
                replaced.add(urn)
        return replaced

    def _classify(self, urn: str, old_urn: str, replaced_providers: set[str]) -> Change:
        new = self.after.registrations[urn]
        if not old_urn:
            return Change("added", new.type, new.name, urn)
        old = self.before.registrations[old_urn]
        differences = self._differences(old, new)
        reasons = [key for key in differences if key.startswith("inputs.") and _forces_new(new, key[7:])]
        if "provider" in differences:
            reasons.append("another provider")
        if new.provider in replaced_providers:
            reasons.append("provider replaced")
        if reasons:
            return Change(
                "replaced", new.type, new.name, urn, old_urn, tuple(differences), tuple(reasons), _danger(old)
            )
        if old_urn != urn:
            return Change("aliased", new.type, new.name, urn, old_urn, tuple(differences))
        return Change("changed" if differences else "same", new.type, new.name, urn, changes=tuple(differences))

    def _differences(self, old: Registration, new: Registration) -> list[str]:
        """What differs between A's and B's resource; providers and parents through their aliases."""
        before, after = _flatten(revealed(old.inputs)), _flatten(revealed(new.inputs))
        ignored = tuple(new.options.get("ignoreChanges", []))  # the engine diffs none of these
        keys = [
            f"inputs.{key}"
            for key in sorted(before.keys() | after.keys())
            if before.get(key) != after.get(key) and not any(key == p or key.startswith(f"{p}.") for p in ignored)
        ]
        old_options, new_options = _options(old), _options(new)
        keys += [
            f"options.{k}"
            for k in sorted(old_options.keys() | new_options.keys())
            if old_options.get(k) != new_options.get(k)
        ]
        if self._continued_by.get(old.provider, old.provider) != new.provider:
            keys.append("provider")
        if self._continued_by.get(old.parent, old.parent) != new.parent:
            keys.append("parent")
        return keys


# --- comparing one resource ------------------------------------------------------------------------
def _options(reg: Registration) -> dict[str, Any]:
    """Options that change what the engine does with a resource; aliases only say who it was."""
    return {k: v for k, v in reg.options.items() if k != "aliases"}


def _forces_new(reg: Registration, key: str) -> bool:
    return forces_new(reg.type, reg.inputs, key)


def _kubernetes_provider_replaced(old: Registration, new: Registration) -> bool:
    old_id, new_id = old.inputs.get("clusterIdentifier"), new.inputs.get("clusterIdentifier")
    if old_id is not None and new_id is not None:
        return revealed(old_id) != revealed(new_id)
    return any(revealed(old.inputs.get(k)) != revealed(new.inputs.get(k)) for k in KUBERNETES_TARGET_INPUTS)


def _danger(reg: Registration) -> str:
    """Why deleting this resource's physical object hurts; "" when it does not."""
    if reg.options.get("protect"):
        return "protected"
    if reg.options.get("retainOnDelete") or reg.type.startswith("pulumi:providers:") or not reg.custom:
        return ""
    if reg.type.startswith("kubernetes:"):
        return "Kubernetes object"
    if any(reg.inputs.get(key) for key in NAME_INPUTS):
        return "fixed name"
    return ""


def revealed(value: Any) -> Any:
    """Registered inputs with secrets unwrapped: a rotated secret is a change, though never shown."""
    if rpc.is_rpc_secret(value):
        return revealed(rpc.unwrap_rpc_secret(value))
    if isinstance(value, dict):
        return {k: revealed(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [revealed(v) for v in value]
    if isinstance(value, pulumi.FileAsset):
        return file_asset_data(value)  # the engine compares a file asset by its hash
    return value


def _flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested inputs as dotted paths; lists stay whole (an endpoint's subnet list is one input)."""
    if isinstance(value, dict) and value:
        flat: dict[str, Any] = {}
        for key, item in value.items():
            flat.update(_flatten(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    return {prefix: value}
