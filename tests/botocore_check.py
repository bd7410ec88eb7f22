"""What the store's DynamoDB client is, made with its own data loader, next to what
botocore's own loader makes of the same request: run as a script under one botocore
(``PYTHONPATH`` puts it ahead of the virtualenv's) by
``tests/integration/test_botocore_versions.py``, which compares the two halves of
the JSON it prints.

Nothing here reaches AWS: each DynamoDB request is stopped at ``before-send``, where
its URL and signing key are read, and STS is a local server answering AssumeRole.
"""

from __future__ import annotations

import hashlib
import inspect
import json
import os
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import botocore
import botocore.session
from botocore.exceptions import BotoCoreError
from botocore.loaders import Loader

from automations.sdk import BOTO_CONFIG, DynamoDBLoader, session
from automations.store import AutomationStore

# The partitions a region can be in (aws, aws-cn, aws-us-gov, aws-iso), a few of each.
REGIONS = ("us-east-1", "eu-west-1", "ap-southeast-2", "cn-north-1", "cn-northwest-1", "us-gov-west-1")
ISO_REGIONS = ("us-iso-east-1",)
VARIANTS = {
    "plain": {},
    "fips": {"AWS_USE_FIPS_ENDPOINT": "true"},
    "dualstack": {"AWS_USE_DUALSTACK_ENDPOINT": "true"},
    "fips+dualstack": {"AWS_USE_FIPS_ENDPOINT": "true", "AWS_USE_DUALSTACK_ENDPOINT": "true"},
}
MODELS = ("service-2", "endpoint-rule-set-1", "paginators-1", "waiters-2")
ASSUMED_KEY = "ASIAASSUMEDROLEKEY01"


class _Sent(Exception):
    """A request stopped on its way out: its URL and the key that signed it."""

    def __init__(self, url: str, key: str, scope: str = "") -> None:
        super().__init__(url)
        self.url, self.key, self.scope = url, key, scope


def _stop(request: Any, **_: Any) -> None:
    authorization = request.headers.get("Authorization", b"")
    if isinstance(authorization, bytes):
        authorization = authorization.decode()
    # Credential=KEY/DATE/REGION/SERVICE/aws4_request: the key, and where it signs for.
    key, _date, *scope = authorization.partition("Credential=")[2].split(",")[0].split("/")
    raise _Sent(request.url, key, "/".join(scope[:2]))


def ours() -> Any:
    """The store's client, made exactly as the functions make it."""
    return AutomationStore("automations").client


def stock() -> Any:
    """The same client from botocore's own session and data loader."""
    return botocore.session.get_session().create_client("dynamodb", config=BOTO_CONFIG)


def ours_sts() -> Any:
    """An STS client from a session made as the store makes its own."""
    return session().create_client("sts")


def stock_sts() -> Any:
    return botocore.session.get_session().create_client("sts")


def request(make: Callable[[], Any]) -> dict[str, str]:
    """Where a call from this client goes (a GetItem, or for STS a GetCallerIdentity),
    which key signs it and for which region and service, and the client's region and
    partition; or the error botocore raises on the way."""
    try:
        client = make()
        meta = client.meta
        if meta.service_model.service_name == "sts":
            meta.events.register("before-send.sts.GetCallerIdentity", _stop)
            client.get_caller_identity()
        else:
            meta.events.register("before-send.dynamodb.GetItem", _stop)
            client.get_item(TableName="automations", Key={"workspaceId": {"S": "ws_1"}, "id": {"S": "aut_1"}})
    except _Sent as sent:
        where = {"region": meta.region_name, "partition": getattr(meta, "partition", "")}
        return {"url": sent.url, "key": sent.key, "signed for": sent.scope, **where}
    except BotoCoreError as exc:
        return {"error": f"{type(exc).__name__}: {exc}"}
    return {"error": "the request was not sent"}


@contextmanager
def environment(**values: str) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def endpoints(make: Callable[[], Any]) -> dict[str, dict[str, str]]:
    found = {}
    for region in REGIONS + ISO_REGIONS:
        for variant, flags in VARIANTS.items():
            with environment(AWS_DEFAULT_REGION=region, **flags):
                found[f"{region} {variant}"] = request(make)
    return found


