"""Hostile and heavy input, on moto and dynalite: what is accepted round-trips
exactly; what is refused writes nothing."""

from __future__ import annotations

import json
from typing import Any

import pytest

from automations.create import create_automation
from automations.errors import AutomationTooLarge
from automations.item import ACCEPTED_LIMIT, ITEM_LIMIT, ROOM, from_item, item_size, to_item
from automations.store import AutomationStore
from tests.helpers import Tables, post


def stored(tables: Tables, workspace: str) -> list[dict[str, Any]]:
    return [from_item(item) for item in tables.items_of(workspace)]


ODD_DATA: dict[str, Any] = {
    "bigInt": 123456789012345678901234567890,
    "negBig": -(2**80),
    "maxSafe": 2**53 + 1,
    "tiny": 5e-324,
    "small": 1.2345678901234567e-300,
    "huge": 1.7976931348623157e308,
    "negZero": -0.0,
    "tenth": 0.1,
    "emptyString": "",
    "emptyMap": {},
    "emptyList": [],
    "nested": [{}, [], "", [[{"": None}]]],
    "nul": "a\u0000b",
    "unicode": "Zwölf Boxkämpfer 😀 👩🏽‍💻 مرحبا עברית ᄀᄁ \u200b\ufeff e\u0301",
    "": "empty key",
    "😀": "emoji key",
    "bools": [True, False, None],
}


def test_odd_json_values_round_trip_exactly(tables: Tables, workspace: str) -> None:
    body = {
        "name": "Ünïcødé 😀 name",
        "description": "",
        "trigger": {"type": "event.fired", "config": ODD_DATA},
        "nodes": [
            {"id": "节点-1 😀", "type": "event", "position": {"x": -0.0, "y": 5e-324}, "data": ODD_DATA}
        ],
        "edges": [
            {"id": "e", "source": "节点-1 😀", "target": "节点-1 😀", "sourceHandle": "", "data": ODD_DATA}
        ],
    }
    answer = post(body, workspace)
    assert answer.status == 201
    assert answer.body["trigger"]["config"] == ODD_DATA
    assert answer.body["nodes"][0]["data"] == ODD_DATA
    assert json.dumps(answer.body["nodes"][0]["data"]) == json.dumps(ODD_DATA)  # types too: int stays int
    assert answer.body["edges"][0]["sourceHandle"] == ""
    assert stored(tables, workspace) == [answer.body]
    assert json.dumps(stored(tables, workspace)[0]["edges"][0]["data"]) == json.dumps(ODD_DATA)


def test_data_sixteen_levels_deep_is_stored_and_seventeen_is_refused(tables: Tables, workspace: str) -> None:
    def nested(depth: int) -> dict[str, Any]:
        value: dict[str, Any] = {"leaf": 1.5}
        for _ in range(depth - 1):
            value = {"k": value}
        return value

    ok = post({"name": "deep", "nodes": [{"id": "a", "type": "event", "data": nested(16)}]}, workspace)
    assert ok.status == 201
    assert stored(tables, workspace)[0]["nodes"][0]["data"] == nested(16)
    refused = post({"name": "deeper", "nodes": [{"id": "a", "type": "event", "data": nested(17)}]}, workspace)
    assert refused.status == 422
    assert refused.problems() == [("nodes[0].data", "too_deep")]
    assert len(tables.items_of(workspace)) == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "n", "nodes": [{"id": f"n{i}", "type": "event"} for i in range(1001)]}, "nodes"),
        (
            {"name": "n", "edges": [{"id": f"e{i}", "source": "a", "target": "a"} for i in range(2001)]},
            "edges",
        ),
    ],
)
def test_too_many_nodes_or_edges_is_422(
    tables: Tables, workspace: str, body: dict[str, Any], field: str
) -> None:
    answer = post(body, workspace)
    assert answer.status == 422
    assert answer.problems() == [(field, "too_many")]
    assert tables.items() == []


