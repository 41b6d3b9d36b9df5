"""Every component's type token is in the URN of the component and of all its children: changing one
would make `pulumi up` replace everything under it. Each is written once, as the class's TYPE_TOKEN."""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re

import pulumi

import components
from components.eks_outposts import iam as eks_iam
from components.foundations import accounts
from components.tkg.iam import ClusterIam
from components.tkg.workload_accounts import WorkloadAccount

# The tokens users' stacks hold today: add a new component's here; never change or remove one.
SHIPPED_TOKENS = {
    "tkg-aws:assume_grants:AssumeWorkloadRoles",
    "tkg-aws:cross_account:WorkloadAccount",
    "tkg-aws:eksOutposts:ClusterAccess",
    "tkg-aws:eksOutposts:LocalCluster",
    "tkg-aws:eksOutposts:LocalClusterIam",
    "tkg-aws:eksOutposts:SelfManagedNodes",
    "tkg-aws:gpu_operator:GpuOperatorAddon",
    "tkg-aws:iam:ClusterIam",
    "tkg-aws:identities:ClusterIdentities",
    "tkg-aws:index:EksLocalCluster",
    "tkg-aws:index:Network",
    "tkg-aws:index:OpenShiftCluster",
    "tkg-aws:index:TkgAccount",
    "tkg-aws:index:VsphereTkgService",
    "tkg-aws:key_pairs:KeyPairs",
    "tkg-aws:network:Network",
    "tkg-aws:openshift:ApiLoadBalancers",
    "tkg-aws:openshift:ClusterDns",
    "tkg-aws:openshift:ClusterMachines",
    "tkg-aws:openshift:ClusterSecurityGroups",
    "tkg-aws:openshift:IgnitionBucket",
    "tkg-aws:openshift:MachineIam",
    "tkg-aws:openshift:SharedSubnetTags",
    "tkg-aws:vsphere:ClusterGpuOperator",
    "tkg-aws:vsphere:Supervisor",
    "tkg-aws:vsphere:SupervisorNamespaces",
    "tkg-aws:vsphere:TkgClusters",
    "tkg-aws:vsphere:VmClasses",
}


# The package's components share this base, which registers nothing of its own.
BASES = {"PlatformComponent"}


def _component_classes() -> list[type[pulumi.ComponentResource]]:
    """Every ComponentResource class defined in components/, bases aside."""
    found = []
    for module in pkgutil.walk_packages(components.__path__, "components."):
        for name, cls in inspect.getmembers(importlib.import_module(module.name), inspect.isclass):
            if issubclass(cls, pulumi.ComponentResource) and cls.__module__ == module.name and name not in BASES:
                found.append(cls)
    return found


def test_every_component_has_its_own_token_naming_its_class_and_the_shipped_tokens_stay() -> None:
    # A class without a token of its own would register under one written elsewhere, or its base's.
    tokens = [(cls, vars(cls).get("TYPE_TOKEN", "")) for cls in _component_classes()]
    assert [(cls, token) for cls, token in tokens if not re.fullmatch(rf"tkg-aws:\w+:{cls.__name__}", token)] == []
    assert sorted(token for _, token in tokens) == sorted(SHIPPED_TOKENS)


def test_the_tokens_written_out_below_the_platforms_are_the_components_own() -> None:
    """Layers that cannot import a platform name its former parents' tokens as text."""
    assert eks_iam.FORMER_PARENT_TYPE == ClusterIam.TYPE_TOKEN
    assert accounts.FORMER_WORKLOAD_PROVIDER_PARENT == WorkloadAccount.TYPE_TOKEN
