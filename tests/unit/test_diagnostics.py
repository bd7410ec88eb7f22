"""Publish-time diagnostics (CONTRACT.md, "Validate without saving"): each code with
its severity, field and nodeId, the order across codes, the overlap rules, cycles,
and every data rule at its missing / invalid boundary."""

from __future__ import annotations

import sys
import traceback
from typing import Any, get_args

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automations import diagnostics as diagnostics_module
from automations.diagnostics import TRIGGER_NODE_TYPES, Diagnostic, diagnose
from automations.models import NewAutomation, NodeType, TriggerType
from automations.webhook_url import webhook_host

NODE_TYPES = get_args(NodeType)
ACTION_AND_RULE_TYPES = tuple(t for t in NODE_TYPES if t not in TRIGGER_NODE_TYPES)
SPLITS = [{"id": "a", "name": "A", "percentage": 50}, {"id": "b", "name": "B", "percentage": 50}]
# Data each node type publishes with.
GOOD_DATA: dict[str, dict[str, Any]] = {
    "contact-property-updated": {"propertyName": "plan"},
    "form-filled": {"formId": "f1"},
    "event": {"eventName": "signed_up"},
    "segment-entry": {"segmentId": "s1"},
    "segment-exit": {"segmentId": "s1"},
    "email-engagement": {"emailEngagementType": "open"},
    "send-email": {"templateId": "tpl"},
    "send-webhook": {"url": "https://example.com/hook"},
    "update-contact": {"fieldId": "f", "fieldValue": "v"},
    "add-to-topic": {"topicIds": ["t1"]},
    "remove-from-topic": {"topicIds": ["t1"]},
    "if-else": {"conditions": {"all": []}},
    "percentage-split": {"splits": SPLITS},
    "time-delay": {"duration": 1, "unit": "days"},
}


def node(node_id: str, node_type: str = "send-email", data: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, "data": GOOD_DATA.get(node_type, {}) if data is None else data}


def edge(edge_id: str, source: str, target: str, handle: str | None = None) -> dict[str, Any]:
    return {"id": edge_id, "source": source, "target": target, "sourceHandle": handle}


def automation(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]] | None = None, trigger: str | None = None
) -> NewAutomation:
    body: dict[str, Any] = {"name": "Welcome", "nodes": nodes, "edges": edges or []}
    if trigger is not None:
        body["trigger"] = {"type": trigger}
    return NewAutomation.model_validate(body)


def found(
    nodes: list[dict[str, Any]], edges: list[dict[str, Any]] | None = None, **kw: Any
) -> list[tuple[Any, ...]]:
    """(code, field, nodeId) of every diagnostic."""
    return [(d.code, d.field, d.node_id) for d in diagnose(automation(nodes, edges, **kw))]


