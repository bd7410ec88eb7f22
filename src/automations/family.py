"""The versions of one automation, and the changes of state between them: publish,
the next version, archive and delete. Nothing here knows about API Gateway.

A family is the first version (the root: ``parentId`` null) and every version made
from it (``parentId`` = the root's id, ``version`` = the highest the family ever had
+ 1). Its invariants, kept here and nowhere else:

- at most one DRAFT and at most one PUBLISHED version, whatever requests race;
- version numbers unique and increasing, never reused, even after a delete.

They are kept by one record per family, in the automations table under the sort key
``family#<root id>`` (never an automation id: no route reads or lists it). It names
the family's DRAFT and PUBLISHED versions and the highest version number, and has a
revision of its own. A family that never went past its first draft has no record
yet: its one version is that draft, and publishing it writes the record.

Every change of state here is one transaction that writes the versions it changes
and the record, each on condition that its revision is the one read: two changes
decided on the same state cannot both land. One decided on a stale read fails its
condition and is read and decided again; a request loses only to another change of
the same family that landed, so after ``ATTEMPTS`` losses (that many changes in the
time it decided) it answers 503. An edit (``edit.py``) changes no state and writes
the draft alone, on its own revision, which is what a publish is conditioned on: what
is published is exactly what was judged.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from automations.automation import EDITABLE, utc_now
from automations.conditional import if_match
from automations.errors import (
    AutomationNotFound,
    DraftExists,
    NotADraft,
    NotPublishable,
    NotPublished,
    PreconditionFailed,
    Published,
    StaleWrite,
    StorageUnavailable,
)
from automations.ids import new_automation_id
from automations.item import DELETED, EXPIRES, REVISION, Stored

if TYPE_CHECKING:
    from automations.store import AutomationStore

T = TypeVar("T")
RECORD = "family#"
ATTEMPTS = 10
# A deleted automation is purged by the table's TTL this long after (contract, "Delete").
KEPT_DELETED_SECONDS = 30 * 24 * 60 * 60
DRAFT, PUBLISHED, ARCHIVED = "DRAFT", "PUBLISHED", "ARCHIVED"


@dataclass(frozen=True, slots=True)
class Family:
    root: str
    draft: str | None
    published: str | None
    highest: int
    revision: int  # 0: no record yet

    def record(self, **changes: Any) -> dict[str, dict[str, Any] | None]:
        """The record's attributes after ``changes`` (draft, published, highest), in
        wire form (None: removed), its revision raised."""
        now = {"draft": self.draft, "published": self.published, "highest": self.highest, **changes}
        wire: dict[str, dict[str, Any] | None] = {
            "draft": None if now["draft"] is None else {"S": now["draft"]},
            "published": None if now["published"] is None else {"S": now["published"]},
            "highest": {"N": str(now["highest"])},
        }
        wire[REVISION] = {"N": str(self.revision + 1)}
        return wire


def family_of(store: AutomationStore, workspace_id: str, automation: dict[str, Any]) -> Family:
    """The family of ``automation``, as its record says (read consistently)."""
    root = automation["parentId"] or automation["id"]
    item = store.read_record(workspace_id, RECORD + root)
    if item is None:  # no record: its one version is all the family there is
        status = automation["status"]
        return Family(
            root,
            draft=root if status == DRAFT else None,
            published=root if status == PUBLISHED else None,
            highest=automation["version"],
            revision=0,
        )
    return Family(
        root,
        draft=item["draft"]["S"] if "draft" in item else None,
        published=item["published"]["S"] if "published" in item else None,
        highest=int(item["highest"]["N"]),
        revision=int(item[REVISION]["N"]),
    )


def _record_update(
    store: AutomationStore, workspace_id: str, family: Family, **changes: Any
) -> dict[str, Any]:
    condition = None if family.revision == 0 else (REVISION, {"N": str(family.revision)})
    return store.conditional_update(
        workspace_id, RECORD + family.root, family.record(**changes), condition=condition
    )


def _read(store: AutomationStore, workspace_id: str, automation_id: str, precondition: str | None) -> Stored:
    """The automation (404 if none), and the request's If-Match honoured (412)."""
    seen = store.read(workspace_id, automation_id)
    if seen is None:
        raise AutomationNotFound()
    if precondition is not None and not if_match(precondition, seen.etag):
        raise PreconditionFailed()
    return seen


def _decided(change: Callable[[], T]) -> T:
    """``change`` (read, decide, write) until it is not decided on a stale read."""
    for _ in range(ATTEMPTS):
        try:
            return change()
        except StaleWrite:
            continue
    raise StorageUnavailable("the automation's family kept changing while this was decided")


def _problems(count: int) -> str:
    return f"{count} problem{'s stand' if count != 1 else ' stands'} between this automation and publishing"


