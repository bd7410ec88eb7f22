"""`make run` over real HTTP: the local server started as a user starts it (a child
process on a free port, with its embedded DynamoDB), real RS256 tokens, and the
API Gateway behaviour it plays: 401 and 403 before the function runs."""

from __future__ import annotations

import contextlib
import json
import os
import re
import shlex
import subprocess
import sys
import threading
import time
import urllib.error
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

from automations_local import tokens
from automations_local.openapi import DOCUMENT


@dataclass
class RunningApi:
    url: str
    storage: str
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
        items = client.scan(TableName="AutomationsTable", ConsistentRead=True)["Items"]
        return [item for item in items if item["workspaceId"]["S"] == workspace]


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
            if line.startswith("curl "):
                ready.set()

    threading.Thread(target=drain, daemon=True).start()
    try:
        assert ready.wait(60), "the server did not start:\n" + "\n".join(lines)
        text = "\n".join(lines)
        url = re.search(r"local API on (http://\S+)", text)
        storage = re.search(r" at (http://[^\s,]+)", text)
        assert url and storage, text
        yield RunningApi(url[1], storage[1], tokens.private_key(key_file), list(lines), lines)
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


def test_the_printed_curl_works_as_printed(local_api: RunningApi) -> None:
    # Given the command printed at start, When it is run (parsed, not shelled out)
    (line,) = [line for line in local_api.banner if line.startswith("curl ")]
    words = shlex.split(line)
    url = next(w for w in words if w.startswith("http"))
    headers = dict(words[i + 1].split(": ", 1) for i, w in enumerate(words) if w == "-H")
    body = words[words.index("-d") + 1].encode()
    reply = request(words[words.index("-X") + 1], url, body, headers)
    # Then it creates an automation in the dev workspace
    assert reply.status == 201
    assert local_api.items_of(tokens.DEFAULT_WORKSPACE)


def _forged() -> str:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return tokens.issue(key=other)


@pytest.mark.parametrize(
    ("make_token", "reason"),
    [
        (lambda api: None, "no token"),
        (lambda api: api.token(ttl=-60), "expired"),
        (lambda api: api.token(iss="https://evil.example/"), "wrong issuer"),
        (lambda api: api.token(aud="another-api"), "wrong audience"),
        (lambda api: api.token(nbf=int(time.time()) + 3600), "not yet valid"),
        (lambda api: _forged(), "forged signature"),
        (lambda api: api.token()[:-4] + "AAAA", "tampered signature"),
        (lambda api: "not-a-jwt", "garbage"),
    ],
)
def test_the_authorizer_refuses_bad_tokens_with_401_before_the_function(
    local_api: RunningApi, workspace: str, make_token: Any, reason: str
) -> None:
    reply = create(local_api, make_token(local_api), {"name": reason})
    assert reply.status == 401, reason
    assert reply.body == {"message": "Unauthorized"}
    assert reply.headers["www-authenticate"].startswith("Bearer")
    assert "x-request-id" not in reply.headers  # the function never ran
    assert local_api.items_of(tokens.DEFAULT_WORKSPACE + "-never") == []


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


def test_other_routes_are_the_gateways_404(local_api: RunningApi) -> None:
    reply = request("GET", f"{local_api.url}/v1/automations/aut_x")
    assert (reply.status, reply.body) == (404, {"message": "Not Found"})


def test_the_index_docs_and_openapi_document_are_served(local_api: RunningApi) -> None:
    index = request("GET", f"{local_api.url}/")
    assert index.status == 200 and "/docs" in index.body and "/openapi.json" in index.body
    document = request("GET", f"{local_api.url}/openapi.json")
    assert document.body == json.loads(DOCUMENT.read_text())
    docs = request("GET", f"{local_api.url}/docs")
    assert docs.status == 200 and "SwaggerUIBundle" in docs.body
    bundle = request("GET", f"{local_api.url}/docs/swagger-ui-bundle.js")
    assert bundle.status == 200 and len(bundle.body) > 100_000


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


# A property-based run driven by the OpenAPI document the server serves: bounded,
# derandomized so CI is repeatable; the checks are those a conforming API passes
# (schema-valid bodies may still break graph rules, so positive acceptance is not one).
api_schema = schemathesis.pytest.from_fixture("served_schema")


@pytest.fixture(scope="module")
def served_schema(local_api: RunningApi) -> Any:
    return schemathesis.openapi.from_url(f"{local_api.url}/openapi.json")


@api_schema.parametrize()
@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
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
