"""Lambda entry point: ``automations.handler.lambda_handler``."""

from __future__ import annotations

# The cold start is mostly imports, which allocate many long-lived objects: with
# the collector off they are not scanned again and again while the heap grows,
# and frozen afterwards they stay out of every later collection (README,
# "Performance": about a fifth of the import time).
import gc

gc.disable()
try:
    from typing import Any

    from aws_lambda_powertools.logging import correlation_paths

    from automations.api import app
    from automations.http_event import problem_with
    from automations.observability import logger, metrics, tracer
    from automations.responses import invalid_event
finally:
    gc.freeze()
    gc.enable()


# log_event=False and capture_response=False whatever the environment says: events
# carry the bearer token and responses carry whole automations; neither is logged.
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
    return app.resolve(event, context)
