"""The vSphere TKG Service platform as a user would meet it: what vCenter and the Supervisor receive,
checked against VM Operator's CRD, the ClusterClass variables of each generation, Cluster API's
topology rules and NVIDIA AI Enterprise's procedure; and what each day-2 change does."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from components.vsphere.cluster_objects import RESOLVE_OS_IMAGE
from components.vsphere.report import vsphere_report
from tests.conftest import DATA, plan, stack_file
from tests.transitions import Transition, revealed
from tools.diagrams.markdown import vsphere_mermaid
from tools.plan.command import kubernetes_objects, resources_document, write_plan
from tools.plan.program import ProgramRun
from tools.preflight.vsphere import vsphere_rows
from tools.review.plan_diff import diff_plans

VSPHERE_DATA = DATA / "vsphere"
VM_CLASS = "vsphere:index/virtualMachineClass:VirtualMachineClass"
NAMESPACE = "vsphere:index/namespace:Namespace"
SUPERVISOR = "vsphere:index/supervisorV2:SupervisorV2"
CLUSTER = "kubernetes:cluster.x-k8s.io/v1beta1:Cluster"
TKC = "kubernetes:run.tanzu.vmware.com/v1alpha3:TanzuKubernetesCluster"
RELEASE = "kubernetes:helm.sh/v3:Release"
NGC_KEY, TOKEN = "ngc-key-not-a-real-one", "nls-token-not-a-real-one"
ZONES = ["zone-a", "zone-b", "zone-c"]
KUBE_SEMVER = re.compile(r"^v(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)([-0-9a-zA-Z_.+]*)?$")  # Cluster API's webhook
LABEL_VALUE = re.compile(r"^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")
VARIABLES = json.loads((VSPHERE_DATA / "clusterclass-variables.json").read_text())


def shipped_raw() -> dict[str, Any]:
    return copy.deepcopy(stack_file("vsphere")[0])


def applied_raw() -> dict[str, Any]:
    """The shipped stack applied to a zonal Supervisor, with the GPU operator, a TanzuKubernetesCluster
    and a cluster on the flat-variable class."""
    raw = shipped_raw()
    vs = raw["vsphere"]
    vs["supervisor"].pop("renderYamlToDirectory")
    vs["supervisor"] |= {"kubeconfig": "apiVersion: v1\nkind: Config\n", "zones": ZONES}
    gpu = vs["clusters"][0]
    gpu["gpuOperator"] = {"chartVersion": "v25.10.0", "ngcApiKey": NGC_KEY, "licensingToken": TOKEN}
    gpu["nodePools"][0]["failureDomain"] = "zone-a"
    vs["clusters"].append(
        {
            "name": "legacy",
            "namespace": "ml-team",
            "api": "tanzuKubernetesCluster",
            "version": "v1.26.5+vmware.2-fips.1-tkg.1",
            "vmClass": "general-4c16g",
            "storageClass": "vsan-default-storage-policy",
            "controlPlane": {"replicas": 1},
            "nodePools": [{"name": "np-gpu", "vmClass": "vgpu-a100-40c", "failureDomain": "zone-b"}],
        }
    )
    vs["clusters"].append(
        {
            "name": "flat",
            "namespace": "ml-team",
            "clusterClass": "builtin-generic-v3.1.0",
            "version": "v1.30.1+vmware.1-fips-vkr.1",
            "vmClass": "general-4c16g",
            "storageClass": "vsan-default-storage-policy",
            "controlPlane": {"volumes": [{"name": "etcd", "mountPath": "/var/lib/etcd", "capacity": "4Gi"}]},
            "variables": {"ntp": "pool.ntp.org"},
            "network": {"cni": "calico"},
            "nodePools": [
                {
                    "name": "np-a",
                    "replicas": 2,
                    "labels": {"tier": "web"},
                    "taints": [{"key": "dedicated", "value": "web", "effect": "NoSchedule"}],
                    "volumes": [{"name": "data", "mountPath": "/data", "capacity": "20Gi"}],
                }
            ],
        }
    )
    return raw


@pytest.fixture(scope="module")
def shipped() -> ProgramRun:
    return plan(shipped_raw(), stack="vsphere")


@pytest.fixture(scope="module")
def applied() -> ProgramRun:
    return plan(applied_raw(), stack="vsphere", secret_paths={"vsphere"})


def objects(run: ProgramRun, kind: str) -> list[dict[str, Any]]:
    return [o for o in kubernetes_objects(run) if o["kind"] == kind]


def by_name(run: ProgramRun, kind: str, name: str) -> dict[str, Any]:
    return next(o for o in objects(run, kind) if o["metadata"]["name"] == name)


def variable_names(cluster: dict[str, Any]) -> set[str]:
    topology = cluster["spec"]["topology"]
    names = {v["name"] for v in topology.get("variables", [])}
    names |= {v["name"] for v in topology["controlPlane"].get("variables", {}).get("overrides", [])}
    for deployment in topology["workers"]["machineDeployments"]:
        names |= {v["name"] for v in deployment.get("variables", {}).get("overrides", [])}
    return names


# --- vCenter side ------------------------------------------------------------------------------
def test_every_vsphere_object_is_named_as_the_config_says(shipped: ProgramRun) -> None:
    config = shipped.config.vsphere
    assert {r.inputs["name"] for r in shipped.of_type(VM_CLASS)} == {c.name for c in config.vm_classes}
    assert {r.inputs["name"] for r in shipped.of_type(NAMESPACE)} == {n.name for n in config.namespaces}


@pytest.mark.parametrize("release", ["v1.8.6", "v1.10.0"])
def test_each_vm_class_is_one_vm_operator_accepts(shipped: ProgramRun, release: str) -> None:
    crd = yaml.safe_load((VSPHERE_DATA / f"vm-operator-{release}-virtualmachineclasses.yaml").read_text())
    storage = next(v for v in crd["spec"]["versions"] if v.get("storage"))
    spec_schema = storage["schema"]["openAPIV3Schema"]["properties"]["spec"]
    for reg in shipped.of_type(VM_CLASS):
        inputs = reg.inputs
        # The class as the Supervisor mirrors it into each namespace it is bound to.
        mirrored = {"hardware": {"cpus": inputs["cpus"], "memory": f"{inputs['memory']}Mi"}}
        if inputs.get("vgpuDevices"):
            mirrored["hardware"]["devices"] = {"vgpuDevices": [{"profileName": p} for p in inputs["vgpuDevices"]]}
            assert inputs["memoryReservation"] == 100, "a vGPU class must reserve all its memory"
            assert len(set(inputs["vgpuDevices"])) == len(inputs["vgpuDevices"])  # a list map keyed by profileName
        jsonschema.validate(mirrored, spec_schema)
        assert re.fullmatch(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?", inputs["name"])
        assert inputs["memory"] % 4 == 0


def test_the_vgpu_class_carries_the_esxi_profile(shipped: ProgramRun) -> None:
    gpu = shipped.named(VM_CLASS, "vsphere-vm-classes-vgpu-a100-40c").inputs
    assert gpu["vgpuDevices"] == ["grid_a100-40c"] and gpu["memoryReservation"] == 100


def test_a_namespace_binds_its_classes_and_policies_and_is_never_replaced_by_accident(shipped: ProgramRun) -> None:
    reg = shipped.named(NAMESPACE, "vsphere-namespaces-ml-team")
    assert reg.inputs["supervisor"] == shipped.config.vsphere.supervisor.id
    assert reg.inputs["storagePolicies"] == ["aa6d5a82-1c88-45da-85d3-3d74b91a5bad"]
    assert len(reg.inputs["vmServices"]) == 1  # the provider reads only the first entry
    assert reg.inputs["vmServices"][0]["vmClasses"] == ["general-4c16g", "vgpu-a100-40c", "best-effort-small"]
    assert reg.options["protect"] is True
    assert reg.options["replaceOnChanges"] == ["name", "supervisor"]
    classes = {r.urn for r in shipped.of_type(VM_CLASS)}
    assert classes <= set(reg.depends_on), "a namespace binds a class only once vCenter has it"


def with_created_supervisor(raw: dict[str, Any]) -> dict[str, Any]:
    spec = {
        "name": "sv-ml",
        "cluster": "domain-c10",
        "controlPlane": {"network": {"backing": {"network": "dvportgroup-20"}}, "size": "SMALL"},
        "workloads": {"network": {"vsphere": {"dvpg": "dvportgroup-21"}}, "edge": {"haproxy": {}}},
    }
    del raw["vsphere"]["supervisor"]["id"]
    raw["vsphere"]["supervisor"]["create"] = {"enabled": True, "spec": spec}
    return raw


def test_a_created_supervisor_is_protected_and_feeds_the_namespaces() -> None:
    run = plan(with_created_supervisor(shipped_raw()), stack="vsphere")
    (supervisor,) = run.of_type(SUPERVISOR)
    assert supervisor.options["protect"] is True
    assert supervisor.inputs["name"] == "sv-ml" and supervisor.inputs["cluster"] == "domain-c10"
    assert supervisor.inputs["controlPlane"]["network"]["backing"]["network"] == "dvportgroup-20"
    assert run.of_type(NAMESPACE)[0].inputs["supervisor"] == supervisor.id


# --- Supervisor side: clusters ---------------------------------------------------------------------
@pytest.mark.parametrize("name", ["ml-gpu", "flat"])
def test_cluster_variables_are_the_class_generations_own(applied: ProgramRun, name: str) -> None:
    cluster = by_name(applied, "Cluster", name)
    class_name = cluster["spec"]["topology"]["class"]
    generation = next(g for g, v in VARIABLES["generations"].items() if class_name in v["classes"])
    allowed = set(VARIABLES["generations"][generation]["variables"])
    names = variable_names(cluster)
    assert names <= allowed, names - allowed
    cluster_level = {v["name"] for v in cluster["spec"]["topology"]["variables"]}
    assert set(VARIABLES["required"]) <= cluster_level


def test_volume_capacity_has_each_generations_shape(applied: ProgramRun) -> None:
    def volumes(cluster: dict[str, Any]) -> list[dict[str, Any]]:
        found = []
        topology = cluster["spec"]["topology"]
        overrides = [
            o for d in topology["workers"]["machineDeployments"] for o in d.get("variables", {}).get("overrides", [])
        ]
        overrides += topology["controlPlane"].get("variables", {}).get("overrides", []) + topology["variables"]
        for variable in overrides:
            if variable["name"] in ("volumes", "nodePoolVolumes", "controlPlaneVolumes"):
                found += variable["value"]
        return found

    nested, flat = volumes(by_name(applied, "Cluster", "ml-gpu")), volumes(by_name(applied, "Cluster", "flat"))
    assert nested and all(isinstance(v["capacity"], str) for v in nested)
    assert flat and all(set(v["capacity"]) == {"storage"} for v in flat)
    assert all({"name", "mountPath", "storageClass", "capacity"} <= set(v) for v in nested + flat)


def test_cluster_topology_fits_cluster_apis_rules(applied: ProgramRun) -> None:
    for cluster in objects(applied, "Cluster"):
        topology = cluster["spec"]["topology"]
        assert KUBE_SEMVER.match(topology["version"]) and "---" not in topology["version"]
        assert topology["controlPlane"]["replicas"] in (1, 3)
        deployments = topology["workers"]["machineDeployments"]
        assert len({d["name"] for d in deployments}) == len(deployments)
        for deployment in deployments:
            assert deployment["class"] == "node-pool"
            assert LABEL_VALUE.match(deployment["name"])
            assert deployment.get("failureDomain", ZONES[0]) in ZONES
        assert LABEL_VALUE.match(cluster["metadata"]["name"])


def test_the_gpu_pool_resolves_ubuntu_on_its_vgpu_class_with_the_drivers_volumes(shipped: ProgramRun) -> None:
    deployments = by_name(shipped, "Cluster", "ml-gpu")["spec"]["topology"]["workers"]["machineDeployments"]
    gpu = next(d for d in deployments if d["name"] == "np-gpu")
    assert "os-name=ubuntu" in gpu["metadata"]["annotations"][RESOLVE_OS_IMAGE]
    overrides = {o["name"]: o["value"] for o in gpu["variables"]["overrides"]}
    assert overrides["vmClass"] == "vgpu-a100-40c"
    assert {v["mountPath"]: v["capacity"] for v in overrides["volumes"]} == {
        "/var/lib/containerd": "50Gi",
        "/var/lib/kubelet": "50Gi",
    }
    general = next(d for d in deployments if d["name"] == "np-general")
    assert "vmClass" not in {o["name"] for o in general.get("variables", {}).get("overrides", [])}


def test_the_older_api_names_the_tkr_object_and_takes_one_os_image(applied: ProgramRun) -> None:
    tkc = by_name(applied, "TanzuKubernetesCluster", "legacy")
    assert tkc["apiVersion"] == "run.tanzu.vmware.com/v1alpha3"
    assert tkc["metadata"]["annotations"][RESOLVE_OS_IMAGE] == "os-name=ubuntu"  # its vGPU pool needs Ubuntu
    topology = tkc["spec"]["topology"]
    assert topology["controlPlane"]["tkr"] == {"reference": {"name": "v1.26.5---vmware.2-fips.1-tkg.1"}}
    (pool,) = topology["nodePools"]
    assert pool["tkr"]["reference"]["name"] == "v1.26.5---vmware.2-fips.1-tkg.1" and "name" not in pool["tkr"]
    assert pool["failureDomain"] == "zone-b" and "failureDomain" not in topology["controlPlane"]
    assert all(set(v["capacity"]) == {"storage"} for v in pool["volumes"])
    assert tkc["spec"]["settings"]["network"]["cni"] == {"name": "antrea"}


def test_calico_on_a_cluster_v1beta1_comes_from_a_cluster_bootstrap_made_first(applied: ProgramRun) -> None:
    bootstrap = by_name(applied, "ClusterBootstrap", "flat")
    assert bootstrap["metadata"]["namespace"] == "ml-team"
    assert bootstrap["metadata"]["annotations"] == {
        "tkg.tanzu.vmware.com/add-missing-fields-from-tkr": "v1.30.1---vmware.1-fips-vkr.1"
    }
    assert bootstrap["spec"]["cni"]["refName"] == "calico*"
    assert bootstrap["spec"]["cni"]["valuesFrom"]["providerRef"] == {
        "apiGroup": "cni.tanzu.vmware.com",
        "kind": "CalicoConfig",
        "name": "flat",
    }
    assert by_name(applied, "CalicoConfig", "flat")["metadata"]["namespace"] == "ml-team"
    cluster = applied.named(CLUSTER, "vsphere-clusters-ml-team-flat")
    parts = {r.urn for r in applied.registrations.values() if r.name.startswith("vsphere-clusters-ml-team-flat-")}
    assert len(parts) == 2 and parts <= set(cluster.depends_on)
    assert [o["metadata"]["name"] for o in objects(applied, "ClusterBootstrap")] == ["flat"]  # Antrea needs none


def test_applied_clusters_wait_until_ready_and_rendered_ones_do_not(shipped: ProgramRun, applied: ProgramRun) -> None:
    for run, expected in ((applied, "condition=Ready"), (shipped, None)):
        clusters = run.of_type(CLUSTER) + run.of_type(TKC)
        assert clusters
        for reg in clusters:
            annotations = reg.inputs["metadata"].get("annotations", {})
            assert annotations.get("pulumi.com/waitFor") == expected


# --- GPU operator ------------------------------------------------------------------------------------
def test_the_gpu_operator_follows_nvidia_ai_enterprises_procedure(applied: ProgramRun) -> None:
    (release,) = applied.of_type(RELEASE)
    assert release.inputs["chart"] == "gpu-operator" and release.inputs["version"] == "v25.10.0"
    repository = revealed(release.inputs["repositoryOpts"])  # a secret as a whole: it holds the NGC key
    assert repository["repo"] == "https://helm.ngc.nvidia.com/nvaie" and repository["username"] == "$oauthtoken"
    assert repository["password"] == NGC_KEY
    assert release.inputs["namespace"] == "gpu-operator"
    licensing = release.inputs["values"]["driver"]["licensingConfig"]
    assert licensing["nlsEnabled"] is True and re.fullmatch(r"licensing-config-[0-9a-f]{8}", licensing["secretName"])
    namespace = next(o for o in objects(applied, "Namespace") if o["metadata"]["name"] == "gpu-operator")
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "privileged"
    secrets = {r.inputs["metadata"]["name"]: r for r in applied.of_type("kubernetes:core/v1:Secret")}
    assert secrets["ngc-secret"].inputs["type"] == "kubernetes.io/dockerconfigjson"
    licence = revealed(secrets[licensing["secretName"]].inputs["stringData"])  # a secret as a whole
    assert licence == {"gridd.conf": "", "client_configuration_token.tok": TOKEN}
    # Everything goes through the cluster's own provider, made from its kubeconfig Secret.
    assert {release.provider, secrets["ngc-secret"].provider} == {
        next(urn for urn, r in applied.registrations.items() if r.name == "vsphere-gpu-ml-gpu-cluster")
    }


def test_no_gpu_secret_or_kubeconfig_appears_in_the_plan(applied: ProgramRun, tmp_path: Path) -> None:
    write_plan(applied, tmp_path)
    text = "".join(p.read_text() for p in tmp_path.iterdir() if p.is_file())
    text += json.dumps(resources_document(applied)) + json.dumps(applied.outputs)
    for secret in (NGC_KEY, TOKEN, "kind: Config"):
        assert secret not in text


def test_a_chart_before_v25_10_reads_the_licence_from_a_config_map() -> None:
    raw = applied_raw()
    raw["vsphere"]["clusters"][0]["gpuOperator"]["chartVersion"] = "v24.9.2"
    run = plan(raw, stack="vsphere", secret_paths={"vsphere"})
    (release,) = run.of_type(RELEASE)
    licensing = release.inputs["values"]["driver"]["licensingConfig"]
    assert set(licensing) == {"configMapName", "nlsEnabled"}
    assert [r.inputs["metadata"]["name"] for r in run.of_type("kubernetes:core/v1:ConfigMap")] == [
        licensing["configMapName"]
    ]


# --- outputs and plan file ---------------------------------------------------------------------------
def test_outputs_tell_app_teams_how_to_reach_each_cluster(shipped: ProgramRun) -> None:
    out = shipped.outputs["vsphere"]
    cluster = out["clusters"]["ml-gpu"]
    assert cluster["login"].startswith("kubectl vsphere login --server 192.168.100.10")
    assert cluster["kubeconfigSecret"] == "ml-team/ml-gpu-kubeconfig"
    assert cluster["nodePools"]["np-gpu"]["gpu"] is True
    assert out["namespaces"]["ml-team"]["storageClasses"] == ["vsan-default-storage-policy"]
    assert any("best-effort-small" in step for step in out["steps"]), "a class the stack does not create is a step"
    assert any("permissions" in step for step in out["steps"])


def test_the_plan_writes_a_vsphere_file_and_the_clusters_yaml(shipped: ProgramRun, tmp_path: Path) -> None:
    write_plan(shipped, tmp_path)
    written = yaml.safe_load((tmp_path / "vsphere-tkg.yaml").read_text())
    assert written["clusters"]["ml-gpu"]["namespace"] == "ml-team"
    manifests = list(yaml.safe_load_all((tmp_path / "manifests.yaml").read_text()))
    assert [m["kind"] for m in manifests] == ["Cluster"]


# --- day-2 changes -----------------------------------------------------------------------------------
def changed(change) -> Transition:
    before = shipped_raw()
    after = shipped_raw()
    change(after["vsphere"])
    return Transition(plan(before, stack="vsphere"), plan(after, stack="vsphere"))


CLUSTER_INPUTS = {(CLUSTER, "spec.topology.workers.machineDeployments"), (CLUSTER, "spec.topology.version")}


def never_replaces_a_namespace_or_supervisor(transition: Transition) -> None:
    hit = [c for c in transition.of_kind("replaced", "removed") if c.type in (NAMESPACE, SUPERVISOR, CLUSTER)]
    assert hit == []


def test_adding_a_node_pool_updates_only_the_clusters_pool_list() -> None:
    t = changed(lambda vs: vs["clusters"][0]["nodePools"].append({"name": "np-extra", "replicas": 1}))
    assert [(c.kind, c.type) for c in t.of_kind("changed", "added", "removed", "replaced")] == [("changed", CLUSTER)]
    assert t.problems(may_update=CLUSTER_INPUTS) == []
    never_replaces_a_namespace_or_supervisor(t)


def test_scaling_a_pool_updates_only_the_clusters_pool_list() -> None:
    t = changed(lambda vs: vs["clusters"][0]["nodePools"][0].update(replicas=5))
    assert [c.changes for c in t.of_kind("changed")] == [("inputs.spec.topology.workers.machineDeployments",)]
    assert t.problems(may_update=CLUSTER_INPUTS) == []


def test_bumping_the_tkr_version_updates_only_the_version() -> None:
    t = changed(lambda vs: vs["clusters"][0].update(version="v1.34.1+vmware.1-fips-vkr.1"))
    assert [c.changes for c in t.of_kind("changed")] == [("inputs.spec.topology.version",)]
    assert t.dangers() == []


def test_adding_a_namespace_adds_it_and_touches_nothing_else() -> None:
    def add(vs: dict[str, Any]) -> None:
        vs["namespaces"].append(
            {
                "name": "web-team",
                "storagePolicies": [
                    {"id": "aa6d5a82-1c88-45da-85d3-3d74b91a5bad", "storageClass": "vsan-default-storage-policy"}
                ],
                "vmClasses": ["general-4c16g"],
            }
        )

    t = changed(add)
    assert [(c.kind, c.type, c.name) for c in t.of_kind("added")] == [
        ("added", NAMESPACE, "vsphere-namespaces-web-team")
    ]
    assert t.of_kind("changed", "removed", "replaced") == []


def test_renaming_a_namespace_is_a_protected_replacement_the_harness_names() -> None:
    t = changed(
        lambda vs: vs["namespaces"][0].update(name="ml-team-2") or vs["clusters"][0].update(namespace="ml-team-2")
    )
    assert any(c.type == NAMESPACE and c.danger == "protected" for c in t.dangers())


def test_the_offline_diff_keys_pools_by_name_and_warns_of_a_namespace_replacement(tmp_path: Path) -> None:
    before, after = shipped_raw(), shipped_raw()
    after["vsphere"]["clusters"][0]["nodePools"].insert(0, {"name": "np-first", "replicas": 1})
    after["vsphere"]["namespaces"][0]["storagePolicies"][0]["id"] = "11111111-2222-3333-4444-555555555555"
    old, new = plan(before, stack="vsphere"), plan(after, stack="vsphere")
    text = diff_plans(resources_document(old), resources_document(new))
    assert "machineDeployments[name=np-first]" in text
    assert "machineDeployments[name=np-gpu].replicas" not in text, "the other pools did not change"
    renamed = shipped_raw()
    renamed["vsphere"]["namespaces"][0]["name"] = "ml-team-2"
    renamed["vsphere"]["clusters"][0]["namespace"] = "ml-team-2"
    text = diff_plans(resources_document(old), resources_document(plan(renamed, stack="vsphere")))
    assert "deletes every TKG cluster in it" not in text  # a rename is a new URN: added and removed
    supervisor = shipped_raw()
    supervisor["vsphere"]["supervisor"]["id"] = "domain-c99:other"
    text = diff_plans(resources_document(old), resources_document(plan(supervisor, stack="vsphere")))
    assert "**replaces the namespace: deletes every TKG cluster in it**" in text


def test_the_diagram_draws_namespaces_clusters_and_vgpu_pools(shipped: ProgramRun) -> None:
    chart = vsphere_mermaid(resources_document(shipped))
    assert "vSphere Namespace ml-team" in chart
    assert "np-gpu × 1<br/>vgpu-a100-40c (vGPU)" in chart
    assert vsphere_mermaid({"resources": []}) == ""


def fake_vcenter(**overrides: Any):
    answers = {
        "/api/vcenter/namespace-management/supervisors/summaries": [
            {
                "supervisor": "domain-c10:7d3a5e1c-2f4b-4c8e-9a61-0b5d2e7f8a93",
                "info": {"name": "sv", "config_status": "RUNNING"},
            }
        ],
        "/api/vcenter/namespace-management/virtual-machine-classes": [{"id": "best-effort-small"}],
        "/api/vcenter/namespaces/instances": [{"namespace": "other"}],
        "/api/vcenter/storage/policies": [{"policy": "aa6d5a82-1c88-45da-85d3-3d74b91a5bad", "name": "vSAN Default"}],
        "/api/content/library": ["lib-1"],
        "/api/content/library/lib-1": {"name": "tkr-subscribed"},
    } | overrides

    def get(path: str) -> Any:
        answer = answers[path]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return get


def test_preflight_passes_on_a_vcenter_that_has_what_the_stack_assumes(shipped: ProgramRun) -> None:
    rows = vsphere_rows(shipped.config.vsphere, fake_vcenter())
    assert [r.status for r in rows] == ["ok"] * len(rows), rows


def test_preflight_names_what_is_missing_or_taken_and_fails_closed(shipped: ProgramRun) -> None:
    rows = vsphere_rows(
        shipped.config.vsphere,
        fake_vcenter(
            **{
                "/api/vcenter/namespace-management/virtual-machine-classes": [{"id": "general-4c16g"}],
                "/api/vcenter/namespaces/instances": [{"namespace": "ml-team"}],
                "/api/vcenter/storage/policies": OSError("403 Forbidden"),
                "/api/content/library/lib-1": {"name": "other"},
            }
        ),
    )
    failed = {(r.check, r.details.split(":")[0]) for r in rows if r.status == "fail"}
    assert ("VM class general-4c16g", "exists already") in failed
    assert ("VM class best-effort-small", "bound by a namespace but not in vCenter") in failed
    assert ("namespaces", "exist already") in failed
    assert ("storage policies", "could not check") in failed
    assert any(r.check == "TKR library" and r.status == "fail" for r in rows)


def test_bumping_a_calico_clusters_tkr_leaves_its_bootstrap_to_the_controller() -> None:
    def calico(raw: dict[str, Any], version: str) -> dict[str, Any]:
        raw["vsphere"]["clusters"][0] |= {"network": {"cni": "calico"}, "version": version}
        return raw

    before = plan(calico(shipped_raw(), "v1.33.1+vmware.1-fips-vkr.2"), stack="vsphere")
    after = plan(calico(shipped_raw(), "v1.34.1+vmware.1-fips-vkr.1"), stack="vsphere")
    t = Transition(before, after)
    assert [(c.type, c.changes) for c in t.of_kind("changed")] == [(CLUSTER, ("inputs.spec.topology.version",))]
    assert t.of_kind("replaced", "removed", "added") == []


def test_day_2_changes_on_a_stack_that_created_its_supervisor_leave_the_supervisor_alone() -> None:
    before = plan(with_created_supervisor(shipped_raw()), stack="vsphere")
    raw = with_created_supervisor(shipped_raw())
    raw["vsphere"]["clusters"][0]["nodePools"].append({"name": "np-extra"})
    raw["vsphere"]["vmClasses"].append({"name": "large-8c32g", "cpus": 8, "memoryMiB": 32768})
    raw["vsphere"]["namespaces"][0]["vmClasses"].append("large-8c32g")
    t = Transition(before, plan(raw, stack="vsphere"))
    assert [c.kind for c in t.changes if c.type == SUPERVISOR] == ["same"]
    assert [c.kind for c in t.changes if c.type == NAMESPACE] == ["changed"]  # one more class bound, in place
    assert t.dangers() == []


def test_only_the_operators_namespace_carries_the_privileged_pod_security_labels(applied: ProgramRun) -> None:
    secrets = applied.of_type("kubernetes:core/v1:Secret")
    assert secrets
    for reg in secrets:
        assert not any(key.startswith("pod-security") for key in reg.inputs["metadata"]["labels"])
        assert reg.inputs["metadata"]["labels"] == {"app.kubernetes.io/managed-by": "tkg-aws"}


def test_the_summary_warns_of_what_is_accepted_but_likely_not_meant() -> None:
    raw = shipped_raw()
    raw["vsphere"]["vmClasses"][1]["vgpuProfiles"] = ["grid_a100-40q"]
    raw["vsphere"]["clusters"][0] |= {"osImage": None, "controlPlane": {"replicas": 1}}
    del raw["vsphere"]["clusters"][0]["osImage"]
    lines = "\n".join(vsphere_report(plan(raw, stack="vsphere").config.vsphere))
    assert "WARNING vsphere: VM class vgpu-a100-40c: vGPU profile grid_a100-40q is not a compute (C) profile" in lines
    assert "WARNING vsphere: cluster ml-gpu: one control-plane node" in lines
    assert "WARNING vsphere: cluster ml-gpu: resolve-os-image 'os-name=ubuntu' does not pin os-version" in lines
    shipped_lines = "\n".join(vsphere_report(plan(shipped_raw(), stack="vsphere").config.vsphere))
    assert "WARNING" not in shipped_lines
    assert "3 × general-4c16g (4 vCPU, 16384 MiB) control plane" in shipped_lines
    assert "1 × vgpu-a100-40c (16 vCPU, 131072 MiB, vGPU grid_a100-40c) pool np-gpu" in shipped_lines


def test_a_new_licence_token_is_a_new_licence_object_and_rolls_the_chart() -> None:
    rotated = applied_raw()
    rotated["vsphere"]["clusters"][0]["gpuOperator"]["licensingToken"] = "a-new-token"
    before = plan(applied_raw(), stack="vsphere", secret_paths={"vsphere"})
    t = Transition(before, plan(rotated, stack="vsphere", secret_paths={"vsphere"}))
    (replaced,) = t.of_kind("replaced")
    assert replaced.name == "vsphere-gpu-ml-gpu-licensing" and "inputs.metadata.name" in replaced.reasons
    assert [(c.type, c.changes) for c in t.of_kind("changed")] == [
        (RELEASE, ("inputs.values.driver.licensingConfig.secretName",))
    ]
    assert t.of_kind("added", "removed") == []
