"""One measurement in a fresh interpreter, for `make bench`:

    python -m automations_local.bench.child cold|warm ours|bare EVENT_FILE [N]

cold: the time to import the handler and serve the first request, and peak RSS.
warm: N invocations after a warm-up, each timed. Prints one JSON object. The
handlers' own output (logs, metrics) goes to /dev/null for both.
"""

from __future__ import annotations

import importlib
import json
import os
import resource
import sys
import time

HANDLERS = {"ours": "automations.routes.create", "bare": "automations_local.bench.bare_handler"}


def main() -> None:
    mode, which, event_file = sys.argv[1:4]
    count = int(sys.argv[4]) if len(sys.argv) > 4 else 0
    with open(event_file) as handle:
        event = json.load(handle)
    from automations_local.context import LambdaContext

    context = LambdaContext()
    out = os.fdopen(os.dup(1), "w")
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process

    started = time.perf_counter()
    handler = importlib.import_module(HANDLERS[which]).lambda_handler
    imported = time.perf_counter()
    response = handler(event, context)
    answered = time.perf_counter()
    assert response["statusCode"] == 201, response
    result: dict[str, object] = {
        "import_ms": (imported - started) * 1000,
        "first_request_ms": (answered - imported) * 1000,
        "cold_ms": (answered - started) * 1000,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }
    if mode == "warm":
        for _ in range(max(10, count // 10)):
            handler(event, context)
        times = []
        for _ in range(count):
            begin = time.perf_counter_ns()
            handler(event, context)
            times.append((time.perf_counter_ns() - begin) / 1e6)
        times.sort()
        result.update(
            p50_ms=times[len(times) // 2], p99_ms=times[min(len(times) - 1, int(len(times) * 0.99))]
        )
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    out.write(json.dumps(result))
    out.flush()


if __name__ == "__main__":
    main()
