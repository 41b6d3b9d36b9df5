"""boto3 clients made from the stack's `aws:` settings (tools/preflight/aws_session.py), as preflight uses them.

Making a client calls nothing, so these tests read what each client would do (endpoint, region,
proxies, retries, credentials) without a network; tests/tools/preflight/test_preflight.py drives the same clients
against an AWS API emulator, the assume-role chain included.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from botocore.exceptions import (
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    NoCredentialsError,
    ReadTimeoutError,
)

from components.config.provider_settings import AwsSettings
from tools.preflight.aws_session import describe_error, duration_seconds, error_code, error_kind, stack_clients

REGION = "us-west-2"


@pytest.fixture(autouse=True)
def plain_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No AWS settings from the machine running the tests: only the ones a test gives."""
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIAENVIRONMENT00000")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "environment-secret")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "no-config"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "no-credentials"))


def clients(**settings):
    made, notes = stack_clients(AwsSettings.model_validate(settings), REGION)
    return made, notes


def test_endpoints_apply_to_their_service_by_pulumi_aws_s_names():
    made, _ = clients(endpoints={"ec2": "https://ec2.internal.example", "servicequotas": "https://sq.internal.example"})
    assert made.client("ec2").meta.endpoint_url == "https://ec2.internal.example"
    assert made.client("service-quotas").meta.endpoint_url == "https://sq.internal.example"
    assert made.client("iam").meta.endpoint_url == "https://iam.amazonaws.com"


def test_the_standard_endpoint_variable_applies_where_the_stack_sets_none(monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4566")
    made, _ = clients(endpoints={"sts": "https://sts.internal.example"})
    assert made.client("ec2").meta.endpoint_url == "http://127.0.0.1:4566"
    assert made.client("sts").meta.endpoint_url == "https://sts.internal.example"


def test_proxies_are_used_except_for_hosts_of_no_proxy():
    made, _ = clients(
        httpsProxy="http://proxy.example:3128",
        noProxy=".internal.example",
        endpoints={"ec2": "https://ec2.internal.example"},
    )
    assert made.client("sts").meta.config.proxies == {"https": "http://proxy.example:3128"}
    assert made.client("ec2").meta.config.proxies == {}


def test_fips_endpoints_sts_region_and_retries_follow_the_settings():
    made, notes = clients(useFipsEndpoint=True, stsRegion="us-east-1", maxRetries=3, retryMode="adaptive")
    sts = made.client("sts")
    assert sts.meta.region_name == "us-east-1"
    assert sts.meta.endpoint_url == "https://sts-fips.us-east-1.amazonaws.com"
    assert made.client("ec2").meta.endpoint_url == "https://ec2-fips.us-west-2.amazonaws.com"
    # maxRetries counts retries, as the provider does: three after the first attempt.
    assert sts.meta.config.retries == {"total_max_attempts": 4, "mode": "adaptive"}
    assert notes == []


def test_retries_are_bounded_whatever_max_retries_says_and_every_call_has_timeouts():
    made, notes = clients(maxRetries=25)
    config = made.client("ec2").meta.config
    assert config.retries["total_max_attempts"] == 5
    assert (config.connect_timeout, config.read_timeout) == (5, 15)
    (note,) = notes
    assert note.startswith("aws:maxRetries 25: preflight retries a call at most 4 times")


def test_the_profile_is_read_from_the_shared_credentials_file(tmp_path):
    first, second = tmp_path / "credentials", tmp_path / "more-credentials"
    first.write_text("[tkg]\naws_access_key_id = AKIATKGPROFILE000000\naws_secret_access_key = profile-secret\n")
    second.write_text("[other]\naws_access_key_id = AKIAOTHER00000000000\naws_secret_access_key = x\n")
    made, notes = clients(profile="tkg", sharedCredentialsFiles=[str(first), str(second)])
    assert made.session.get_credentials().access_key == "AKIATKGPROFILE000000"
    assert notes == [f"aws:sharedCredentialsFiles: boto3 reads one file; only {first} was read (got 2 files)"]


def test_encrypted_static_keys_leave_the_environment_s_credentials_and_say_so():
    made, notes = clients(accessKey="AKIASTACKFILE0000000", secretKey="[secret]")
    assert made.session.get_credentials().access_key == "AKIAENVIRONMENT00000"
    assert len(notes) == 1 and notes[0].startswith("aws:accessKey/aws:secretKey: encrypted in the stack file")
    assert "[secret]" not in notes[0]


def test_durations_of_the_assume_role_settings():
    assert [duration_seconds(d) for d in ("1h", "15m", "1h30m", "90s")] == [3600, 900, 5400, 90]


def test_aws_errors_become_one_line():
    denied = ClientError({"Error": {"Code": "AccessDenied", "Message": "not authorized\nmore"}}, "GetRole")
    assert describe_error(denied) == "denied: GetRole: AccessDenied: not authorized"
    missing = ClientError({"Error": {"Code": "500", "Message": "<!doctype html><title>500</title>"}}, "Simulate")
    assert describe_error(missing) == "not offered by the endpoint: Simulate: HTTP 500"
    assert (error_code(denied), error_code(missing)) == ("AccessDenied", "HTTP 500")


def _client_error(code: str, status: int, message: str = "") -> ClientError:
    response = {"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}}
    return ClientError(response, "GetServiceQuota")


@pytest.mark.parametrize(
    ("error", "kind"),
    [
        (_client_error("AccessDeniedException", 400), "denied"),
        (_client_error("UnauthorizedOperation", 403), "denied"),
        (_client_error("Throttling", 400), "throttled"),
        (_client_error("RequestLimitExceeded", 503), "throttled"),
        (_client_error("429", 429), "throttled"),
        (_client_error("ServiceUnavailable", 503), "server error"),
        (_client_error("502", 502), "server error"),
        (_client_error("InvalidClientTokenId", 403), "credentials refused"),
        (_client_error("ValidationException", 400), "error"),
        (NoCredentialsError(), "missing credentials"),
        (EndpointConnectionError(endpoint_url="https://sts.example"), "unreachable endpoint"),
        (ConnectTimeoutError(endpoint_url="https://sts.example"), "unreachable endpoint"),
        (ReadTimeoutError(endpoint_url="https://sts.example"), "timed out"),
    ],
)
def test_errors_are_named_for_what_they_are(error, kind):
    assert error_kind(error) == kind
    assert describe_error(error).startswith(f"{kind}: ")
