"""Hard limits, every request, before anything else (contract, "Hard limits"): on
moto and dynalite, through the real handler, reading back that nothing was stored.

Each body here is hostile as bytes, not only as JSON values: other encodings,
invalid UTF-8, lone surrogates, nesting past 64 levels, numbers past a double, tens
of thousands of keys; and events that are not HTTP API requests at all.
"""

from __future__ import annotations

import copy
import json
import uuid
from typing import Any

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from automations.body import MAX_BODY_BYTES
from automations.routes import CREATE, ROUTES, VALIDATE, Route
from automations_local.context import LambdaContext
from automations_local.events import http_api_event
from tests.helpers import HANDLERS, READ, WRITE, Answer, Tables, claims_for, invoke

ERROR_ANSWER_LIMIT = 256 * 1024


def send(
    raw: bytes | str,
    workspace: str,
    *,
    key: str | None = None,
    as_base64: bool = False,
    path: str = CREATE.path,
) -> Answer:
    """POST ``raw`` as the body (to the create, or ``path``): bytes go base64-encoded,
    as API Gateway sends a body it does not take for text; a str goes as the
    event's text body."""
    headers = {"Idempotency-Key": key} if key else {}
    claims = claims_for(workspace, f"{READ} {WRITE}")
    if isinstance(raw, bytes) or as_base64:
        data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
        event = http_api_event(data, claims=claims, headers=headers, is_base64=True, path=path)
    else:
        event = http_api_event(None, claims=claims, headers=headers, path=path)
        event["body"] = raw
    return invoke(event)


def idempotency_records(tables: Tables) -> int:
    return len(tables.client.scan(TableName=tables.idempotency, ConsistentRead=True)["Items"])


def nested(depth: int) -> str:
    return (
        '{"name": "deep", "trigger": {"type": "event.fired", "config": {"v": '
        + ("[" * (depth - 3) + "]" * (depth - 3))
        + "}}}"
    )


HOSTILE: dict[str, bytes | str] = {
    "utf-16": json.dumps({"name": "a"}).encode("utf-16"),
    "utf-16-le": json.dumps({"name": "a"}).encode("utf-16-le"),
    "utf-32": json.dumps({"name": "a"}).encode("utf-32"),
    "latin-1": '{"name": "Zwölf"}'.encode("latin-1"),
    "encoded-surrogate": b'{"name": "\xed\xa0\x80"}',
    "lone-surrogate-text": '{"name": "a\udc00"}',
    "lone-surrogate-escape": '{"name": "a", "trigger": {"type": "event.fired", "config": {"\\ud800": 1}}}',
    "65-levels": nested(65),
    "65-levels-base64": nested(65).encode(),
    "100000-levels": "[" * 100_000 + "]" * 100_000,
    "1e400": '{"name": "a", "nodes": [{"id": "n", "type": "event", "position": {"x": 1e400, "y": 0}}]}',
    "400-digit-integer": '{"name": "a", "trigger": {"type": "event.fired", "config": {"v": '
    + "7" * 400
    + "}}}",
}


@pytest.mark.parametrize("with_key", [False, True], ids=["no-key", "key"])
@pytest.mark.parametrize("name", list(HOSTILE))
def test_each_hard_limit_is_400_invalid_json_and_nothing_is_stored(
    tables: Tables, workspace: str, name: str, with_key: bool
) -> None:
    answer = send(HOSTILE[name], workspace, key=f"k-{uuid.uuid4()}" if with_key else None)
    assert (answer.status, answer.error_code) == (400, "invalid_json"), answer.body
    assert answer.body["error"]["type"] == "invalid_request_error"
    assert tables.items_of(workspace) == []
    assert idempotency_records(tables) == 0  # decided before the idempotency utility ran


def test_sixty_four_levels_are_a_body_like_any_other(tables: Tables, workspace: str) -> None:
    # 64 levels pass the hard limit; the 16-level rule for config then answers 422.
    answer = send(nested(64), workspace)
    assert (answer.status, answer.problems()) == (422, [("trigger.config", "too_deep")])
    assert tables.items_of(workspace) == []


CORPUS: dict[str, bytes | str] = {
    **HOSTILE,
    "valid": json.dumps({"name": "ok", "nodes": [{"id": "a", "type": "event"}]}),
    "field-problems": json.dumps({"name": "", "nodes": [{"id": "a", "type": "nope"}], "status": 1}),
    "graph-problems": json.dumps({"name": "g", "edges": [{"id": "e", "source": "x", "target": "y"}]}),
    "too-deep-data": json.dumps(
        {
            "name": "d",
            "nodes": [{"id": "a", "type": "event", "data": json.loads("{" + '"k": {' * 17 + "}" * 18)}],
        }
    ),
    "not-an-object": "[1, 2]",
    "syntax": '{"name": ',
    "over-1-mib": '{"name": "' + "x" * MAX_BODY_BYTES + '"}',
    "too-large-to-store": json.dumps(
        {
            "name": "big",
            "nodes": [{"id": f"n{i}", "type": "send-email", "data": {"h": "é" * 45_000}} for i in range(5)],
        },
        ensure_ascii=False,
    ),
}


