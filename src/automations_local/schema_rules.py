"""The create's rules that JSON Schema can state but pydantic does not write into
the OpenAPI document: an element id's printable characters and a name that is not
blank after trimming, computed from the create's own validators so they follow
them, and added to the request models' schemas (``request_rules``)."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Callable
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

from automations.models import Edge as GraphEdge
from automations.models import ElementId, Name, NewAutomation, Node


def _class(characters: list[int], negated: bool = False) -> str:
    """A regular-expression class of ``characters`` (code points, ascending), read
    alike by ECMA-262 and Python: ``\\uXXXX`` in the Basic Multilingual Plane, the
    character itself above it."""

    def one(code: int) -> str:
        return f"\\u{code:04X}" if code <= 0xFFFF else chr(code)

    ranges: list[list[int]] = []
    for code in characters:
        if ranges and code == ranges[-1][1] + 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    body = "".join(one(a) if a == b else f"{one(a)}-{one(b)}" for a, b in ranges)
    return f"[{'^' if negated else ''}{body}]"


def _accepted_alone(annotation: Any, codes: range) -> list[int]:
    """The characters of ``codes`` that the create's validator of ``annotation``
    accepts as a whole value."""
    adapter: TypeAdapter[str] = TypeAdapter(annotation)
    accepted = []
    for code in codes:
        try:
            adapter.validate_python(chr(code))
        except ValidationError:
            continue
        accepted.append(code)
    return accepted


_NOT_PRINTABLE_IN_UNICODE_3_2 = {"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp", "Zs"}


@functools.cache
def printable_pattern() -> str:
    """An element id's characters: those the create accepts in an id, among the
    printable characters Unicode 3.2 assigned. Unicode 3.2 because every Python has
    that database (``unicodedata.ucd_3_2_0``), so the document is the same whichever
    Python writes it; the create, on its own Python's newer Unicode, also accepts the
    printable characters assigned since, which the pattern refuses (it is never looser
    than the create, and a test holds it to that)."""
    old = unicodedata.ucd_3_2_0
    candidates = [
        code
        for code in _accepted_alone(ElementId, range(0x110000))
        if code == 0x20 or old.category(chr(code)) not in _NOT_PRINTABLE_IN_UNICODE_3_2
    ]
    return f"^{_class(candidates)}*$"


@functools.cache
def not_blank_pattern() -> str:
    """A name holds at least one character that trimming keeps: the characters the
    create refuses as a whole name are exactly those it trims."""
    kept = set(_accepted_alone(Name, range(0x110000)))
    return _class([code for code in range(0x110000) if code not in kept], negated=True)


# Rules the create's validators keep and pydantic does not write into the schema,
# by the annotation that carries them: the pattern and the description added.
_RULES: list[tuple[Any, Callable[[], str], str]] = [
    (ElementId, printable_pattern, "1 to 128 printable characters."),
    (Name, not_blank_pattern, "Trimmed; not blank, and at most 100 characters after trimming."),
]
_REQUEST_MODELS: tuple[type[BaseModel], ...] = (NewAutomation, Node, GraphEdge)


def request_rules(document: dict[str, Any]) -> None:
    schemas = document["components"]["schemas"]
    for model in _REQUEST_MODELS:
        for name, field in model.model_fields.items():
            for annotation, pattern, description in _RULES:
                if field.metadata == FieldInfo.from_annotation(annotation).metadata:
                    schemas[model.__name__]["properties"][name] |= {
                        "pattern": pattern(),
                        "description": description,
                    }
