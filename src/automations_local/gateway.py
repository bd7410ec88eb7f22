"""Plays API Gateway (HTTP API, payload format 2.0) for the routes of template.yaml:
the route match, the JWT authorizer with the route's scopes, then the event exactly
as the gateway builds it (``events.http_api_event``), then the function's response
turned back into HTTP.

Faithful where it matters to the functions: the path decoded (HTTP API decodes
``rawPath`` and path parameters), a ``{parameter}`` matching one path segment,
header names lowercased and repeated headers joined with commas, cookies in
``cookies``, the query string raw and parsed, a body base64-encoded unless its
media type is text, JSON, XML or JavaScript, a fresh ``requestId``, the route's
``routeKey``, and claims rendered as the gateway renders them.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote

from automations_local.context import LambdaContext
from automations_local.events import http_api_event, new_request_id, render_claim
from automations_local.template import TemplateRoute
from automations_local.tokens import Rejected, token_scopes, verify

MAX_PAYLOAD = 10 * 1024 * 1024  # HTTP API's request limit
# Lambda's limit on a synchronous response, as Lambda enforces it: its error reads "Response
# payload size exceeded maximum allowed payload size (6291556 bytes)", and the whole 6,291,556
# is usable (Zac Charles, "Deep Dive: Lambda's Response Payload Size Limit", zaccharles.medium.com,
# 2022, measured; the same figure in API Gateway's logs in DataBiosphere/azul#8192). The quotas
# page's "6 MB" reads as 6 MiB, 6,291,456, which is 100 bytes short of what Lambda lets through.
MAX_RESPONSE_PAYLOAD = 6_291_556
_TEXT_SUFFIXES = ("json", "xml", "javascript")

Invoke = Callable[[TemplateRoute, dict[str, Any], Any], dict[str, Any]]


@dataclass
class HttpRequest:
    method: str
    path: str
    query: str
    headers: list[tuple[str, str]]
    body: bytes
    source_ip: str = "127.0.0.1"
    host: str = "127.0.0.1:3000"


@dataclass
class HttpResponse:
    status: int
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""


def _is_text(content_type: str | None) -> bool:
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media.endswith(_TEXT_SUFFIXES)


def build_event(
    request: HttpRequest,
    claims: dict[str, Any],
    route: TemplateRoute,
    path_parameters: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The event API Gateway sends ``route``'s function for ``request``."""
    headers = [(name, value) for name, value in request.headers if name.lower() != "host"]
    headers += [
        ("host", request.host),
        ("x-forwarded-for", request.source_ip),
        ("x-forwarded-proto", "http"),
    ]
    content_type = next((v for k, v in request.headers if k.lower() == "content-type"), None)
    as_text = False
    if request.body and _is_text(content_type):
        try:
            request.body.decode("utf-8")
            as_text = True
        except UnicodeDecodeError:
            pass
    return http_api_event(
        request.body or None,
        claims={name: render_claim(value) for name, value in claims.items()},
        scopes=token_scopes(claims) or None,
        headers=headers,
        is_base64=bool(request.body) and not as_text,
        method=request.method,
        path=unquote(request.path),
        route_key=route.key,
        path_parameters=path_parameters,
        query=request.query,
        source_ip=request.source_ip,
        default_headers=False,
    )


def _message(
    status: int, message: str, request_id: str, extra: list[tuple[str, str]] | None = None
) -> HttpResponse:
    headers = [("content-type", "application/json"), ("apigw-requestid", request_id), *(extra or [])]
    return HttpResponse(status, headers, json.dumps({"message": message}).encode())


_REFUSALS = {
    400: "Bad Request",
    413: "Request Entity Too Large",
    414: "Request-URI Too Long",
    431: "Request Header Fields Too Large",
    505: "HTTP Version Not Supported",
}


def refuse(status: int) -> HttpResponse:
    """The gateway's answer to a request it does not pass on, in its own words and
    never the client's: 400 when the request line, the head or the body's framing is
    broken, 413 when the body is over ``MAX_PAYLOAD``, 414 or 431 when the request
    line or the head is too long, 505 for an HTTP version past 1.x. Any other status
    is a 400."""
    if status not in _REFUSALS:
        status = 400
    return _message(status, _REFUSALS[status], new_request_id())


