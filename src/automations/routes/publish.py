"""``POST /v1/automations/{automationId}/publish``: make a DRAFT live, archiving the family's PUBLISHED version. The entry point of its function:
``automations.routes.publish.lambda_handler``; the change is ``family.publish``."""

from __future__ import annotations

from automations import cold_start

with cold_start.imports():
    from automations.changes import state_change
    from automations.family import publish
    from automations.review import review  # noqa: F401  # what family.publish judges with, at init
    from automations.routes import PUBLISH
    from automations.store import make_at_init

    make_at_init()  # the DynamoDB client, in Lambda's init phase (store.py says why)

endpoint = state_change(PUBLISH, publish, "AutomationPublished")
lambda_handler = endpoint.handler()

# SnapStart (snapstart.py): before the snapshot, a request naming text that is no id,
# answered 404 without a read.
prime = endpoint.prime(automationId="not-an-id")
