"""`make run` over real HTTP: the local server started as a user starts it (a child
process on a free port, with its embedded DynamoDB), real RS256 tokens, and the
API Gateway behaviour it plays: 401 and 403 before the function runs."""

from __future__ import annotations

import contextlib
import html
import json
import os
import re
import socket
import struct
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import boto3
import pytest
import schemathesis
from cryptography.hazmat.primitives.asymmetric import rsa
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_headers_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from automations.routes import ROUTES
from automations_local import tokens
from automations_local.gateway import MAX_PAYLOAD
from automations_local.openapi import DOCUMENT
from automations_local.server import walkthrough
from automations_local.template import functions

ROOT = Path(__file__).resolve().parents[2]


@dataclass
class RunningApi:
    url: str
    storage: str
    key_file: Path
    key: rsa.RSAPrivateKey
    banner: list[str]
    output: list[str] = field(default_factory=list)

    def token(self, **kwargs: Any) -> str:
        return tokens.issue(key=self.key, **kwargs)

    def items_of(self, workspace: str) -> list[dict[str, Any]]:
        client = boto3.client(
            "dynamodb", endpoint_url=self.storage, region_name="us-east-1",
            aws_access_key_id="local", aws_secret_access_key="local",
        )  # fmt: skip
        pages = client.get_paginator("query").paginate(
            TableName="AutomationsTable", ConsistentRead=True,
            KeyConditionExpression="workspaceId = :w", ExpressionAttributeValues={":w": {"S": workspace}},
        )  # fmt: skip
        return [item for page in pages for item in page["Items"]]


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: Any


def request(method: str, url: str, body: bytes | None = None, headers: dict[str, str] | None = None) -> Reply:
    req = urllib.request.Request(url, data=body, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            status, raw, got = response.status, response.read(), response.headers
    except urllib.error.HTTPError as error:
        status, raw, got = error.code, error.read(), error.headers
    text = raw.decode()
    parsed = json.loads(text) if got.get("content-type", "").startswith("application/json") else text
    return Reply(status, {k.lower(): v for k, v in got.items()}, parsed)


def create(api: RunningApi, token: str | None, body: dict[str, Any], **headers: str) -> Reply:
    all_headers = {"content-type": "application/json", **headers}
    if token is not None:
        all_headers["authorization"] = f"Bearer {token}"
    return request("POST", f"{api.url}/v1/automations", json.dumps(body).encode(), all_headers)


@contextlib.contextmanager
def running_server(key_file: Path, **env_extra: str) -> Iterator[RunningApi]:
    """`make run`'s server as a child process on a free port, until the block ends."""
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "AUTOMATIONS_", "IDEMPOTENCY_", "STORAGE"))
    }
    env.update(DEV_JWT_KEY_FILE=str(key_file), PYTHONUNBUFFERED="1", **env_extra)
    process = subprocess.Popen(
        [sys.executable, "-m", "automations_local.server", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env,
    )  # fmt: skip
    assert process.stdout is not None
    lines: list[str] = []
    ready = threading.Event()

    def drain() -> None:  # keep reading, or the child blocks on a full pipe
        assert process.stdout is not None
        for line in process.stdout:
            lines.append(line.rstrip("\n"))
            if lines[-1] == walkthrough("", "")[-1]:  # the last line of the banner
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        assert ready.wait(60), "the server did not start:\n" + "\n".join(lines)
        text = "\n".join(lines)
        url = re.search(r"local API on (http://\S+)", text)
        storage = re.search(r" at (http://[^\s,]+)", text)
        assert url and storage, text
        yield RunningApi(
            url=url[1],
            storage=storage[1],
            key_file=key_file,
            key=tokens.private_key(key_file),
            banner=list(lines),
            output=lines,
        )
    finally:
        process.terminate()
        process.wait(10)


@pytest.fixture(scope="module")
def local_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApi]:
    with running_server(tmp_path_factory.mktemp("jwt") / "dev-key.pem") as api:
        assert "embedded DynamoDB (moto)" in "\n".join(api.banner)
        yield api


def test_aws_endpoint_url_dynamodb_points_it_at_another_server(dynalite: str, tmp_path: Path) -> None:
    # Given dynalite, empty, When make run starts with AWS_ENDPOINT_URL_DYNAMODB pointing at it
    with running_server(tmp_path / "key.pem", AWS_ENDPOINT_URL_DYNAMODB=dynalite) as api:
        assert f"DynamoDB-compatible server at {dynalite}" in "\n".join(api.banner)
        # Then it made the template's tables there, and creates land there
        reply = create(api, api.token(workspace="ws_dynalite"), {"name": "stored in dynalite"})
        assert reply.status == 201
        assert [item["id"]["S"] for item in api.items_of("ws_dynalite")] == [reply.body["id"]]


@pytest.fixture
def workspace() -> str:
    return f"ws_{time.time_ns()}"


