"""HTTP API (payload format 2.0) events, built the way API Gateway builds them after
its JWT authorizer has accepted a token."""

from __future__ import annotations

import base64
import time
import uuid
from typing import Any

API_ID = "a1b2c3d4e5"
DOMAIN = f"{API_ID}.execute-api.us-east-1.amazonaws.com"


def new_request_id() -> str:
    # API Gateway's ids look like "JKJaXmPLvHcESHA="; any unique string does.
    return base64.b64encode(uuid.uuid4().bytes[:10]).decode()


def http_api_event(
    body: str | bytes | None,
    *,
    claims: dict[str, Any] | None,
    scopes: list[str] | None = None,
    headers: dict[str, str] | None = None,
    is_base64: bool = False,
    method: str = "POST",
    path: str = "/v1/automations",
    request_id: str | None = None,
    source_ip: str = "127.0.0.1",
) -> dict[str, Any]:
    """An event as the Lambda receives it. ``claims=None`` means no authorizer
    context at all (a route without authorization, or a direct invoke)."""
    all_headers = {"content-type": "application/json", "host": DOMAIN, "user-agent": "local"}
    all_headers.update({name.lower(): value for name, value in (headers or {}).items()})
    if body is not None:
        raw = body.encode() if isinstance(body, str) else body
        all_headers.setdefault("content-length", str(len(raw)))
        if is_base64:
            body = base64.b64encode(raw).decode()
        elif isinstance(body, bytes):
            body = body.decode()
    now = time.time()
    rid = request_id or new_request_id()
    context: dict[str, Any] = {
        "accountId": "123456789012",
        "apiId": API_ID,
        "domainName": DOMAIN,
        "domainPrefix": API_ID,
        "http": {
            "method": method,
            "path": path,
            "protocol": "HTTP/1.1",
            "sourceIp": source_ip,
            "userAgent": all_headers.get("user-agent", ""),
        },
        "requestId": rid,
        "routeKey": f"{method} {path}",
        "stage": "$default",
        "time": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(now)),
        "timeEpoch": int(now * 1000),
    }
    if claims is not None:
        context["authorizer"] = {"jwt": {"claims": claims, "scopes": scopes}}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": f"{method} {path}",
        "rawPath": path,
        "rawQueryString": "",
        "headers": all_headers,
        "requestContext": context,
        "isBase64Encoded": is_base64,
    }
    if body is not None:
        event["body"] = body
    return event
