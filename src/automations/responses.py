"""The HTTP edge's responses: the contract's error envelope, and errors the edge
itself raises (authentication, media type, body shape) before the domain runs."""

from __future__ import annotations

from typing import Any

from aws_lambda_powertools.event_handler import Response

from automations.json_text import dumps

JSON = "application/json"


class HttpError(Exception):
    """A request refused at the edge, with everything its response needs."""

    def __init__(
        self, status: int, error_type: str, code: str, message: str, headers: dict[str, str] | None = None
    ) -> None:
        super().__init__(f"{status} {code}")
        self.status = status
        self.error_type = error_type
        self.code = code
        self.message = message
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
    validation_errors: list[dict[str, Any]] | None = None,
) -> str:
    """The contract's error envelope, as JSON text."""
    error: dict[str, Any] = {"type": error_type, "code": code, "message": message, "requestId": request_id}
    if validation_errors is not None:
        error["validationErrors"] = validation_errors
    return dumps({"error": error})


def error_response(
    status: int,
    error_type: str,
    code: str,
    message: str,
    request_id: str,
    *,
    headers: dict[str, str] | None = None,
    validation_errors: list[dict[str, Any]] | None = None,
) -> Response[str]:
    body = envelope(error_type, code, message, request_id, validation_errors)
    return json_response(status, body, request_id, headers)


def invalid_event(message: str, request_id: str) -> dict[str, Any]:
    """``400 invalid_event`` as a payload-2.0 proxy response, for an event the
    resolver cannot read (so it cannot build the response either)."""
    return {
        "statusCode": 400,
        "headers": {"Content-Type": JSON, "X-Request-Id": request_id},
        "body": envelope("invalid_request_error", "invalid_event", message, request_id),
        "isBase64Encoded": False,
    }
