"""HTTP API (payload format 2.0) events, built the way API Gateway builds them after
its JWT authorizer has accepted a token: the one builder of events, for the tests,
``make run``'s gateway, ``make invoke`` and the benchmark alike."""

from __future__ import annotations

import base64
import json
import time
import uuid
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

API_ID = "a1b2c3d4e5"
DOMAIN = f"{API_ID}.execute-api.us-east-1.amazonaws.com"


def new_request_id() -> str:
    # API Gateway's ids look like "JKJaXmPLvHcESHA="; any unique string does.
    return base64.b64encode(uuid.uuid4().bytes[:10]).decode()


def render_claim(value: Any) -> str:
    """A claim value as the JWT authorizer passes it to the function: every value a
    string, arrays as ``[a b]``, objects as ``map[k:v]``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(render_claim(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{render_claim(v)}" for k, v in value.items()) + "]"
    return json.dumps(value)


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
