"""The HTTP endpoint that every route's function is: a resolver with every error
mapped once to the contract's envelope (``error_codes.py``), the caller authorised
for the route's scopes, and the entry point (Logger, Tracer and Metrics around the
event check and ``app.resolve``). Each route module (``automations/routes/``) adds
its one route to an ``Endpoint`` made here. Below this module nothing knows about
API Gateway.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from aws_lambda_powertools.event_handler import APIGatewayHttpResolver, Response
from aws_lambda_powertools.event_handler.exceptions import NotFoundError
from aws_lambda_powertools.logging import correlation_paths

from automations import snapstart
from automations.caller import Caller, authorise
from automations.error_codes import ERROR_CODES
from automations.errors import (
    MAX_LISTED_PROBLEMS,
    AutomationNotFound,
    AutomationTooLarge,
    IdempotencyKeyInUse,
    IdempotencyKeyReused,
    Refused,
    StorageUnavailable,
    ValidationFailed,
)
from automations.graph import GRAPH_CODES
from automations.http_event import problem_with
from automations.ids import PATTERN
from automations.observability import logger, metrics, tracer
from automations.responses import HttpError, error_response, invalid_event
from automations.routes import Route
from automations.settings import get_settings

RETRY_AFTER_SECONDS = "2"
_AUTOMATION_ID = re.compile(PATTERN)
LambdaHandler = Callable[[Any, Any], dict[str, Any]]


def resolver_path(route: Route) -> str:
    """The route's path as Powertools writes it: ``{automationId}`` → ``<automationId>``."""
    return re.sub(r"\{(\w+)\}", r"<\1>", route.path)


def validation_message(exc: ValidationFailed) -> str:
    """``2 problems in the automation graph``; past the listed ones, the total."""
    count = exc.total
    where = "automation graph" if exc.codes <= GRAPH_CODES else "request body"
    cut = f"; the first {MAX_LISTED_PROBLEMS} are listed" if count > MAX_LISTED_PROBLEMS else ""
    return f"{count} problem{'s' if count != 1 else ''} in the {where}{cut}"


def priming_event(
    route: Route, path: str, body: str | None, path_parameters: dict[str, str], query: dict[str, str]
) -> dict[str, Any]:
    """A payload-2.0 event for SnapStart's priming request: the fields the resolver
    and ``problem_with`` read, literally, so the function ships no event builder."""
    http = {"method": route.method, "path": path, "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1"}
    claims = {get_settings().workspace_claim: snapstart.WORKSPACE, "scope": " ".join(route.scopes)}
    event: dict[str, Any] = {
        "version": "2.0",
        "routeKey": route.key,
        "rawPath": path,
        "rawQueryString": "",
        "headers": {"content-type": "application/json"},
        "requestContext": {
            "http": http,
            "requestId": "snapstart-priming",
            "routeKey": route.key,
            "stage": "$default",
            "authorizer": {"jwt": {"claims": claims, "scopes": None}},
        },
        "isBase64Encoded": False,
    }
    if path_parameters:
        event["pathParameters"] = path_parameters
    if query:
        event["queryStringParameters"] = query
        event["rawQueryString"] = "&".join(f"{name}={value}" for name, value in query.items())
    if body is not None:
        event["body"] = body
    return event


