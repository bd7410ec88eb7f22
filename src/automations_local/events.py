"""HTTP API (payload format 2.0) events as the local tooling needs them: the one
builder is the function package's (``automations.http_event``); this module adds how
API Gateway's JWT authorizer renders claims."""

from __future__ import annotations

import json
from typing import Any

from automations.http_event import API_ID, DOMAIN, http_api_event, new_request_id

__all__ = ["API_ID", "DOMAIN", "http_api_event", "new_request_id", "render_claim"]


def render_claim(value: Any) -> str:
    """A claim value as the JWT authorizer passes it to the function: every value a
    string, arrays as ``[a b]``, objects as ``map[k:v]``. A loop over an explicit
    stack, not recursion: an IdP may put user-controlled data in a claim, and a
    600-level array must render, not end the request in a RecursionError."""
    parts: list[str] = []
    # Each entry is a value still to render, or text (a bracket, a separator, a key)
    # wrapped in a one-item tuple to tell it from a claim value that is a string.
    stack: list[Any] = [value]
    while stack:
        item = stack.pop()
        if type(item) is tuple:
            parts.append(item[0])
        elif isinstance(item, str):
            parts.append(item)
        elif isinstance(item, bool):
            parts.append("true" if item else "false")
        elif isinstance(item, list):
            stack.append(("]",))
            for index in range(len(item) - 1, -1, -1):
                stack.append(item[index])
                if index:
                    stack.append((" ",))
            stack.append(("[",))
        elif isinstance(item, dict):
            stack.append(("]",))
            entries = list(item.items())
            for index in range(len(entries) - 1, -1, -1):
                key, inner = entries[index]
                stack.append(inner)
                stack.append((f"{key}:",))
                if index:
                    stack.append((" ",))
            stack.append(("map[",))
        else:
            parts.append(json.dumps(item))
    return "".join(parts)
