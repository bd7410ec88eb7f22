"""DynamoDB storage of automations: with ``sdk.py``, the only code that talks to the
AWS SDK. What an item holds and how it is measured is ``item.py``; this module
reads, writes and lists items, each change conditioned on the revision it read.
"""

from __future__ import annotations

import contextlib
import functools
import os
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from automations.errors import AutomationIdTaken, AutomationTooLarge, StaleWrite, StorageUnavailable
from automations.item import DELETED, ITEM_LIMIT, REVISION, Stored, fitted, item_size, stored, to_wire
from automations.sdk import BOTO_CONFIG, SDK_ERRORS, session, unavailable
from automations.settings import get_settings

# A write that found the item changed since it was read, or a transaction that
# another one held: read and decide again. A cancellation for throttling: a 503.
_STALE = frozenset({"ConditionalCheckFailedException", "TransactionConflictException"})
_STALE_REASONS = frozenset({"ConditionalCheckFailed", "TransactionConflict"})
_THROTTLED_REASONS = frozenset({"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded"})


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
        it), or None (none, or deleted: a deleted one is kept for the table's TTL to
        purge, and no route answers it)."""
        item = self._get_item(workspace_id, automation_id)
        return None if item is None or DELETED in item else stored(item)

    def get(self, workspace_id: str, automation_id: str) -> dict[str, Any] | None:
        """The stored automation's API object, read consistently, or None."""
        found = self.read(workspace_id, automation_id)
        return None if found is None else found.automation

    def update(self, workspace_id: str, seen: Stored, automation: dict[str, Any]) -> Stored:
        """Write ``automation`` (``seen`` changed) over ``seen``, in one write on
        condition that the item is still at ``seen``'s revision: StaleWrite when it
        is not (another change landed since it was read), AutomationTooLarge before
        writing anything when it cannot be one item."""
        # What the edit may hold was judged as a create body (the create's limit,
        # ``item.ROOM`` kept); here the item itself, a later version's parentId
        # included, against DynamoDB's own limit, before anything is sent.
        fitted(workspace_id, automation, seen.revision + 1, limit=ITEM_LIMIT)
        self.transact([self.change(workspace_id, seen, automation)])
        return Stored(automation, seen.revision + 1, written=True)

    def change(
        self,
        workspace_id: str,
        seen: Stored,
        automation: dict[str, Any],
        marks: dict[str, dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """The UpdateItem (alone, or in a transaction) that turns ``seen`` into
        ``automation``: the attributes that read differently set, ``marks`` (attributes
        outside the API object, in wire form) set too, the revision raised, on
        condition that the item is still at ``seen``'s revision."""
        changed = [
            key
            for key, value in automation.items()
            if to_wire(key, seen.automation.get(key)) != to_wire(key, value)
        ]
        wires = [to_wire(key, automation[key]) for key in changed] + list((marks or {}).values())
        keys = [*changed, *(marks or {}), REVISION]
        wires.append({"N": str(seen.revision + 1)})
        return self.conditional_update(
            workspace_id,
            seen.automation["id"],
            dict(zip(keys, wires, strict=True)),
            condition=(REVISION, {"N": str(seen.revision)}),
        )

    def conditional_update(
        self,
        workspace_id: str,
        sort_key: str,
        assignments: dict[str, dict[str, Any] | None],
        *,
        condition: tuple[str, dict[str, Any]] | None,
    ) -> dict[str, Any]:
        """An UpdateItem of one item: each attribute set to its wire value (removed
        where None), on condition that ``condition``'s attribute holds its value, or,
        with no condition, that the item does not exist yet."""
        names: dict[str, str] = {}
        values: dict[str, dict[str, Any]] = {}
        sets, removes = [], []
        for i, (key, wire) in enumerate(assignments.items()):
            names[f"#a{i}"] = key
            if wire is None:
                removes.append(f"#a{i}")
            else:
                values[f":a{i}"] = wire
                sets.append(f"#a{i} = :a{i}")
        expression = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
        if condition is None:
            names["#key"] = "id"
            test = "attribute_not_exists(#key)"
        else:
            names["#c"], values[":c"] = condition[0], condition[1]
            test = "#c = :c"
        return {
            "TableName": self.table_name,
            "Key": {"workspaceId": {"S": workspace_id}, "id": {"S": sort_key}},
            "UpdateExpression": expression,
            "ConditionExpression": test,
            "ExpressionAttributeNames": names,
            "ExpressionAttributeValues": values,
        }

    def transact(
        self, updates: list[dict[str, Any]], puts: tuple[dict[str, Any], ...] | list[dict[str, Any]] = ()
    ) -> None:
        """Apply UpdateItems (``change``, ``conditional_update``) and PutItems as one
        transaction: all or nothing. StaleWrite when a condition failed or another
        transaction held an item (decide again); StorageUnavailable when throttled."""
        items = [{"Update": update} for update in updates] + [{"Put": put} for put in puts]
        try:
            if len(items) == 1 and not puts:  # one item: one conditional write is atomic as it is
                self.client.update_item(**updates[0])
            else:
                self.client.transact_write_items(TransactItems=items)
        except SDK_ERRORS as exc:
            answer = exc.response if isinstance(exc, ClientError) else {}
            code = answer.get("Error", {}).get("Code")
            reasons = {r.get("Code") for r in answer.get("CancellationReasons", [])} - {"None", None}
            if code in _STALE or (code == "TransactionCanceledException" and reasons <= _STALE_REASONS):
                raise StaleWrite(f"{code} {sorted(reasons)}") from exc
            if reasons & _THROTTLED_REASONS:
                raise StorageUnavailable(",".join(sorted(reasons))) from exc
            fault = unavailable(exc)
            if fault is None:
                raise
            raise fault from exc

    def put_action(self, workspace_id: str, automation: dict[str, Any]) -> dict[str, Any]:
        """The PutItem (in a transaction) of a new automation, never over another item."""
        return {
            "TableName": self.table_name,
            "Item": fitted(workspace_id, automation, limit=ITEM_LIMIT),
            "ConditionExpression": "attribute_not_exists(#key)",
            "ExpressionAttributeNames": {"#key": "id"},
        }

    def read_record(self, workspace_id: str, sort_key: str) -> dict[str, dict[str, Any]] | None:
        """Another kind of item of the workspace (a family's), read consistently."""
        return self._get_item(workspace_id, sort_key)

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
        parameters["FilterExpression"] = "attribute_not_exists(#deleted)"
        parameters["ExpressionAttributeNames"]["#deleted"] = DELETED
        if statuses:
            names = {f":s{i}": {"S": status} for i, status in enumerate(sorted(statuses))}
            parameters["FilterExpression"] += f" AND #status IN ({', '.join(names)})"
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
