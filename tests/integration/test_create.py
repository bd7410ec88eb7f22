"""The real handler, real payload-2.0 events, moto's DynamoDB with the template's
table. Every test checks what was stored, not only what was answered."""

from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest
from botocore.stub import Stubber

from automations import settings
from automations import store as store_module
from automations.create import create_automation
from automations.item import ITEM_LIMIT, from_item, item_size, to_item
from automations.routes import create as create_route
from automations.store import AutomationStore
from automations_local.events import http_api_event
from tests.helpers import WRITE, Tables, claims_for, invoke, load_event, post

SEED_KEYS = [
    "object", "id", "name", "description", "status", "version", "parentId", "trigger",
    "nodes", "edges", "stats", "publishedAt", "createdAt", "updatedAt",
]  # fmt: skip
RFC3339_MS = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


def stored(tables: Tables, workspace: str) -> list[dict[str, Any]]:
    return [from_item(item) for item in tables.items_of(workspace)]


def test_a_minimal_create_answers_the_seed_object_and_stores_it(tables: Tables, workspace: str) -> None:
    # Given a token for a workspace, When it creates an automation with only a name
    answer = post({"name": "Welcome series"}, workspace, request_id="req-123=")
    # Then 201 with exactly the seed's object
    assert answer.status == 201
    body = answer.body
    assert list(body) == SEED_KEYS
    assert re.fullmatch(r"aut_[0-9A-HJKMNP-TV-Z]{26}", body["id"])
    assert body | {"id": None, "createdAt": None, "updatedAt": None} == {
        "object": "automation", "id": None, "name": "Welcome series", "description": None,
        "status": "DRAFT", "version": 1, "parentId": None,
        "trigger": {"type": "contact.subscribed", "config": {}}, "nodes": [], "edges": [],
        "stats": None, "publishedAt": None, "createdAt": None, "updatedAt": None,
    }  # fmt: skip
    assert RFC3339_MS.fullmatch(body["createdAt"])
    assert body["createdAt"] == body["updatedAt"]
    assert answer.headers["content-type"] == "application/json"
    assert answer.headers["location"] == f"/v1/automations/{body['id']}"
    assert answer.headers["x-request-id"] == "req-123="
    # And the item, read back, is what the 201 said, under the token's workspace
    items = tables.items_of(workspace)
    assert len(items) == 1
    assert items[0]["workspaceId"] == {"S": workspace}
    assert from_item(items[0]) == body
    assert AutomationStore(tables.automations, tables.client).get(workspace, body["id"]) == body


def test_a_full_graph_with_floats_round_trips_exactly(tables: Tables, workspace: str) -> None:
    event = load_event("create-welcome-series.json")
    event["requestContext"]["authorizer"]["jwt"]["claims"]["workspace_id"] = workspace
    sent = json.loads(event["body"])

    answer = invoke(event)

    assert answer.status == 201
    assert [n["position"] for n in answer.body["nodes"]] == [n["position"] for n in sent["nodes"]]
    assert [n["data"] for n in answer.body["nodes"]] == [n["data"] for n in sent["nodes"]]
    assert answer.body["nodes"][5]["data"]["sendWindow"] == {"start": 9.5, "end": 17.25}
    assert answer.body["trigger"] == sent["trigger"]
    assert stored(tables, workspace) == [answer.body]


def test_editor_state_inside_nodes_and_edges_is_not_stored(tables: Tables, workspace: str) -> None:
    answer = post(
        {
            "name": "n",
            "nodes": [{"id": "a", "type": "send-email", "selected": True, "width": 220, "dragging": False}],
            "edges": [
                {"id": "e", "source": "a", "target": "a", "selected": True, "style": {"stroke": "red"}}
            ],
        },
        workspace,
    )
    assert answer.status == 201
    raw = tables.items_of(workspace)[0]
    for key in ("selected", "width", "dragging", "style"):
        assert key not in raw["nodes"]["S"] and key not in raw["edges"]["S"]
        assert key not in json.dumps(answer.body)


