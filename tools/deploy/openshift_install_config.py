"""install-config.yaml for `openshift-install`, from an OpenShift stack's config: step 1 of the install.

    python -m tools.deploy.openshift_install_config STACK --pull-secret FILE [--ssh-public-key FILE]
        [--dir DIR] [--config-file FILE]

Writes DIR/install-config.yaml (default DIR: ocp): the stack's part (components/openshift/
ignition_config.py: no id of anything the stack creates, so this runs before any `pulumi up`) with
the pull secret and the SSH public key the cluster's machines accept for the `core` user. Nothing
is merged by hand. The pull secret is a credential: the file is written for its owner only, and
neither the secret nor the file's content is printed. `openshift-install create manifests --dir DIR`
consumes (and deletes) the file. Exit codes: 0 written, 2 bad config, arguments or files.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

import yaml

from components.config.base import ConfigError
from components.config.stack_files import StackFileError, read_stack_file
from components.openshift.platform import install_config
from components.stack_config.loading import parse_stack_config

ROOT_DIR = Path(__file__).resolve().parents[2]
EXIT_BAD_INPUT = 2
SSH_KEY_TYPES = ("ssh-ed25519", "ssh-rsa", "ecdsa-sha2-nistp256", "ecdsa-sha2-nistp384", "ecdsa-sha2-nistp521")


class InputError(Exception):
    """A file or argument that cannot make an install-config.yaml."""


def document(config_values: dict[str, Any], pull_secret: str, ssh_key: str | None) -> dict[str, Any]:
    """The whole install-config.yaml: the stack's part, the pull secret, the SSH key."""
    config = parse_stack_config(config_values["values"], config_values["secret_keys"], config_values["project_dir"])
    if config.openshift is None:
        raise InputError("the stack has no tkg-aws:openshift section")
    result = install_config(config) | {"pullSecret": pull_secret}
    if ssh_key is not None:
        result["sshKey"] = ssh_key
    return result


def read_pull_secret(path: Path) -> str:
    try:
        text = path.read_text().strip()
        auths = json.loads(text).get("auths")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError) as err:
        raise InputError(f"--pull-secret {path}: not a pull secret (JSON with auths): {type(err).__name__}") from None
    if not isinstance(auths, dict) or not auths:
        raise InputError(f"--pull-secret {path}: not a pull secret (JSON with auths)")
    return text


def read_ssh_key(path: Path) -> str:
    try:
        text = path.read_text().strip()
    except (OSError, UnicodeDecodeError) as err:
        raise InputError(f"--ssh-public-key {path}: cannot read it: {type(err).__name__}") from None
    if "PRIVATE KEY" in text:
        raise InputError(f"--ssh-public-key {path}: a private key; give the .pub file")
    if text.split(" ", 1)[0] not in SSH_KEY_TYPES or "\n" in text:
        raise InputError(f"--ssh-public-key {path}: not one OpenSSH public key ({', '.join(SSH_KEY_TYPES)})")
    return text


def write_private(path: Path, text: str) -> None:
    """Create (or truncate) `path` readable by its owner only, before a byte is written."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    os.fchmod(descriptor, 0o600)
    with os.fdopen(descriptor, "w") as file:
        file.write(text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m tools.deploy.openshift_install_config", description=__doc__.split("\n")[0]
    )
    parser.add_argument("stack", help="stack name: reads Pulumi.STACK.yaml")
    parser.add_argument("--pull-secret", type=Path, required=True, help="pull secret from console.redhat.com")
    parser.add_argument("--ssh-public-key", type=Path, help="OpenSSH public key for the machines' core user")
    parser.add_argument("--dir", type=Path, default=Path("ocp"), help="openshift-install's directory (default: ocp)")
    parser.add_argument("--config-file", type=Path, help="stack config file to read instead")
    args = parser.parse_args(argv)
    try:
        stack_file = read_stack_file(args.config_file or ROOT_DIR / f"Pulumi.{args.stack}.yaml")
        values = {
            "values": stack_file.values,
            "secret_keys": stack_file.secret_keys,
            "project_dir": stack_file.path.parent,
        }
        pull_secret = read_pull_secret(args.pull_secret)
        ssh_key = read_ssh_key(args.ssh_public_key) if args.ssh_public_key else None
        text = yaml.safe_dump(document(values, pull_secret, ssh_key), sort_keys=True)
    except (StackFileError, ConfigError, InputError) as err:
        print(f"error: {err}", file=sys.stderr)
        return EXIT_BAD_INPUT
    target = args.dir / "install-config.yaml"
    if (args.dir / "metadata.json").exists():
        print(f"error: {args.dir} holds another installation (metadata.json): use an empty directory", file=sys.stderr)
        return EXIT_BAD_INPUT
    write_private(target, text)
    print(f"wrote {target} (pull secret inside: readable by you only); next: openshift-install create manifests")
    return 0


if __name__ == "__main__":
    sys.exit(main())
