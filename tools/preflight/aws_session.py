"""boto3 clients that reach an AWS account the way the stack's providers do.

tools/preflight/command.py reads the real account before the first `pulumi up`; what it finds is only worth
something when it reads the account the providers will write to, through the same network path.
`stack_clients()` therefore builds its session from the stack's `aws:` settings
(components/config/provider_settings.py): the profile and shared files, static keys, the web identity and
assume-role chain, per-service endpoints, proxies, the CA bundle, FIPS / dual-stack endpoints and
retries. `AWS_ENDPOINT_URL` and the other standard variables still apply wherever the stack sets
nothing, as they do for the provider. Workload accounts are entered from there with
`AwsClients.assume_role`, as their providers assume the deploy role. `s3UsePathStyle` and
`tokenBucketRateLimiterCapacity` change nothing preflight reads and are left out.

Every call has a deadline (`CallLimits`): botocore's connect and read timeouts, a bounded number of
attempts (the stack's aws:maxRetries, at most MAX_RETRIES), and an overall deadline after which no
further request is sent (`DeadlinePassed`). Errors are named for what they are (`error_kind`):
denied, throttled, unreachable endpoint, timed out, server error, missing or refused credentials.
"""

from __future__ import annotations

import functools
import os
import re
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlparse

import boto3
import botocore.loaders
import botocore.session
from botocore import UNSIGNED
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    PartialCredentialsError,
    ProxyConnectionError,
    ReadTimeoutError,
)
from botocore.parsers import ResponseParserError

from components.config.provider_settings import AssumeRoleSettings, AwsSettings
from components.config.validators import SECRET_PLACEHOLDER

# Everything a call to AWS (or an emulator) can raise; ResponseParserError is no BotoCoreError.
AWS_ERRORS = (BotoCoreError, ClientError, ResponseParserError)
PREFLIGHT_SESSION_NAME = "tkg-aws-preflight"
# Retries after a call's first attempt, whatever aws:maxRetries says (the provider's default is 25):
# preflight ends in bounded time, and a throttled account is reported as throttled.
MAX_RETRIES = 4
DEFAULT_RETRIES = 2
# What each kind of error is called in a report row (error_kind).
DENIED, THROTTLED, UNREACHABLE, TIMED_OUT, SERVER_ERROR = (
    "denied",
    "throttled",
    "unreachable endpoint",
    "timed out",
    "server error",
)
NO_CREDENTIALS, REFUSED_CREDENTIALS, NO_SUCH_API, DEADLINE = (
    "missing credentials",
    "credentials refused",
    "not offered by the endpoint",
    "deadline passed",
)
_DENIED_CODES = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError"}
_REFUSED_CREDENTIAL_CODES = {
    "InvalidClientTokenId",
    "ExpiredToken",
    "ExpiredTokenException",
    "SignatureDoesNotMatch",
    "UnrecognizedClientException",
    "AuthFailure",
    "InvalidAccessKeyId",
    "InvalidToken",
}
_THROTTLED_CODES = {
    "Throttling",
    "ThrottlingException",
    "ThrottledException",
    "RequestThrottledException",
    "TooManyRequestsException",
    "RequestLimitExceeded",
    "SlowDown",
    "RequestThrottled",
    "PriorRequestNotComplete",
}
_SERVER_CODES = {"InternalError", "InternalFailure", "ServiceUnavailable", "InternalServerError", "ServiceFailure"}


class DeadlinePassed(BotoCoreError):
    """Preflight's overall deadline passed before this request could be sent."""

    fmt = "the overall deadline of {seconds:g} s passed before {operation} was sent"


