"""Publish, the next version, archive and delete, through their own functions on
moto (their changes are transactions, which dynalite 4 lacks; a lone first draft's
delete, one conditional write, runs on dynalite too): the contract's sections
"Versions of one automation", "Publish", "The next version", "Archive", "Delete"."""

from __future__ import annotations

import json
import re
import time
from typing import Any

import pytest

from automations import family as family_module
from automations.item import ACCEPTED_LIMIT, EXPIRES, ITEM_LIMIT, from_item, item_size
from automations.routes import ARCHIVE, DELETE, DELETION, PUBLISH, READ, VERSIONS, WRITE, Route
from automations.store import AutomationStore
from automations_local.events import http_api_event
from tests.helpers import (
    Answer,
    Tables,
    assert_family_invariants,
    claims_for,
    get,
    invoke,
    list_automations,
    patch,
    post,
    state_event,
)

MOTO = pytest.mark.parametrize("tables", ["moto"], indirect=True)

FLOW = {
    "name": "Welcome series",
    "description": "Greets new subscribers.",
    "trigger": {"type": "contact.subscribed", "config": {}},
    "nodes": [
        {"id": "t", "type": "contact-subscribed"},
        {"id": "m", "type": "send-email", "data": {"templateId": "tpl"}},
    ],
    "edges": [{"id": "e", "source": "t", "target": "m"}],
}


def call(
    route: Route, automation_id: str, workspace: str, *, scope: str = WRITE, if_match: str | None = None
) -> Answer:
    return invoke(state_event(route, automation_id, workspace, scope=scope, if_match=if_match))


def draft(workspace: str, body: dict[str, Any] | None = None) -> Answer:
    made = post(body or FLOW, workspace)
    assert made.status == 201, made.body
    return made


def published(workspace: str) -> Answer:
    made = draft(workspace)
    answer = call(PUBLISH, made.body["id"], workspace)
    assert answer.status == 200, answer.body
    return answer


# Publish


@MOTO
def test_publishing_a_draft_makes_it_published_with_a_new_etag(tables: Tables, workspace: str) -> None:
    made = draft(workspace)
    answer = call(PUBLISH, made.body["id"], workspace, if_match=made.headers["etag"])
    assert answer.status == 200, answer.body
    assert answer.body["status"] == "PUBLISHED"
    assert answer.body["publishedAt"] == answer.body["updatedAt"] >= made.body["updatedAt"]
    for name in ("id", "name", "trigger", "nodes", "edges", "version", "parentId", "createdAt"):
        assert answer.body[name] == made.body[name]
    assert answer.headers["etag"] != made.headers["etag"]
    read = get(made.body["id"], workspace)
    assert (read.body, read.headers["etag"]) == (answer.body, answer.headers["etag"])


