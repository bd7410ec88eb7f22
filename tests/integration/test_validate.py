"""POST /v1/automations/validate through its own function, on moto and dynalite:
the create's errors from the create's own validator, the publish-time diagnostics,
and nothing stored, ever."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from automations.diagnostics import CODES
from automations.routes import VALIDATE
from automations_local.events import http_api_event
from tests.helpers import READ, WRITE, Answer, Tables, claims_for, invoke, load_event, post
from tests.integration.test_properties import bodies as create_bodies

PUBLISHABLE = {
    "name": "Welcome series",
    "trigger": {"type": "contact.subscribed"},
    "nodes": [
        {"id": "start", "type": "contact-subscribed"},
        {"id": "hello", "type": "send-email", "data": {"templateId": "tpl_hello"}},
        {"id": "wait", "type": "time-delay", "data": {"duration": 2, "unit": "days"}},
        {"id": "tips", "type": "send-email", "data": {"templateId": "tpl_tips"}},
    ],
    "edges": [
        {"id": "e1", "source": "start", "target": "hello"},
        {"id": "e2", "source": "hello", "target": "wait"},
        {"id": "e3", "source": "wait", "target": "tips"},
    ],
}


def validate(
    body: Any, workspace: str | None, *, scope: str | None = READ, raw: bool = False, **event_args: Any
) -> Answer:
    text = body if raw else json.dumps(body)
    event = http_api_event(text, claims=claims_for(workspace, scope), path=VALIDATE.path, **event_args)
    return invoke(event)


def nothing_stored(tables: Tables) -> None:
    assert tables.items() == []
    assert tables.client.scan(TableName=tables.idempotency)["Items"] == []


def test_a_publishable_flow_is_valid_and_publishable(tables: Tables, workspace: str) -> None:
    answer = validate(PUBLISHABLE, workspace)
    assert answer.status == 200
    assert answer.body == {
        "object": "automation_validation", "valid": True, "publishable": True, "errors": [],
        "diagnostics": [], "errorsTotal": 0, "diagnosticsTotal": 0,
    }  # fmt: skip
    assert answer.headers["x-request-id"]
    nothing_stored(tables)


def test_the_welcome_series_event_body_answers_what_stands_between_it_and_publishing(
    tables: Tables, workspace: str
) -> None:
    body = json.loads(load_event("create-welcome-series.json")["body"])
    answer = validate(body, workspace, scope=WRITE)
    assert (answer.status, answer.body["valid"], answer.body["publishable"]) == (200, True, False)
    assert answer.body["diagnostics"][0] == {
        "severity": "error", "code": "missing_data", "field": "nodes[1].data.templateId",
        "nodeId": "welcome", "message": "a send-email node needs data.templateId",
    }  # fmt: skip
    assert answer.body["diagnosticsTotal"] == len(answer.body["diagnostics"])
    nothing_stored(tables)


CORPUS: dict[str, Any] = {
    "valid": PUBLISHABLE,
    "field-problems": {"name": "", "nodes": [{"id": "a", "type": "nope"}], "status": 1},
    "graph-problems": {"name": "g", "edges": [{"id": "e", "source": "x", "target": "y"}]},
    "duplicates": {"name": "d", "nodes": [{"id": "a", "type": "event"}] * 2},
    "too-many-nodes": {"name": "n", "nodes": [{"id": f"n{i}", "type": "event"} for i in range(1001)]},
    "many-problems": {"name": "x", **{f"unknown{i}": i for i in range(150)}},
    "too-deep-data": {"name": "d", "nodes": [{"id": "a", "type": "event", "data": json.loads("{" + '"k": {' * 17 + "}" * 18)}]},
    # as UTF-8 text, under 1 MiB (as \\u escapes it would be over)
    "too-large-to-store": json.dumps({"name": "big", "nodes": [{"id": f"n{i}", "type": "send-email", "data": {"h": "é" * 45_000}} for i in range(5)]}, ensure_ascii=False),
    "not-an-object": [1, 2],
    "syntax": '{"name": ',
    "over-1-mib": '{"name": "' + "x" * (1024 * 1024) + '"}',
    "65-levels": '{"name": "d", "x": ' + "[" * 64 + "]" * 64 + "}",
    "utf-16": "utf-16",
}  # fmt: skip


def both(name: str, body: Any, workspace: str, **kwargs: Any) -> tuple[Answer, Answer]:
    """The same body to the create and to the validate (each in a workspace of the
    same length, so sizes compare)."""
    raw = isinstance(body, str)
    if body == "utf-16":
        text = json.dumps({"name": "a"}).encode("utf-16")
        events = [
            http_api_event(text, claims=claims_for(workspace, WRITE), is_base64=True, path=path, **kwargs)
            for path in ("/v1/automations", VALIDATE.path)
        ]
        return invoke(events[0]), invoke(events[1])
    other = f"ws_{uuid.uuid4().hex[:12]}"
    assert len(other) == len(workspace)
    return post(body, workspace, raw=raw, **kwargs), validate(body, other, raw=raw, scope=WRITE, **kwargs)


def same_answer(created: Answer, checked: Answer) -> None:
    """What the validate answers is what the create answered, as the contract pairs them."""
    if created.status == 201:
        assert (checked.status, checked.body["valid"], checked.body["errors"]) == (200, True, [])
    elif created.status == 422:
        assert checked.status == 200
        assert checked.body["valid"] is checked.body["publishable"] is False
        assert checked.body["errors"] == created.body["error"]["validationErrors"]
        assert checked.body["errorsTotal"] >= len(checked.body["errors"])
        assert checked.body["diagnostics"] == []
    else:  # 400, 413, 415: the same status, code and message
        assert checked.status == created.status
        assert {**checked.body["error"], "requestId": ""} == {**created.body["error"], "requestId": ""}


@pytest.mark.parametrize("name", list(CORPUS))
def test_a_corpus_gets_the_creates_answer_from_the_same_validator(
    tables: Tables, workspace: str, name: str
) -> None:
    created, checked = both(name, CORPUS[name], workspace)
    same_answer(created, checked)
    expected = {
        "many-problems": 422,
        "too-large-to-store": 413,
        "over-1-mib": 413,
        "65-levels": 400,
        "utf-16": 400,
    }
    if name in expected:
        assert created.status == expected[name]
    if name == "many-problems":
        assert checked.body["errorsTotal"] == 150 and len(checked.body["errors"]) == 100
    if name == "too-large-to-store":
        assert checked.error_code == "automation_too_large"


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(body=create_bodies)
def test_generated_bodies_get_the_creates_answer_too(tables: Tables, body: Any) -> None:
    created, checked = both("generated", body, f"ws_{uuid.uuid4().hex[:12]}")
    same_answer(created, checked)


def test_an_automation_too_large_to_store_is_the_creates_413(tables: Tables, workspace: str) -> None:
    answer = validate(CORPUS["too-large-to-store"], workspace, raw=True)
    assert (answer.status, answer.error_code) == (413, "automation_too_large")
    nothing_stored(tables)


@pytest.mark.parametrize("scope", [READ, WRITE])
def test_either_scope_validates(tables: Tables, workspace: str, scope: str) -> None:
    assert validate(PUBLISHABLE, workspace, scope=scope).status == 200


def test_no_scope_is_403_naming_both_and_no_workspace_is_403_and_no_claims_is_401(
    tables: Tables, workspace: str
) -> None:
    refused = validate(PUBLISHABLE, workspace, scope="profile")
    assert (refused.status, refused.error_code) == (403, "insufficient_scope")
    assert refused.headers["www-authenticate"] == (
        'Bearer error="insufficient_scope", scope="read:automations write:automations"'
    )
    assert validate(PUBLISHABLE, None).error_code == "workspace_required"
    anonymous = invoke(http_api_event(json.dumps(PUBLISHABLE), claims=None, path=VALIDATE.path))
    assert (anonymous.status, anonymous.error_code) == (401, "authentication_required")


@pytest.mark.parametrize("key", ["k-1", "\x01 not a key", ""])
def test_an_idempotency_key_is_ignored(tables: Tables, workspace: str, key: str) -> None:
    first = validate(PUBLISHABLE, workspace, headers={"Idempotency-Key": key})
    again = validate({**PUBLISHABLE, "name": "other"}, workspace, headers={"Idempotency-Key": key})
    assert first.status == again.status == 200
    assert "idempotent-replayed" not in first.headers
    nothing_stored(tables)


def test_it_needs_no_table_and_no_storage_at_all(
    tables: Tables, workspace: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a function deployed as the template deploys it: no table variables, and
    # any DynamoDB endpoint unreachable
    from automations import settings

    monkeypatch.delenv("AUTOMATIONS_TABLE")
    monkeypatch.delenv("IDEMPOTENCY_TABLE")
    monkeypatch.setenv("AWS_ENDPOINT_URL_DYNAMODB", "http://127.0.0.1:9")
    settings.get_settings.cache_clear()
    # When it validates, Then it answers all the same
    answer = validate(PUBLISHABLE, workspace)
    assert (answer.status, answer.body["publishable"]) == (200, True)


def test_every_list_is_cut_at_a_hundred_and_the_totals_say_so(tables: Tables, workspace: str) -> None:
    nodes = [{"id": "t", "type": "contact-subscribed"}] + [
        {"id": f"n{i}", "type": "send-email"} for i in range(150)
    ]
    answer = validate({"name": "loose", "nodes": nodes}, workspace)
    assert answer.body["diagnosticsTotal"] == 300  # each: not_connected and missing_data
    assert len(answer.body["diagnostics"]) == 100
    assert [d["code"] for d in answer.body["diagnostics"][:2]] == ["not_connected", "missing_data"]
    assert len(answer.raw["body"].encode()) < 256 * 1024


# Random graphs through the route: the answer is a function of the body, and the
# contract's invariants hold.
TYPES = [
    "contact-subscribed",
    "event",
    "send-email",
    "time-delay",
    "if-else",
    "percentage-split",
    "add-to-topic",
]
graphs = st.integers(min_value=0, max_value=12).flatmap(
    lambda n: st.tuples(
        st.lists(st.sampled_from(TYPES), min_size=n, max_size=n),
        st.lists(st.tuples(st.integers(0, max(n - 1, 0)), st.integers(0, max(n - 1, 0)),
                           st.sampled_from([None, "true", "false", "a"])), max_size=2 * n if n else 0),
        st.lists(st.booleans(), min_size=n, max_size=n),
    )
)  # fmt: skip
GOOD = {"event": {"eventName": "signup"}, "send-email": {"templateId": "t"}, "time-delay": {"duration": 1, "unit": "days"},
        "if-else": {"conditions": {"all": []}}, "add-to-topic": {"topicIds": ["x"]},
        "percentage-split": {"splits": [{"id": "a", "name": "A", "percentage": 50}, {"id": "b", "name": "B", "percentage": 50}]}}  # fmt: skip


def graph_body(
    types: list[str], links: list[tuple[int, int, str | None]], good: list[bool]
) -> dict[str, Any]:
    return {
        "name": "random",
        "nodes": [{"id": f"n{i}", "type": t, "data": GOOD.get(t, {}) if ok else {}} for i, (t, ok) in enumerate(zip(types, good, strict=True))],
        "edges": [{"id": f"e{j}", "source": f"n{a}", "target": f"n{b}", "sourceHandle": h} for j, (a, b, h) in enumerate(links)],
    }  # fmt: skip


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(graph=graphs)
def test_random_graphs_answer_deterministically_and_publishable_means_no_error(
    tables: Tables, graph: tuple[list[str], list[tuple[int, int, str | None]], list[bool]]
) -> None:
    body = graph_body(*graph)
    first, again = validate(body, "ws_random"), validate(body, "ws_random")
    assert first.status == again.status == 200, first.body
    assert first.body == again.body
    diagnostics = first.body["diagnostics"]
    assert first.body["valid"] is True
    assert first.body["publishable"] is (not any(d["severity"] == "error" for d in diagnostics))
    assert {d["code"] for d in diagnostics} <= set(CODES)
    assert tables.items() == []
