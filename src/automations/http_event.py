"""What an API Gateway HTTP API request (payload 2.0) event is: whether an event can
be read as one. (The one builder of such events, for the tests, the local tooling
and the benchmark, is ``automations_local.events``: the functions ship none.)

API Gateway always sends that shape; a direct invocation (the console, another
service, a test) can send anything. Powertools' resolver reads ``rawPath``,
``requestContext.http`` and the headers without checking them, so an event of
another shape would be a ``KeyError`` or a ``TypeError`` deep inside it: the
handler asks here first and answers ``400 invalid_event`` instead (contract,
"Hard limits"). The check reads only the event's frame, never the body.
"""

from __future__ import annotations

from typing import Any

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
