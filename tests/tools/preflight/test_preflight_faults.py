"""Preflight fails closed: faults injected between it and an emulated account.

moto runs in server mode (tests/tools/preflight/test_preflight.py's emulator) behind a small proxy of these tests,
bound to 127.0.0.1, that passes requests through or answers them with a fault chosen per AWS
service or API action: AccessDenied, throttling in the service's own error format, HTTP 503, or a
hang (the connection stays open, nothing is answered). A closed port stands for an endpoint that
refuses connections. Each test asserts the exit code, what the rows call the error, and how long
the run took: preflight never reports "ready" for what it could not read, unless told by name.
"""

from __future__ import annotations

import http.client
import io
import json
import re
import socket
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tests.tools.preflight.test_preflight import planned, prod_values, write_stack
from tools.plan.progress import Progress
from tools.preflight.aws_session import CallLimits
from tools.preflight.command import exit_code, main
from tools.preflight.command import preflight as run_preflight
from tools.preflight.report import Row, allow_unchecked

# The emulator lacks IAM's policy simulator and EC2's (GPU ones too) and ELB's quotas: accepted unchecked where a
# test is about something else.
MOTO_LACKS = ("quotas", "gpu-quotas", "permissions")
_SERVICE = re.compile(r"Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request")


# --- the proxy ------------------------------------------------------------------------------------
Fault = Callable[["FaultProxy", BaseHTTPRequestHandler, str], bool]
"""Answers the request itself (True) or lets it through (False); gets the API action."""


@dataclass
class FaultProxy:
    """Forwards to the emulator; `faults` by service (`ec2`, `servicequotas`, ...) or by action."""

    upstream: str
    faults: dict[str, Fault] = field(default_factory=dict)
    seen: Counter[str] = field(default_factory=Counter)
    release: threading.Event = field(default_factory=threading.Event)
    url: str = ""


def _handler(proxy: FaultProxy) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"
        # Headers and body go out in two writes; with Nagle's algorithm the second waits for the
        # client's delayed ACK, 40 ms an answer, and a run through the proxy took three times as long.
        disable_nagle_algorithm = True

        def log_message(self, *args) -> None:  # quiet
            pass

        def _relay(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            service = (_SERVICE.search(self.headers.get("Authorization", "")) or [None, "unsigned"])[1]
            action = _action(self.headers, body)
            proxy.seen[action] += 1
            fault = proxy.faults.get(action) or proxy.faults.get(service)
            if fault is not None and fault(proxy, self, action):
                return
            upstream = urlparse(proxy.upstream)
            connection = http.client.HTTPConnection(upstream.hostname, upstream.port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() != "host"}
            connection.request(self.command, self.path, body=body, headers=headers)
            answer = connection.getresponse()
            payload = answer.read()
            self.send_response(answer.status)
            for key, value in answer.getheaders():
                if key.lower() not in ("transfer-encoding", "connection", "content-length"):
                    self.send_header(key, value)
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            connection.close()

        do_GET = do_POST = _relay

    return Handler


def _action(headers, body: bytes) -> str:
    target = headers.get("X-Amz-Target")
    if target:
        return target.split(".")[-1]
    return parse_qs(body.decode(errors="replace")).get("Action", ["?"])[0]


@pytest.fixture
def proxy(account, emulator, monkeypatch) -> Iterator[FaultProxy]:
    """The proxy in front of the emulator, reached as the AWS endpoint; the account is reset and empty."""
    made = FaultProxy(emulator)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(made))
    server.daemon_threads = True
    made.url = f"http://127.0.0.1:{server.server_address[1]}"
    # Polled for shutdown every 50 ms, not the default half second each test would wait at its end.
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    monkeypatch.setenv("AWS_ENDPOINT_URL", made.url)
    try:
        yield made
    finally:
        made.release.set()  # hung handlers end
        server.shutdown()
        server.server_close()


def _send(handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str) -> bool:
    handler.send_response(status)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)
    return True


def aws_error(code: str, status: int = 400, message: str = "injected by the test") -> Fault:
    """An AWS error in the protocol of the request: JSON for X-Amz-Target APIs, EC2's or IAM's XML."""

    def fault(proxy: FaultProxy, handler: BaseHTTPRequestHandler, action: str) -> bool:
        if handler.headers.get("X-Amz-Target"):
            body = json.dumps({"__type": code, "message": message}).encode()
            return _send(handler, status, body, "application/x-amz-json-1.1")
        if "/ec2/" in handler.headers.get("Authorization", ""):
            xml = (
                f"<Response><Errors><Error><Code>{code}</Code><Message>{message}</Message></Error></Errors></Response>"
            )
        else:
            error = f"<Error><Type>Sender</Type><Code>{code}</Code><Message>{message}</Message></Error>"
            xml = f"<ErrorResponse>{error}</ErrorResponse>"
        return _send(handler, status, xml.encode(), "text/xml")

    return fault