class Endpoint:
    """One route's resolver, its error mapping and its entry point."""

    def __init__(self, route: Route) -> None:
        self.route = route
        self.app = APIGatewayHttpResolver()
        self._map_errors()

    def request_id(self) -> str:
        """API Gateway's request id; the Lambda request id when invoked directly."""
        rid = self.app.current_event.request_context.request_id
        if rid:
            return rid
        context = getattr(self.app, "lambda_context", None)
        return str(getattr(context, "aws_request_id", None) or "unknown")

    def caller(self) -> Caller:
        """Who is calling, holding one of the route's scopes, and their workspace."""
        authorizer = self.app.current_event.raw_event["requestContext"].get("authorizer")
        caller = authorise(authorizer, get_settings().workspace_claim, self.route.scopes)
        logger.append_keys(workspace_id=caller.workspace_id)
        return caller

    def automation_id(self, matched: str) -> str:
        """The ``{automationId}`` of this request: API Gateway's decoded path
        parameter (the resolver's match of the raw path, ``matched``, when invoked
        directly without one). Text that is no automation id names no automation:
        AutomationNotFound, without a read, the same answer as an unknown id, so
        nothing tells whether an id exists elsewhere."""
        automation_id = self.app.current_event.path_parameters.get("automationId", matched)
        if not _AUTOMATION_ID.fullmatch(automation_id):
            raise AutomationNotFound()
        return automation_id

    def prime(
        self, body: str | None = None, query: dict[str, str] | None = None, **path_parameters: str
    ) -> Callable[[], None]:
        """Register (and return) a SnapStart priming step (``snapstart.py``): one in-memory request
        to this route, by a caller holding its scopes, served by its own resolver, so
        the snapshot holds every code path that request takes warm. Give it a request
        the route answers without storage (a refusal, a validation): the answer is
        dropped, and priming never touches a table or the network."""
        path = self.route.path_with(**path_parameters)

        def prime() -> None:
            event = priming_event(self.route, path, body, path_parameters, query or {})
            self.app.resolve(event, None)  # type: ignore[arg-type]  # no invocation, no Lambda context

        snapstart.before_snapshot(prime)
        return prime

    def handler(self) -> LambdaHandler:
        """The Lambda entry point of this route's function."""
        app = self.app

        # log_event=False and capture_response=False whatever the environment says:
        # events carry the bearer token and responses carry whole automations.
        @logger.inject_lambda_context(
            correlation_id_path=correlation_paths.API_GATEWAY_HTTP, log_event=False, clear_state=True
        )
        @tracer.capture_lambda_handler(capture_response=False)
        @metrics.log_metrics(capture_cold_start_metric=True)
        def lambda_handler(event: Any, context: Any) -> dict[str, Any]:
            problem = problem_with(event)
            if problem is not None:  # invoked directly with something else: answered first of all
                logger.info("invalid event", extra={"reason": problem})
                return invalid_event(problem, str(getattr(context, "aws_request_id", None) or "unknown"))
            answer: dict[str, Any] = app.resolve(event, context)
            return answer

        decorated: LambdaHandler = lambda_handler  # Powertools' decorators are untyped
        return decorated

    def _map_errors(self) -> None:
        """Each kind of error to its code; status, type and message come from
        ``ERROR_CODES`` unless the error itself says more."""
        app, route, request_id = self.app, self.route, self.request_id

        def refusal(exc: HttpError) -> Response[str]:
            logger.info("request refused", extra={"status": exc.status, "code": exc.code})
            return error_response(exc.code, exc.message, request_id(), headers=exc.headers)

        app.exception_handler(HttpError)(refusal)

        @app.exception_handler(Refused)
        def _refused(exc: Refused) -> Response[str]:
            logger.info("request refused", extra={"status": ERROR_CODES[exc.code].status, "code": exc.code})
            return error_response(
                exc.code, exc.message, request_id(), headers=exc.headers, details=exc.details
            )

        @app.exception_handler(ValidationFailed)
        def _validation_failed(exc: ValidationFailed) -> Response[str]:
            logger.info("validation failed", extra={"problems": exc.total, "codes": sorted(exc.codes)})
            return error_response(
                "validation_failed",
                validation_message(exc),
                request_id(),
                details={"validationErrors": exc.listed()},
            )

        @app.exception_handler(AutomationTooLarge)
        def _too_large(exc: AutomationTooLarge) -> Response[str]:
            logger.info("automation too large", extra={"size": exc.size, "limit": exc.limit})
            message = (
                f"the automation needs {exc.size} bytes of storage; at most {exc.limit} fit in one automation"
            )
            return error_response("automation_too_large", message, request_id())

        @app.exception_handler(StorageUnavailable)
        def _unavailable(exc: StorageUnavailable) -> Response[str]:
            # An operator's fault (a missing table or permission) is an error to
            # look at; throttling and a passing outage are warnings.
            log = logger.error if exc.misconfigured else logger.warning
            log("storage unavailable", extra={"reason": str(exc)})
            return error_response(
                "service_unavailable", None, request_id(), headers={"Retry-After": RETRY_AFTER_SECONDS}
            )

        @app.exception_handler(IdempotencyKeyReused)
        def _key_reused(exc: IdempotencyKeyReused) -> Response[str]:
            return error_response("idempotency_key_reused", None, request_id())

        @app.exception_handler(IdempotencyKeyInUse)
        def _key_in_use(exc: IdempotencyKeyInUse) -> Response[str]:
            return error_response("idempotency_key_in_use", None, request_id(), headers={"Retry-After": "1"})

        @app.not_found
        def _not_found(exc: NotFoundError) -> Response[str]:
            # A path API Gateway routed here (its routeKey is this route's) that the
            # resolver's pattern does not take, such as an automationId holding a
            # "/": it names no automation, the same 404 as any unknown id.
            routed_here = app.current_event.raw_event.get("routeKey") == route.key
            if routed_here and "automationId" in route.path_parameters:
                try:
                    self.caller()  # authorised first, as on the route itself
                except HttpError as refused:
                    return refusal(refused)
                answer: Response[str] = _refused(AutomationNotFound())
                return answer
            message = f"only {route.method} {route.path} is served here"
            return error_response("route_not_found", message, request_id())

        @app.exception_handler(Exception)
        def _bug(exc: Exception) -> Response[str]:
            # A 500 is always a bug: log it whole, tell the client nothing of its insides.
            logger.exception("unhandled error")
            return error_response("internal_error", None, request_id())
