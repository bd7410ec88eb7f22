"""``POST /v1/automations/validate``: check a draft against the create's rules and the
publish-time rules, storing nothing. The entry point of ValidateAutomationFunction:
``automations.routes.validate.lambda_handler``.

The body is read exactly as the create reads it (the same reader, the same hard
limits, the same 400, 413 and 415); ``errors`` are the create's own
``validationErrors`` (the same validator raises them); ``diagnostics`` are the
publish-time rules (``diagnostics.py``). No table, no AWS SDK: nothing of botocore
is loaded but its package ``__init__`` (Powertools imports it to register a
user-agent hook: no session, client or service model), which keeps this function's
cold start the smallest.
"""

from __future__ import annotations

from automations import cold_start, snapstart

with cold_start.imports():
    from aws_lambda_powertools.event_handler import Response

    from automations.body import read_json_object
    from automations.endpoint import Endpoint, resolver_path
    from automations.json_text import dumps
    from automations.observability import logger
    from automations.responses import json_response
    from automations.review import review
    from automations.routes import VALIDATE

endpoint = Endpoint(VALIDATE)
app = endpoint.app


@app.route(resolver_path(VALIDATE), method=VALIDATE.method)
def validate() -> Response[str]:
    event = app.current_event
    caller = endpoint.caller()
    payload = read_json_object(event.body, bool(event.is_base64_encoded), event.headers.get("content-type"))
    # An Idempotency-Key is ignored: nothing is stored, so a retry is always safe.
    answer = review(payload, caller.workspace_id).answer()
    logger.info(
        "automation validated",
        extra={k: answer[k] for k in ("valid", "publishable", "errorsTotal", "diagnosticsTotal")},
    )
    return json_response(VALIDATE.success, dumps(answer), endpoint.request_id())


lambda_handler = endpoint.handler()

# SnapStart (snapstart.py): before the snapshot, one whole validation of a draft.
prime = endpoint.prime(snapstart.DRAFT)
