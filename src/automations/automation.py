"""The automation object the API answers (the seed's 201 body), as plain data.

``FIELDS`` is its shape, in the seed's order; ``models.Automation`` describes the
same object for the OpenAPI document, and a test holds the two equal. Plain
dictionaries here, not pydantic, so the GET function answers a stored automation
without loading pydantic at all.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

OBJECT = "automation"
FIELDS = (
    "object", "id", "name", "description", "status", "version", "parentId", "trigger",
    "nodes", "edges", "stats", "publishedAt", "createdAt", "updatedAt",
)  # fmt: skip


# What an edit may change; the rest is the automation's identity and state.
EDITABLE = ("name", "description", "trigger", "nodes", "edges")


def utc_now() -> str:
    """RFC 3339, UTC, milliseconds: ``2026-11-26T14:08:21.123Z``."""
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def new_draft(draft: dict[str, Any], automation_id: str, now: str) -> dict[str, Any]:
    """A new DRAFT automation from a validated request body (``NewAutomation``
    dumped), created at ``now``."""
    return in_order(
        {
            **{name: draft[name] for name in EDITABLE},
            "object": OBJECT,
            "id": automation_id,
            "status": "DRAFT",
            "version": 1,
            "parentId": None,
            "stats": None,
            "publishedAt": None,
            "createdAt": now,
            "updatedAt": now,
        }
    )


def in_order(automation: dict[str, Any]) -> dict[str, Any]:
    """The object with its fields in the seed's order (a stored item's attributes
    come back in any order)."""
    return {name: automation[name] for name in FIELDS}
