"""``make run``: the endpoint on http://127.0.0.1:3000, without Docker.

It plays API Gateway (see ``gateway.py``: JWT authorizer, payload-2.0 events,
responses) in front of the real handler, with an embedded DynamoDB by default
(``storage.py``). Like one Lambda container it serves one invocation at a time.
Local extras the deployed API does not have: ``GET /`` (an index),
``GET /openapi.json`` and ``GET /docs`` (Swagger UI).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import shlex
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from automations_local import gateway, tokens
from automations_local.openapi import DOCUMENT

DOCS_PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><title>Create Automation: API docs</title>
<link rel="stylesheet" href="/docs/swagger-ui.css"></head>
<body><div id="ui"></div><script src="/docs/swagger-ui-bundle.js"></script>
<script>SwaggerUIBundle({url: "/openapi.json", dom_id: "#ui"});</script></body></html>
"""
DOCS_FILES = {"swagger-ui.css": "text/css", "swagger-ui-bundle.js": "application/javascript"}


def _swagger_static() -> Path:
    import swagger_ui

    return Path(swagger_ui.__file__).with_name("static")


def curl_example(base_url: str, token: str) -> str:
    body = json.dumps({"name": "Welcome series"})
    return (
        f"curl -sS -X POST {base_url}/v1/automations "
        f"-H {shlex.quote('Authorization: Bearer ' + token)} "
        f"-H 'Content-Type: application/json' -d {shlex.quote(body)}"
    )


class LocalApi(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address: tuple[str, int]) -> None:
        super().__init__(address, _Handler)
        self.invocation = threading.Lock()  # one container: one invocation at a time

    @property
    def base_url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host!s}:{port}"

    def invoke(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        from automations.handler import lambda_handler

        with self.invocation:
            result: dict[str, Any] = lambda_handler(event, context)
            return result


class _Handler(BaseHTTPRequestHandler):
    server: LocalApi
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # else each answer waits 40 ms on a delayed ACK

    def log_message(self, format: str, *args: Any) -> None:  # one short line per request
        sys.stderr.write(f"{self.command} {self.path} -> {args[1] if len(args) > 1 else ''}\n")

    def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def _local_page(self, path: str) -> tuple[int, str, bytes] | None:
        if self.command != "GET":
            return None
        if path == "/":
            url = self.server.base_url
            page = (
                "<!doctype html><meta charset='utf-8'><title>Create Automation (local)</title>"
                "<h1>Create Automation: local API</h1>"
                f"<p><code>POST {url}/v1/automations</code> with a bearer token (<code>make token</code>).</p>"
                "<ul><li><a href='/docs'>API docs (Swagger UI)</a></li>"
                "<li><a href='/openapi.json'>OpenAPI 3.1 document</a></li></ul>"
                f"<pre>{html.escape(curl_example(url, '$(make -s token)'))}</pre>"
            )
            return 200, "text/html; charset=utf-8", page.encode()
        if path == "/openapi.json":
            return 200, "application/json", DOCUMENT.read_bytes()
        if path == "/docs":
            return 200, "text/html; charset=utf-8", DOCS_PAGE.encode()
        name = path.removeprefix("/docs/")
        if name in DOCS_FILES:
            return 200, DOCS_FILES[name], (_swagger_static() / name).read_bytes()
        return None

    def _serve(self) -> None:
        path, _, query = self.path.partition("?")
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
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
        response = gateway.handle(request, self.server.invoke)
        self._send(response.status, response.headers, response.body)

    def __getattr__(self, name: str) -> Any:
        # Every method (QUERY and TRACE too) reaches the gateway, which answers 404
        # for all but the route, where http.server would answer 501.
        if name.startswith("do_"):
            return self._serve
        raise AttributeError(name)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("PORT") or 3000))
    parser.add_argument("--storage", choices=["embedded", "endpoint", "aws"], default=None)
    args = parser.parse_args(argv)

    from automations_local.storage import local_storage

    with local_storage(args.storage) as storage:
        api = LocalApi((args.host, args.port))
        url = api.base_url
        token = tokens.issue(ttl=12 * 3600)
        print(
            f"Create Automation: local API on {url}\n"
            f"  route:   POST {url}/v1/automations  (JWT authorizer: iss {tokens.ISSUER}, aud {tokens.AUDIENCE})\n"
            f"  storage: {storage.description}\n"
            f"  docs:    {url}/docs   OpenAPI: {url}/openapi.json\n"
            f"Try it (a dev token for workspace {tokens.DEFAULT_WORKSPACE}, valid 12 hours):\n\n"
            f"{curl_example(url, token)}\n",
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
