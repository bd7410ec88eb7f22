"""``POST /v1/automations/{automationId}/archive``: take a PUBLISHED version off line. The entry point of its function:
``automations.routes.archive.lambda_handler``; the change is ``family.archive``."""

from __future__ import annotations

from automations import cold_start

with cold_start.imports():
    from automations.changes import state_change
    from automations.family import archive
    from automations.routes import ARCHIVE
    from automations.store import make_at_init

    make_at_init()  # the DynamoDB client, in Lambda's init phase (store.py says why)

endpoint = state_change(ARCHIVE, archive, "AutomationArchived")
lambda_handler = endpoint.handler()

# SnapStart (snapstart.py): before the snapshot, a request naming text that is no id,
# answered 404 without a read.
prime = endpoint.prime(automationId="not-an-id")