def http_status(status: int) -> Fault:
    return lambda proxy, handler, action: _send(handler, status, b"", "text/plain")


def hang(proxy: FaultProxy, handler: BaseHTTPRequestHandler, action: str) -> bool:
    """Keep the connection open and answer nothing, until the test ends."""
    proxy.release.wait(60)
    return True


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"  # closed again: connections are refused


# --- runs -----------------------------------------------------------------------------------------
@dataclass
class Run:
    found: list[Row]
    """The rows as preflight reported them, before any check is accepted unchecked."""
    seconds: float
    allowed: tuple[str, ...] = ()

    @property
    def rows(self) -> list[Row]:
        return allow_unchecked(self.found, self.allowed)

    @property
    def code(self) -> int:
        return exit_code(self.rows)

    def accepting(self, *allowed: str) -> Run:
        """The same run, as `--allow-unchecked` with these names would report it."""
        return replace(self, allowed=allowed)

    def by_name(self, name: str) -> list[Row]:
        return [r for r in self.rows if r.name == name]


def run(stacks: Path, *, allowed=(), call_timeout: float = 15, timeout: float | None = 120, progress=None) -> Run:
    plan = planned(stacks, prod_values())
    limits = CallLimits(connect_timeout=min(call_timeout, 5), read_timeout=call_timeout, deadline_seconds=timeout)
    started = time.monotonic()
    found = run_preflight(plan, limits, progress or Progress(io.StringIO()))
    return Run(found, time.monotonic() - started, tuple(allowed))


# --- the faults -------------------------------------------------------------------------------------
def test_the_emulated_account_is_ready_only_with_what_moto_lacks_accepted_unchecked(proxy, stacks):
    """The baseline of this file: through the proxy, nothing but moto's gaps stands in the way."""
    strict = run(stacks)
    assert strict.code == 1
    accepted = strict.accepting(*MOTO_LACKS)
    assert accepted.code == 0, [r for r in accepted.rows if r.status == "fail"]
    assert {r.name for r in strict.rows if r.status == "fail"} == set(MOTO_LACKS)
    assert all(r.unchecked for r in strict.rows if r.status == "fail")


def test_with_sts_working_and_every_read_denied_preflight_fails_naming_the_denial(proxy, stacks):
    for service in ("ec2", "iam", "servicequotas", "cloudformation", "elasticloadbalancing"):
        proxy.faults[service] = aws_error("UnauthorizedOperation" if service == "ec2" else "AccessDenied", 403)
    result = run(stacks, allowed=())
    assert result.code == 1
    assert row_of(result, "identity").status == "ok"  # STS answered
    for name in ("region", "availability-zones", "quotas", "existing-resources"):
        failed = result.by_name(name)
        assert failed and all(r.status == "fail" and r.unchecked for r in failed), name
        assert all("could not check: denied: " in r.details for r in failed), [r.details for r in failed]
    assert result.seconds < 30


def test_denied_reads_accepted_by_name_are_warnings_and_the_rest_still_fails(proxy, stacks):
    proxy.faults["ec2"] = aws_error("UnauthorizedOperation", 403)
    result = run(stacks, allowed=("region", "availability-zones", *MOTO_LACKS))
    assert result.code == 1  # the quotas read EC2 too, and are accepted; the fixed names read EC2's key pairs
    failing = {r.name for r in result.rows if r.status == "fail"}
    assert failing == {"existing-resources"}
    assert all(r.status == "warn" for r in result.by_name("region") + result.by_name("availability-zones"))
    assert result.accepting("all").code == 0


def test_a_hung_service_quotas_endpoint_ends_at_the_call_timeout_and_is_never_ok(proxy, stacks):
    proxy.faults["servicequotas"] = hang
    result = run(stacks, allowed=("permissions",), call_timeout=0.25)
    assert result.code == 1
    quotas = result.by_name("quotas")
    assert len(quotas) == 6 and all(r.status == "fail" and r.unchecked for r in quotas)
    assert all("could not check: Service Quotas: timed out: " in r.details for r in quotas), quotas[0].details
    assert not [r for r in quotas if r.status == "ok"]
    # Six quotas, one attempt each (AWS_MAX_ATTEMPTS=1), a quarter of a second each: not 18 minutes.
    assert result.seconds < 15