def test_a_client_that_stops_sending_is_cut_off_and_others_are_still_served(tmp_path: Path) -> None:
    # Given make run with a 1-second idle timeout
    workspace = f"ws_{time.time_ns()}"
    with running_server(tmp_path / "key.pem", IDLE_TIMEOUT="1") as api:
        url = urllib.parse.urlsplit(api.url)
        head = (
            f"POST /v1/automations HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer {api.token(workspace=workspace)}\r\n"
            "Content-Type: application/json\r\nContent-Length: 40\r\n\r\n"
        )
        with socket.create_connection((url.hostname, url.port), timeout=10) as stalled:
            # When a client announces 40 bytes, sends 12 and stays silent
            stalled.sendall(head.encode() + b'{"name":"x"}')
            started = time.monotonic()
            # Then the server closes that connection, with no answer, a second or so later
            assert stalled.recv(1 << 16) == b""
            assert 0.9 <= time.monotonic() - started < 5
        # And nothing was created, and the server still answers everyone else
        assert api.items_of(workspace) == []
        assert create(api, api.token(workspace=workspace), {"name": "after"}).status == 201


def test_a_signed_token_creates_an_automation_stored_in_the_embedded_dynamodb(
    local_api: RunningApi, workspace: str
) -> None:
    reply = create(local_api, local_api.token(workspace=workspace), {"name": "Welcome series"})
    assert reply.status == 201
    assert reply.body["name"] == "Welcome series"
    assert reply.headers["location"] == f"/v1/automations/{reply.body['id']}"
    assert reply.headers["x-request-id"] == reply.headers["apigw-requestid"]
    items = local_api.items_of(workspace)
    assert [item["id"]["S"] for item in items] == [reply.body["id"]]


def _body_of(size: int) -> bytes:
    """A publishable automation's body of exactly ``size`` bytes (its last template id padded)."""
    base = json.loads(json.loads((ROOT / "events" / "validate-publishable.json").read_text())["body"])
    base["nodes"][-1]["data"]["templateId"] = ""
    padding = size - len(json.dumps(base).encode())
    base["nodes"][-1]["data"]["templateId"] = "t" * padding
    body = json.dumps(base).encode()
    assert len(body) == size
    return body


# Bodies around the item limit: 405,000 is where moto's own limit would refuse, 409,600
# is DynamoDB's (the stored item adds the id, status, timestamps to the body's text).
@pytest.mark.parametrize("size", [404_000, 405_020, 406_500, 408_000, 409_000, 409_400, 409_600, 410_000])
def test_validate_and_create_agree_on_an_automations_size_through_make_run(
    local_api: RunningApi, workspace: str, size: int
) -> None:
    # Given a publishable automation of this many bytes
    body = _body_of(size)
    token = local_api.token(workspace=workspace)
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    # When it is validated, then created, through make run
    validated = request("POST", f"{local_api.url}/v1/automations/validate", body, headers)
    created = request("POST", f"{local_api.url}/v1/automations", body, headers)
    # Then validate finds it valid exactly when the create stores it, and too large
    # exactly when the create refuses it as too large
    if validated.status == 200:
        assert validated.body["valid"] is True
        assert created.status == 201, created.body
        assert [item["id"]["S"] for item in local_api.items_of(workspace)] == [created.body["id"]]
    else:
        assert (validated.status, validated.body["error"]["code"]) == (413, "automation_too_large")
        assert (created.status, created.body["error"]["code"]) == (413, "automation_too_large")
        assert local_api.items_of(workspace) == []


def test_bodies_that_moto_alone_would_refuse_are_valid_and_stored(
    local_api: RunningApi, workspace: str
) -> None:
    # The sizes above hold some that moto's 405,000-byte limit refuses and DynamoDB takes
    token = local_api.token(workspace=workspace)
    headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
    reply = request("POST", f"{local_api.url}/v1/automations", _body_of(408_000), headers)
    assert reply.status == 201, reply.body


REQUEST_LOGGED = re.compile(r"^(?P<method>[A-Z]+) (?P<path>/\S*) -> (?P<status>\d{3})$")


@dataclass
class Walked:
    """What a walkthrough did: the requests the server logged, with their statuses, and
    the answers the commands printed (stdout's lines, stderr's)."""

    requests: list[tuple[str, str, int]]
    printed: list[Any]
    printed_on_stderr: Any


