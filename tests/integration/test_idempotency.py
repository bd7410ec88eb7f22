"""Idempotency-Key (CONTRACT.md, "Idempotency"): the real handler against the
template's two tables."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from botocore.stub import Stubber

from automations import idempotency
from automations import store as store_module
from automations.errors import IdempotencyKeyInUse
from automations.item import from_item
from automations.store import AutomationStore
from automations_local.context import LambdaContext
from automations_local.events import http_api_event
from tests.helpers import Tables, claims_for, invoke, patch, post

BODY = {"name": "Welcome", "nodes": [{"id": "a", "type": "send-email", "position": {"x": 1.5, "y": 2}}]}


def records(tables: Tables) -> list[dict[str, Any]]:
    return tables.client.scan(TableName=tables.idempotency, ConsistentRead=True)["Items"]


def test_same_key_same_body_replays_the_same_201_and_stores_one_automation(
    tables: Tables, workspace: str
) -> None:
    first = post(BODY, workspace, headers={"Idempotency-Key": "k-1"})
    second = post(BODY, workspace, headers={"Idempotency-Key": "k-1"})
    assert first.status == second.status == 201
    assert second.body == first.body
    assert second.headers["location"] == first.headers["location"]
    assert "idempotent-replayed" not in first.headers
    assert second.headers["idempotent-replayed"] == "true"
    assert [from_item(item) for item in tables.items_of(workspace)] == [first.body]


def test_the_same_body_written_differently_is_the_same_body(tables: Tables, workspace: str) -> None:
    first = post(BODY, workspace, headers={"Idempotency-Key": "k"})
    respaced = json.dumps(dict(reversed(list(BODY.items()))), indent=4)
    second = post(respaced, workspace, raw=True, headers={"Idempotency-Key": "k"})
    assert second.status == 201
    assert second.body["id"] == first.body["id"]


def test_same_key_other_body_is_422_and_creates_nothing(tables: Tables, workspace: str) -> None:
    post(BODY, workspace, headers={"Idempotency-Key": "k-2"})
    other = post({**BODY, "name": "Other"}, workspace, headers={"Idempotency-Key": "k-2"})
    assert other.status == 422
    assert other.body["error"]["type"] == "idempotency_error"
    assert other.error_code == "idempotency_key_reused"
    assert len(tables.items_of(workspace)) == 1


def test_keys_are_scoped_to_the_workspace(tables: Tables) -> None:
    mine = post(BODY, "ws_mine", headers={"Idempotency-Key": "shared-key"})
    theirs = post(BODY, "ws_theirs", headers={"Idempotency-Key": "shared-key"})
    assert mine.status == theirs.status == 201
    assert mine.body["id"] != theirs.body["id"]
    assert "idempotent-replayed" not in theirs.headers
    assert [i["id"]["S"] for i in tables.items_of("ws_theirs")] == [theirs.body["id"]]
    assert len(records(tables)) == 2


def test_a_rejected_request_is_not_remembered_and_can_be_fixed_under_the_same_key(
    tables: Tables, workspace: str
) -> None:
    rejected = post({"name": ""}, workspace, headers={"Idempotency-Key": "k-3"})
    assert rejected.status == 422
    assert records(tables) == []
    fixed = post({"name": "Fixed"}, workspace, headers={"Idempotency-Key": "k-3"})
    assert fixed.status == 201
    again = post({"name": "Fixed"}, workspace, headers={"Idempotency-Key": "k-3"})
    assert again.body["id"] == fixed.body["id"]
    assert again.headers["idempotent-replayed"] == "true"


def test_a_storage_fault_is_not_remembered_either(tables: Tables, workspace: str) -> None:
    store = store_module.automation_store()
    with Stubber(store.client) as stub:
        stub.add_client_error("put_item", "ThrottlingException", http_status_code=400)
        failed = post(BODY, workspace, headers={"Idempotency-Key": "k-4"})
    assert failed.status == 503
    assert records(tables) == []  # the in-progress record was removed
    retried = post(BODY, workspace, headers={"Idempotency-Key": "k-4"})
    assert retried.status == 201
    assert "idempotent-replayed" not in retried.headers
    assert len(tables.items_of(workspace)) == 1


def test_a_request_still_running_makes_the_same_key_409(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a create that, while it stores, sees the same key arrive again
    store = store_module.automation_store()
    inner: list[BaseException] = []
    real = idempotency.store_draft

    def slow_store(draft: dict[str, Any], workspace_id: str, store_: AutomationStore) -> dict[str, Any]:
        try:
            idempotency.create_once(
                draft,
                idempotency.body_digest(BODY),
                workspace_id,
                "k-5",
                store,
                tables.idempotency,
                LambdaContext(),
            )
        except IdempotencyKeyInUse as exc:
            inner.append(exc)
        return real(draft, workspace_id, store_)

    monkeypatch.setattr(idempotency, "store_draft", slow_store)
    # When the first request completes
    outer = post(BODY, workspace, headers={"Idempotency-Key": "k-5"})
    # Then the overlapping one was refused as in use, and one automation exists
    assert outer.status == 201
    assert len(inner) == 1
    assert len(tables.items_of(workspace)) == 1


def test_an_invalid_body_under_a_key_in_use_is_its_own_422_not_409(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a keyed create that, while it stores, sees an invalid body under its key
    overlapping: list[Any] = []
    real = idempotency.store_draft

    def slow_store(draft: dict[str, Any], workspace_id: str, store_: AutomationStore) -> dict[str, Any]:
        overlapping.append(post({"name": ""}, workspace, headers={"Idempotency-Key": "k-8"}))
        return real(draft, workspace_id, store_)

    monkeypatch.setattr(idempotency, "store_draft", slow_store)
    assert post(BODY, workspace, headers={"Idempotency-Key": "k-8"}).status == 201
    # Then the invalid body got the answer it gets without a key
    (answer,) = overlapping
    assert (answer.status, answer.error_code) == (422, "validation_failed")
    assert answer.error_but_request_id == post({"name": ""}, workspace).error_but_request_id


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"name": ""}, 422, "validation_failed"),
        ({"name": "big", "nodes": [{"id": f"n{i}", "type": "event", "data": {"t": "x" * 4000}} for i in range(120)]},
         413, "automation_too_large"),
    ],
)  # fmt: skip
def test_a_refused_body_never_touches_the_key_record(
    tables: Tables,
    workspace: str,
    monkeypatch: pytest.MonkeyPatch,
    body: dict[str, Any],
    status: int,
    code: str,
) -> None:
    # Given a key already used for another body, and then an idempotency table that is gone
    assert post(BODY, workspace, headers={"Idempotency-Key": "k-9"}).status == 201
    before = records(tables)
    unkeyed = post(body, workspace)
    monkeypatch.setenv("IDEMPOTENCY_TABLE", "no-such-table")
    # When the refused body comes under that key
    keyed = post(body, workspace, headers={"Idempotency-Key": "k-9"})
    # Then it gets the answer it gets without a key (not 422 key reused, not 503)
    assert (keyed.status, keyed.error_code) == (unkeyed.status, unkeyed.error_code) == (status, code)
    assert keyed.error_but_request_id == unkeyed.error_but_request_id
    assert records(tables) == before and len(tables.items_of(workspace)) == 1


def test_the_body_digest_is_the_json_value_not_its_spelling() -> None:
    assert idempotency.body_digest({"a": 1, "b": [1.5, "é"]}) == idempotency.body_digest(
        {"b": [1.5, "é"], "a": 1}
    )
    assert idempotency.body_digest({"a": 1}) != idempotency.body_digest({"a": 2})
    assert idempotency.body_digest({"a": 1}) != idempotency.body_digest({"a": "1"})


def test_in_use_is_answered_409_with_retry_after(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def in_use(*args: Any, **kwargs: Any) -> Any:
        raise IdempotencyKeyInUse()

    monkeypatch.setattr(idempotency, "create_once", in_use)
    answer = post(BODY, workspace, headers={"Idempotency-Key": "k"})
    assert (answer.status, answer.error_code) == (409, "idempotency_key_in_use")
    assert answer.body["error"]["type"] == "idempotency_error"
    assert answer.headers["retry-after"] == "1"


@pytest.mark.parametrize("key", ["", "x" * 256, "ключ", "tab\there", "new\nline", "\x7f"])
def test_malformed_keys_are_400_and_nothing_is_written(tables: Tables, workspace: str, key: str) -> None:
    answer = post(BODY, workspace, headers={"Idempotency-Key": key})
    assert (answer.status, answer.error_code) == (400, "invalid_idempotency_key")
    assert tables.items() == [] and records(tables) == []


@pytest.mark.parametrize("key", ["a", "x" * 255, " spaced key ~!@#$%^&*()_+{}|:<>? "])
def test_printable_ascii_keys_of_1_to_255_are_accepted(tables: Tables, workspace: str, key: str) -> None:
    assert post(BODY, workspace, headers={"Idempotency-Key": key}).status == 201


def test_records_are_kept_24_hours_and_hold_only_the_id(tables: Tables, workspace: str) -> None:
    big = {
        "name": "big",
        "nodes": [{"id": f"n{i}", "type": "event", "data": {"t": "x" * 200}} for i in range(200)],
    }
    created = post(big, workspace, headers={"Idempotency-Key": "k-6"})
    (record,) = records(tables)
    assert abs(int(record["expiration"]["N"]) - (time.time() + 24 * 3600)) < 120
    assert record["status"]["S"] == "COMPLETED"
    assert json.loads(record["data"]["S"]) == {"automationId": created.body["id"]}


def test_without_a_key_no_idempotency_table_is_needed(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IDEMPOTENCY_TABLE")
    assert post(BODY, workspace).status == 201
    assert records(tables) == []


def test_a_key_without_an_idempotency_table_is_a_deployment_bug(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("IDEMPOTENCY_TABLE")
    answer = post(BODY, workspace, headers={"Idempotency-Key": "k"})
    assert (answer.status, answer.error_code) == (500, "internal_error")
    assert tables.items() == []


def test_the_key_header_is_case_insensitive(tables: Tables, workspace: str) -> None:
    event = http_api_event(json.dumps(BODY), claims=claims_for(workspace), headers={"IDEMPOTENCY-KEY": "k-7"})
    first, second = invoke(event), invoke(event)
    assert second.headers["idempotent-replayed"] == "true"
    assert first.body["id"] == second.body["id"]


def test_a_replay_answers_the_automation_as_stored_now_with_its_current_etag(
    tables: Tables, workspace: str
) -> None:
    # Given a keyed create, then an edit of what it made
    body = {"name": "Welcome", "description": "first words"}
    first = post(body, workspace, headers={"Idempotency-Key": "edit-then-replay"})
    edited = patch(first.body["id"], {"description": "edited"}, workspace, if_match=first.headers["etag"])
    assert edited.status == 200
    # When the create is replayed under its key
    replay = post(body, workspace, headers={"Idempotency-Key": "edit-then-replay"})
    # Then it answers the automation as it is now, in the seed's order, with its ETag
    assert replay.status == 201
    assert replay.headers["idempotent-replayed"] == "true"
    assert json.dumps(replay.body) == json.dumps(edited.body)
    assert replay.headers["etag"] == edited.headers["etag"]
