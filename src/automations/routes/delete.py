"""``DELETE /v1/automations/{automationId}``: delete a DRAFT or ARCHIVED version. The entry point of its function:
``automations.routes.delete.lambda_handler``; the change is ``family.delete``."""

from __future__ import annotations

from automations import cold_start

with cold_start.imports():
    from automations.changes import state_change
    from automations.family import delete
    from automations.routes import DELETION
    from automations.store import make_at_init

    make_at_init()  # the DynamoDB client, in Lambda's init phase (store.py says why)

endpoint = state_change(DELETION, delete, "AutomationDeleted")
lambda_handler = endpoint.handler()

# SnapStart (snapstart.py): before the snapshot, a request naming text that is no id,
# answered 404 without a read.
prime = endpoint.prime(automationId="not-an-id")
