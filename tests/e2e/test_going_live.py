"""A draft all the way, end to end: edited, published, replaced by its next version,
archived and deleted, over HTTP, through the gateway's authorizer, the functions and
the table."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from tests.e2e.api import Api, Reply, unique
from tests.e2e.test_automations import welcome_series


def archived_ids_down_to(api: Api, oldest: str) -> list[str]:
    """The ids of the workspace's ARCHIVED automations, newest first, down to ``oldest``
    (ids are ULIDs: the list reads them in descending order, so no later page holds it)."""
    ids: list[str] = []
    cursor = ""
    while True:
        page = api.request("GET", f"/v1/automations?status=ARCHIVED&limit=100{cursor}", token=api.read_token)
        assert page.status == 200, page.body
        ids += [a["id"] for a in page.body["data"]]
        if not page.body["hasMore"] or (ids and ids[-1] < oldest):
            return ids
        cursor = f"&cursor={quote(page.body['nextCursor'])}"


def ok(reply: Reply, status: int = 200) -> Any:
    assert reply.status == status, (reply.status, reply.body)
    return reply.body


def test_a_draft_goes_live_is_replaced_by_its_next_version_and_is_deleted(
    api: Api, delete_token: str
) -> None:
    # Given a draft, edited with the ETag its create answered
    created = api.create(welcome_series(unique("all the way")))
    v1 = ok(created, 201)["id"]
    edited = api.request(
        "PATCH",
        created.headers["location"],
        token=api.token,
        body={"description": "goes live end to end"},
        headers={"if-match": created.headers["etag"]},
    )
    ok(edited)

    # When it is published with the edit's ETag
    published = ok(
        api.request(
            "POST",
            f"/v1/automations/{v1}/publish",
            token=api.token,
            headers={"if-match": edited.headers["etag"]},
        )
    )
    # Then it is version 1, live, as edited
    assert (published["status"], published["version"], published["description"]) == (
        "PUBLISHED",
        1,
        "goes live end to end",
    )

    # When its next version is started, then started again
    started = api.request("POST", f"/v1/automations/{v1}/versions", token=api.token)
    again = api.request("POST", f"/v1/automations/{v1}/versions", token=api.token)
    # Then the first is version 2, a DRAFT at its Location; the second is refused, naming it
    v2 = ok(started, 201)
    assert (v2["status"], v2["version"], v2["parentId"]) == ("DRAFT", 2, v1)
    assert started.headers["location"] == f"/v1/automations/{v2['id']}"
    assert (again.status, again.error_code()) == (409, "draft_exists")
    assert again.headers["location"] == started.headers["location"]

    # When version 2 is published
    assert (
        ok(api.request("POST", f"/v1/automations/{v2['id']}/publish", token=api.token))["status"]
        == "PUBLISHED"
    )
    # Then version 1 is archived
    assert ok(api.request("GET", f"/v1/automations/{v1}", token=api.read_token))["status"] == "ARCHIVED"

    # When version 2 is archived in turn
    archived = ok(api.request("POST", f"/v1/automations/{v2['id']}/archive", token=api.token))
    # Then both are ARCHIVED
    assert (archived["id"], archived["status"]) == (v2["id"], "ARCHIVED")

    # When version 1 is deleted: with TOKEN (write:automations alone), then with delete:automations
    refused = api.request("DELETE", f"/v1/automations/{v1}", token=api.token)
    deleted = api.request("DELETE", f"/v1/automations/{v1}", token=delete_token)
    # Then the first is a 403, the second a 204; no route finds it from then on, and the
    # list of archived automations holds version 2 but not version 1
    assert refused.status == 403
    assert (deleted.status, deleted.body) == (204, "")
    gone = api.request("GET", f"/v1/automations/{v1}", token=api.read_token)
    assert (gone.status, gone.error_code()) == (404, "automation_not_found")
    listed = archived_ids_down_to(api, v1)
    assert v2["id"] in listed and v1 not in listed
