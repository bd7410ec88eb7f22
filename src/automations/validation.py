"""Turns a request body into a ``NewAutomation`` or one ``ValidationFailed`` that
lists every problem at once: field problems (from the models) and graph problems
(from ``graph``), each with a precise ``field`` path such as ``edges[4].target``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from automations import graph
from automations.errors import Problem, Problems, ValidationFailed
from automations.models import MAX_EDGES, MAX_NODES, NewAutomation, Trigger

_KINDS = {
    "string_type": "a string",
    "bool_type": "a boolean",
    "int_type": "a number",
    "float_type": "a number",
    "dict_type": "an object",
    "model_type": "an object",
    "model_attributes_type": "an object",
    "list_type": "an array",
}
_TOP_LEVEL_FIELDS = ", ".join(NewAutomation.model_fields)


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('edges', 3, 'target')`` → ``edges[3].target``. A part can be a client's
    key (an unknown field): it is cut like any client text in a message."""
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            part = graph.shorten(part)
            path += f".{part}" if path else part
    return path


def _problem(error: ErrorDetails) -> Problem:
    kind, loc, ctx = error["type"], error["loc"], error.get("ctx") or {}
    field = field_path(loc)
    if kind == "missing":
        return Problem(field, "required", "is required")
    if kind in _KINDS:
        return Problem(field, "invalid_type", f"must be {_KINDS[kind]}")
    if kind == "literal_error":
        return Problem(field, "invalid_value", f"must be one of {ctx['expected']}")
    if kind == "string_too_short":
        return Problem(field, "too_short", f"must be at least {ctx['min_length']} character(s)")
    if kind == "string_too_long":
        return Problem(field, "too_long", f"must be at most {ctx['max_length']} characters")
    if kind == "too_long" and ctx.get("field_type") == "List":
        limit = MAX_NODES if field == "nodes" else MAX_EDGES
        return Problem(field, "too_many", f"must hold at most {limit} {field}")
    # Our own PydanticCustomError codes (blank, too_deep, not_printable, invalid_type, too_long)
    # carry a message written for clients; anything else keeps pydantic's wording.
    return Problem(field, kind, error["msg"])


_TRIGGER_FIELDS = ", ".join(Trigger.model_fields)
_KNOWN = frozenset(NewAutomation.model_fields)  # a frozenset: the class property is slow per key
_KNOWN_IN_TRIGGER = frozenset(Trigger.model_fields)
# The fields validated before the trigger's unknown keys are reported, as the model
# orders its problems: its own fields in declared order, each model's unknown keys
# after its fields, the body's unknown keys last.
_UP_TO_TRIGGER = frozenset(
    list(NewAutomation.model_fields)[: list(NewAutomation.model_fields).index("trigger") + 1]
)


def _unknown(value: dict[str, Any], known: frozenset[str]) -> list[str]:
    return [key for key in value if key not in known]


def _unknown_field(path: str, fields: str, kind: str) -> Callable[[str], Problem]:
    def make(key: str) -> Problem:
        field = field_path((path, key) if path else (key,))
        return Problem(field, "unknown_field", f"is not a field of {kind} (the fields are {fields})")

    return make


def parse_new_automation(payload: dict[str, Any]) -> NewAutomation:
    """Validate ``payload``; raise ``ValidationFailed`` with every problem found (the
    first 100 built, all counted).

    Unknown keys (of the body and of its trigger, where the models forbid them) are
    found here, by a pass over the keys, and taken out before the model sees the
    body: pydantic would build an error object for each of 45,000 of them. What the
    model validates is then bounded by the lists' limits."""
    problems = Problems()
    unknown = _unknown(payload, _KNOWN)
    trigger = payload.get("trigger")
    unknown_in_trigger = _unknown(trigger, _KNOWN_IN_TRIGGER) if isinstance(trigger, dict) else []
    known = payload
    if unknown or unknown_in_trigger:
        known = {key: value for key, value in payload.items() if key in _KNOWN}
        if unknown_in_trigger:
            assert isinstance(trigger, dict)
            known["trigger"] = {key: value for key, value in trigger.items() if key in _KNOWN_IN_TRIGGER}
    automation: NewAutomation | None = None
    try:
        automation = NewAutomation.model_validate(known)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
    else:
        errors = []
    first = [error for error in errors if error["loc"][:1] and error["loc"][0] in _UP_TO_TRIGGER]
    later = [error for error in errors if not (error["loc"][:1] and error["loc"][0] in _UP_TO_TRIGGER)]
    for error in first:
        problems.append(_problem(error))
    problems.add_each(
        "unknown_field", unknown_in_trigger, _unknown_field("trigger", _TRIGGER_FIELDS, "a trigger")
    )
    for error in later:
        problems.append(_problem(error))
    problems.add_each("unknown_field", unknown, _unknown_field("", _TOP_LEVEL_FIELDS, "an automation"))
    nodes, edges = payload.get("nodes"), payload.get("edges")
    # Past the limits the list is refused whole; checking its graph would only add noise.
    if not (isinstance(nodes, list) and len(nodes) > MAX_NODES) and not (
        isinstance(edges, list) and len(edges) > MAX_EDGES
    ):
        for problem in graph.find_problems(nodes, edges):
            problems.append(problem)
    if problems.total or automation is None:
        raise ValidationFailed(problems)
    return automation