def walk(api: RunningApi, script: str, **env: str) -> Walked:
    """``script`` run by a shell, as a person pastes it in the project's directory."""
    logged = len(api.output)
    done = subprocess.run(
        ["bash", "-e", "-c", script],
        capture_output=True, text=True, timeout=60, check=False, cwd=ROOT, env={**os.environ, **env},
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    deadline = time.time() + 5  # the server logs a request after its answer is sent
    while time.time() < deadline and not any(
        line.startswith("GET /v1/automations -> ") for line in api.output[logged:]
    ):
        time.sleep(0.02)
    requests = [
        (m["method"], m["path"], int(m["status"]))
        for m in map(REQUEST_LOGGED.match, api.output[logged:])
        if m is not None
    ]
    printed = [json.loads(line) for line in done.stdout.splitlines() if line]
    return Walked(requests, printed, json.loads(done.stderr.splitlines()[-1]))


def assert_walked_all_the_way(api: RunningApi, walked: Walked) -> None:
    """The draft went all the way: created, edited with its ETag, validated, published,
    its next version started, and both listed; each step answered as it should."""
    created = walked.printed_on_stderr
    automation = f"/v1/automations/{created['id']}"
    edited, validated, published, version, listed = walked.printed
    assert walked.requests == [
        ("POST", "/v1/automations", 201),
        ("PATCH", automation, 200),
        ("POST", "/v1/automations/validate", 200),
        ("POST", f"{automation}/publish", 200),
        ("POST", f"{automation}/versions", 201),
        ("GET", "/v1/automations", 200),
    ]
    assert (created["status"], created["nodes"][1]["data"]) == ("DRAFT", {})
    assert edited["nodes"][1]["data"] == {"templateId": "tpl_hello"}
    assert (validated["valid"], validated["publishable"]) == (True, True)
    assert (published["id"], published["status"], published["version"]) == (created["id"], "PUBLISHED", 1)
    assert (version["status"], version["version"], version["parentId"]) == ("DRAFT", 2, created["id"])
    assert [a["id"] for a in listed["data"][:2]] == [version["id"], created["id"]]
    items = api.items_of(tokens.DEFAULT_WORKSPACE)
    stored = {item["id"]["S"]: item["status"]["S"] for item in items if "status" in item}  # not the family's
    assert (stored[created["id"]], stored[version["id"]]) == ("PUBLISHED", "DRAFT")


def test_the_printed_walkthrough_takes_a_draft_all_the_way_when_pasted(local_api: RunningApi) -> None:
    # Given the commands printed at start, after the line that says what they do
    start = next(i for i, line in enumerate(local_api.banner) if line.startswith("TOKEN="))
    script = "\n".join(local_api.banner[start:])
    assert local_api.banner[start - 2].startswith("Try it: create a draft")
    # When they are run in a shell, as pasted
    walked = walk(local_api, script)
    # Then each step answered as it should, and the draft went live and has a next version
    assert_walked_all_the_way(local_api, walked)


def test_the_index_pages_walkthrough_takes_a_draft_all_the_way_when_pasted(
    local_api: RunningApi, tmp_path: Path
) -> None:
    # Given the index page's commands, which get their token from make token
    page = request("GET", f"{local_api.url}/")
    (pre,) = re.findall(r"<pre>(.*?)</pre>", page.body, re.DOTALL)
    script = html.unescape(pre)
    assert script.startswith("TOKEN=$(make -s token)\n")
    # When they are pasted in a shell in the project's directory, with make run's signing
    # key (make token's prerequisite, the installed virtualenv, taken as this test run's)
    walked = walk(
        local_api,
        script,
        DEV_JWT_KEY_FILE=str(local_api.key_file),
        MAKEFLAGS=f"-o .venv/.installed-local BIN={Path(sys.executable).parent}",
    )
    # Then each step answered as it should, and the draft went live and has a next version
    assert_walked_all_the_way(local_api, walked)


def _forged(workspace: str) -> str:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return tokens.issue(key=other, workspace=workspace)


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        (lambda api, ws: None, "no token"),
        (lambda api, ws: api.token(workspace=ws, ttl=-60), "expired"),
        (lambda api, ws: api.token(workspace=ws, iss="https://evil.example/"), "wrong issuer"),
        (lambda api, ws: api.token(workspace=ws, aud="another-api"), "wrong audience"),
        (lambda api, ws: api.token(workspace=ws, nbf=int(time.time()) + 3600), "not yet valid"),
        (lambda api, ws: _forged(ws), "forged signature"),
        (lambda api, ws: api.token(workspace=ws)[:-4] + "AAAA", "tampered signature"),
        (lambda api, ws: "not-a-jwt", "garbage"),
    ],
)
def test_the_authorizer_refuses_bad_tokens_with_401_before_the_function(
    local_api: RunningApi, workspace: str, make_token: Any, reason: str
) -> None:
    # Given a bad token that names this test's workspace (where a token can name one)
    logged = len(local_api.output)
    # When it creates
    reply = create(local_api, make_token(local_api, workspace), {"name": reason})
    # Then the gateway answers 401 itself, and the function never ran
    assert reply.status == 401, reason
    assert reply.body == {"message": "Unauthorized"}
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert "x-request-id" not in reply.headers
    time.sleep(0.2)  # any log line the function wrote would have reached the terminal by now
    assert not any('"function_name"' in line for line in local_api.output[logged:])
    assert local_api.items_of(workspace) == []


