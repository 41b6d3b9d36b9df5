"""The foundations' component Args from the stack config: the management account's key pair.

The network's Args are still NetworkArgs.from_config (network.py) with the Outpost subnet and
endpoints components/eks_outposts/platform.py adds; the accounts' providers and the management
cluster's provider take the config directly (accounts.py, management_cluster.py): they are no
component.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from components.foundations.key_pairs import KeyPairsArgs

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig


def key_pairs_args(config: StackConfig) -> KeyPairsArgs:
    """The management account's key pair, as keyPair says."""
    key_pair = config.key_pair
    return KeyPairsArgs(
        key_name=config.key_pair_name, public_key=key_pair.public_key, retain_on_delete=key_pair.adopted
    )
