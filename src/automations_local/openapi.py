"""The OpenAPI 3.1 document of the API, generated from the route declarations
(``automations.routes``) with Powertools' own OpenAPI support: a resolver made
here, never in a function, gets one route per declaration (its path, scopes,
summary, and ``responses=`` built from what the declaration says it answers),
with a stub whose signature declares the request (body model, path and header
parameters); ``get_openapi_json_schema`` does the rest. The request model is the
functions' own (``automations.models``); the answers are ``automations.answers``.
Three steps are ours, for code generators: every error response refers to one
envelope schema (the codes a route declares for a status are listed in the
response's description, not spelled as a schema of its own, which a generator
would turn into one class per route and status); the schemas carry no titles, so
a generated class is named after its component; and the rules of the create that
pydantic does not write into the schema (printable ids, a name that is not blank)
are added as patterns derived from the create's own validators.

``openapi.json`` beside this file is the committed copy, served by ``make run``
(``/openapi.json``, and ``/docs`` through Powertools' Swagger UI); a test fails
when it and the code disagree (``make openapi`` rewrites it).
"""

from __future__ import annotations

import inspect
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver
from aws_lambda_powertools.event_handler.openapi.models import HTTPBearer
from aws_lambda_powertools.event_handler.openapi.params import Body, Header, Query
from aws_lambda_powertools.event_handler.openapi.params import Path as PathParameter

from automations import answers as answers_module
from automations.answers import ErrorEnvelope, GatewayMessage
from automations.endpoint import resolver_path
from automations.error_codes import ERROR_CODES
from automations.ids import PATTERN
from automations.routes import ROUTES, Route
from automations_local.generated import write_or_check
from automations_local.schema_rules import request_rules

DOCUMENT = Path(__file__).with_name("openapi.json")
TITLE = "Automations API"
VERSION = "1.0.0"
DESCRIPTION = (
    "Create automation workflows in your workspace (in DRAFT status), read them back, and check a draft "
    "against the publish-time rules without saving it. "
    "Trigger, nodes and edges are optional at creation; edges must join existing nodes; "
    "strict validation happens at publish time."
)
# API Gateway answers some requests itself, before any function runs, with
# {"message": "..."} (GatewayMessage) instead of the envelope. At the statuses where it
# refuses a request that a client following this document can send, the answer is
# `oneOf: [ErrorEnvelope, GatewayMessage]`, both by reference; every other error
# status is the envelope alone. So a generated client has one class for every error a
# function answers and one for the gateway's own refusals, and none per route and
# status; and it can read the gateway's 401 for an expired token instead of failing to
# parse it as an envelope. Those statuses: 401 (its JWT authorizer: no token, or one
# it refuses), 403 (the token lacks the route's scopes), 413 (a body over its
# 10 MiB), 500 (the function failed, or Lambda refused its answer). Not there: its
# 404 (a documented path always matches a route) and its 400 (broken HTTP framing,
# which a client never sends); its throttling's 429 is a status no route declares,
# which a generated client returns unparsed.
GATEWAY_MAY_ANSWER = {401, 403, 413, 500}
ENVELOPE = {"$ref": "#/components/schemas/ErrorEnvelope"}
ENVELOPE_OR_GATEWAY = {"oneOf": [ENVELOPE, {"$ref": "#/components/schemas/GatewayMessage"}]}

HEADERS: dict[str, dict[str, Any]] = {
    "X-Request-Id": {
        "description": "API Gateway's request id, also in every error body.",
        "schema": {"type": "string"},
    },
    "Location": {"description": "/v1/automations/{id}", "schema": {"type": "string"}},
    "WWW-Authenticate": {
        "description": "RFC 6750 challenge naming the route's scopes.",
        "schema": {"type": "string"},
    },
    "Retry-After": {"description": "Seconds to wait before retrying.", "schema": {"type": "string"}},
    "ETag": {
        "description": "The automation's strong entity tag: send it in If-Match to change it, or If-None-Match to read it only if it changed.",
        "schema": {"type": "string"},
    },
    "Idempotent-Replayed": {
        "description": "true when this is the stored answer to an earlier request with the same Idempotency-Key.",
        "schema": {"type": "string", "enum": ["true"]},
    },
}
ERROR_HEADERS = {
    401: ["WWW-Authenticate"],
    403: ["WWW-Authenticate"],
    409: ["Retry-After"],
    503: ["Retry-After"],
}
# What a path parameter is, by name.
PATH_PARAMETERS = {"automationId": f"An automation id: {PATTERN}. Any other text is 404."}


def request(route: Route) -> Callable[..., None]:
    """A stub whose signature declares the route's request as Powertools reads it:
    its path parameters, its body's model and its headers and query parameters,
    all from the declaration."""
    parameters: list[inspect.Parameter] = []

    def add(name: str, annotation: Any, default: Any = inspect.Parameter.empty) -> None:
        parameters.append(
            inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation)
        )

    for name in route.path_parameters:
        add(name, Annotated[str, PathParameter(description=PATH_PARAMETERS[name])])
    if route.body is not None:
        add("body", Annotated[getattr(answers_module, route.body), Body()])
    for kind, declared in ((Header, route.headers), (Query, route.query)):
        for parameter in declared:
            info = kind(
                alias=parameter.name,
                description=parameter.description,
                pattern=None if parameter.pattern is None else f"^{parameter.pattern}$",
            )
            python_name = parameter.name.lower().replace("-", "_")
            if parameter.required:
                add(python_name, Annotated[str, info])
            else:
                add(python_name, Annotated[str | None, info], None)

    def stub(**_: Any) -> None: ...

    stub.__signature__ = inspect.Signature(parameters)  # type: ignore[attr-defined]
    stub.__name__ = stub.__qualname__ = f"_{route.module}"
    return stub


