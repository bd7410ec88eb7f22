"""POST /v1/automations/validate end to end: a draft checked against the create's and
the publish-time rules, answered 200 whatever it holds, with either scope."""

from __future__ import annotations

from typing import Any

from tests.e2e.api import Api, unique


def node(node_id: str, node_type: str, **data: Any) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, "data": data}


def edge(edge_id: str, source: str, target: str, handle: str | None = None) -> dict[str, Any]:
    return {"id": edge_id, "source": source, "target": target, "sourceHandle": handle}


def test_a_complete_flow_is_publishable(api: Api) -> None:
    # Given a trigger, an email, a day's wait and a branch with both ends wired
    flow = {
        "name": unique("publishable"),
        "nodes": [
            node("t", "contact-subscribed"),
            node("m1", "send-email", templateId="tpl_welcome"),
            node("d", "time-delay", duration=1, unit="days"),
            node("c", "if-else", conditions={"all": [{"field": "plan", "equals": "pro"}]}),
            node("m2", "send-email", templateId="tpl_pro"),
            node("m3", "send-email", templateId="tpl_free"),
        ],
        "edges": [
            edge("e1", "t", "m1"),
            edge("e2", "m1", "d"),
            edge("e3", "d", "c"),
            edge("e4", "c", "m2", "true"),
            edge("e5", "c", "m3", "false"),
        ],
    }
    # When it is validated with a read-only token
    reply = api.validate(flow, token=api.read_token)
    # Then it is valid, publishable, and nothing is said against it
    assert reply.status == 200, reply.body
    assert reply.body == {
        "object": "automation_validation",
        "valid": True,
        "publishable": True,
        "errors": [],
        "diagnostics": [],
        "errorsTotal": 0,
        "diagnosticsTotal": 0,
    }


def test_a_flawed_flow_gets_its_diagnostics_in_order(api: Api) -> None:
    # Given a draft the create accepts, with an email lacking its template, an if-else
    # missing its "false" branch, and a node nothing leads to
    flow = {
        "name": unique("flawed"),
        "nodes": [
            node("t", "contact-subscribed"),
            node("m1", "send-email"),
            node("c", "if-else", conditions={"all": []}),
            node("m2", "send-email", templateId="tpl"),
            node("orphan", "send-email", templateId="tpl"),
        ],
        "edges": [edge("e1", "t", "m1"), edge("e2", "m1", "c"), edge("e3", "c", "m2", "true")],
    }
    # When it is validated
    reply = api.validate(flow, token=api.token)
    # Then it is valid but not publishable, for exactly these reasons, node by node
    assert reply.status == 200, reply.body
    assert (reply.body["valid"], reply.body["publishable"], reply.body["errors"]) == (True, False, [])
    assert [(d["severity"], d["code"], d["field"], d.get("nodeId")) for d in reply.body["diagnostics"]] == [
        ("error", "missing_data", "nodes[1].data.templateId", "m1"),
        ("warning", "missing_branch", "edges", "c"),
        ("error", "not_connected", "nodes[4]", "orphan"),
    ]
    assert reply.body["diagnosticsTotal"] == 3


def test_a_draft_the_create_would_refuse_gets_the_creates_errors(api: Api) -> None:
    # Given a draft whose edge targets a node it does not have
    flow = {
        "name": unique("invalid"),
        "nodes": [node("t", "contact-subscribed")],
        "edges": [edge("e1", "t", "n9")],
    }
    # When it is validated
    reply = api.validate(flow, token=api.read_token)
    # Then it is invalid, with the create's own validation errors, and no diagnostics
    assert reply.status == 200, reply.body
    assert (reply.body["valid"], reply.body["publishable"], reply.body["diagnostics"]) == (False, False, [])
    assert [(e["field"], e["code"]) for e in reply.body["errors"]] == [("edges[0].target", "unknown_node")]
    assert reply.body["errorsTotal"] == 1
