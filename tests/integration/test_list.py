"""GET /v1/automations through its own function, on moto and dynalite: newest first,
pages bound to the workspace and the filter, every automation exactly once,
read-your-writes, no page over 5 MiB and a bounded number of reads per page."""

from __future__ import annotations

import base64
import json
from typing import Any
from urllib.parse import quote

import pytest

from automations import listing
from automations import store as store_module
from tests.helpers import READ, WRITE, Answer, Tables, list_automations, post


def created(workspace: str, count: int, **body: Any) -> list[str]:
    """The ids of ``count`` new automations, in creation order."""
    ids = []
    for n in range(count):
        answer = post({"name": f"automation {n}", **body}, workspace)
        assert answer.status == 201, answer.body
        ids.append(answer.body["id"])
    return ids


def every_page(workspace: str, query: str = "") -> list[Answer]:
    pages = [list_automations(workspace, query)]
    while pages[-1].body["hasMore"]:
        assert pages[-1].status == 200, pages[-1].body
        cursor = pages[-1].body["nextCursor"]
        pages.append(list_automations(workspace, "&".join(filter(None, [query, f"cursor={quote(cursor)}"]))))
        assert len(pages) < 1000
    assert pages[-1].status == 200 and pages[-1].body["nextCursor"] is None
    return pages


def ids_of(pages: list[Answer]) -> list[str]:
    return [automation["id"] for page in pages for automation in page.body["data"]]


def test_newest_first_twenty_by_default(tables: Tables, workspace: str) -> None:
    ids = created(workspace, 23)
    answer = list_automations(workspace)
    assert answer.status == 200
    assert answer.body["object"] == "automation_list"
    assert [a["id"] for a in answer.body["data"]] == ids[::-1][:20]
    assert answer.body["hasMore"] is True and isinstance(answer.body["nextCursor"], str)


def test_each_automation_is_answered_exactly_as_get_answers_it(tables: Tables, workspace: str) -> None:
    first = post(
        {"name": "as stored", "description": "d", "nodes": [{"id": "a", "type": "event"}]}, workspace
    )
    (listed,) = list_automations(workspace).body["data"]
    assert json.dumps(listed) == json.dumps(first.body)  # the same keys, order and values


def test_following_cursors_yields_every_automation_once_in_order(tables: Tables, workspace: str) -> None:
    ids = created(workspace, 25)
    pages = every_page(workspace, "limit=7")
    assert ids_of(pages) == ids[::-1]
    assert [len(p.body["data"]) for p in pages] == [7, 7, 7, 4]


def test_automations_created_while_paging_do_not_disturb_the_walk(tables: Tables, workspace: str) -> None:
    # Given 12 automations and a first page of 5
    ids = created(workspace, 12)
    first = list_automations(workspace, "limit=5")
    seen = [a["id"] for a in first.body["data"]]
    cursor = first.body["nextCursor"]
    # When more are created (and one of the listed ones edited) between pages
    created(workspace, 4)
    while cursor is not None:
        page = list_automations(workspace, f"limit=5&cursor={quote(cursor)}")
        seen += [a["id"] for a in page.body["data"]]
        cursor = page.body["nextCursor"]
        created(workspace, 1)
    # Then every automation that existed at the first page came exactly once
    assert seen == ids[::-1]


def test_read_your_writes(tables: Tables, workspace: str) -> None:
    for n in range(5):
        made = post({"name": f"fresh {n}"}, workspace)
        assert list_automations(workspace, "limit=1").body["data"][0]["id"] == made.body["id"]


