"""Shared fixtures: the tables of template.yaml on moto and dynalite, a fresh
workspace per test, captured logs. The helpers that invoke the real handlers with
real events are in ``tests/helpers.py``."""

from __future__ import annotations

import io
import subprocess
import uuid
from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from moto import mock_aws

from automations import idempotency, settings, store
from automations.observability import logger
from automations_local.template import create_tables, load_template
from tests.helpers import ROOT, Tables, free_port


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
    store.automation_store.cache_clear()
    idempotency._persistence.cache_clear()


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


@pytest.fixture
def logs() -> Iterator[io.StringIO]:
    """What the function logs (Powertools' JSON lines), as CloudWatch would see it."""
    handler = logger.registered_handler
    buffer = io.StringIO()
    previous = handler.setStream(buffer)  # type: ignore[attr-defined]
    yield buffer
    handler.setStream(previous)  # type: ignore[attr-defined]