@dataclass(frozen=True)
class CallLimits:
    """How long one call, and the whole run, may take."""

    connect_timeout: float = 5
    """Seconds to open a connection to an endpoint."""
    read_timeout: float = 15
    """Seconds to wait for an endpoint's answer, per attempt."""
    deadline_seconds: float | None = None
    """The whole run's budget, from `started`; None: no overall deadline."""
    started: float = field(default_factory=time.monotonic)

    def passed(self) -> bool:
        return self.deadline_seconds is not None and time.monotonic() - self.started >= self.deadline_seconds

    def check(self, operation: str) -> None:
        if self.passed():
            raise DeadlinePassed(seconds=self.deadline_seconds, operation=operation)


# The services preflight calls, as boto3 names them (a name boto3 does not know fails the type check).
ServiceName = Literal["cloudformation", "ec2", "elb", "iam", "route53", "service-quotas", "sts"]
# `aws:endpoints` uses pulumi-aws's service names; boto3 spells a few differently.
_BOTO3_TO_ENDPOINT_KEY = {"service-quotas": "servicequotas"}
_DURATION = re.compile(r"^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$")


class AccountAccessError(Exception):
    """A hop of the credentials chain (web identity, assumed role) failed; says which one."""


@dataclass
class AwsClients:
    """Clients of one identity in one region, shaped by the stack's `aws:` settings."""

    session: boto3.Session
    settings: AwsSettings
    region: str
    limits: CallLimits = field(default_factory=CallLimits)
    _clients: dict[str, Any] = field(default_factory=dict, repr=False)

    def client(self, service: ServiceName) -> Any:
        """The boto3 client of `service` (e.g. ec2, iam, service-quotas), made once."""
        if service not in self._clients:
            self._clients[service] = self._new_client(service)
        return self._clients[service]

    def assume_role(
        self,
        role_arn: str,
        session_name: str,
        external_id: str | None = None,
        hop: AssumeRoleSettings | None = None,
    ) -> AwsClients:
        """Clients of `role_arn`'s session, assumed from this identity; `hop` adds an aws:assumeRoles
        entry's duration, source identity, session policies and tags."""
        request: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": session_name}
        if external_id:
            request["ExternalId"] = external_id
        if hop is not None:
            request.update(_hop_options(hop))
        try:
            credentials = self.client("sts").assume_role(**request)["Credentials"]
        except AWS_ERRORS as err:
            raise AccountAccessError(f"assuming {role_arn}: {describe_error(err)}") from err
        return self._with_credentials(credentials)

    def assume_role_with_web_identity(
        self, role_arn: str, session_name: str, token: str, duration: str | None
    ) -> AwsClients:
        """Clients of `role_arn`'s session for a web identity token (CI's OIDC token)."""
        request: dict[str, Any] = {"RoleArn": role_arn, "RoleSessionName": session_name, "WebIdentityToken": token}
        if duration:
            request["DurationSeconds"] = duration_seconds(duration)
        # The token is the credential: STS takes this call unsigned.
        sts = self._new_client("sts", Config(signature_version=UNSIGNED))
        try:
            credentials = sts.assume_role_with_web_identity(**request)["Credentials"]
        except AWS_ERRORS as err:
            raise AccountAccessError(f"assuming {role_arn} with a web identity: {describe_error(err)}") from err
        return self._with_credentials(credentials)

    def _with_credentials(self, credentials: dict[str, Any]) -> AwsClients:
        session = boto3.Session(
            aws_access_key_id=credentials["AccessKeyId"],
            aws_secret_access_key=credentials["SecretAccessKey"],
            aws_session_token=credentials["SessionToken"],
            region_name=self.region,
            botocore_session=botocore_session(),
        )
        return AwsClients(session, self.settings, self.region, self.limits)

    def _new_client(self, service: ServiceName, extra: Config | None = None) -> Any:
        settings = self.settings
        region = settings.sts_region if service == "sts" and settings.sts_region else self.region
        endpoint = settings.endpoints.get(_BOTO3_TO_ENDPOINT_KEY.get(service, service))
        proxies = _proxies(settings)

        def make(proxies: dict[str, str] | None) -> Any:
            config = _botocore_config(settings, proxies, self.limits)
            client = self.session.client(
                service,
                region_name=region,
                endpoint_url=endpoint,  # None: botocore's own, or AWS_ENDPOINT_URL(_<SERVICE>)
                verify=_verify(settings),
                config=config.merge(extra) if extra else config,
            )
            # Before every attempt, retries included: nothing is sent once the deadline has passed.
            client.meta.events.register("before-send", self._before_send)
            return client

        client = make(proxies)
        if proxies and settings.no_proxy and _bypasses_proxy(client.meta.endpoint_url, settings.no_proxy):
            client = make({})  # an empty map: no proxy at all, not even the environment's
        return client

    def _before_send(self, event_name: str = "", **_: Any) -> None:
        self.limits.check(event_name.rsplit(".", 1)[-1] or "a call")  # before-send.<service>.<Operation>


