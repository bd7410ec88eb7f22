"""HTTP API (payload format 2.0) events, as API Gateway sends them: the one builder
of such events for the tests, the local tooling and the benchmark, and how API
Gateway's JWT authorizer renders claims. (The functions ship no builder: SnapStart
primes each with a literal event, ``automations.endpoint.priming_event``.)"""

from __future__ import annotations

import base64
import json
import os
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl


def render_claim(value: Any) -> str:
    """A claim value as the JWT authorizer passes it to the function: every value a
    string, arrays as ``[a b]``, objects as ``map[k:v]``. A loop over an explicit
    stack, not recursion: an IdP may put user-controlled data in a claim, and a
    600-level array must render, not end the request in a RecursionError."""
    parts: list[str] = []
    # Each entry is a value still to render, or text (a bracket, a separator, a key)
    # wrapped in a one-item tuple to tell it from a claim value that is a string.
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if type(item) is tuple:
            parts.append(item[0])
        elif isinstance(item, str):
            parts.append(item)
        elif isinstance(item, bool):
            parts.append("true" if item else "false")
        elif isinstance(item, list):
            stack.append(("]",))
            for index in range(len(item) - 1, -1, -1):
                stack.append(item[index])
                if index:
                    stack.append((" ",))
            stack.append(("[",))
        elif isinstance(item, dict):
            stack.append(("]",))
            entries = list(item.items())
            for index in range(len(entries) - 1, -1, -1):
                key, inner = entries[index]
                stack.append(inner)
                stack.append((f"{key}:",))
                if index:
                    stack.append((" ",))
            stack.append(("map[",))
        else:
            parts.append(json.dumps(item))
    return "".join(parts)


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
