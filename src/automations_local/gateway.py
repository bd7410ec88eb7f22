"""Plays API Gateway (HTTP API, payload format 2.0) for one route: the JWT
authorizer first, then the event exactly as the gateway builds it, then the
function's response turned back into HTTP.

Faithful where it matters to the function: header names lowercased and repeated
headers joined with commas, cookies in ``cookies``, the query string raw and
parsed, a body base64-encoded unless its media type is text, JSON, XML or
JavaScript, a fresh ``requestId``, and claims rendered as the gateway renders them
(every value a string; arrays as ``[a b]``; objects as ``map[k:v]``).
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from automations_local.context import LambdaContext
from automations_local.events import API_ID, new_request_id
from automations_local.tokens import Rejected, token_scopes, verify

ROUTE = ("POST", "/v1/automations")
ROUTE_SCOPES = ["write:automations"]
MAX_PAYLOAD = 10 * 1024 * 1024  # HTTP API's request limit
_TEXT_SUFFIXES = ("json", "xml", "javascript")


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


def render_claim(value: Any) -> str:
    """A claim value as the JWT authorizer passes it to the function."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(render_claim(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{render_claim(v)}" for k, v in value.items()) + "]"
    return json.dumps(value)


def _is_text(content_type: str | None) -> bool:
    if not content_type:
        return True
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("text/") or media.endswith(_TEXT_SUFFIXES)


def build_event(request: HttpRequest, claims: dict[str, Any]) -> dict[str, Any]:
    headers: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in request.headers:
        lower = name.lower()
        if lower == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
        else:
            headers[lower] = f"{headers[lower]},{value}" if lower in headers else value
    headers.setdefault("host", request.host)
    headers["x-forwarded-for"] = request.source_ip
    headers["x-forwarded-proto"] = "http"
    query: dict[str, str] = {}
    for key, value in parse_qsl(request.query, keep_blank_values=True):
        query[key] = f"{query[key]},{value}" if key in query else value
    now = time.time()
    route_key = f"{ROUTE[0]} {ROUTE[1]}"
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": request.path,
        "rawQueryString": request.query,
        "headers": headers,
        "requestContext": {
            "accountId": "123456789012",
            "apiId": API_ID,
            "authorizer": {
                "jwt": {
                    "claims": {name: render_claim(value) for name, value in claims.items()},
                    "scopes": token_scopes(claims) or None,
                }
            },
            "domainName": headers["host"].split(":")[0],
            "domainPrefix": headers["host"].split(".")[0],
            "http": {
                "method": request.method,
                "path": request.path,
                "protocol": "HTTP/1.1",
                "sourceIp": request.source_ip,
                "userAgent": headers.get("user-agent", ""),
            },
            "requestId": new_request_id(),
            "routeKey": route_key,
            "stage": "$default",
            "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
            "timeEpoch": int(now * 1000),
        },
        "isBase64Encoded": False,
    }
    if cookies:
        event["cookies"] = cookies
    if query:
        event["queryStringParameters"] = query
    if request.body:
        if _is_text(headers.get("content-type")):
            try:
                event["body"] = request.body.decode("utf-8")
            except UnicodeDecodeError:
                event["body"] = base64.b64encode(request.body).decode()
                event["isBase64Encoded"] = True
        else:
            event["body"] = base64.b64encode(request.body).decode()
            event["isBase64Encoded"] = True
    return event


def _message(
    status: int, message: str, request_id: str, extra: list[tuple[str, str]] | None = None
) -> HttpResponse:
    headers = [("content-type", "application/json"), ("apigw-requestid", request_id), *(extra or [])]
    return HttpResponse(status, headers, json.dumps({"message": message}).encode())


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


def handle(request: HttpRequest, function: Callable[[dict[str, Any], Any], dict[str, Any]]) -> HttpResponse:
    """One request through the gateway: route, authorizer, function."""
    gateway_id = new_request_id()
    if (request.method, request.path) != ROUTE:
        return _message(404, "Not Found", gateway_id)
    if len(request.body) > MAX_PAYLOAD:
        return _message(413, "Request Entity Too Large", gateway_id)
    authorization = next((v for k, v in request.headers if k.lower() == "authorization"), None)
    try:
        claims = verify(authorization, ROUTE_SCOPES)
    except Rejected as rejected:
        return _message(
            rejected.status, rejected.message, gateway_id, [("www-authenticate", rejected.www_authenticate)]
        )
    event = build_event(request, claims)
    request_id = event["requestContext"]["requestId"]
    try:
        result = function(event, LambdaContext())
    except Exception:  # the function crashed: the gateway answers for it
        return _message(500, "Internal Server Error", request_id)
    return from_lambda(result, request_id)
