"""Field and graph rules of the request body (CONTRACT.md, "The request")."""

from __future__ import annotations

import sys
import unicodedata
from typing import Any, get_args

import pytest

from automations.errors import ValidationFailed
from automations.models import JS_TRIMMED, MAX_EDGES, MAX_NODES, NodeType, TriggerType
from automations.validation import field_path, parse_new_automation

TRIGGER_TYPES = get_args(TriggerType)
NODE_TYPES = get_args(NodeType)


def problems(payload: dict[str, Any]) -> list[tuple[str, str]]:
    with pytest.raises(ValidationFailed) as failed:
        parse_new_automation(payload)
    return [(p.field, p.code) for p in failed.value.problems]


def node(node_id: str, node_type: str = "send-email", **extra: Any) -> dict[str, Any]:
    return {"id": node_id, "type": node_type, **extra}


def edge(edge_id: str, source: str, target: str, **extra: Any) -> dict[str, Any]:
    return {"id": edge_id, "source": source, "target": target, **extra}


def nested(depth: int) -> dict[str, Any]:
    """An object whose containers nest ``depth`` levels (itself included)."""
    value: dict[str, Any] = {}
    for _ in range(depth - 1):
        value = {"k": value}
    return value


def test_the_documented_trigger_and_node_types_are_exactly_the_contracts() -> None:
    # Written out from the seed's "Trigger Types" and the contract's node types: the
    # models must hold exactly these, not merely as many.
    assert set(TRIGGER_TYPES) == {
        "contact.subscribed", "contact.unsubscribed", "contact.created", "contact.updated", "event.fired",
        "form.submitted", "segment.entered", "email.opened", "email.clicked", "email.bounced", "email.complained",
    }  # fmt: skip
    assert set(NODE_TYPES) == {
        "contact-subscribed", "contact-property-updated", "form-filled", "webhook-trigger", "event",
        "segment-entry", "segment-exit", "email-engagement", "send-email", "send-webhook", "update-contact",
        "unsubscribe-contact", "add-to-topic", "remove-from-topic", "if-else", "percentage-split", "time-delay",
    }  # fmt: skip
    assert len(TRIGGER_TYPES) == len(set(TRIGGER_TYPES)) and len(NODE_TYPES) == len(set(NODE_TYPES))


def test_only_a_name_is_required_and_defaults_fill_the_rest() -> None:
    automation = parse_new_automation({"name": "Welcome"}).model_dump()
    assert automation == {
        "name": "Welcome",
        "description": None,
        "trigger": {"type": "contact.subscribed", "config": {}},
        "nodes": [],
        "edges": [],
    }


def test_node_and_edge_defaults_and_editor_keys_dropped() -> None:
    automation = parse_new_automation(
        {
            "name": "n",
            "nodes": [
                node("a", selected=True, width=120, dragging=False),
                node("b", position={"x": 1, "y": 2}),
            ],
            "edges": [edge("e", "a", "b", selected=True, style={"stroke": "red"})],
        }
    ).model_dump()
    assert automation["nodes"] == [
        {"id": "a", "type": "send-email", "position": {"x": 0, "y": 0}, "data": {}},
        {"id": "b", "type": "send-email", "position": {"x": 1, "y": 2}, "data": {}},
    ]
    assert automation["edges"] == [
        {
            "id": "e",
            "source": "a",
            "target": "b",
            "sourceHandle": None,
            "targetHandle": None,
            "type": None,
            "animated": False,
            "data": {},
        }
    ]


@pytest.mark.parametrize("trigger_type", TRIGGER_TYPES)
def test_every_documented_trigger_type_is_accepted(trigger_type: str) -> None:
    automation = parse_new_automation({"name": "n", "trigger": {"type": trigger_type, "config": {"a": 1}}})
    assert automation.trigger.type == trigger_type
    assert automation.trigger.config == {"a": 1}


