"""PATCH /v1/automations/{automationId} through its own function, on moto and
dynalite: an RFC 7396 merge patch of the editable fields, judged by the create's own
code, required If-Match (428, 412), 409 for what is not a draft, nothing written by
a patch that changes nothing, and one conditional write."""

from __future__ import annotations

import json
from typing import Any

import pytest

from automations.errors import StaleWrite
from automations.item import from_item, revision_of
from automations.store import AutomationStore
from tests.helpers import Answer, Tables, get, patch, post

FLOW = {
    "name": "Welcome series",
    "description": "Greets new subscribers.",
    "trigger": {"type": "segment.entered", "config": {"segmentId": "seg_a", "delayMinutes": 5}},
    "nodes": [
        {"id": "t", "type": "segment-entry", "data": {"segmentId": "seg_a"}},
        {"id": "m", "type": "send-email", "position": {"x": 1.5, "y": 2}, "data": {"templateId": "tpl"}},
    ],
    "edges": [{"id": "e", "source": "t", "target": "m"}],
}


def draft(workspace: str, body: dict[str, Any] | None = None) -> Answer:
    made = post(body or FLOW, workspace)
    assert made.status == 201, made.body
    return made


def stored(tables: Tables, workspace: str) -> list[dict[str, Any]]:
    return [from_item(item) for item in tables.items_of(workspace)]


def test_a_key_present_replaces_its_field(tables: Tables, workspace: str) -> None:
    made = draft(workspace)
    answer = patch(
        made.body["id"],
        {"name": "  Renamed  ", "nodes": [], "edges": []},
        workspace,
        if_match=made.headers["etag"],
    )
    assert answer.status == 200, answer.body
    assert answer.body["name"] == "Renamed"  # normalised as the create normalises it
    assert answer.body["nodes"] == []
    # Then what was answered is what is stored, and what GET answers
    assert stored(tables, workspace) == [answer.body]
    assert get(made.body["id"], workspace).body == answer.body


def test_unchanged_fields_and_identity_stay_and_updated_at_moves(tables: Tables, workspace: str) -> None:
    made = draft(workspace)
    answer = patch(made.body["id"], {"description": "new words"}, workspace, if_match=made.headers["etag"])
    for name in ("id", "status", "version", "parentId", "createdAt", "trigger", "nodes", "edges", "name"):
        assert answer.body[name] == made.body[name], name
    assert answer.body["description"] == "new words"
    assert answer.body["updatedAt"] >= made.body["updatedAt"]
    assert list(answer.body) == list(made.body)  # the seed's order
    assert answer.headers["etag"] != made.headers["etag"]


def test_objects_merge_recursively_and_arrays_are_replaced_whole(tables: Tables, workspace: str) -> None:
    made = draft(workspace)
    changes = {"trigger": {"config": {"segmentId": "seg_b", "delayMinutes": None}}, "edges": []}
    answer = patch(made.body["id"], changes, workspace, if_match=made.headers["etag"])
    assert answer.body["trigger"] == {"type": "segment.entered", "config": {"segmentId": "seg_b"}}
    assert answer.body["edges"] == []
    assert answer.body["nodes"] == made.body["nodes"]


@pytest.mark.parametrize(
    ("field", "default"),
    [
        ("description", None),
        ("trigger", {"type": "contact.subscribed", "config": {}}),
        ("edges", []),
    ],
)
def test_null_removes_a_field_and_the_creates_default_applies(
    tables: Tables, workspace: str, field: str, default: Any
) -> None:
    made = draft(workspace)
    answer = patch(made.body["id"], {field: None}, workspace, if_match=made.headers["etag"])
    assert answer.status == 200, answer.body
    assert answer.body[field] == default


def test_null_nodes_leaves_edges_to_nodes_that_no_longer_exist_refused_as_the_create_would(
    tables: Tables, workspace: str
) -> None:
    made = draft(workspace)
    answer = patch(made.body["id"], {"nodes": None}, workspace, if_match=made.headers["etag"])
    body = {**{k: made.body[k] for k in ("name", "description", "trigger", "edges")}, "nodes": []}
    assert answer.status == 422
    assert answer.body["error"]["validationErrors"] == post(body, workspace).body["error"]["validationErrors"]
    assert stored(tables, workspace) == [made.body]