@pytest.mark.parametrize("name", list(CORPUS))
def test_a_body_gets_the_same_answer_with_or_without_an_idempotency_key(
    tables: Tables, workspace: str, name: str
) -> None:
    other = f"ws_{uuid.uuid4().hex[:12]}"  # the same length: sizes compare too
    without = send(CORPUS[name], workspace)
    keyed = send(CORPUS[name], other, key=f"k-{uuid.uuid4()}")
    assert without.status == keyed.status
    if without.status == 201:
        ignore = {"id": None, "createdAt": None, "updatedAt": None}
        assert without.body | ignore == keyed.body | ignore
    else:
        assert without.error_but_request_id == keyed.error_but_request_id
        assert tables.items_of(workspace) == tables.items_of(other) == []


def test_tens_of_thousands_of_problems_list_the_first_hundred_and_state_the_total(
    tables: Tables, workspace: str
) -> None:
    body = {"name": "x", **{f"unknown{i}": i for i in range(45_000)}}
    answer = send(json.dumps(body), workspace)
    assert answer.status == 422
    error = answer.body["error"]
    assert error["message"] == "45000 problems in the request body; the first 100 are listed"
    assert [p["field"] for p in error["validationErrors"]] == [f"unknown{i}" for i in range(100)]
    assert len(answer.raw["body"].encode()) < ERROR_ANSWER_LIMIT
    assert tables.items_of(workspace) == []


def test_graph_problems_past_the_hundredth_are_counted_not_listed(tables: Tables, workspace: str) -> None:
    edges = [{"id": f"e{i}", "source": f"x{i}", "target": f"y{i}"} for i in range(2_000)]
    answer = send(json.dumps({"name": "g", "edges": edges}), workspace)
    error = answer.body["error"]
    assert error["message"] == "4000 problems in the automation graph; the first 100 are listed"
    assert len(error["validationErrors"]) == 100
    assert error["validationErrors"][-1]["field"] == "edges[49].target"
    assert tables.items_of(workspace) == []


def test_a_client_key_in_a_field_path_is_cut_so_no_answer_grows_with_it(
    tables: Tables, workspace: str
) -> None:
    long_key = "k" * 500_000
    answer = send(
        json.dumps({"name": "x", long_key: 1, "trigger": {"type": "event.fired", long_key: 1}}), workspace
    )
    assert answer.status == 422
    fields = [p["field"] for p in answer.body["error"]["validationErrors"]]
    assert sorted(fields) == ["k" * 64 + "…", "trigger." + "k" * 64 + "…"]
    assert len(answer.raw["body"].encode()) < 2_000
    assert tables.items_of(workspace) == []


def _event(**changes: Any) -> dict[str, Any]:
    """A valid create event for a new workspace, with pieces replaced (a value of
    ... removes the piece). Keys with dots reach into requestContext."""
    event = http_api_event('{"name": "direct"}', claims=claims_for(f"ws_{uuid.uuid4().hex[:12]}"))
    for path, value in changes.items():
        *parents, leaf = path.split(".")
        target = event
        for part in parents:
            target = target[part]
        if value is ...:
            del target[leaf]
        else:
            target[leaf] = value
    return event


NOT_HTTP_API: dict[str, Any] = {
    "null": None,
    "a-list": [],
    "a-string": "POST /v1/automations",
    "empty-object": {},
    "an-s3-event": {"Records": [{"eventSource": "aws:s3"}]},
    "rest-api-v1": {"httpMethod": "POST", "path": "/v1/automations", "body": "{}", "requestContext": {}},
    "no-requestContext": _event(requestContext=...),
    "null-requestContext": _event(requestContext=None),
    "no-http": _event(**{"requestContext.http": ...}),
    "null-http": _event(**{"requestContext.http": None}),
    "http-without-method": _event(**{"requestContext.http.method": ...}),
    "no-rawPath": _event(rawPath=...),
    "null-headers": _event(headers=None),
    "a-header-not-a-string": _event(**{"headers.content-type": 5}),
    "body-not-a-string": _event(body={"name": "x"}),
    "isBase64Encoded-a-string": _event(isBase64Encoded="false"),
    "pathParameters-a-list": _event(pathParameters=["x"]),
    "no-stage": _event(**{"requestContext.stage": ...}),
    "requestId-of-129": _event(**{"requestContext.requestId": "r" * 129}),
    "requestId-of-5-MB": _event(**{"requestContext.requestId": "r" * 5_000_000}),
    "requestId-with-CR-LF": _event(**{"requestContext.requestId": "r\r\nX-Injected: 1"}),
    "requestId-not-ASCII": _event(**{"requestContext.requestId": "r\u00e9"}),
}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.module)
@pytest.mark.parametrize("name", list(NOT_HTTP_API))
def test_an_event_that_is_not_an_http_api_request_is_400_invalid_event(
    tables: Tables, name: str, route: Route
) -> None:
    raw = HANDLERS[route.key](copy.deepcopy(NOT_HTTP_API[name]), LambdaContext(aws_request_id="lambda-req-1"))
    assert raw["statusCode"] == 400
    assert raw["headers"]["X-Request-Id"] == "lambda-req-1"
    error = json.loads(raw["body"])["error"]
    assert (error["type"], error["code"], error["requestId"]) == (
        "invalid_request_error",
        "invalid_event",
        "lambda-req-1",
    )
    assert tables.items() == []