def chain(*nodes: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """A trigger ``t`` followed by ``nodes`` in a line."""
    all_nodes = [node("t", "contact-subscribed"), *nodes]
    return all_nodes, [
        edge(f"e{i}", all_nodes[i - 1]["id"], all_nodes[i]["id"]) for i in range(1, len(all_nodes))
    ]


# -- the public shape ---------------------------------------------------------------


# The contract's list of trigger node types, written out as the oracle.
CONTRACT_TRIGGERS = {
    "contact-subscribed", "contact-property-updated", "form-filled", "webhook-trigger", "event",
    "segment-entry", "segment-exit", "email-engagement",
}  # fmt: skip


@pytest.mark.parametrize("node_type", NODE_TYPES)
def test_a_node_starts_the_automation_exactly_when_the_contract_calls_its_type_a_trigger(
    node_type: str,
) -> None:
    codes = [d.code for d in diagnose(automation([node("only", node_type, {})]))]
    assert ("missing_trigger_node" not in codes) is (node_type in CONTRACT_TRIGGERS)
    assert ("not_connected" in codes) is (node_type not in CONTRACT_TRIGGERS)


def test_as_dict_keys_in_the_contracts_order_and_node_id_omitted_when_none() -> None:
    with_node = Diagnostic("error", "missing_data", "nodes[1].data.templateId", "m", "m1").as_dict()
    without = Diagnostic("error", "no_nodes", "nodes", "m").as_dict()
    assert list(with_node) == ["severity", "code", "field", "nodeId", "message"]
    assert with_node["nodeId"] == "m1"
    assert list(without) == ["severity", "code", "field", "message"]


def test_a_publishable_automation_has_no_diagnostics() -> None:
    nodes, edges = chain(node("m1"), node("d", "time-delay"), node("w", "send-webhook"))
    assert diagnose(automation(nodes, edges)) == []


def test_the_contracts_example_messages() -> None:
    nodes = [node("t", "contact-subscribed"), node("m1", data={}), node("c", "if-else"), node("m2")]
    edges = [edge("e1", "t", "m1"), edge("e2", "m1", "c"), edge("e3", "c", "m2", "true")]
    [missing, branch] = [d.as_dict() for d in diagnose(automation(nodes, edges))]
    assert missing == {
        "severity": "error",
        "code": "missing_data",
        "field": "nodes[1].data.templateId",
        "nodeId": "m1",
        "message": "a send-email node needs data.templateId",
    }
    assert branch == {
        "severity": "warning",
        "code": "missing_branch",
        "field": "edges",
        "nodeId": "c",
        "message": "if-else node 'c' has no edge for its \"false\" branch",
    }


# -- automation-wide ----------------------------------------------------------------


def test_no_nodes_gives_no_nodes_only() -> None:
    [only] = diagnose(automation([], trigger="email.opened"))
    assert (only.severity, only.code, only.field, only.node_id) == ("error", "no_nodes", "nodes", None)


def test_missing_trigger_node_is_automation_wide_and_first() -> None:
    assert found([node("m1")]) == [
        ("missing_trigger_node", "nodes", None),
        ("not_connected", "nodes[0]", "m1"),
    ]
    assert diagnose(automation([node("m1")]))[0].severity == "error"


def test_multiple_trigger_nodes_one_per_extra_trigger_and_no_graph_rules() -> None:
    # Given three trigger nodes and an island loop (which one trigger would make unreachable)
    nodes = [
        node("t1", "contact-subscribed"),
        node("m1"),
        node("t2", "form-filled"),
        node("t3", "event"),
        node("x"),
        node("y"),
    ]
    edges = [edge("e1", "t1", "m1"), edge("e2", "x", "y"), edge("e3", "y", "x")]
    # When / Then: the 2nd and 3rd triggers are reported; no reachability, cycle or mismatch
    diagnostics = diagnose(automation(nodes, edges, trigger="segment.entered"))
    assert [(d.severity, d.code, d.field, d.node_id) for d in diagnostics] == [
        ("error", "multiple_trigger_nodes", "nodes[2]", "t2"),
        ("error", "multiple_trigger_nodes", "nodes[3]", "t3"),
    ]
    # and each message is true of its node, the third as much as the second
    assert [d.message for d in diagnostics] == [
        "form-filled node 't2' is also a trigger node; the automation already starts at 't1'",
        "event node 't3' is also a trigger node; the automation already starts at 't1'",
    ]


@pytest.mark.parametrize(
    ("trigger", "node_type", "data", "mismatch"),
    [
        ("contact.subscribed", "contact-subscribed", {}, False),
        ("contact.updated", "contact-property-updated", {"propertyName": "p"}, False),
        ("form.submitted", "form-filled", {"formId": "f"}, False),
        ("event.fired", "event", {"eventName": "e"}, False),
        ("segment.entered", "segment-entry", {"segmentId": "s"}, False),
        ("email.complained", "email-engagement", {"emailEngagementType": "spam"}, False),
        ("contact.subscribed", "form-filled", {"formId": "f"}, True),
        ("segment.entered", "email-engagement", {"emailEngagementType": "open"}, True),
        ("email.opened", "email-engagement", {"emailEngagementType": "click"}, True),
        ("email.bounced", "event", {"eventName": "e"}, True),
        # not compared: an absent or invalid engagement type (the data rule reports it)
        ("email.opened", "email-engagement", {}, False),
        ("email.opened", "email-engagement", {"emailEngagementType": "OPEN"}, False),
        ("email.opened", "email-engagement", {"emailEngagementType": ["click"]}, False),
        # not compared: types outside the pairs
        ("contact.created", "contact-subscribed", {}, False),
        ("contact.unsubscribed", "form-filled", {"formId": "f"}, False),
        ("contact.subscribed", "webhook-trigger", {}, False),
        ("segment.entered", "segment-exit", {"segmentId": "s"}, False),
    ],
)
def test_trigger_mismatch(trigger: str, node_type: str, data: dict[str, Any], mismatch: bool) -> None:
    diagnostics = diagnose(automation([node("start", node_type, data)], trigger=trigger))
    mismatches = [d for d in diagnostics if d.code == "trigger_mismatch"]
    if mismatch:
        [d] = mismatches
        assert (d.severity, d.field, d.node_id) == ("warning", "trigger.type", "start")
        assert trigger in d.message
    else:
        assert mismatches == []


def test_the_default_trigger_type_is_compared_when_omitted() -> None:
    assert found([node("f", "form-filled")]) == [("trigger_mismatch", "trigger.type", "f")]


def test_edge_into_trigger_in_edge_order_at_the_trigger() -> None:
    nodes = [node("t1", "contact-subscribed"), node("m1"), node("t2", "event")]
    edges = [edge("e0", "t1", "m1"), edge("e1", "m1", "t2"), edge("e2", "m1", "t1")]
    diagnostics = [d for d in diagnose(automation(nodes, edges)) if d.code == "edge_into_trigger"]
    assert [(d.severity, d.field, d.node_id) for d in diagnostics] == [
        ("error", "edges[1]", "t2"),
        ("error", "edges[2]", "t1"),
    ]


# -- node by node -------------------------------------------------------------------


def test_not_connected_only_for_non_trigger_nodes_without_an_incoming_edge() -> None:
    # Given a trigger with no edges at all and an action nothing leads into
    nodes = [node("t", "contact-subscribed"), node("m1", data={}), node("m2")]
    # Then the action is not_connected (not also unreachable) and keeps its data diagnostic
    diagnostics = diagnose(automation(nodes, [edge("e", "m1", "m2")]))
    assert [(d.severity, d.code, d.field, d.node_id) for d in diagnostics] == [
        ("error", "not_connected", "nodes[1]", "m1"),
        ("error", "missing_data", "nodes[1].data.templateId", "m1"),
        ("error", "unreachable_node", "nodes[2]", "m2"),
    ]


def test_not_connected_without_a_trigger_too() -> None:
    assert ("not_connected", "nodes[0]", "m") in found([node("m")])


def test_an_island_cycle_is_unreachable_and_not_a_cycle() -> None:
    nodes = [node("t", "contact-subscribed"), node("a"), node("b")]
    edges = [edge("e1", "a", "b"), edge("e2", "b", "a")]
    diagnostics = diagnose(automation(nodes, edges))
    assert [(d.severity, d.code, d.field, d.node_id) for d in diagnostics] == [
        ("error", "unreachable_node", "nodes[1]", "a"),
        ("error", "unreachable_node", "nodes[2]", "b"),
    ]


def test_a_self_edge_is_an_incoming_edge_so_an_isolated_loop_is_unreachable() -> None:
    nodes = [node("t", "contact-subscribed"), node("a")]
    assert found(nodes, [edge("e", "a", "a")]) == [("unreachable_node", "nodes[1]", "a")]


def test_a_cycle_through_a_time_delay_is_a_warning_at_the_groups_first_node() -> None:
    # Given t → b → a → d(delay) → b, with a before b in the document
    nodes = [node("t", "contact-subscribed"), node("a"), node("d", "time-delay"), node("b")]
    edges = [edge("e1", "t", "b"), edge("e2", "b", "a"), edge("e3", "a", "d"), edge("e4", "d", "b")]
    [d] = diagnose(automation(nodes, edges))
    assert (d.severity, d.code, d.field, d.node_id) == ("warning", "cycle", "edges", "a")


def test_a_cycle_without_a_time_delay_is_an_error_at_the_groups_first_node() -> None:
    nodes = [node("t", "contact-subscribed"), node("a"), node("b"), node("c")]
    edges = [edge("e1", "t", "c"), edge("e2", "c", "b"), edge("e3", "b", "a"), edge("e4", "a", "c")]
    [d] = diagnose(automation(nodes, edges))
    assert (d.severity, d.code, d.field, d.node_id) == ("error", "cycle_without_delay", "edges", "a")


def test_a_group_with_a_delay_that_still_loops_without_it_is_an_error() -> None:
    # Given a ⇄ b directly, and a → d(delay) → b: one group {a, b, d}
    nodes = [node("t", "contact-subscribed"), node("a"), node("b"), node("d", "time-delay")]
    edges = [
        edge("e1", "t", "a"),
        edge("e2", "a", "b"),
        edge("e3", "b", "a"),
        edge("e4", "a", "d"),
        edge("e5", "d", "b"),
    ]
    assert found(nodes, edges) == [("cycle_without_delay", "edges", "a")]


def test_two_loops_that_both_pass_through_delays_are_one_warning() -> None:
    nodes = [
        node("t", "contact-subscribed"),
        node("a"),
        node("d1", "time-delay"),
        node("d2", "time-delay"),
    ]
    edges = [
        edge("e1", "t", "a"),
        edge("e2", "a", "d1"),
        edge("e3", "d1", "a"),
        edge("e4", "a", "d2"),
        edge("e5", "d2", "a"),
    ]
    assert found(nodes, edges) == [("cycle", "edges", "a")]


@pytest.mark.parametrize(
    ("node_type", "code", "severity"),
    [("send-email", "cycle_without_delay", "error"), ("time-delay", "cycle", "warning")],
)
def test_a_self_edge(node_type: str, code: str, severity: str) -> None:
    nodes = [node("t", "contact-subscribed"), node("x", node_type)]
    edges = [edge("e1", "t", "x"), edge("e2", "x", "x")]
    [d] = diagnose(automation(nodes, edges))
    assert (d.severity, d.code, d.field, d.node_id) == (severity, code, "edges", "x")


def test_separate_groups_each_get_one_diagnostic() -> None:
    nodes = [node("t", "contact-subscribed"), node("a"), node("b"), node("c"), node("d", "time-delay")]
    edges = [
        edge("e1", "t", "a"),
        edge("e2", "a", "b"),
        edge("e3", "b", "a"),
        edge("e4", "b", "c"),
        edge("e5", "c", "d"),
        edge("e6", "d", "c"),
    ]
    assert found(nodes, edges) == [("cycle_without_delay", "edges", "a"), ("cycle", "edges", "c")]


def test_missing_branch_of_an_if_else_one_per_branch() -> None:
    nodes, edges = chain(node("c", "if-else"))
    assert found(nodes, edges) == [
        ("missing_branch", "edges", "c"),
        ("missing_branch", "edges", "c"),
    ]
    both = [*edges, edge("x1", "c", "m", "true"), edge("x2", "c", "m", "false")]
    assert found([*nodes, node("m")], both) == []
    [d] = diagnose(automation([*nodes, node("m")], [*edges, edge("x1", "c", "m", "false")]))
    assert d.severity == "warning"
    assert d.message == "if-else node 'c' has no edge for its \"true\" branch"


def test_missing_branch_of_a_percentage_split_one_per_split_id() -> None:
    splits = [
        {"id": "a", "name": "A", "percentage": 20},
        {"id": "b", "name": "B", "percentage": 80},
    ]
    nodes, edges = chain(node("p", "percentage-split", {"splits": splits}), node("m"))
    # the chain's edge p → m has no handle: both branches are missing
    assert found(nodes, edges) == [("missing_branch", "edges", "p"), ("missing_branch", "edges", "p")]
    edges.append(edge("x", "p", "m", "b"))
    [d] = diagnose(automation(nodes, edges))
    assert (d.severity, d.code, d.node_id) == ("warning", "missing_branch", "p")
    assert "'a'" in d.message


def test_missing_branch_of_a_split_skips_ids_that_are_not_strings_empty_or_repeated() -> None:
    splits = [{"id": 1, "name": "A", "percentage": 50}, {"id": "x", "name": "B", "percentage": 50}, "junk",
              {"id": "", "name": "E", "percentage": 0}]  # fmt: skip
    extra = [{"id": "x", "name": "C", "percentage": 0}]
    nodes, edges = chain(node("p", "percentage-split", {"splits": splits + extra}))
    branches = [d for d in diagnose(automation(nodes, edges)) if d.code == "missing_branch"]
    assert len(branches) == 1
    assert "'x'" in branches[0].message


def test_the_order_across_every_code() -> None:
    # Given one trigger (mismatched), an edge into it, and nodes with one problem of each kind
    nodes = [
        node("m0", data={}),  # not_connected, missing_data
        node("t", "form-filled", {}),  # missing_data
        node("c", "if-else", {}),  # missing_data, missing_branch; in t's group
        node("m3"),  # in c's group
        node("i", "send-webhook", {"url": "ftp://x"}),  # unreachable_node, invalid_data
        node("j"),
    ]
    edges = [
        edge("e0", "t", "m3"),
        edge("e1", "m3", "c"),
        edge("e2", "c", "m3", "true"),
        edge("e3", "c", "t"),
        edge("e4", "j", "i"),
        edge("e5", "i", "j"),
    ]
    # Then automation-wide, then edge_into_trigger, then node by node
    assert found(nodes, edges) == [
        ("trigger_mismatch", "trigger.type", "t"),
        ("edge_into_trigger", "edges[3]", "t"),
        ("not_connected", "nodes[0]", "m0"),
        ("missing_data", "nodes[0].data.templateId", "m0"),
        ("missing_data", "nodes[1].data.formId", "t"),
        ("cycle_without_delay", "edges", "t"),
        ("missing_data", "nodes[2].data.conditions", "c"),
        ("missing_branch", "edges", "c"),
        ("unreachable_node", "nodes[4]", "i"),
        ("invalid_data", "nodes[4].data.url", "i"),
        ("unreachable_node", "nodes[5]", "j"),
    ]


def test_for_one_node_data_then_missing_branch_then_cycle() -> None:
    # Given an if-else without data, looping on itself through its "true" branch
    nodes, edges = chain(node("c", "if-else", {}))
    edges.append(edge("loop", "c", "c", "true"))
    assert found(nodes, edges) == [
        ("missing_data", "nodes[1].data.conditions", "c"),
        ("missing_branch", "edges", "c"),
        ("cycle_without_delay", "edges", "c"),
    ]


def test_automation_wide_diagnostics_come_before_edges_and_nodes() -> None:
    nodes = [node("m"), node("t1", "event"), node("t2", "event")]
    edges = [edge("e0", "m", "t1")]
    assert found(nodes, edges) == [
        ("multiple_trigger_nodes", "nodes[2]", "t2"),
        ("edge_into_trigger", "edges[0]", "t1"),
        ("not_connected", "nodes[0]", "m"),
    ]


def test_messages_quote_client_ids_bounded() -> None:
    long_id = "x" * 128
    [d] = diagnose(automation([node("t", "contact-subscribed"), node(long_id)]))
    assert d.node_id == long_id
    assert long_id not in d.message
    assert len(d.message) < 150


# -- per-node data ------------------------------------------------------------------

MISSING_VALUES: list[Any] = [None, "", [], {}, 0, True, 1.5]


def data_found(node_type: str, data: dict[str, Any]) -> list[tuple[str, str]]:
    """(code, field) of the data diagnostics of one connected node, path after ``data.``."""
    nodes, edges = chain(node("n", node_type, data))
    if node_type in TRIGGER_NODE_TYPES:
        nodes, edges = [node("n", node_type, data)], []
    return [
        (d.code, d.field.removeprefix("nodes[1].data.").removeprefix("nodes[0].data."))
        for d in diagnose(automation(nodes, edges, trigger="contact.created"))
        if d.code in ("missing_data", "invalid_data")
    ]


@pytest.mark.parametrize(
    ("node_type", "field"),
    [
        ("contact-property-updated", "propertyName"),
        ("form-filled", "formId"),
        ("event", "eventName"),
        ("segment-entry", "segmentId"),
        ("segment-exit", "segmentId"),
        ("send-email", "templateId"),
        ("update-contact", "fieldId"),
        ("update-contact", "fieldValue"),
    ],
)
def test_a_required_string_is_missing_when_absent_empty_or_not_a_string(node_type: str, field: str) -> None:
    good = GOOD_DATA[node_type]
    assert data_found(node_type, good) == []
    assert data_found(node_type, {**good, field: " "}) == []
    absent = {k: v for k, v in good.items() if k != field}
    assert data_found(node_type, absent) == [("missing_data", field)]
    for value in MISSING_VALUES:
        assert data_found(node_type, {**good, field: value}) == [("missing_data", field)], value


@pytest.mark.parametrize("node_type", ["contact-subscribed", "webhook-trigger", "unsubscribe-contact"])
def test_nodes_without_data_rules(node_type: str) -> None:
    assert data_found(node_type, {"anything": [1, {"x": None}]}) == []


def test_email_engagement_type() -> None:
    for value in ("open", "click", "bounce", "spam"):
        assert data_found("email-engagement", {"emailEngagementType": value}) == []
    for value in MISSING_VALUES:
        assert data_found("email-engagement", {"emailEngagementType": value}) == [
            ("missing_data", "emailEngagementType")
        ]
    for value in ("Open", "opened", " open"):
        assert data_found("email-engagement", {"emailEngagementType": value}) == [
            ("invalid_data", "emailEngagementType")
        ]


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com",
        "http://example.com:8080/a?b#c",
        "HTTPS://EXAMPLE.COM",
        "http://[::1]/",
        "https://user:secret@hooks.example.com:443/p",
        "https://bücher.example/hook",
        "http://10.0.0.1/",
        "http://[::1]:8080/a",
        "http://user@[2001:db8::1]/",
    ],
)
def test_a_webhook_url_that_is_absolute_http(url: str) -> None:
    assert data_found("send-webhook", {"url": url}) == []


