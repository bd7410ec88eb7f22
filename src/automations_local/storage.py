"""Storage for local runs: an embedded DynamoDB (moto's server on loopback, one
request at a time, ``embedded.py``) with the tables of template.yaml, or whatever
AWS_ENDPOINT_URL_DYNAMODB points at (DynamoDB Local, dynalite, LocalStack), or real
AWS."""

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
    from automations_local.embedded import serve

    with serve() as endpoint:
        os.environ["AWS_ENDPOINT_URL_DYNAMODB"] = endpoint
        try:
            tables = ensure_tables(_client(endpoint))
            os.environ["AUTOMATIONS_TABLE"] = tables["AutomationsTable"]
            os.environ["IDEMPOTENCY_TABLE"] = tables["IdempotencyTable"]
            yield LocalStorage(
                f"embedded DynamoDB (moto) at {endpoint}, tables from template.yaml",
                tables["AutomationsTable"],
            )
        finally:
            os.environ.pop("AWS_ENDPOINT_URL_DYNAMODB", None)
