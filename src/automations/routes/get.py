"""``GET /v1/automations/{automationId}``: read a stored automation back. The entry
point of GetAutomationFunction: ``automations.routes.get.lambda_handler``.

It loads no pydantic and no request models: it answers what is stored, in the
seed's field order, and looks up only ids that can exist.
"""

from __future__ import annotations

from automations import cold_start, snapstart

with cold_start.imports():
    import re

    from aws_lambda_powertools.event_handler import Response

    from automations.automation import in_order
    from automations.edge import Edge, resolver_path
    from automations.ids import PATTERN
    from automations.json_text import dumps
    from automations.responses import HttpError, json_response
    from automations.routes import GET
    from automations.store import automation_store, make_at_init

    make_at_init()  # the DynamoDB client, in Lambda's init phase (store.py says why)

AUTOMATION_ID = re.compile(PATTERN)


def not_found() -> HttpError:
    # The same answer for an unknown id, another workspace's id and any other text:
    # nothing tells whether an id exists elsewhere.
    return HttpError(
        404,
        "invalid_request_error",
        "automation_not_found",
        "no automation with this id exists in your workspace",
    )


edge = Edge(GET, not_found)
app = edge.app


@app.route(resolver_path(GET), method=GET.method)
def get(automationId: str) -> Response[str]:
    caller = edge.caller()
    # API Gateway's decoded path parameter; the resolver's match of the raw path
    # when invoked directly without one.
    automation_id = app.current_event.path_parameters.get("automationId", automationId)
    automation = None
    if AUTOMATION_ID.fullmatch(automation_id):  # any other text names no automation: no read
        automation = automation_store().get(caller.workspace_id, automation_id)
    if automation is None:
        raise not_found()
    return json_response(GET.success, dumps(in_order(automation)), edge.request_id())


lambda_handler = edge.handler()

# SnapStart (snapstart.py): before the snapshot, a GET of text that is no id,
# answered 404 without a read.
prime = edge.primer(GET.path_with(automationId="not-an-id"))
snapstart.before_snapshot(prime)
