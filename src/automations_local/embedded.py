"""The embedded DynamoDB: moto's DynamoDB on loopback, serving one request at a time.

DynamoDB applies each request, and each transaction, atomically: a conditional
write's check and its write are one step, and no other request lands between them.
moto's server is threaded, and its DynamoDB is plain Python objects with no lock, so
two requests can interleave inside one operation (two conditional writes both pass
their check, then both write). A lock held around each whole WSGI call (reading the
request, the operation, producing the answer) gives back DynamoDB's atomicity. The
server stays threaded, so a client's kept-alive connection does not hold up another
client; only the requests' work is taken in turn.

Items are refused where DynamoDB refuses them: over ``ITEM_LIMIT`` (409,600 bytes of
names and values, the rule dynalite and ``automations.item`` apply), not at moto's
own 405,000, so an automation the validate route finds small enough is stored too.

``make run`` serves it on a thread of its own process (``serve``); the race tests
start it as a process of its own (``python -m automations_local.embedded``, which
prints its endpoint and serves until its standard input closes or it is ended).
"""

from __future__ import annotations

import logging
import sys
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class OneRequestAtATime:
    """A WSGI app that runs ``app`` for one request at a time: the call, and the
    answer produced to its last byte, under one lock."""

    def __init__(self, app: WSGIApplication) -> None:
        self.app = app
        self.lock = threading.Lock()

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        with self.lock:
            answer = self.app(environ, start_response)
            try:
                return [b"".join(answer)]
            finally:
                close = getattr(answer, "close", None)
                if close is not None:
                    close()


@contextmanager
def serve(host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """moto's DynamoDB, one request at a time, on a thread of this process; its
    endpoint (``http://host:port``) until the block ends. Its state is this
    process's moto backends."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    use_dynamodb_item_limit()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
    app = OneRequestAtATime(DomainDispatcherApplication(create_backend_app))
    server = make_server(host, port, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="embedded-dynamodb", daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join()


def use_dynamodb_item_limit() -> None:
    """moto's items refuse an attribute that takes them over 405,000 bytes (its
    ``LimitedSizeDict``, a guess between 400 KB and what DynamoDB allows); this makes
    the limit ``ITEM_LIMIT``, measured as moto measures (names plus values, DynamoDB's
    rule). The server runs in this process, so its items are of this class."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    from automations.item import ITEM_LIMIT

    def size(value: Any) -> int:
        return int(value.size()) if type(value) is DynamoType else int(bytesize(str(value)))

    def set_item(self: dict[str, Any], key: str, value: Any) -> None:
        total = sum(bytesize(name) + size(held) for name, held in self.items()) + bytesize(key) + size(value)
        if total > ITEM_LIMIT:
            raise ItemSizeTooLarge
        dict.__setitem__(self, key, value)

    LimitedSizeDict.__setitem__ = set_item  # type: ignore[method-assign]


def main() -> None:
    """Serve until standard input closes (the parent ended) or a signal ends this
    process; the endpoint is the one line on standard output."""
    with serve() as endpoint:
        print(endpoint, flush=True)
        sys.stdout = sys.stderr  # the parent reads one line; nothing else may fill the pipe
        sys.stdin.read()


if __name__ == "__main__":
    main()
