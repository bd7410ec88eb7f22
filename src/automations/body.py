"""Reading the request body: media type, size, base64, UTF-8, nesting, JSON, an object.

Client bytes are hostile, so each step is explicit and bounded (contract, "Hard
limits"): bytes are decoded as UTF-8 and nothing else (``json.loads`` on bytes
would guess UTF-16 or UTF-32); nesting is measured on the text, iteratively, before
the parser builds anything; numbers that overflow a double are refused while
parsing; a walk for lone surrogates is a loop over an explicit stack. Every way a
body can be wrong maps to one named error, once.
"""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from itertools import accumulate
from typing import Any

from automations.responses import HttpError

MAX_BODY_BYTES = 1024 * 1024
# Deeper JSON is refused before it is parsed (contract: 64 levels, the body itself
# being level 1). The 16-level rule for `data` is a field rule, checked later.
MAX_NESTING = 64
# The largest integer that does not overflow an IEEE double has 309 digits.
_DOUBLE_DIGITS = 309

# A JSON string, or the unterminated rest of the text: greedy and without
# alternatives that overlap, so it never backtracks and never rescans (linear even
# for `"\"\"\"…`). Removing strings leaves only structure, where brackets nest.
_STRING = re.compile(r'"[^"\\]*(?:\\[\s\S]?[^"\\]*)*(?:"|\Z)')
_NOT_A_BRACKET = re.compile(r"[^\[\]{}]+")
_STEP = {"[": 1, "{": 1, "]": -1, "}": -1}
# A run of digits as long as the largest double's integer part: only a body with one
# (outside strings) has its integers checked one by one while parsing.
_LONG_DIGITS = re.compile("[0-9]{" + str(_DOUBLE_DIGITS) + "}")
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_SURROGATE = re.compile("[\ud800-\udfff]")


class _RefusedNumber(ValueError):
    """A number JSON does not allow, or one that no client could read back."""


def _not_utf8() -> HttpError:
    return HttpError("invalid_json", "the body is not valid UTF-8")


def _media_type_problem(content_type: str, only: tuple[str, ...] | None) -> str | None:
    """Why a ``Content-Type`` is not JSON in UTF-8, or None when it is: one of
    ``only`` when a route names its media types, else ``application/json`` or any
    ``application/*+json``."""
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if only is not None:
        if media not in only:
            return f"the body must be sent as {' or '.join(only)}, not {media[:64] or 'an empty media type'}"
    elif media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        return f"the body must be sent as application/json, not {media[:64] or 'an empty media type'}"
    for param in params.split(";"):
        name, _, value = param.partition("=")
        charset = value.strip().strip('"').lower()
        if name.strip().lower() == "charset" and charset not in {"utf-8", "utf8"}:
            # JSON is UTF-8 (RFC 8259 §8.1)
            return f"the body must be sent as application/json in UTF-8, not charset {charset[:64]}"
    return None


# The parser's own messages, in this API's words: they differ between Python
# versions (3.13 added the trailing-comma one) and name Python's remedies
# ("decode using utf-8-sig"). Matched by their start; anything else is "not JSON".
_DECODE_PROBLEMS = (
    ("Expecting value", "a value was expected"),
    ("Expecting ',' delimiter", "a ',' was expected"),
    ("Expecting ':' delimiter", "a ':' was expected"),
    ("Expecting property name", "a key in double quotes was expected"),
    ("Illegal trailing comma", "a trailing comma is not allowed"),
    ("Unterminated string", "a string is not terminated"),
    ("Invalid control character", "a string holds a control character that is not escaped"),
    ("Invalid \\uXXXX escape", "a string holds an invalid \\u escape"),
    ("Invalid \\escape", "a string holds an invalid escape"),
    ("Extra data", "more text follows the JSON value"),
    ("Unexpected UTF-8 BOM", "the body starts with a byte order mark; send UTF-8 without one"),
)


def _decode_problem(exc: json.JSONDecodeError) -> str:
    problem = next(
        (ours for theirs, ours in _DECODE_PROBLEMS if exc.msg.startswith(theirs)), "this is not JSON"
    )
    return f"the body is not valid JSON: {problem} (line {exc.lineno}, column {exc.colno})"


def _structure(text: str) -> str:
    """JSON ``text`` with its strings removed: brackets, commas, colons, numbers and
    literals, where nesting and number sizes can be measured without a parser."""
    return _STRING.sub("", text)