def stack_clients(settings: AwsSettings, region: str, limits: CallLimits | None = None) -> tuple[AwsClients, list[str]]:
    """Clients of the identity the stack's management provider will have, and the settings that
    could not be honoured here (one sentence each).

    Raises AccountAccessError when a hop of the web identity / assume-role chain fails.
    """
    notes: list[str] = []
    core = botocore_session()
    _apply_files_and_profile(core, settings, notes)
    keys = _static_keys(settings, notes)
    session = boto3.Session(botocore_session=core, region_name=region, **keys)
    clients = AwsClients(session, settings, region, limits or CallLimits())
    if settings.max_retries is not None and settings.max_retries > MAX_RETRIES:
        notes.append(
            f"aws:maxRetries {settings.max_retries}: preflight retries a call at most {MAX_RETRIES} times, "
            "so that a throttled or unreachable account is reported in bounded time"
        )
    web = settings.assume_role_with_web_identity
    if web is not None:
        token = _web_identity_token(web.web_identity_token_file, web.web_identity_token, notes)
        if token is not None:
            session_name = web.session_name or PREFLIGHT_SESSION_NAME
            clients = clients.assume_role_with_web_identity(web.role_arn, session_name, token, web.duration)
    for hop in settings.assume_roles:
        clients = clients.assume_role(hop.role_arn, hop.session_name or PREFLIGHT_SESSION_NAME, hop.external_id, hop)
    return clients, notes


def describe_error(err: Exception) -> str:
    """One line about an AWS error, for a report row: what kind it is, the operation, AWS's code and message."""
    kind = error_kind(err)
    if isinstance(err, ClientError):
        error = err.response.get("Error", {})
        code, message = str(error.get("Code", "error")), str(error.get("Message", ""))
        status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        if code.isdigit() or message.lstrip().startswith("<"):
            # No AWS error in the answer (an HTML page, an empty body): its HTTP status says what happened.
            return f"{kind}: {err.operation_name}: HTTP {status or code}"
        return f"{kind}: {err.operation_name}: {code}: {_first_line(message)}"
    if isinstance(err, ResponseParserError):
        return f"{kind}: the endpoint's answer is not an AWS response"
    return f"{kind}: {_first_line(str(err))}"


