"""An automation as one DynamoDB item: its wire form and its size, with no SDK.

The item is keyed by ``workspaceId`` (partition) and ``id`` (sort) and holds every
field of the API object, plus ``revision``: a number that every write of the item
raises by one, which each change is conditioned on and the ETag names
(``conditional.py``). ``trigger``, ``nodes`` and ``edges`` — the client's own JSON —
are stored as JSON text (type S), not as DynamoDB maps: the text round-trips floats,
big integers, empty strings and any Unicode exactly (no Decimal conversion), has no
32-level nesting limit and is cheaper to build than boto3's ``TypeSerializer``
output (docs/decisions.md, "Storage"). Apart from the store, the validate route measures
items here, so a body the create would refuse as too large is refused alike
without loading the SDK.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from automations.automation import in_order
from automations.conditional import etag
from automations.errors import AutomationTooLarge
from automations.json_text import dumps

# DynamoDB's limit for one item: attribute names plus values, in UTF-8 bytes.
ITEM_LIMIT = 400 * 1024
# Upper bound of a number's size as DynamoDB counts it (38 digits / 2 + 1, rounded up).
_NUMBER_SIZE = 21
_JSON_FIELDS = frozenset({"trigger", "nodes", "edges"})
REVISION = "revision"
FIRST_REVISION = 1
# A deleted automation is marked (when) and purged by the table's TTL (at EXPIRES,
# epoch seconds: template.yaml's TimeToLiveSpecification names it).
DELETED = "deletedAt"
EXPIRES = "expiresAt"
_NOT_THE_OBJECT = frozenset({"workspaceId", REVISION, DELETED, EXPIRES})
# Room an accepted automation keeps for what its later changes add to its item: a
# publishedAt where null was (+23 bytes), "PUBLISHED" for "DRAFT" (+4), the deletion
# marks (deletedAt and expiresAt, 62), the next version's parentId where null was
# (+29): 118 bytes, kept with room to spare. The create accepts items up to
# ACCEPTED_LIMIT, and an edit what the create would accept of the same fields (a
# later version's item, which holds a parentId, is that much larger); every write is
# measured against ITEM_LIMIT itself.
ROOM = 256
ACCEPTED_LIMIT = ITEM_LIMIT - ROOM


def to_wire(key: str, value: Any) -> dict[str, Any]:
    """One attribute of the API object in DynamoDB's wire form."""
    if key in _JSON_FIELDS:
        return {"S": dumps(value)}
    if value is None:
        return {"NULL": True}
    if isinstance(value, bool):
        return {"BOOL": value}
    if isinstance(value, int):
        return {"N": str(value)}
    return {"S": value}


def to_item(
    workspace_id: str, automation: dict[str, Any], revision: int = FIRST_REVISION
) -> dict[str, dict[str, Any]]:
    """The DynamoDB wire form of an automation at ``revision``."""
    item: dict[str, dict[str, Any]] = {"workspaceId": {"S": workspace_id}}
    item.update((key, to_wire(key, value)) for key, value in automation.items())
    item[REVISION] = {"N": str(revision)}
    return item


def revision_of(item: dict[str, dict[str, Any]]) -> int:
    return int(item[REVISION]["N"])


def from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The API object back from its wire form, in the seed's field order (a stored
    item's attributes come back in any order)."""
    automation: dict[str, Any] = {}
    for key, wire in item.items():
        if key in _NOT_THE_OBJECT:
            continue
        if "S" in wire:
            automation[key] = json.loads(wire["S"]) if key in _JSON_FIELDS else wire["S"]
        elif "N" in wire:
            automation[key] = int(wire["N"])
        elif "BOOL" in wire:
            automation[key] = wire["BOOL"]
        else:
            automation[key] = None
    return in_order(automation)


def item_size(item: dict[str, dict[str, Any]]) -> int:
    """The item's size as DynamoDB measures it (an upper bound for numbers)."""
    size = 0
    for key, wire in item.items():
        size += len(key.encode())
        if "S" in wire:
            size += len(wire["S"].encode())
        elif "N" in wire:
            size += _NUMBER_SIZE
        else:
            size += 1
    return size


def fitted(
    workspace_id: str,
    automation: dict[str, Any],
    revision: int = FIRST_REVISION,
    *,
    limit: int = ACCEPTED_LIMIT,
) -> dict[str, dict[str, Any]]:
    """The item of ``automation``, or AutomationTooLarge if it is over ``limit``: by
    default what the create and the edit accept, which keeps ``ROOM``."""
    item = to_item(workspace_id, automation, revision)
    size = item_size(item)
    if size > limit:
        raise AutomationTooLarge(size, limit)
    return item


@dataclass(frozen=True, slots=True)
class Stored:
    """An automation as read from its item: the API object (in the seed's order),
    the revision every change is conditioned on, and the ETag that names it;
    ``written``: this request wrote it (not so for a change that found nothing to do)."""

    automation: dict[str, Any]
    revision: int
    written: bool = field(default=False, compare=False)

    @property
    def etag(self) -> str:
        return etag(self.automation["id"], self.revision)


def stored(item: dict[str, dict[str, Any]]) -> Stored:
    return Stored(from_item(item), revision_of(item))