def nests_deeper_than(text: str, limit: int, *, structure: str | None = None) -> bool:
    """Whether arrays and objects in JSON ``text`` nest more than ``limit`` levels
    (``{}`` is 1 level, ``[{}]`` is 2).

    Measured on the text, not on a parsed value, in linear time and without
    recursion: strings are removed, then the running sum of the brackets left peaks
    at the depth. On text that is not JSON the answer may be anything; the parser
    refuses such text anyway. ``structure``: the text's ``_structure``, if known.
    """
    brackets = _NOT_A_BRACKET.sub("", _structure(text) if structure is None else structure)
    if brackets.count("[") + brackets.count("{") <= limit:
        return False
    return max(accumulate(map(_STEP.__getitem__, brackets))) > limit


def _no_constants(name: str) -> Any:
    raise _RefusedNumber(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RefusedNumber(f"the number {text[:32]} overflows a double")
    return value


def _double_sized_int(text: str) -> int:
    # JSON integers have no leading zeros, so the digit count is the magnitude.
    digits = len(text) - (text[0] == "-")
    if digits > _DOUBLE_DIGITS:
        raise _RefusedNumber(f"the number {text[:32]}… overflows a double")
    value = int(text)
    if digits == _DOUBLE_DIGITS:
        try:
            float(value)
        except OverflowError:
            raise _RefusedNumber(f"the number {text[:32]}… overflows a double") from None
    return value


def has_lone_surrogate(value: Any) -> bool:
    """Whether any string (key or value) in ``value`` holds a lone UTF-16 surrogate.
    A loop over an explicit stack: client data is never walked by recursion."""
    stack = [value]
    while stack:
        item = stack.pop()
        if type(item) is str:
            if _SURROGATE.search(item):
                return True
        elif type(item) is dict:
            stack.extend(item)
            stack.extend(item.values())
        elif type(item) is list:
            stack.extend(item)
    return False


def _text(body: str, is_base64: bool) -> str:
    """The body as text, decoded as UTF-8 and nothing else, within the size limit."""
    if is_base64:
        if len(body) > (MAX_BODY_BYTES + 2) // 3 * 4 + 4:
            raise HttpError("payload_too_large", f"the body must be at most {MAX_BODY_BYTES} bytes")
        try:
            raw = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise HttpError("invalid_body", "the body is not valid base64") from None
        if len(body) % 4 or body.endswith("==="):  # b64decode lets surplus padding through
            raise HttpError("invalid_body", "the body is not valid base64")
        size = len(raw)
        if size <= MAX_BODY_BYTES:
            try:  # strict: invalid sequences and encoded surrogates (ED A0 80) are refused
                return raw.decode("utf-8")
            except UnicodeDecodeError:
                raise _not_utf8() from None
    else:
        try:
            size = len(body) if body.isascii() else len(body.encode("utf-8"))
        except UnicodeEncodeError:
            # A lone surrogate (the event's JSON had "\ud800"). Size comes first: a
            # body over the limit is 413 whatever it holds (surrogatepass counts a
            # surrogate as the 3 bytes of any code point of its range).
            if len(body.encode("utf-8", "surrogatepass")) <= MAX_BODY_BYTES:
                raise _not_utf8() from None
            size = MAX_BODY_BYTES + 1
    if size > MAX_BODY_BYTES:
        raise HttpError("payload_too_large", f"the body must be at most {MAX_BODY_BYTES} bytes")
    return body


def read_json_object(
    body: str | None, is_base64: bool, content_type: str | None, *, only: tuple[str, ...] | None = None
) -> dict[str, Any]:
    """The body as a JSON object, or an HttpError (400, 413 or 415). ``only``: the
    media types the route takes (absent, the body is read as JSON all the same)."""
    problem = _media_type_problem(content_type, only) if content_type and content_type.strip() else None
    if problem is not None:
        raise HttpError("unsupported_media_type", problem)
    if not body:
        raise HttpError("invalid_body", "a JSON object body is required")
    text = _text(body, is_base64)
    structure = _structure(text)
    if nests_deeper_than(text, MAX_NESTING, structure=structure):
        raise HttpError(
            "invalid_json", f"the body nests arrays and objects more than {MAX_NESTING} levels deep"
        )
    try:
        value = json.loads(
            text,
            parse_constant=_no_constants,
            parse_float=_finite_float,
            parse_int=_double_sized_int if _LONG_DIGITS.search(structure) else None,
        )
    except json.JSONDecodeError as exc:
        raise HttpError("invalid_json", _decode_problem(exc)) from None
    except _RefusedNumber as exc:  # NaN, Infinity, 1e400, a 400-digit integer
        raise HttpError("invalid_json", f"the body is not valid JSON: {exc}") from None
    if not isinstance(value, dict):
        raise HttpError("invalid_body", "the body must be a JSON object")
    if _SURROGATE_ESCAPE.search(text) and has_lone_surrogate(value):
        raise HttpError("invalid_json", "the body contains an unpaired UTF-16 surrogate escape")
    return value