def test_a_read_only_token_is_403_from_the_gateway(local_api: RunningApi, workspace: str) -> None:
    reply = create(
        local_api,
        local_api.token(scopes="read:automations write:automations-readonly", workspace=workspace),
        {"name": "x"},
    )
    assert reply.status == 403
    assert reply.body == {"message": "Forbidden"}
    assert 'error="insufficient_scope"' in reply.headers["www-authenticate"]
    assert local_api.items_of(workspace) == []


def test_a_token_without_a_workspace_reaches_the_function_which_refuses_it(local_api: RunningApi) -> None:
    reply = create(local_api, local_api.token(workspace=None), {"name": "x"})
    assert reply.status == 403
    assert reply.body["error"]["code"] == "workspace_required"


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/v1/automations"),
        ("DELETE", "/v1/automations"),
        ("GET", "/v1/automations/a/b"),
        ("PUT", "/"),
    ],
)
def test_other_routes_are_the_gateways_404(local_api: RunningApi, method: str, path: str) -> None:
    reply = request(method, f"{local_api.url}{path}", None, {"authorization": f"Bearer {local_api.token()}"})
    assert (reply.status, reply.body) == (404, {"message": "Not Found"})


def get_automation(api: RunningApi, token: str | None, location: str) -> Reply:
    headers = {"authorization": f"Bearer {token}"} if token else {}
    return request("GET", f"{api.url}{location}", None, headers)


def test_a_created_automation_is_read_back_at_its_location_with_either_scope(
    local_api: RunningApi, workspace: str
) -> None:
    created = create(
        local_api,
        local_api.token(workspace=workspace),
        {"name": "Read me", "nodes": [{"id": "a", "type": "event", "position": {"x": 1.5, "y": 2}}]},
    )
    for scopes in ("read:automations", "write:automations"):
        read = get_automation(
            local_api, local_api.token(scopes=scopes, workspace=workspace), created.headers["location"]
        )
        assert read.status == 200, scopes
        assert read.body == created.body
        assert read.headers["x-request-id"] == read.headers["apigw-requestid"]


def test_another_workspaces_automation_is_404_as_if_it_did_not_exist(
    local_api: RunningApi, workspace: str
) -> None:
    created = create(local_api, local_api.token(workspace=workspace), {"name": "Mine"})
    theirs = get_automation(
        local_api, local_api.token(workspace=f"{workspace}-other"), created.headers["location"]
    )
    unknown = get_automation(
        local_api, local_api.token(workspace=workspace), "/v1/automations/aut_01JZZZZZZZZZZZZZZZZZZZZZZZ"
    )
    for reply in (theirs, unknown):
        assert reply.status == 404
        assert reply.body["error"]["code"] == "automation_not_found"
    assert theirs.body["error"]["message"] == unknown.body["error"]["message"]


def test_a_read_only_token_reads_but_cannot_create(local_api: RunningApi, workspace: str) -> None:
    created = create(local_api, local_api.token(workspace=workspace), {"name": "x"})
    read_only = local_api.token(scopes="read:automations", workspace=workspace)
    assert get_automation(local_api, read_only, created.headers["location"]).status == 200
    refused = create(local_api, read_only, {"name": "y"})
    assert (refused.status, refused.body) == (403, {"message": "Forbidden"})
    assert 'scope="write:automations"' in refused.headers["www-authenticate"]
    assert len(local_api.items_of(workspace)) == 1


# Framing over a raw socket: http.client will not send a negative Content-Length, two
# of them, or a broken chunk, and a client that does must get one answer, then a close.


def wire(token: str, framing: list[str], body: bytes = b"") -> bytes:
    """POST /v1/automations as bytes on the wire; ``framing`` is the header lines that say
    where the body ends, as wrong as the test wants them."""
    head = [
        "POST /v1/automations HTTP/1.1",
        "Host: 127.0.0.1",
        f"Authorization: Bearer {token}",
        "Content-Type: application/json",
        *framing,
    ]
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


def replies_of(data: bytes) -> list[Reply]:
    """Every HTTP response in ``data``, in order (a 100 Continue is one too)."""
    replies = []
    while data:
        head, _, data = data.partition(b"\r\n\r\n")
        status, *fields = head.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (f.partition(":") for f in fields)}
        raw, data = (
            data[: int(headers.get("content-length", 0))],
            data[int(headers.get("content-length", 0)) :],
        )
        body = json.loads(raw) if headers.get("content-type", "").startswith("application/json") else raw
        replies.append(Reply(int(status.split()[1]), headers, body))
    return replies


def exchange(api: RunningApi, data: bytes, *, half_close: bool = False) -> list[Reply]:
    """``data`` sent on a new connection, then everything the server sends until it closes
    the connection: a server that answers twice shows two replies, one that keeps the
    connection open (or waits for a body it should not read) times the test out."""
    return replies_of(received(api, data, half_close=half_close))


