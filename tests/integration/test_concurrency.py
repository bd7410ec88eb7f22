"""Concurrency of the create: simultaneous requests from separate Lambda containers
(processes) against one shared server, the embedded DynamoDB (one request at a
time) and dynalite (``tests/races.py``)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from automations.item import from_item
from automations_local.events import http_api_event
from tests.helpers import claims_for
from tests.races import Containers, Server, request


def create_event(
    body: dict[str, Any], workspace: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return http_api_event(json.dumps(body), claims=claims_for(workspace), headers=headers)


def stored(server: Server, workspace: str) -> list[dict[str, Any]]:
    return [from_item(item) for item in server.tables().items_of(workspace)]


def test_many_simultaneous_creates_store_one_automation_each(
    containers: Containers, race_server: Server
) -> None:
    # Given a workspace, and 48 bodies with names of their own
    workspace = f"ws_{uuid.uuid4().hex[:12]}"
    names = [f"flow {i}" for i in range(48)]

    # When they are created, as many at once as there are containers
    answers = []
    for start in range(0, len(names), containers.size):
        calls = [
            request(create_event({"name": name}, workspace))
            for name in names[start : start + containers.size]
        ]
        answers += containers.race(race_server, calls)

    # Then each was created once, under an id of its own, and stored as answered
    assert [answer.status for answer in answers] == [201] * len(names)
    created = sorted(answer.body["id"] for answer in answers)
    assert len(set(created)) == len(names)
    automations = stored(race_server, workspace)
    assert sorted(a["id"] for a in automations) == created
    assert sorted(a["name"] for a in automations) == sorted(names)


@pytest.mark.parametrize("round_", range(3))
def test_simultaneous_retries_of_one_request_create_exactly_one_automation(
    containers: Containers, race_server: Server, round_: int
) -> None:
    # Given one request, with its Idempotency-Key
    workspace = f"ws_{uuid.uuid4().hex[:12]}"
    body = {"name": "Welcome", "nodes": [{"id": "a", "type": "send-email", "position": {"x": 0.5, "y": 1}}]}
    event = create_event(body, workspace, {"Idempotency-Key": f"retry-{round_}"})

    # When every container sends it at once
    answers = containers.race(race_server, [request(event)] * containers.size)

    # Then every answer is the creation, its replay, or "still in progress": never a second automation
    assert {answer.status for answer in answers} <= {201, 409}, [a.body for a in answers]
    created = [answer for answer in answers if answer.status == 201]
    originals = [answer.body for answer in created if "idempotent-replayed" not in answer.headers]
    assert len(originals) == 1
    assert {answer.body["id"] for answer in created} == {originals[0]["id"]}
    assert stored(race_server, workspace) == [originals[0]]
    for answer in answers:
        if answer.status == 409:
            assert answer.error_code == "idempotency_key_in_use"
            assert answer.headers["retry-after"] == "1"
