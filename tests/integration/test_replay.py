"""Every event file in events/ — the same files `sam local invoke -e` takes —
replayed through the function of its route against the template's tables, each
checked against the expectations kept beside it (status, error code, and what is
``given``: an automation stored before the event arrives, as for a GET)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from automations.diagnostics import CODES
from automations.item import from_item, stored
from automations.routes import ROUTES
from automations_local.invoke import expectations, store_given
from tests.helpers import EVENTS, Tables, invoke

EVENT_FILES = sorted(p for p in EVENTS.glob("*.json") if not p.name.endswith(".expected.json"))


def test_there_are_events_to_replay_for_every_route_and_each_has_an_expectation() -> None:
    for path in EVENT_FILES:
        assert path.with_name(path.stem + ".expected.json").exists(), path.name
    replayed = {json.loads(path.read_text())["routeKey"] for path in EVENT_FILES}
    assert replayed == {route.key for route in ROUTES}


def test_the_validate_events_show_every_kind_of_diagnostic_and_a_publishable_flow() -> None:
    answers = [expectations(p).get("body") for p in EVENT_FILES if p.name.startswith("validate-")]
    shown = {d["code"] for answer in answers if answer for d in answer["diagnostics"]}
    assert shown == set(CODES)
    assert any(answer and answer["publishable"] for answer in answers)
    assert any(answer and not answer["valid"] for answer in answers)


TRANSACTIONAL = {route.key for route in ROUTES if route.transactions}
# Each file on moto and dynalite; a route whose change is a transaction on moto alone
# (dynalite 4 has no TransactWriteItems).
REPLAYS = [
    pytest.param(path, backend, id=f"{path.stem}-{backend}")
    for path in EVENT_FILES
    for backend in ("moto", "dynalite")
    if backend == "moto" or json.loads(path.read_text())["routeKey"] not in TRANSACTIONAL
]


def automations_in(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """The automations among the items (not a family's record, not a deleted one)."""
    return {i["id"]["S"]: i for i in items if i["id"]["S"].startswith("aut_") and "deletedAt" not in i}


@pytest.mark.parametrize(("path", "tables"), REPLAYS, indirect=["tables"])
def test_replay(path: Path, tables: Tables) -> None:
    event = json.loads(path.read_text())
    expected = expectations(path)
    store_given(expected, tables.client, tables.automations)
    before = tables.items()

    answer = invoke(event)

    assert answer.status == expected["statusCode"], answer.body
    assert answer.error_code == expected["errorCode"]
    assert answer.headers["x-request-id"] == event["requestContext"]["requestId"]
    items = tables.items()
    if answer.status == 204:  # deleted: no route answers it any more
        assert automations_in(items) == {}
        assert len(automations_in(before)) == 1
    elif answer.status == 201 or expected.get("changes"):
        # The automation answered is stored as answered (created, or changed)
        workspace = event["requestContext"]["authorizer"]["jwt"]["claims"]["workspace_id"]
        item = automations_in(items)[answer.body["id"]]
        assert from_item(item) == answer.body
        assert item["workspaceId"]["S"] == workspace
        assert answer.headers["etag"] == stored(item).etag
    else:
        assert items == before  # nothing written
    if "body" in expected:  # the whole answer is expected (validate)
        assert answer.body == expected["body"]
    elif "fields" in expected:  # these fields of the answer are expected (an edit)
        assert {name: answer.body[name] for name in expected["fields"]} == expected["fields"]
    elif answer.status == 200:
        assert answer.body == expected["given"]["automation"]