@MOTO
def test_publishing_archives_the_familys_published_version_in_the_same_transaction(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = published(workspace)
    second = call(VERSIONS, first.body["id"], workspace)
    transactions: list[list[dict[str, Any]]] = []
    real = AutomationStore.transact

    def spy(self: AutomationStore, updates: list[dict[str, Any]], puts: Any = ()) -> None:
        transactions.append([*updates, *puts])
        real(self, updates, puts)

    monkeypatch.setattr(AutomationStore, "transact", spy)
    answer = call(PUBLISH, second.body["id"], workspace)
    assert answer.status == 200
    (written,) = transactions  # one transaction: the new version, the old one, the record
    assert {u["Key"]["id"]["S"] for u in written} == {
        first.body["id"],
        second.body["id"],
        f"family#{first.body['id']}",
    }
    before = first.body
    after = get(first.body["id"], workspace).body
    assert after["status"] == "ARCHIVED"
    assert after["publishedAt"] == before["publishedAt"]  # kept
    assert after["updatedAt"] == answer.body["publishedAt"]
    assert_family_invariants(tables, workspace)


@MOTO
def test_a_draft_with_problems_is_422_with_exactly_the_diagnostics_validate_answers(
    tables: Tables, workspace: str
) -> None:
    body = {
        "name": "Not ready",
        "nodes": [
            {"id": "t", "type": "form-filled"},
            {"id": "m", "type": "send-email"},
            {"id": "c", "type": "if-else", "data": {"conditions": [1]}},
        ],
        "edges": [{"id": "e1", "source": "t", "target": "m"}, {"id": "e2", "source": "m", "target": "c"}],
    }
    made = draft(workspace, body)
    before = tables.items_of(workspace)
    answer = call(PUBLISH, made.body["id"], workspace)
    validated = invoke(
        http_api_event(json.dumps(body), claims=claims_for(workspace), path="/v1/automations/validate")
    )
    assert (answer.status, answer.error_code) == (422, "not_publishable")
    assert answer.body["error"]["type"] == "validation_error"
    assert answer.body["error"]["diagnostics"] == validated.body["diagnostics"]
    errors = sum(d["severity"] == "error" for d in validated.body["diagnostics"])
    assert any(d["severity"] == "warning" for d in validated.body["diagnostics"])  # warnings included
    assert (
        answer.body["error"]["message"] == f"{errors} problems stand between this automation and publishing"
    )
    assert tables.items_of(workspace) == before


@MOTO
def test_one_problem_stands(tables: Tables, workspace: str) -> None:
    made = draft(workspace, {**FLOW, "nodes": [FLOW["nodes"][0], {"id": "m", "type": "send-email"}]})
    answer = call(PUBLISH, made.body["id"], workspace)
    assert answer.body["error"]["message"] == "1 problem stands between this automation and publishing"


@MOTO
def test_publishing_what_is_published_is_200_unchanged_and_archived_is_409(
    tables: Tables, workspace: str
) -> None:
    live = published(workspace)
    before = tables.items_of(workspace)
    again = call(PUBLISH, live.body["id"], workspace)
    assert (again.status, again.body, again.headers["etag"]) == (200, live.body, live.headers["etag"])
    assert tables.items_of(workspace) == before
    call(ARCHIVE, live.body["id"], workspace)
    archived = call(PUBLISH, live.body["id"], workspace)
    assert (archived.status, archived.error_code) == (409, "automation_not_draft")


@MOTO
def test_publish_honours_if_match(tables: Tables, workspace: str) -> None:
    made = draft(workspace)
    stale = call(PUBLISH, made.body["id"], workspace, if_match='"not-it"')
    assert (stale.status, stale.error_code) == (412, "precondition_failed")
    assert get(made.body["id"], workspace).body["status"] == "DRAFT"
    live = call(PUBLISH, made.body["id"], workspace, if_match=made.headers["etag"])
    assert live.status == 200
    # A publish naming the draft's ETag finds it changed: 412, not the 200 of a replay
    assert call(PUBLISH, made.body["id"], workspace, if_match=made.headers["etag"]).status == 412


@MOTO
def test_an_edit_landing_while_a_publish_decides_makes_it_decide_again(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a publish whose transaction is overtaken by an edit that breaks the draft
    made = draft(workspace)
    real = AutomationStore.transact
    raced: list[bool] = []

    def edit_first(self: AutomationStore, updates: list[dict[str, Any]], puts: Any = ()) -> None:
        if not raced:
            raced.append(True)
            nodes = [FLOW["nodes"][0], {"id": "m", "type": "send-email"}]  # no templateId
            broken = patch(made.body["id"], {"nodes": nodes}, workspace, if_match="*")
            assert broken.status == 200
        real(self, updates, puts)

    monkeypatch.setattr(AutomationStore, "transact", edit_first)
    answer = call(PUBLISH, made.body["id"], workspace)
    # Then what was judged is not what is stored: judged again, it is not publishable
    assert (answer.status, answer.error_code) == (422, "not_publishable")
    assert get(made.body["id"], workspace).body["status"] == "DRAFT"


# The next version


@MOTO
@pytest.mark.parametrize("source_status", ["PUBLISHED", "ARCHIVED"])
def test_the_next_version_copies_a_published_or_archived_one(
    tables: Tables, workspace: str, source_status: str
) -> None:
    live = published(workspace)
    if source_status == "ARCHIVED":
        call(ARCHIVE, live.body["id"], workspace)
    source = get(live.body["id"], workspace).body
    answer = call(VERSIONS, live.body["id"], workspace)
    assert answer.status == 201, answer.body
    assert answer.headers["location"] == f"/v1/automations/{answer.body['id']}"
    assert answer.headers["etag"] == get(answer.body["id"], workspace).headers["etag"]
    assert answer.body["id"] != source["id"]
    for name in ("name", "description", "trigger", "nodes", "edges"):
        assert answer.body[name] == source[name]
    assert (answer.body["status"], answer.body["version"], answer.body["parentId"]) == (
        "DRAFT",
        2,
        source["id"],
    )
    assert (answer.body["stats"], answer.body["publishedAt"]) == (None, None)
    assert answer.body["createdAt"] == answer.body["updatedAt"] >= source["updatedAt"]
    assert list(answer.body) == list(source)
    assert get(answer.body["id"], workspace).body == answer.body


@MOTO
def test_a_family_with_a_draft_is_409_draft_exists_naming_it(tables: Tables, workspace: str) -> None:
    live = published(workspace)
    next_draft = call(VERSIONS, live.body["id"], workspace)
    for named in (live.body["id"], next_draft.body["id"]):  # the draft itself included
        again = call(VERSIONS, named, workspace)
        assert (again.status, again.error_code) == (409, "draft_exists")
        assert again.headers["location"] == f"/v1/automations/{next_draft.body['id']}"
        assert next_draft.body["id"] in again.body["error"]["message"]
    first_draft = draft(workspace)
    own = call(VERSIONS, first_draft.body["id"], workspace)
    assert (own.status, own.headers["location"]) == (409, f"/v1/automations/{first_draft.body['id']}")


@MOTO
def test_version_numbers_are_never_reused_and_parent_is_the_root(tables: Tables, workspace: str) -> None:
    root = published(workspace)
    v2 = call(VERSIONS, root.body["id"], workspace)
    deleted = call(DELETION, v2.body["id"], workspace, scope=DELETE)
    assert deleted.status == 204
    v3 = call(VERSIONS, root.body["id"], workspace)
    assert (v3.body["version"], v3.body["parentId"]) == (3, root.body["id"])
    assert call(PUBLISH, v3.body["id"], workspace).status == 200
    v4 = call(VERSIONS, v3.body["id"], workspace)  # from a later version: the root is still the parent
    assert (v4.body["version"], v4.body["parentId"]) == (4, root.body["id"])
    assert_family_invariants(tables, workspace)


@MOTO
def test_the_versions_route_ignores_if_match(tables: Tables, workspace: str) -> None:
    live = published(workspace)
    assert call(VERSIONS, live.body["id"], workspace, if_match='"whatever"').status == 201


# Archive


@MOTO
def test_archiving_what_is_published(tables: Tables, workspace: str) -> None:
    live = published(workspace)
    answer = call(ARCHIVE, live.body["id"], workspace, if_match=live.headers["etag"])
    assert answer.status == 200
    assert answer.body["status"] == "ARCHIVED"
    assert answer.body["publishedAt"] == live.body["publishedAt"]
    assert answer.body["updatedAt"] >= live.body["updatedAt"]
    assert answer.headers["etag"] != live.headers["etag"]
    before = tables.items_of(workspace)
    again = call(ARCHIVE, live.body["id"], workspace)
    assert (again.status, again.body, again.headers["etag"]) == (200, answer.body, answer.headers["etag"])
    assert tables.items_of(workspace) == before
    # And the family has no PUBLISHED version: publishing its next draft archives nothing
    nxt = call(VERSIONS, live.body["id"], workspace)
    assert call(PUBLISH, nxt.body["id"], workspace).status == 200
    assert get(live.body["id"], workspace).body == answer.body


@MOTO
def test_archiving_a_draft_is_409_and_a_stale_etag_412(tables: Tables, workspace: str) -> None:
    made = draft(workspace)
    refused = call(ARCHIVE, made.body["id"], workspace)
    assert (refused.status, refused.error_code) == (409, "automation_not_published")
    live = published(workspace)
    stale = call(ARCHIVE, live.body["id"], workspace, if_match='"x"')
    assert (stale.status, stale.error_code) == (412, "precondition_failed")


# Delete


@pytest.mark.parametrize("scope", [WRITE, READ, f"{READ} {WRITE}"])
def test_only_the_delete_scope_deletes(tables: Tables, workspace: str, scope: str) -> None:
    made = draft(workspace)
    answer = call(DELETION, made.body["id"], workspace, scope=scope)
    assert (answer.status, answer.error_code) == (403, "insufficient_scope")
    assert 'scope="delete:automations"' in answer.headers["www-authenticate"]
    assert get(made.body["id"], workspace).status == 200


def test_a_first_draft_is_deleted_kept_marked_and_answered_404_everywhere(
    tables: Tables, workspace: str
) -> None:
    # On dynalite too: a lone first draft's delete is one conditional write
    made = draft(workspace)
    answer = call(DELETION, made.body["id"], workspace, scope=DELETE, if_match=made.headers["etag"])
    assert answer.status == 204
    assert answer.raw.get("body") in (None, "")
    automation_id = made.body["id"]
    assert get(automation_id, workspace).status == 404
    assert patch(automation_id, {"name": "x"}, workspace, if_match="*").status == 404
    assert call(DELETION, automation_id, workspace, scope=DELETE).status == 404
    assert list_automations(workspace).body["data"] == []
    # The item is kept, marked, and purged by the TTL 30 days later
    (item,) = tables.items_of(workspace)
    assert from_item(item) == made.body
    assert "deletedAt" in item
    assert abs(int(item[EXPIRES]["N"]) - (time.time() + 30 * 24 * 3600)) < 120


@MOTO
def test_deleting_an_archived_version_and_a_draft_of_a_family(tables: Tables, workspace: str) -> None:
    root = published(workspace)
    v2 = call(VERSIONS, root.body["id"], workspace)
    assert call(PUBLISH, v2.body["id"], workspace).status == 200  # root archived
    v3 = call(VERSIONS, v2.body["id"], workspace)
    for gone in (root.body["id"], v3.body["id"]):
        assert call(DELETION, gone, workspace, scope=DELETE).status == 204
        assert get(gone, workspace).status == 404
    # Later versions keep their parentId; the family may have a new draft again
    assert get(v2.body["id"], workspace).body["parentId"] == root.body["id"]
    v4 = call(VERSIONS, v2.body["id"], workspace)
    assert (v4.status, v4.body["version"]) == (201, 4)
    assert [a["id"] for a in list_automations(workspace).body["data"]] == [v4.body["id"], v2.body["id"]]


@MOTO
def test_a_published_version_is_409_until_archived(tables: Tables, workspace: str) -> None:
    live = published(workspace)
    refused = call(DELETION, live.body["id"], workspace, scope=DELETE)
    assert (refused.status, refused.error_code) == (409, "automation_published")
    assert call(ARCHIVE, live.body["id"], workspace).status == 200
    assert call(DELETION, live.body["id"], workspace, scope=DELETE, if_match='"x"').status == 412
    assert call(DELETION, live.body["id"], workspace, scope=DELETE).status == 204


def test_a_create_replayed_under_the_key_of_a_deleted_automation_is_404(
    tables: Tables, workspace: str
) -> None:
    body = {"name": "Once"}
    made = post(body, workspace, headers={"Idempotency-Key": "deleted-later"})
    assert call(DELETION, made.body["id"], workspace, scope=DELETE).status == 204
    replay = post(body, workspace, headers={"Idempotency-Key": "deleted-later"})
    assert (replay.status, replay.error_code) == (404, "automation_not_found")


# Room to change state


@MOTO
def test_the_largest_automation_the_create_accepts_goes_through_every_change(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given moto refusing items where DynamoDB does (409,600 bytes by DynamoDB's rule),
    from moto.dynamodb.models.dynamo_type import LimitedSizeDict

    from automations_local.embedded import use_dynamodb_item_limit

    monkeypatch.setattr(LimitedSizeDict, "__setitem__", LimitedSizeDict.__setitem__)
    use_dynamodb_item_limit()
    # and a publishable automation whose item is the largest the create accepts
    draft(workspace)
    size = item_size(tables.items_of(workspace)[0])
    padded = {**FLOW, "description": None, "trigger": {"type": "contact.subscribed", "config": {"p": ""}}}
    probe = post(padded, workspace)
    grow = ACCEPTED_LIMIT - item_size(
        next(i for i in tables.items_of(workspace) if i["id"]["S"] == probe.body["id"])
    )
    padded["trigger"]["config"]["p"] = "x" * grow
    largest = post(padded, workspace)
    assert largest.status == 201, largest.body
    assert post({**padded, "name": padded["name"] + "!"}, workspace).status == 413  # one byte more
    assert size < ACCEPTED_LIMIT
    automation_id = largest.body["id"]

    def sizes() -> list[int]:
        return [item_size(i) for i in tables.items_of(workspace)]

    assert max(sizes()) == ACCEPTED_LIMIT
    # When it goes through every change: an edit that changes nothing, publish, the next
    # version, publishing that (archiving the first), archive, delete
    steps = [
        patch(automation_id, {"name": padded["name"]}, workspace, if_match="*"),
        call(PUBLISH, automation_id, workspace),
    ]
    second = call(VERSIONS, automation_id, workspace)
    # (the next version holds a parentId where the first held null: an edit of it is
    # judged as a create body, so a rename of the same length is accepted)
    renamed = patch(second.body["id"], {"name": padded["name"][::-1]}, workspace, if_match="*")
    steps += [
        second,
        renamed,
        call(PUBLISH, second.body["id"], workspace),
        call(ARCHIVE, second.body["id"], workspace),
        call(DELETION, automation_id, workspace, scope=DELETE),
        call(DELETION, second.body["id"], workspace, scope=DELETE),
    ]
    # Then none answers 5xx or 413, and no item ever outgrew DynamoDB's limit
    assert [s.status for s in steps] == [200, 200, 201, 200, 200, 200, 204, 204]
    assert max(sizes()) <= ITEM_LIMIT
    assert_family_invariants(tables, workspace)


def test_the_room_kept_covers_what_every_change_adds() -> None:
    # By our own accounting: the largest draft, grown by every attribute a change adds
    from automations.item import ROOM, to_item

    automation = {
        "object": "automation",
        "id": "aut_01KB2X7Q9M4T6V8W0Y2Z4A6C8E",
        "name": "n",
        "description": None,
        "status": "DRAFT",
        "version": 1,
        "parentId": None,
        "trigger": {},
        "nodes": [],
        "edges": [],
        "stats": None,
        "publishedAt": None,
        "createdAt": "2026-11-26T14:15:21.733Z",
        "updatedAt": "2026-11-26T14:15:21.733Z",
    }
    as_created = item_size(to_item("ws", automation))
    worst = {
        **automation,
        "status": "PUBLISHED",
        "publishedAt": automation["createdAt"],
        "parentId": automation["id"],
        "version": 10**18,
    }
    grown = to_item("ws", worst, revision=10**18)
    grown["deletedAt"] = {"S": automation["createdAt"]}
    grown[EXPIRES] = {"N": str(2**40)}
    assert item_size(grown) - as_created <= ROOM


def test_family_records_are_never_an_automation() -> None:
    from automations.ids import PATTERN

    assert not re.fullmatch(PATTERN, family_module.RECORD + "aut_01KB2X7Q9M4T6V8W0Y2Z4A6C8E")


@MOTO
def test_a_published_version_stored_without_its_familys_record_is_still_archived_by_the_next(
    tables: Tables, workspace: str
) -> None:
    # Given a PUBLISHED first version whose family has no record (as events/ give it)
    from automations.item import to_item

    made = draft(workspace)
    live = {**made.body, "status": "PUBLISHED", "publishedAt": made.body["createdAt"]}
    tables.client.put_item(TableName=tables.automations, Item=to_item(workspace, live))
    # When its next version is made and published
    nxt = call(VERSIONS, made.body["id"], workspace)
    assert call(PUBLISH, nxt.body["id"], workspace).status == 200
    # Then the first is ARCHIVED: one PUBLISHED in the family
    assert get(made.body["id"], workspace).body["status"] == "ARCHIVED"
    assert_family_invariants(tables, workspace)


@MOTO
def test_a_change_that_finds_nothing_to_do_is_not_counted(tables: Tables, workspace: str, logs: Any) -> None:
    live = published(workspace)
    call(PUBLISH, live.body["id"], workspace)  # already published: nothing changes
    call(ARCHIVE, live.body["id"], workspace)
    call(ARCHIVE, live.body["id"], workspace)  # already archived
    lines = [json.loads(line) for line in logs.getvalue().splitlines() if line.startswith("{")]
    counted = [line.get("change") for line in lines if line.get("message") == "automation changed"]
    assert counted == ["AutomationPublished", "AutomationArchived"]