def received(api: RunningApi, data: bytes, *, half_close: bool = False) -> bytes:
    """The bytes the server sends in answer to ``data``, until it closes the connection."""
    url = urllib.parse.urlsplit(api.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(data)
        if half_close:
            connection.shutdown(socket.SHUT_WR)
        answer = bytearray()
        while chunk := connection.recv(1 << 16):
            answer += chunk
    return bytes(answer)


def chunked(*pieces: bytes, extensions: str = "", trailers: str = "") -> bytes:
    sizes = (f"{len(piece):X}{extensions}\r\n".encode() + piece + b"\r\n" for piece in pieces)
    return b"".join(sizes) + f"0{extensions}\r\n{trailers}\r\n".encode()


def test_a_chunked_body_with_extensions_and_trailers_creates_the_automation(
    local_api: RunningApi, workspace: str
) -> None:
    # Given a body sent in chunks, sizes in upper-case hex, every chunk with extensions
    # (a quoted ";" in one), and trailer fields after the last chunk
    body = json.dumps({"name": "Chunked welcome series", "description": "d" * 40}).encode()
    data = chunked(
        body[:7],
        body[7:30],
        body[30:],
        extensions=' ;checksum=ab12; note="a;b"',
        trailers="Checksum: ab12\r\nX-Sent-By: test\r\n",
    )
    # When it is posted, and another request follows on the same connection
    after = b"GET /v1/nothing HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    reply, next_reply = exchange(
        local_api, wire(local_api.token(workspace=workspace), ["Transfer-Encoding: chunked"], data) + after
    )
    # Then the function got the body whole, and stored it; the next request was read from
    # where the chunked body ended, trailers and all
    assert reply.status == 201, reply.body
    assert next_reply.status == 404
    assert reply.body["name"] == "Chunked welcome series"
    assert [item["id"]["S"] for item in local_api.items_of(workspace)] == [reply.body["id"]]


def test_one_content_length_said_twice_is_one_length(local_api: RunningApi, workspace: str) -> None:
    body = json.dumps({"name": "said twice"}).encode()
    framing = [
        f"Content-Length: {len(body)}",
        f"Content-Length: {len(body)}, {len(body)}",
        "Connection: close",
    ]
    (reply,) = exchange(local_api, wire(local_api.token(workspace=workspace), framing, body))
    assert reply.status == 201, reply.body
    assert [item["id"]["S"] for item in local_api.items_of(workspace)] == [reply.body["id"]]


@pytest.mark.parametrize(
    ("framing", "body"),
    [
        (["Content-Length: -1"], b""),
        (["Content-Length: twelve"], b'{"name":"x"}'),
        (["Content-Length: +12"], b'{"name":"x"}'),
        (["Content-Length: "], b""),
        (["Content-Length: 12", "Content-Length: 13"], b'{"name":"x"} '),
        (["Content-Length: 12, 13"], b'{"name":"x"} '),
        (["Transfer-Encoding: chunked"], b'zz\r\n{"name":"x"}\r\n0\r\n\r\n'),
        (["Transfer-Encoding: chunked"], b'0x0C\r\n{"name":"x"}\r\n0\r\n\r\n'),
        (["Transfer-Encoding: chunked"], b'C\r\n{"name":"x"}0\r\n\r\n'),
        (["Transfer-Encoding: chunked"], b'C\n{"name":"x"}\r\n0\r\n\r\n'),
        (["Transfer-Encoding: chunked"], b'C\r\n{"name":"x"}\r\n0\r\nnot a field\r\n\r\n'),
        (["Transfer-Encoding: chunked", "Content-Length: 21"], b'C\r\n{"name":"x"}\r\n0\r\n\r\n'),
        (["Transfer-Encoding: gzip, chunked"], b'C\r\n{"name":"x"}\r\n0\r\n\r\n'),
    ],
    ids=[
        "negative-length",
        "non-numeric-length",
        "signed-length",
        "empty-length",
        "two-lengths",
        "one-field-two-lengths",
        "bad-hex-size",
        "0x-prefixed-size",
        "no-CRLF-after-chunk",
        "bare-LF-after-size",
        "malformed-trailer",
        "chunked-and-length",
        "unsupported-coding",
    ],
)
def test_broken_framing_is_one_400_then_the_connection_closes(
    local_api: RunningApi, framing: list[str], body: bytes
) -> None:
    # When a request's body cannot be delimited
    replies = exchange(local_api, wire(local_api.token(), framing, body))
    # Then the gateway answers 400 once, closes the connection, and the function never runs
    assert [(r.status, r.body) for r in replies] == [(400, {"message": "Bad Request"})]
    assert replies[0].headers["connection"] == "close"
    assert "x-request-id" not in replies[0].headers


