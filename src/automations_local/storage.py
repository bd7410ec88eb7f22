"""Storage for local runs: an embedded DynamoDB (moto's server, on loopback) with
the tables of template.yaml, or whatever AWS_ENDPOINT_URL_DYNAMODB points at
(DynamoDB Local, dynalite, LocalStack), or real AWS.

The embedded server refuses an item where DynamoDB does: over ``ITEM_LIMIT``
(409,600 bytes of names and values, the rule dynalite and ``automations.item`` apply),
not at moto's own 405,000, so an automation the validate route finds small enough is
stored by the create through ``make run`` too."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from automations_local.template import load_template, table_definitions

FAKE_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local"}


@dataclass
class LocalStorage:
    description: str
    automations_table: str

    def client(self) -> Any:
        """A DynamoDB client for the chosen storage (the process's environment)."""
        return _client(os.environ.get("AWS_ENDPOINT_URL_DYNAMODB"))


def _client(endpoint: str | None) -> Any:
    import boto3  # a local-run import: kept out of module import time

    return boto3.client("dynamodb", endpoint_url=endpoint)


def ensure_tables(client: Any) -> dict[str, str]:
    """Create the template's tables that do not exist yet; logical id → name."""
    from automations_local.template import create_tables

    existing = set(client.list_tables().get("TableNames", []))
    template = load_template()
    missing = {
        k: v
        for k, v in template["Resources"].items()
        if k in table_definitions(template) and k not in existing
    }
    create_tables(client, {"Resources": missing})
    return {name: name for name in table_definitions(template)}


@contextmanager
def local_storage(mode: str | None = None) -> Iterator[LocalStorage]:
    """Sets the process's environment so the handler's boto3 client uses the chosen
    storage, and yields what was chosen. ``mode``: embedded, endpoint or aws;
    by default endpoint when AWS_ENDPOINT_URL_DYNAMODB is set, else embedded."""
    os.environ.setdefault("AWS_DEFAULT_REGION", os.environ.get("AWS_REGION", "us-east-1"))
    mode = (
        mode
        or os.environ.get("STORAGE")
        or ("endpoint" if os.environ.get("AWS_ENDPOINT_URL_DYNAMODB") else "embedded")
    )
    if mode == "aws":
        if not os.environ.get("AUTOMATIONS_TABLE"):
            raise SystemExit("STORAGE=aws needs AUTOMATIONS_TABLE: the name of a deployed table")
        yield LocalStorage("AWS (your credentials)", os.environ["AUTOMATIONS_TABLE"])
        return
    for name, value in FAKE_CREDENTIALS.items():
        os.environ.setdefault(name, value)
    if mode == "endpoint":
        endpoint = os.environ["AWS_ENDPOINT_URL_DYNAMODB"]
        tables = ensure_tables(_client(endpoint))
        os.environ.setdefault("AUTOMATIONS_TABLE", tables["AutomationsTable"])
        os.environ.setdefault("IDEMPOTENCY_TABLE", tables["IdempotencyTable"])
        yield LocalStorage(f"DynamoDB-compatible server at {endpoint}", os.environ["AUTOMATIONS_TABLE"])
        return
    if mode != "embedded":
        raise SystemExit(f"STORAGE must be embedded, endpoint or aws, not {mode!r}")
    import logging

    from moto.server import ThreadedMotoServer

    use_dynamodb_item_limit()

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # moto's per-request access log
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    try:
        host, port = server.get_host_and_port()
        endpoint = f"http://{host}:{port}"
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
        tables = ensure_tables(_client(endpoint))
        os.environ["AUTOMATIONS_TABLE"] = tables["AutomationsTable"]
        os.environ["IDEMPOTENCY_TABLE"] = tables["IdempotencyTable"]
        yield LocalStorage(
            f"embedded DynamoDB (moto) at {endpoint}, tables from template.yaml", tables["AutomationsTable"]
        )
    finally:
        server.stop()
        os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)


def use_dynamodb_item_limit() -> None:
    """moto's items (in this process) refuse an attribute that takes them over 405,000 bytes (its
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