@pytest.mark.parametrize(
    "url",
    [
        "ftp://example.com",
        "example.com",
        "/hook",
        "https://",
        "https:///path",
        "mailto:a@b.c",
        "http://[::1",
        "x",
        "http://a b/hook",
        "http://host:notaport/",
        "http://host:99999/",
        "http://<script>/",
        " https://example.com",
        "https://example.com\n",
        "http://ex\nample.com",
        "https://example.com/\thook",
        "http://[::1]@<script>",
        "http://[::1]evil.example/",
        "http://[::1]]",
        "http://[::1]@exa%zzmple.com",
    ],
)
def test_a_webhook_url_that_is_not_absolute_http_is_invalid(url: str) -> None:
    assert data_found("send-webhook", {"url": url}) == [("invalid_data", "url")]


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("http://example.com\\@evil.com", "example.com"),  # "\" is "/": the path is "/@evil.com"
        ("http:\\\\example.com\\hook", "example.com"),
        ("http://user@evil.com\\@example.com/", "evil.com"),
        ("http://a@b@example.com/", "example.com"),  # the userinfo ends at the last "@"
        ("http://127.1/", "127.1"),  # WHATWG's 127.0.0.1
        ("http://0x7f.0.0.1/", "0x7f.0.0.1"),
        ("http://0300.0250.0.1/", "0300.0250.0.1"),  # octal: 192.168.0.1
        ("http://2130706433/", "2130706433"),
        ("http://4294967295/", "4294967295"),
        ("http://1.2.3.4./", "1.2.3.4."),
        ("http://1.2.3.0x/", "1.2.3.0x"),
        ("http://\uff11\uff12\uff17.0.0.1/", "127.0.0.1"),  # full-width digits, mapped by IDNA
        ("http://[::ffff:1.2.3.4]/", "[::ffff:1.2.3.4]"),
        ("http://[FE80::1]:8080/", "[fe80::1]"),
        ("http://example.com:000080/", "example.com"),
        ("http://example.com:/", "example.com"),
    ],
)
def test_a_webhook_urls_host_is_read_as_a_browser_reads_it(url: str, host: str) -> None:
    assert webhook_host(url) == host
    assert data_found("send-webhook", {"url": url}) == []


