"""The OpenAPI document: generated from the code, committed, and true of what the
handler really answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from openapi_spec_validator import validate

from automations_local.openapi import DOCUMENT, ERRORS, Automation, ErrorEnvelope, build, render
from tests.helpers import Tables, post


def test_the_committed_document_is_what_the_code_generates() -> None:
    assert DOCUMENT.read_text() == render(), (
        "run `make openapi` and commit src/automations_local/openapi.json"
    )


def test_it_is_a_valid_openapi_3_1_document() -> None:
    document = json.loads(DOCUMENT.read_text())
    assert document["openapi"].startswith("3.1")
    validate(document)


def test_it_documents_the_security_scheme_with_the_write_scope() -> None:
    operation = build()["paths"]["/v1/automations"]["post"]
    assert operation["security"] == [{"bearerAuth": ["write:automations"]}]
    assert build()["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_it_documents_every_error_status_of_the_contract() -> None:
    responses = build()["paths"]["/v1/automations"]["post"]["responses"]
    assert set(responses) == {"201", "400", "401", "403", "409", "413", "415", "422", "500", "503"}
    assert {code for _, codes, _, _ in ERRORS.values() for code in codes} >= {
        "invalid_json", "invalid_body", "invalid_idempotency_key", "authentication_required",
        "insufficient_scope", "workspace_required", "idempotency_key_in_use", "payload_too_large",
        "automation_too_large", "unsupported_media_type", "validation_failed", "idempotency_key_reused",
        "internal_error", "service_unavailable",
    }  # fmt: skip


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
    ],
)
def test_real_answers_conform_to_the_documented_models(
    tables: Tables, workspace: str, body: Any, kwargs: dict[str, Any]
) -> None:
    answer = post(body, workspace, **kwargs)
    documented = build()["paths"]["/v1/automations"]["post"]["responses"]
    assert str(answer.status) in documented
    if answer.status == 201:
        Automation.model_validate(answer.body, strict=False)
    else:
        envelope = ErrorEnvelope.model_validate(answer.body)
        assert envelope.error.code in ERRORS[answer.status][1]