@pytest.mark.parametrize(
    "bad_line",
    ["X-Junk : 1", "no colon here", "Bad Name: v", " folded: onto the line above"],
    ids=["space-before-colon", "no-colon", "space-in-name", "obs-fold"],
)
def test_a_malformed_header_line_is_one_400_and_the_body_is_never_a_second_request(
    local_api: RunningApi, workspace: str, bad_line: str
) -> None:
    # Given a valid create whose head holds one malformed line before its Content-Length
    # (Python's parser stops at that line: the rest of the head would read as the body,
    # and the body as a second request)
    body = json.dumps({"name": "smuggled"}).encode()
    token = local_api.token(workspace=workspace)
    data = wire(token, [bad_line, f"Content-Length: {len(body)}"], body)
    # When it is sent
    replies = exchange(local_api, data)
    # Then one 400, a close, and the function never ran
    assert [(r.status, r.body) for r in replies] == [(400, {"message": "Bad Request"})]
    assert replies[0].headers["connection"] == "close"
    assert local_api.items_of(workspace) == []


def test_a_malformed_request_line_is_answered_and_logged_without_a_traceback(local_api: RunningApi) -> None:
    replies = exchange(local_api, b"GET /v1/automations HTTP/x.y\r\n\r\n")
    assert [r.status for r in replies] == [400]
    logged = "'GET /v1/automations HTTP/x.y' -> 400"
    deadline = time.time() + 5
    while time.time() < deadline and not any(logged in line for line in local_api.output):
        time.sleep(0.02)
    assert any(logged in line for line in local_api.output)
    assert not any("Traceback" in line for line in local_api.output)


@pytest.mark.parametrize(
    ("data", "status", "message"),
    [
        (b"GET /v1/automations HTTP/x.<script>\r\n\r\n", 400, "Bad Request"),
        (b"GET /<script> HTTP/1.1 extra\r\n\r\n", 400, "Bad Request"),
        (b"POST /<script>\r\n\r\n", 400, "Bad Request"),
        (b"GET /<script> HTTP/2.0\r\n\r\n", 505, "HTTP Version Not Supported"),
        (b"GET /<script>" + b"a" * 70_000 + b" HTTP/1.1\r\n\r\n", 414, "Request-URI Too Long"),
        (
            b"GET / HTTP/1.1\r\nX-Long: <script>" + b"a" * 70_000 + b"\r\n\r\n",
            431,
            "Request Header Fields Too Large",
        ),
    ],
    ids=["bad-version", "four-words", "http-0.9-post", "http-2", "line-too-long", "header-too-long"],
)
def test_a_request_that_cannot_be_parsed_gets_json_without_the_clients_bytes(
    local_api: RunningApi, data: bytes, status: int, message: str
) -> None:
    # When a request that http.server cannot parse is sent
    answer = received(local_api, data)
    # Then one JSON refusal in the gateway's words, nothing of the request in it
    assert b"<script>" not in answer and b"script" not in answer.lower()
    replies = replies_of(answer)
    assert [(r.status, r.headers["content-type"], r.body) for r in replies] == [
        (status, "application/json", {"message": message})
    ]


def test_chunk_framing_past_a_megabyte_is_413_however_small_the_body(local_api: RunningApi) -> None:
    # Given 1-byte chunks, each with an 8 KB extension: 140 bytes of body, 1.1 MB of framing
    body = chunked(*[b" "] * 140, extensions=";x=" + "y" * 8000)
    replies = exchange(local_api, wire(local_api.token(), ["Transfer-Encoding: chunked"], body))
    assert [(r.status, r.body) for r in replies] == [(413, {"message": "Request Entity Too Large"})]


SIX_MB = 6 * 1024 * 1024


@pytest.mark.parametrize(
    ("framing", "body"),
    [
        ([f"Content-Length: {MAX_PAYLOAD + 1}"], b""),
        ([f"Content-Length: {MAX_PAYLOAD + 1}", "Expect: 100-continue"], b""),
        (["Content-Length: " + "9" * 5000], b""),
        (["Transfer-Encoding: chunked"], f"{MAX_PAYLOAD + 1:x}\r\n".encode()),
        (
            ["Transfer-Encoding: chunked"],
            f"{SIX_MB:x}\r\n".encode() + b" " * SIX_MB + f"\r\n{MAX_PAYLOAD - SIX_MB + 1:x}\r\n".encode(),
        ),
    ],
    ids=[
        "content-length",
        "content-length-expecting-100",
        "5000-digit-length",
        "one-chunk",
        "chunks-adding-up",
    ],
)
def test_a_body_over_10_mb_is_the_gateways_413_before_it_is_read(
    local_api: RunningApi, framing: list[str], body: bytes
) -> None:
    # Given a body announced over the gateway's limit, and not sent: a server that reads
    # on (or holds it in memory to count it) waits for bytes that never come
    replies = exchange(local_api, wire(local_api.token(), framing, body))
    # Then the answer is 413, alone (no 100 Continue first), and the connection closes
    assert [(r.status, r.body) for r in replies] == [(413, {"message": "Request Entity Too Large"})]
    assert replies[0].headers["connection"] == "close"


