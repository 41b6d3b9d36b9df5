"""keyPair.publicKey: an OpenSSH RSA public key TKG can use, checked by cryptography's parser."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from components.config.models import KeyPairConfig
from components.config.validators import ssh_rsa_public_key
from tests.conftest import DATA, ED25519_PUBLIC_KEY, RSA_1024_PUBLIC_KEY, RSA_2048_PUBLIC_KEY

# Made with ssh-keygen for these tests, like conftest's keys (generating them cost each test process 0.5 s).
RSA_3072_WITH_COMMENT = (DATA / "rsa3072.pub").read_text().strip()  # its comment: ops@bastion
RSA_4096_PUBLIC_KEY = (DATA / "rsa4096.pub").read_text().strip()


@pytest.mark.parametrize(
    "key",
    [RSA_2048_PUBLIC_KEY, RSA_3072_WITH_COMMENT, RSA_4096_PUBLIC_KEY, f"  {RSA_2048_PUBLIC_KEY}  laptop key \n"],
    ids=["ssh-keygen-2048", "3072-with-comment", "4096", "spaces-and-a-comment-of-words"],
)
def test_rsa_keys_of_2048_bits_or_more_are_accepted_as_given(key: str) -> None:
    assert ssh_rsa_public_key(key) == key


@pytest.mark.parametrize(
    ("key", "message"),
    [
        (RSA_1024_PUBLIC_KEY, "the RSA key has 1024 bits; at least 2048 are needed"),
        (ED25519_PUBLIC_KEY, "TKG on AWS needs an RSA key; this is ssh-ed25519"),
        ("ssh-rsa not-base64!", "does not decode to an RSA public key"),
        # An ed25519 key body under an ssh-rsa header: the wire format's own type is read too.
        (f"ssh-rsa {ED25519_PUBLIC_KEY.split()[1]}", "does not decode to an RSA public key"),
        # The base64 of a key cut short.
        (RSA_2048_PUBLIC_KEY.split()[0] + " " + RSA_2048_PUBLIC_KEY.split()[1][:200], "does not decode"),
        ("AAAAB3NzaC1yc2E", "not an OpenSSH public key"),
        ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjE=\n", "this is a private key"),
    ],
    ids=["1024-bits", "ed25519", "not-base64", "ed25519-body", "truncated", "no-type", "private-key"],
)
def test_keys_tkg_cannot_use_are_refused_saying_why(key: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ssh_rsa_public_key(key)


def test_the_config_reports_a_short_key_on_keyPair_publicKey() -> None:
    with pytest.raises(ValidationError) as err:
        KeyPairConfig.model_validate({"publicKey": RSA_1024_PUBLIC_KEY})
    (error,) = err.value.errors()
    assert error["loc"] == ("publicKey",) and "1024 bits" in error["msg"]


@settings(max_examples=300, database=None, deadline=None, derandomize=True)
@given(st.one_of(st.text(), st.binary().map(lambda b: base64.b64encode(b).decode())))
def test_any_text_after_ssh_rsa_is_accepted_or_refused_with_a_message(body: str) -> None:
    """Whatever a user pastes, the run reports one config line; it never fails with a traceback."""
    value = f"ssh-rsa {body}"
    try:
        assert ssh_rsa_public_key(value) == value
    except ValueError as err:
        assert str(err)