def test_a_request_id_of_128_characters_is_still_an_event_and_echoed(tables: Tables, workspace: str) -> None:
    rid = "r" * 128
    answer = invoke(http_api_event("{}", claims=claims_for(workspace), request_id=rid))
    assert (answer.status, answer.headers["x-request-id"], answer.body["error"]["requestId"]) == (
        422,
        rid,
        rid,
    )


HOSTILE_CLAIMS = {
    "scp-nested-200k": {"scp": "[" * 200_000 + "]" * 200_000},
    "scp-json-with-a-nested-array": {"scp": '["x", ' + "[" * 50_000 + "]" * 50_000 + "]"},
    "scope-no-break-space": {"scope": f"{WRITE}\u00a0{READ}"},
    "scope-as-json-text": {"scope": f'["{WRITE}", "{READ}"]'},
    "scope-a-number": {"scope": 7, "scp": None},
    "claims-a-list": None,
}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.module)
@pytest.mark.parametrize("name", list(HOSTILE_CLAIMS))
def test_hostile_scope_claims_are_refused_403_never_a_5xx(tables: Tables, name: str, route: Route) -> None:
    # Given a token whose scopes are rendered in a way the gateway would not grant
    extra = HOSTILE_CLAIMS[name]
    event = http_api_event(
        "{}",
        claims={"workspace_id": "ws_1", **(extra or {})},
        method=route.method,
        path=route.path.replace("{automationId}", "aut_01M8D2H2TGGRSGKA3MB4ZX3XV9"),
        route_key=route.key,
        path_parameters={"automationId": "aut_01M8D2H2TGGRSGKA3MB4ZX3XV9"} if "{" in route.path else None,
    )
    if extra is None:
        event["requestContext"]["authorizer"]["jwt"]["claims"] = ["not", "a", "map"]
    # When any route's function reads it
    answer = invoke(event)
    # Then the answer is a refusal in the envelope, and nothing is stored
    assert (answer.status, answer.body["error"]["type"]) in {
        (401, "authentication_error"),
        (403, "permission_error"),
    }
    assert tables.items() == []


