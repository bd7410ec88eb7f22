"""Lambda SnapStart: what a function does before Lambda snapshots it, and what each
copy restored from that snapshot does first (docs/operations.md).

With SnapStart on (the template's ``SnapStart`` parameter), Lambda initialises a
published version once, snapshots its memory, and starts new execution
environments from that snapshot instead of importing everything again. So:

- State made at init is shared by every copy restored from one snapshot: what must
  be unique to a copy is reset after the restore (the id generator, ``ids.py``).
- Work done before the snapshot is not done again: each route module primes its own
  path on an in-memory request (``prime`` beside its handler). Never a table, never
  the network: a connection taken into the snapshot would be stale in every copy.
  The DynamoDB client made at init (``store.make_at_init``) opens none, and with
  SnapStart Lambda hands out credentials through the container credentials
  endpoint, which botocore's provider refreshes, rather than as fixed variables.

The hooks are registered with ``snapshot_restore_py``, which Lambda's Python runtime
ships. Anywhere else (tests, ``make run``) it is missing and registering does
nothing; in Lambda with SnapStart off, the hooks are registered and never called.
This module imports nothing else, so it costs nothing on a function's cold start.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

try:
    import snapshot_restore_py
except ImportError:  # not in Lambda: no snapshots, no hooks
    _runtime: Any = None
else:
    _runtime = snapshot_restore_py

Hook = Callable[[], object]

# The workspace the priming requests are made in: never stored, never read.
WORKSPACE = "ws_snapstart_priming"

# A small draft in the create's request form, with one of each part the rules look
# at (a trigger, nodes of two kinds, an edge, nested data), as JSON text: priming
# reads it the way a request body is read.
DRAFT = (
    '{"name": "SnapStart priming", "description": null,'
    ' "trigger": {"type": "contact.subscribed", "config": {}},'
    ' "nodes": [{"id": "t", "type": "contact-subscribed", "position": {"x": 0, "y": 0}, "data": {}},'
    ' {"id": "m", "type": "send-email", "position": {"x": 0.5, "y": 120}, "data": {"subject": "Hi", "blocks": [{"a": 1}]}}],'
    ' "edges": [{"id": "e", "source": "t", "target": "m"}]}'
)


def available() -> bool:
    """Whether this process can be snapshotted: Lambda's Python runtime is here."""
    return _runtime is not None


def before_snapshot(hook: Hook) -> None:
    """Run ``hook`` before Lambda takes the snapshot (hooks run in the reverse order
    of registration)."""
    if _runtime is not None:
        _runtime.register_before_snapshot(hook)


def after_restore(hook: Hook) -> None:
    """Run ``hook`` in each copy restored from the snapshot, before its first
    request (hooks run in the order of registration)."""
    if _runtime is not None:
        _runtime.register_after_restore(hook)
