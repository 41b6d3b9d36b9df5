"""The component package (provider/, components/package/) as another Pulumi language's program sees it.

The schema is inferred offline by the SDK's own analyzer (ComponentProvider, as provider/__main__.py
hosts it); its inputs must be the stack config's keys and its outputs docs/outputs.md's table.
Each component is then constructed through ComponentProvider.construct, the method the plugin's
Construct RPC calls, with inputs as the engine delivers them (camelCase keys, every number a double),
under the plan's mocks (tools/plan/program.py `run_under_mocks`), and must register what the stack program
plans for the same config: the same resources, names, inputs, providers, dependencies and options,
only one level deeper, under the component.
"""

from __future__ import annotations

import asyncio
import json
import re
import subprocess
import sys
import types
import typing
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import grpc
import pulumi
import pytest
import yaml
from google.protobuf import empty_pb2
from pulumi.provider.experimental.component import ComponentProvider
from pulumi.provider.server import ComponentInitError
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc
from pydantic import BaseModel

from components import __version__
from components.config.base import ConfigError
from components.foundations.network import Network
from components.package import COMPONENTS
from components.package.building import PACKAGE_NAME
from components.stack_config.loading import parse_config
from tests.conftest import REPO, plan, stack_file
from tools.generate import package_types
from tools.plan.mocks import Registration
from tools.plan.program import ProgramRun, _resolve, plan_data, run_under_mocks

STACK = "test"
# The platform each shipped stack turns on, and the component that builds it.
SHIPPED = {
    "dev": "TkgAccount",
    "prod": "TkgAccount",
    "openshift": "OpenShiftCluster",
    "outposts": "EksLocalCluster",
    "vsphere": "VsphereTkgService",
}
# Output groups (docs/outputs.md rows `group.key`) of each component, beside every platform's own.
FOUNDATION_OUTPUTS = {"region", "environment", "managementAccountId", "network", "keyPair", "keyPairPrivateKey"}
PLATFORM_OUTPUTS = {
    "TkgAccount": {"iam", "workloadAccounts", "tkgClusterConfig", "gpu"},
    "OpenShiftCluster": {"openshift"},
    "EksLocalCluster": {"eksLocalCluster", "eksLocalClusterKubeconfig"},
    "VsphereTkgService": {"vsphere"},
}


@pytest.fixture(scope="module")
def provider() -> ComponentProvider:
    return ComponentProvider(COMPONENTS, PACKAGE_NAME, None, __version__)


@pytest.fixture(scope="module")
def schema(provider: ComponentProvider) -> dict[str, Any]:
    return json.loads(provider.schema)


def resource(schema: dict[str, Any], component: str) -> dict[str, Any]:
    return schema["resources"][f"{PACKAGE_NAME}:index:{component}"]


# --- the schema -----------------------------------------------------------------------------------
def test_the_generated_input_types_follow_the_config_models() -> None:
    stale = "run python -m tools.generate.package_types"
    assert package_types.render_module() == package_types.TARGET.read_text(), stale


def test_the_package_is_every_platform_and_the_network_at_the_project_version(schema: dict[str, Any]) -> None:
    assert (schema["name"], schema["version"]) == ("tkg-aws", (REPO / "VERSION").read_text().strip())
    assert re.fullmatch(r"\d+\.\d+\.\d+", schema["version"])
    assert set(schema["resources"]) == {
        f"tkg-aws:index:{c}"
        for c in ("Network", "TkgAccount", "OpenShiftCluster", "EksLocalCluster", "VsphereTkgService")
    }
    assert all(r["isComponent"] and r["description"] for r in schema["resources"].values())


@pytest.mark.parametrize("component", sorted(package_types.COMPONENT_SECTIONS))
def test_each_component_takes_stack_config_keys_and_requires_what_a_stack_requires(
    schema: dict[str, Any], component: str
) -> None:
    spec = resource(schema, component.removesuffix("Args"))
    declared = {key.removeprefix("tkg-aws:") for key in yaml.safe_load((REPO / "Pulumi.yaml").read_text())["config"]}
    inputs = set(spec["inputProperties"])
    assert inputs - {"region"} <= declared, "an input that is no key of the stack config"
    assert inputs == {"region", *package_types.COMPONENT_SECTIONS[component]}
    assert set(spec["requiredInputs"]) == {"region", "environment", "managementCluster"} | (
        inputs & {"openshift", "eksLocalCluster", "vsphere"}
    )
    assert all(spec["inputProperties"][key].get("description") for key in inputs)


