"""Bad `tkg-aws:vsphere` config is refused before any resource, one keyed line per problem, no traceback."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from components.config.base import ConfigError
from components.stack_config.loading import parse_config, parse_stack_config
from components.vsphere.config import (
    ClusterConfig,
    ClusterNetworkConfig,
    ControlPlaneConfig,
    GpuOperatorConfig,
    NamespaceConfig,
    NodePoolConfig,
    StoragePolicyConfig,
    SupervisorConfig,
    SupervisorCreateConfig,
    VmClassConfig,
    VolumeConfig,
    VsphereConfig,
)
from tests.conftest import REPO, plan_document, stack_file

Change = Callable[[dict[str, Any]], None]


def vsphere_raw() -> tuple[dict[str, Any], str]:
    raw, region, _ = stack_file("vsphere")
    return copy.deepcopy(raw), region


def problems(change: Change, secret: bool = False) -> list[str]:
    raw, region = vsphere_raw()
    change(raw["vsphere"])
    with pytest.raises(ConfigError) as err:
        parse_config(raw, region, project_dir=REPO, secret_paths={"vsphere"} if secret else set())
    return err.value.problems


def cluster(**values: Any) -> Change:
    return lambda vs: vs["clusters"][0].update(values)


def pool(index: int, **values: Any) -> Change:
    return lambda vs: vs["clusters"][0]["nodePools"][index].update(values)


def vm_class(index: int, **values: Any) -> Change:
    return lambda vs: vs["vmClasses"][index].update(values)


def supervisor(**values: Any) -> Change:
    return lambda vs: vs["supervisor"].update(values)


def both(*changes: Change) -> Change:
    def apply(vs: dict[str, Any]) -> None:
        for change in changes:
            change(vs)

    return apply


def drop_supervisor_id(vs: dict[str, Any]) -> None:
    del vs["supervisor"]["id"]


def with_operator(vs: dict[str, Any]) -> None:
    vs["clusters"][0]["gpuOperator"] = {"chartVersion": "v25.10.0", "ngcApiKey": "k", "licensingToken": "t"}


def on_the_supervisor(vs: dict[str, Any]) -> None:
    del vs["supervisor"]["renderYamlToDirectory"]
    vs["supervisor"]["kubeconfig"] = "apiVersion: v1\nkind: Config\n"


CASES: list[tuple[str, Change, str]] = [
    (
        "namespace name",
        lambda vs: vs["namespaces"][0].update(name="ML_Team"),
        "tkg-aws:vsphere.namespaces[0].name: not a Kubernetes name",
    ),
    ("class name", vm_class(0, name="General.4c"), "tkg-aws:vsphere.vmClasses[0].name: not a Kubernetes name"),
    ("cluster name", cluster(name="-gpu"), "tkg-aws:vsphere.clusters[0].name: not a TKG cluster name"),
    (
        "node pool name",
        pool(0, name="np gpu"),
        "tkg-aws:vsphere.clusters[0].nodePools[0].name: 'np gpu' is not a Kubernetes label value",
    ),
    (
        "duplicate pool",
        pool(1, name="np-general"),
        "tkg-aws:vsphere.clusters[0].nodePools: 'np-general' is given 2 times",
    ),
    (
        "duplicate class",
        vm_class(1, name="general-4c16g"),
        "tkg-aws:vsphere.vmClasses: 'general-4c16g' is given 2 times",
    ),
    (
        "control plane of 2",
        cluster(controlPlane={"replicas": 2}),
        "tkg-aws:vsphere.clusters[0].controlPlane.replicas: must be one of 1 or 3",
    ),
    (
        "version",
        cluster(version="1.33.1"),
        "tkg-aws:vsphere.clusters[0].version: not a Tanzu Kubernetes release version",
    ),
    (
        "TKR object name",
        cluster(version="v1.33.1---vmware.1-fips-vkr.2"),
        "tkg-aws:vsphere.clusters[0].version: give the TKR version with '+'",
    ),
    (
        "class not bound",
        pool(0, vmClass="guaranteed-large"),
        "tkg-aws:vsphere.clusters[0].nodePools[0].vmClass: VM class not bound to namespace ml-team",
    ),
    (
        "storage not bound",
        cluster(storageClass="gold"),
        "tkg-aws:vsphere.clusters[0].storageClass: no storage policy of namespace ml-team appears as this StorageClass",
    ),
    (
        "volume storage not bound",
        pool(0, volumes=[{"name": "data", "mountPath": "/data", "capacity": "20Gi", "storageClass": "gold"}]),
        "tkg-aws:vsphere.clusters[0].nodePools[0].volumes[0].storageClass: no storage policy of namespace ml-team",
    ),
    (
        "unknown namespace",
        cluster(namespace="other"),
        "tkg-aws:vsphere.clusters[0].namespace: not a namespace of tkg-aws:vsphere.namespaces",
    ),
    (
        "failure domain without zones",
        pool(0, failureDomain="zone-a"),
        (
            "tkg-aws:vsphere.clusters[0].nodePools[0].failureDomain: failure domains exist only on a Supervisor of 3 "
            "vSphere Zones"
        ),
    ),
    (
        "failure domain not a zone",
        both(supervisor(zones=["zone-a", "zone-b", "zone-c"]), pool(0, failureDomain="zone-d")),
        "tkg-aws:vsphere.clusters[0].nodePools[0].failureDomain: not a zone of the Supervisor",
    ),
    (
        "two zones",
        supervisor(zones=["zone-a", "zone-b"]),
        "tkg-aws:vsphere.supervisor.zones: a zonal Supervisor spans exactly 3 vSphere Zones",
    ),
    (
        "vGPU without full reservation",
        vm_class(1, memoryReservation=50),
        "tkg-aws:vsphere.vmClasses[1]: memoryReservation must be 100 for a class with vgpuProfiles",
    ),
    ("vGPU profile spelling", vm_class(1, vgpuProfiles=["grid-a100-40c"]), "did you mean 'grid_a100-40c'?"),
    (
        "memory not a multiple of 4",
        vm_class(0, memoryMiB=16385),
        "tkg-aws:vsphere.vmClasses[0].memoryMiB: must be a multiple of 4",
    ),
    (
        "reservation over 100",
        vm_class(0, cpuReservation=101),
        "tkg-aws:vsphere.vmClasses[0].cpuReservation: input should be less than or equal to 100",
    ),
    (
        "storage policy by name",
        lambda vs: vs["namespaces"][0]["storagePolicies"][0].update(id="vSAN Default"),
        "tkg-aws:vsphere.namespaces[0].storagePolicies[0].id: not a storage policy id",
    ),
    (
        "GPU pool on Photon",
        pool(1, osImage="os-name=photon"),
        "tkg-aws:vsphere.clusters[0].nodePools[1].osImage: the vGPU pool np-gpu needs the Ubuntu TKR image",
    ),
    (
        "GPU pool without the driver's volumes",
        pool(1, volumes=[{"name": "data", "mountPath": "/data", "capacity": "20Gi"}]),
        (
            "tkg-aws:vsphere.clusters[0].nodePools[1].volumes: the vGPU pool np-gpu needs volumes at "
            "/var/lib/containerd and /var/lib/kubelet"
        ),
    ),
    (
        "old variable on v3.4",
        cluster(variables={"ntp": "pool.ntp.org"}),
        (
            "tkg-aws:vsphere.clusters[0].variables.ntp: not a variable of builtin-generic-v3.4.0: a variable of "
            "tanzukubernetescluster / builtin-generic-v3.1.0; from v3.2.0 on it is osConfiguration.ntp"
        ),
    ),
    (
        "new variable on v3.1",
        cluster(
            clusterClass="builtin-generic-v3.1.0", variables={"osConfiguration": {"ntp": {"servers": ["pool.ntp.org"]}}}
        ),
        (
            "tkg-aws:vsphere.clusters[0].variables.osConfiguration: not a variable of builtin-generic-v3.1.0: "
            "a variable of builtin-generic-v3.2.0 and later"
        ),
    ),
    (
        "a variable the program writes",
        cluster(variables={"vmClass": "x"}),
        "tkg-aws:vsphere.clusters[0].variables.vmClass: written by the program",
    ),
    (
        "server-owned variable",
        cluster(variables={"TKR_DATA": []}),
        "tkg-aws:vsphere.clusters[0].variables.TKR_DATA: written by the Supervisor's TKR webhook",
    ),
    (
        "custom class",
        cluster(clusterClass="my-class"),
        "tkg-aws:vsphere.clusters[0].clusterClass: not one of VMware's ClusterClasses",
    ),
    (
        "class required",
        cluster(clusterClass=None),
        "tkg-aws:vsphere.clusters[0].clusterClass: required with api cluster",
    ),
    (
        "TKC with a class",
        cluster(api="tanzuKubernetesCluster"),
        "tkg-aws:vsphere.clusters[0].clusterClass: a TanzuKubernetesCluster has no clusterClass",
    ),
    (
        "bad OS selector",
        cluster(osImage="os-name=ubuntu,,=x"),
        "tkg-aws:vsphere.clusters[0].osImage: not a label selector",
    ),
    ("supervisor missing", drop_supervisor_id, "tkg-aws:vsphere.supervisor.id: required"),
    (
        "operator in render mode",
        with_operator,
        "tkg-aws:vsphere.clusters[0].gpuOperator: installed through the cluster's kubeconfig Secret",
    ),
    (
        "routed pods on v1beta1",
        cluster(network={"cni": "antrea-nsx-routed"}),
        "tkg-aws:vsphere.clusters[0].network.cni: routed pods on a Cluster v1beta1 need an AntreaConfig",
    ),
    (
        "overlapping CIDRs",
        cluster(network={"services": ["192.168.0.0/20"]}),
        "tkg-aws:vsphere.clusters[0].network.services: 192.168.0.0/20 overlaps the pods'",
    ),
    ("plaintext kubeconfig", on_the_supervisor, "tkg-aws:vsphere.supervisor.kubeconfig: must be a secret"),
    (
        "plaintext NGC key",
        both(on_the_supervisor, with_operator),
        "tkg-aws:vsphere.clusters[0].gpuOperator.ngcApiKey: must be a secret",
    ),
]


@pytest.mark.parametrize(("change", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_bad_vsphere_config_is_refused_with_its_key(change: Change, expected: str) -> None:
    found = problems(change)
    assert any(expected in line for line in found), found


def test_every_problem_is_reported_at_once() -> None:
    found = problems(both(cluster(controlPlane={"replicas": 2}), vm_class(1, memoryReservation=0), vm_class(0, cpus=0)))
    assert len(found) == 3, found


def test_a_secret_section_shows_no_secret_and_passes() -> None:
    raw, region = vsphere_raw()
    on_the_supervisor(raw["vsphere"])
    with_operator(raw["vsphere"])
    config = parse_config(raw, region, project_dir=REPO, secret_paths={"vsphere"})
    assert config.vsphere is not None and config.vsphere.secret


def test_the_vcenter_password_must_be_a_secret_and_debug_logs_are_refused() -> None:
    raw, region = vsphere_raw()
    values = {f"tkg-aws:{k}": v for k, v in raw.items()} | {"aws:region": region}
    values |= {"vsphere:password": "hunter2", "vsphere:clientDebug": True, "vsphere:vsphereServer": "vc.example.com"}
    with pytest.raises(ConfigError) as err:
        parse_stack_config(values)
    text = "\n".join(err.value.problems)
    assert "vsphere:password: a credential must be a secret" in text
    assert "vsphere:clientDebug: not settable here" in text
    assert "hunter2" not in text
    del values["vsphere:clientDebug"]
    config = parse_stack_config(values, {"vsphere:password"})
    assert config.vsphere_settings.vsphere_server == "vc.example.com"


def test_a_created_supervisor_needs_exactly_one_placement_and_no_docstring_keys() -> None:
    spec = {
        "name": "sv1",
        "cluster": "domain-c10",
        "zones": ["a", "b", "c"],
        "controlPlane": {"network": {}},
        "workloads": {"network": {"networkType": "NSXT"}, "edge": {"provider": "NSX"}},
    }
    found = problems(both(drop_supervisor_id, supervisor(create={"enabled": True, "spec": spec})))
    text = "\n".join(found)
    assert "tkg-aws:vsphere.supervisor.create.spec: exactly one of cluster" in text
    assert "tkg-aws:vsphere.supervisor.create.spec.workloads.network.networkType: not a SupervisorV2 input" in text
    assert "tkg-aws:vsphere.supervisor.create.spec.workloads.edge.provider: not a SupervisorV2 input" in text


def test_the_plan_tool_exits_2_with_the_keyed_lines_and_no_traceback(tmp_path: Path) -> None:
    raw, region = vsphere_raw()
    raw["vsphere"]["clusters"][0]["controlPlane"] = {"replicas": 5}
    stack = {"config": {"aws:region": region} | {f"tkg-aws:{k}": v for k, v in raw.items()}}
    result = plan_document(stack, tmp_path)
    assert result.returncode == 2
    assert "tkg-aws:vsphere.clusters[0].controlPlane.replicas: must be one of 1 or 3 (got 5)" in result.stderr
    assert "Traceback" not in result.stderr


def test_vcenter_settings_without_the_vsphere_section_are_refused() -> None:
    raw, region, _ = stack_file("outposts")
    values = {f"tkg-aws:{k}": v for k, v in raw.items()} | {"aws:region": region, "vsphere:user": "admin"}
    with pytest.raises(ConfigError) as err:
        parse_stack_config(values)
    assert "vsphere:user: no provider of this stack reads it" in "\n".join(err.value.problems)


def test_vsphere_settings_the_provider_does_not_take_are_refused_by_name() -> None:
    raw, region = vsphere_raw()
    values = {f"tkg-aws:{k}": v for k, v in raw.items()} | {"aws:region": region, "vsphere:vcenterPort": 443}
    with pytest.raises(ConfigError) as err:
        parse_stack_config(values)
    assert "vsphere:vcenterPort: not a setting this program passes to the vSphere provider" in "\n".join(
        err.value.problems
    )


def test_the_config_table_names_every_key_of_the_vsphere_section() -> None:
    rows = "\n".join(
        line for line in (REPO / "docs" / "configuration.md").read_text().splitlines() if line.startswith("| `vsphere.")
    )
    models = [
        VsphereConfig,
        SupervisorConfig,
        SupervisorCreateConfig,
        VmClassConfig,
        NamespaceConfig,
        StoragePolicyConfig,
        ClusterConfig,
        ControlPlaneConfig,
        NodePoolConfig,
        VolumeConfig,
        ClusterNetworkConfig,
        GpuOperatorConfig,
    ]
    missing = {
        f"{model.__name__}.{field.alias}"
        for model in models
        for field in model.model_fields.values()
        if f"`{field.alias}`" not in rows and f"vsphere.{field.alias}`" not in rows
    }
    assert missing == set()
