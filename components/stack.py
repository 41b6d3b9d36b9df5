"""Composition root: a validated StackConfig in, foundations and platforms built, the outputs out.

`__main__.py` (for `pulumi up`) and tools/plan/program.py (for the offline plan and the tests) both
call `build()`, so what reviewers and tests see is what the CLI deploys. This module composes
only: the foundations every platform stands on (one pinned provider per account, the network,
the management cluster's provider, and the key pair where a platform uses one), then each platform
the config turns on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pulumi

from components.eks_outposts.platform import eks_outposts_platform, outpost_network
from components.foundations.accounts import AccountProviders, account_providers
from components.foundations.args import key_pairs_args
from components.foundations.key_pairs import KeyPairs, unused_key_pair_note, uses_key_pair
from components.foundations.management_cluster import management_cluster_provider
from components.foundations.network import Network, NetworkArgs
from components.openshift.platform import openshift_platform
from components.stack_config.models import StackConfig
from components.tkg.platform import tkg_platform
from components.vsphere.platform import vsphere_platform


def build(config: StackConfig, iam_shared_with: Sequence[str] = ()) -> dict[str, Any]:
    """Create every resource of the stack and return its outputs, keyed by output name.

    `iam_shared_with` names the other stacks of this account that use this stack's TKG IAM set
    (their iam.ownedByStack): it then stays in the account when this stack is destroyed.
    """
    outputs: dict[str, Any] = {"region": config.region, "environment": config.environment}
    providers = account_providers(config)
    in_management = pulumi.ResourceOptions(providers=[providers.management])
    kubernetes = management_cluster_provider("management-cluster", config)
    network = stack_network(config, providers)
    outputs["network"] = network.outputs
    for note in unused_key_pair_note(config):
        pulumi.log.info(note)
    key_pair = None
    if uses_key_pair(config):
        key_pair = KeyPairs("key-pair", key_pairs_args(config), opts=in_management)
        outputs["keyPair"] = key_pair.outputs()
        if key_pair.private_key_pem is not None:
            # Its own top-level output: a secret inside `keyPair` would make the whole group secret.
            outputs["keyPairPrivateKey"] = key_pair.private_key_pem
    if config.tkg.enabled and key_pair is not None:  # TKG's machines are what uses the key pair
        outputs |= tkg_platform(config, providers, network.outputs, key_pair, kubernetes, iam_shared_with)
    if config.eks_local_cluster is not None:
        outputs["eksLocalCluster"], outputs["eksLocalClusterKubeconfig"] = eks_outposts_platform(
            config, network.outputs, providers
        )
    if config.openshift is not None:
        outputs["openshift"] = openshift_platform(config, providers, network.outputs)
    if config.vsphere is not None:
        outputs["vsphere"] = vsphere_platform(config)
    outputs["managementAccountId"] = config.management_cluster.account_id
    return outputs


def stack_network(config: StackConfig, providers: AccountProviders) -> Network:
    """The network every platform of the config stands on, in the management account."""
    args = outpost_network(NetworkArgs.from_config(config), config)
    return Network("network", args, opts=pulumi.ResourceOptions(providers=[providers.management]))