@pytest.mark.parametrize("section", sorted(package_types.SECTION_MODELS))
def test_each_section_input_has_exactly_the_keys_its_config_model_reads(schema: dict[str, Any], section: str) -> None:
    model = package_types.SECTION_MODELS[section]
    spec = resource(schema, SECTION_OWNER.get(section, "TkgAccount"))
    root = f"{section}[]" if section in package_types.LIST_SECTIONS else section
    ref = spec["inputProperties"][section]
    ref = ref.get("items", ref)["$ref"]
    # A key left out takes the keys under it along (model_keys writes list items without `[]`).
    left_out = {
        k.removeprefix(f"{root}.").replace("[]", "") for k in package_types.LEFT_OUT if k.startswith(f"{root}.")
    }
    offered = {key for key in model_keys(model) if not any(key == o or key.startswith(f"{o}.") for o in left_out)}
    assert schema_keys(schema, ref) == offered


SECTION_OWNER = {"openshift": "OpenShiftCluster", "eksLocalCluster": "EksLocalCluster", "vsphere": "VsphereTkgService"}


def schema_keys(schema: dict[str, Any], ref: str, prefix: str = "") -> set[str]:
    """Dotted key paths of a schema type, through nested types, lists and maps of types."""
    keys = set()
    for name, prop in schema["types"][ref.removeprefix("#/types/")]["properties"].items():
        keys.add(prefix + name)
        inner = prop.get("items") or prop.get("additionalProperties") or prop
        if "$ref" in inner and inner["$ref"].startswith("#/types/"):
            keys |= schema_keys(schema, inner["$ref"], f"{prefix}{name}.")
    return keys


def model_keys(model: type[BaseModel], prefix: str = "") -> set[str]:
    """Dotted key paths a config model reads (its aliases), through the models it holds."""
    keys = set()
    for name, field in model.model_fields.items():
        key = prefix + (field.alias or name)
        keys.add(key)
        for inner in _models_in(field.annotation):
            keys |= model_keys(inner, f"{key}.")
    return keys


def _models_in(annotation: Any) -> Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
    origin = typing.get_origin(annotation)
    if origin in (typing.Annotated, typing.Union, types.UnionType, list, tuple, dict):
        args = typing.get_args(annotation)
        for arg in args[:1] if origin is typing.Annotated else args:
            yield from _models_in(arg)


def documented_outputs() -> dict[str, str]:
    """Every output name of docs/outputs.md's table (`a.b` / `c` rows name a.b and a.c), with its row."""
    section = (REPO / "docs" / "outputs.md").read_text()
    names = {}
    for cell, rest in re.findall(r"^\| ((?:`[^`]+`(?: / )?)+) \|(.*)$", section, flags=re.MULTILINE):
        first, *others = re.findall(r"`([^`]+)`", cell)
        names[first] = rest
        for other in others:
            names[first.rsplit(".", 1)[0] + "." + other] = rest
    return names


def output_names(schema: dict[str, Any], properties: dict[str, Any], prefix: str = "") -> set[str]:
    """Output names as docs/outputs.md writes them: typed groups as `group.key`, map entries as `<name>`."""
    names = set()
    for name, prop in properties.items():
        ref = prop.get("$ref", "")
        entry = prop.get("additionalProperties", {}).get("$ref", "")
        if ref.startswith("#/types/"):
            names |= output_names(schema, schema["types"][ref[8:]]["properties"], f"{prefix}{name}.")
        elif entry.startswith("#/types/"):
            names |= output_names(schema, schema["types"][entry[8:]]["properties"], f"{prefix}{name}.<name>.")
        else:
            names.add(prefix + name)
    return names


