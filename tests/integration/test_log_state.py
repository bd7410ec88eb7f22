"""What one request's log lines carry never reaches the next request's: the Logger's
keys (the caller's ``workspace_id`` above all) are cleared for every invocation, so
a refused request is never logged as if it came from the workspace served before."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from automations.routes import ROUTES, Route
from automations_local.context import LambdaContext
from tests.helpers import HANDLERS, Tables, claims_for, route_event

BODY = {"name": "Welcome", "nodes": [{"id": "a", "type": "send-email"}]}

# Requests the route's function refuses before it knows any workspace.
REFUSALS = {
    "no token": lambda route, workspace: route_event(route, None, BODY),
    "wrong scope": lambda route, workspace: route_event(route, claims_for(workspace, "profile"), BODY),
    "invalid event": lambda route, workspace: {"hello": "world"},
}


def lines(text: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in text.splitlines()]


@pytest.mark.parametrize("tables", ["moto"], indirect=True)
@pytest.mark.parametrize("refusal", list(REFUSALS))
@pytest.mark.parametrize("route", ROUTES, ids=lambda route: route.operation)
def test_a_refused_request_never_carries_the_workspace_served_before(
    tables: Tables, workspace: str, logs: io.StringIO, route: Route, refusal: str
) -> None:
    # Given a request in this workspace that the route's function served, and logged
    handler = HANDLERS[route.key]
    handler(route_event(route, claims_for(workspace, route.scopes[0]), BODY), LambdaContext())
    served = lines(logs.getvalue())
    assert served
    assert all(line["workspace_id"] == workspace for line in served)
    # When the same function (the same container) refuses the next request
    mark = len(logs.getvalue())
    answer = handler(REFUSALS[refusal](route, "ws_another"), LambdaContext())
    # Then it is refused, and none of its log lines names the workspace served before
    assert answer["statusCode"] in (400, 401, 403)
    refused = lines(logs.getvalue()[mark:])
    assert refused
    assert [line for line in refused if line.get("workspace_id") == workspace] == []
