"""SnapStart, as Lambda runs it: each function imported, its before-snapshot hooks
run (priming, which touches no table and no network), then its after-restore hooks
(the id generator forgets its state), then requests served as usual.

Lambda's Python runtime ships ``snapshot_restore_py``; here a stand-in with the
same registry (``register_*`` to add a hook, ``get_*`` to read them, as the PyPI
package ``snapshot-restore-py`` has) is put on the path of a fresh interpreter."""

from __future__ import annotations

import contextlib
import http.server
import json
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from automations import ids, snapstart, store
from automations.routes import ROUTES, Route
from automations.routes import create as create_route
from automations.routes import get as get_route
from automations.routes import validate as validate_route
from tests.helpers import ROOT, STORING, Tables, get, post

RUNTIME_STANDIN = """
_before, _after = [], []

def register_before_snapshot(func, *args, **kwargs):
    _before.append((func, args, kwargs))
    return func

def register_after_restore(func, *args, **kwargs):
    _after.append((func, args, kwargs))
    return func

def get_before_snapshot():
    return list(_before)

def get_after_restore():
    return list(_after)
"""

# In a fresh interpreter, as in Lambda; every attempt to reach the network before
# the first request (priming and restore included) is refused and recorded.
LIFECYCLE = r"""
import json, os, socket, sys

attempts, credential_fetches = [], []
# As deployed with SnapStart, credentials come from Lambda's container endpoint
# (given by the test): connecting there is allowed and counted; nothing else is.
endpoint = os.environ.get("AWS_CONTAINER_CREDENTIALS_FULL_URI", "")
allowed = ("127.0.0.1", int(endpoint.rsplit(":", 1)[1].split("/")[0])) if endpoint else None
connect, create_connection, getaddrinfo = socket.socket.connect, socket.create_connection, socket.getaddrinfo

def guard(real):
    def call(*args, **kwargs):
        target = args[1] if real is connect else args[0]
        host_port = tuple(target[:2]) if isinstance(target, tuple) else (target, args[1] if len(args) > 1 else None)
        if allowed is not None and host_port == allowed:
            credential_fetches.append(real.__name__)
            return real(*args, **kwargs)
        attempts.append(repr(args))  # recorded: a library may swallow the error itself
        raise OSError("no network during SnapStart hooks")
    return call

socket.socket.connect = guard(connect)
socket.create_connection = guard(create_connection)
socket.getaddrinfo = guard(getaddrinfo)

module = __import__(f"automations.routes.{sys.argv[1]}", fromlist=["lambda_handler"])
from automations import ids
import snapshot_restore_py as runtime

for func, args, kwargs in reversed(runtime.get_before_snapshot()):  # Lambda's order
    func(*args, **kwargs)  # the function's logs go to stdout, before the result line
# ... the snapshot is taken here, and restored in each new copy ...
for func, args, kwargs in runtime.get_after_restore():
    func(*args, **kwargs)

store = sys.modules.get("automations.store")
print(json.dumps({
    "before": [f.__qualname__ for f, _, _ in runtime.get_before_snapshot()],
    "primes_this_route": any(f is module.prime for f, _, _ in runtime.get_before_snapshot()),
    "forgets_ids": any(f == ids._default.forget for f, _, _ in runtime.get_after_restore()),
    "network": attempts,
    "credential_fetches": len(credential_fetches),
    "dynamodb_client": store is not None and store.automation_store()._client is not None,
    "id_state": [ids._default._last_ms, ids._default._last_random],
}))
"""


@contextlib.contextmanager
def container_credentials() -> Iterator[str]:
    """A stand-in for Lambda's container credentials endpoint, as SnapStart uses it;
    its URL."""

    class Endpoint(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            expiry = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
            body = json.dumps(
                {"AccessKeyId": "AKID", "SecretAccessKey": "secret", "Token": "token", "Expiration": expiry}
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None: ...

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Endpoint)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/2021-04-23/credentials"
    finally:
        server.shutdown()
        server.server_close()


def lifecycle(route: Route, tmp_path: Path, **deployed: str) -> dict[str, Any]:
    """The function's SnapStart hooks run in a fresh interpreter; ``deployed`` adds
    what Lambda's environment holds (LAMBDA_TASK_ROOT, the credentials endpoint)."""
    (tmp_path / "snapshot_restore_py.py").write_text(RUNTIME_STANDIN)
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": f"{tmp_path}:{ROOT / 'src'}",
        "AUTOMATIONS_TABLE": "automations",
        "IDEMPOTENCY_TABLE": "idempotency",
        "AWS_DEFAULT_REGION": "us-east-1",
        **deployed,
    }
    done = subprocess.run(
        [sys.executable, "-c", LIFECYCLE, route.module], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    *logs, last = done.stdout.splitlines()
    result: dict[str, Any] = json.loads(last)
    result["logs"] = [json.loads(line) for line in logs]
    return result


def assert_primed_by_the_route_itself(line: dict[str, Any]) -> None:
    """The priming request's one log line: served by the route's own code for an
    authorised caller (the workspace is logged only once the caller is), never
    refused before it (no route, no token), never a bug, never storage."""
    assert line["level"] == "INFO"
    assert line["workspace_id"] == snapstart.WORKSPACE
    assert line.get("code") != "route_not_found"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.module)
