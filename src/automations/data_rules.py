"""What each node type's ``data`` must hold to publish (CONTRACT.md, the table of
``data`` rules), and which trigger node type each ``trigger.type`` means.

A rule reads one node's ``data`` and says what is missing or invalid through the
node's ``DataCheck`` (``diagnostics.py``), which builds the diagnostics. ``data`` is
client JSON: no value is trusted to be of any type, hashable, or small.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from automations.graph import quote
from automations.webhook_url import is_absolute_http_url

if TYPE_CHECKING:
    from automations.diagnostics import DataCheck
    from automations.models import Node

ENGAGEMENT_TYPES = ("open", "click", "bounce", "spam")
WEBHOOK_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")
DELAY_UNITS = ("seconds", "minutes", "hours", "days")
SPLIT_COUNT = 2
SPLIT_TOTAL = 100

# trigger.type → the trigger node type it means (and, for e-mail engagement, the
# node's emailEngagementType). Types outside these pairs are not compared. Two node
# types that differ always disagree, whatever the node's emailEngagementType holds.
_TRIGGER_PAIRS: dict[str, tuple[str, str | None]] = {
    "contact.subscribed": ("contact-subscribed", None),
    "contact.updated": ("contact-property-updated", None),
    "form.submitted": ("form-filled", None),
    "event.fired": ("event", None),
    "segment.entered": ("segment-entry", None),
    "email.opened": ("email-engagement", "open"),
    "email.clicked": ("email-engagement", "click"),
    "email.bounced": ("email-engagement", "bounce"),
    "email.complained": ("email-engagement", "spam"),
}
_PAIRED_NODE_TYPES = frozenset(node_type for node_type, _ in _TRIGGER_PAIRS.values())


def trigger_mismatch(trigger_type: str, node: Node) -> str | None:
    """How trigger node ``node`` disagrees with ``trigger_type``, if it does."""
    if trigger_type not in _TRIGGER_PAIRS or node.type not in _PAIRED_NODE_TYPES:
        return None
    node_type, engagement = _TRIGGER_PAIRS[trigger_type]
    if node.type != node_type:
        return (
            f'trigger.type "{trigger_type}" means {with_article(node_type)} trigger node, '
            f"but {quote(node.id)} is {with_article(node.type)} node"
        )
    actual = node.data.get("emailEngagementType")
    # Absent or invalid, emailEngagementType is not compared: the data rule reports it.
    if engagement is None or not isinstance(actual, str) or actual not in ENGAGEMENT_TYPES:
        return None
    if actual == engagement:
        return None
    return (
        f'trigger.type "{trigger_type}" means emailEngagementType "{engagement}", '
        f'but trigger node {quote(node.id)} has "{actual}"'
    )


def with_article(node_type: str) -> str:
    """``a send-email``, ``an event``."""
    return f"{'an' if node_type[0] in 'aeiou' else 'a'} {node_type}"


def _number(value: Any) -> int | float | None:
    """``value`` if it is a JSON number, else None. A bool is never a number (JSON
    true is not 1), whatever Python's int says."""
    return value if type(value) is int or type(value) is float else None


def _choices(values: tuple[str, ...]) -> str:
    return ", ".join(values)


def _string(node: DataCheck, field: str, value: Any) -> str | None:
    """A required string: absent, null, "" or not a string is missing. A string of
    spaces is a string (the contract names only "")."""
    if isinstance(value, str) and value:
        return value
    node.missing(field)
    return None


def _one_of(node: DataCheck, field: str, choices: tuple[str, ...]) -> None:
    value = _string(node, field, node.data.get(field))
    if value is not None and value not in choices:
        node.invalid(field, f"must be one of {_choices(choices)} (got {quote(value)})")


def _string_rule(*fields: str) -> Callable[[DataCheck], None]:
    def check(node: DataCheck) -> None:
        for field in fields:
            _string(node, field, node.data.get(field))

    return check


