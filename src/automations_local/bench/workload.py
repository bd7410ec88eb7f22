"""What `make bench` sends: the automations, and the first request of each function.

An automation here is a flow a client would draw: a trigger node, then send-email,
time-delay and if-else steps in a chain, each if-else with its two branches, every
node's ``data`` filled in as publishing needs it (its diagnostics are empty). The
dense form, for validation's scaling figures, has about two edges per node: each node
also links to the one after next, and the last loops back to the first step, so
reachability, the cycle search and its delay check all walk the whole graph (a
stress graph: the skips make a loop with no delay on it, one diagnostic).
"""

from __future__ import annotations

import json
from typing import Any

from automations.routes import CREATE, GET, VALIDATE, Route
from automations_local.events import http_api_event
from automations_local.template import ROOT

EVENTS = ROOT / "events"

WORKSPACE = "ws_bench"
# An id the GET function accepts (automations.ids.PATTERN); the stand-in holds it.
AUTOMATION_ID = "aut_01JBENCH" + "0" * 18
WRITE = {"sub": "bench", "scope": "write:automations", "workspace_id": WORKSPACE}
READ = {"sub": "bench", "scope": "read:automations", "workspace_id": WORKSPACE}
# The sizes (nodes) of the dense flows the validate function's scaling is measured on.
SCALING_NODES = (100, 1_000)
_STEPS = ("send-email", "time-delay", "if-else")
_DATA: dict[str, dict[str, Any]] = {
    "send-email": {"templateId": "tpl_welcome", "subject": "Welcome aboard"},
    "time-delay": {"duration": 2, "unit": "days"},
    "if-else": {"conditions": [{"field": "opened", "operator": "equals", "value": True}]},
}


def automation(nodes: int, *, dense: bool = False) -> dict[str, Any]:
    """A ``nodes``-node flow (node 0 is its trigger); ``dense``: about 2 edges a node."""
    body_nodes = [
        {
            "id": "n0",
            "type": "contact-subscribed",
            "position": {"x": 250.5, "y": 0},
            "data": {"listIds": ["lst_1"]},
        }
    ]
    for i in range(1, nodes):
        kind = _STEPS[(i - 1) % 3] if i < nodes - 1 else "send-email"  # it ends with an e-mail
        body_nodes.append(
            {
                "id": f"n{i}",
                "type": kind,
                "position": {"x": 250.5, "y": i * 120.25},
                "data": dict(_DATA[kind]),
            }
        )
    edges: list[dict[str, Any]] = []

    def link(source: int, target: int, handle: str | None = None) -> None:
        edge: dict[str, Any] = {"id": f"e{len(edges)}", "source": f"n{source}", "target": f"n{target}"}
        if handle is not None:
            edge["sourceHandle"] = handle
        edges.append(edge)

    for i in range(nodes - 1):
        branches = body_nodes[i]["type"] == "if-else"
        # The chain is an if-else's "true" branch; its "false" one skips a step.
        link(i, i + 1, "true" if branches else None)
        if branches:
            link(i, min(i + 2, nodes - 1), "false")
        elif dense and i + 2 < nodes:
            link(i, i + 2)
    if dense and nodes > 3:
        link(nodes - 1, 1)
    return {
        "name": f"Welcome series, {nodes} steps",
        "description": "Benchmark automation",
        "trigger": {"type": "contact.subscribed", "config": {"listIds": ["lst_1"]}},
        "nodes": body_nodes,
        "edges": edges,
    }


def create_event(nodes: int) -> dict[str, Any]:
    """``POST /v1/automations`` with a ``nodes``-node flow."""
    return http_api_event(json.dumps(automation(nodes)), claims=WRITE, path=CREATE.path, request_id="bench")


def validate_event(nodes: int, *, dense: bool = False) -> dict[str, Any]:
    """``POST /v1/automations/validate`` with the same flow as the create."""
    body = json.dumps(automation(nodes, dense=dense))
    return http_api_event(body, claims=WRITE, path=VALIDATE.path, request_id="bench")


def get_event(automation_id: str = AUTOMATION_ID) -> dict[str, Any]:
    """``GET /v1/automations/{automationId}`` of the automation the stand-in holds."""
    return http_api_event(
        None,
        claims=READ,
        method=GET.method,
        path=GET.path.replace("{automationId}", automation_id),
        route_key=GET.key,
        path_parameters={"automationId": automation_id},
        request_id="bench",
    )


# A workspace whose name ends in a status holds its automations in that status.
STATUS_WORKSPACE = "ws_bench_"


def stored_item(workspace_id: str, automation_id: str, nodes: int = 20) -> dict[str, dict[str, Any]]:
    """The item a create of ``automation(nodes)`` would have written under this key:
    the create's own validator, draft and item encoding (the stand-in answers it)."""
    from automations.automation import new_draft
    from automations.item import to_item
    from automations.validation import parse_new_automation

    draft = parse_new_automation(automation(nodes)).model_dump()
    stored = new_draft(draft, automation_id, "2026-11-26T14:08:21.123Z")
    status = workspace_id.removeprefix(STATUS_WORKSPACE)
    if workspace_id.startswith(STATUS_WORKSPACE) and status != "DRAFT":
        stored.update(status=status, publishedAt=stored["createdAt"])
    return to_item(workspace_id, stored)


def success_event(route: Route) -> dict[str, Any]:
    """The first of the route's events/ files (by name) whose expectations are its
    success status: a request the route serves in full."""
    for path in sorted(EVENTS.glob("*.json")):
        if path.name.endswith(".expected.json"):
            continue
        event: dict[str, Any] = json.loads(path.read_text())
        expected = path.with_name(path.stem + ".expected.json")
        expectations = json.loads(expected.read_text()) if expected.exists() else {}
        if event.get("routeKey") == route.key and expectations.get("statusCode") == route.success:
            # The stand-in holds the 20-node flow in the status the event expects it
            # in: the one its workspace names (``stored_item``).
            status = expectations.get("given", {}).get("automation", {}).get("status", "DRAFT")
            event["requestContext"]["authorizer"]["jwt"]["claims"]["workspace_id"] = STATUS_WORKSPACE + status
            return event
    raise LookupError(f"no events/ file of {route.key} expects {route.success}")
