"""KeyPairs: the EC2 key pair TKG/CAPA machines are launched with, in one account.

Only TKG launches machines with an EC2 key pair: OpenShift's machines take the SSH key of
install-config.yaml through Ignition, EKS local cluster nodes none. A stack without TKG gets no key
pair, and a `keyPair` section there is ignored with a note (`uses_key_pair`, `unused_key_pair_note`).

Imports an OpenSSH RSA public key (`keyPair.publicKey`, validated as RSA >= 2048 bits in config)
or, when none is given, generates an RSA 4096 key with pulumi-tls and imports its public half.
A generated private key leaves the stack only as a secret (`private_key_pem`): pulumi-tls marks
it secret in state, and we wrap it again so no caller can export it in the clear.

Reuse across accounts: pass another KeyPairs' `public_key_openssh` as `public_key` with
that account's provider, and the same key opens machines in both accounts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import pulumi
import pulumi_aws as aws
import pulumi_tls as tls

if TYPE_CHECKING:
    from components.stack_config.models import StackConfig


GENERATED_RSA_BITS = 4096


@dataclass(frozen=True, kw_only=True)
class KeyPairsArgs:
    key_name: str
    """EC2 key pair name (TKG's AWS_SSH_KEY_NAME)."""
    public_key: pulumi.Input[str] | None = None
    """OpenSSH RSA public key to import. Default: none, generate an RSA 4096 key pair."""
    retain_on_delete: bool = False
    """Leave the key pair in the account when it leaves the stack (it existed before). Default: false."""


def uses_key_pair(config: StackConfig) -> bool:
    """Whether a platform of the stack launches machines with the EC2 key pair (TKG's do)."""
    return config.tkg.enabled


def unused_key_pair_note(config: StackConfig) -> list[str]:
    """A note when the stack sets keyPair but no platform of it uses a key pair."""
    if uses_key_pair(config) or "key_pair" not in config.model_fields_set:
        return []
    return [
        (
            "note keyPair: ignored: no platform of this stack launches machines with an EC2 key pair (TKG does; "
            "OpenShift takes install-config.yaml's sshKey, EKS local cluster nodes none)"
        )
    ]


class KeyPairs(pulumi.ComponentResource):
    """One account's EC2 key pair, imported or generated."""

    TYPE_TOKEN = "tkg-aws:key_pairs:KeyPairs"

    key_pair: aws.ec2.KeyPair
    private_key: tls.PrivateKey | None
    """The generated key; None when a public key was given."""
    public_key_openssh: pulumi.Output[str]
    """The imported public key, `ssh-rsa AAAA...` without trailing newline."""
    private_key_pem: pulumi.Output[str] | None
    """Secret PEM of the generated private key (what `aws ec2 create-key-pair` hands out); None if imported."""

    def __init__(self, name: str, args: KeyPairsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(self.TYPE_TOKEN, name, None, opts)
        self.private_key = None
        public_key: pulumi.Input[str] | None = args.public_key
        if public_key is None:
            self.private_key = tls.PrivateKey(
                f"{name}-private-key",
                algorithm="RSA",
                rsa_bits=GENERATED_RSA_BITS,
                opts=pulumi.ResourceOptions(parent=self),
            )
            public_key = self.private_key.public_key_openssh
        # pulumi-tls ends the key with a newline: one canonical form for every account it goes to.
        self.public_key_openssh = pulumi.Output.from_input(public_key).apply(str.strip)
        self.private_key_pem = pulumi.Output.secret(self.private_key.private_key_pem) if self.private_key else None
        self.key_pair = aws.ec2.KeyPair(
            name,
            key_name=args.key_name,
            public_key=self.public_key_openssh,
            # Key pair names are unique per account and region: the old one must go first.
            opts=pulumi.ResourceOptions(
                parent=self, delete_before_replace=True, retain_on_delete=args.retain_on_delete
            ),
        )
        self.register_outputs(self.outputs())

    def outputs(self) -> dict[str, Any]:
        """The `keyPair` stack output; never the private key (a secret would make the group secret)."""
        return {
            "name": self.key_pair.key_name,
            "fingerprint": self.key_pair.fingerprint,
            "keyPairId": self.key_pair.key_pair_id,
        }
