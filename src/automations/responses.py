"""The HTTP endpoint's responses: the contract's error envelope, and errors the endpoint
itself raises (authentication, media type, body shape) before the domain runs."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from automations.error_codes import ERROR_CODES
from automations.json_text import dumps

JSON = "application/json"


class HttpError(Exception):
    """A request refused at the endpoint: one of ``ERROR_CODES``, with the table's
    message unless the place that raises it says more, and any headers it needs."""

    def __init__(self, code: str, message: str | None = None, headers: dict[str, str] | None = None) -> None:
        known = ERROR_CODES[code]
        super().__init__(f"{known.status} {code}")
        self.status = known.status
        self.error_type = known.type
        self.code = code
        self.message = message or known.message
        self.headers = headers or {}


def json_response(
    status: int, body: str, request_id: str, headers: dict[str, str] | None = None
) -> Response[str]:
    return Response(
        status_code=status,
        content_type=JSON,
        body=body,
        headers={**(headers or {}), "X-Request-Id": request_id},
    )


def envelope(
    error_type: str,
    code: str,
    message: str,
    request_id: str,
    details: dict[str, Any] | None = None,
) -> str:
    """The contract's error envelope, as JSON text; ``details`` are its lists
    (``validationErrors``, ``diagnostics``)."""
    error: dict[str, Any] = {"type": error_type, "code": code, "message": message, "requestId": request_id}
    error.update(details or {})
    return dumps({"error": error})


def error_response(
    code: str,
    message: str | None,
    request_id: str,
    *,
    headers: dict[str, str] | None = None,
    details: dict[str, Any] | None = None,
) -> Response[str]:
    """The answer for one of ``ERROR_CODES``: its status, its type, and ``message``
    or the table's own."""
    known = ERROR_CODES[code]
    body = envelope(known.type, code, message or known.message, request_id, details)
    return json_response(known.status, body, request_id, headers)


def invalid_event(message: str, request_id: str) -> dict[str, Any]:
    """``400 invalid_event`` as a payload-2.0 proxy response, for an event the
    resolver cannot read (so it cannot build the response either)."""
    return {
        "statusCode": ERROR_CODES["invalid_event"].status,
        "headers": {"Content-Type": JSON, "X-Request-Id": request_id},
        "body": envelope(ERROR_CODES["invalid_event"].type, "invalid_event", message, request_id),
        "isBase64Encoded": False,
    }