@pytest.mark.parametrize(
    "body",
    [
        {"name": "x", "workspaceId": "ws_victim"},
        {"name": "x", "status": "PUBLISHED"},
        {"name": "x", "id": "aut_01J0000000000000000000000"},
        {"name": "x", "version": 7},
        {"name": "x", "edge": []},
    ],
)
def test_unknown_top_level_fields_are_422_and_nothing_is_written(
    tables: Tables, workspace: str, body: dict[str, Any]
) -> None:
    answer = post(body, workspace)
    assert answer.status == 422
    assert answer.body["error"]["type"] == "validation_error"
    assert answer.problems() == [(next(k for k in body if k != "name"), "unknown_field")]
    assert tables.items() == []


def test_the_workspace_comes_only_from_the_token(tables: Tables, workspace: str) -> None:
    # Given a body, a query string and headers that all name another workspace
    event = http_api_event(
        json.dumps({"name": "x"}),
        claims=claims_for(workspace),
        headers={"x-workspace-id": "ws_victim", "workspace-id": "ws_victim"},
    )
    event["rawQueryString"] = "workspaceId=ws_victim"
    event["queryStringParameters"] = {"workspaceId": "ws_victim", "workspace_id": "ws_victim"}
    # When it is posted
    answer = invoke(event)
    # Then the automation is the token's workspace's, and the other has nothing
    assert answer.status == 201
    assert len(tables.items_of(workspace)) == 1
    assert tables.items_of("ws_victim") == []


