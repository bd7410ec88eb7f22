"""The OpenAPI document: generated from the route declarations, committed, and true
of what each function really answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

from automations.answers import Automation, AutomationValidation, ErrorEnvelope
from automations.automation import FIELDS
from automations.routes import CREATE, EDIT, GET, ROUTES, VALIDATE, Route
from automations_local.openapi import DOCUMENT, build, render
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
        schema = json.dumps(documented["responses"][str(status)]["content"]["application/json"]["schema"])
        assert all(f'"{code}"' in schema for code in codes), (status, codes)


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
