"""``GET /v1/automations``: the workspace's automations, newest first, a page at a
time. The entry point of ListAutomationsFunction:
``automations.routes.list.lambda_handler``.

Like the GET of one automation, it loads no pydantic: it answers what is stored.
"""

from __future__ import annotations

from automations import cold_start

with cold_start.imports():
    from aws_lambda_powertools.event_handler import Response

    from automations.endpoint import Endpoint, resolver_path
    from automations.json_text import dumps
    from automations.listing import list_page, read_query
    from automations.observability import logger
    from automations.responses import json_response
    from automations.routes import LIST
    from automations.store import automation_store, make_at_init

    make_at_init()  # the DynamoDB client, in Lambda's init phase (store.py says why)

endpoint = Endpoint(LIST)
app = endpoint.app


@app.route(resolver_path(LIST), method=LIST.method)
def list_automations() -> Response[str]:
    caller = endpoint.caller()
    query = read_query(app.current_event.query_string_parameters, caller.workspace_id)
    page = list_page(caller.workspace_id, query, automation_store())
    logger.info("automations listed", extra={"count": len(page["data"]), "has_more": page["hasMore"]})
    return json_response(LIST.success, dumps(page), endpoint.request_id())


lambda_handler = endpoint.handler()

# SnapStart (snapstart.py): before the snapshot, a list with a parameter it does
# not take, refused with 400 after the query is read, without a read.
prime = endpoint.prime(query={"priming": "1"})
