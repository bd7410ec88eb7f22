"""The OpenAPI 3.1 document of the endpoint, generated from the code: the request
model is the handler's own (``automations.models.NewAutomation``); the 201 object
and the error envelope are described by the models below, which the test suite
checks real responses against. ``openapi.json`` beside this file is the committed
copy; a test fails when it and the code disagree (``make openapi`` rewrites it)."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import models_json_schema

from automations.caller import REQUIRED_SCOPE
from automations.models import Edge, NewAutomation, Node, Trigger
from automations_local.generated import write_or_check

DOCUMENT = Path(__file__).with_name("openapi.json")
REF = "#/components/schemas/{model}"


class Automation(BaseModel):
    """The complete automation object (the seed's 201 body)."""

    model_config = ConfigDict(title="Automation")

    object: Literal["automation"]
    id: str = Field(pattern=r"^aut_[0-9A-HJKMNP-TV-Z]{26}$")
    name: str = Field(min_length=1, max_length=100)
    description: str | None
    status: Literal["DRAFT", "PUBLISHED", "ARCHIVED"]
    version: int
    parentId: str | None
    trigger: Trigger
    nodes: list[Node]
    edges: list[Edge]
    stats: dict[str, Any] | None
    publishedAt: str | None
    createdAt: str = Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
    updatedAt: str = Field(pattern=r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


class ValidationProblem(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: str = Field(examples=["edges[3].target"])
    code: str = Field(examples=["unknown_node"])
    message: str


class ErrorDetail(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: Literal[
        "invalid_request_error",
        "authentication_error",
        "permission_error",
        "idempotency_error",
        "validation_error",
        "api_error",
    ]
    code: str
    message: str
    requestId: str
    validationErrors: list[ValidationProblem] | None = None


class ErrorEnvelope(BaseModel):
    """Every error the function answers."""

    model_config = ConfigDict(extra="forbid", title="Error")

    error: ErrorDetail


class GatewayMessage(BaseModel):
    """What API Gateway itself answers when its JWT authorizer refuses a token."""

    model_config = ConfigDict(extra="forbid")

    message: str


# status → (description, error codes, headers beyond X-Request-Id, gateway may answer)
ERRORS: dict[int, tuple[str, list[str], list[str], bool]] = {
    400: ("Malformed request", ["invalid_json", "invalid_body", "invalid_idempotency_key"], [], False),
    401: ("No valid bearer token", ["authentication_required"], ["WWW-Authenticate"], True),
    403: (
        "The token lacks write:automations or a workspace",
        ["insufficient_scope", "workspace_required"],
        ["WWW-Authenticate"],
        True,
    ),
    409: ("A request with this Idempotency-Key is still running", ["idempotency_key_in_use"], [], False),
    413: (
        "Body over 1 MiB, or automation over one item",
        ["payload_too_large", "automation_too_large"],
        [],
        False,
    ),
    415: ("Content-Type is not JSON", ["unsupported_media_type"], [], False),
    422: (
        "Validation failed, or Idempotency-Key reused with another body",
        ["validation_failed", "idempotency_key_reused"],
        [],
        False,
    ),
    500: ("A bug (never a stack trace)", ["internal_error"], [], False),
    503: (
        "Storage throttled or unreachable; nothing was written",
        ["service_unavailable"],
        ["Retry-After"],
        False,
    ),
}

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-Id": {
        "description": "API Gateway's request id, also in every error body.",
        "schema": {"type": "string"},
    },
    "Location": {"description": "/v1/automations/{id}", "schema": {"type": "string"}},
    "WWW-Authenticate": {"description": "RFC 6750 challenge.", "schema": {"type": "string"}},
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "string"}},
    "Idempotent-Replayed": {
        "description": "true when this is the stored answer to an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
}


def _headers(names: list[str], required: bool = True) -> dict[str, Any]:
    return {name: {**HEADERS[name], "required": required} for name in names}


def _error(status: int) -> dict[str, Any]:
    description, codes, headers, gateway = ERRORS[status]
    envelope = {
        "allOf": [
            {"$ref": REF.format(model="ErrorEnvelope")},
            {"properties": {"error": {"properties": {"code": {"enum": codes}}}}},
        ]
    }
    schema = {"anyOf": [envelope, {"$ref": REF.format(model="GatewayMessage")}]} if gateway else envelope
    return {
        "description": f"{description}: {', '.join(codes)}"
        + (" (or API Gateway's own refusal)" if gateway else ""),
        "headers": _headers(["X-Request-Id"], required=not gateway) | _headers(headers),
        "content": {"application/json": {"schema": schema}},
    }


def build() -> dict[str, Any]:
    _, schemas = models_json_schema(
        [
            (NewAutomation, "validation"),
            (Automation, "serialization"),
            (ErrorEnvelope, "serialization"),
            (GatewayMessage, "serialization"),
        ],
        ref_template=REF,
    )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Automations API: Create Automation",
            "version": "1.0.0",
            "description": "Create a new automation workflow in your workspace, in DRAFT status. "
            "Trigger, nodes and edges are optional at creation; edges must join existing nodes; "
            "strict validation happens at publish time.",
        },
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": [REQUIRED_SCOPE]}],
        "paths": {
            "/v1/automations": {
                "post": {
                    "operationId": "createAutomation",
                    "summary": "Create Automation",
                    "security": [{"bearerAuth": [REQUIRED_SCOPE]}],
                    "parameters": [
                        {
                            "name": "Idempotency-Key",
                            "in": "header",
                            "required": False,
                            "description": "Retry safely: the same key and body within 24 hours give the same automation.",
                            "schema": {
                                "type": "string",
                                "minLength": 1,
                                "maxLength": 255,
                                "pattern": "^[\\x20-\\x7E]+$",
                            },
                        }
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {"schema": {"$ref": REF.format(model="NewAutomation")}}
                        },
                    },
                    "responses": {
                        "201": {
                            "description": "Automation created successfully in DRAFT status. Returns the complete automation object.",
                            "headers": _headers(["X-Request-Id", "Location"])
                            | _headers(["Idempotent-Replayed"], required=False),
                            "content": {
                                "application/json": {"schema": {"$ref": REF.format(model="Automation")}}
                            },
                        },
                        **{str(status): _error(status) for status in ERRORS},
                    },
                }
            }
        },
        "components": {
            "schemas": schemas["$defs"],
            "securitySchemes": {
                "bearerAuth": {
                    "type": "http",
                    "scheme": "bearer",
                    "bearerFormat": "JWT",
                    "description": f"An access token with the scope {REQUIRED_SCOPE} and a workspace claim.",
                }
            },
        },
    }


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    return write_or_check(DOCUMENT, render, "make openapi")


if __name__ == "__main__":
    sys.exit(main())
