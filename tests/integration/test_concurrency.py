"""Concurrency, against dynalite (moto is not safe under concurrent requests).

Each worker process plays one Lambda container: its own interpreter, handler and
boto3 client, talking to the same DynamoDB-compatible server, so simultaneous
requests race for real at the storage, where they race in production."""

from __future__ import annotations

import json
import multiprocessing
import os
import uuid
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import boto3
import pytest

from automations.item import from_item
from automations_local.template import create_tables, load_template

WORKERS = 6
_barrier: Any = None


def _start_container(env: dict[str, str], barrier: Any) -> None:
    global _barrier
    os.environ.update(env)
    _barrier = barrier
    from automations import store as store_module

    store_module.automation_store().client  # noqa: B018 - a warm container: client made before the race


def _invoke(
    body: dict[str, Any], workspace: str, headers: dict[str, str], wait: bool
) -> tuple[int, dict[str, Any], dict[str, str]]:
    from automations.routes.create import lambda_handler
    from automations_local.context import LambdaContext
    from automations_local.events import http_api_event

    event = http_api_event(
        json.dumps(body),
        claims={"sub": "u", "scope": "write:automations", "workspace_id": workspace},
        headers=headers,
    )
    if wait:
        _barrier.wait(timeout=60)  # every container fires at once
    result = lambda_handler(event, LambdaContext())
    return (
        result["statusCode"],
        json.loads(result["body"]),
        {k.lower(): v for k, v in result["headers"].items()},
    )


@pytest.fixture(scope="module")
def containers(dynalite: str) -> Iterator[tuple[ProcessPoolExecutor, Any, str]]:
    env = {
        "AWS_ENDPOINT_URL_DYNAMODB": dynalite,
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ACCESS_KEY_ID": "local",
        "AWS_SECRET_ACCESS_KEY": "local",
    }
    client = boto3.client(
        "dynamodb",
        endpoint_url=dynalite,
        region_name="us-east-1",
        aws_access_key_id="local",
        aws_secret_access_key="local",
    )
    names = create_tables(client, load_template(), prefix=f"c{uuid.uuid4().hex[:8]}-")
    env.update(AUTOMATIONS_TABLE=names["AutomationsTable"], IDEMPOTENCY_TABLE=names["IdempotencyTable"])
    context = multiprocessing.get_context("spawn")
    barrier = context.Manager().Barrier(WORKERS)
    with ProcessPoolExecutor(
        WORKERS, mp_context=context, initializer=_start_container, initargs=(env, barrier)
    ) as pool:
        yield pool, client, names["AutomationsTable"]


def items_of(client: Any, table: str, workspace: str) -> list[dict[str, Any]]:
    items = client.scan(TableName=table, ConsistentRead=True)["Items"]
    return [from_item(item) for item in items if item["workspaceId"]["S"] == workspace]


def test_many_simultaneous_creates_store_one_automation_each(
    containers: tuple[ProcessPoolExecutor, Any, str],
) -> None:
    pool, client, table = containers
    workspace = f"ws_{uuid.uuid4().hex[:8]}"
    futures = [pool.submit(_invoke, {"name": f"flow {i}"}, workspace, {}, False) for i in range(60)]
    answers = [future.result(timeout=120) for future in futures]
    assert [status for status, _, _ in answers] == [201] * 60
    created = sorted(body["id"] for _, body, _ in answers)
    assert len(set(created)) == 60
    stored = items_of(client, table, workspace)
    assert sorted(a["id"] for a in stored) == created
    assert sorted(a["name"] for a in stored) == sorted(f"flow {i}" for i in range(60))


@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_retries_of_one_request_create_exactly_one_automation(
    containers: tuple[ProcessPoolExecutor, Any, str], round_: int
) -> None:
    pool, client, table = containers
    workspace = f"ws_{uuid.uuid4().hex[:8]}"
    body = {"name": "Welcome", "nodes": [{"id": "a", "type": "send-email", "position": {"x": 0.5, "y": 1}}]}
    headers = {"Idempotency-Key": f"retry-{round_}"}
    futures = [pool.submit(_invoke, body, workspace, headers, True) for _ in range(WORKERS)]
    answers = [future.result(timeout=120) for future in futures]
    statuses = sorted(status for status, _, _ in answers)
    # Every answer is the creation, its replay, or "still in progress": never a second automation.
    assert set(statuses) <= {201, 409}, statuses
    created = [(body_, headers_) for status, body_, headers_ in answers if status == 201]
    originals = [b for b, h in created if "idempotent-replayed" not in h]
    assert len(originals) == 1
    assert {b["id"] for b, _ in created} == {originals[0]["id"]}
    assert items_of(client, table, workspace) == [originals[0]]
    for status, body_, headers_ in answers:
        if status == 409:
            assert body_["error"]["code"] == "idempotency_key_in_use"
            assert headers_["retry-after"] == "1"