# Hostile bytes, generated. Each example is sent twice, with and without an
# Idempotency-Key, to a workspace of its own.
json_texts = st.recursive(
    st.sampled_from(["1", "-0.0", "1e308", "null", "true", '""', '"\\u00e9"', '"😀"']),
    lambda inner: (
        st.lists(inner, max_size=3).map(lambda xs: "[" + ",".join(xs) + "]")
        | st.lists(st.tuples(st.text(max_size=4), inner), max_size=3).map(
            lambda kvs: "{" + ",".join(f"{json.dumps(k)}:{v}" for k, v in kvs) + "}"
        )
    ),
    max_leaves=8,
)
bodies = st.builds(
    lambda name, extra: (
        '{"name": ' + json.dumps(name) + "".join(f", {json.dumps(k)}: {v}" for k, v in extra) + "}"
    ),
    st.text(max_size=8),
    st.lists(st.tuples(st.sampled_from(["nodes", "edges", "trigger", "x"]), json_texts), max_size=2),
)
deep = st.builds(
    lambda depth, opener: (
        '{"name": "d", "x": ' + opener * depth + "1" + ("]" if opener == "[" else "}") * depth + "}"
    ),
    st.integers(min_value=55, max_value=5_000),
    st.sampled_from(["[", '{"a":']),
)
huge_numbers = st.builds(
    lambda digits, sign, exp: '{"name": "n", "x": ' + sign + "9" * digits + exp + "}",
    st.integers(min_value=300, max_value=5_000),
    st.sampled_from(["", "-"]),
    st.sampled_from(["", ".5", "e10", "e-999"]),
)
many_keys = st.integers(min_value=10_000, max_value=40_000).map(
    lambda n: json.dumps(
        {
            "name": "k",
            "trigger": {"type": "event.fired", "config": {f"k{i}": i for i in range(n)}},
            **{f"u{i}": 0 for i in range(n // 10)},
        }
    )
)
surrogates = st.builds(
    lambda text, escape: '{"name": ' + json.dumps(text)[:-1] + escape + '"}',
    st.text(max_size=5),
    st.sampled_from(["\\ud800", "\\udfff", "\\ud83d", "\\ude00\\ud83d", "\ud800", "\udc00x"]),
)
texts = bodies | deep | huge_numbers | many_keys | surrogates
encoded = st.builds(
    # surrogatepass where the encoding can carry a surrogate; elsewhere, what it cannot encode is "?"
    lambda text, encoding: text.encode(
        encoding, "surrogatepass" if encoding.startswith("utf") else "replace"
    ),
    texts,
    st.sampled_from(["utf-8", "utf-16", "utf-16-be", "utf-32-le", "latin-1", "cp1252"]),
).filter(bool)
# Valid bodies in a single-byte encoding, whose non-ASCII bytes are never UTF-8: a
# decoder that guesses Latin-1, or replaces what it cannot decode, would accept them.
single_byte = st.builds(
    lambda name, encoding: ('{"name": "' + name + '"}').encode(encoding),
    st.text(st.characters(min_codepoint=0xC0, max_codepoint=0xFF), min_size=1, max_size=6),
    st.sampled_from(["latin-1", "cp1252"]),
)
garbled = st.builds(lambda raw, noise, at: raw[:at] + noise + raw[at:], encoded, st.binary(min_size=1, max_size=4),
                    st.integers(min_value=0, max_value=40))  # fmt: skip
hostile = texts | encoded | single_byte | garbled | st.binary(max_size=64)


def not_utf8_within_the_limit(raw: bytes | str) -> bool:
    """Whether ``raw`` is not UTF-8 (bytes that do not decode, or text holding a lone
    surrogate) and no larger than a body may be."""
    data = raw if isinstance(raw, bytes) else raw.encode("utf-8", "surrogatepass")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return len(data) <= MAX_BODY_BYTES
    return False


# Big examples, through the real handler and a table, repeatable run to run.
HOSTILE_RUNS = settings(
    deadline=None,
    derandomize=True,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


@settings(HOSTILE_RUNS, max_examples=60)
@given(raw=hostile, as_base64=st.booleans())
def test_hostile_bytes_never_raise_never_5xx_never_write_and_answer_alike_with_a_key(
    tables: Tables, raw: bytes | str, as_base64: bool
) -> None:
    workspace = f"ws_{uuid.uuid4().hex[:12]}"
    records = idempotency_records(tables)
    answers = [send(raw, workspace, as_base64=as_base64), send(raw, f"{workspace}k", key=f"k-{uuid.uuid4()}", as_base64=as_base64)]  # fmt: skip
    event(f"status {answers[0].status} {answers[0].error_code}")
    if not_utf8_within_the_limit(raw):  # decoded strictly, never guessed
        assert [(a.status, a.error_code) for a in answers] == [(400, "invalid_json")] * 2
    for answer in answers:
        assert answer.status < 500, answer.body
        if answer.status >= 400:
            assert answer.body["error"]["code"]
            assert len(answer.raw["body"].encode()) <= ERROR_ANSWER_LIMIT
    if answers[0].status >= 400:
        assert tables.items_of(workspace) == tables.items_of(f"{workspace}k") == []
        assert idempotency_records(tables) == records
    assert answers[0].status == answers[1].status
    assert answers[0].error_code == answers[1].error_code


@settings(HOSTILE_RUNS, max_examples=40)
@given(raw=hostile, as_base64=st.booleans())
def test_hostile_bytes_get_the_validate_route_the_creates_refusals_and_never_a_5xx(
    tables: Tables, raw: bytes | str, as_base64: bool
) -> None:
    workspace = f"ws_{uuid.uuid4().hex[:12]}"
    checked = send(raw, workspace, as_base64=as_base64, path=VALIDATE.path)
    created = send(raw, f"ws_{uuid.uuid4().hex[:12]}", as_base64=as_base64)
    assert checked.status < 500, checked.body
    assert len(checked.raw["body"].encode()) <= ERROR_ANSWER_LIMIT
    if checked.status != 200:  # the body's own refusals are the create's
        assert (checked.status, checked.error_code) == (created.status, created.error_code)
    else:
        assert checked.body["valid"] is (created.status == 201)
    assert tables.items_of(workspace) == []
