"""Shared fixtures: the tables of template.yaml on moto and dynalite, a fresh
workspace per test, captured logs, servers and containers to race on. The helpers
that invoke the real handlers with real events are in ``tests/helpers.py``, the
racing ones in ``tests/races.py``."""

from __future__ import annotations

import io
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from automations.observability import logger
from automations_local.template import create_tables, load_template
from tests import races
from tests.helpers import ROOT, Tables, free_port, new_container


@pytest.fixture(autouse=True)
def aws_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fake credentials and a region; nothing ever reaches AWS."""
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_DYNAMODB", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    new_container()  # each test is a new container
    yield
    new_container()


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


@pytest.fixture(scope="session")
def embedded_dynamodb() -> Iterator[str]:
    """The embedded DynamoDB (moto's, one request at a time) in a process of its own,
    for the session; its URL."""
    with races.embedded_dynamodb() as endpoint:
        yield endpoint


@pytest.fixture(scope="module", params=["moto", "dynalite"])
def race_server(request: pytest.FixtureRequest) -> races.Server:
    """A server to race on, with tables of its own for the module: the embedded
    DynamoDB in a process of its own, and dynalite (no transactions)."""
    endpoint = request.getfixturevalue("embedded_dynamodb" if request.param == "moto" else "dynalite")
    return races.server_with_tables(request.param, endpoint)


@pytest.fixture(scope="module")
def containers() -> Iterator[races.Containers]:
    """Lambda containers (processes) for the module's races."""
    pool = races.Containers(races.CONTAINERS)
    yield pool
    pool.close()


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


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """What the function logs (Powertools' JSON lines), as CloudWatch would see it."""
    handler = logger.registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    handler.setStream(previous)  # type: ignore[attr-defined]
