"""The HTTP edge: the route, the caller, the body, and every error mapped once to
the contract's envelope. Below this module nothing knows about API Gateway."""

from __future__ import annotations

import functools
import re

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.metrics import MetricUnit

from automations.body import read_json_object
from automations.caller import authorise
from automations.create import create_automation
from automations.errors import (
    MAX_LISTED_PROBLEMS,
    AutomationTooLarge,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    StorageUnavailable,
    ValidationFailed,
)
from automations.graph import GRAPH_CODES
from automations.observability import logger, metrics
from automations.responses import HttpError, dumps, error_response, json_response
from automations.settings import SettingsError, get_settings
from automations.store import AutomationStore

PATH = "/v1/automations"
RETRY_AFTER_SECONDS = "2"
IDEMPOTENCY_KEY = re.compile(r"[\x20-\x7e]{1,255}")  # 1 to 255 printable ASCII characters

app = APIGatewayHttpResolver()


@functools.cache
def automation_store() -> AutomationStore:
    """One store (and one DynamoDB client) per container, made on first use."""
    return AutomationStore(get_settings().automations_table)


def request_id() -> str:
    """API Gateway's request id; the Lambda request id when invoked directly."""
    rid = app.current_event.request_context.request_id
    if rid:
        return rid
    context = getattr(app, "lambda_context", None)
    return str(getattr(context, "aws_request_id", None) or "unknown")


@app.post(PATH)
def create() -> Response[str]:
    event = app.current_event
    settings = get_settings()
    caller = authorise(event.raw_event.get("requestContext", {}).get("authorizer"), settings.workspace_claim)
    logger.append_keys(workspace_id=caller.workspace_id)
    # The body's hard limits come before the header is looked at, so a body gets
    # the same answer with or without an Idempotency-Key (contract, "Hard limits").
    payload = read_json_object(event.body, bool(event.is_base64_encoded), event.headers.get("content-type"))
    key = event.headers.get("idempotency-key")
    if key is not None and not IDEMPOTENCY_KEY.fullmatch(key):
        raise HttpError(
            400,
            "invalid_request_error",
            "invalid_idempotency_key",
            "the Idempotency-Key header must be 1-255 printable ASCII characters",
        )
    replayed = False
    if key is None:
        automation = create_automation(payload, caller.workspace_id, automation_store())
    else:
        if settings.idempotency_table is None:
            raise SettingsError("an Idempotency-Key arrived but IDEMPOTENCY_TABLE is not set")
        from automations.idempotency import create_once  # only requests with a key pay for it

        automation, replayed = create_once(
            payload,
            caller.workspace_id,
            key,
            automation_store(),
            settings.idempotency_table,
            app.lambda_context,
        )
    headers = {"Location": f"{PATH}/{automation['id']}"}
    if replayed:
        headers["Idempotent-Replayed"] = "true"
        logger.info("idempotent replay", extra={"automation_id": automation["id"]})
    else:
        metrics.add_metric(name="AutomationCreated", unit=MetricUnit.Count, value=1)
        logger.info(
            "automation created",
            extra={
                "automation_id": automation["id"],
                "nodes": len(automation["nodes"]),
                "edges": len(automation["edges"]),
            },
        )
    return json_response(201, dumps(automation), request_id(), headers)


@app.exception_handler(HttpError)
def _http_error(exc: HttpError) -> Response[str]:
    logger.info("request refused", extra={"status": exc.status, "code": exc.code})
    return error_response(
        exc.status, exc.error_type, exc.code, exc.message, request_id(), headers=exc.headers
    )


@app.exception_handler(ValidationFailed)
def _validation_failed(exc: ValidationFailed) -> Response[str]:
    problems = exc.problems
    count = len(problems)
    where = "automation graph" if all(p.code in GRAPH_CODES for p in problems) else "request body"
    cut = f"; the first {MAX_LISTED_PROBLEMS} are listed" if count > MAX_LISTED_PROBLEMS else ""
    logger.info("validation failed", extra={"problems": count, "codes": sorted({p.code for p in problems})})
    return error_response(
        422,
        "validation_error",
        "validation_failed",
        f"{count} problem{'s' if count != 1 else ''} in the {where}{cut}",
        request_id(),
        validation_errors=exc.listed(),
    )


@app.exception_handler(AutomationTooLarge)
def _too_large(exc: AutomationTooLarge) -> Response[str]:
    logger.info("automation too large", extra={"size": exc.size, "limit": exc.limit})
    return error_response(
        413,
        "invalid_request_error",
        "automation_too_large",
        f"the automation needs {exc.size} bytes of storage; at most {exc.limit} fit in one automation",
        request_id(),
    )


@app.exception_handler(StorageUnavailable)
def _unavailable(exc: StorageUnavailable) -> Response[str]:
    logger.warning("storage unavailable", extra={"reason": str(exc)})
    return error_response(
        503,
        "api_error",
        "service_unavailable",
        "automations cannot be stored right now; nothing was created, retry shortly",
        request_id(),
        headers={"Retry-After": RETRY_AFTER_SECONDS},
    )


@app.exception_handler(IdempotencyKeyReused)
def _key_reused(exc: IdempotencyKeyReused) -> Response[str]:
    return error_response(
        422,
        "idempotency_error",
        "idempotency_key_reused",
        "this Idempotency-Key was already used with a different body; use a new key for a new automation",
        request_id(),
    )


@app.exception_handler(IdempotencyKeyInUse)
def _key_in_use(exc: IdempotencyKeyInUse) -> Response[str]:
    return error_response(
        409,
        "idempotency_error",
        "idempotency_key_in_use",
        "a request with this Idempotency-Key is still being processed; retry shortly",
        request_id(),
        headers={"Retry-After": "1"},
    )


@app.not_found
def _not_found(exc: NotFoundError) -> Response[str]:
    return error_response(
        404, "invalid_request_error", "route_not_found", f"only POST {PATH} is served here", request_id()
    )


@app.exception_handler(Exception)
def _bug(exc: Exception) -> Response[str]:
    # A 500 is always a bug: log it whole, tell the client nothing of its insides.
    logger.exception("unhandled error")
    return error_response(
        500, "api_error", "internal_error", "an internal error occurred; it has been logged", request_id()
    )
