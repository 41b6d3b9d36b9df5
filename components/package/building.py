"""How every component of the package builds: its inputs validated as stack config, then the stack
program's own composition built beneath it.

A component's inputs are the stack config's sections under the same keys (sections.py), so they are
checked by the same models and rules, all problems at once, as `tkg-aws:<key.path>: <what is wrong>
(got <value>)`. The calling stack's `aws:` and `kubernetes:` keys are read as the stack program reads
its own: its credentials settings reach our pinned providers, its `kubernetes:kubeconfig` (a secret
key) reaches the management cluster. Then components/stack.py `build()` runs on the validated config:
the resources, their names and their inputs are the stack program's, only parented by the component.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Mapping
from typing import Any

import pulumi
from pulumi.runtime import settings

from components.config.base import ConfigError
from components.config.models import PROVIDER_NAMESPACES
from components.config.validators import NAMESPACE
from components.stack import build
from components.stack_config.loading import parse_stack_config, running_stack_values
from components.stack_config.models import StackConfig

PACKAGE_NAME = NAMESPACE
"""The package's name: its types are `tkg-aws:index:<Component>`, beside the program's own tokens."""


def validated_config(args: Mapping[str, Any], platform: str | None) -> StackConfig:
    """The stack config of `args` (region and sections), with only `platform` turned on.

    `platform` is tkg, openshift, eksLocalCluster, vsphere, or None (foundations only). Raises ConfigError
    with every problem, exactly as a stack file with these keys would.
    """
    sections = {key: _integral(value) for key, value in args.items() if key != "region"}
    sections["tkg"] = {"enabled": platform == "tkg"}
    existing_vpc = _existing_vpc_outputs(sections)
    values = {f"{NAMESPACE}:{key}": value for key, value in sections.items()}
    values["aws:region"] = args.get("region")
    provider_settings = calling_stack_provider_settings()
    secret_keys = {key for key in provider_settings if pulumi.runtime.is_config_secret(key)}
    config = parse_stack_config(values | provider_settings, secret_keys)
    return _with_existing_vpc_outputs(config, existing_vpc) if existing_vpc else config


# What stands in for an output of the caller's while the config is validated: a well-formed id.
# The ids only name what the stack tags; which resources exist depends on the AZ keys, always plain.
STAND_INS = {"vpcId": "vpc-00000000000000000", "publicSubnetIds": "subnet-00000000000000000"}
STAND_INS["privateSubnetIds"] = STAND_INS["publicSubnetIds"]


def _existing_vpc_outputs(sections: dict[str, Any]) -> dict[str, Any]:
    """Take the outputs out of network.existingVpc (ids of the caller's VPC), stand-ins in their place.

    Returns them by key (subnet ids by AZ). An output anywhere else is refused: every other key decides
    what the stack creates, so it must be known before the deployment, as stack config is.
    """
    found: dict[str, Any] = {}
    vpc = sections.get("network", {}).get("existingVpc") if isinstance(sections.get("network"), dict) else None
    if isinstance(vpc, dict):
        vpc = sections["network"]["existingVpc"] = dict(vpc)
        if isinstance(vpc.get("vpcId"), pulumi.Output):
            found["vpcId"], vpc["vpcId"] = vpc["vpcId"], STAND_INS["vpcId"]
        for key in ("publicSubnetIds", "privateSubnetIds"):
            if isinstance(vpc.get(key), dict):
                vpc[key] = dict(vpc[key])
                outputs = {az: v for az, v in vpc[key].items() if isinstance(v, pulumi.Output)}
                found[key] = outputs
                vpc[key].update(dict.fromkeys(outputs, STAND_INS[key]))
    problems = [
        f"{NAMESPACE}:{path}: must be a value known before the deployment, as stack config is; only "
        "network.existingVpc's ids may be outputs of other resources (got an output)"
        for path in _output_paths(sections)
    ]
    if problems:
        raise ConfigError(problems)
    return {key: value for key, value in found.items() if value}


def _output_paths(value: Any, path: str = "") -> Iterator[str]:
    if isinstance(value, pulumi.Output):
        yield path
    elif isinstance(value, dict):
        for key, inner in value.items():
            yield from _output_paths(inner, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for i, inner in enumerate(value):
            yield from _output_paths(inner, f"{path}[{i}]")


def _with_existing_vpc_outputs(config: StackConfig, outputs: dict[str, Any]) -> StackConfig:
    """The validated config with the caller's outputs back in place of their stand-ins."""
    vpc = config.network.existing_vpc
    assert vpc is not None  # the stand-ins were validated as an existing VPC
    update: dict[str, Any] = {}
    if "vpcId" in outputs:
        update["vpc_id"] = outputs["vpcId"]
    for key, attribute in (("publicSubnetIds", "public_subnet_ids"), ("privateSubnetIds", "private_subnet_ids")):
        if key in outputs:
            update[attribute] = {**getattr(vpc, attribute), **outputs[key]}
    network = config.network.model_copy(update={"existing_vpc": vpc.model_copy(update=update)})
    return config.model_copy(update={"network": network})


def calling_stack_provider_settings() -> dict[str, Any]:
    """The calling stack's `aws:` (but aws:region) and `kubernetes:` keys, as its program receives them."""
    return {
        key: value
        for key, value in running_stack_values().items()
        if key.partition(":")[0] in PROVIDER_NAMESPACES and key != "aws:region"
    }


def build_under(component: pulumi.ComponentResource, config: StackConfig) -> dict[str, Any]:
    """Run the stack program's composition on `config` with `component` as the parent of what it makes."""
    with children_of(component):
        return build(config)


@contextlib.contextmanager
def children_of(component: pulumi.ComponentResource) -> Iterator[None]:
    """Resources created without a parent are the component's children while this is open.

    The stack program's composition registers its components at the root of the program (that is what
    keeps the shipped stacks' URNs); inside the package, the root of what it registers is the component.
    The SDK keeps the root resource in a context variable that each registration reads when it starts,
    so the setting holds for this construction only, whatever else the plugin constructs meanwhile.
    """
    token = settings.ROOT.set(component)
    try:
        yield
    finally:
        settings.ROOT.reset(token)


def _integral(value: Any) -> Any:
    """Numbers as the config has them: the wire carries every number as a double (3600.0)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, dict):
        return {k: _integral(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral(v) for v in value]
    return value
