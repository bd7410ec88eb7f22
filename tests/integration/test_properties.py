"""Property-based: whatever the body, never a 5xx, never a write on a rejected
request, and what a 201 says is exactly what was stored."""

from __future__ import annotations

import json
import uuid
from typing import Any, get_args

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from automations.item import from_item
from automations.models import JS_TRIMMED, NodeType, TriggerType
from tests.helpers import Tables, post

ids = st.sampled_from(["a", "b", "c", "", "a" * 129, "n\x00"]) | st.text(max_size=6)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=6), children, max_size=3)
    ),
    max_leaves=12,
)
numbers = st.integers() | st.floats(allow_nan=False, allow_infinity=False)
positions = st.fixed_dictionaries({"x": numbers, "y": numbers}) | json_values
nodes = st.fixed_dictionaries(
    {"id": ids | json_scalars, "type": st.sampled_from([*get_args(NodeType), "bogus"])},
    optional={
        "position": positions,
        "data": st.dictionaries(st.text(max_size=6), json_values, max_size=3) | json_values,
        "selected": st.booleans(),
    },
)
edges = st.fixed_dictionaries(
    {"id": ids, "source": ids | json_scalars, "target": ids},
    optional={
        "sourceHandle": st.none() | st.text(max_size=4) | json_scalars,
        "type": st.none() | st.text(max_size=6),
        "animated": st.booleans() | json_scalars,
        "data": json_values,
        "style": json_values,
    },
)
triggers = (
    st.fixed_dictionaries(
        {"type": st.sampled_from([*get_args(TriggerType), "nope"])},
        optional={"config": json_values, "extra": json_values},
    )
    | json_values
)
# Mostly-valid bodies, so that the storage path is exercised as often as the refusals.
pool = st.sampled_from(["n1", "n2", "n3", "节点", "😀"])
data = st.dictionaries(st.text(max_size=6), json_values, max_size=3)
good_nodes = st.fixed_dictionaries(
    {"id": pool, "type": st.sampled_from(get_args(NodeType))},
    optional={
        "position": st.fixed_dictionaries({"x": numbers, "y": numbers}),
        "data": data,
        "width": st.integers(),
    },
)
good_edges = st.fixed_dictionaries(
    {"id": st.sampled_from(["e1", "e2", "e3"]), "source": pool, "target": pool},
    optional={"sourceHandle": st.none() | st.text(max_size=4), "animated": st.booleans(), "data": data},
)
good_bodies = st.fixed_dictionaries(
    {"name": st.text(min_size=1, max_size=100).filter(str.strip)},
    optional={
        "description": st.none() | st.text(max_size=500),
        "trigger": st.fixed_dictionaries(
            {"type": st.sampled_from(get_args(TriggerType))}, optional={"config": data}
        ),
        "nodes": st.lists(good_nodes, max_size=5, unique_by=lambda n: n["id"]),
        "edges": st.lists(good_edges, max_size=3, unique_by=lambda e: e["id"]),
    },
)
bodies = good_bodies | st.fixed_dictionaries(
    {},
    optional={
        "name": st.text(max_size=110) | json_scalars,
        "description": st.none() | st.text(max_size=510) | json_scalars,
        "trigger": triggers,
        "nodes": st.lists(nodes | json_scalars, max_size=6) | json_values,
        "edges": st.lists(edges, max_size=6) | json_values,
        "status": json_values,
    },
)


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=bodies | json_values)
def test_any_body_gets_a_documented_answer_and_a_rejected_one_writes_nothing(
    tables: Tables, body: Any
) -> None:
    workspace = f"ws_{uuid.uuid4().hex[:12]}"
    answer = post(body, workspace)
    event(f"status {answer.status}")
    assert answer.status in {201, 400, 413, 422}, answer.body
    items = tables.items_of(workspace)
    if answer.status == 201:
        assert [from_item(item) for item in items] == [answer.body]
        assert answer.body["name"] == body["name"].strip(JS_TRIMMED)
        assert len(answer.body["nodes"]) == len(body.get("nodes", []))
    else:
        assert items == []
        assert answer.body["error"]["requestId"]


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(raw=st.text(max_size=200) | st.binary(max_size=200).map(lambda b: b.decode("latin-1")))
def test_any_text_at_all_gets_a_4xx_or_a_201_never_a_5xx(tables: Tables, raw: str) -> None:
    answer = post(raw, f"ws_{uuid.uuid4().hex[:12]}", raw=True)
    assert answer.status < 500
    if answer.status != 201:
        assert json.loads(answer.raw["body"])["error"]["code"]
