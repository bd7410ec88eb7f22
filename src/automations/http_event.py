"""What an API Gateway HTTP API request (payload 2.0) event is: whether an event can
be read as one, and the one builder of such events (for the tests, the local
tooling, the benchmark and SnapStart's priming alike).

API Gateway always sends that shape; a direct invocation (the console, another
service, a test) can send anything. Powertools' resolver reads ``rawPath``,
``requestContext.http`` and the headers without checking them, so an event of
another shape would be a ``KeyError`` or a ``TypeError`` deep inside it: the
handler asks here first and answers ``400 invalid_event`` instead (contract,
"Hard limits"). The check reads only the event's frame, never the body.
"""

from __future__ import annotations

import base64
import os
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

# API Gateway's request ids are 16 characters; every answer echoes the id (in
# X-Request-Id and the error's requestId), so a directly invoked event cannot make
# an answer grow with a long one.
MAX_REQUEST_ID = 128


def _str_map(value: Any) -> bool:
    return type(value) is dict and all(type(k) is str and type(v) is str for k, v in value.items())


def problem_with(event: Any) -> str | None:
    """What makes ``event`` unreadable as an HTTP API request, or None."""
    if type(event) is not dict:
        return "the event is not an object"
    context = event.get("requestContext")
    if type(context) is not dict:
        return "the event has no requestContext"
    http = context.get("http")
    if type(http) is not dict:
        return "the event has no requestContext.http"
    if type(http.get("method")) is not str or type(http.get("path")) is not str:
        return "the event's requestContext.http has no method or path"
    if type(event.get("rawPath")) is not str:
        return "the event has no rawPath"
    if type(context.get("stage")) is not str or type(context.get("requestId")) is not str:
        return "the event's requestContext has no stage or requestId"
    request_id = context["requestId"]
    if len(request_id) > MAX_REQUEST_ID:
        return f"the event's requestContext.requestId is longer than {MAX_REQUEST_ID} characters"
    if not (request_id.isascii() and request_id.isprintable()):  # it is echoed in a header
        return "the event's requestContext.requestId is not printable ASCII"
    if "headers" in event and not _str_map(event["headers"]):
        return "the event's headers are not an object of strings"
    for name in ("pathParameters", "queryStringParameters"):
        if event.get(name) is not None and not _str_map(event[name]):
            return f"the event's {name} are not an object of strings"
    if event.get("body") is not None and type(event["body"]) is not str:
        return "the event's body is not a string"
    if type(event.get("isBase64Encoded", False)) is not bool:
        return "the event's isBase64Encoded is not a boolean"
    cookies = event.get("cookies")
    if cookies is not None and not (type(cookies) is list and all(type(c) is str for c in cookies)):
        return "the event's cookies are not a list of strings"
    return None


API_ID = "a1b2c3d4e5"
DOMAIN = f"{API_ID}.execute-api.us-east-1.amazonaws.com"


def new_request_id() -> str:
    # API Gateway's ids look like "JKJaXmPLvHcESHA="; any unique string does.
    return base64.b64encode(os.urandom(10)).decode()


def http_api_event(
    body: str | bytes | None,
    *,
    claims: dict[str, Any] | None,
    scopes: list[str] | None = None,
    headers: dict[str, str] | Iterable[tuple[str, str]] | None = None,
    is_base64: bool = False,
    method: str = "POST",
    path: str = "/v1/automations",
    route_key: str | None = None,
    path_parameters: dict[str, str] | None = None,
    query: str = "",
    request_id: str | None = None,
    source_ip: str = "127.0.0.1",
    default_headers: bool = True,
) -> dict[str, Any]:
    """An event as the Lambda receives it. ``claims=None`` means no authorizer
    context at all (a route without authorization, or a direct invoke). Headers are
    lowercased and repeats joined with commas, ``cookie`` goes to ``cookies``, and a
    ``bytes`` body is sent as text unless ``is_base64``. ``default_headers`` adds a
    JSON content type, a host and a user agent where ``headers`` has none (a
    gateway passes on only what the client sent)."""
    pairs = headers.items() if isinstance(headers, dict) else (headers or [])
    all_headers = (
        {"content-type": "application/json", "host": DOMAIN, "user-agent": "local"} if default_headers else {}
    )
    given: dict[str, str] = {}
    cookies: list[str] = []
    for name, value in pairs:
        lower = name.lower()
        if lower == "cookie":
            cookies += [c.strip() for c in value.split(";") if c.strip()]
        else:
            given[lower] = f"{given[lower]},{value}" if lower in given else value
    all_headers.update(given)
    if body is not None:
        raw = body.encode() if isinstance(body, str) else body
        all_headers.setdefault("content-length", str(len(raw)))
        if is_base64:
            body = base64.b64encode(raw).decode()
        elif isinstance(body, bytes):
            body = body.decode()
    now = time.time()
    route_key = route_key or f"{method} {path}"
    host = all_headers.get("host", DOMAIN)
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": API_ID,
        "domainName": host.split(":")[0],
        "domainPrefix": host.split(".")[0],
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": all_headers.get("user-agent", ""),
        },
        "requestId": request_id or new_request_id(),
        "routeKey": route_key,
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": scopes}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route_key,
        "rawPath": path,
        "rawQueryString": query,
        "headers": all_headers,
        "requestContext": context,
        "isBase64Encoded": is_base64,
    }
    if cookies:
        event["cookies"] = cookies
    parameters: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        parameters[key] = f"{parameters[key]},{value}" if key in parameters else value
    if parameters:
        event["queryStringParameters"] = parameters
    if path_parameters:
        event["pathParameters"] = path_parameters
    if body is not None:
        event["body"] = body
    return event
