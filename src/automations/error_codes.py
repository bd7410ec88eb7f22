"""Every error code the API answers, once: its HTTP status, its error ``type`` and
the message it carries when the place that raises it has nothing more precise to
say (contract, "Errors"; a test holds this table equal to the contract's).

The endpoint builds every error answer from here (``responses.error_response``); each route
lists the codes it can answer (``routes.Route.errors``), checked against this
table. Importing it costs nothing: it is on every function's cold start.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ErrorCode:
    status: int
    type: str
    message: str


_REQUEST = "invalid_request_error"

ERROR_CODES: dict[str, ErrorCode] = {
    "invalid_json": ErrorCode(400, _REQUEST, "the body is not valid JSON"),
    "invalid_body": ErrorCode(400, _REQUEST, "the body must be a JSON object"),
    "invalid_idempotency_key": ErrorCode(
        400, _REQUEST, "the Idempotency-Key header must be 1-255 printable ASCII characters"
    ),
    "invalid_event": ErrorCode(400, _REQUEST, "the event cannot be read as an HTTP API request"),
    "invalid_parameter": ErrorCode(400, _REQUEST, "a query parameter is not one this route takes"),
    "invalid_cursor": ErrorCode(400, _REQUEST, "the cursor is not one this list issued for this query"),
    "authentication_required": ErrorCode(401, "authentication_error", "a valid bearer token is required"),
    "insufficient_scope": ErrorCode(403, "permission_error", "the token lacks the scope this route needs"),
    "workspace_required": ErrorCode(403, "permission_error", "the token must name a workspace"),
    "automation_not_found": ErrorCode(404, _REQUEST, "no automation with this id exists in your workspace"),
    "route_not_found": ErrorCode(404, _REQUEST, "no such route is served here"),
    "idempotency_key_in_use": ErrorCode(
        409,
        "idempotency_error",
        "a request with this Idempotency-Key is still being processed; retry shortly",
    ),
    "automation_not_draft": ErrorCode(
        409, "conflict_error", "only a DRAFT automation can be changed this way"
    ),
    "automation_not_published": ErrorCode(
        409, "conflict_error", "only a PUBLISHED automation can be archived"
    ),
    "automation_published": ErrorCode(
        409, "conflict_error", "a PUBLISHED automation cannot be deleted; archive it first"
    ),
    "draft_exists": ErrorCode(409, "conflict_error", "this automation already has a DRAFT version"),
    "precondition_failed": ErrorCode(412, _REQUEST, "If-Match names no current ETag of this automation"),
    "payload_too_large": ErrorCode(413, _REQUEST, "the body is larger than 1 MiB"),
    "automation_too_large": ErrorCode(413, _REQUEST, "the automation is too large to store"),
    "unsupported_media_type": ErrorCode(415, _REQUEST, "the body must be sent as application/json"),
    "validation_failed": ErrorCode(422, "validation_error", "the request body breaks the automation's rules"),
    "not_publishable": ErrorCode(
        422, "validation_error", "problems stand between this automation and publishing"
    ),
    "idempotency_key_reused": ErrorCode(
        422,
        "idempotency_error",
        "this Idempotency-Key was already used with a different body; use a new key for a new automation",
    ),
    "precondition_required": ErrorCode(
        428, _REQUEST, "this route changes an automation only with an If-Match header naming its ETag"
    ),
    "internal_error": ErrorCode(500, "api_error", "an internal error occurred; it has been logged"),
    "service_unavailable": ErrorCode(
        503, "api_error", "automations cannot be reached right now; nothing was changed, retry shortly"
    ),
}
