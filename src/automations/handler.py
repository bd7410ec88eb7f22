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
    from automations.observability import logger, metrics, tracer
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
def lambda_handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    return app.resolve(event, context)
