"""One measurement in a fresh interpreter, for `make bench`, in the environment the
parent gives it (Lambda's, as deployed: ``environment.py``):

    python -m automations_local.bench.child cold HANDLER STATUS EVENT_FILE
    python -m automations_local.bench.child warm HANDLER STATUS EVENT_FILE N
    python -m automations_local.bench.child scaling NODES...

cold: the time to import the handler (``module.attribute``, as template.yaml names
it) and serve its first request, which must answer STATUS, and peak RSS. warm: then
N invocations after a warm-up, each timed. scaling: the validate function's work on
a dense flow of each size, in parts. Prints one JSON object. The
handlers' own output (logs, metrics) goes to /dev/null for every handler.

Nothing that a handler might import is imported before the clock starts, so that no
handler finds part of its work done: the context below is a plain class for that
reason (the local ``LambdaContext`` would load ``dataclasses`` and ``uuid``), and
``typing`` is not imported. ``json`` is: Lambda's runtime has loaded it already.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time

TYPE_CHECKING = False  # typing is not imported either: the handlers import it themselves
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any


class Context:
    """The attributes of Lambda's context object that the handlers read."""

    def __init__(self) -> None:
        self.function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "bench")
        self.function_version = os.environ.get("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST")
        self.memory_limit_in_mb = int(os.environ.get("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "512"))
        self.invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{self.function_name}"
        self.log_group_name = os.environ.get("AWS_LAMBDA_LOG_GROUP_NAME", "")
        self.log_stream_name = os.environ.get("AWS_LAMBDA_LOG_STREAM_NAME", "")
        self.aws_request_id = os.urandom(16).hex()

    def get_remaining_time_in_millis(self) -> int:
        return 12_000


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _load(handler_name: str) -> Any:
    module, attribute = handler_name.rsplit(".", 1)
    # The import statement's path, which -X importtime reports (importlib's
    # import_module, which Lambda's runtime calls, is not reported; it costs the same).
    __import__(module)
    return getattr(sys.modules[module], attribute)


def measure(mode: str, handler_name: str, status: int, event_file: str, count: int) -> dict[str, Any]:
    with open(event_file) as handle:
        event = json.load(handle)
    context = Context()

    started = time.perf_counter()
    handler = _load(handler_name)
    imported = time.perf_counter()
    response = handler(event, context)
    answered = time.perf_counter()
    assert response["statusCode"] == status, response
    result: dict[str, Any] = {
        "import_ms": (imported - started) * 1000,
        "first_request_ms": (answered - imported) * 1000,
        "cold_ms": (answered - started) * 1000,
        "peak_rss_mb": _peak_rss_mb(),
        "loaded": _loaded_from(os.environ.get("LAMBDA_TASK_ROOT", "")),
        "loaded_from_layers": sorted(
            f
            for layer in os.environ.get("BENCH_LAYERS", "").split(os.pathsep)
            if layer
            for f in _loaded_from(layer)
        ),
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
        result["peak_rss_mb"] = _peak_rss_mb()
    return result


def _loaded_from(root: str) -> list[str]:
    """The source files of the modules imported from ``root`` (the task root, or a
    layer's folder), for the parent to check that each came with its bytecode."""
    prefix = os.path.realpath(root) + os.sep if root else None
    files = (getattr(module, "__file__", None) for module in list(sys.modules.values()))
    return sorted(f for f in files if prefix and f and os.path.realpath(f).startswith(prefix))


def _ms(work: Callable[[], object]) -> float:
    started = time.perf_counter()
    work()
    return (time.perf_counter() - started) * 1000


def scaling(sizes: list[int], repeats: int = 31) -> dict[str, dict[str, float]]:
    """The validate function's work on a dense flow of each size, best of ``repeats``:
    parsing (the body's hard limits and JSON, the create's validator: field and graph
    rules), the publish-time diagnostics, and the whole request through the handler
    (those two, the size check, the answer and Powertools around them). The sizes
    take turns, so that a busy moment of the machine does not fall on one alone."""
    from functools import partial

    from automations.body import read_json_object
    from automations.diagnostics import diagnose
    from automations.models import NewAutomation
    from automations.routes.validate import lambda_handler
    from automations.validation import parse_new_automation
    from automations_local.bench.workload import validate_event

    def parse(body: str) -> NewAutomation:
        return parse_new_automation(read_json_object(body, False, "application/json"))

    context = Context()
    found: dict[str, dict[str, float]] = {}
    work: dict[str, dict[str, Callable[[], object]]] = {}
    for nodes in sizes:
        event = validate_event(nodes, dense=True)
        draft = parse(event["body"])
        answer = json.loads(lambda_handler(event, context)["body"])
        assert answer["valid"], answer["errors"]
        found[str(nodes)] = {"edges": len(draft.edges), "diagnostics": answer["diagnosticsTotal"]}
        work[str(nodes)] = {
            "parse_ms": partial(parse, event["body"]),
            "diagnostics_ms": partial(diagnose, draft),
            "route_ms": partial(lambda_handler, event, context),
        }
    for _ in range(repeats):
        for size, parts in work.items():
            for key, part in parts.items():
                found[size][key] = min(found[size].get(key, float("inf")), _ms(part))
    return found


def main() -> None:
    # Run as Lambda runs a function (run.py: python -I -S, this file by its path): the
    # task root, then the runtime's SDK, ahead of the standard library.
    if os.environ.get("BENCH_SYS_PATH"):
        sys.path[0:0] = os.environ["BENCH_SYS_PATH"].split(os.pathsep)
    mode, *args = sys.argv[1:]
    out = os.fdopen(os.dup(1), "w")
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process
    result: Any
    if mode == "scaling":
        result = scaling([int(n) for n in args])
    else:
        handler_name, status, event_file, *count = args
        result = measure(mode, handler_name, int(status), event_file, int(count[0]) if count else 0)
    out.write(json.dumps(result))
    out.flush()


if __name__ == "__main__":
    main()
