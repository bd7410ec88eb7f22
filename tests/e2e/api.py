"""The API under test, seen from outside: where it is, the tokens to call it with, and
requests over real HTTP (urllib, nothing else).

Where it is, in this order: ``API_URL``; else the ``ApiUrl`` output of the
CloudFormation stack ``STACK_NAME`` (the region and credentials are the caller's
usual AWS configuration); else the local API (``make run``'s server), started here
as a child process on a free port with a dev signing key of its own. A deployed API
is called with the tokens given (``TOKEN``, ``READ_TOKEN``, and the optional
``OTHER_TOKEN``, ``UNSCOPED_TOKEN`` and ``DELETE_TOKEN``); the local one with tokens
minted here.
Nothing of the project is imported but the local server's entry point (run, not
imported) and its dev-token module (only when the local API is the target).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WRITE = "write:automations"
READ = "read:automations"
DELETE = "delete:automations"


class NotConfigured(Exception):
    """The environment names a deployed API but not enough to call it."""


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # names lowercased
    body: Any  # parsed when the answer is JSON, else the text

    def error_code(self) -> str | None:
        """The contract's error code, when the body is its envelope."""
        error = self.body.get("error") if isinstance(self.body, dict) else None
        return error.get("code") if isinstance(error, dict) else None


@dataclass(frozen=True)
class Api:
    """One API and the tokens to call it with. ``other_token`` (another workspace,
    either scope), ``unscoped_token`` (neither scope) and ``delete_token`` (the
    workspace's, delete:automations) are None when a deployed API was given without
    them."""

    base_url: str
    token: str  # write:automations
    read_token: str  # read:automations only
    other_token: str | None
    unscoped_token: str | None
    delete_token: str | None
    where: str

    def url(self, path: str) -> str:
        """``path`` (or a ``Location``) resolved against the base URL, as a client would."""
        return urllib.parse.urljoin(self.base_url + "/", path)

    def request(
        self,
        method: str,
        path: str,
        *,
        token: str | None = None,
        body: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        all_headers = {"accept": "application/json", **(headers or {})}
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            all_headers["content-type"] = "application/json"  # else urllib says form-urlencoded
        if token is not None:
            all_headers["authorization"] = f"Bearer {token}"
        req = urllib.request.Request(self.url(path), data=data, method=method, headers=all_headers)
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                status, raw, got = response.status, response.read(), response.headers
        except urllib.error.HTTPError as error:
            status, raw, got = error.code, error.read(), error.headers
        text = raw.decode("utf-8")
        is_json = got.get("content-type", "").split(";")[0].strip() == "application/json"
        return Reply(status, {k.lower(): v for k, v in got.items()}, json.loads(text) if is_json else text)

    def create(self, body: Any, *, token: str | None = None, idempotency_key: str | None = None) -> Reply:
        headers = {"idempotency-key": idempotency_key} if idempotency_key else {}
        return self.request("POST", "/v1/automations", token=token or self.token, body=body, headers=headers)

    def validate(self, body: Any, *, token: str) -> Reply:
        return self.request("POST", "/v1/automations/validate", token=token, body=body)


def unique(label: str) -> str:
    """A name or key no earlier run used: the suite runs again and again against one
    deployed stage, which keeps everything it creates."""
    return f"e2e {label} {uuid.uuid4().hex}"


# -- where the API is ---------------------------------------------------------------


def deployed(env: Mapping[str, str]) -> Api | None:
    """The deployed API the environment names, or None when it names none."""
    if env.get("API_URL"):
        base_url, where = env["API_URL"], f"API_URL={env['API_URL']}"
    elif env.get("STACK_NAME"):
        base_url = stack_api_url(env["STACK_NAME"])
        where = f"{base_url} (output ApiUrl of stack {env['STACK_NAME']})"
    else:
        return None
    missing = [name for name in ("TOKEN", "READ_TOKEN") if not env.get(name)]
    if missing:
        raise NotConfigured(
            f"{' and '.join(missing)} not set: a deployed API needs a token with {WRITE} (TOKEN) "
            f"and one with only {READ} (READ_TOKEN), both with a workspace claim, from its issuer"
        )
    return Api(
        base_url=base_url.rstrip("/"),
        token=env["TOKEN"],
        read_token=env["READ_TOKEN"],
        other_token=env.get("OTHER_TOKEN") or None,
        unscoped_token=env.get("UNSCOPED_TOKEN") or None,
        delete_token=env.get("DELETE_TOKEN") or None,
        where=where,
    )


def stack_api_url(stack_name: str) -> str:
    """The ``ApiUrl`` output of a deployed stack."""
    import boto3  # only here: a run against API_URL or the local API needs no AWS SDK
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        stacks = boto3.client("cloudformation").describe_stacks(StackName=stack_name)["Stacks"]
    except (BotoCoreError, ClientError) as error:
        raise NotConfigured(f"cannot describe stack {stack_name!r}: {error}") from None
    outputs = {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}
    if "ApiUrl" not in outputs:
        raise NotConfigured(f"stack {stack_name!r} has no ApiUrl output (outputs: {sorted(outputs)})")
    url: str = outputs["ApiUrl"]
    return url


@contextlib.contextmanager
def local_api(scratch: Path) -> Iterator[Api]:
    """``make run``'s server as a child process on a free port, with its embedded
    DynamoDB and a signing key made for this run, and tokens signed with that key."""
    from automations_local import tokens

    key_file = scratch / "dev-jwt-key.pem"
    key = tokens.private_key(key_file)  # made before the server starts, so both use one key
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AWS_", "AUTOMATIONS_", "IDEMPOTENCY_", "STORAGE"))
    }
    env.update(DEV_JWT_KEY_FILE=str(key_file), PYTHONUNBUFFERED="1")
    output = scratch / "server.log"
    with output.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "automations_local.server", "--host", "127.0.0.1", "--port", "0"],
            stdout=log, stderr=subprocess.STDOUT, env=env,
        )  # fmt: skip
    try:
        base_url = _announced_url(process, output)
        workspace, other = f"ws_e2e_{uuid.uuid4().hex[:12]}", f"ws_e2e_other_{uuid.uuid4().hex[:12]}"
        yield Api(
            base_url=base_url,
            token=tokens.issue(key=key, scopes=WRITE, workspace=workspace),
            read_token=tokens.issue(key=key, scopes=READ, workspace=workspace),
            other_token=tokens.issue(key=key, scopes=f"{READ} {WRITE}", workspace=other),
            unscoped_token=tokens.issue(key=key, scopes="profile email", workspace=workspace),
            delete_token=tokens.issue(key=key, scopes=DELETE, workspace=workspace),
            where=f"the local API at {base_url}, started by the suite (log: {output})",
        )
    finally:
        process.terminate()
        process.wait(10)


def _announced_url(process: subprocess.Popen[bytes], output: Path, timeout: float = 60) -> str:
    """The URL the server prints once it listens."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = re.search(r"local API on (http://\S+)", output.read_text())
        if found:
            return found[1]
        if process.poll() is not None:
            break
        time.sleep(0.05)
    raise RuntimeError(f"the local API did not start (exit code {process.poll()}):\n{output.read_text()}")