def _lambda_accepts(result: Any) -> bool:
    """Whether Lambda hands ``result`` back at all: it serialises the return value to
    JSON (the Python runtime's marshaller; UTF-8, non-ASCII unescaped as from the 3.12
    runtime on) and fails the invocation when that cannot be done (``Runtime.MarshalError``)
    or is over ``MAX_RESPONSE_PAYLOAD`` bytes (``Function.ResponseSizeTooLarge``)."""
    try:
        payload = json.dumps(result, ensure_ascii=False)
    except (TypeError, ValueError):
        return False
    return len(payload.encode("utf-8", "surrogatepass")) <= MAX_RESPONSE_PAYLOAD


def from_lambda(result: dict[str, Any], request_id: str) -> HttpResponse:
    """A payload-2.0 Lambda response as the gateway sends it to the client."""
    headers = [(name.lower(), str(value)) for name, value in (result.get("headers") or {}).items()]
    for name, values in (result.get("multiValueHeaders") or {}).items():
        headers += [(name.lower(), str(v)) for v in values]
    headers += [("set-cookie", cookie) for cookie in result.get("cookies") or []]
    headers.append(("apigw-requestid", request_id))
    body = result.get("body") or ""
    raw = base64.b64decode(body) if result.get("isBase64Encoded") else body.encode()
    return HttpResponse(int(result.get("statusCode", 200)), headers, raw)


class Gateway:
    """The HTTP API of template.yaml in front of ``invoke`` (route, event, context)."""

    def __init__(self, routes: list[TemplateRoute], invoke: Invoke) -> None:
        self.routes = routes
        self.invoke = invoke

    def route_for(self, method: str, path: str) -> tuple[TemplateRoute, dict[str, str]] | None:
        """The route ``path`` takes and its decoded parameters. Segments are matched
        as sent, so an encoded ``%2F`` stays inside its parameter."""
        for route in self.routes:
            parameters = route.match(method, path)
            if parameters is not None:
                return route, {name: unquote(value) for name, value in parameters.items()}
        return None

    def handle(self, request: HttpRequest) -> HttpResponse:
        """One request through the gateway: route, authorizer, function."""
        gateway_id = new_request_id()
        found = self.route_for(request.method, request.path)
        if found is None:
            return _message(404, "Not Found", gateway_id)
        route, parameters = found
        if len(request.body) > MAX_PAYLOAD:
            return refuse(413)
        # Repeated, the header reaches the authorizer as the gateway passes every repeated
        # header: its values joined with commas, which no token is (401).
        authorization = ",".join(v for k, v in request.headers if k.lower() == "authorization") or None
        try:
            claims = verify(authorization, list(route.scopes))
        except Rejected as rejected:
            return _message(
                rejected.status,
                rejected.message,
                gateway_id,
                [("www-authenticate", rejected.www_authenticate)],
            )
        event = build_event(request, claims, route, parameters)
        request_id = event["requestContext"]["requestId"]
        try:
            result = self.invoke(route, event, LambdaContext.of(route.function))
        except Exception:  # the function crashed: the gateway answers for it
            return _message(500, "Internal Server Error", request_id)
        if not _lambda_accepts(result):
            # Lambda reports a response it refuses as a function error, and an HTTP API answers
            # every function error with 500 {"message":"Internal Server Error"}: AWS's HTTP API
            # troubleshooting guide (docs.aws.amazon.com/apigateway/latest/developerguide/
            # http-api-troubleshooting-lambda.html) gives that body for Lambda integration errors,
            # and AWS's own emulator (aws/aws-lambda-dotnet, LambdaTestTool-v2, ApiGatewayEmulatorProcess
            # -> InvokeResponseExtensions.ToHttpApiV2ErrorResponse) answers 500 with it for any
            # FunctionError. A REST API answers 502 {"message": "Internal server error"} instead
            # (azul#8192). Not seen first-hand: an oversized response through a deployed HTTP API.
            return _message(500, "Internal Server Error", request_id)
        return from_lambda(result, request_id)
