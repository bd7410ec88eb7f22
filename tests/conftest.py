"""Shared fixtures: a moto DynamoDB with the tables of template.yaml, a fresh
workspace per test, and the real Lambda handler invoked with real events."""

from __future__ import annotations

import io
import json
import socket
import subprocess
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from automations import api, idempotency, settings
from automations.handler import lambda_handler
from automations.observability import logger
from automations_local.context import LambdaContext
from automations_local.events import http_api_event
from automations_local.template import create_tables, load_template

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
WRITE = "write:automations"


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and a region; nothing ever reaches AWS."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    _clear_caches()
    yield
    _clear_caches()


def _clear_caches() -> None:
    """Settings, the store and the idempotency layer are made once per container;
    each test is a new container."""
    settings.get_settings.cache_clear()
    api.automation_store.cache_clear()
    idempotency._persistence.cache_clear()


@dataclass
class Tables:
    client: Any
    automations: str
    idempotency: str

    def items(self) -> list[dict[str, Any]]:
        """Every item of the automations table, in wire form."""
        return self.client.scan(TableName=self.automations, ConsistentRead=True)["Items"]

    def items_of(self, workspace: str) -> list[dict[str, Any]]:
        """The items of one workspace (a query on the partition key)."""
        answer = self.client.query(
            TableName=self.automations,
            KeyConditionExpression="workspaceId = :w",
            ExpressionAttributeValues={":w": {"S": workspace}},
            ConsistentRead=True,
        )
        items: list[dict[str, Any]] = answer["Items"]
        return items


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="session")
def dynalite() -> Iterator[str]:
    """A dynalite server (in memory) for the session; its URL."""
    binary = ROOT / "node_modules" / ".bin" / "dynalite"
    if not binary.exists():
        pytest.fail("dynalite is not installed: run `npm install` (make test does it)")
    port = free_port()
    process = subprocess.Popen(
        [
            str(binary),
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--createTableMs",
            "0",
            "--deleteTableMs",
            "0",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "listening" in line, line
    yield f"http://127.0.0.1:{port}"
    process.terminate()
    process.wait(10)


@pytest.fixture(params=["moto", "dynalite"])
def tables(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[Tables]:
    """The tables that template.yaml declares, fresh for each test, in moto's
    DynamoDB and again in dynalite, a DynamoDB-compatible server."""
    if request.param == "moto":
        with mock_aws():
            yield _tables(boto3.client("dynamodb"), monkeypatch)
    else:
        monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", request.getfixturevalue("dynalite"))
        yield _tables(boto3.client("dynamodb"), monkeypatch, prefix=f"t{uuid.uuid4().hex[:10]}-")


def _tables(client: Any, monkeypatch: pytest.MonkeyPatch, prefix: str = "") -> Tables:
    names = create_tables(client, load_template(), prefix=prefix)
    monkeypatch.setenv("AUTOMATIONS_TABLE", names["AutomationsTable"])
    monkeypatch.setenv("IDEMPOTENCY_TABLE", names["IdempotencyTable"])
    return Tables(client=client, automations=names["AutomationsTable"], idempotency=names["IdempotencyTable"])


@pytest.fixture
def workspace() -> str:
    """A workspace of this test's own, so tests never see each other's items."""
    return f"ws_{uuid.uuid4().hex[:12]}"


def claims_for(workspace: str | None, scope: str | None = WRITE, **extra: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": "user-1", "iss": "https://auth.example.com/", **extra}
    if workspace is not None:
        claims["workspace_id"] = workspace
    if scope is not None:
        claims["scope"] = scope
    return claims


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    raw: dict[str, Any]

    @property
    def error_code(self) -> str | None:
        return self.body.get("error", {}).get("code")

    def problems(self) -> list[tuple[str, str]]:
        return [(p["field"], p["code"]) for p in self.body["error"]["validationErrors"]]


def invoke(event: dict[str, Any]) -> Answer:
    raw = lambda_handler(event, LambdaContext())
    headers = {name.lower(): value for name, value in (raw.get("headers") or {}).items()}
    body = json.loads(raw["body"]) if raw.get("body") else {}
    return Answer(status=raw["statusCode"], headers=headers, body=body, raw=raw)


def post(
    body: Any,
    workspace: str | None,
    *,
    scope: str | None = WRITE,
    raw: bool = False,
    **event_args: Any,
) -> Answer:
    """POST /v1/automations as ``workspace``; ``body`` is JSON-encoded unless ``raw``."""
    text = body if raw else json.dumps(body)
    return invoke(http_api_event(text, claims=claims_for(workspace, scope), **event_args))


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """What the function logs (Powertools' JSON lines), as CloudWatch would see it."""
    handler = logger.registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    handler.setStream(previous)  # type: ignore[attr-defined]
