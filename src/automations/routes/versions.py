"""``POST /v1/automations/{automationId}/versions``: the family's next DRAFT, copied
from a PUBLISHED or ARCHIVED version. The entry point of its function:
``automations.routes.versions.lambda_handler``; the change is ``family.new_version``
(an ``If-Match`` is ignored here, as an ``Idempotency-Key`` is: a retry finds the
409 and its ``Location``)."""

from __future__ import annotations

from automations import cold_start

with cold_start.imports():
    from automations.changes import state_change
    from automations.family import new_version
    from automations.item import Stored
    from automations.routes import VERSIONS
    from automations.store import AutomationStore, make_at_init

    make_at_init()  # the DynamoDB client, in Lambda's init phase (store.py says why)


def next_version(workspace_id: str, automation_id: str, _: str | None, store: AutomationStore) -> Stored:
    return new_version(workspace_id, automation_id, store)


endpoint = state_change(VERSIONS, next_version, "AutomationVersionCreated", location=True)
lambda_handler = endpoint.handler()

# SnapStart (snapstart.py): before the snapshot, a request naming text that is no id,
# answered 404 without a read.
prime = endpoint.prime(automationId="not-an-id")