def test_the_overall_deadline_stops_a_run_and_names_what_was_not_checked(proxy, stacks):
    proxy.faults["servicequotas"] = hang
    result = run(stacks, allowed=MOTO_LACKS, call_timeout=0.5, timeout=1)
    assert result.code == 1
    assert result.seconds < 1 + 2 * 0.5 + 3  # the deadline, one call in flight, the rest of the run
    late = [r for r in result.rows if "deadline" in r.details]
    assert late and {r.name for r in late} >= {"existing-resources"}
    assert all(r.status == "fail" for r in late if r.name not in MOTO_LACKS)


def test_server_errors_are_retried_a_bounded_number_of_times_then_named(proxy, stacks, monkeypatch):
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "3")
    proxy.faults["DescribeRegions"] = http_status(503)
    result = run(stacks, allowed=MOTO_LACKS)
    assert result.code == 1
    (region,) = result.by_name("region")
    assert region.status == "fail" and region.details == "could not check: server error: DescribeRegions: HTTP 503"
    assert proxy.seen["DescribeRegions"] == 3
    assert result.seconds < 30


def test_throttling_is_named_throttled_and_can_be_accepted_by_name(proxy, stacks):
    proxy.faults["servicequotas"] = aws_error("TooManyRequestsException")
    result = run(stacks, allowed=("permissions",))
    assert result.code == 1
    quotas = result.by_name("quotas")
    assert all("Service Quotas: throttled: GetServiceQuota: TooManyRequestsException" in r.details for r in quotas)
    accepted = result.accepting(*MOTO_LACKS)
    assert accepted.code == 0
    assert all(r.status == "warn" and "accepted unchecked" in r.action for r in accepted.by_name("quotas"))


def test_a_refused_connection_is_an_unreachable_endpoint_not_missing_credentials(account, stacks, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", closed_port())
    result = run(stacks, allowed=("all",))
    assert result.code == 1  # `all` accepts no missing identity: nothing could be read
    (identity,) = result.rows
    assert identity.name == "identity" and identity.status == "fail"
    assert identity.details.startswith("sts:GetCallerIdentity: unreachable endpoint: ")
    assert "credentials" not in identity.details and "STS cannot be reached" in identity.action
    assert result.seconds < 10


def test_one_refused_service_fails_only_its_checks(proxy, stacks, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL_SERVICE_QUOTAS", closed_port())
    result = run(stacks, allowed=("permissions",))
    assert result.code == 1
    assert {r.name for r in result.rows if r.status == "fail"} == {"quotas", "gpu-quotas"}
    assert all("unreachable endpoint" in r.details for r in result.by_name("quotas") + result.by_name("gpu-quotas"))


def test_missing_credentials_are_named_missing_credentials(proxy, stacks, monkeypatch):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    result = run(stacks, allowed=("all",))
    assert result.code == 1
    (identity,) = result.rows
    assert identity.details.startswith("sts:GetCallerIdentity: missing credentials: ")
    assert identity.action.startswith("give the stack's credentials")


def row_of(result: Run, name: str) -> Row:
    (found,) = result.by_name(name)
    return found


# --- the command ------------------------------------------------------------------------------------
class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_is_shown_on_a_terminal_only(proxy, stacks):
    terminal, pipe = _Terminal(), io.StringIO()
    run(stacks, allowed=MOTO_LACKS, progress=Progress(terminal))
    run(stacks, allowed=MOTO_LACKS, progress=Progress(pipe))
    lines = terminal.getvalue().splitlines()
    assert "preflight: management: identity ..." in lines and "preflight: management: quotas ..." in lines
    assert pipe.getvalue() == ""


def test_the_command_fails_closed_and_takes_allow_unchecked_by_name(proxy, stacks, capsys):
    stack_file = str(write_stack(stacks, prod_values()))
    assert main(["prod", "--config-file", stack_file, "--json"]) == 1
    rows = json.loads(capsys.readouterr().out)
    assert {r["name"] for r in rows if r["status"] == "fail"} == set(MOTO_LACKS)
    flags = ["--allow-unchecked", "quotas", "--allow-unchecked", "gpu-quotas", "--allow-unchecked", "permissions"]
    assert main(["prod", "--config-file", stack_file, *flags]) == 0
    assert capsys.readouterr().out.splitlines()[-1].startswith("ready: 0 to fix")
    with pytest.raises(SystemExit) as refused:
        main(["prod", "--config-file", stack_file, "--allow-unchecked", "identity"])
    assert refused.value.code == 2  # an unknown check name; identity is never accepted unchecked
    assert "invalid choice: 'identity'" in capsys.readouterr().err