@pytest.mark.parametrize("node_type", NODE_TYPES)
def test_every_documented_node_type_is_accepted(node_type: str) -> None:
    assert parse_new_automation({"name": "n", "nodes": [node("a", node_type)]}).nodes[0].type == node_type


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("a", "a"),
        ("  Welcome  ", "Welcome"),
        ("x" * 100, "x" * 100),
        ("😀" * 100, "😀" * 100),
        (" " + "é" * 100 + "\n", "é" * 100),
    ],
)
def test_names_are_trimmed_and_counted_in_code_points(name: str, stored: str) -> None:
    assert parse_new_automation({"name": name}).name == stored


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("\u00a0Welcome\u3000", "Welcome"),
        ("\ufeffWelcome\u2029", "Welcome"),  # str.strip() keeps U+FEFF
        ("\u1680\u202f\u205fWelcome\v\f", "Welcome"),
        ("\x1cWelcome\x1f", "\x1cWelcome\x1f"),  # str.strip() removes U+001C..U+001F
        ("\x1d\x1e", "\x1d\x1e"),  # so this is no blank name
        ("\x85Welcome\x85", "\x85Welcome\x85"),  # nor is U+0085 trimmed
        ("\u180eWelcome\u180e", "\u180eWelcome\u180e"),  # Cf, not whitespace, since Unicode 6.3
        ("\u200bWelcome", "\u200bWelcome"),  # zero-width space is Cf too
    ],
)
def test_names_are_trimmed_as_javascripts_trim_trims_them(name: str, stored: str) -> None:
    assert parse_new_automation({"name": name}).name == stored


def test_what_a_name_is_trimmed_of_is_ecmascripts_whitespace_and_line_terminators() -> None:
    # ECMAScript: WhiteSpace is TAB, VT, FF, ZWNBSP and every Zs character (SP, NBSP
    # among them); LineTerminator is LF, CR, LS, PS.
    zs = {chr(c) for c in range(sys.maxunicode + 1) if unicodedata.category(chr(c)) == "Zs"}
    assert set(JS_TRIMMED) == zs | set("\t\v\f\ufeff") | set("\n\r\u2028\u2029")
    assert len(JS_TRIMMED) == len(set(JS_TRIMMED))


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("", "blank"),
        ("   ", "blank"),
        ("\t\n", "blank"),
        ("x" * 101, "too_long"),
        ("😀" * 101, "too_long"),
        (5, "invalid_type"),
        (None, "invalid_type"),
    ],
)
def test_bad_names(name: Any, code: str) -> None:
    assert problems({"name": name}) == [("name", code)]


def test_name_is_required() -> None:
    assert problems({}) == [("name", "required")]


@pytest.mark.parametrize(
    ("description", "ok"), [(None, True), ("", True), ("d" * 500, True), ("d" * 501, False), (7, False)]
)
def test_description_is_a_string_of_at_most_500_or_null(description: Any, ok: bool) -> None:
    payload = {"name": "n", "description": description}
    if ok:
        assert parse_new_automation(payload).description == description
    else:
        assert problems(payload)[0][0] == "description"


@pytest.mark.parametrize("field", ["status", "id", "workspaceId", "version", "edge", "createdAt"])
def test_unknown_top_level_fields_are_refused(field: str) -> None:
    assert problems({"name": "n", field: "x"}) == [(field, "unknown_field")]


@pytest.mark.parametrize(
    ("trigger", "expected"),
    [
        ({"type": "contact.deleted"}, [("trigger.type", "invalid_value")]),
        ({"config": {}}, [("trigger.type", "required")]),
        ({"type": "event.fired", "config": []}, [("trigger.config", "invalid_type")]),
        ({"type": "event.fired", "settings": {}}, [("trigger.settings", "unknown_field")]),
        ("contact.subscribed", [("trigger", "invalid_type")]),
        (None, [("trigger", "invalid_type")]),
    ],
)
def test_bad_triggers(trigger: Any, expected: list[tuple[str, str]]) -> None:
    assert problems({"name": "n", "trigger": trigger}) == expected


@pytest.mark.parametrize(
    ("bad_node", "expected"),
    [
        ({"type": "send-email"}, [("nodes[0].id", "required")]),
        (node(""), [("nodes[0].id", "too_short")]),
        (node("x" * 129), [("nodes[0].id", "too_long")]),
        (node("a\x00b"), [("nodes[0].id", "not_printable")]),
        (node(7), [("nodes[0].id", "invalid_type")]),
        (node("a", "send-sms"), [("nodes[0].type", "invalid_value")]),
        ({"id": "a"}, [("nodes[0].type", "required")]),
        (node("a", position={"x": "1", "y": 2}), [("nodes[0].position.x", "invalid_type")]),
        (node("a", position={"x": True, "y": 2}), [("nodes[0].position.x", "invalid_type")]),
        (node("a", position={"x": 1}), [("nodes[0].position.y", "required")]),
        (node("a", position=[1, 2]), [("nodes[0].position", "invalid_type")]),
        (node("a", data=[]), [("nodes[0].data", "invalid_type")]),
        (node("a", data=nested(17)), [("nodes[0].data", "too_deep")]),
        ("a", [("nodes[0]", "invalid_type")]),
    ],
)
def test_bad_nodes(bad_node: Any, expected: list[tuple[str, str]]) -> None:
    assert problems({"name": "n", "nodes": [bad_node]}) == expected