def test_each_function_primes_its_route_before_the_snapshot_without_storage(
    route: Route, tmp_path: Path
) -> None:
    # Given the function imported where Lambda's SnapStart hooks exist
    # When Lambda runs its before-snapshot hooks, then its after-restore hooks
    result = lifecycle(route, tmp_path)
    # Then it primed its own route, without reaching for the network or a table
    assert result["primes_this_route"]
    assert result["network"] == []
    assert not result["dynamodb_client"]
    (line,) = result["logs"]
    assert_primed_by_the_route_itself(line)
    # And each restored copy forgets the id generator's state: its next id draws entropy
    assert result["forgets_ids"]
    assert result["id_state"] == [-1, 0]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.module)
def test_as_deployed_with_snapstart_priming_reaches_no_table(route: Route, tmp_path: Path) -> None:
    # Given the function as Lambda runs it with SnapStart: LAMBDA_TASK_ROOT set (so
    # the DynamoDB client is made at init) and credentials from the container endpoint
    stores = route in STORING
    with container_credentials() as endpoint:
        result = lifecycle(
            route, tmp_path, LAMBDA_TASK_ROOT=str(ROOT / "src"), AWS_CONTAINER_CREDENTIALS_FULL_URI=endpoint
        )
    # Then the routes that store made their client at init, fetching credentials
    # and nothing else; priming answered without storage; no DynamoDB call was made
    assert result["network"] == []
    assert result["dynamodb_client"] is stores
    assert (result["credential_fetches"] > 0) is stores
    (line,) = result["logs"]
    assert_primed_by_the_route_itself(line)


@pytest.mark.parametrize("route", STORING, ids=lambda r: r.module)
def test_a_client_that_cannot_be_made_at_init_does_not_fail_the_import(route: Route, tmp_path: Path) -> None:
    # Given Lambda's credentials endpoint unreachable while the function initialises
    result = lifecycle(
        route,
        tmp_path,
        LAMBDA_TASK_ROOT=str(ROOT / "src"),
        AWS_CONTAINER_CREDENTIALS_FULL_URI="http://127.0.0.1:9/2021-04-23/credentials",
    )
    # Then the import and the hooks still ran; the first request will make the client
    assert result["primes_this_route"]
    assert not result["dynamodb_client"]


def test_without_the_runtime_module_nothing_is_registered() -> None:
    # Here, as in every local run and test, snapshot_restore_py is missing.
    assert not snapstart.available()
    snapstart.before_snapshot(lambda: pytest.fail("never called"))
    snapstart.after_restore(lambda: pytest.fail("never called"))


def test_priming_leaves_the_function_serving_as_before(tables: Tables, workspace: str) -> None:
    # Given each route primed, as before a snapshot
    for primed in (create_route, get_route, validate_route):
        primed.prime()
    ids._default.forget()
    # When requests come
    created = post({"name": "After priming"}, workspace, request_id="after-prime=")
    read = get(created.body["id"], workspace)
    # Then they are answered as ever: the priming request left nothing behind
    assert created.status == 201
    assert created.headers["x-request-id"] == "after-prime="
    assert read.status == 200 and read.body == created.body
    assert [item["id"]["S"] for item in tables.items_of(workspace)] == [created.body["id"]]
    assert tables.items_of(snapstart.WORKSPACE) == []


def test_the_validate_and_get_primings_make_no_store(monkeypatch: pytest.MonkeyPatch) -> None:
    # The validate function is deployed without a table; the GET's priming reads nothing.
    monkeypatch.delenv("AUTOMATIONS_TABLE", raising=False)
    validate_route.prime()
    get_route.prime()
    assert store.automation_store.cache_info().currsize == 0