def test_the_workspace_claim_name_is_configurable(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WORKSPACE_CLAIM", "custom:tenant")
    settings.get_settings.cache_clear()
    answer = invoke(
        http_api_event(
            json.dumps({"name": "x"}),
            claims={"sub": "u", "scope": WRITE, "custom:tenant": workspace, "workspace_id": "ws_victim"},
        )
    )
    assert answer.status == 201
    assert len(tables.items_of(workspace)) == 1
    assert tables.items_of("ws_victim") == []


def test_graph_problems_are_all_reported_and_nothing_is_written(tables: Tables, workspace: str) -> None:
    answer = post(
        {
            "name": "n",
            "nodes": [{"id": "a", "type": "send-email"}, {"id": "a", "type": "time-delay"}],
            "edges": [
                {"id": "e1", "source": "a", "target": "b"},
                {"id": "e1", "source": "c", "target": "a"},
                {"id": "e3", "source": "a", "target": "a"},
                {"id": "e4", "source": "a", "target": "n9"},
            ],
        },
        workspace,
    )
    assert answer.status == 422
    error = answer.body["error"]
    assert (error["type"], error["code"]) == ("validation_error", "validation_failed")
    assert error["message"] == "5 problems in the automation graph"
    assert error["requestId"] == answer.headers["x-request-id"]
    assert answer.problems() == [
        ("nodes[1].id", "duplicate_id"),
        ("edges[0].target", "unknown_node"),
        ("edges[1].id", "duplicate_id"),
        ("edges[1].source", "unknown_node"),
        ("edges[3].target", "unknown_node"),
    ]
    assert error["validationErrors"][4]["message"] == "edge 'e4' targets node 'n9', which does not exist"
    assert tables.items() == []


@pytest.mark.parametrize(
    ("claims", "scopes", "status", "code"),
    [
        ({"sub": "u", "workspace_id": "ws1"}, ["write:automations"], 201, None),
        ({"sub": "u", "workspace_id": "ws1", "scope": "openid write:automations"}, None, 201, None),
        ({"sub": "u", "workspace_id": "ws1", "scp": "[read:automations write:automations]"}, None, 201, None),
        ({"sub": "u", "workspace_id": "ws1", "scp": ["write:automations"]}, None, 201, None),
        (
            {"sub": "u", "workspace_id": "ws1", "scope": "write:automations-readonly"},
            None,
            403,
            "insufficient_scope",
        ),
        ({"sub": "u", "workspace_id": "ws1"}, None, 403, "insufficient_scope"),
        ({"sub": "u", "scope": "write:automations"}, None, 403, "workspace_required"),
        (
            {"sub": "u", "scope": "write:automations", "workspace_id": "../ws1"},
            None,
            403,
            "workspace_required",
        ),
        ({}, ["write:automations"], 401, "authentication_required"),
        (None, None, 401, "authentication_required"),
    ],
)
def test_who_may_create(
    tables: Tables, claims: dict[str, Any] | None, scopes: list[str] | None, status: int, code: str | None
) -> None:
    answer = invoke(http_api_event(json.dumps({"name": "x"}), claims=claims, scopes=scopes))
    assert answer.status == status
    assert answer.error_code == code
    assert len(tables.items()) == (1 if status == 201 else 0)
    if status == 401:
        assert answer.headers["www-authenticate"] == "Bearer"
        assert answer.body["error"]["type"] == "authentication_error"
    if code == "insufficient_scope":
        assert (
            answer.headers["www-authenticate"]
            == 'Bearer error="insufficient_scope", scope="write:automations"'
        )
        assert answer.body["error"]["type"] == "permission_error"


def test_authentication_is_checked_before_the_body(tables: Tables) -> None:
    answer = invoke(http_api_event("{not json", claims=None))
    assert answer.status == 401


def test_a_base64_body_creates_the_same_automation(tables: Tables, workspace: str) -> None:
    body = {"name": "Drip ✓", "nodes": [{"id": "a", "type": "event", "position": {"x": 0.5, "y": 1}}]}
    answer = post(body, workspace, is_base64=True)
    assert answer.status == 201
    assert answer.body["name"] == "Drip ✓"
    assert answer.body["nodes"][0]["position"] == {"x": 0.5, "y": 1}
    assert stored(tables, workspace) == [answer.body]


@pytest.mark.parametrize(
    ("body", "headers", "status", "code"),
    [
        ("{", {}, 400, "invalid_json"),
        ('{"name": NaN}', {}, 400, "invalid_json"),
        ("[]", {}, 400, "invalid_body"),
        ("", {}, 400, "invalid_body"),
        ('{"name": "x"}', {"content-type": "text/plain"}, 415, "unsupported_media_type"),
        ('{"name": "' + "x" * (1024 * 1024) + '"}', {}, 413, "payload_too_large"),
    ],
)
def test_bad_bodies_get_the_contracts_errors_and_nothing_is_written(
    tables: Tables, workspace: str, body: str, headers: dict[str, str], status: int, code: str
) -> None:
    answer = post(body, workspace, raw=True, headers=headers)
    assert (answer.status, answer.error_code) == (status, code)
    assert answer.body["error"]["type"] == "invalid_request_error"
    assert answer.body["error"]["requestId"] == answer.headers["x-request-id"]
    assert tables.items() == []


def test_an_automation_too_large_for_one_item_is_413_before_writing(tables: Tables, workspace: str) -> None:
    # 5 nodes of 90 KB each: under the 1 MiB body limit, over DynamoDB's 400 KB item.
    nodes = [{"id": f"n{i}", "type": "send-email", "data": {"html": "x" * 90_000}} for i in range(5)]
    answer = post({"name": "big", "nodes": nodes}, workspace)
    assert (answer.status, answer.error_code) == (413, "automation_too_large")
    assert tables.items() == []


def test_a_thousand_ordinary_nodes_fit(tables: Tables, workspace: str) -> None:
    # Ordinary: ~100 bytes of data per node, a chain of 999 edges with handles.
    nodes = [
        {
            "id": f"node-{i}",
            "type": "send-email",
            "position": {"x": i * 10.5, "y": i * 3.25},
            "data": {
                "emailId": f"eml_{i:06d}",
                "subject": f"Day {i}: tips",
                "sendAt": "09:30",
                "tz": "Europe/Paris",
            },
        }
        for i in range(1000)
    ]
    edges = [
        {
            "id": f"e{i}",
            "source": f"node-{i}",
            "target": f"node-{i + 1}",
            "sourceHandle": "out",
            "targetHandle": "in",
        }
        for i in range(999)
    ]
    answer = post({"name": "big but ordinary", "nodes": nodes, "edges": edges}, workspace)
    assert answer.status == 201
    assert stored(tables, workspace) == [answer.body]
    assert item_size(tables.items_of(workspace)[0]) < 0.85 * ITEM_LIMIT  # room to spare


def test_throttling_is_503_with_retry_after(tables: Tables, workspace: str) -> None:
    store = store_module.automation_store()
    with Stubber(store.client) as stub:
        stub.add_client_error("put_item", "ProvisionedThroughputExceededException", http_status_code=400)
        answer = post({"name": "x"}, workspace)
    assert (answer.status, answer.error_code) == (503, "service_unavailable")
    assert answer.body["error"]["type"] == "api_error"
    assert answer.headers["retry-after"].isdigit()
    assert tables.items() == []


def test_a_bug_is_a_500_that_tells_nothing_of_its_insides(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch, logs: io.StringIO
) -> None:
    def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(create_route, "create_automation", broken)
    answer = post({"name": "x"}, workspace)
    assert (answer.status, answer.error_code) == (500, "internal_error")
    assert "secret" not in answer.raw["body"] and "Traceback" not in answer.raw["body"]
    assert "secret internal detail" in logs.getvalue()  # logged for the operator


def test_a_missing_table_setting_is_a_logged_500(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch, logs: io.StringIO
) -> None:
    monkeypatch.delenv("AUTOMATIONS_TABLE")
    answer = post({"name": "x"}, workspace)
    assert (answer.status, answer.error_code) == (500, "internal_error")
    (record,) = [json.loads(line) for line in logs.getvalue().splitlines() if '"unhandled error"' in line]
    assert record["level"] == "ERROR"
    assert "AUTOMATIONS_TABLE is not set" in record["exception"]
    assert record["correlation_id"] == answer.headers["x-request-id"]


def test_other_routes_answer_404_in_the_envelope(tables: Tables, workspace: str) -> None:
    answer = invoke(
        http_api_event(None, claims=claims_for(workspace), method="GET", path="/v1/automations/x")
    )
    assert answer.status == 404
    assert answer.body["error"]["code"] == "route_not_found"
    assert "x-request-id" in answer.headers


def test_an_id_collision_takes_a_fresh_id_and_leaves_the_other_item_alone(
    tables: Tables, workspace: str
) -> None:
    store = AutomationStore(tables.automations, tables.client)
    first = create_automation({"name": "first"}, workspace, store, new_id=lambda: "aut_A")
    ids = iter(["aut_A", "aut_B"])
    second = create_automation({"name": "second"}, workspace, store, new_id=lambda: next(ids))
    assert second["id"] == "aut_B"
    assert store.get(workspace, "aut_A") == first
    assert store.get(workspace, "aut_B") == second


def test_a_retried_put_whose_first_attempt_landed_is_a_success_not_a_duplicate(
    tables: Tables, workspace: str
) -> None:
    # Given the put already landed once (its answer lost), When the same item is put again
    store = AutomationStore(tables.automations, tables.client)
    automation = create_automation(
        {"name": "once"}, workspace, store, new_id=lambda: "aut_X", clock=lambda: "t"
    )
    tables.client.put_item(TableName=tables.automations, Item=to_item(workspace, automation))
    again = create_automation({"name": "once"}, workspace, store, new_id=lambda: "aut_X", clock=lambda: "t")
    # Then it is the same automation, stored once
    assert again == automation
    assert len(tables.items_of(workspace)) == 1


def test_logs_carry_neither_the_token_nor_the_body(
    tables: Tables, workspace: str, logs: io.StringIO, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("POWERTOOLS_LOGGER_LOG_EVENT", "true")
    for body in ({"name": "SECRET-NAME-1"}, {"name": "SECRET-NAME-2", "nodes": [{"id": "SECRET-NODE"}]}):
        post(body, workspace, headers={"authorization": "Bearer SECRET-TOKEN-VALUE"})
    out = logs.getvalue()
    assert "automation created" in out
    for secret in ("SECRET-TOKEN-VALUE", "SECRET-NAME", "SECRET-NODE"):
        assert secret not in out


def test_each_create_counts_one_automation_created_metric(
    tables: Tables, workspace: str, capsys: pytest.CaptureFixture[str]
) -> None:
    post({"name": "x"}, workspace)
    post({"name": ""}, workspace)
    metrics = [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"_aws"' in line]
    created = [m for m in metrics if "AutomationCreated" in m]
    assert len(created) == 1
    assert created[0]["AutomationCreated"] == [1.0]
    assert created[0]["_aws"]["CloudWatchMetrics"][0]["Namespace"] == "Automations"
