"""The OpenAPI document: generated from the route declarations, committed, and true
of what each function really answers."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import jsonschema_rs
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate
from pydantic import TypeAdapter, ValidationError

from automations.answers import Automation, AutomationValidation, ErrorEnvelope
from automations.automation import FIELDS
from automations.graph import GRAPH_CODES
from automations.models import ElementId, Name
from automations.routes import CREATE, EDIT, GET, ROUTES, VALIDATE, Route
from automations_local.openapi import (
    DOCUMENT,
    ENVELOPE,
    ENVELOPE_OR_GATEWAY,
    GATEWAY_MAY_ANSWER,
    build,
    render,
)
from automations_local.schema_rules import not_blank_pattern, printable_pattern
from tests.helpers import EVENTS, Answer, Tables, get, invoke, post


def operation(route: Route) -> dict[str, Any]:
    operation: dict[str, Any] = build()["paths"][route.path][route.method.lower()]
    return operation


def test_the_committed_document_is_what_the_code_generates() -> None:
    assert DOCUMENT.read_text() == render(), (
        "run `make openapi` and commit src/automations_local/openapi.json"
    )


def test_it_is_a_valid_openapi_3_1_document() -> None:
    document = json.loads(DOCUMENT.read_text())
    assert document["openapi"].startswith("3.1")
    validate(document)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.operation)
def test_each_route_is_documented_with_its_scopes_and_every_status_it_declares(route: Route) -> None:
    documented = operation(route)
    assert documented["operationId"] == route.operation
    assert documented["security"] == [{"bearerAuth": list(route.scopes)}]
    assert set(documented["responses"]) == {
        str(route.success),
        *(str(status) for status, _ in route.bodiless),
        *map(str, route.statuses),
    }
    for status, codes in route.statuses.items():
        description = documented["responses"][str(status)]["description"]
        assert all(description.count(f"{code}: ") == 1 for code in codes), (status, codes)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.operation)
def test_every_error_answer_is_the_one_envelope_or_the_gateways_message_where_it_may_answer(
    route: Route,
) -> None:
    # One schema by reference, never one of a route's own: a generator makes one class of it
    for status in route.statuses:
        answer = operation(route)["responses"][str(status)]
        expected = ENVELOPE_OR_GATEWAY if status in GATEWAY_MAY_ANSWER else ENVELOPE
        assert answer["content"]["application/json"]["schema"] == expected, status
        assert ("GatewayMessage" in answer["description"]) == (status in GATEWAY_MAY_ANSWER)


def test_no_schema_has_a_title_so_generated_classes_take_their_components_names() -> None:
    text = json.dumps(build()["components"])
    assert '"title"' not in text


def test_the_timestamps_are_date_times() -> None:
    properties = build()["components"]["schemas"]["Automation"]["properties"]
    for name in ("createdAt", "updatedAt"):
        assert properties[name]["format"] == "date-time"
    assert {"type": "string", "format": "date-time"}.items() <= properties["publishedAt"]["anyOf"][0].items()


def matcher(pattern: str) -> Callable[[str], bool]:
    """Whether a string matches ``pattern`` as JSON Schema reads it (ECMA-262: ``$``
    is the end, where Python's ``re`` also lets a final newline through)."""
    validator = jsonschema_rs.validator_for({"type": "string", "pattern": pattern})
    return lambda text: bool(validator.is_valid(text))


def test_the_id_pattern_is_never_looser_than_the_create_and_refuses_what_it_refuses() -> None:
    # Given the pattern of node and edge ids, and the create's own rule for them
    schemas = build()["components"]["schemas"]
    assert schemas["Node"]["properties"]["id"]["pattern"] == printable_pattern()
    assert schemas["Edge"]["properties"]["id"]["pattern"] == printable_pattern()
    allows = matcher(printable_pattern())
    rule = TypeAdapter(ElementId)
    # Then every character the pattern allows, the create accepts (surrogates left
    # out: no validator's string can hold one alone, and the create refuses them)
    for code in range(0x110000):
        if not 0xD800 <= code <= 0xDFFF and allows(chr(code)):
            rule.validate_python(chr(code))
    # and what it refuses, the pattern refuses
    for refused in ("a\x01", "a\n", "\x7f", "a\u2028b", "\u200b", "\ufeff", "\U000e0001", "\U0010fffd"):
        with pytest.raises(ValidationError):
            rule.validate_python(refused)
        assert not allows(refused), ascii(refused)
    assert allows("node-1 ~ Étape 2 · 東京")


def test_the_name_pattern_refuses_exactly_the_names_the_create_finds_blank() -> None:
    schema = build()["components"]["schemas"]["NewAutomation"]["properties"]["name"]
    assert schema["pattern"] == not_blank_pattern()
    allows = matcher(not_blank_pattern())
    rule = TypeAdapter(Name)
    for name in (" ", "\t\n", "\u3000\u00a0", " x ", "\u1680y", ".", "\x1c\x1d", "\u0085\u2029"):
        try:
            rule.validate_python(name)
            accepted = True
        except ValidationError:
            accepted = False
        assert allows(name) == accepted, ascii(name)


CREATE_BODIES = schemathesis.openapi.from_dict(json.loads(DOCUMENT.read_text()))[CREATE.path][
    CREATE.method
].as_strategy()


@settings(max_examples=80, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(case=CREATE_BODIES)
def test_the_create_accepts_what_the_document_allows_but_for_the_graph_rules(
    tables: Tables, workspace: str, case: Any
) -> None:
    # Given a body the document allows (schemathesis's positive data)
    # When it is created
    answer = post(case.body, workspace)
    # Then it is created, or refused for a rule no JSON Schema states (edges joining
    # nodes of the same body, ids unique within it)
    if answer.status == 422:
        assert {code for _, code in answer.problems()} <= GRAPH_CODES, answer.body
    else:
        assert answer.status == 201, answer.body


def test_the_documented_paths_are_the_declared_routes_and_nothing_else() -> None:
    documented = {(method.upper(), path) for path, ops in build()["paths"].items() for method in ops}
    assert documented == {(route.method, route.path) for route in ROUTES}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.operation)
def test_each_route_documents_the_request_it_declares(route: Route) -> None:
    documented = operation(route)
    body = documented.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    assert body == (None if route.body is None else {"$ref": f"#/components/schemas/{route.body}"})
    expected = [("path", name, True) for name in route.path_parameters]
    expected += [("header", p.name.lower(), p.required) for p in route.headers]
    expected += [("query", p.name.lower(), p.required) for p in route.query]
    assert [(p["in"], p["name"], p["required"]) for p in documented.get("parameters", [])] == expected


def test_the_create_takes_an_idempotency_key_and_the_edit_requires_if_match() -> None:
    create = [(p["in"], p["name"], p["required"]) for p in operation(CREATE)["parameters"]]
    assert create == [("header", "idempotency-key", False)]
    assert ("header", "if-match", True) in [
        (p["in"], p["name"], p["required"]) for p in operation(EDIT)["parameters"]
    ]


def test_the_answer_model_and_the_object_the_functions_build_have_one_shape() -> None:
    assert tuple(Automation.model_fields) == FIELDS


def conforms(route: Route, answer: Answer) -> None:
    documented = operation(route)["responses"]
    assert str(answer.status) in documented
    if answer.status == route.success and route is VALIDATE:
        AutomationValidation.model_validate(answer.body, strict=False)
    elif answer.status == route.success:
        Automation.model_validate(answer.body, strict=False)
        assert tuple(answer.body) == FIELDS
    else:
        envelope = ErrorEnvelope.model_validate(answer.body)
        assert envelope.error.code in route.statuses[answer.status]


@pytest.mark.parametrize(
    ("body", "kwargs"),
    [
        (
            {
                "name": "x",
                "nodes": [{"id": "a", "type": "event"}],
                "edges": [{"id": "e", "source": "a", "target": "a"}],
            },
            {},
        ),
        ({"name": ""}, {}),
        ({"name": "x", "edges": [{"id": "e", "source": "a", "target": "b"}]}, {}),
        ("{", {"raw": True}),
        ({"name": "x"}, {"scope": "read:automations"}),
        ({"name": "x"}, {"headers": {"Idempotency-Key": "\x01"}}),
    ],
)
def test_real_create_answers_conform_to_the_document(
    tables: Tables, workspace: str, body: Any, kwargs: dict[str, Any]
) -> None:
    conforms(CREATE, post(body, workspace, **kwargs))


def test_real_get_answers_conform_to_the_document(tables: Tables, workspace: str) -> None:
    created = post({"name": "x", "nodes": [{"id": "a", "type": "event"}]}, workspace)
    for answer in (
        get(created.body["id"], workspace),
        get(created.body["id"], "ws_someone_else"),
        get("aut_nope", workspace),
        get(created.body["id"], workspace, scope="profile"),
        get(created.body["id"], None),
    ):
        conforms(GET, answer)


def test_real_validate_answers_conform_to_the_document(tables: Tables) -> None:
    for path in sorted(EVENTS.glob("validate-*.json")):
        if not path.name.endswith(".expected.json"):
            conforms(VALIDATE, invoke(json.loads(path.read_text())))