@pytest.mark.parametrize(
    "url",
    [
        "http://256.256.256.256",
        "http://1.2.3.256/",
        "http://256.0.0.1/",
        "http://4294967296/",
        "http://1.2.3.4.5/",
        "http://0x100.0.0.1/",
        "http://09.1.1.1/",  # 9 is no octal digit
        "http://example.123/",  # ends in a number, so it must be an IPv4 address
        "http://example.0x1/",
        "http://\uff12\uff15\uff16.0.0.1/",  # full-width 256.0.0.1
        "http://[v1.fe]",
        "http://[fe80::1%25eth0]",
        "http://[fe80::1%eth0]/",
        "http://[::1.2.3.04]/",
        "http://[1:2:3:4:5:6:7:8:9]/",
        "http://[::1]x/",
        "http://example.com:65536/",
        "http://example.com:1000000/",
        "http://example.com:\uff18\uff10/",
    ],
)
def test_a_webhook_url_a_browser_refuses_is_invalid(url: str) -> None:
    assert webhook_host(url) is None
    assert data_found("send-webhook", {"url": url}) == [("invalid_data", "url")]


def test_a_webhook_url_that_is_absent_empty_or_not_a_string_is_missing() -> None:
    assert data_found("send-webhook", {}) == [("missing_data", "url")]
    for value in MISSING_VALUES:
        assert data_found("send-webhook", {"url": value}) == [("missing_data", "url")]


