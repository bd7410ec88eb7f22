"""The item's wire form and its size as DynamoDB counts it."""

from __future__ import annotations

from typing import Any

from automations.item import from_item, item_size, to_item

AUTOMATION: dict[str, Any] = {
    "object": "automation",
    "id": "aut_01J0000000000000000000000",
    "name": "Ünïcödé ✓ 😀",
    "description": None,
    "status": "DRAFT",
    "version": 1,
    "parentId": None,
    "trigger": {"type": "event.fired", "config": {"event": "purchase", "min": 0.1}},
    "nodes": [
        {
            "id": "n1",
            "type": "time-delay",
            "position": {"x": 1e-300, "y": 12345678901234567890},
            "data": {"": [{}, [], ""]},
        }
    ],
    "edges": [],
    "stats": None,
    "publishedAt": None,
    "createdAt": "2026-11-26T14:08:21.123Z",
    "updatedAt": "2026-11-26T14:08:21.123Z",
}


def test_the_item_round_trips_exactly() -> None:
    item = to_item("ws1", AUTOMATION)
    assert item["workspaceId"] == {"S": "ws1"}
    assert item["version"] == {"N": "1"}
    assert item["description"] == {"NULL": True}
    assert item["revision"] == {"N": "1"}  # every write raises it; the ETag names it
    assert from_item(item) == AUTOMATION
    assert list(from_item(item)) == list(AUTOMATION)


def test_the_graph_is_json_text_in_utf8() -> None:
    item = to_item("ws1", {"name": "x", "nodes": [{"label": "é"}]})
    assert item["nodes"] == {"S": '[{"label":"é"}]'}


def test_size_counts_names_and_utf8_bytes_as_dynamodb_does() -> None:
    item = to_item("wsé", {"name": "✓", "description": None, "version": 1})
    # workspaceId(11) + "wsé"(4) + name(4) + "✓"(3) + description(11) + NULL(1) + version(7) + number(<=21)
    # + revision(8) + number(<=21)
    assert item_size(item) == 11 + 4 + 4 + 3 + 11 + 1 + 7 + 21 + 8 + 21
