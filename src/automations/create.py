"""The Create Automation use case, as a plain function of the request body and the
caller's workspace. Nothing here knows about API Gateway or DynamoDB."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from automations.automation import new_draft, utc_now
from automations.errors import AutomationIdTaken
from automations.ids import PREFIX, ULID_LENGTH, new_automation_id
from automations.item import fitted
from automations.validation import parse_new_automation

if TYPE_CHECKING:
    from automations.store import AutomationStore

# An id collision needs two equal 80-bit random parts in one millisecond: a retry
# with a fresh id is the whole remedy, and a third collision means a broken entropy source.
ID_ATTEMPTS = 3


def refuse_if_too_large(draft: dict[str, Any], workspace_id: str) -> None:
    """Raise AutomationTooLarge, as ``create_automation`` would, when ``draft`` (a
    ``NewAutomation`` dumped) could not be stored as one item in ``workspace_id``:
    measured on the very item the create would write (an id and a timestamp always
    have the same length), storing nothing."""
    fitted(workspace_id, new_draft(draft, PREFIX + "0" * ULID_LENGTH, utc_now()))


def accepted_draft(payload: dict[str, Any], workspace_id: str) -> dict[str, Any]:
    """``payload`` as the draft the create would store (``NewAutomation`` dumped), or
    the create's own refusal: ValidationFailed (422) or AutomationTooLarge (413).
    Stores nothing: a keyed create decides this before its idempotency record is
    touched (idempotency.py says why)."""
    draft = parse_new_automation(payload).model_dump()
    refuse_if_too_large(draft, workspace_id)
    return draft


def store_draft(
    draft: dict[str, Any],
    workspace_id: str,
    store: AutomationStore,
    *,
    new_id: Callable[[], str] = new_automation_id,
    clock: Callable[[], str] = utc_now,
) -> dict[str, Any]:
    """Store ``draft`` (validated) as a new DRAFT in ``workspace_id`` under a fresh id
    and return the complete automation object, exactly as stored."""
    for attempt in range(1, ID_ATTEMPTS + 1):
        automation = new_draft(draft, new_id(), clock())
        try:
            store.put_new(workspace_id, automation)
        except AutomationIdTaken:
            if attempt == ID_ATTEMPTS:
                raise
            continue
        return automation
    raise AssertionError("unreachable")  # pragma: no cover


def create_automation(
    payload: dict[str, Any],
    workspace_id: str,
    store: AutomationStore,
    *,
    new_id: Callable[[], str] = new_automation_id,
    clock: Callable[[], str] = utc_now,
) -> dict[str, Any]:
    """Validate ``payload``, store it as a DRAFT in ``workspace_id`` and return the
    complete automation object, exactly as stored. (The store refuses an item too
    large before writing it, so the size is not measured twice here.)"""
    draft = parse_new_automation(payload).model_dump()
    return store_draft(draft, workspace_id, store, new_id=new_id, clock=clock)
