"""Every event file in events/ — the same files `sam local invoke -e` takes —
replayed through the handler against the template's table, each checked against
the expected status kept beside it."""

from __future__ import annotations

import json

import pytest

from automations.store import from_item
from tests.helpers import EVENTS, Tables, invoke

EVENT_FILES = sorted(p for p in EVENTS.glob("*.json") if not p.name.endswith(".expected.json"))


def test_there_are_events_to_replay_and_each_has_an_expectation() -> None:
    assert len(EVENT_FILES) >= 5
    for path in EVENT_FILES:
        assert path.with_name(path.stem + ".expected.json").exists(), path.name


@pytest.mark.parametrize("path", EVENT_FILES, ids=lambda p: p.stem)
def test_replay(path, tables: Tables) -> None:  # type: ignore[no-untyped-def]
    event = json.loads(path.read_text())
    expected = json.loads(path.with_name(path.stem + ".expected.json").read_text())

    answer = invoke(event)

    assert answer.status == expected["statusCode"], answer.body
    assert answer.error_code == expected["errorCode"]
    assert answer.headers["x-request-id"] == event["requestContext"]["requestId"]
    items = tables.items()
    if answer.status == 201:
        workspace = event["requestContext"]["authorizer"]["jwt"]["claims"]["workspace_id"]
        assert [from_item(i) for i in items] == [answer.body]
        assert items[0]["workspaceId"]["S"] == workspace
    else:
        assert items == []