@pytest.mark.parametrize("component", sorted(PLATFORM_OUTPUTS))
def test_each_platform_component_returns_the_documented_outputs_of_its_platform(
    schema: dict[str, Any], component: str
) -> None:
    documented = documented_outputs()
    returned = output_names(schema, resource(schema, component)["properties"])
    groups = FOUNDATION_OUTPUTS | PLATFORM_OUTPUTS[component]
    mine = {name for name in documented if name.split(".")[0] in groups}
    assert returned - documented.keys() == set(), "returned but not in docs/outputs.md's table"
    assert mine - returned == set(), "documented for this platform but not returned"


def test_the_network_component_returns_the_documented_network_outputs(schema: dict[str, Any]) -> None:
    returned = {f"network.{name}" for name in resource(schema, "Network")["properties"]}
    documented = {name for name, row in documented_outputs().items() if name.startswith("network.")}
    assert returned == documented - {"network.outpostSubnetIds"}  # only with an EKS local cluster


# --- construct ------------------------------------------------------------------------------------
class Constructed:
    """One component constructed by the provider under the plan's mocks: what it registered, its state."""

    def __init__(self, component: str, name: str, registrations: dict[str, Registration], state: dict[str, Any]):
        self.component, self.name, self.state = component, name, state
        self.registrations = registrations

    @property
    def urn(self) -> str:
        return f"urn:pulumi:{STACK}::tkg-aws::pulumi:pulumi:Stack$tkg-aws:index:{self.component}::{self.name}"

    def as_program_registered(self) -> dict[str, dict[str, Any]]:
        """The registrations, the component itself left out and its children moved to the root of the program."""
        own = self.urn
        root = f"urn:pulumi:{STACK}::tkg-aws::pulumi:pulumi:Stack::tkg-aws-{STACK}"
        children = {urn: plan_data(vars(r)) for urn, r in self.registrations.items() if urn != own}
        text = json.dumps(children, sort_keys=True)
        # The mock monitor names a top-level resource `pulumi:pulumi:Stack$<type>`, a child `<parent type>$<type>`.
        text = text.replace(own, root).replace(f"::tkg-aws:index:{self.component}$", "::pulumi:pulumi:Stack$")
        return json.loads(text)


def as_engine_sends(value: Any) -> Any:
    """Inputs as the engine delivers them to Construct: numbers as doubles."""
    if isinstance(value, bool) or not isinstance(value, int | dict | list):
        return value
    if isinstance(value, int):
        return float(value)
    if isinstance(value, dict):
        return {k: as_engine_sends(v) for k, v in value.items()}
    return [as_engine_sends(v) for v in value]


def component_inputs(raw: dict[str, Any], region: str) -> dict[str, Any]:
    """A stack file's keys as a component's inputs: the region, and the sections but tkg (the component's choice).

    An identity's allowedNamespaces is written in its map form ({list: [...]} or {all: true}): the
    stack config's shorthands (a list, `all`) are other types, which a typed input cannot be.
    """
    sections = {k: v for k, v in raw.items() if k != "tkg"}
    for account in sections.get("workloadAccounts", []):
        allowed = account["identity"].get("allowedNamespaces")
        if isinstance(allowed, list | str):
            account["identity"]["allowedNamespaces"] = {"all": True} if allowed == "all" else {"list": allowed}
    return as_engine_sends({"region": region, **sections})


def construct(
    provider: ComponentProvider,
    component: str,
    inputs: dict[str, Any],
    region: str,
    caller_config: dict[str, str] | None = None,
    caller_secrets: list[str] = (),
) -> Constructed:
    """Construct as the plugin does for a caller whose stack config is `caller_config` (none by default)."""
    state: dict[str, Any] = {}

    async def run() -> None:
        given = as_outputs(inputs)
        result = provider.construct("platform", f"tkg-aws:index:{component}", given, pulumi.ResourceOptions())
        state.update(await _resolve(result.state))

    pulumi.runtime.set_all_config(caller_config or {}, list(caller_secrets))  # what Construct sets first
    try:
        monitor = run_under_mocks(lambda: asyncio.ensure_future(run()), region, STACK)
    finally:
        pulumi.runtime.set_all_config({}, [])
    return Constructed(component, "platform", dict(monitor.registrations), state)