class _AssumeRole(BaseHTTPRequestHandler):
    """STS answering AssumeRole (query protocol) with fixed credentials."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["content-length"]))
        body = (
            '<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult>'
            f"<Credentials><AccessKeyId>{ASSUMED_KEY}</AccessKeyId><SecretAccessKey>secret</SecretAccessKey>"
            "<SessionToken>token</SessionToken><Expiration>2099-01-01T00:00:00Z</Expiration></Credentials>"
            "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/automations/s</Arn>"
            "<AssumedRoleId>AROAEXAMPLE:s</AssumedRoleId></AssumedRoleUser>"
            "</AssumeRoleResult><ResponseMetadata><RequestId>fake</RequestId></ResponseMetadata>"
            "</AssumeRoleResponse>"
        ).encode()
        self.send_response(200)
        self.send_header("content-type", "text/xml")
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None: ...


def assumed_role(make: Callable[[], Any]) -> dict[str, str]:
    """A GetItem with credentials from a profile that assumes a role: the credential
    provider makes an STS client from the client's own session (and data loader)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _AssumeRole)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with tempfile.TemporaryDirectory() as folder:
        config = os.path.join(folder, "config")
        with open(config, "w") as handle:
            handle.write(
                "[profile base]\naws_access_key_id = base\naws_secret_access_key = base\n"
                "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/automations\n"
                "source_profile = base\n"
            )
        keys = {name: os.environ.pop(name) for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
        try:
            with environment(
                AWS_CONFIG_FILE=config,
                AWS_SHARED_CREDENTIALS_FILE=os.path.join(folder, "none"),
                AWS_PROFILE="role",
                AWS_DEFAULT_REGION="eu-west-1",
                AWS_ENDPOINT_URL_STS=f"http://127.0.0.1:{server.server_address[1]}",
            ):
                return request(make)
        finally:
            os.environ.update(keys)
            server.shutdown()
            server.server_close()


def digest(data: Any) -> str:
    return hashlib.sha256(json.dumps(data, sort_keys=True, default=str).encode()).hexdigest()


def models(loader: Loader) -> dict[str, str]:
    found = {name: digest(loader.load_service_model("dynamodb", name)) for name in MODELS}
    found["sts service-2"] = digest(loader.load_service_model("sts", "service-2"))
    try:
        loader.load_service_model("no-such-service", "service-2")
    except BotoCoreError as exc:
        found["no-such-service"] = f"{type(exc).__name__}: {digest(str(exc))}"
    return found


def endpoint_data(loader: Loader) -> dict[str, Any]:
    """The endpoints file as the endpoint resolver of a session gets it: its content,
    order included, where it was found, and what Python type holds it."""
    data, path = loader.load_data_with_path("endpoints")
    return {
        "content": hashlib.sha256(json.dumps(data).encode()).hexdigest(),
        "path": path,
        "builtin": loader.is_builtin_path(path),
        "type": type(data).__name__,
    }


def services(loader: Loader) -> dict[str, Any]:
    listed = loader.list_available_services("service-2")
    return {
        "listing": digest(list(listed)),
        "count": len(listed),
        "has dynamodb": "dynamodb" in listed,
        "has sts": "sts" in listed,
        "has no-such-service": "no-such-service" in listed,
    }


def unwrapped(method: Any) -> Any:
    """The function under botocore's ``instance_cache``, which does not use functools.wraps."""
    for cell in method.__closure__ or ():
        if inspect.isfunction(cell.cell_contents):
            return cell.cell_contents
    return method


def overridden() -> dict[str, Any]:
    """What the loader overrides, as botocore's Loader has it and as it is used."""
    stock_method = unwrapped(getattr(Loader, "list_available_services", None))
    return {
        "parameters": list(inspect.signature(stock_method).parameters) if stock_method else None,
        "called by load_service_model": "list_available_services"
        in unwrapped(Loader.load_service_model).__code__.co_names,
        "file loader made from FILE_LOADER_CLASS": "FILE_LOADER_CLASS" in Loader.__init__.__code__.co_names,
        "endpoints loaded by name": "load_data_with_path"
        in inspect.getsource(botocore.session.Session._register_endpoint_resolver),
    }


def listings_while(make: Callable[[], Any]) -> int:
    """How often botocore's Loader lists every service while a client is made and
    sends a request."""
    original = Loader.list_available_services
    calls = 0

    def counted(self: Loader, *args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        return original(self, *args, **kwargs)

    Loader.list_available_services = counted
    try:
        with environment(AWS_DEFAULT_REGION="us-east-1"):
            request(make)
    finally:
        Loader.list_available_services = original
    return calls


def main() -> None:
    report = {
        "version": botocore.__version__,
        "botocore": os.path.dirname(botocore.__file__),
        "overridden": overridden(),
        "ours": {
            "parameters": list(inspect.signature(DynamoDBLoader.list_available_services).parameters),
            "models": models(DynamoDBLoader()),
            "services": services(DynamoDBLoader()),
            "endpoint data": endpoint_data(DynamoDBLoader()),
            "endpoints": endpoints(ours),
            "sts endpoints": endpoints(ours_sts),
            "assumed role": assumed_role(ours),
            "listings": listings_while(ours),
        },
        "stock": {
            "models": models(Loader()),
            "services": services(Loader()),
            "endpoint data": endpoint_data(Loader()),
            "endpoints": endpoints(stock),
            "sts endpoints": endpoints(stock_sts),
            "assumed role": assumed_role(stock),
            "listings": listings_while(stock),
        },
    }
    json.dump(report, sys.stdout, indent=1)


if __name__ == "__main__":
    main()
