"""Idempotency-Key: retries of one create give one automation.

Powertools' idempotency utility with its DynamoDB persistence layer does the
bookkeeping: a record per (workspace, key), kept 24 hours, holding a hash of the
body and, once the create succeeded, the automation's id. Scoping: the record's
key is the hash of ``[workspace, key]``, so two workspaces may use the same key.
Only successes are remembered. The body is judged before the record is touched
(``create.accepted_draft``: a 422 or a 413 writes no record, reads none, and is the
same answer with or without a key, whatever the idempotency table's health or a
concurrent request under that key). When the store then fails (a 503) the utility
deletes the record, so the request can be retried under the same key.

Powertools is handed a digest of the body, not the body: it deep-copies and hashes
what it is given, and a 1 MiB graph would be copied for nothing. "The same body" is
the same JSON value: key order and whitespace do not count.

The record holds the id, not the automation: a replay reads the automation back
from its table (consistently), so the record stays small whatever the graph's
size and the replay answers exactly what is stored.

Imported only when a request carries the header: the utility is not on the cold
start of requests without one.
"""

from __future__ import annotations

import functools
import hashlib
import json
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

from automations.create import store_draft
from automations.errors import AutomationNotFound, IdempotencyKeyInUse, IdempotencyKeyReused
from automations.item import FIRST_REVISION, Stored
from automations.sdk import BOTO_CONFIG, unavailable

if TYPE_CHECKING:
    from automations.store import AutomationStore

KEPT_SECONDS = 24 * 60 * 60


@functools.cache
def _persistence(table_name: str) -> DynamoDBPersistenceLayer:
    return DynamoDBPersistenceLayer(table_name=table_name, boto_config=BOTO_CONFIG)


def _mark_replayed(response: Any, idempotent_data: DataRecord) -> Any:
    return {**response, "replayed": True}


def body_digest(payload: dict[str, Any]) -> str:
    """The body's identity as a key's record remembers it: SHA-256 of its canonical
    JSON (sorted keys, no spaces). The body is within the 64-level hard limit here,
    so the encoder's recursion is bounded."""
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"))  # ASCII: \u escapes
    return hashlib.sha256(text.encode()).hexdigest()


def create_once(
    draft: dict[str, Any],
    digest: str,
    workspace_id: str,
    key: str,
    store: AutomationStore,
    table_name: str,
    lambda_context: Any = None,
) -> tuple[Stored, bool]:
    """Store ``draft`` (accepted: ``create.accepted_draft``) once per (workspace, key),
    ``digest`` being its body's ``body_digest``: the automation, and whether this
    answer is a replay of an earlier request's. A replay answers the automation as
    it is stored now (it may have been edited since), with its current revision."""
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
        created.update(store_draft(draft, workspace_id, store))
        return {"automationId": created["id"]}

    try:
        outcome = create(request={"workspace": workspace_id, "key": key, "payload": digest})
    except IdempotencyValidationError:
        raise IdempotencyKeyReused() from None
    except IdempotencyAlreadyInProgressError:
        raise IdempotencyKeyInUse() from None
    except IdempotencyPersistenceLayerError as exc:
        if created:
            # The automation is stored; only remembering it failed. Answer the truth.
            return Stored(created, FIRST_REVISION), False
        fault = unavailable(exc.__cause__) if exc.__cause__ is not None else None
        if fault is not None:
            raise fault from exc
        raise
    if not outcome.get("replayed"):
        return Stored(created, FIRST_REVISION), False
    found = store.read(workspace_id, outcome["automationId"])
    if found is None:  # deleted since: a replay answers it 404, as every route does
        raise AutomationNotFound()
    return found, True
