"""GET /v1/automations/{automationId} through its own function, on moto and dynalite:
the very object the create answered, and nothing that tells whether an id exists
in another workspace."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from botocore.stub import Stubber

from automations import store as store_module
from automations.error_codes import ERROR_CODES
from tests.helpers import READ, WRITE, Tables, get, invoke, post

WELCOME = {
    "name": "Welcome series",
    "description": "Greets new subscribers",
    "trigger": {"type": "contact.subscribed", "config": {"listIds": ["lst_1"]}},
    "nodes": [
        {"id": "start", "type": "contact-subscribed", "position": {"x": 250.5, "y": 0}},
        {
            "id": "mail",
            "type": "send-email",
            "position": {"x": 250, "y": 120},
            "data": {"templateId": "t", "n": 2**70},
        },
    ],
    "edges": [{"id": "e1", "source": "start", "target": "mail", "selected": True}],
}


def test_a_created_automation_reads_back_as_the_very_object_the_create_answered(
    tables: Tables, workspace: str
) -> None:
    # Given an automation just created
    created = post(WELCOME, workspace)
    assert created.status == 201
    # When it is read at its Location, right away
    answer = get(created.headers["location"].rsplit("/", 1)[1], workspace, request_id="get-req-1=")
    # Then the same keys, in the same order, with the same values
    assert answer.status == 200
    assert answer.raw["body"] == created.raw["body"]
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["x-request-id"] == "get-req-1="
    assert "location" not in answer.headers


@pytest.mark.parametrize("scope", [READ, WRITE, f"profile {READ}"])
def test_either_scope_reads(tables: Tables, workspace: str, scope: str) -> None:
    created = post({"name": "x"}, workspace)
    assert get(created.body["id"], workspace, scope=scope).body == created.body


def test_a_thousand_node_automation_reads_back_exactly(tables: Tables, workspace: str) -> None:
    nodes = [{"id": f"n{i}", "type": "send-email", "position": {"x": i / 3, "y": -i}, "data": {"s": f"é{i}"}}
             for i in range(1000)]  # fmt: skip
    edges = [{"id": f"e{i}", "source": f"n{i}", "target": f"n{i + 1}"} for i in range(999)]
    created = post({"name": "big", "nodes": nodes, "edges": edges}, workspace)
    assert created.status == 201
    assert get(created.body["id"], workspace).raw["body"] == created.raw["body"]


def not_found(answer: Any) -> None:
    assert answer.status == 404
    assert answer.body["error"] == {
        "type": "invalid_request_error",
        "code": "automation_not_found",
        "message": "no automation with this id exists in your workspace",
        "requestId": answer.headers["x-request-id"],
    }


def test_another_workspaces_automation_is_404_exactly_like_an_unknown_id(
    tables: Tables, workspace: str
) -> None:
    created = post({"name": "theirs"}, workspace)
    theirs = get(created.body["id"], f"{workspace}-other")
    unknown = get("aut_01KB2X7Q9M4T6V8W0Y2Z4A6C8F", workspace)
    not_found(theirs)
    not_found(unknown)
    assert {**theirs.body["error"], "requestId": ""} == {**unknown.body["error"], "requestId": ""}


@pytest.mark.parametrize(
    "text",
    ["", "aut_", "aut_01kb2x7q9m4t6v8w0y2z4a6c8e", "aut_81KB2X7Q9M4T6V8W0Y2Z4A6C8E", "01KB2X7Q9M4T6V8W0Y2Z4A6C8E",
     "../aut_x", "a/b", "aut_01KB2X7Q9M4T6V8W0Y2Z4A6C8E ", "😀", "x" * 100_000, "%00", "validate"],
    ids=["empty", "prefix", "lowercase", "over-128-bits", "no-prefix", "dots", "slash", "space", "emoji", "100k",
         "percent", "validate"],
)  # fmt: skip
def test_any_other_path_text_is_404_without_a_read(
    tables: Tables, workspace: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    reads: list[str] = []
    store = store_module.automation_store()
    original = store.get
    monkeypatch.setattr(store, "get", lambda ws, aid: reads.append(aid) or original(ws, aid))
    not_found(get(text, workspace))
    assert reads == []


def test_the_scope_is_checked_in_the_function_too(tables: Tables, workspace: str) -> None:
    created = post({"name": "x"}, workspace)
    answer = get(created.body["id"], workspace, scope="profile email")
    assert (answer.status, answer.error_code) == (403, "insufficient_scope")
    assert answer.headers["www-authenticate"] == (
        'Bearer error="insufficient_scope", scope="read:automations write:automations"'
    )
    assert "Welcome" not in answer.raw["body"]


def test_no_token_is_401_and_no_workspace_is_403(tables: Tables, workspace: str) -> None:
    created = post({"name": "x"}, workspace)
    assert get(created.body["id"], None).error_code == "workspace_required"
    answer = get(created.body["id"], workspace)
    assert answer.status == 200
    no_authorizer = invoke(_event_without_authorizer(created.body["id"]))
    assert (no_authorizer.status, no_authorizer.error_code) == (401, "authentication_required")
    assert no_authorizer.headers["www-authenticate"] == "Bearer"


def _event_without_authorizer(automation_id: str) -> dict[str, Any]:
    from automations.routes import GET
    from automations_local.events import http_api_event

    return http_api_event(None, claims=None, method="GET", path=f"/v1/automations/{automation_id}",
                          route_key=GET.key, path_parameters={"automationId": automation_id})  # fmt: skip


@pytest.mark.parametrize("tables", ["moto"], indirect=True)
@pytest.mark.parametrize(
    "code", ["ProvisionedThroughputExceededException", "ThrottlingException", "InternalServerError"]
)
def test_a_storage_fault_is_503_with_retry_after(tables: Tables, workspace: str, code: str) -> None:
    store = store_module.automation_store()
    with Stubber(store.client) as stub:
        stub.add_client_error(
            "get_item", code, http_status_code=500 if code == "InternalServerError" else 400
        )
        answer = get("aut_01KB2X7Q9M4T6V8W0Y2Z4A6C8F", workspace)
    assert (answer.status, answer.error_code) == (503, "service_unavailable")
    assert answer.body["error"]["message"] == ERROR_CODES["service_unavailable"].message
    assert answer.headers["retry-after"] == "2"


@pytest.mark.parametrize("tables", ["moto"], indirect=True)
def test_a_missing_table_is_503_and_logged_as_an_error_for_the_operator(
    tables: Tables, workspace: str, logs: io.StringIO
) -> None:
    store = store_module.automation_store()
    with Stubber(store.client) as stub:
        stub.add_client_error("get_item", "ResourceNotFoundException", http_status_code=400)
        answer = get("aut_01KB2X7Q9M4T6V8W0Y2Z4A6C8F", workspace)
    assert answer.status == 503
    (record,) = [json.loads(line) for line in logs.getvalue().splitlines() if "storage unavailable" in line]
    assert (record["level"], record["reason"]) == ("ERROR", "ResourceNotFoundException")


@pytest.mark.parametrize("tables", ["moto"], indirect=True)
def test_the_answer_keeps_the_seeds_field_order_whatever_order_dynamodb_returns(
    tables: Tables, workspace: str
) -> None:
    # DynamoDB does not promise the order of an item's attributes (moto and dynalite
    # happen to keep it): given an item that comes back in reverse order
    created = post(WELCOME, workspace)
    (item,) = tables.items_of(workspace)
    store = store_module.automation_store()
    with Stubber(store.client) as stub:
        stub.add_response("get_item", {"Item": dict(reversed(list(item.items())))})
        answer = get(created.body["id"], workspace)
    # Then the answer is still the create's, byte for byte
    assert answer.raw["body"] == created.raw["body"]


@pytest.mark.parametrize("tables", ["moto"], indirect=True)
def test_the_read_is_consistent_and_keyed_by_the_callers_workspace(tables: Tables, workspace: str) -> None:
    # moto and dynalite always read consistently, so the request itself is checked:
    # a GET right after the 201 must not read a replica that has not seen the write.
    created = post({"name": "x"}, workspace)
    (item,) = tables.items_of(workspace)
    store = store_module.automation_store()
    with Stubber(store.client) as stub:
        stub.add_response(
            "get_item",
            {"Item": item},
            expected_params={
                "TableName": store.table_name,
                "Key": {"workspaceId": {"S": workspace}, "id": {"S": created.body["id"]}},
                "ConsistentRead": True,
            },
        )
        answer = get(created.body["id"], workspace)
        stub.assert_no_pending_responses()
    assert answer.raw["body"] == created.raw["body"]


def test_the_get_answers_the_etag_the_create_answered(tables: Tables, workspace: str) -> None:
    made = post({"name": "tagged"}, workspace)
    read = get(made.body["id"], workspace)
    assert made.headers["etag"] == read.headers["etag"]
    assert read.headers["etag"].startswith('"') and read.headers["etag"].endswith('"')


@pytest.mark.parametrize("header", ["{tag}", "W/{tag}", '"other", {tag}', "*"])
def test_if_none_match_naming_the_current_etag_is_304_without_a_body(
    tables: Tables, workspace: str, header: str
) -> None:
    made = post({"name": "cached"}, workspace)
    tag = made.headers["etag"]
    answer = get(made.body["id"], workspace, headers={"If-None-Match": header.format(tag=tag)})
    assert answer.status == 304
    assert answer.raw.get("body") in (None, "")
    assert answer.headers["etag"] == tag
    assert answer.headers["x-request-id"]


@pytest.mark.parametrize("header", ['"other"', "", "W/", "{tag}x", '"a" "b"'])
def test_if_none_match_naming_no_current_etag_is_the_automation(
    tables: Tables, workspace: str, header: str
) -> None:
    made = post({"name": "fresh"}, workspace)
    answer = get(
        made.body["id"], workspace, headers={"If-None-Match": header.format(tag=made.headers["etag"])}
    )
    assert answer.status == 200
    assert answer.body == made.body


def test_if_none_match_never_reveals_an_automation_of_another_workspace(
    tables: Tables, workspace: str
) -> None:
    made = post({"name": "mine"}, workspace)
    answer = get(made.body["id"], f"{workspace}-other", headers={"If-None-Match": "*"})
    assert (answer.status, answer.error_code) == (404, "automation_not_found")