class AsOutput:
    """A value the test passes as an output of another resource (made once the program runs)."""

    def __init__(self, value: Any):
        self.value = value


def as_outputs(value: Any) -> Any:
    if isinstance(value, AsOutput):
        return pulumi.Output.from_input(value.value)
    if isinstance(value, dict):
        return {k: as_outputs(v) for k, v in value.items()}
    if isinstance(value, list):
        return [as_outputs(v) for v in value]
    return value


def stack_program(run: ProgramRun) -> dict[str, dict[str, Any]]:
    return json.loads(json.dumps({urn: plan_data(vars(r)) for urn, r in run.registrations.items()}, sort_keys=True))


def without_nulls(value: Any) -> Any:
    """Outputs as a component returns them: a null (what the mocks leave uncomputed) is an absent key."""
    if isinstance(value, dict):
        return {k: without_nulls(v) for k, v in value.items() if v is not None}
    return value


@pytest.fixture(scope="module", params=sorted(SHIPPED))
def shipped(request: pytest.FixtureRequest, provider: ComponentProvider) -> tuple[ProgramRun, Constructed]:
    """A shipped stack's config, planned by the stack program and constructed through the package."""
    raw, region, _ = stack_file(request.param)
    constructed = construct(provider, SHIPPED[request.param], component_inputs(raw, region), region)
    return plan(raw, region, stack=STACK), constructed


def test_a_component_registers_what_the_stack_program_plans_for_the_same_config(
    shipped: tuple[ProgramRun, Constructed],
) -> None:
    program, constructed = shipped
    registered = constructed.as_program_registered()
    planned = stack_program(program)
    assert len(registered) == len(planned) > 20
    assert sorted(registered) == sorted(planned), "resources (URNs one level under the component)"
    assert registered == planned, "names, inputs, providers, dependencies and options"


def test_a_component_parents_everything_it_registers(shipped: tuple[ProgramRun, Constructed]) -> None:
    _, constructed = shipped
    parents = {urn: r.parent for urn, r in constructed.registrations.items()}

    def ancestors(urn: str) -> Iterator[str]:
        while urn in parents:
            urn = parents[urn]
            yield urn

    assert all(constructed.urn in ancestors(urn) for urn in parents if urn != constructed.urn)


def test_a_component_returns_the_stack_outputs_of_the_same_config(shipped: tuple[ProgramRun, Constructed]) -> None:
    program, constructed = shipped
    # A value the mocks leave unset (an auto scaling group's generated name) is null on both sides.
    assert without_nulls(constructed.state) == without_nulls(program.outputs)
    secrets = {key for key, value in constructed.state.items() if value == "[secret]"}
    assert secrets == {"keyPairPrivateKey", "eksLocalClusterKubeconfig"} & program.outputs.keys()


def test_the_network_component_registers_the_stack_programs_network(provider: ComponentProvider) -> None:
    raw, region, _ = stack_file("openshift")  # three AZs, a NAT gateway in each, interface endpoints
    inputs = component_inputs({k: raw[k] for k in ("environment", "tags", "network", "managementCluster")}, region)
    constructed = construct(provider, "Network", inputs, region)
    planned = stack_program(plan(raw, region, stack=STACK))
    registered = constructed.as_program_registered()
    network = {urn for urn in planned if Network.TYPE_TOKEN in urn or urn.endswith("::management")}
    assert set(registered) == network
    assert registered == {urn: planned[urn] for urn in network}
    assert constructed.state["vpcId"] == plan(raw, region, stack=STACK).outputs["network"]["vpcId"]