def _headers(names: list[str], required: bool = True) -> dict[str, Any]:
    return {name: {**HEADERS[name], "required": required} for name in names}


def responses(route: Route) -> dict[int, Any]:
    success: dict[str, Any] = {
        "description": route.answer,
        "headers": _headers(["X-Request-Id", *route.answer_headers])
        | _headers(list(route.optional_headers), required=False),
    }
    if route.answer_model is not None:  # None: no body (a 204 or a 304)
        success["content"] = {"application/json": {"model": getattr(answers_module, route.answer_model)}}
    answers: dict[int, Any] = {route.success: success}
    for status, meaning in route.bodiless:
        answers[status] = {
            "description": meaning,
            "headers": _headers(["X-Request-Id", *route.answer_headers]),
        }
    for status, codes in route.statuses.items():
        gateway = status in GATEWAY_MAY_ANSWER
        answers[status] = {
            "description": "; ".join(f"{code}: {ERROR_CODES[code].message}" for code in codes)
            + (". Or API Gateway's own answer, a GatewayMessage" if gateway else ""),
            "headers": _headers(["X-Request-Id"], required=not gateway)
            | _headers(ERROR_HEADERS.get(status, [])),
            "content": {"application/json": {"model": GatewayMessage if gateway else ErrorEnvelope}},
        }
    return answers


def resolver() -> APIGatewayHttpResolver:
    """A resolver with every route, for the document only (its handlers are stubs)."""
    app = APIGatewayHttpResolver()
    for route in ROUTES:
        app.route(
            resolver_path(route),
            method=route.method,
            summary=route.summary,
            operation_id=route.operation,
            security=[{"bearerAuth": list(route.scopes)}],
            responses=responses(route),
        )(request(route))
    return app


def _one_error_schema(document: dict[str, Any]) -> None:
    """Every error answer is the envelope, by reference, or the envelope or the
    gateway's message where the gateway may answer (``GATEWAY_MAY_ANSWER``)."""
    for methods in document["paths"].values():
        for operation in methods.values():
            for status, answer in operation["responses"].items():
                if int(status) >= 400:
                    schema = ENVELOPE_OR_GATEWAY if int(status) in GATEWAY_MAY_ANSWER else ENVELOPE
                    answer["content"]["application/json"]["schema"] = schema


def _drop_titles(document: dict[str, Any]) -> None:
    """No ``title`` in any schema: a generator names a class after the title where
    there is one, and pydantic's titles (``Error``, ``Type``, ``Id``) make names that
    collide with a generated client's own modules or say less than the component's
    name."""
    pending: list[Any] = [document["components"]["schemas"]]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            if isinstance(item.get("title"), str):
                del item["title"]
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _drop_unused_components(document: dict[str, Any]) -> None:
    """Keep the schemas the paths reach (Powertools adds its own validation
    errors' schemas, which these functions never answer)."""
    schemas = document["components"]["schemas"]
    reached: set[str] = set()
    pending: list[Any] = [document["paths"]]
    while pending:  # an explicit stack: no recursion over the document either
        item = pending.pop()
        if isinstance(item, dict):
            ref = item.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/components/schemas/"):
                name = ref.rsplit("/", 1)[1]
                if name not in reached:
                    reached.add(name)
                    pending.append(schemas[name])
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    document["components"]["schemas"] = {name: schemas[name] for name in sorted(reached)}


def build() -> dict[str, Any]:
    document: dict[str, Any] = json.loads(
        resolver().get_openapi_json_schema(
            title=TITLE,
            version=VERSION,
            openapi_version="3.1.0",
            description=DESCRIPTION,
            security_schemes={
                "bearerAuth": HTTPBearer(
                    bearerFormat="JWT",
                    description="An access token with one of the route's scopes and a workspace claim.",
                )
            },
        )
    )
    _one_error_schema(document)
    _drop_unused_components(document)
    _drop_titles(document)
    request_rules(document)
    return document


def render() -> str:
    return json.dumps(build(), indent=2, ensure_ascii=False) + "\n"


def swagger_page() -> str:
    """Powertools' Swagger UI for the committed document, its script and styles
    inlined (offline)."""
    from aws_lambda_powertools.event_handler.openapi import swagger_ui

    assets = Path(swagger_ui.__file__).parent
    return swagger_ui.generate_swagger_html(
        DOCUMENT.read_text().replace("</", "<\\/"),
        (assets / "swagger-ui-bundle.min.js").read_text(),
        (assets / "swagger-ui.min.css").read_text(),
        "",  # no base URL: the assets are inlined
        None,
    )


def main() -> int:
    return write_or_check(DOCUMENT, render, "make openapi")


if __name__ == "__main__":
    sys.exit(main())
