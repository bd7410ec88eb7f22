"""Edit and list, end to end: what a client does with a draft after creating it,
over HTTP, through the gateway's authorizer, the functions and the table."""

from __future__ import annotations

from urllib.parse import quote

from tests.e2e.api import Api, unique
from tests.e2e.test_automations import welcome_series


def test_a_draft_is_edited_with_its_etag_and_the_edit_reads_back(api: Api) -> None:
    # Given a draft and its ETag
    created = api.create(welcome_series(unique("to edit")))
    assert created.status == 201, created.body
    tag = created.headers["etag"]
    # When it is edited without If-Match, then with a stale one, then with its own
    location = created.headers["location"]
    missing = api.request("PATCH", location, token=api.token, body={"name": "x"})
    stale = api.request(
        "PATCH", location, token=api.token, body={"name": "x"}, headers={"if-match": '"stale"'}
    )
    edited = api.request(
        "PATCH",
        location,
        token=api.token,
        body={"description": "edited end to end"},
        headers={"if-match": tag},
    )
    # Then 428, 412, and the edit, which a GET reads back under the new ETag
    assert (missing.status, missing.error_code()) == (428, "precondition_required")
    assert (stale.status, stale.error_code()) == (412, "precondition_failed")
    assert edited.status == 200, edited.body
    assert edited.body["description"] == "edited end to end"
    assert edited.headers["etag"] != tag
    read = api.request("GET", location, token=api.read_token)
    assert read.body == edited.body and read.headers["etag"] == edited.headers["etag"]
    # And a GET naming that ETag is 304
    cached = api.request(
        "GET", location, token=api.read_token, headers={"if-none-match": edited.headers["etag"]}
    )
    assert cached.status == 304


def test_the_list_pages_through_the_workspace_newest_first(api: Api) -> None:
    # Given three new drafts
    ids = [api.create(welcome_series(unique(f"listed {n}"))).body["id"] for n in range(3)]
    # When the first pages of one are read
    first = api.request("GET", "/v1/automations?limit=1", token=api.read_token)
    second = api.request(
        "GET", f"/v1/automations?limit=1&cursor={quote(first.body['nextCursor'])}", token=api.read_token
    )
    # Then they are the newest, one each, and the cursor goes on after the first
    assert first.status == second.status == 200, (first.body, second.body)
    assert [a["id"] for a in first.body["data"]] == [ids[2]]
    assert [a["id"] for a in second.body["data"]] == [ids[1]]
    bad = api.request("GET", "/v1/automations?limit=1000", token=api.read_token)
    assert (bad.status, bad.error_code()) == (400, "invalid_parameter")