def error_kind(err: Exception) -> str:
    """What went wrong, in the words a report uses: denied, throttled, unreachable endpoint, timed out,
    server error, missing credentials, credentials refused, not offered by the endpoint, deadline passed;
    or `error` for an AWS error of another kind (a bad request)."""
    if isinstance(err, DeadlinePassed):
        return DEADLINE
    if isinstance(err, (NoCredentialsError, PartialCredentialsError, CredentialRetrievalError)):
        return NO_CREDENTIALS
    if isinstance(err, ReadTimeoutError):
        return TIMED_OUT
    if isinstance(err, (EndpointConnectionError, ConnectTimeoutError, ProxyConnectionError, ConnectionClosedError)):
        return UNREACHABLE
    if isinstance(err, ResponseParserError):
        return NO_SUCH_API
    if not isinstance(err, ClientError):
        return "error"
    code = str(err.response.get("Error", {}).get("Code", ""))
    status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode") or (int(code) if code.isdigit() else 0)
    if code in _DENIED_CODES or code.endswith(("NotAuthorized", "NotAuthorizedException")):
        return DENIED
    if code in _REFUSED_CREDENTIAL_CODES:
        return REFUSED_CREDENTIALS
    if code in _THROTTLED_CODES or status == 429:
        return THROTTLED
    if code in _SERVER_CODES or status >= 500:
        # moto (and some proxies) answer an API they lack with HTTP 500 and an HTML page.
        message = str(err.response.get("Error", {}).get("Message", ""))
        return NO_SUCH_API if status == 500 and message.lstrip().startswith("<") else SERVER_ERROR
    if status in (404, 405) and (code.isdigit() or not code):
        return NO_SUCH_API
    return "error"


def error_code(err: Exception) -> str:
    """The shortest name of an AWS error: AWS's code, `HTTP <status>` for a non-AWS answer."""
    if isinstance(err, ClientError):
        code = str(err.response.get("Error", {}).get("Code", "error"))
        return f"HTTP {code}" if code.isdigit() else code
    if isinstance(err, ResponseParserError):
        return "not an AWS response"
    return type(err).__name__


def duration_seconds(duration: str) -> int:
    """`1h30m`-style durations of the provider's assume-role settings, in seconds."""
    match = _DURATION.match(duration)
    if not match or not duration:
        raise ValueError(f"not a duration like 1h or 15m: {duration!r}")
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    return hours * 3600 + minutes * 60 + seconds


# --- settings as botocore understands them ----------------------------------------------------------
def botocore_session() -> botocore.session.Session:
    """A botocore session sharing the service models already read: every account's session needs
    the same few, and reading a model (EC2's is megabytes of JSON) costs more than the calls."""
    core = botocore.session.Session()
    core.register_component("data_loader", _model_loader())
    return core


@functools.cache
def _model_loader() -> botocore.loaders.Loader:
    return botocore.loaders.create_loader()


def _apply_files_and_profile(core: botocore.session.Session, settings: AwsSettings, notes: list[str]) -> None:
    """Shared files, profile and instance-metadata settings as botocore config variables."""
    for variable, files, setting in (
        ("config_file", settings.shared_config_files, "aws:sharedConfigFiles"),
        ("credentials_file", settings.shared_credentials_files, "aws:sharedCredentialsFiles"),
    ):
        if files:
            core.set_config_variable(variable, str(Path(files[0]).expanduser()))
        if len(files) > 1:
            notes.append(f"{setting}: boto3 reads one file; only {files[0]} was read (got {len(files)} files)")
    if settings.profile:
        core.set_config_variable("profile", settings.profile)
    if settings.ec2_metadata_service_endpoint:
        core.set_config_variable("ec2_metadata_service_endpoint", settings.ec2_metadata_service_endpoint)
    if settings.ec2_metadata_service_endpoint_mode:
        core.set_config_variable("ec2_metadata_service_endpoint_mode", settings.ec2_metadata_service_endpoint_mode)
    if settings.skip_metadata_api_check:
        # The provider then takes no credentials from the instance metadata service; neither do we.
        core.get_component("credential_provider").remove("iam-role")


def _static_keys(settings: AwsSettings, notes: list[str]) -> dict[str, str]:
    if not settings.access_key:
        return {}
    if SECRET_PLACEHOLDER in (settings.secret_key, settings.token) or not settings.secret_key:
        # The stack file holds them encrypted, and only the Pulumi CLI can decrypt them.
        notes.append(
            "aws:accessKey/aws:secretKey: encrypted in the stack file, which only the Pulumi CLI decrypts; "
            "the environment's credentials were used instead (export AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)"
        )
        return {}
    keys = {"aws_access_key_id": settings.access_key, "aws_secret_access_key": settings.secret_key}
    if settings.token:
        keys["aws_session_token"] = settings.token
    return keys


