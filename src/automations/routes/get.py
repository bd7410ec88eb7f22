"""``GET /v1/automations/{automationId}``: read a stored automation back. The entry
point of GetAutomationFunction: ``automations.routes.get.lambda_handler``.

It loads no pydantic and no request models: it answers what is stored, in the
seed's field order, with its ETag, and looks up only ids that can exist.
"""

from __future__ import annotations

from automations import cold_start

with cold_start.imports():
    from aws_lambda_powertools.event_handler import Response

    from automations.conditional import if_none_match
    from automations.endpoint import Endpoint, resolver_path
    from automations.errors import AutomationNotFound
    from automations.json_text import dumps
    from automations.responses import json_response
    from automations.routes import GET
    from automations.store import automation_store, make_at_init

    make_at_init()  # the DynamoDB client, in Lambda's init phase (store.py says why)

endpoint = Endpoint(GET)
app = endpoint.app


@app.route(resolver_path(GET), method=GET.method)
def get(automationId: str) -> Response[str]:
    caller = endpoint.caller()
    automation_id = endpoint.automation_id(automationId)
    found = automation_store().read(caller.workspace_id, automation_id)
    if found is None:
        raise AutomationNotFound()
    headers = {"ETag": found.etag}
    condition = app.current_event.headers.get("if-none-match")
    if condition is not None and if_none_match(condition, found.etag):
        return Response(
            status_code=304, body=None, headers={**headers, "X-Request-Id": endpoint.request_id()}
        )
    return json_response(GET.success, dumps(found.automation), endpoint.request_id(), headers)


lambda_handler = endpoint.handler()

# SnapStart (snapstart.py): before the snapshot, a GET of text that is no id,
# answered 404 without a read.
prime = endpoint.prime(automationId="not-an-id")
