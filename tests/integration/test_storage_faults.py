"""Storage faults over the wire: a local HTTP server that answers as DynamoDB does
when it throttles or fails, and a closed port. botocore's real retries run; the
client gets a 503 with Retry-After within the retry budget, and nothing is left
half-written."""

from __future__ import annotations

import io
import json
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from automations.routes import Route
from automations_local.context import LambdaContext
from tests.helpers import HANDLERS, STORING, claims_for, free_port, post, route_event

Answer = tuple[int, dict[str, Any]]
OK: Answer = (200, {})
BODY = {"name": "Welcome", "nodes": [{"id": "a", "type": "send-email"}]}
AUTOMATIONS, IDEMPOTENCY = "Automations", "Idempotency"
LAMBDA_TIMEOUT = 12  # template.yaml


def error(code: str, status: int = 400) -> Answer:
    return status, {"__type": f"com.amazonaws.dynamodb.v20120810#{code}", "message": f"{code} (fake)"}


class FakeDynamo(ThreadingHTTPServer):
    """Answers each call with ``answer(operation, table, attempt)``; records calls."""

    daemon_threads = True

    def __init__(self, answer: Callable[[str, str, int], Answer]) -> None:
        super().__init__(("127.0.0.1", 0), _FakeHandler)
        self.answer = answer
        self.calls: list[tuple[str, str]] = []
        self.lock = threading.Lock()

    def count(self, operation: str, table: str) -> int:
        return self.calls.count((operation, table))


