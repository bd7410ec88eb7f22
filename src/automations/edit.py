"""Edit a draft (``PATCH /v1/automations/{automationId}``), as a plain function of
the stored automation, the client's merge patch and its ``If-Match``. Nothing here
knows about API Gateway or DynamoDB.

The merged document (the stored editable fields with the patch applied, RFC 7396)
is judged by the create's own code (``create.accepted_draft``): the same 422
``validation_failed`` with the same ``validationErrors``, the same 413. The change
is one write on condition that the automation is still the one that was read and
judged; when another change landed in between, it is read and decided again (and
the client's ``If-Match``, which named the state it saw, then fails: 412).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from automations.automation import EDITABLE, utc_now
from automations.conditional import if_match
from automations.create import accepted_draft
from automations.errors import (
    AutomationNotFound,
    NotADraft,
    PreconditionFailed,
    PreconditionRequired,
    StaleWrite,
    StorageUnavailable,
)
from automations.item import to_wire

if TYPE_CHECKING:
    from automations.item import Stored
    from automations.store import AutomationStore

# A change decided on a stale read is decided again this many times at most; one
# that keeps losing races answers 503 (contract, "Versions of one automation").
ATTEMPTS = 3


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7396: ``patch`` applied to ``target``, which is not changed (the result
    shares the subtrees the patch does not touch). A loop over an explicit stack,
    not recursion: a patch's depth is the client's."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    pending = [(result, patch)]
    while pending:
        into, changes = pending.pop()
        for name, value in changes.items():
            if value is None:
                into.pop(name, None)
            elif isinstance(value, dict):
                current = into.get(name)
                child = dict(current) if isinstance(current, dict) else {}
                into[name] = child
                pending.append((child, value))
            else:
                into[name] = value
    return result


def merged_document(automation: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """The create body the edit amounts to: the stored editable fields, as stored,
    with ``patch`` applied. A key of the patch that is not editable stays in it,
    whatever its value (``null`` included), so the create's rules refuse it as an
    unknown field rather than the merge dropping it."""
    document = merge_patch({name: automation[name] for name in EDITABLE}, patch)
    document.update((name, value) for name, value in patch.items() if name not in EDITABLE)
    return dict(document)


def edit_automation(
    workspace_id: str,
    automation_id: str,
    patch: dict[str, Any],
    precondition: str | None,
    store: AutomationStore,
    *,
    clock: Callable[[], str] = utc_now,
) -> Stored:
    """The automation after the edit, as stored (unchanged, and not written, when
    the patch changes nothing), or the refusal: AutomationNotFound, then
    PreconditionRequired or PreconditionFailed, then NotADraft, then the create's
    ValidationFailed or AutomationTooLarge."""
    for _ in range(ATTEMPTS):
        seen = store.read(workspace_id, automation_id)
        if seen is None:
            raise AutomationNotFound()
        if precondition is None:
            raise PreconditionRequired()
        if not if_match(precondition, seen.etag):
            raise PreconditionFailed()
        if seen.automation["status"] != "DRAFT":
            raise NotADraft(
                f"automation {automation_id} is {seen.automation['status']}; only a DRAFT can be edited"
            )
        draft = accepted_draft(merged_document(seen.automation, patch), workspace_id)
        if all(to_wire(name, draft[name]) == to_wire(name, seen.automation[name]) for name in EDITABLE):
            return seen  # every field reads exactly as before: nothing to write
        try:
            return store.update(workspace_id, seen, {**seen.automation, **draft, "updatedAt": clock()})
        except StaleWrite:
            continue
    raise StorageUnavailable(f"automation {automation_id} kept changing while it was edited")