@pytest.mark.parametrize(
    ("framing", "body"),
    [(["Content-Length: 100"], b'{"name": "x"'), (["Transfer-Encoding: chunked"], b'64\r\n{"name": "x"')],
    ids=["content-length", "chunked"],
)
def test_a_client_that_stops_short_of_its_body_gets_a_400(
    local_api: RunningApi, framing: list[str], body: bytes
) -> None:
    # When the client ends its side of the connection before its body ends
    replies = exchange(local_api, wire(local_api.token(), framing, body), half_close=True)
    # Then it hears 400 once, and the connection closes
    assert [(r.status, r.body) for r in replies] == [(400, {"message": "Bad Request"})]


def test_a_client_that_resets_mid_body_leaves_the_server_serving(local_api: RunningApi) -> None:
    # Given a client that sends part of its body, then resets the connection
    url = urllib.parse.urlsplit(local_api.url)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(wire(local_api.token(), ["Content-Length: 100"], b'{"name": "x"'))
        time.sleep(0.1)  # the server is waiting for the rest of the body
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # close = RST
    # Then the handler thread ends quietly (no traceback), and the server still answers
    deadline = time.time() + 5
    while time.time() < deadline and not any(
        "went away mid-body" in line or "Traceback" in line for line in local_api.output
    ):
        time.sleep(0.02)
    assert any("POST /v1/automations -> the client went away mid-body" in line for line in local_api.output)
    assert not any("Traceback" in line for line in local_api.output)
    assert request("GET", f"{local_api.url}/").status == 200


def test_the_index_docs_and_openapi_document_are_served(local_api: RunningApi) -> None:
    index = request("GET", f"{local_api.url}/")
    assert index.status == 200 and "/docs" in index.body and "/openapi.json" in index.body
    document = request("GET", f"{local_api.url}/openapi.json")
    assert document.body == json.loads(DOCUMENT.read_text())
    docs = request("GET", f"{local_api.url}/docs")
    # Powertools' Swagger UI, its script inlined (offline), showing the committed document
    assert docs.status == 200 and "SwaggerUIBundle" in docs.body and len(docs.body) > 100_000
    for route in ROUTES:
        assert f'"operationId": "{route.operation}"' in docs.body


def test_the_function_logs_reach_the_terminal_without_the_token(
    local_api: RunningApi, workspace: str
) -> None:
    token = local_api.token(workspace=workspace)
    create(local_api, token, {"name": "logged"})
    deadline = time.time() + 5
    while time.time() < deadline and not any(workspace in line for line in local_api.output):
        time.sleep(0.05)
    assert any("automation created" in line and workspace in line for line in local_api.output)
    assert not any(token in line for line in local_api.output)


def test_make_invoke_replays_an_event_file() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTOMATIONS_", "STORAGE"))}
    result = subprocess.run(
        [sys.executable, "-m", "automations_local.invoke", "events/create-welcome-series.json"],
        capture_output=True, text=True, env=env, cwd=Path(__file__).resolve().parents[2], timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)  # the response alone; the logs went to stderr
    assert "automation created" in result.stderr
    assert answer["statusCode"] == 201
    assert answer["body"]["name"] == "Welcome series"


def test_make_invoke_replays_a_get_event_with_what_it_needs_stored_first() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTOMATIONS_", "STORAGE"))}
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run(
        [sys.executable, "-m", "automations_local.invoke", "events/get-found.json"],
        capture_output=True, text=True, env=env, cwd=root, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    answer = json.loads(result.stdout)
    expected = json.loads((root / "events" / "get-found.expected.json").read_text())
    assert answer["statusCode"] == 200
    assert answer["body"] == expected["given"]["automation"]


def test_make_token_prints_a_token_on_its_last_line(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "DEV_JWT_KEY_FILE": str(tmp_path / "k.pem"),
        "SCOPES": "write:automations",
        "WORKSPACE": "ws_42",
    }
    result = subprocess.run(
        [sys.executable, "-m", "automations_local.tokens"],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=True,
    )
    token = result.stdout.strip().splitlines()[-1]
    claims = tokens.verify(
        f"Bearer {token}", ["write:automations"], key=tokens.private_key(tmp_path / "k.pem")
    )
    assert (claims["scope"], claims["workspace_id"]) == ("write:automations", "ws_42")


def make(target: str, *arguments: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """``make <target> <arguments>`` as a user runs it, with this test run's virtualenv
    standing for the one make would install (its stamp taken as up to date)."""
    root = Path(__file__).resolve().parents[2]
    bin_dir = Path(sys.executable).parent
    return subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed-local", f"BIN={bin_dir}", target, *arguments],
        capture_output=True, text=True, env=env, cwd=root, timeout=120, check=False,
    )  # fmt: skip


def _logged(stderr: str) -> list[dict[str, Any]]:
    """The JSON lines (logs and metrics) a function wrote."""
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


# (a GET that finds its automation logs nothing but its cold-start metric, which names
# the function without its memory size)
@pytest.mark.parametrize(
    ("event", "sizes_logged"),
    [("create-minimal", True), ("get-found", False), ("validate-publishable", True)],
)
def test_make_invoke_answers_on_stdout_alone_in_the_context_of_the_routes_function(
    event: str, sizes_logged: bool
) -> None:
    # Given an event file of a route
    root = Path(__file__).resolve().parents[2]
    route = next(
        r for r in ROUTES if r.key == json.loads((root / "events" / f"{event}.json").read_text())["routeKey"]
    )
    memory = functions()[route.function]["MemorySize"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "AUTOMATIONS_", "STORAGE"))}
    # When make invoke replays it (not silenced: as a user pipes it to jq)
    result = make("invoke", f"EVENT=events/{event}.json", env=env)
    # Then stdout is the answer alone, and the logs name the route's function, at its memory size
    assert result.returncode == 0, result.stderr
    assert "statusCode" in json.loads(result.stdout)
    logged = _logged(result.stderr)
    assert {line["function_name"] for line in logged if "function_name" in line} == {route.function}
    sizes = {line["function_memory_size"] for line in logged if "function_memory_size" in line}
    assert sizes == ({memory} if sizes_logged else set())


