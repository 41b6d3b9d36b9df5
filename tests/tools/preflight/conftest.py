"""The AWS API emulator the preflight tests run against: moto in server mode, one process per test
run (per xdist worker), and an emptied account for each test.

Real HTTP on localhost, reached the standard way (AWS_ENDPOINT_URL), so preflight's clients, retries
and timeouts are the ones a real account gets. One server for every module: starting moto costs
about a second and a half of CPU, and each test resets the account anyway.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from tools.preflight.aws_session import botocore_session

REGION = "us-west-2"


# --- the emulator ----------------------------------------------------------------------------------
@pytest.fixture(scope="session")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """moto's server (moto_server.py) on a free localhost port, in a process of its own; its URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # Its own process: moto's request handling then runs beside the tests instead of sharing their
    # interpreter, which halves each call's time. Its log (a traceback per API moto lacks) is dropped.
    recording = tmp_path_factory.mktemp("moto") / "recording"
    server = subprocess.Popen(
        [sys.executable, str(Path(__file__).with_name("moto_server.py")), "-H", "127.0.0.1", "-p", str(port)],
        # No default AMIs: preflight reads none, and loading them makes every reset cost seconds.
        env={**os.environ, "MOTO_RECORDER_FILEPATH": str(recording), "MOTO_EC2_LOAD_DEFAULT_AMIS": "false"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(url, server)
        yield url
    finally:
        server.kill()  # nothing of it is kept
        server.wait(timeout=30)


def _wait_until_serving(url: str, server: subprocess.Popen, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and server.poll() is None:
        try:
            urllib.request.urlopen(f"{url}/moto-api/", timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"moto's server did not start at {url} (exit code {server.poll()})")


@pytest.fixture(scope="session")
def stacks(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the stack files the tests write, one for the run. A stack file's folder is its
    project's, which its plan depends on (relative paths), so the same config written here twice is
    planned once (tests/conftest.py `plan_config`), not once per test."""
    return tmp_path_factory.mktemp("stacks")


def post(url: str) -> bytes:
    with urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=30) as response:
        return response.read()


@pytest.fixture
def account(emulator: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> boto3.Session:
    """An empty emulated account, reached the standard way; the session seeds it."""
    post(f"{emulator}/moto-api/reset")
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ENDPOINT_URL", emulator)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    # moto answers the APIs it lacks with HTTP 500, which boto3 would retry with backoff.
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    return emulated_session()


def emulated_session(**credentials: str) -> boto3.Session:
    """A boto3 session in the emulated region that reads each service's model once per test run, as
    preflight's own sessions do (a new session reads them again: EC2's is megabytes of JSON)."""
    return boto3.Session(region_name=REGION, botocore_session=botocore_session(), **credentials)