def test_a_webhook_method_is_optional_and_one_of_the_list() -> None:
    url = {"url": "https://example.com"}
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE", None):
        assert data_found("send-webhook", {**url, "method": method}) == []
    for method in ("get", "HEAD", "", 1, True, [], {}, ["GET"]):
        assert data_found("send-webhook", {**url, "method": method}) == [("invalid_data", "method")]


def test_a_webhook_reports_url_before_method() -> None:
    assert data_found("send-webhook", {"method": "get"}) == [
        ("missing_data", "url"),
        ("invalid_data", "method"),
    ]


def test_update_contact_reports_field_id_before_field_value() -> None:
    assert data_found("update-contact", {}) == [("missing_data", "fieldId"), ("missing_data", "fieldValue")]


@pytest.mark.parametrize("node_type", ["add-to-topic", "remove-from-topic"])
def test_topic_ids(node_type: str) -> None:
    assert data_found(node_type, {"topicIds": ["a", "b", ""]}) == []
    for value in [*MISSING_VALUES, "t1", {"a": "t1"}]:
        assert data_found(node_type, {"topicIds": value}) == [("missing_data", "topicIds")], value
    for value in (["a", 1], [None], [["a"]], ["a", True, {}]):
        assert data_found(node_type, {"topicIds": value}) == [("invalid_data", "topicIds")], value


def test_if_else_conditions_a_non_empty_object_or_array() -> None:
    for value in ({"op": "and"}, [{"field": "x"}], [None]):
        assert data_found("if-else", {"conditions": value}) == []
    for value in (*MISSING_VALUES, "x == 1"):
        assert data_found("if-else", {"conditions": value}) == [("missing_data", "conditions")]