def test_bad_inputs_are_refused_with_the_stack_configs_messages_before_any_resource(
    provider: ComponentProvider,
) -> None:
    raw, region, _ = stack_file("dev")
    raw["network"] = {**raw["network"], "cidr": "10.0.0.0/33", "natGateways": "two"}
    identity = {"allowedNamespaces": {"list": ["Lob_1"]}}
    raw["workloadAccounts"] = [{"name": "Lob", "accountId": "12", "deployRoleArn": "x", "identity": identity}]
    with pytest.raises(ConfigError) as expected:
        parse_config(raw, region)
    refused: list[BaseException] = []

    async def run() -> None:
        try:
            provider.construct("platform", "tkg-aws:index:TkgAccount", component_inputs(raw, region), None)
        except ComponentInitError as err:
            refused.append(err.inner)

    monitor = run_under_mocks(lambda: asyncio.ensure_future(run()), region, STACK)
    assert len(refused) == 1 and isinstance(refused[0], ConfigError)
    assert refused[0].problems == expected.value.problems
    assert any(p.startswith("tkg-aws:network.cidr: ") for p in refused[0].problems)
    assert [r.type for r in monitor.registrations.values()] == ["tkg-aws:index:TkgAccount"]


def existing_vpc(network_state: dict[str, Any]) -> dict[str, Any]:
    """network.existingVpc from a Network component's outputs, each id an output as another program passes it."""
    return {
        "vpcId": AsOutput(network_state["vpcId"]),
        "publicSubnetIds": {az: AsOutput(i) for az, i in network_state["publicSubnetIds"].items()},
        "privateSubnetIds": {az: AsOutput(i) for az, i in network_state["privateSubnetIds"].items()},
    }


def test_a_platform_stands_on_a_vpc_given_as_outputs_as_on_the_same_ids_in_stack_config(
    provider: ComponentProvider,
) -> None:
    raw, region, _ = stack_file("dev")
    foundation = {k: raw[k] for k in ("environment", "tags", "managementCluster")}
    vpc = construct(provider, "Network", component_inputs({**foundation, "network": {}}, region), region).state
    network = {"clusterNames": raw["network"]["clusterNames"], "existingVpc": existing_vpc(vpc)}
    constructed = construct(provider, "TkgAccount", component_inputs({**raw, "network": network}, region), region)
    plain_ids = {key: vpc[key] for key in ("vpcId", "publicSubnetIds", "privateSubnetIds")}
    planned = plan({**raw, "network": {**network, "existingVpc": plain_ids}}, region, stack=STACK)
    assert constructed.as_program_registered() == stack_program(planned)
    assert "aws:ec2/vpc:Vpc" not in {r.type for r in constructed.registrations.values()}
    assert constructed.state["tkgClusterConfig"]["AWS_VPC_ID"] == vpc["vpcId"]
    tagged = {r.inputs["resourceId"] for r in constructed.registrations.values() if r.type == "aws:ec2/tag:Tag"}
    assert tagged == {*vpc["publicSubnetIds"].values(), *vpc["privateSubnetIds"].values()}


def test_the_calling_stacks_kubeconfig_and_aws_settings_reach_the_components_providers(
    provider: ComponentProvider,
) -> None:
    raw, region, _ = stack_file("prod")
    raw["managementCluster"] = {k: v for k, v in raw["managementCluster"].items() if k != "renderYamlToDirectory"}
    caller = {"kubernetes:kubeconfig": "apiVersion: v1\nkind: Config\n", "aws:profile": "platform", "team:x": "1"}
    constructed = construct(
        provider, "TkgAccount", component_inputs(raw, region), region, caller, ["kubernetes:kubeconfig"]
    )
    providers = {r.name: r.inputs for r in constructed.registrations.values() if r.type.startswith("pulumi:providers:")}
    assert plan_data(providers["management-cluster"])["kubeconfig"] == "[secret]"
    aws_providers = [inputs for name, inputs in providers.items() if "allowedAccountIds" in inputs]
    assert len(aws_providers) == 3 and all(inputs["profile"] == "platform" for inputs in aws_providers)


def test_an_output_where_config_decides_what_exists_is_refused_with_its_key(provider: ComponentProvider) -> None:
    raw, region, _ = stack_file("dev")
    inputs = component_inputs(raw, region)
    inputs["network"]["availabilityZones"] = [AsOutput("us-west-2a")]
    inputs["keyPair"]["name"] = AsOutput("tkg-dev")
    refused: list[BaseException] = []

    async def run() -> None:
        try:
            provider.construct("platform", "tkg-aws:index:TkgAccount", as_outputs(inputs), None)
        except ComponentInitError as err:
            refused.append(err.inner)

    run_under_mocks(lambda: asyncio.ensure_future(run()), region, STACK)
    assert isinstance(refused[0], ConfigError)
    assert [p.split(":")[1] for p in refused[0].problems] == ["network.availabilityZones[0]", "keyPair.name"]


