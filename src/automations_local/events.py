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
    string, arrays as ``[a b]``, objects as ``map[k:v]``. It walks only the claims of
    a token whose signature the local authorizer has verified (signed with this
    checkout's dev key), never a client's unverified data."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + " ".join(render_claim(item) for item in value) + "]"
    if isinstance(value, dict):
        return "map[" + " ".join(f"{k}:{render_claim(v)}" for k, v in value.items()) + "]"
    return json.dumps(value)