def _email_engagement(node: DataCheck) -> None:
    _one_of(node, "emailEngagementType", ENGAGEMENT_TYPES)


def _send_webhook(node: DataCheck) -> None:
    url = _string(node, "url", node.data.get("url"))
    if url is not None and not is_absolute_http_url(url):
        node.invalid("url", "must be an absolute http or https URL")
    method = node.data.get("method")
    # An optional method: null is absent; anything else that is not one of the listed
    # strings (a number, an object, "", "get") is invalid_data, never missing_data.
    if method is not None and (not isinstance(method, str) or method not in WEBHOOK_METHODS):
        node.invalid("method", f"must be one of {_choices(WEBHOOK_METHODS)}")


def _topics(node: DataCheck) -> None:
    topic_ids = node.data.get("topicIds")
    if not isinstance(topic_ids, list) or not topic_ids:
        node.missing("topicIds")
        return
    # One diagnostic for the list, naming its first non-string entry ("" is a string).
    for position, topic_id in enumerate(topic_ids):
        if not isinstance(topic_id, str):
            node.invalid("topicIds", f"must hold only strings (topicIds[{position}] is not one)")
            return


def _conditions(node: DataCheck) -> None:
    conditions = node.data.get("conditions")
    if not isinstance(conditions, dict | list) or not conditions:
        node.missing("conditions")


def _splits(node: DataCheck) -> None:
    splits = node.data.get("splits")
    if not isinstance(splits, list) or not splits:
        node.missing("splits")
        return
    if len(splits) != SPLIT_COUNT:
        node.invalid("splits", f"must hold exactly {SPLIT_COUNT} entries (it holds {len(splits)})")
    percentages: list[int | float] = []
    for position, split in enumerate(splits):
        # An entry that is not an object (or is {}) is one missing entry; an object is
        # checked field by field.
        if not isinstance(split, dict) or not split:
            node.missing_entry("splits", position)
            continue
        entry = f"splits[{position}]"
        _string(node, f"{entry}.id", split.get("id"))
        _string(node, f"{entry}.name", split.get("name"))
        percentage = _number(split.get("percentage"))
        if percentage is None:
            node.missing(f"{entry}.percentage")
        elif not 0 <= percentage <= SPLIT_TOTAL:
            node.invalid(f"{entry}.percentage", f"must be between 0 and {SPLIT_TOTAL}")
        else:
            percentages.append(percentage)
    # The total is judged only when every percentage is a valid number (whatever the
    # number of entries), with a tiny tolerance for binary floats.
    if len(percentages) == len(splits):
        total = math.fsum(percentages)
        if not math.isclose(total, SPLIT_TOTAL, rel_tol=0.0, abs_tol=1e-9):
            node.invalid("splits", f"must have percentages that total {SPLIT_TOTAL} (they total {total:g})")


def _time_delay(node: DataCheck) -> None:
    duration = _number(node.data.get("duration"))
    if duration is None:
        node.missing("duration")
    elif not duration > 0:  # a fraction is a number > 0 too
        node.invalid("duration", "must be greater than 0")
    _one_of(node, "unit", DELAY_UNITS)


# Node type → its data rules, each in the order of the contract's table.
DATA_RULES: dict[str, Callable[[DataCheck], None]] = {
    "contact-property-updated": _string_rule("propertyName"),
    "form-filled": _string_rule("formId"),
    "event": _string_rule("eventName"),
    "segment-entry": _string_rule("segmentId"),
    "segment-exit": _string_rule("segmentId"),
    "email-engagement": _email_engagement,
    "send-email": _string_rule("templateId"),
    "send-webhook": _send_webhook,
    "update-contact": _string_rule("fieldId", "fieldValue"),
    "add-to-topic": _topics,
    "remove-from-topic": _topics,
    "if-else": _conditions,
    "percentage-split": _splits,
    "time-delay": _time_delay,
}
