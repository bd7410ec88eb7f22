"""Idempotency-Key: retries of one create give one automation.

Powertools' idempotency utility with its DynamoDB persistence layer does the
bookkeeping: a record per (workspace, key), kept 24 hours, holding a hash of the
body and, once the create succeeded, the automation's id. Scoping: the record's
key is the hash of ``[workspace, key]``, so two workspaces may use the same key.
Only successes are remembered: when the create raises (a 422, a 413, a 503) the
utility deletes the record, so the request can be fixed and retried under the
same key.

The record holds the id, not the automation: a replay reads the automation back
from its table (consistently), so the record stays small whatever the graph's
size and the replay answers exactly what is stored.

Imported only when a request carries the header: the utility is not on the cold
start of requests without one.
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

from aws_lambda_powertools.utilities.idempotency import (
    DynamoDBPersistenceLayer,
    IdempotencyConfig,
    idempotent_function,
)
from aws_lambda_powertools.utilities.idempotency.exceptions import (
    IdempotencyAlreadyInProgressError,
    IdempotencyPersistenceLayerError,
    IdempotencyValidationError,
)
from aws_lambda_powertools.utilities.idempotency.persistence.datarecord import DataRecord

from automations.create import create_automation
from automations.errors import IdempotencyKeyInUse, IdempotencyKeyReused
from automations.store import BOTO_CONFIG, unavailable

if TYPE_CHECKING:
    from automations.store import AutomationStore

KEPT_SECONDS = 24 * 60 * 60


@functools.cache
def _persistence(table_name: str) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=table_name, boto_config=BOTO_CONFIG)


def _mark_replayed(response: Any, idempotent_data: DataRecord) -> Any:
    return {**response, "replayed": True}


def create_once(
    payload: dict[str, Any],
    workspace_id: str,
    key: str,
    store: AutomationStore,
    table_name: str,
    lambda_context: Any = None,
) -> tuple[dict[str, Any], bool]:
    """Create the automation once per (workspace, key): the automation, and
    whether this answer is a replay of an earlier request's."""
    config = IdempotencyConfig(
        event_key_jmespath="[workspace, key]",
        payload_validation_jmespath="payload",
        raise_on_no_idempotency_key=True,
        expires_after_seconds=KEPT_SECONDS,
        hash_function="sha256",
        response_hook=_mark_replayed,
    )
    if lambda_context is not None:
        config.register_lambda_context(lambda_context)  # bounds how long "in progress" lasts
    created: dict[str, Any] = {}

    @idempotent_function(
        data_keyword_argument="request", config=config, persistence_store=_persistence(table_name)
    )
    def create(request: dict[str, Any]) -> dict[str, Any]:
        created.update(create_automation(request["payload"], workspace_id, store))
        return {"automationId": created["id"]}

    try:
        outcome = create(request={"workspace": workspace_id, "key": key, "payload": payload})
    except IdempotencyValidationError:
        raise IdempotencyKeyReused() from None
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyKeyInUse() from None
    except IdempotencyPersistenceLayerError as exc:
        if created:
            # The automation is stored; only remembering it failed. Answer the truth.
            return created, False
        fault = unavailable(exc.__cause__) if exc.__cause__ is not None else None
        if fault is not None:
            raise fault from exc
        raise
    if not outcome.get("replayed"):
        return created, False
    automation = store.get(workspace_id, outcome["automationId"])
    if automation is None:  # nothing deletes automations yet: a bug if it happens
        raise LookupError(f"the automation of an idempotency record is gone: {outcome['automationId']}")
    return automation, True