# --- the stack program ----------------------------------------------------------------------------
def test_the_stack_program_does_not_load_the_package() -> None:
    """The package wraps the program; the program (and so every shipped plan) never depends on it."""
    program_files = [REPO / "__main__.py", *(REPO / "components").rglob("*.py")]
    importers = [
        path.relative_to(REPO).as_posix()
        for path in program_files
        if "components.package" in path.read_text() and Path("components/package") not in path.relative_to(REPO).parents
    ]
    assert importers == []


def test_the_plugin_serves_the_packages_schema_as_pulumi_starts_it(schema: dict[str, Any]) -> None:
    """provider/__main__.py run as the language host runs a plugin (engine address as its argument, from its
    own directory): it prints its port and answers GetSchema and GetPluginInfo at the project version."""
    manifest = yaml.safe_load((REPO / "provider" / "PulumiPlugin.yaml").read_text())
    assert manifest["runtime"]["name"] == "python"
    assert (REPO / "provider" / "requirements.txt").read_text().splitlines()[-1] == "-r ../requirements.txt"
    plugin = subprocess.Popen(
        [sys.executable, "__main__.py", "127.0.0.1:1"], cwd=REPO / "provider", stdout=subprocess.PIPE
    )
    try:
        port = int(plugin.stdout.readline())
        with grpc.insecure_channel(f"127.0.0.1:{port}") as channel:
            stub = provider_pb2_grpc.ResourceProviderStub(channel)
            served = json.loads(stub.GetSchema(provider_pb2.GetSchemaRequest(version=0), timeout=30).schema)
            info = stub.GetPluginInfo(empty_pb2.Empty(), timeout=30)
    finally:
        plugin.terminate()
        plugin.wait(timeout=30)
        plugin.stdout.close()
    assert served == schema
    assert info.version == __version__ == schema["version"]


# --- the examples ---------------------------------------------------------------------------------
def yaml_example() -> dict[str, Any]:
    return yaml.safe_load((REPO / "examples" / "package-yaml" / "Pulumi.yaml").read_text())


def test_the_yaml_example_builds_what_a_dev_stack_of_the_same_keys_plans(provider: ComponentProvider) -> None:
    example = yaml_example()
    assert example["packages"]["tkg-aws"] == "../../provider"
    assert (REPO / "examples" / "package-yaml" / example["packages"]["tkg-aws"] / "PulumiPlugin.yaml").is_file()
    tkg = example["resources"]["tkg"]
    assert tkg["type"] == "tkg-aws:index:TkgAccount"
    properties = tkg["properties"]
    raw = {k: v for k, v in properties.items() if k != "region"}
    constructed = construct(provider, "TkgAccount", as_engine_sends(properties), properties["region"])
    planned = plan(raw, properties["region"], stack=STACK)
    assert constructed.as_program_registered() == stack_program(planned)
    assert len(planned.config.availability_zones) == 1 and planned.config.network.nat_gateways == "single"
    outputs = {ref.split(".")[1].split("[")[0].rstrip("}") for ref in example["outputs"].values()}
    assert outputs <= set(constructed.state)


def test_the_typescript_example_sets_the_yaml_examples_keys_and_values() -> None:
    source = (REPO / "examples" / "package-typescript" / "index.ts").read_text()
    assert 'new tkgaws.TkgAccount("tkg", {' in source and 'from "@pulumi/tkg-aws"' in source

    def leaves(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
        if isinstance(value, dict):
            for key, inner in value.items():
                yield from leaves(inner, f"{path}.{key}" if path else key)
        else:
            yield path, value

    for path, value in leaves(yaml_example()["resources"]["tkg"]["properties"]):
        key = path.rsplit(".", 1)[-1]
        written = str(value).lower() if isinstance(value, bool) else json.dumps(value)
        assert f"{key}: {written}" in source, f"{path} is not {written} in index.ts"
