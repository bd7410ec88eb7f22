"""List automations (``GET /v1/automations``), as a plain function of the query and
the caller's workspace. Nothing here knows about API Gateway or DynamoDB.

A page is newest first: the workspace's partition read backwards by id (ids are
ULIDs, so by creation order), consistently, so an automation whose 201 arrived
before the list request is in it. The cursor is the id the page ended after:
following cursors walks the partition once, so every automation that existed when
the first page was asked for (and still matches) comes exactly once, whatever is
created meanwhile (a newer id sorts before the walk's position) or edited (an edit
keeps its id).

A page costs a bounded number of reads whatever the workspace holds: at most
``QUERIES_PER_PAGE`` Query calls, each reading at most ``limit`` items and at most
1 MB (DynamoDB's own cap per call), so at most 4 MB of reads. That is why a page may
be short, even empty, while ``hasMore`` is true (many filtered out by ``status``, or
large items). It never holds more than ``PAGE_BYTES`` of JSON: an automation is at
most one 400 KB item, so a full page of the largest ones stops early.

The cursor is opaque to clients but not secret: base64url of the id to go on after,
the status filter it was issued for and a digest of the workspace. It is checked,
not trusted: a cursor of another workspace or another filter is refused (400
``invalid_cursor``), and even a forged one only ever reads the caller's own
partition, which the workspace from the token alone decides.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from automations.ids import PATTERN, PREFIX
from automations.item import from_item
from automations.json_text import dumps
from automations.responses import HttpError

if TYPE_CHECKING:
    from automations.store import AutomationStore

OBJECT = "automation_list"
STATUSES = ("DRAFT", "PUBLISHED", "ARCHIVED")
DEFAULT_LIMIT = 20
MAX_LIMIT = 100
MAX_CURSOR = 1024
QUERIES_PER_PAGE = 4
PAGE_BYTES = 5 * 1024 * 1024
# What a page holds besides its automations: its keys, hasMore, a cursor (at most MAX_CURSOR).
PAGE_FRAME = 2 * MAX_CURSOR
# Every automation id sorts between these; records of other kinds (a family's) never do.
LOWEST_ID, HIGHEST_ID = PREFIX, PREFIX + "~"

_LIMIT = re.compile(r"[0-9]{1,3}")
_AUTOMATION_ID = re.compile(PATTERN)


@dataclass(frozen=True, slots=True)
class Query:
    limit: int
    statuses: frozenset[str]  # never empty: no status parameter means all three
    after: str | None  # the id the previous page ended after


def _bad_parameter(name: str, why: str) -> HttpError:
    return HttpError("invalid_parameter", f"the query parameter {name!r} {why}")


def _workspace_digest(workspace_id: str) -> str:
    return hashlib.sha256(workspace_id.encode()).hexdigest()[:16]


def cursor_for(workspace_id: str, statuses: frozenset[str], after: str) -> str:
    """The ``nextCursor`` that goes on after ``after`` with this filter, in this workspace."""
    data = {"a": after, "s": ",".join(sorted(statuses)), "w": _workspace_digest(workspace_id)}
    return base64.urlsafe_b64encode(dumps(data).encode()).decode().rstrip("=")


def _after(cursor: str, workspace_id: str, statuses: frozenset[str]) -> str:
    """The id a cursor goes on after, or 400 ``invalid_cursor``."""
    refused = HttpError(
        "invalid_cursor", "the cursor is not one this list issued for this workspace and status"
    )
    if len(cursor) > MAX_CURSOR or not cursor.isascii():
        raise refused
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, RecursionError):
        raise refused from None
    if not isinstance(data, dict) or set(data) != {"a", "s", "w"}:
        raise refused
    after = data["a"]
    if data["w"] != _workspace_digest(workspace_id) or data["s"] != ",".join(sorted(statuses)):
        raise refused
    if not isinstance(after, str) or not _AUTOMATION_ID.fullmatch(after):
        raise refused
    return after


def read_query(parameters: Mapping[str, str] | None, workspace_id: str) -> Query:
    """The list's query from the request's parameters (API Gateway joins a repeated
    parameter's values with commas), or 400 naming the parameter it refuses."""
    parameters = parameters or {}
    for name in parameters:
        if name not in ("limit", "status", "cursor"):
            raise _bad_parameter(name[:64], "is not one this route takes (limit, status, cursor)")
    limit = DEFAULT_LIMIT
    if "limit" in parameters:
        text = parameters["limit"]
        if not _LIMIT.fullmatch(text) or not 1 <= int(text) <= MAX_LIMIT:
            raise _bad_parameter("limit", f"must be an integer from 1 to {MAX_LIMIT}")
        limit = int(text)
    statuses = frozenset(STATUSES)
    if "status" in parameters:
        named = parameters["status"].split(",")
        if not all(status in STATUSES for status in named):
            raise _bad_parameter("status", f"must be one or more of {', '.join(STATUSES)}, comma-separated")
        statuses = frozenset(named)
    after = None
    if "cursor" in parameters:
        after = _after(parameters["cursor"], workspace_id, statuses)
    return Query(limit, statuses, after)


def list_page(workspace_id: str, query: Query, store: AutomationStore) -> dict[str, Any]:
    """One page of the workspace's automations, as the contract's ``automation_list``."""
    statuses = frozenset() if query.statuses == frozenset(STATUSES) else query.statuses
    data: list[dict[str, Any]] = []
    size = 0
    after = query.after
    more = True
    for _ in range(QUERIES_PER_PAGE):
        items, last = store.query(
            workspace_id,
            after=after,
            limit=query.limit - len(data),
            statuses=statuses,
            low=LOWEST_ID,
            high=HIGHEST_ID,
        )
        for item in items:
            automation = from_item(item)
            grown = size + len(dumps(automation).encode()) + 1
            if grown > PAGE_BYTES - PAGE_FRAME:  # the page is full: the next one starts here
                return _page(data, workspace_id, query.statuses, after)
            data.append(automation)
            size, after = grown, automation["id"]
        after = last if last is not None else after
        more = last is not None
        if not more or len(data) == query.limit:
            break
    return _page(data, workspace_id, query.statuses, after if more else None)


def _page(
    data: list[dict[str, Any]], workspace_id: str, statuses: frozenset[str], after: str | None
) -> dict[str, Any]:
    cursor = None if after is None else cursor_for(workspace_id, statuses, after)
    return {"object": OBJECT, "data": data, "hasMore": cursor is not None, "nextCursor": cursor}
