"""The request body of Create Automation, as pydantic v2 models.

Lenient at creation, as the public page says: structure and types are checked here,
completeness (connected graph, per-type ``data``) is left to publish time. Strict
types: ``"1"`` is not a number and ``1`` is not a string. Unknown top-level fields
are refused so a typo never silently loses data; extra keys inside a node or an
edge (editor state such as ``selected`` or ``width``) are dropped, not stored.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PlainValidator,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

TriggerType = Literal[
    "contact.subscribed",
    "contact.unsubscribed",
    "contact.created",
    "contact.updated",
    "event.fired",
    "form.submitted",
    "segment.entered",
    "email.opened",
    "email.clicked",
    "email.bounced",
    "email.complained",
]

TriggerNodeType = Literal[
    "contact-subscribed",
    "contact-property-updated",
    "form-filled",
    "webhook-trigger",
    "event",
    "segment-entry",
    "segment-exit",
    "email-engagement",
]
ActionNodeType = Literal[
    "send-email",
    "send-webhook",
    "update-contact",
    "unsubscribe-contact",
    "add-to-topic",
    "remove-from-topic",
]
RuleNodeType = Literal["if-else", "percentage-split", "time-delay"]
NodeType = Literal[TriggerNodeType, ActionNodeType, RuleNodeType]

NAME_MAX = 100
DESCRIPTION_MAX = 500
ID_MAX = 128
MAX_NODES = 1_000
MAX_EDGES = 2_000
# `data` and `config` may hold any JSON nested at most this deep (the object itself is
# level 1). DynamoDB refuses 32 levels; the publish-time schema never needs more.
MAX_DEPTH = 16
DEFAULT_TRIGGER_TYPE: TriggerType = "contact.subscribed"


# What a name is trimmed of: exactly what JavaScript's String.prototype.trim removes
# (ECMAScript's WhiteSpace and LineTerminator: TAB, VT, FF, SP, NBSP, ZWNBSP, every
# Zs character, LF, CR, LS, PS), as the product's own code trims a name. Not Python's
# str.strip(): it also removes U+001C-U+001F and U+0085, which trim keeps, and keeps
# U+FEFF, which trim removes. U+180E is Cf since Unicode 6.3: neither removes it.
JS_TRIMMED = "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"


def _name(value: str) -> str:
    trimmed = value.strip(JS_TRIMMED)
    if not trimmed:
        raise PydanticCustomError("blank", "must not be blank")
    if len(trimmed) > NAME_MAX:
        raise PydanticCustomError(
            "too_long",
            "must be at most {max} characters after trimming (got {got})",
            {"max": NAME_MAX, "got": len(trimmed)},
        )
    return trimmed


def _printable(value: str) -> str:
    if not value.isprintable():
        raise PydanticCustomError("not_printable", "must contain only printable characters")
    return value


def _exceeds(value: Any, budget: int) -> bool:
    """True when containers in ``value`` nest deeper than ``budget`` levels.

    Iterative and visiting containers only: it runs on every node's ``data``, so it
    is on the hot path of large graphs (a recursive generator was most of the
    validation time of a 1,000-node automation).
    """
    if type(value) is not dict and type(value) is not list:
        return False
    stack = [(value, budget)]
    while stack:
        container, left = stack.pop()
        if left == 0:
            return True
        for child in container.values() if type(container) is dict else container:
            if type(child) is dict or type(child) is list:
                stack.append((child, left - 1))
    return False


def _shallow_enough(value: dict[str, Any]) -> dict[str, Any]:
    if _exceeds(value, MAX_DEPTH):
        raise PydanticCustomError(
            "too_deep", "must not nest objects and arrays more than {max} levels deep", {"max": MAX_DEPTH}
        )
    return value


def _finite_number(value: Any) -> int | float:
    # `type(...) is` on purpose: bool is an int subclass and is not a coordinate.
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return value
    raise PydanticCustomError("invalid_type", "must be a finite number")


Name = Annotated[str, AfterValidator(_name)]
ElementId = Annotated[str, StringConstraints(min_length=1, max_length=ID_MAX), AfterValidator(_printable)]
JsonObject = Annotated[dict[str, Any], AfterValidator(_shallow_enough)]
Coordinate = Annotated[int | float, PlainValidator(_finite_number), WithJsonSchema({"type": "number"})]


class Position(BaseModel):
    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="ignore")

    x: Coordinate
    y: Coordinate


class Trigger(BaseModel):
    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="forbid")

    type: TriggerType
    config: JsonObject = Field(default_factory=dict)


class Node(BaseModel):
    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="ignore")

    id: ElementId
    type: NodeType
    position: Position = Field(default_factory=lambda: Position(x=0, y=0))
    data: JsonObject = Field(default_factory=dict)


class Edge(BaseModel):
    model_config = ConfigDict(strict=True, allow_inf_nan=False, extra="ignore")

    id: ElementId
    source: str
    target: str
    sourceHandle: str | None = None
    targetHandle: str | None = None
    type: str | None = None
    animated: bool = False
    data: JsonObject = Field(default_factory=dict)


class NewAutomation(BaseModel):
    """The body of ``POST /v1/automations``."""

    model_config = ConfigDict(
        strict=True, allow_inf_nan=False, extra="forbid", title="CreateAutomationRequest"
    )

    name: Name = Field(json_schema_extra={"minLength": 1, "maxLength": NAME_MAX})
    description: Annotated[str, StringConstraints(max_length=DESCRIPTION_MAX)] | None = None
    trigger: Trigger = Field(default_factory=lambda: Trigger(type=DEFAULT_TRIGGER_TYPE))
    nodes: list[Node] = Field(default_factory=list, max_length=MAX_NODES)
    edges: list[Edge] = Field(default_factory=list, max_length=MAX_EDGES)
