"""An instant-answer DynamoDB on loopback for `make bench`: every call succeeds at
once, over keep-alive HTTP/1.1, so storage costs every handler the same small time.
A GetItem finds an automation under whatever automation id it asks for (and no
family record: a family that never went past its first draft): the item a create of
the bench's 20-node flow would have written there (``workload.stored_item``), so a
GET is a 200 with a whole automation to decode; every other call answers ``{}``.
Run as ``python -m automations_local.bench.standin``; prints its URL."""

from __future__ import annotations

import contextlib
import functools
import json
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from automations.ids import PREFIX
from automations_local.bench.workload import AUTOMATION_ID, WORKSPACE, stored_item

GET_ITEM = "DynamoDB_20120810.GetItem"


@functools.cache
def _get_item_answer(workspace_id: str, automation_id: str) -> bytes:
    return json.dumps({"Item": stored_item(workspace_id, automation_id)}).encode()


def answer(target: str, request: bytes) -> bytes:
    """The answer to one DynamoDB call (``X-Amz-Target``, JSON request body)."""
    if target == GET_ITEM:
        key = json.loads(request)["Key"]
        if not key["id"]["S"].startswith(PREFIX):  # a family's record: none yet
            return b"{}"
        return _get_item_answer(key["workspaceId"]["S"], key["id"]["S"])
    return b"{}"


class _Instant(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else headers and body wait on delayed ACKs: 40 ms a call

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def do_POST(self) -> None:
        request = self.rfile.read(int(self.headers.get("content-length") or 0))
        body = answer(self.headers.get("x-amz-target", ""), request)
        self.send_response(200)
        self.send_header("content-type", "application/x-amz-json-1.0")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def main() -> None:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Instant)
    server.daemon_threads = True
    _get_item_answer(WORKSPACE, AUTOMATION_ID)  # made before serving: never inside a timed request
    host, port = server.server_address[:2]
    print(f"http://{host!s}:{port}", flush=True)
    with contextlib.suppress(KeyboardInterrupt):
        server.serve_forever()


if __name__ == "__main__":
    main()
