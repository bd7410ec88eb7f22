"""``make invoke EVENT=events/<file>.json``: the Docker-free twin of
``sam local invoke <Function> -e``. Replays one event file through the handler of
the route it names (its ``routeKey``, one of ``automations.routes.ROUTES``) against
the local storage (embedded by default), with the context Lambda gives that route's
function (its name, and its memory size and timeout from template.yaml), and prints
the response alone on stdout; the function's logs and metrics go to stderr.

An event file may have expectations beside it (``<name>.expected.json``); when
they say what is ``given`` (an automation stored in a workspace before the event
arrives, as for a GET), it is stored first, here and in the replay tests alike.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from automations.routes import ROUTES, Route

Handler = Callable[[Any, Any], dict[str, Any]]


def route_of(event: dict[str, Any]) -> Route:
    """The route that serves the event's ``routeKey``."""
    key = event.get("routeKey") if isinstance(event, dict) else None
    for route in ROUTES:
        if route.key == key:
            return route
    raise SystemExit(f"the event's routeKey {key!r} is not a route of the API")


def handler_of(route: Route) -> Handler:
    module, _, name = route.handler.rpartition(".")
    handler: Handler = getattr(importlib.import_module(module), name)
    return handler


def expectations(event_file: Path) -> dict[str, Any]:
    """What is expected of an event file (``<name>.expected.json``), or {}."""
    path = event_file.with_name(event_file.stem + ".expected.json")
    return json.loads(path.read_text()) if path.exists() else {}


def store_given(expected: dict[str, Any], client: Any, table: str) -> None:
    """Store the automation an event's expectations say is ``given``, if any."""
    given = expected.get("given")
    if given:
        from automations.item import to_item

        client.put_item(TableName=table, Item=to_item(given["workspaceId"], given["automation"]))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("event", type=Path, help="an API Gateway payload-2.0 event file")
    args = parser.parse_args(argv)
    event = json.loads(args.event.read_text())

    from automations_local.context import LambdaContext
    from automations_local.storage import local_storage

    # As with `sam local invoke`: the function's logs and metrics on stderr, the
    # response alone on stdout (the logger binds its stream when first imported).
    with local_storage() as storage, contextlib.redirect_stdout(sys.stderr):
        print(f"# storage: {storage.description}")
        store_given(expectations(args.event), storage.client(), storage.automations_table)
        route = route_of(event)
        result = handler_of(route)(event, LambdaContext.of(route.function))
    body = result.get("body")
    if isinstance(body, str):
        with contextlib.suppress(ValueError):  # not JSON: print it as it came
            result["body"] = json.loads(body)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