@pytest.mark.parametrize(
    ("raw", "status"),
    [
        ('{"name": "x", "nodes": [{"id": "a", "type": "event", "position": {"x": NaN, "y": 0}}]}', 400),
        ('{"name": "x", "trigger": {"type": "event.fired", "config": {"v": Infinity}}}', 400),
        ('{"name": "x", "nodes": [{"id": "a", "type": "event", "data": {"v": 1e999}}]}', 400),
        ("[" * 50_000 + "]" * 50_000, 400),
        ('{"name": "' + "x" * (1024 * 1024) + '"}', 413),
    ],
    ids=["nan", "infinity", "overflow", "deep-array", "over-1-MiB"],
)
def test_hostile_bodies_are_refused_before_any_write(
    tables: Tables, workspace: str, raw: str, status: int
) -> None:
    assert post(raw, workspace, raw=True).status == status
    assert tables.items() == []


def _padded(workspace: str, size: int) -> dict[str, Any]:
    """An automation whose item is exactly ``size`` bytes as DynamoDB counts them."""

    def automation(pad: int) -> dict[str, Any]:
        store = AutomationStore("unused", client=object())
        store.put_new = lambda *a: None  # type: ignore[method-assign]
        return create_automation(
            {"name": "pad", "nodes": [{"id": "a", "type": "event", "data": {"p": "x" * pad}}]},
            workspace,
            store,
            new_id=lambda: "aut_01JZZZZZZZZZZZZZZZZZZZZZZZ",
            clock=lambda: "2026-11-26T00:00:00.000Z",
        )

    base = item_size(to_item(workspace, automation(0)))
    padded = automation(size - base)
    assert item_size(to_item(workspace, padded)) == size
    return padded


# dynalite implements DynamoDB's documented measure (400 KB = 409,600 bytes of
# names and values); moto approximates it with a flat 405,000, so the boundary
# itself is checked on dynalite, and moto's own refusal on moto.
@pytest.mark.parametrize("tables", ["dynalite"], indirect=True)
def test_the_size_limit_is_measured_as_dynamodb_measures_it(tables: Tables, workspace: str) -> None:
    # Given an item exactly 400 KB by our count (a number counted at its upper
    # bound), When it is written, Then the server takes it: our count is DynamoDB's
    store = AutomationStore(tables.automations, tables.client)
    at_limit = _padded(workspace, ITEM_LIMIT)
    tables.client.put_item(TableName=tables.automations, Item=to_item(workspace, at_limit))
    assert store.get(workspace, at_limit["id"]) == at_limit
    # And the create accepts items up to ACCEPTED_LIMIT, keeping ROOM for later changes
    accepted = _padded(workspace, ACCEPTED_LIMIT)
    accepted["id"] = "aut_01JZZZZZZZZZZZZZZZZZZZZZZX"
    store.put_new(workspace, accepted)
    # And one byte more is refused before anything is sent
    over = _padded(workspace, ACCEPTED_LIMIT + 1)
    over["id"] = "aut_01JZZZZZZZZZZZZZZZZZZZZZZY"
    with pytest.raises(AutomationTooLarge):
        store.put_new(workspace, over)
    assert len(tables.items_of(workspace)) == 2
    assert ITEM_LIMIT - ACCEPTED_LIMIT == ROOM


@pytest.mark.parametrize("tables", ["moto"], indirect=True)
def test_a_size_refusal_by_the_server_itself_is_413_too(tables: Tables, workspace: str) -> None:
    store = AutomationStore(tables.automations, tables.client)
    with pytest.raises(AutomationTooLarge):
        store.put_new(workspace, _padded(workspace, 406_000))  # under our limit, over moto's
    assert tables.items() == []


def test_an_automation_over_one_item_is_413_through_the_handler(tables: Tables, workspace: str) -> None:
    nodes = [{"id": f"n{i}", "type": "send-email", "data": {"html": "é" * 45_000}} for i in range(5)]
    body = json.dumps({"name": "big", "nodes": nodes}, ensure_ascii=False)
    assert len(body.encode()) < 1024 * 1024 < len(json.dumps(nodes))  # UTF-8 fits, \\u escapes would not
    answer = post(body, workspace, raw=True)
    assert (answer.status, answer.error_code) == (413, "automation_too_large")
    assert tables.items() == []
