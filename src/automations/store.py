"""DynamoDB storage of automations: the only module that talks to the AWS SDK.

It uses botocore, boto3's core, directly: ``import boto3`` also loads s3transfer
and boto3's resource layer, and its default session scans every service's
resource model: tens of milliseconds of a cold start that needs none of it
(README, "Performance"). The client is the same low-level DynamoDB client.

What an item holds and how it is measured is ``item.py``; this module writes and
reads items, and classifies the SDK's errors, once.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import botocore.session
from botocore.config import Config
from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    CredentialRetrievalError,
    HTTPClientError,
    NoCredentialsError,
)
from botocore.exceptions import ConnectionError as BotoConnectionError
from botocore.loaders import JSONFileLoader, Loader

from automations.conditional import etag
from automations.errors import AutomationIdTaken, AutomationTooLarge, StaleWrite, StorageUnavailable
from automations.item import ITEM_LIMIT, REVISION, fitted, from_item, item_size, revision_of, to_wire
from automations.settings import get_settings

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
# nothing but wait, so they answer 503 too; the endpoint logs them as errors.
_MISCONFIGURED = frozenset(
    {"ResourceNotFoundException", "AccessDeniedException", "UnrecognizedClientException"}
)


# What the SDK raises for a call that did not succeed (credentials that could not
# be fetched, Lambda's container endpoint failing, included).
SDK_ERRORS = (ClientError, BotoConnectionError, HTTPClientError, NoCredentialsError, CredentialRetrievalError)


def unavailable(exc: BaseException) -> StorageUnavailable | None:
    """The domain error for an AWS SDK error that means storage is throttled,
    failing, unreachable or misconfigured (a 503 for the client); None for one that
    means a bug."""
    if isinstance(exc, ClientError):
        code = exc.response.get("Error", {}).get("Code", "")
        status = exc.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
        if code in _MISCONFIGURED:
            return StorageUnavailable(code, misconfigured=True)
        if code in _THROTTLED or status >= 500:
            return StorageUnavailable(code or str(status))
        return None
    if isinstance(exc, NoCredentialsError):
        return StorageUnavailable(type(exc).__name__, misconfigured=True)
    if isinstance(exc, (BotoConnectionError, HTTPClientError, CredentialRetrievalError)):
        return StorageUnavailable(type(exc).__name__)
    return None


class _KnownServices:
    """The services botocore ships, listed only if asked for more than DynamoDB."""

    def __init__(self, listing: Callable[[], list[str]]) -> None:
        self._listing = listing

    def __contains__(self, name: object) -> bool:
        return name == "dynamodb" or name in self._listing()

    def __iter__(self) -> Iterator[str]:
        return iter(self._listing())

    def __len__(self) -> int:
        return len(self._listing())


class _EndpointsAsDicts(JSONFileLoader):  # type: ignore[misc]  # botocore is untyped
    """botocore's JSON file loader, but for ``endpoints.json``, which it parses into
    plain dicts rather than through ``object_pairs_hook=OrderedDict``: the same keys,
    values and order, in 9 ms rather than 20 (1.25 MB, Python 3.13 on one x86_64
    core). Nothing reads that data but botocore's ``EndpointResolver``, by key."""

    def load_file(self, file_path: str) -> Any:
        if os.path.basename(file_path) == "endpoints" and os.path.isfile(file_path + ".json"):
            with open(file_path + ".json", "rb") as handle:
                return json.loads(handle.read().decode("utf-8"))
        return super().load_file(file_path)


class DynamoDBLoader(Loader):  # type: ignore[misc]  # botocore is untyped
    """botocore's data loader, minus two costs.

    Before it loads a model the stock loader lists every service it ships, to check
    that the one asked for is among them: some 400 directories and 2,700 ``stat``
    calls, twice (the model, then the endpoint rules), about 15 ms of every cold
    start of the create and get functions (README, "Performance"). For DynamoDB this
    one knows the answer; for any other service (STS or SSO, which credential
    providers make clients of from the same session) it lists them as before.

    And the session's endpoint resolver reads the whole of the runtime's
    ``endpoints.json`` (every service, every partition), once per session and
    shared by every client made from it; this loader parses it into plain dicts
    (``_EndpointsAsDicts``), which halves the cost. It still parses all of it: the
    data must be the runtime's own botocore's, which AWS updates in place, and the
    only way to read DynamoDB's part of that file is to parse the file. A copy cut
    down to DynamoDB at build time would be the build's botocore's data, not the
    runtime's (regions and partitions are added to it over time).

    Models and every other file are found and loaded exactly as the stock loader
    finds and loads them."""

    FILE_LOADER_CLASS = _EndpointsAsDicts

    def list_available_services(self, type_name: str) -> _KnownServices:
        return _KnownServices(lambda: list(super(DynamoDBLoader, self).list_available_services(type_name)))


