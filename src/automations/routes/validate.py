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
    from typing import Any

    from aws_lambda_powertools.event_handler import Response

    from automations.body import read_json_object
    from automations.create import refuse_if_too_large
    from automations.diagnostics import Diagnostics, diagnose
    from automations.endpoint import Endpoint, resolver_path
    from automations.errors import ValidationFailed
    from automations.json_text import dumps
    from automations.observability import logger
    from automations.responses import json_response
    from automations.routes import VALIDATE
    from automations.validation import parse_new_automation

OBJECT = "automation_validation"

endpoint = Endpoint(VALIDATE)
app = endpoint.app


def report(errors: ValidationFailed | None, diagnostics: Diagnostics | None) -> dict[str, Any]:
    """The answer: the contract's fields, then how many of each list there were (each
    list is cut at 100; the totals say when it was)."""
    return {
        "object": OBJECT,
        "valid": errors is None,
        "publishable": errors is None and diagnostics is not None and diagnostics.errors == 0,
        "errors": errors.listed() if errors is not None else [],
        "diagnostics": [d.as_dict() for d in diagnostics] if diagnostics is not None else [],
        "errorsTotal": errors.total if errors is not None else 0,
        "diagnosticsTotal": diagnostics.total if diagnostics is not None else 0,
    }


@app.route(resolver_path(VALIDATE), method=VALIDATE.method)
def validate() -> Response[str]:
    event = app.current_event
    caller = endpoint.caller()
    payload = read_json_object(event.body, bool(event.is_base64_encoded), event.headers.get("content-type"))
    # An Idempotency-Key is ignored: nothing is stored, so a retry is always safe.
    try:
        draft = parse_new_automation(payload)
    except ValidationFailed as failed:
        answer = report(failed, None)
    else:
        refuse_if_too_large(draft.model_dump(), caller.workspace_id)  # 413, as the create would answer
        answer = report(None, diagnose(draft))
    logger.info(
        "automation validated",
        extra={k: answer[k] for k in ("valid", "publishable", "errorsTotal", "diagnosticsTotal")},
    )
    return json_response(VALIDATE.success, dumps(answer), endpoint.request_id())


lambda_handler = endpoint.handler()

# SnapStart (snapstart.py): before the snapshot, one whole validation of a draft.
prime = endpoint.prime(snapstart.DRAFT)