def test_removing_the_name_is_the_creates_missing_name(tables: Tables, workspace: str) -> None:
    made = draft(workspace)
    answer = patch(made.body["id"], {"name": None}, workspace, if_match=made.headers["etag"])
    assert (answer.status, answer.error_code) == (422, "validation_failed")
    assert [p[0] for p in answer.problems()] == ["name"]


@pytest.mark.parametrize(
    "changes",
    [
        {"nodes": [{"id": "a", "type": "nope"}, {"id": "a", "type": "event"}]},
        {"edges": [{"id": "x", "source": "t", "target": "ghost"}] * 2},
        {"name": "", "description": 5, "trigger": {"type": "contact.vanished"}},
        {"trigger": {"config": "not an object"}},
    ],
    ids=["nodes", "edges", "fields", "config"],
)
def test_the_merged_document_gets_the_creates_very_validation_errors(
    tables: Tables, workspace: str, changes: dict[str, Any]
) -> None:
    made = draft(workspace)
    answer = patch(made.body["id"], changes, workspace, if_match=made.headers["etag"])
    merged = {**{k: made.body[k] for k in ("name", "description", "trigger", "nodes", "edges")}}
    for key, value in changes.items():
        merged[key] = {**merged[key], **value} if isinstance(value, dict) and key == "trigger" else value
    created = post(merged, workspace + "-b")
    assert answer.status == created.status == 422
    assert answer.body["error"]["message"] == created.body["error"]["message"]
    assert answer.body["error"]["validationErrors"] == created.body["error"]["validationErrors"]
    assert stored(tables, workspace) == [made.body]


@pytest.mark.parametrize("key", ["status", "id", "version", "workspaceId", "edge", "publishedAt"])
@pytest.mark.parametrize("value", [None, "x"])
def test_any_other_key_whatever_its_value_is_an_unknown_field(
    tables: Tables, workspace: str, key: str, value: Any
) -> None:
    made = draft(workspace)
    answer = patch(made.body["id"], {key: value}, workspace, if_match=made.headers["etag"])
    assert (answer.status, answer.error_code) == (422, "validation_failed")
    assert answer.problems() == [(key, "unknown_field")]


def test_if_match_is_required(tables: Tables, workspace: str) -> None:
    made = draft(workspace)
    answer = patch(made.body["id"], {"name": "x"}, workspace, if_match=None)
    assert (answer.status, answer.error_code) == (428, "precondition_required")
    assert stored(tables, workspace) == [made.body]


@pytest.mark.parametrize(
    "header",
    ['"stale"', "W/{tag}", "", "{tag_unquoted}", "{tag}x", ", ,", '"a" "b"', "**"],
    ids=["other", "weak", "empty", "unquoted", "trailing", "empty-list", "no-comma", "stars"],
)
def test_if_match_naming_no_current_etag_is_412(tables: Tables, workspace: str, header: str) -> None:
    made = draft(workspace)
    tag = made.headers["etag"]
    sent = header.format(tag=tag, tag_unquoted=tag.strip('"'))
    answer = patch(made.body["id"], {"name": "x"}, workspace, if_match=sent)
    assert (answer.status, answer.error_code) == (412, "precondition_failed")
    assert stored(tables, workspace) == [made.body]


@pytest.mark.parametrize("header", ["*", '"other", {tag}', ' {tag} ,"x"', "{tag}"])
def test_if_match_naming_the_current_etag_or_star_lets_the_edit_through(
    tables: Tables, workspace: str, header: str
) -> None:
    made = draft(workspace)
    answer = patch(
        made.body["id"], {"name": "x"}, workspace, if_match=header.format(tag=made.headers["etag"])
    )
    assert answer.status == 200, answer.body


