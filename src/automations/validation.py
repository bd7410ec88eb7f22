"""Turns a request body into a ``NewAutomation`` or one ``ValidationFailed`` that
lists every problem at once: field problems (from the models) and graph problems
(from ``graph``), each with a precise ``field`` path such as ``edges[4].target``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from automations import graph
from automations.errors import Problem, ValidationFailed
from automations.models import MAX_EDGES, MAX_NODES, NewAutomation

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
    if kind == "extra_forbidden":
        if len(loc) == 1:
            message = f"is not a field of an automation (the fields are {_TOP_LEVEL_FIELDS})"
        else:
            message = "is not a field of a trigger (the fields are type, config)"
        return Problem(field, "unknown_field", message)
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


def parse_new_automation(payload: dict[str, Any]) -> NewAutomation:
    """Validate ``payload``; raise ``ValidationFailed`` with every problem found."""
    problems: list[Problem] = []
    automation: NewAutomation | None = None
    try:
        automation = NewAutomation.model_validate(payload)
    except ValidationError as exc:
        problems = [_problem(error) for error in exc.errors(include_url=False, include_input=False)]
    nodes, edges = payload.get("nodes"), payload.get("edges")
    # Past the limits the list is refused whole; checking its graph would only add noise.
    if not (isinstance(nodes, list) and len(nodes) > MAX_NODES) and not (
        isinstance(edges, list) and len(edges) > MAX_EDGES
    ):
        problems.extend(graph.find_problems(nodes, edges))
    if problems or automation is None:
        raise ValidationFailed(problems)
    return automation