def session() -> botocore.session.Session:
    """A botocore session whose data loader is the ``DynamoDBLoader``: the one the
    store's client is made from (and any client a credential provider makes)."""
    made = botocore.session.get_session()
    data_path = made.get_config_variable("data_path")  # AWS_DATA_PATH, as botocore reads it
    extra = (
        [os.path.expanduser(os.path.expandvars(p)) for p in data_path.split(os.pathsep)] if data_path else []
    )
    made.register_component("data_loader", DynamoDBLoader(extra_search_paths=extra))
    return made


@dataclass(frozen=True, slots=True)
class Stored:
    """An automation as read from its item: the API object (in the seed's order),
    the revision every change is conditioned on, and the ETag that names it."""

    automation: dict[str, Any]
    revision: int

    @property
    def etag(self) -> str:
        return etag(self.automation["id"], self.revision)


def stored(item: dict[str, dict[str, Any]]) -> Stored:
    return Stored(from_item(item), revision_of(item))


class AutomationStore:
    """Writes and reads automations in one table. The client is created once per
    container, at init in Lambda (``make_at_init``) and otherwise on first use, or
    injected (tests)."""

    def __init__(self, table_name: str, client: Any | None = None) -> None:
        self.table_name = table_name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            self._client = session().create_client("dynamodb", config=BOTO_CONFIG)
        return self._client

    def put_new(self, workspace_id: str, automation: dict[str, Any]) -> None:
        """Store a new automation; never overwrite one.

        Raises AutomationTooLarge before writing anything if it cannot fit, and
        AutomationIdTaken if another item already has its id.
        """
        item = fitted(workspace_id, automation)
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
            if error.get("Code") == "ValidationException" and "size" in error.get("Message", ""):
                raise AutomationTooLarge(item_size(item), ITEM_LIMIT) from exc
            fault = unavailable(exc)
            if fault is None:
                raise
            raise fault from exc

    def _get_item(self, workspace_id: str, automation_id: str) -> dict[str, dict[str, Any]] | None:
        try:
            answer = self.client.get_item(
                TableName=self.table_name,
                Key={"workspaceId": {"S": workspace_id}, "id": {"S": automation_id}},
                ConsistentRead=True,
            )
        except SDK_ERRORS as exc:
            fault = unavailable(exc)
            if fault is None:
                raise
            raise fault from exc
        item: dict[str, dict[str, Any]] | None = answer.get("Item")
        return item

    def read(self, workspace_id: str, automation_id: str) -> Stored | None:
        """The stored automation, read consistently (a read right after a write finds
        it), or None."""
        item = self._get_item(workspace_id, automation_id)
        return None if item is None else stored(item)

    def get(self, workspace_id: str, automation_id: str) -> dict[str, Any] | None:
        """The stored automation's API object, read consistently, or None."""
        found = self.read(workspace_id, automation_id)
        return None if found is None else found.automation

    def update(self, workspace_id: str, seen: Stored, automation: dict[str, Any]) -> Stored:
        """Write ``automation`` (``seen`` changed) over ``seen``, in one write on
        condition that the item is still at ``seen``'s revision: StaleWrite when it
        is not (another change landed since it was read), AutomationTooLarge before
        writing anything when it cannot be one item."""
        revision = seen.revision + 1
        fitted(workspace_id, automation, revision)  # measured whole before anything is sent
        changed = [
            key
            for key, value in automation.items()
            if to_wire(key, seen.automation.get(key)) != to_wire(key, value)
        ]
        names = {f"#a{i}": key for i, key in enumerate([*changed, REVISION])}
        values = {f":a{i}": to_wire(key, automation[key]) for i, key in enumerate(changed)}
        values[f":a{len(changed)}"] = {"N": str(revision)}
        values[":seen"] = {"N": str(seen.revision)}
        assignments = ", ".join(f"#a{i} = :a{i}" for i in range(len(names)))
        try:
            self.client.update_item(
                TableName=self.table_name,
                Key={"workspaceId": {"S": workspace_id}, "id": {"S": seen.automation["id"]}},
                UpdateExpression=f"SET {assignments}",
                ConditionExpression=f"#a{len(changed)} = :seen",
                ExpressionAttributeNames=names,
                ExpressionAttributeValues=values,
            )
        except SDK_ERRORS as exc:
            error = exc.response.get("Error", {}) if isinstance(exc, ClientError) else {}
            if error.get("Code") == "ConditionalCheckFailedException":
                raise StaleWrite(seen.automation["id"]) from exc
            fault = unavailable(exc)
            if fault is None:
                raise
            raise fault from exc
        return Stored(automation, revision)

    def query(
        self,
        workspace_id: str,
        *,
        after: str | None,
        limit: int,
        statuses: frozenset[str],
        low: str,
        high: str,
    ) -> tuple[list[dict[str, dict[str, Any]]], str | None]:
        """One Query of the workspace's partition, newest id first, consistently:
        the items (at most ``limit`` read, fewer kept when ``statuses`` filters),
        and the id to go on after, or None at the end. Only sort keys between
        ``low`` and ``high`` are read."""
        parameters: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "workspaceId = :w AND #id BETWEEN :low AND :high",
            "ExpressionAttributeNames": {"#id": "id"},
            "ExpressionAttributeValues": {
                ":w": {"S": workspace_id},
                ":low": {"S": low},
                ":high": {"S": high},
            },
            "ScanIndexForward": False,
            "ConsistentRead": True,
            "Limit": limit,
        }
        if after is not None:
            parameters["ExclusiveStartKey"] = {"workspaceId": {"S": workspace_id}, "id": {"S": after}}
        if statuses:
            names = {f":s{i}": {"S": status} for i, status in enumerate(sorted(statuses))}
            parameters["FilterExpression"] = f"#status IN ({', '.join(names)})"
            parameters["ExpressionAttributeNames"]["#status"] = "status"
            parameters["ExpressionAttributeValues"].update(names)
        try:
            answer = self.client.query(**parameters)
        except SDK_ERRORS as exc:
            fault = unavailable(exc)
            if fault is None:
                raise
            raise fault from exc
        last = answer.get("LastEvaluatedKey")
        items: list[dict[str, dict[str, Any]]] = answer.get("Items", [])
        return items, (last["id"]["S"] if last else None)


