"""``PATCH /v1/automations/{automationId}``: edit a draft with a JSON merge patch.
The entry point of EditAutomationFunction: ``automations.routes.edit.lambda_handler``.
"""

from __future__ import annotations

from automations import cold_start

with cold_start.imports():
    from aws_lambda_powertools.event_handler import Response

    from automations.body import read_json_object
    from automations.edit import edit_automation
    from automations.endpoint import Endpoint, resolver_path
    from automations.json_text import dumps
    from automations.observability import logger
    from automations.responses import json_response
    from automations.routes import EDIT
    from automations.store import automation_store, make_at_init

    make_at_init()  # the DynamoDB client, in Lambda's init phase (store.py says why)

# A merge patch, sent as such or as plain JSON (contract, "Edit a draft"); any
# other media type, a JSON Patch's included, is 415.
MEDIA_TYPES = ("application/json", "application/merge-patch+json")

endpoint = Endpoint(EDIT)
app = endpoint.app


@app.route(resolver_path(EDIT), method=EDIT.method)
def edit(automationId: str) -> Response[str]:
    event = app.current_event
    caller = endpoint.caller()
    patch = read_json_object(
        event.body, bool(event.is_base64_encoded), event.headers.get("content-type"), only=MEDIA_TYPES
    )
    automation_id = endpoint.automation_id(automationId)
    edited = edit_automation(
        caller.workspace_id, automation_id, patch, event.headers.get("if-match"), automation_store()
    )
    logger.info("automation edited", extra={"automation_id": automation_id, "revision": edited.revision})
    return json_response(EDIT.success, dumps(edited.automation), endpoint.request_id(), {"ETag": edited.etag})


lambda_handler = endpoint.handler()

# SnapStart (snapstart.py): before the snapshot, a patch of text that is no id: the
# body read and parsed, then a 404 without a read.
prime = endpoint.prime('{"name": "SnapStart priming"}', automationId="not-an-id")