def test_an_etag_of_another_automation_matches_nothing(tables: Tables, workspace: str) -> None:
    first, second = draft(workspace), draft(workspace)
    answer = patch(first.body["id"], {"name": "x"}, workspace, if_match=second.headers["etag"])
    assert answer.status == 412


def test_a_stale_etag_is_412_after_an_edit(tables: Tables, workspace: str) -> None:
    made = draft(workspace)
    assert patch(made.body["id"], {"name": "one"}, workspace, if_match=made.headers["etag"]).status == 200
    again = patch(made.body["id"], {"name": "two"}, workspace, if_match=made.headers["etag"])
    assert again.status == 412
    assert get(made.body["id"], workspace).body["name"] == "one"


@pytest.mark.parametrize("status", ["PUBLISHED", "ARCHIVED"])
def test_what_is_not_a_draft_is_409(tables: Tables, workspace: str, status: str) -> None:
    made = draft(workspace)
    tables.client.update_item(
        TableName=tables.automations,
        Key={"workspaceId": {"S": workspace}, "id": {"S": made.body["id"]}},
        UpdateExpression="SET #s = :s",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":s": {"S": status}},
    )
    before = tables.items_of(workspace)
    answer = patch(made.body["id"], {"name": "x"}, workspace, if_match=made.headers["etag"])
    assert (answer.status, answer.error_code) == (409, "automation_not_draft")
    assert tables.items_of(workspace) == before


def test_checks_come_in_the_contracts_order(tables: Tables, workspace: str) -> None:
    # 404 before 428 before 409 before 422
    made = draft(workspace)
    unknown = "aut_01KB2X7Q9M4T6V8W0Y2Z4A6C8F"
    assert patch(unknown, {"name": ""}, workspace, if_match=None).status == 404
    assert patch(made.body["id"], {"name": ""}, workspace, if_match=None).status == 428
    assert patch(made.body["id"], {"name": ""}, workspace, if_match='"x"').status == 412
    # the body's hard limits come before all of them
    assert patch(unknown, "{", workspace, if_match=None, raw=True).error_code == "invalid_json"


@pytest.mark.parametrize("automation_id", ["not-an-id", "aut_01KB2X7Q9M4T6V8W0Y2Z4A6C8F"])
def test_an_id_the_workspace_does_not_hold_is_404_like_another_workspaces(
    tables: Tables, workspace: str, automation_id: str
) -> None:
    made = draft(workspace)
    theirs = patch(made.body["id"], {"name": "x"}, "ws-other", if_match=made.headers["etag"])
    unknown = patch(automation_id, {"name": "x"}, "ws-other", if_match=made.headers["etag"])
    assert theirs.status == unknown.status == 404
    assert theirs.error_but_request_id == unknown.error_but_request_id
    assert stored(tables, workspace) == [made.body]


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"name": "Welcome series"},
        {"name": "  Welcome series "},
        {"trigger": {"config": {"segmentId": "seg_a"}}},
        {"nodes": FLOW["nodes"]},
        {"description": "Greets new subscribers."},
    ],
    ids=["empty", "same-name", "same-after-trim", "same-config", "same-nodes", "same-description"],
)
def test_a_patch_that_changes_nothing_writes_nothing(
    tables: Tables, workspace: str, changes: dict[str, Any]
) -> None:
    made = draft(workspace)
    before = tables.items_of(workspace)
    answer = patch(made.body["id"], changes, workspace, if_match=made.headers["etag"])
    assert answer.status == 200
    assert answer.body == made.body
    assert answer.headers["etag"] == made.headers["etag"]
    assert tables.items_of(workspace) == before


def test_a_change_of_key_order_inside_data_is_a_change(tables: Tables, workspace: str) -> None:
    # "the same JSON text": an object whose keys come in another order reads differently
    made = draft(workspace, {"name": "x", "nodes": [{"id": "a", "type": "event", "data": {"p": 1, "q": 2}}]})
    reordered = [{"id": "a", "type": "event", "data": {"q": 2, "p": 1}}]
    answer = patch(made.body["id"], {"nodes": reordered}, workspace, if_match=made.headers["etag"])
    assert json.dumps(answer.body["nodes"]) == json.dumps(
        [{"id": "a", "type": "event", "position": {"x": 0, "y": 0}, "data": {"q": 2, "p": 1}}]
    )
    assert answer.headers["etag"] != made.headers["etag"]
    assert stored(tables, workspace) == [answer.body]