def publish(
    workspace_id: str,
    automation_id: str,
    precondition: str | None,
    store: AutomationStore,
    *,
    clock: Callable[[], str] = utc_now,
) -> Stored:
    """Publish a DRAFT: judged by exactly what validate answers for its editable
    fields (NotPublishable, 422, with those diagnostics), then made PUBLISHED and the
    family's PUBLISHED version ARCHIVED, in one transaction. Already PUBLISHED: as it
    is. ARCHIVED: NotADraft (409)."""

    def change() -> Stored:
        seen = _read(store, workspace_id, automation_id, precondition)
        status = seen.automation["status"]
        if status == PUBLISHED:
            return seen
        if status != DRAFT:
            raise NotADraft(f"automation {automation_id} is {status}; only a DRAFT can be published")
        # Only a publish judges: the other changes of state load no pydantic (the
        # publish function imports it at init, routes/publish.py).
        from automations.review import review

        verdict = review({name: seen.automation[name] for name in EDITABLE}, workspace_id)
        if verdict.blocking:
            details = {"diagnostics": verdict.answer()["diagnostics"]}
            raise NotPublishable(_problems(verdict.blocking), details=details)
        family = family_of(store, workspace_id, seen.automation)
        now = clock()
        published = {**seen.automation, "status": PUBLISHED, "publishedAt": now, "updatedAt": now}
        updates = [store.change(workspace_id, seen, published)]
        if family.published is not None:
            previous = store.read(workspace_id, family.published)
            if previous is None:  # the record names it: it was changed since it was read
                raise StaleWrite(family.published)
            archived = {**previous.automation, "status": ARCHIVED, "updatedAt": now}
            updates.append(store.change(workspace_id, previous, archived))
        draft = None if family.draft == automation_id else family.draft
        updates.append(_record_update(store, workspace_id, family, draft=draft, published=automation_id))
        store.transact(updates)
        return Stored(published, seen.revision + 1, written=True)

    return _decided(change)


def new_version(
    workspace_id: str,
    automation_id: str,
    store: AutomationStore,
    *,
    clock: Callable[[], str] = utc_now,
    new_id: Callable[[], str] = new_automation_id,
) -> Stored:
    """The family's next DRAFT, copied from a PUBLISHED or ARCHIVED version, or
    DraftExists (409, with the draft's Location) when the family has one."""

    def change() -> Stored:
        seen = _read(store, workspace_id, automation_id, None)  # If-Match is ignored here
        family = family_of(store, workspace_id, seen.automation)
        if family.draft is not None:
            location = f"/v1/automations/{family.draft}"
            raise DraftExists(
                f"this automation already has a DRAFT version: {family.draft}", headers={"Location": location}
            )
        now = clock()
        draft = {
            "object": seen.automation["object"],
            "id": new_id(),
            **{name: seen.automation[name] for name in ("name", "description")},
            "status": DRAFT,
            "version": family.highest + 1,
            "parentId": family.root,
            **{name: seen.automation[name] for name in ("trigger", "nodes", "edges")},
            "stats": None,
            "publishedAt": None,
            "createdAt": now,
            "updatedAt": now,
        }
        # The version it copies is PUBLISHED or ARCHIVED (the DRAFT is the family's, and
        # refused above), so only a change of state (an archive, a delete) can change it,
        # and every one of those writes the record: the record's condition covers it.
        record = _record_update(store, workspace_id, family, draft=draft["id"], highest=family.highest + 1)
        store.transact([record], [store.put_action(workspace_id, draft)])
        return Stored(draft, 1, written=True)

    return _decided(change)


def archive(
    workspace_id: str,
    automation_id: str,
    precondition: str | None,
    store: AutomationStore,
    *,
    clock: Callable[[], str] = utc_now,
) -> Stored:
    """PUBLISHED → ARCHIVED (its family then has no PUBLISHED version). Already
    ARCHIVED: as it is. DRAFT: NotPublished (409)."""

    def change() -> Stored:
        seen = _read(store, workspace_id, automation_id, precondition)
        status = seen.automation["status"]
        if status == ARCHIVED:
            return seen
        if status != PUBLISHED:
            raise NotPublished(
                f"automation {automation_id} is {status}; only a PUBLISHED one can be archived"
            )
        family = family_of(store, workspace_id, seen.automation)
        archived = {**seen.automation, "status": ARCHIVED, "updatedAt": clock()}
        published = None if family.published == automation_id else family.published
        store.transact(
            [
                store.change(workspace_id, seen, archived),
                _record_update(store, workspace_id, family, published=published),
            ]
        )
        return Stored(archived, seen.revision + 1, written=True)

    return _decided(change)


def delete(
    workspace_id: str,
    automation_id: str,
    precondition: str | None,
    store: AutomationStore,
    *,
    clock: Callable[[], str] = utc_now,
    epoch: Callable[[], float] = time.time,
) -> None:
    """Mark a DRAFT or ARCHIVED version deleted, for the table's TTL to purge 30 days
    later; from then on no route answers it. PUBLISHED: Published (409). Its version
    number stays taken: the family's record keeps the highest."""

    def change() -> None:
        seen = _read(store, workspace_id, automation_id, precondition)
        if seen.automation["status"] == PUBLISHED:
            raise Published(f"automation {automation_id} is PUBLISHED; archive it before deleting it")
        marks = {DELETED: {"S": clock()}, EXPIRES: {"N": str(int(epoch()) + KEPT_DELETED_SECONDS)}}
        deletion = store.change(workspace_id, seen, seen.automation, marks)
        family = family_of(store, workspace_id, seen.automation)
        if family.revision == 0:  # a first draft alone: nothing else of its family exists
            store.transact([deletion])  # one conditional write
            return
        draft = None if family.draft == automation_id else family.draft
        store.transact([deletion, _record_update(store, workspace_id, family, draft=draft)])

    _decided(change)
