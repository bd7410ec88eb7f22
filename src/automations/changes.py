"""What the routes that change an automation's state share (publish, the next
version, archive, delete): each takes the caller, the ``{automationId}`` and the
request's ``If-Match``, makes one change of ``family.py``, and answers the
automation as it now is with its ETag (or nothing, for a delete). Each route's module
names its change and its answer; this is the rest, once."""

from __future__ import annotations

from collections.abc import Callable

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.metrics import MetricUnit

from automations.endpoint import Endpoint, resolver_path
from automations.item import Stored
from automations.json_text import dumps
from automations.observability import logger, metrics
from automations.responses import json_response
from automations.routes import GET, Route
from automations.store import AutomationStore, automation_store

Change = Callable[[str, str, str | None, AutomationStore], Stored | None]


def state_change(route: Route, change: Change, metric: str, location: bool = False) -> Endpoint:
    """An endpoint for ``route`` that makes ``change`` and counts it as ``metric``;
    ``location``: its answer names the automation it made (``Location``)."""
    endpoint = Endpoint(route)
    app = endpoint.app

    @app.route(resolver_path(route), method=route.method)
    def serve(automationId: str) -> Response[str]:
        caller = endpoint.caller()
        automation_id = endpoint.automation_id(automationId)
        precondition = app.current_event.headers.get("if-match")
        done = change(caller.workspace_id, automation_id, precondition, automation_store())
        if done is None or done.written:  # a publish of what is published changes nothing: not counted
            metrics.add_metric(name=metric, unit=MetricUnit.Count, value=1)
            logger.info("automation changed", extra={"automation_id": automation_id, "change": metric})
        if done is None:
            return Response(
                status_code=route.success, body=None, headers={"X-Request-Id": endpoint.request_id()}
            )
        headers = {"ETag": done.etag}
        if location:
            headers["Location"] = GET.path_with(automationId=done.automation["id"])
        return json_response(route.success, dumps(done.automation), endpoint.request_id(), headers)

    return endpoint