def test_splits_missing() -> None:
    for value in (*MISSING_VALUES, "a,b", {"a": 50}):
        assert data_found("percentage-split", {"splits": value}) == [("missing_data", "splits")]


def test_splits_need_exactly_two_entries() -> None:
    three = [
        {"id": "a", "name": "A", "percentage": 50},
        *SPLITS[:1],
        {"id": "c", "name": "C", "percentage": 0},
    ]
    assert data_found("percentage-split", {"splits": three}) == [("invalid_data", "splits")]
    one = [{"id": "a", "name": "A", "percentage": 100}]
    assert data_found("percentage-split", {"splits": one}) == [("invalid_data", "splits")]


def test_split_entries_fields_at_precise_paths() -> None:
    splits = [{"id": "", "name": 3, "percentage": "50"}, {"id": "b", "name": "B", "percentage": 50}]
    assert data_found("percentage-split", {"splits": splits}) == [
        ("missing_data", "splits[0].id"),
        ("missing_data", "splits[0].name"),
        ("missing_data", "splits[0].percentage"),
    ]
    assert data_found("percentage-split", {"splits": [SPLITS[0], "x"]}) == [("missing_data", "splits[1]")]
    assert data_found("percentage-split", {"splits": [{}, SPLITS[1]]}) == [("missing_data", "splits[0]")]


@pytest.mark.parametrize("value", [None, True, False, "50", [50]])
def test_a_split_percentage_that_is_not_a_number_is_missing(value: Any) -> None:
    splits = [{**SPLITS[0], "percentage": value}, {**SPLITS[1], "percentage": 100}]
    assert data_found("percentage-split", {"splits": splits}) == [("missing_data", "splits[0].percentage")]


def test_a_split_percentage_outside_0_to_100_is_invalid() -> None:
    for low, high in ((0, 100), (100, 0), (0.5, 99.5), (33.3, 66.7)):
        splits = [{**SPLITS[0], "percentage": low}, {**SPLITS[1], "percentage": high}]
        assert data_found("percentage-split", {"splits": splits}) == [], (low, high)
    for low, high in ((-1, 101), (-0.001, 100.001)):
        splits = [{**SPLITS[0], "percentage": low}, {**SPLITS[1], "percentage": high}]
        assert data_found("percentage-split", {"splits": splits}) == [
            ("invalid_data", "splits[0].percentage"),
            ("invalid_data", "splits[1].percentage"),
        ]


def test_split_percentages_must_total_100() -> None:
    splits = [{**SPLITS[0], "percentage": 40}, {**SPLITS[1], "percentage": 50}]
    assert data_found("percentage-split", {"splits": splits}) == [("invalid_data", "splits")]
    splits = [{**SPLITS[0], "percentage": 50}, {**SPLITS[1], "percentage": 50.000001}]
    assert data_found("percentage-split", {"splits": splits}) == [("invalid_data", "splits")]
    # within a tiny tolerance of 100 is 100 (binary floats)
    splits = [{**SPLITS[0], "percentage": 1e-10}, {**SPLITS[1], "percentage": 100}]
    assert data_found("percentage-split", {"splits": splits}) == []
    # not judged while a percentage is itself wrong
    splits = [{**SPLITS[0], "percentage": 120}, {**SPLITS[1], "percentage": 50}]
    assert data_found("percentage-split", {"splits": splits}) == [("invalid_data", "splits[0].percentage")]


def test_split_diagnostics_in_the_tables_order() -> None:
    splits = [
        {"percentage": 10},
        {"id": "b", "name": "B", "percentage": 10},
        {"id": "c", "name": "C", "percentage": 10},
    ]
    assert data_found("percentage-split", {"splits": splits}) == [
        ("invalid_data", "splits"),
        ("missing_data", "splits[0].id"),
        ("missing_data", "splits[0].name"),
        ("invalid_data", "splits"),
    ]


def test_time_delay() -> None:
    for duration in (1, 0.5, 10**6):
        assert data_found("time-delay", {"duration": duration, "unit": "minutes"}) == []
    for duration in (*MISSING_VALUES[:4], True, "5"):
        assert data_found("time-delay", {"duration": duration, "unit": "hours"}) == [
            ("missing_data", "duration")
        ]
    for duration in (0, -1, -0.5, 0.0):
        assert data_found("time-delay", {"duration": duration, "unit": "days"}) == [
            ("invalid_data", "duration")
        ]
    for unit in MISSING_VALUES:
        assert data_found("time-delay", {"duration": 1, "unit": unit}) == [("missing_data", "unit")]
    for unit in ("weeks", "Days", "day"):
        assert data_found("time-delay", {"duration": 1, "unit": unit}) == [("invalid_data", "unit")]
    assert data_found("time-delay", {"duration": 0, "unit": "x"}) == [
        ("invalid_data", "duration"),
        ("invalid_data", "unit"),
    ]


def test_data_rules_apply_to_every_trigger_node_even_extra_ones() -> None:
    nodes = [node("t1", "event", {}), node("t2", "form-filled", {})]
    assert found(nodes) == [
        ("multiple_trigger_nodes", "nodes[1]", "t2"),
        ("missing_data", "nodes[0].data.eventName", "t1"),
        ("missing_data", "nodes[1].data.formId", "t2"),
    ]


# -- long graphs --------------------------------------------------------------------


