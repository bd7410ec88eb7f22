"""Whether an event can be read as an API Gateway HTTP API request (payload 2.0).

API Gateway always sends that shape; a direct invocation (the console, another
service, a test) can send anything. Powertools' resolver reads ``rawPath``,
``requestContext.http`` and the headers without checking them, so an event of
another shape would be a ``KeyError`` or a ``TypeError`` deep inside it: the
handler asks here first and answers ``400 invalid_event`` instead (contract,
"Hard limits"). The check reads only the event's frame, never the body.
"""

from __future__ import annotations

from typing import Any


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