@pytest.mark.parametrize(
    ("arguments", "scope", "workspace"),
    [
        ((), tokens.DEFAULT_SCOPES, tokens.DEFAULT_WORKSPACE),
        (("SCOPES=read:automations",), "read:automations", tokens.DEFAULT_WORKSPACE),
        (("SCOPES=",), None, tokens.DEFAULT_WORKSPACE),
        (("WORKSPACE=",), tokens.DEFAULT_SCOPES, None),
        (("SCOPES=", "WORKSPACE="), None, None),
    ],
    ids=["defaults", "one-scope", "no-scopes", "no-workspace", "neither"],
)
def test_make_token_leaves_out_a_claim_set_empty(
    tmp_path: Path, arguments: tuple[str, ...], scope: str | None, workspace: str | None
) -> None:
    # Given make token's options as a user passes them on the command line
    env = {k: v for k, v in os.environ.items() if k not in ("SCOPES", "WORKSPACE")}
    env["DEV_JWT_KEY_FILE"] = str(tmp_path / "k.pem")
    # When it runs
    result = make("token", *arguments, env=env)
    # Then stdout is the token alone, holding exactly the claims asked for
    assert result.returncode == 0, result.stderr
    (token,) = result.stdout.splitlines()
    claims = tokens.verify(f"Bearer {token}", [], key=tokens.private_key(tmp_path / "k.pem"))
    assert (claims.get("scope"), claims.get("workspace_id")) == (scope, workspace)


# A property-based run driven by the OpenAPI document the server serves: bounded,
# derandomized so CI is repeatable; the checks are those a conforming API passes
# (schema-valid bodies may still break graph rules, so positive acceptance is not one).
api_schema = schemathesis.pytest.from_fixture("served_schema")


@pytest.fixture(scope="module")
def served_schema(local_api: RunningApi) -> Any:
    return schemathesis.openapi.from_url(f"{local_api.url}/openapi.json")


@api_schema.parametrize()
@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
def test_generated_requests_never_get_a_5xx_and_every_answer_is_documented(
    case: Any, local_api: RunningApi
) -> None:
    token = local_api.token(workspace="ws_schemathesis")
    response = case.call(base_url=local_api.url, headers={"Authorization": f"Bearer {token}"})
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_headers_conformance,
            response_schema_conformance,
        ],
    )


def test_validate_tells_a_new_user_what_stands_between_the_welcome_series_and_publishing(
    local_api: RunningApi, workspace: str
) -> None:
    # Given the welcome-series event's body, as a new user would paste it
    body = json.loads(
        (Path(__file__).resolve().parents[2] / "events/create-welcome-series.json").read_text()
    )["body"]
    assert any(
        line.startswith("  route:   POST") and "/v1/automations/validate" in line for line in local_api.banner
    )
    # When it is validated with a read-only token
    reply = request(
        "POST",
        f"{local_api.url}/v1/automations/validate",
        body.encode(),
        {
            "content-type": "application/json",
            "authorization": f"Bearer {local_api.token(scopes='read:automations', workspace=workspace)}",
        },
    )
    # Then a clear list, node by node, and nothing was stored
    assert reply.status == 200
    assert (reply.body["valid"], reply.body["publishable"]) == (True, False)
    assert [d["message"] for d in reply.body["diagnostics"]][:2] == [
        "a send-email node needs data.templateId",
        "a time-delay node needs data.duration",
    ]
    assert local_api.items_of(workspace) == []