def long_chain(length: int, back_to: int | None = None, delay_at: int | None = None) -> NewAutomation:
    """``t`` → n1 → … → n(length-1), optionally with an edge from the last node back to
    ``n{back_to}`` and a time-delay at ``n{delay_at}``."""
    nodes = [node("t", "contact-subscribed")] + [
        node(f"n{i}", "time-delay" if i == delay_at else "send-email") for i in range(1, length)
    ]
    edges = [edge(f"e{i}", nodes[i - 1]["id"], nodes[i]["id"]) for i in range(1, length)]
    if back_to is not None:
        edges.append(edge("back", nodes[-1]["id"], f"n{back_to}"))
    return automation(nodes, edges)


def test_a_1000_node_chain_needs_no_recursion() -> None:
    looping = long_chain(1000, back_to=1)
    # Given a recursion limit barely above the current stack (recursion would hit it)
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(traceback.extract_stack()) + 40)
    try:
        straight = diagnose(long_chain(1000))
        loop = diagnose(looping)
    finally:
        sys.setrecursionlimit(limit)
    assert straight == []
    assert [(d.code, d.node_id) for d in loop] == [("cycle_without_delay", "n1")]


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(back_to=st.integers(1, 999), delay_at=st.none() | st.integers(1, 999))
def test_a_loop_deep_in_a_1000_node_chain(back_to: int, delay_at: int | None) -> None:
    diagnostics = diagnose(long_chain(1000, back_to, delay_at))
    delayed = delay_at is not None and delay_at >= back_to
    assert [(d.code, d.field, d.node_id) for d in diagnostics] == [
        ("cycle" if delayed else "cycle_without_delay", "edges", f"n{back_to}")
    ]


# -- properties over random graphs --------------------------------------------------

json_scalars = st.none() | st.booleans() | st.integers(-5, 150) | st.floats(-5, 150) | st.text(max_size=4)


def _containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
    return st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=4), children, max_size=3)


json_values = st.recursive(json_scalars, _containers, max_leaves=8)
split_entries = st.lists(
    st.fixed_dictionaries(
        {},
        optional={
            "id": st.sampled_from(["a", "b", ""]) | json_scalars,
            "name": st.text(max_size=3) | json_scalars,
            "percentage": st.sampled_from([0, 50, 100, 33.3, 66.7]) | json_scalars,
        },
    )
    | json_scalars,
    max_size=4,
)
FIELDS = sorted({field for data in GOOD_DATA.values() for field in data} | {"method"})
data = st.dictionaries(
    st.sampled_from(FIELDS),
    json_values | st.sampled_from(["open", "days", "GET", "https://x.io", ["t"], 5]) | split_entries,
    max_size=4,
)


@st.composite
def graphs(draw: st.DrawFn, single_trigger: bool = False) -> dict[str, Any]:
    ids = draw(
        st.lists(
            st.text(min_size=1, max_size=3).filter(str.isprintable), min_size=1, max_size=30, unique=True
        )
    )
    types = draw(st.lists(st.sampled_from(NODE_TYPES), min_size=len(ids), max_size=len(ids)))
    if single_trigger:  # the one trigger anywhere in document order, not only first
        types = [draw(st.sampled_from(ACTION_AND_RULE_TYPES)) for _ in ids[1:]]
        types.insert(
            draw(st.integers(min_value=0, max_value=len(types))),
            draw(st.sampled_from(sorted(TRIGGER_NODE_TYPES))),
        )
    nodes = [
        {"id": node_id, "type": node_type, "data": draw(st.just(GOOD_DATA.get(node_type, {})) | data)}
        for node_id, node_type in zip(ids, types, strict=True)
    ]
    ends = st.sampled_from(ids)
    pairs = draw(
        st.lists(st.tuples(ends, ends, st.sampled_from([None, "true", "false", "a", "b"])), max_size=60)
    )
    edges = [edge(f"e{i}", source, target, handle) for i, (source, target, handle) in enumerate(pairs)]
    trigger = draw(st.sampled_from(get_args(TriggerType)))
    return {"name": "random", "trigger": {"type": trigger}, "nodes": nodes, "edges": edges}


WIDE = ("no_nodes", "missing_trigger_node", "multiple_trigger_nodes", "trigger_mismatch")
PER_NODE = {
    "not_connected": 0,
    "unreachable_node": 1,
    "missing_data": 2,
    "invalid_data": 2,
    "missing_branch": 3,
    "cycle": 4,
    "cycle_without_delay": 4,
}
SEVERITY = {
    "no_nodes": "error",
    "missing_trigger_node": "error",
    "multiple_trigger_nodes": "error",
    "not_connected": "error",
    "missing_data": "error",
    "invalid_data": "error",
    "unreachable_node": "error",
    "edge_into_trigger": "error",
    "cycle_without_delay": "error",
    "cycle": "warning",
    "missing_branch": "warning",
    "trigger_mismatch": "warning",
}


def contract_position(d: Diagnostic, body: dict[str, Any]) -> tuple[int, ...]:
    """Where the contract's order puts ``d``: automation-wide, edges, then node by node."""
    if d.code in WIDE:
        index = int(d.field[len("nodes[") : -1]) if d.code == "multiple_trigger_nodes" else 0
        return (0, WIDE.index(d.code), index)
    if d.code == "edge_into_trigger":
        return (1, int(d.field[len("edges[") : -1]))
    index = [n["id"] for n in body["nodes"]].index(d.node_id)
    return (2, index, PER_NODE[d.code])