@functools.cache
def automation_store() -> AutomationStore:
    """One store (and one DynamoDB client) per container, made on first use."""
    return AutomationStore(get_settings().table())


def make_at_init() -> None:
    """In Lambda, make this container's store and its DynamoDB client now: the route
    modules that use storage call this at import, in the function's init phase.

    Making the client (the botocore session, DynamoDB's service model and endpoint
    rules, the credentials) is most of a first request's own work, about 55 ms of
    ``make bench``. Lambda runs init with burst CPU where a request runs at the share
    of a vCPU that the function's memory buys, and with SnapStart init is in the
    snapshot and not run again at all; a cold start waits for both, so the work is
    cheaper there and never dearer. It opens no connection and touches no table.

    Outside Lambda (tests, ``make run``: no ``LAMBDA_TASK_ROOT``), or without the
    table setting, it does nothing: the first request makes the store, and answers
    a missing setting as any request would, rather than the import failing. Nor
    does an SDK error here fail the import (a function that cannot import answers
    nothing at all): the first request makes the client again, and answers as any
    request would if it still cannot (503 for credentials out of reach; 500 for a
    deployment bug such as no region, which Lambda always sets).
    """
    if os.environ.get("LAMBDA_TASK_ROOT") and get_settings().automations_table is not None:
        with contextlib.suppress(BotoCoreError):  # not kept: the first request makes it again
            _ = automation_store().client