def test_positions_keep_integers_and_floats_as_sent() -> None:
    automation = parse_new_automation(
        {
            "name": "n",
            "nodes": [
                node("a", position={"x": 120, "y": -45.25}),
                node("b", position={"x": 1e-300, "y": 0.1}),
            ],
        }
    ).model_dump()
    assert [n["position"] for n in automation["nodes"]] == [{"x": 120, "y": -45.25}, {"x": 1e-300, "y": 0.1}]
    assert type(automation["nodes"][0]["position"]["x"]) is int


def test_data_may_nest_exactly_sixteen_levels() -> None:
    automation = parse_new_automation({"name": "n", "nodes": [node("a", data=nested(16))]})
    assert automation.nodes[0].data == nested(16)


def test_depth_counts_arrays_as_well_as_objects() -> None:
    data: dict[str, Any] = {"k": [[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}  # 1 object + 16 arrays = 17
    assert problems({"name": "n", "nodes": [node("a", data=data)]}) == [("nodes[0].data", "too_deep")]
    assert problems({"name": "n", "edges": [edge("e", "a", "a", data=data)], "nodes": [node("a")]}) == [
        ("edges[0].data", "too_deep")
    ]
    assert problems({"name": "n", "trigger": {"type": "event.fired", "config": data}}) == [
        ("trigger.config", "too_deep")
    ]


@pytest.mark.parametrize(
    ("bad_edge", "expected"),
    [
        ({"id": "e", "source": "a"}, [("edges[0].target", "required")]),
        (edge("e", "a", 3), [("edges[0].target", "invalid_type")]),
        (edge("e", "a", "a", sourceHandle=1), [("edges[0].sourceHandle", "invalid_type")]),
        (edge("e", "a", "a", animated="yes"), [("edges[0].animated", "invalid_type")]),
        (edge("", "a", "a"), [("edges[0].id", "too_short")]),
    ],
)
def test_bad_edges(bad_edge: dict[str, Any], expected: list[tuple[str, str]]) -> None:
    assert problems({"name": "n", "nodes": [node("a")], "edges": [bad_edge]}) == expected


def test_edge_handles_may_be_null_or_strings() -> None:
    automation = parse_new_automation(
        {
            "name": "n",
            "nodes": [node("a")],
            "edges": [
                edge("e", "a", "a", sourceHandle="yes", targetHandle=None, type="smoothstep", animated=True)
            ],
        }
    )
    assert automation.edges[0].model_dump()["sourceHandle"] == "yes"
    assert automation.edges[0].animated is True


def test_limits_of_nodes_and_edges() -> None:
    nodes = [node(f"n{i}") for i in range(MAX_NODES)]
    edges = [edge(f"e{i}", "n0", f"n{i % MAX_NODES}") for i in range(MAX_EDGES)]
    assert len(parse_new_automation({"name": "n", "nodes": nodes, "edges": edges}).edges) == MAX_EDGES
    assert problems({"name": "n", "nodes": [*nodes, node("extra")]}) == [("nodes", "too_many")]
    assert problems({"name": "n", "nodes": nodes, "edges": [*edges, edge("x", "n0", "n0")]}) == [
        ("edges", "too_many")
    ]


def test_every_graph_problem_is_reported_at_once() -> None:
    payload = {
        "name": "n",
        "nodes": [node("a"), node("b"), node("a"), node("c")],
        "edges": [
            edge("e1", "a", "b"),
            edge("e2", "b", "zz"),
            edge("e1", "ghost", "c"),
            edge("e4", "nope", "nada"),
        ],
    }
    assert problems(payload) == [
        ("nodes[2].id", "duplicate_id"),
        ("edges[1].target", "unknown_node"),
        ("edges[2].id", "duplicate_id"),
        ("edges[2].source", "unknown_node"),
        ("edges[3].source", "unknown_node"),
        ("edges[3].target", "unknown_node"),
    ]


def test_graph_messages_name_the_edge_and_the_missing_node() -> None:
    with pytest.raises(ValidationFailed) as failed:
        parse_new_automation({"name": "n", "nodes": [node("n1")], "edges": [edge("e4", "n1", "n9")]})
    assert failed.value.problems[0].message == "edge 'e4' targets node 'n9', which does not exist"


def test_field_and_graph_problems_come_together() -> None:
    payload = {
        "name": "",
        "status": "PUBLISHED",
        "nodes": [node("a", "bogus"), node("a")],
        "edges": [edge("e", "a", "b")],
    }
    assert sorted(problems(payload)) == sorted(
        [
            ("name", "blank"),
            ("status", "unknown_field"),
            ("nodes[0].type", "invalid_value"),
            ("nodes[1].id", "duplicate_id"),
            ("edges[0].target", "unknown_node"),
        ]
    )


def test_malformed_entries_do_not_hide_graph_problems_elsewhere() -> None:
    payload = {"name": "n", "nodes": ["junk", node("a"), {"id": 5}], "edges": [7, edge("e", "a", "gone")]}
    found = problems(payload)
    assert ("edges[1].target", "unknown_node") in found
    assert ("nodes[0]", "invalid_type") in found
    assert ("edges[0]", "invalid_type") in found


def test_an_edge_may_join_a_node_to_itself_and_cycles_wait_for_publish() -> None:
    payload = {
        "name": "n",
        "nodes": [node("a"), node("b")],
        "edges": [edge("e1", "a", "a"), edge("e2", "a", "b"), edge("e3", "b", "a")],
    }
    assert len(parse_new_automation(payload).edges) == 3


def test_long_client_ids_are_shortened_in_messages() -> None:
    with pytest.raises(ValidationFailed) as failed:
        parse_new_automation({"name": "n", "edges": [edge("e", "a" * 5000, "b")]})
    assert all(len(p.message) < 200 for p in failed.value.problems)


@pytest.mark.parametrize(
    ("loc", "path"),
    [
        (("name",), "name"),
        (("edges", 3, "target"), "edges[3].target"),
        (("nodes", 2, "position", "x"), "nodes[2].position.x"),
        (("nodes", 0), "nodes[0]"),
    ],
)
def test_field_paths(loc: tuple[int | str, ...], path: str) -> None:
    assert field_path(loc) == path


def test_unknown_keys_take_the_place_the_model_gives_them_among_the_other_problems() -> None:
    # The body's fields in declared order, a trigger's unknown keys after its fields,
    # the body's unknown keys after every field, graph problems last
    payload = {
        "zzz": 1,
        "name": 5,
        "trigger": {"q": 1, "type": 3, "config": {}, "r": 2},
        "aaa": 2,
        "nodes": [{"id": 1}, node("a"), node("a")],
    }
    assert problems(payload) == [
        ("name", "invalid_type"),
        ("trigger.type", "invalid_value"),
        ("trigger.q", "unknown_field"),
        ("trigger.r", "unknown_field"),
        ("nodes[0].id", "invalid_type"),
        ("nodes[0].type", "required"),
        ("zzz", "unknown_field"),
        ("aaa", "unknown_field"),
        ("nodes[2].id", "duplicate_id"),
    ]


def test_a_trigger_of_unknown_keys_only_lacks_its_type_too() -> None:
    assert problems({"name": "n", "trigger": {"kind": "x"}}) == [
        ("trigger.type", "required"),
        ("trigger.kind", "unknown_field"),
    ]


def test_tens_of_thousands_of_unknown_keys_are_counted_and_only_the_listed_ones_built(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Given 30,000 unknown keys in the trigger and 30,000 in the body, and a counter of
    # every problem built
    from automations import errors, validation

    built: list[str] = []
    real = errors.Problem

    def counted(*args: Any) -> errors.Problem:
        built.append(args[0])
        return real(*args)

    monkeypatch.setattr(validation, "Problem", counted)
    payload = {
        "name": "n",
        "trigger": {"type": "event.fired", **{f"t{i}": 0 for i in range(30_000)}},
        **{f"u{i}": 0 for i in range(30_000)},
    }
    with pytest.raises(ValidationFailed) as failed:
        parse_new_automation(payload)
    # Then 100 are listed, in order, all 60,000 counted, and 100 were built
    assert failed.value.total == 60_000
    assert [p.field for p in failed.value.problems] == [f"trigger.t{i}" for i in range(100)]
    assert failed.value.codes == {"unknown_field"}
    assert len(built) == 100
