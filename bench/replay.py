"""The replay floor: the SDK's own cost of registering a plan's resources, without the program.

`skeleton(run)` keeps, of every resource a program run registered and in the order it registered
them, its type token, name, parent, provider, dependencies, options and inputs as plain values
(tools/plan/program.py `plan_data`: secrets as the placeholder, resource references as text).
`replay(skeleton)` registers them again under the same mocks: each custom resource as an instance
of the same SDK class (pulumi_aws.iam.Role for "aws:iam/role:Role", a provider as its package's
Provider, a Kubernetes object the SDK has no class for as pulumi_kubernetes.apiextensions.CustomResource),
constructed with those inputs as plain keyword arguments; each component as a bare
pulumi.ComponentResource of the same type token that registers no outputs of its own; every one with
the same parent, provider, dependencies and options. What the program adds on top (its builders,
Output chains, component outputs, stack outputs) is absent: the floor is registration alone.
"""

from __future__ import annotations

import functools
import importlib
import inspect
import json
import re
from typing import TYPE_CHECKING, Any, cast

import pulumi

from tools.plan.program import plan_data

if TYPE_CHECKING:
    from tools.plan.program import ProgramRun


def skeleton(run: ProgramRun) -> list[dict[str, Any]]:
    """Every registration of `run`, in order, as plain data a fresh process can replay."""
    return [
        {
            "urn": r.urn,
            "type": r.type,
            "name": r.name,
            "custom": r.custom,
            "parent": r.parent,
            "provider": r.provider,
            "depends_on": r.depends_on,
            "options": r.options,  # but additionalSecretOutputs: the SDK class adds its own
            "inputs": plan_data(r.inputs),
        }
        for r in run.registrations.values()
    ]


def replay(resources: list[dict[str, Any]]) -> None:
    """Register `resources` (a `skeleton`) again: same classes, names, inputs, parents and options."""
    registered: dict[str, pulumi.Resource] = {}
    for resource in resources:
        registered[resource["urn"]] = _register(resource, registered)


def _register(resource: dict[str, Any], registered: dict[str, pulumi.Resource]) -> pulumi.Resource:
    options = resource["options"]
    opts = pulumi.ResourceOptions(
        parent=registered.get(resource["parent"]),
        provider=registered.get(resource["provider"]),  # type: ignore[arg-type]
        depends_on=[registered[urn] for urn in resource["depends_on"] if urn in registered],
        protect=options.get("protect"),
        delete_before_replace=options.get("deleteBeforeReplace"),
        retain_on_delete=options.get("retainOnDelete"),
        ignore_changes=options.get("ignoreChanges"),
        replace_on_changes=options.get("replaceOnChanges"),
        aliases=options.get("aliases"),
    )
    if not resource["custom"]:
        component = pulumi.ComponentResource(resource["type"], resource["name"], None, opts)
        component.register_outputs({})
        return component
    cls, kwargs = sdk_class(resource["type"]), dict(resource["inputs"])
    if resource["type"].startswith("pulumi:providers:"):
        kwargs = {k: _provider_value(v) for k, v in kwargs.items()}
    if _is_custom_object(cls, resource["type"]):
        return cast(pulumi.Resource, cls(resource["name"], opts=opts, **_custom_object_args(kwargs)))
    accepted = _keyword_arguments(cls)
    arguments = {_snake(k): v for k, v in kwargs.items() if _snake(k) in accepted}
    return cast(pulumi.Resource, cls(resource["name"], opts=opts, **arguments))


@functools.cache
def sdk_class(type_token: str) -> type:
    """The SDK class of a type token: "aws:iam/role:Role" is pulumi_aws.iam.Role, "pulumi:providers:aws"
    pulumi_aws.Provider, "kubernetes:core/v1:Namespace" pulumi_kubernetes.core.v1.Namespace; a Kubernetes
    kind the SDK has no class for (a CRD's) is pulumi_kubernetes.apiextensions.CustomResource."""
    package, module, name = type_token.split(":")
    if package == "pulumi" and module == "providers":
        return cast(type, importlib.import_module(f"pulumi_{name}").Provider)
    root = f"pulumi_{package}"
    group, _, version = module.partition("/")
    if package == "kubernetes":
        path = f"{root}.{group.split('.')[0]}.{version}"
    else:
        path = root if group == "index" else f"{root}.{group}"
    try:
        return cast(type, getattr(importlib.import_module(path), name))
    except (ImportError, AttributeError):
        if package == "kubernetes":
            return cast(type, importlib.import_module(f"{root}.apiextensions").CustomResource)
        raise


def _provider_value(value: Any) -> Any:
    """A provider's input as its class takes it: the engine holds its structured inputs as JSON text."""
    try:
        return json.loads(value) if isinstance(value, str) else value
    except ValueError:
        return value


def _is_custom_object(cls: type, type_token: str) -> bool:
    return cls.__name__ == "CustomResource" and type_token.startswith("kubernetes:")


def _custom_object_args(inputs: dict[str, Any]) -> dict[str, Any]:
    return {"api_version": inputs.pop("apiVersion"), "kind": inputs.pop("kind"), **inputs}


@functools.cache
def _keyword_arguments(cls: type) -> frozenset[str]:
    return frozenset(inspect.signature(cls._internal_init).parameters)  # type: ignore[attr-defined]


def _snake(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()