class _FakeHandler(BaseHTTPRequestHandler):
    server: FakeDynamo

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        operation = self.headers["x-amz-target"].split(".")[-1]
        table = body.get("TableName", "")
        with self.server.lock:
            self.server.calls.append((operation, table))
            attempt = self.server.count(operation, table)
        status, payload = self.server.answer(operation, table, attempt)
        if status == 0:  # hang past botocore's read timeout
            time.sleep(2.5)
            status, payload = OK
        raw = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("content-type", "application/x-amz-json-1.0")
            self.send_header("x-amzn-requestid", "fake")
            self.send_header("content-length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up waiting, as it should


@pytest.fixture
def fake(
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Callable[[Callable[[str, str, int], Answer]], FakeDynamo]]:
    servers: list[FakeDynamo] = []

    def start(answer: Callable[[str, str, int], Answer]) -> FakeDynamo:
        server = FakeDynamo(answer)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        host, port = server.server_address[:2]
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://{host!s}:{port}")
        monkeypatch.setenv("AUTOMATIONS_TABLE", AUTOMATIONS)
        monkeypatch.setenv("IDEMPOTENCY_TABLE", IDEMPOTENCY)
        return server

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def timed(call: Callable[[], Any]) -> tuple[Any, float]:
    started = time.monotonic()
    result = call()
    return result, time.monotonic() - started


@pytest.mark.parametrize(
    "answer",
    [
        error("ProvisionedThroughputExceededException"),
        error("ThrottlingException"),
        error("RequestLimitExceeded"),
        error("InternalServerError", 500),
        (503, {"__type": "com.amazonaws.dynamodb.v20120810#ServiceUnavailable", "message": "down"}),
    ],
    ids=lambda a: a[1]["__type"].split("#")[1],
)
def test_throttling_and_server_errors_are_503_after_botocore_retries(fake: Any, answer: Answer) -> None:
    server = fake(lambda op, table, attempt: answer)
    reply, elapsed = timed(lambda: post(BODY, "ws_1"))
    assert (reply.status, reply.error_code) == (503, "service_unavailable")
    assert reply.body["error"]["type"] == "api_error"
    assert int(reply.headers["retry-after"]) > 0
    assert server.count("PutItem", AUTOMATIONS) == 3  # botocore's standard mode tried three times
    assert elapsed < 8


def test_a_throttle_that_clears_within_the_retries_is_a_201(fake: Any) -> None:
    server = fake(lambda op, table, attempt: error("ThrottlingException") if attempt == 1 else OK)
    reply = post(BODY, "ws_1")
    assert reply.status == 201
    assert server.count("PutItem", AUTOMATIONS) == 2


def test_an_unreachable_endpoint_is_503_within_seconds(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", f"http://127.0.0.1:{free_port()}")  # nothing listens
    monkeypatch.setenv("AUTOMATIONS_TABLE", AUTOMATIONS)
    reply, elapsed = timed(lambda: post(BODY, "ws_1"))
    assert (reply.status, reply.error_code) == (503, "service_unavailable")
    assert elapsed < 8


def test_a_hanging_endpoint_is_503_inside_the_lambda_timeout(fake: Any) -> None:
    server = fake(lambda op, table, attempt: (0, {}))
    reply, elapsed = timed(lambda: post(BODY, "ws_1"))
    assert (reply.status, reply.error_code) == (503, "service_unavailable")
    assert server.count("PutItem", AUTOMATIONS) == 3
    assert elapsed < LAMBDA_TIMEOUT - 1


def test_with_a_key_a_failed_create_leaves_no_idempotency_record(fake: Any) -> None:
    # Given the idempotency table answers and the automations table throttles
    server = fake(lambda op, table, attempt: error("ThrottlingException") if table == AUTOMATIONS else OK)
    # When a keyed create fails
    reply = post(BODY, "ws_1", headers={"Idempotency-Key": "k"})
    # Then 503, and the in-progress record it wrote was deleted: the retry is free
    assert reply.status == 503
    assert server.calls[0] == ("PutItem", IDEMPOTENCY)
    assert server.count("PutItem", AUTOMATIONS) == 3
    assert server.calls[-1] == ("DeleteItem", IDEMPOTENCY)


def test_a_throttled_idempotency_table_is_503_and_nothing_is_created(fake: Any) -> None:
    server = fake(
        lambda op, table, attempt: (
            error("ProvisionedThroughputExceededException") if table == IDEMPOTENCY else OK
        )
    )
    reply = post(BODY, "ws_1", headers={"Idempotency-Key": "k"})
    assert (reply.status, reply.error_code) == (503, "service_unavailable")
    assert server.count("PutItem", AUTOMATIONS) == 0


@pytest.mark.parametrize("code", ["ResourceNotFoundException", "AccessDeniedException"])
def test_a_missing_table_or_permission_is_503_too(fake: Any, code: str) -> None:
    fake(lambda op, table, attempt: error(code))
    assert post(BODY, "ws_1").status == 503


def test_when_only_remembering_the_success_fails_the_client_still_gets_its_201(fake: Any) -> None:
    # Given the success record cannot be written (Powertools writes it with UpdateItem)
    server = fake(lambda op, table, attempt: error("ThrottlingException") if op == "UpdateItem" else OK)
    # When a keyed create stores its automation
    reply = post(BODY, "ws_1", headers={"Idempotency-Key": "k"})
    # Then the client is told the truth: created, once
    assert reply.status == 201
    assert "idempotent-replayed" not in reply.headers
    assert server.count("PutItem", AUTOMATIONS) == 1
    assert server.count("UpdateItem", IDEMPOTENCY) == 3


def through(route: Route) -> dict[str, Any]:
    """A request to ``route`` by a caller holding its scope, answered by its function."""
    event = route_event(route, claims_for("ws_1", route.scopes[0]), BODY)
    answer: dict[str, Any] = HANDLERS[route.key](event, LambdaContext())
    return answer


def levels(logs: io.StringIO, caplog: pytest.LogCaptureFixture) -> list[tuple[str, str]]:
    """(level, message) of each line the function logged, Powertools' JSON lines and
    any other logger's records (Lambda writes those as JSON too: LogFormat JSON)."""
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    return [(line["level"], line["message"]) for line in lines] + [
        (record.levelname, record.getMessage()) for record in caplog.records
    ]


@pytest.mark.parametrize("code", ["ProvisionedThroughputExceededException", "ThrottlingException"])
@pytest.mark.parametrize("route", STORING, ids=lambda route: route.operation)
def test_throttling_is_logged_as_a_warning_never_an_error(
    fake: Any, logs: io.StringIO, caplog: pytest.LogCaptureFixture, route: Route, code: str
) -> None:
    # Given storage that throttles every call. The ERROR-log alarm rolls a deployment
    # back: a throttle is load, not a fault of the release, and must not trip it.
    server = fake(lambda op, table, attempt: error(code))
    # When a request to a route that stores or reads comes
    answer = through(route)
    # Then 503 after botocore's retries, logged at WARNING and at nothing above it
    assert answer["statusCode"] == 503
    assert server.calls
    logged = levels(logs, caplog)
    assert ("WARNING", "storage unavailable") in logged
    assert [line for line in logged if line[0] in ("ERROR", "CRITICAL")] == []


@pytest.mark.parametrize("route", STORING, ids=lambda route: route.operation)
def test_a_missing_table_is_logged_as_an_error(
    fake: Any, logs: io.StringIO, caplog: pytest.LogCaptureFixture, route: Route
) -> None:
    # Given a function whose table does not exist: an operator's fault to look at
    fake(lambda op, table, attempt: error("ResourceNotFoundException"))
    # When a request comes, Then 503, and the ERROR line the alarm counts
    answer = through(route)
    assert answer["statusCode"] == 503
    assert ("ERROR", "storage unavailable") in levels(logs, caplog)


def _without_environment_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def test_credentials_that_cannot_be_fetched_are_503_not_a_bug(
    fake: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given Lambda's container credentials endpoint (SnapStart's source of
    # credentials) answering 500, and DynamoDB itself healthy
    class Failing(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(500)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None: ...

    endpoint = ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    threading.Thread(target=endpoint.serve_forever, daemon=True).start()
    server = fake(lambda op, table, attempt: OK)
    _without_environment_credentials(monkeypatch)
    monkeypatch.setenv(
        "AWS_CONTAINER_CREDENTIALS_FULL_URI", f"http://127.0.0.1:{endpoint.server_address[1]}/credentials"
    )
    try:
        # When a create comes, Then it is storage out of reach for now, not a bug
        reply = post(BODY, "ws_1")
    finally:
        endpoint.shutdown()
        endpoint.server_close()
    assert (reply.status, reply.error_code) == (503, "service_unavailable")
    assert server.calls == []


def test_credentials_from_an_assumed_role_reach_sts_from_the_stores_own_session(
    fake: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Any
) -> None:
    # Given a profile that assumes a role (as `STORAGE=aws make run` may use): its
    # credential provider makes an STS client from the store's own session, whose
    # data loader must still know STS. STS is a closed port here.
    config = tmp_path / "config"
    config.write_text(
        "[profile base]\naws_access_key_id = a\naws_secret_access_key = b\n"
        "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/automations\nsource_profile = base\n"
    )
    server = fake(lambda op, table, attempt: OK)
    _without_environment_credentials(monkeypatch)
    monkeypatch.setenv("AWS_CONFIG_FILE", str(config))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_PROFILE", "role")
    monkeypatch.setenv("AWS_ENDPOINT_URL_STS", f"http://127.0.0.1:{free_port()}")
    # When a create comes, Then STS out of reach is a 503 (an unknown service was a 500)
    reply = post(BODY, "ws_1")
    assert (reply.status, reply.error_code) == (503, "service_unavailable")
    assert server.calls == []
