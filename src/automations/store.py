"""DynamoDB storage of automations: the only module that talks to the AWS SDK.

It uses botocore, boto3's core, directly: ``import boto3`` also loads s3transfer
and boto3's resource layer, and its default session scans every service's
resource model: tens of milliseconds of a cold start that needs none of it
(README, "Performance"). The client is the same low-level DynamoDB client.

The item is keyed by ``workspaceId`` (partition) and ``id`` (sort) and holds every
field of the API object. ``trigger``, ``nodes`` and ``edges`` — the client's own JSON —
are stored as JSON text (type S), not as DynamoDB maps: the text round-trips floats,
big integers, empty strings and any Unicode exactly (no Decimal conversion), has no
32-level nesting limit and is cheaper to build than boto3's ``TypeSerializer``
output (README, "Storage").
"""

from __future__ import annotations

import json
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import ClientError, HTTPClientError, NoCredentialsError
from botocore.exceptions import ConnectionError as BotoConnectionError

from automations.errors import AutomationIdTaken, AutomationTooLarge, StorageUnavailable

# DynamoDB's limit for one item: attribute names plus values, in UTF-8 bytes.
ITEM_LIMIT = 400 * 1024
# Upper bound of a number's size as DynamoDB counts it (38 digits / 2 + 1, rounded up).
_NUMBER_SIZE = 21
_JSON_FIELDS = frozenset({"trigger", "nodes", "edges"})

# The retry budget, chosen so the worst case ends well inside the function timeout
# (template.yaml: 12 s) and API Gateway's 30 s: 3 attempts, each at most 1 s to
# connect and 2 s to read, with the standard mode's jittered backoff (< 3 s total).
BOTO_CONFIG = Config(
    retries={"mode": "standard", "total_max_attempts": 3},
    connect_timeout=1,
    read_timeout=2,
    tcp_keepalive=True,
)

_THROTTLED = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "Throttling",
        "ThrottledException",
    }
)
# Operator faults: the table or the credentials are missing. The client can do
# nothing but wait, so they answer 503 too; they are logged as errors upstream.
_MISCONFIGURED = frozenset(
    {"ResourceNotFoundException", "AccessDeniedException", "UnrecognizedClientException"}
)


# What the SDK raises for a call that did not succeed.
SDK_ERRORS = (ClientError, BotoConnectionError, HTTPClientError, NoCredentialsError)


def is_unavailable(exc: BaseException) -> bool:
    """Whether an AWS SDK error means storage is throttled, failing or unreachable
    (a 503 for the client) rather than a bug."""
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        return code in _THROTTLED or code in _MISCONFIGURED or status >= 500
    return isinstance(exc, (BotoConnectionError, HTTPClientError, NoCredentialsError))


def _dumps(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def to_item(workspace_id: str, automation: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The DynamoDB wire form of an automation."""
    item: dict[str, dict[str, Any]] = {"workspaceId": {"S": workspace_id}}
    for key, value in automation.items():
        if key in _JSON_FIELDS:
            item[key] = {"S": _dumps(value)}
        elif value is None:
            item[key] = {"NULL": True}
        elif isinstance(value, bool):
            item[key] = {"BOOL": value}
        elif isinstance(value, int):
            item[key] = {"N": str(value)}
        else:
            item[key] = {"S": value}
    return item


def from_item(item: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The API object (without ``workspaceId``) back from its wire form."""
    automation: dict[str, Any] = {}
    for key, wire in item.items():
        if key == "workspaceId":
            continue
        if "S" in wire:
            automation[key] = json.loads(wire["S"]) if key in _JSON_FIELDS else wire["S"]
        elif "N" in wire:
            automation[key] = int(wire["N"])
        elif "BOOL" in wire:
            automation[key] = wire["BOOL"]
        else:
            automation[key] = None
    return automation


def item_size(item: dict[str, dict[str, Any]]) -> int:
    """The item's size as DynamoDB measures it (an upper bound for numbers)."""
    size = 0
    for key, wire in item.items():
        size += len(key.encode())
        if "S" in wire:
            size += len(wire["S"].encode())
        elif "N" in wire:
            size += _NUMBER_SIZE
        else:
            size += 1
    return size


class AutomationStore:
    """Writes and reads automations in one table. The client is created lazily,
    once per container, or injected (tests, other endpoints)."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = botocore.session.get_session().create_client("dynamodb", config=BOTO_CONFIG)
        return self._client

    def put_new(self, workspace_id: str, automation: dict[str, Any]) -> None:
        """Store a new automation; never overwrite one.

        Raises AutomationTooLarge before writing anything if it cannot fit, and
        AutomationIdTaken if another item already has its id.
        """
        item = to_item(workspace_id, automation)
        size = item_size(item)
        if size > ITEM_LIMIT:
            raise AutomationTooLarge(size, ITEM_LIMIT)
        try:
            self.client.put_item(
                TableName=self.table_name,
                Item=item,
                ConditionExpression="attribute_not_exists(id)",
                ReturnValuesOnConditionCheckFailure="ALL_OLD",
            )
        except SDK_ERRORS as exc:
            error = exc.response.get("Error", {}) if isinstance(exc, ClientError) else {}
            if error.get("Code") == "ConditionalCheckFailedException":
                # If botocore retried a put whose first answer was lost and the first
                # one landed, the item there is ours: the create succeeded. Servers
                # that do not return ALL_OLD (dynalite, DynamoDB Local) are asked.
                existing = exc.response.get("Item") or self._get_item(workspace_id, automation["id"])
                if existing == item:
                    return
                raise AutomationIdTaken(automation["id"]) from exc
            if is_unavailable(exc):
                raise StorageUnavailable(error.get("Code") or type(exc).__name__) from exc
            if error.get("Code") == "ValidationException" and "size" in error.get("Message", ""):
                raise AutomationTooLarge(size, ITEM_LIMIT) from exc
            raise

    def _get_item(self, workspace_id: str, automation_id: str) -> dict[str, dict[str, Any]] | None:
        try:
            answer = self.client.get_item(
                TableName=self.table_name,
                Key={"workspaceId": {"S": workspace_id}, "id": {"S": automation_id}},
                ConsistentRead=True,
            )
        except SDK_ERRORS as exc:
            if is_unavailable(exc):
                raise StorageUnavailable(type(exc).__name__) from exc
            raise
        item: dict[str, dict[str, Any]] | None = answer.get("Item")
        return item

    def get(self, workspace_id: str, automation_id: str) -> dict[str, Any] | None:
        """The stored automation, read back consistently, or None."""
        item = self._get_item(workspace_id, automation_id)
        return None if item is None else from_item(item)
