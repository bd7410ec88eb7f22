"""Reading the request body: media type, size, base64, JSON, an object."""

from __future__ import annotations

import base64
import binascii
import json
import math
import re
from typing import Any

from automations.responses import HttpError

MAX_BODY_BYTES = 1024 * 1024
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89abcdefABCDEF]")
_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89abcdefABCDEF]")


class _RefusedNumber(ValueError):
    """A number JSON does not allow, or one that no client could read back."""


def _bad(status: int, code: str, message: str) -> HttpError:
    return HttpError(status, "invalid_request_error", code, message)


def _is_json(content_type: str) -> bool:
    media, _, params = content_type.partition(";")
    media = media.strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        return False
    for param in params.split(";"):
        name, _, value = param.partition("=")
        if name.strip().lower() == "charset" and value.strip().strip('"').lower() not in {"utf-8", "utf8"}:
            return False  # JSON is UTF-8 (RFC 8259 §8.1)
    return True


def _no_constants(name: str) -> Any:
    raise _RefusedNumber(f"{name} is not a JSON number")


def _finite_float(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise _RefusedNumber(f"the number {text[:32]} is too large")
    return value


def _has_surrogate(value: Any) -> bool:
    if isinstance(value, str):
        return any(0xD800 <= ord(char) <= 0xDFFF for char in value)
    if isinstance(value, dict):
        return any(_has_surrogate(k) or _has_surrogate(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_surrogate(item) for item in value)
    return False


def read_json_object(body: str | None, is_base64: bool, content_type: str | None) -> dict[str, Any]:
    """The body as a JSON object, or an HttpError (400, 413 or 415)."""
    if content_type and content_type.strip() and not _is_json(content_type):
        raise HttpError(
            415,
            "invalid_request_error",
            "unsupported_media_type",
            "the body must be sent as application/json",
        )
    if not body:
        raise _bad(400, "invalid_body", "a JSON object body is required")
    text: str | bytes
    if is_base64:
        if len(body) > (MAX_BODY_BYTES + 2) // 3 * 4 + 4:
            raise _bad(413, "payload_too_large", f"the body must be at most {MAX_BODY_BYTES} bytes")
        try:
            text = base64.b64decode(body, validate=True)
        except (binascii.Error, ValueError):
            raise _bad(400, "invalid_body", "the body is not valid base64") from None
        size = len(text)
    else:
        text = body
        try:  # a decoded event body can hold a lone surrogate, which no client could read back
            size = len(body) if body.isascii() else len(body.encode("utf-8"))
        except UnicodeEncodeError:
            raise _bad(400, "invalid_json", "the body is not valid UTF-8") from None
    if size > MAX_BODY_BYTES:
        raise _bad(413, "payload_too_large", f"the body must be at most {MAX_BODY_BYTES} bytes")
    try:
        value = json.loads(text, parse_constant=_no_constants, parse_float=_finite_float)
    except json.JSONDecodeError as exc:
        raise _bad(
            400,
            "invalid_json",
            f"the body is not valid JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
        ) from None
    except UnicodeDecodeError:
        raise _bad(400, "invalid_json", "the body is not valid UTF-8") from None
    except RecursionError:
        raise _bad(400, "invalid_json", "the body nests objects and arrays too deeply") from None
    except _RefusedNumber as exc:  # NaN, Infinity, 1e400
        raise _bad(400, "invalid_json", f"the body is not valid JSON: {exc}") from None
    except ValueError:  # an integer of more than 4,300 digits
        raise _bad(400, "invalid_json", "the body is not valid JSON: a number is too long") from None
    if not isinstance(value, dict):
        raise _bad(400, "invalid_body", "the body must be a JSON object")
    escaped = (
        _SURROGATE_ESCAPE.search(text) if isinstance(text, str) else _SURROGATE_ESCAPE_BYTES.search(text)
    )
    if escaped and _has_surrogate(value):
        raise _bad(400, "invalid_json", "the body contains an unpaired UTF-16 surrogate escape")
    return value