def test_a_page_reads_consistently_and_only_the_callers_partition(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # moto and dynalite read consistently whatever is asked: what is asked is checked
    created(workspace, 2)
    asked: list[dict[str, Any]] = []
    real = store_module.AutomationStore.query

    def spy(self: Any, *args: Any, **kwargs: Any) -> Any:
        original = self.client.query

        def query(**parameters: Any) -> Any:
            asked.append(parameters)
            return original(**parameters)

        monkeypatch.setattr(self.client, "query", query)
        try:
            return real(self, *args, **kwargs)
        finally:
            monkeypatch.setattr(self.client, "query", original)

    monkeypatch.setattr(store_module.AutomationStore, "query", spy)
    list_automations(workspace)
    (parameters,) = asked
    assert parameters["ConsistentRead"] is True
    assert parameters["ExpressionAttributeValues"][":w"] == {"S": workspace}
    assert parameters["ScanIndexForward"] is False


@pytest.mark.parametrize("scope", [READ, WRITE])
def test_only_the_callers_workspace_is_listed(tables: Tables, workspace: str, scope: str) -> None:
    mine = created(workspace, 2)
    created(f"{workspace}-other", 3)
    answer = list_automations(workspace, scope=scope)
    assert [a["id"] for a in answer.body["data"]] == mine[::-1]


def set_status(tables: Tables, workspace: str, automation_id: str, status: str) -> None:
    """An automation in another status, as a publish or an archive leaves it."""
    tables.client.update_item(
        TableName=tables.automations,
        Key={"workspaceId": {"S": workspace}, "id": {"S": automation_id}},
        UpdateExpression="SET #s = :p",
        ExpressionAttributeNames={"#s": "status"},
        ExpressionAttributeValues={":p": {"S": status}},
    )


def test_the_status_filter(tables: Tables, workspace: str) -> None:
    ids = created(workspace, 3)
    set_status(tables, workspace, ids[1], "PUBLISHED")
    assert ids_of(every_page(workspace, "status=PUBLISHED")) == [ids[1]]
    assert ids_of(every_page(workspace, "status=DRAFT")) == [ids[2], ids[0]]
    assert ids_of(every_page(workspace, "status=ARCHIVED,PUBLISHED,DRAFT")) == ids[::-1]
    assert ids_of(every_page(workspace, "status=ARCHIVED")) == []


def test_a_filtered_page_holds_at_most_limit_automations(tables: Tables, workspace: str) -> None:
    # Given a few newest that do not match, then a run of many that do
    ids = created(workspace, 13)
    for automation_id in ids[:11]:
        set_status(tables, workspace, automation_id, "PUBLISHED")
    # When they are listed 3 to a page: the first read finds 1, the next ones more
    pages = every_page(workspace, "status=PUBLISHED&limit=3")
    # Then no page holds more than 3, and each comes once
    assert all(len(page.body["data"]) <= 3 for page in pages)
    assert ids_of(pages) == ids[:11][::-1]


def test_a_filtered_page_costs_a_bounded_number_of_reads(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given many automations, none of which match the filter
    created(workspace, 30)
    calls: list[int] = []
    real = store_module.AutomationStore.query

    def counted(self: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(kwargs["limit"])
        return real(self, *args, **kwargs)

    monkeypatch.setattr(store_module.AutomationStore, "query", counted)
    # When a page of 2 PUBLISHED ones is asked for
    first = list_automations(workspace, "status=PUBLISHED&limit=2")
    # Then it reads at most QUERIES_PER_PAGE times, each at most limit items, and says there is more
    assert first.body["data"] == [] and first.body["hasMore"] is True
    assert len(calls) == listing.QUERIES_PER_PAGE and max(calls) <= 2
    # And following the cursors ends, having found nothing
    assert ids_of(every_page(workspace, "status=PUBLISHED&limit=2")) == []


def test_no_page_holds_more_than_5_mib(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given automations of about 100 KB each, and a page cap of 300 KB (the rule is the same at 5 MiB)
    monkeypatch.setattr(listing, "PAGE_BYTES", 300_000)
    ids = created(
        workspace, 7, description=None, trigger={"type": "event.fired", "config": {"pad": "x" * 100_000}}
    )
    # When they are listed 100 to a page
    pages = every_page(workspace, "limit=100")
    # Then no page is over the cap, and every automation comes once
    assert all(len(json.dumps(p.body).encode()) <= 300_000 for p in pages)  # the whole page
    assert [len(p.body["data"]) for p in pages][:2] == [2, 2]
    assert ids_of(pages) == ids[::-1]


def test_the_page_cap_is_five_mib() -> None:
    assert listing.PAGE_BYTES == 5 * 1024 * 1024


@pytest.mark.parametrize(
    ("query", "named"),
    [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("limit=ten", "limit"),
        ("limit=", "limit"),
        ("limit=%2B5", "limit"),
        ("limit=5.0", "limit"),
        ("status=LIVE", "status"),
        ("status=draft", "status"),
        ("status=", "status"),
        ("status=DRAFT,", "status"),
        ("sort=name", "sort"),
        ("workspaceId=ws_other", "workspaceId"),
    ],
)
def test_a_parameter_it_refuses_is_400_naming_it(
    tables: Tables, workspace: str, query: str, named: str
) -> None:
    answer = list_automations(workspace, query)
    assert answer.status == 400
    assert answer.error_code == "invalid_parameter"
    assert f"'{named}'" in answer.body["error"]["message"]


def test_a_repeated_status_means_the_same_as_commas(tables: Tables, workspace: str) -> None:
    created(workspace, 2)
    assert (
        list_automations(workspace, "status=DRAFT&status=ARCHIVED").body
        == list_automations(workspace, "status=ARCHIVED,DRAFT").body
    )


def cursor_of(workspace: str, query: str = "limit=1") -> str:
    created(workspace, 2)
    cursor: str = list_automations(workspace, query).body["nextCursor"]
    return cursor


def test_a_cursor_of_another_workspace_is_refused(tables: Tables, workspace: str) -> None:
    cursor = cursor_of(workspace)
    answer = list_automations(f"{workspace}-other", f"cursor={quote(cursor)}")
    assert (answer.status, answer.error_code) == (400, "invalid_cursor")


def test_a_cursor_of_another_filter_is_refused_and_the_same_set_is_not(
    tables: Tables, workspace: str
) -> None:
    cursor = cursor_of(workspace, "limit=1&status=DRAFT,ARCHIVED")
    other = list_automations(workspace, f"cursor={quote(cursor)}&status=DRAFT")
    assert (other.status, other.error_code) == (400, "invalid_cursor")
    same = list_automations(workspace, f"cursor={quote(cursor)}&status=ARCHIVED,DRAFT")
    assert same.status == 200


def forged(data: Any) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "x" * 1025,
        "éé",
        forged([1, 2]),
        forged({"a": "aut_x", "s": "ARCHIVED,DRAFT,PUBLISHED", "w": "0"}),
        forged({"a": 5}),
        "[" * 1000,
        forged("[" * 500),
    ],
    ids=[
        "text",
        "too-long",
        "non-ascii",
        "a-list",
        "bad-id-and-workspace",
        "missing-keys",
        "brackets",
        "nested",
    ],
)
def test_a_malformed_cursor_is_400(tables: Tables, workspace: str, cursor: str) -> None:
    answer = list_automations(workspace, f"cursor={quote(cursor)}")
    assert (answer.status, answer.error_code) == (400, "invalid_cursor")


def test_a_cursor_with_the_callers_workspace_forged_in_reads_only_the_callers_partition(
    tables: Tables, workspace: str
) -> None:
    # The cursor is checked, not trusted: the partition is the token's workspace
    created(f"{workspace}-victim", 3)
    mine = created(workspace, 1)
    cursor = listing.cursor_for(workspace, frozenset(listing.STATUSES), "aut_7ZZZZZZZZZZZZZZZZZZZZZZZZZ")
    assert ids_of([list_automations(workspace, f"cursor={quote(cursor)}")]) == mine
