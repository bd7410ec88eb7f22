"""``make invoke EVENT=events/<file>.json``: the Docker-free twin of
``sam local invoke -e``. Replays one event file through the handler against the
local storage (embedded by default) and prints the response."""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
from pathlib import Path


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
        from automations.handler import lambda_handler

        result = lambda_handler(event, LambdaContext())
    body = result.get("body")
    if isinstance(body, str):
        with contextlib.suppress(ValueError):  # not JSON: print it as it came
            result["body"] = json.loads(body)
    print(json.dumps(result, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