def test_one_conditional_write_on_the_revision_read(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = draft(workspace)
    sent: list[dict[str, Any]] = []
    real = AutomationStore.update

    def spy(self: AutomationStore, *args: Any) -> Any:
        original = self.client.update_item

        def update_item(**parameters: Any) -> Any:
            sent.append(parameters)
            return original(**parameters)

        monkeypatch.setattr(self.client, "update_item", update_item)
        try:
            return real(self, *args)
        finally:
            monkeypatch.setattr(self.client, "update_item", original)

    monkeypatch.setattr(AutomationStore, "update", spy)
    patch(made.body["id"], {"name": "x"}, workspace, if_match=made.headers["etag"])
    (parameters,) = sent
    condition = parameters["ConditionExpression"]
    name, value = condition.split(" = ")
    assert parameters["ExpressionAttributeNames"][name] == "revision"
    assert parameters["ExpressionAttributeValues"][value] == {"N": "1"}
    assert revision_of(tables.items_of(workspace)[0]) == 2


def test_an_edit_that_loses_a_race_is_decided_again(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given an edit with If-Match: * whose first write finds the draft changed since it was read
    made = draft(workspace)
    real = AutomationStore.update
    raced: list[bool] = []

    def first_loses(self: AutomationStore, workspace_id: str, seen: Any, automation: dict[str, Any]) -> Any:
        if not raced:
            raced.append(True)
            assert patch(made.body["id"], {"description": "theirs"}, workspace, if_match="*").status == 200
        return real(self, workspace_id, seen, automation)

    monkeypatch.setattr(AutomationStore, "update", first_loses)
    answer = patch(made.body["id"], {"name": "mine"}, workspace, if_match="*")
    # Then it is decided again on what is stored now: both changes stand
    assert answer.status == 200
    assert (answer.body["name"], answer.body["description"]) == ("mine", "theirs")
    assert stored(tables, workspace) == [answer.body]


def test_an_edit_that_keeps_losing_is_503_and_changes_nothing(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = draft(workspace)

    def always_stale(self: AutomationStore, *args: Any) -> Any:
        raise StaleWrite("lost")

    monkeypatch.setattr(AutomationStore, "update", always_stale)
    answer = patch(made.body["id"], {"name": "x"}, workspace, if_match="*")
    assert (answer.status, answer.error_code) == (503, "service_unavailable")
    assert answer.headers["retry-after"]
    assert stored(tables, workspace) == [made.body]


def test_an_edit_that_would_not_fit_is_413_and_nothing_is_written(tables: Tables, workspace: str) -> None:
    made = draft(workspace)
    huge = {
        "nodes": [{"id": f"n{i}", "type": "event", "data": {"pad": "x" * 500}} for i in range(900)],
        "edges": [],
    }
    answer = patch(made.body["id"], huge, workspace, if_match=made.headers["etag"])
    assert (answer.status, answer.error_code) == (413, "automation_too_large")
    assert stored(tables, workspace) == [made.body]


def test_merge_patch_content_types(tables: Tables, workspace: str) -> None:
    made = draft(workspace)
    tag = made.headers["etag"]
    for content_type in (
        "application/merge-patch+json",
        "application/json",
        "application/json; charset=utf-8",
    ):
        answer = patch(
            made.body["id"],
            {"name": content_type},
            workspace,
            if_match=tag,
            headers={"content-type": content_type},
        )
        assert answer.status == 200, answer.body
        tag = answer.headers["etag"]
    refused = patch(
        made.body["id"], {"name": "x"}, workspace, if_match=tag, headers={"content-type": "text/plain"}
    )
    assert (refused.status, refused.error_code) == (415, "unsupported_media_type")