def _web_identity_token(token_file: str | None, token: str | None, notes: list[str]) -> str | None:
    if token and token != SECRET_PLACEHOLDER:
        return token
    if token_file:
        try:
            return Path(token_file).expanduser().read_text().strip()
        except OSError as err:
            raise AccountAccessError(f"aws:assumeRoleWithWebIdentity: cannot read its token file: {err}") from err
    notes.append(
        "aws:assumeRoleWithWebIdentity: its token is encrypted in the stack file; the role was not assumed "
        "(give webIdentityTokenFile, or run where AWS_WEB_IDENTITY_TOKEN_FILE is set)"
    )
    return None


def _hop_options(hop: AssumeRoleSettings) -> dict[str, Any]:
    options: dict[str, Any] = {}
    if hop.duration:
        options["DurationSeconds"] = duration_seconds(hop.duration)
    if hop.source_identity:
        options["SourceIdentity"] = hop.source_identity
    # Session policies narrow what the session may do, so the permission check must see them.
    if hop.policy:
        options["Policy"] = hop.policy
    if hop.policy_arns:
        options["PolicyArns"] = [{"arn": arn} for arn in hop.policy_arns]
    if hop.tags:
        options["Tags"] = [{"Key": key, "Value": value} for key, value in sorted(hop.tags.items())]
    if hop.transitive_tag_keys:
        options["TransitiveTagKeys"] = list(hop.transitive_tag_keys)
    return options


def _proxies(settings: AwsSettings) -> dict[str, str] | None:
    """Proxies by the scheme of the request; None leaves botocore to the environment's."""
    proxies = {scheme: url for scheme, url in (("http", settings.http_proxy), ("https", settings.https_proxy)) if url}
    return proxies or None


def _bypasses_proxy(endpoint_url: str, no_proxy: str) -> bool:
    host = urlparse(endpoint_url).hostname or ""
    # Python's own NO_PROXY matching, undocumented and so absent from the standard library's stubs.
    return bool(urllib.request.proxy_bypass_environment(host, {"no": no_proxy}))  # type: ignore[attr-defined]


def _verify(settings: AwsSettings) -> bool | str | None:
    if settings.insecure:
        return False
    return str(Path(settings.custom_ca_bundle).expanduser()) if settings.custom_ca_bundle else None


def _botocore_config(settings: AwsSettings, proxies: dict[str, str] | None, limits: CallLimits) -> Config:
    options: dict[str, Any] = {
        "user_agent_extra": "tkg-aws-preflight",
        "connect_timeout": limits.connect_timeout,
        "read_timeout": limits.read_timeout,
    }
    if proxies is not None:
        options["proxies"] = proxies
    if settings.use_fips_endpoint is not None:
        options["use_fips_endpoint"] = settings.use_fips_endpoint
    if settings.use_dualstack_endpoint is not None:
        options["use_dualstack_endpoint"] = settings.use_dualstack_endpoint
    # Retries after the first attempt, as the provider counts them; AWS_MAX_ATTEMPTS counts all attempts.
    retries: dict[str, Any] = {"max_attempts": min(_retries(settings), MAX_RETRIES)}
    if settings.retry_mode:
        retries["mode"] = settings.retry_mode
    options["retries"] = retries
    return Config(**options)


def _retries(settings: AwsSettings) -> int:
    if settings.max_retries is not None:
        return settings.max_retries
    attempts = os.environ.get("AWS_MAX_ATTEMPTS", "")
    return int(attempts) - 1 if attempts.isdigit() and int(attempts) > 0 else DEFAULT_RETRIES


def _first_line(text: str, limit: int = 200) -> str:
    line = text.strip().splitlines()[0] if text.strip() else "no message"
    return line if len(line) <= limit else line[: limit - 1] + "…"
