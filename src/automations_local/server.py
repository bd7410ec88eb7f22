"""``make run``: the Automations API on http://127.0.0.1:3000, without Docker.

It plays API Gateway (see ``gateway.py``: the routes and scopes of template.yaml,
the JWT authorizer, payload-2.0 events, responses) in front of each route's real
handler, with an embedded DynamoDB by default (``storage.py``). Like one Lambda
container per function it serves one invocation at a time. Local extras the
deployed API does not have: ``GET /`` (an index), ``GET /openapi.json`` and
``GET /docs`` (Swagger UI, Powertools' own, served offline).
"""

from __future__ import annotations

import argparse
import contextlib
import html
import importlib
import os
import shlex
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from automations_local import framing, gateway, tokens
from automations_local.openapi import DOCUMENT, swagger_page
from automations_local.template import TemplateRoute, template_routes
from automations_local.walkthrough import WALKTHROUGH, walkthrough


class LocalApi(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 128  # socketserver's 5 resets connections under a burst of clients

    def __init__(self, address: tuple[str, int], idle_timeout: float = 30.0) -> None:
        # A client that stops sending (mid-head, mid-body, or idle between requests)
        # holds a thread and a socket; after this many seconds of silence the
        # connection is closed.
        self.idle_timeout = idle_timeout
        super().__init__(address, _Handler)
        self.gateway = gateway.Gateway(template_routes(), self.invoke)
        # one container per function: one invocation at a time in each
        self.containers = {route.function: threading.Lock() for route in self.gateway.routes}

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def invoke(self, route: TemplateRoute, event: dict[str, Any], context: Any) -> dict[str, Any]:
        module, _, name = route.handler.rpartition(".")
        handler = getattr(importlib.import_module(module), name)
        with self.containers[route.function]:
            result: dict[str, Any] = handler(event, context)
            return result


class _Handler(BaseHTTPRequestHandler):
    server: LocalApi
    protocol_version = "HTTP/1.1"
    # What a request line that cannot be parsed is answered in: http.server's default,
    # HTTP/0.9, answers it with a bare HTML page and no status line at all.
    default_request_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each answer waits 40 ms on a delayed ACK

    def setup(self) -> None:
        super().setup()
        self.connection.settimeout(self.server.idle_timeout)

    def log_message(self, format: str, *args: Any) -> None:  # one short line per request
        # A request line that could not be parsed leaves no command or path: log it as sent.
        command, path = getattr(self, "command", None), getattr(self, "path", None)
        what = f"{command} {path}" if command and path else repr(getattr(self, "requestline", ""))[:200]
        sys.stderr.write(f"{what} -> {args[1] if len(args) > 1 else ''}\n")

    def _malformed_head(self) -> bool:
        """A header line that is not ``name: value`` (``X-Junk : 1``, no colon, a bad
        name) or a folded line: Python's parser stops there and would take the rest of
        the head, Content-Length included, for the body, and the body for a second
        request. The gateway answers such a request 400, and so does this."""
        return bool(self.headers.defects) or any("\r" in v or "\n" in v for _, v in self.headers.raw_items())

    def parse_request(self) -> bool:
        if not super().parse_request():
            return False
        if self._malformed_head():
            self._refuse(400)
            return False
        return True

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _headers_named(self, name: str) -> list[str]:
        return self.headers.get_all(name) or []

    def _refuse(self, status: int) -> None:
        """The gateway's 400 or 413, once, then the connection closes."""
        response = gateway.refuse(status)
        self.close_connection = True
        with contextlib.suppress(ConnectionError):  # the client may be gone already
            self._send(response.status, [*response.headers, ("connection", "close")], response.body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """What http.server answers a request it cannot parse (a bad request line or
        version, a line or head too long) with: the gateway's JSON refusal, never
        http.server's HTML page, which quotes the client's bytes in its status line and
        its body."""
        self._refuse(code)

    def handle_expect_100(self) -> bool:
        # A client that waits for "100 Continue" hears the refusal instead, before it sends a body.
        if self._malformed_head():
            self._refuse(400)
            return False
        try:
            framing.framing(self._headers_named("transfer-encoding"), self._headers_named("content-length"))
        except framing.Refused as refused:
            self._refuse(refused.status)
            return False
        return super().handle_expect_100()

    def _local_page(self, path: str) -> tuple[int, str, bytes] | None:
        if self.command != "GET":
            return None
        if path == "/":
            url = self.server.base_url
            routes = "".join(
                f"<li><code>{html.escape(r.key)}</code> (scopes: {html.escape(' or '.join(r.scopes))})</li>"
                for r in self.server.gateway.routes
            )
            page = (
                "<!doctype html><meta charset='utf-8'><title>Automations API (local)</title>"
                f"<h1>Automations API: local</h1><p>Routes on <code>{url}</code>, with a bearer "
                f"token (<code>make token</code>):</p><ul>{routes}</ul>"
                "<ul><li><a href='/docs'>API docs (Swagger UI)</a></li>"
                "<li><a href='/openapi.json'>OpenAPI 3.1 document</a></li></ul>"
                f"<p>Try it: {html.escape(WALKTHROUGH)}. Paste this in a shell in the project's "
                "directory (<code>make token</code> mints the token):</p>"
                f"<pre>{html.escape(chr(10).join(walkthrough(url, '$(make -s token)')))}</pre>"
            )
            return 200, "text/html; charset=utf-8", page.encode()
        if path == "/openapi.json":
            return 200, "application/json", DOCUMENT.read_bytes()
        if path == "/docs":
            return 200, "text/html; charset=utf-8", swagger_page().encode()
        return None

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        try:
            body = framing.read_body(
                self.rfile, self._headers_named("transfer-encoding"), self._headers_named("content-length")
            )
        except framing.Refused as refused:
            self._refuse(refused.status)
            return
        except ConnectionError:  # reset mid-body: no one is left to answer
            self.close_connection = True
            sys.stderr.write(f"{self.command} {self.path} -> the client went away mid-body\n")
            return
        except TimeoutError:  # the client stopped sending its body: nothing to pass on
            self.close_connection = True
            sys.stderr.write(f"{self.command} {self.path} -> no more of the body came; connection closed\n")
            return
        page = self._local_page(path)
        if page is not None:
            status, content_type, content = page
            self._send(status, [("content-type", content_type)], content)
            return
        request = gateway.HttpRequest(
            method=self.command,
            path=path,
            query=query,
            headers=list(self.headers.items()),
            body=body,
            source_ip=self.client_address[0],
            host=self.headers.get("host") or self.server.base_url.removeprefix("http://"),
        )
        response = self.server.gateway.handle(request)
        try:
            self._send(response.status, response.headers, response.body)
        except (TimeoutError, ConnectionError):  # a client that stopped reading, or left
            self.close_connection = True
            sys.stderr.write(f"{self.command} {self.path} -> the client did not take the answer\n")

    def __getattr__(self, name: str) -> Any:
        # Every method (QUERY and TRACE too) reaches the gateway, which answers 404
        # for all but the template's routes, where http.server would answer 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)


def _seconds(text: str) -> float:
    """A timeout: a number of seconds above 0 (0 would make every socket non-blocking)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"the idle timeout must be above 0 seconds, not {text}")
    return value


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 3000))
    parser.add_argument("--storage", choices=["embedded", "endpoint", "aws"], default=None)
    parser.add_argument(
        "--idle-timeout", type=_seconds, default=os.environ.get("IDLE_TIMEOUT") or "30", metavar="SECONDS"
    )
    args = parser.parse_args(argv)

    from automations_local.storage import local_storage

    with local_storage(args.storage) as storage:
        api = LocalApi((args.host, args.port), args.idle_timeout)
        url = api.base_url
        token = tokens.issue(ttl=12 * 3600)
        routes = "\n".join(
            f"  route:   {r.method} {url}{r.path}  (scopes: {' or '.join(r.scopes)})"
            for r in api.gateway.routes
        )
        print(
            f"Automations API: local API on {url}\n{routes}\n"
            f"  auth:    JWT authorizer: iss {tokens.ISSUER}, aud {tokens.AUDIENCE}\n"
            f"  storage: {storage.description}\n"
            f"  docs:    {url}/docs   OpenAPI: {url}/openapi.json\n"
            f"Try it: {WALKTHROUGH}. Paste this in a shell (a dev token for workspace "
            f"{tokens.DEFAULT_WORKSPACE}, valid 12 hours):\n\n"
            + "\n".join(walkthrough(url, shlex.quote(token)))
            + "\n",
            flush=True,
        )
        try:
            api.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            api.server_close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