@settings(max_examples=300, deadline=None, derandomize=True)
@given(body=graphs() | graphs(single_trigger=True))
def test_diagnose_is_deterministic_ordered_and_keeps_the_overlap_rules(body: dict[str, Any]) -> None:
    diagnostics = diagnose(NewAutomation.model_validate(body), cap=UNCAPPED)
    assert diagnose(NewAutomation.model_validate(body), cap=UNCAPPED) == diagnostics
    positions = [contract_position(d, body) for d in diagnostics]
    assert positions == sorted(positions)
    assert all(d.severity == SEVERITY[d.code] for d in diagnostics)
    trigger_nodes = [n for n in body["nodes"] if n["type"] in TRIGGER_NODE_TYPES]
    codes = [d.code for d in diagnostics]
    if len(trigger_nodes) != 1:
        assert not {"unreachable_node", "cycle", "cycle_without_delay", "trigger_mismatch"} & set(codes)
    not_connected = {d.node_id for d in diagnostics if d.code == "not_connected"}
    unreachable = {d.node_id for d in diagnostics if d.code == "unreachable_node"}
    assert not not_connected & unreachable
    cycle_nodes = [d.node_id for d in diagnostics if d.code in ("cycle", "cycle_without_delay")]
    assert len(cycle_nodes) == len(set(cycle_nodes))
    assert not set(cycle_nodes) & unreachable
    assert all(len(d.message) < 400 for d in diagnostics)
    assert codes.count("multiple_trigger_nodes") == max(0, len(trigger_nodes) - 1)
    assert ("missing_trigger_node" in codes) == (not trigger_nodes)


UNCAPPED = 10**9


@settings(max_examples=200, deadline=None, derandomize=True)
@given(body=graphs() | graphs(single_trigger=True), cap=st.integers(0, 6))
def test_a_capped_list_is_the_whole_lists_beginning_and_its_totals_are_the_whole_lists(
    body: dict[str, Any], cap: int
) -> None:
    automation = NewAutomation.model_validate(body)
    whole = diagnose(automation, cap=UNCAPPED)
    capped = diagnose(automation, cap=cap)
    assert list(capped) == list(whole)[:cap]
    assert (capped.total, capped.errors) == (len(whole), sum(d.severity == "error" for d in whole))


def test_past_the_cap_diagnostics_are_counted_not_built(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a split of 5,000 entries that are not objects: 5,001 errors, and a counter
    # of every diagnostic built
    built: list[str] = []
    real = diagnostics_module.Diagnostic

    def counted(*args: Any, **kwargs: Any) -> Diagnostic:
        built.append(args[1])
        return real(*args, **kwargs)

    monkeypatch.setattr(diagnostics_module, "Diagnostic", counted)
    split = node("s", "percentage-split", {"splits": [0] * 5000})
    result = diagnose(automation([node("t", "contact-subscribed"), split], [edge("e", "t", "s")]))
    # Then 100 are listed, all 5,001 counted, and only the listed ones were built
    assert (len(result), result.total, result.errors) == (100, 5001, 5001)
    assert len(built) == 100


def reaches(body: dict[str, Any], start: str, allowed: set[str]) -> set[str]:
    """Nodes of ``allowed`` reached from ``start`` by one edge or more (a plain search:
    the oracle for the diagnostics' own algorithms)."""
    seen: set[str] = set()
    todo = [start]
    while todo:
        current = todo.pop()
        for e in body["edges"]:
            if e["source"] == current and e["target"] in allowed and e["target"] not in seen:
                seen.add(e["target"])
                todo.append(e["target"])
    return seen


@settings(max_examples=200, deadline=None, derandomize=True)
@given(body=graphs(single_trigger=True))
def test_reachability_and_cycles_agree_with_a_brute_force_oracle(body: dict[str, Any]) -> None:
    ids = [n["id"] for n in body["nodes"]]
    delays = {n["id"] for n in body["nodes"] if n["type"] == "time-delay"}
    has_incoming = {e["target"] for e in body["edges"]}
    (start,) = [n["id"] for n in body["nodes"] if n["type"] in TRIGGER_NODE_TYPES]
    reachable = {start} | reaches(body, start, set(ids))
    expected_unreachable = [i for i in ids if i not in reachable and i in has_incoming]
    # a looping group: nodes that reach themselves, grouped by mutual reachability
    expected_cycles: list[tuple[str, str]] = []
    grouped: set[str] = set()
    for node_id in ids:
        if node_id not in reachable or node_id in grouped:
            continue
        group = {
            other for other in reaches(body, node_id, reachable) if node_id in reaches(body, other, reachable)
        }
        if node_id in group:
            grouped |= group
            kept = group - delays
            looping = any(n in reaches(body, n, kept) for n in kept)
            expected_cycles.append(("cycle_without_delay" if looping else "cycle", node_id))

    diagnostics = diagnose(NewAutomation.model_validate(body))

    assert [d.node_id for d in diagnostics if d.code == "unreachable_node"] == expected_unreachable
    assert [(d.code, d.node_id) for d in diagnostics if d.code.startswith("cycle")] == expected_cycles


@settings(max_examples=200, deadline=None, derandomize=True)
@given(body=graphs(single_trigger=True))
def test_linking_an_unreachable_node_from_the_trigger_makes_it_reachable(body: dict[str, Any]) -> None:
    (trigger,) = [n["id"] for n in body["nodes"] if n["type"] in TRIGGER_NODE_TYPES]
    unreachable = [
        d.node_id for d in diagnose(NewAutomation.model_validate(body)) if d.code == "unreachable_node"
    ]
    for node_id in unreachable:
        linked = {**body, "edges": [*body["edges"], edge("link", trigger, node_id)]}
        after = diagnose(NewAutomation.model_validate(linked))
        assert ("unreachable_node", node_id) not in [(d.code, d.node_id) for d in after]
