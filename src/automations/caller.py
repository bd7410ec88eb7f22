"""Who is calling: the JWT authorizer's context, turned into a workspace and scopes.

API Gateway's JWT authorizer has already verified the token; the handler checks the
scope again (defence in depth) and takes the workspace from the token alone — never
from the body, the query or a header.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from automations.responses import HttpError

WORKSPACE_PATTERN = re.compile(r"[A-Za-z0-9_\-.:]{1,128}")


@dataclass(frozen=True, slots=True)
class Caller:
    workspace_id: str


def _strings(value: Any) -> list[str]:
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _space_separated(value: Any) -> list[str]:
    """OAuth's ``scope``: names separated by the space character (RFC 6749, 3.3), and
    nothing else: a no-break space or a tab is part of a name, as the gateway reads it."""
    return [name for name in value.split(" ") if name] if isinstance(value, str) else []


def _scp(value: Any) -> list[str]:
    """The ``scp`` claim: a list, a space-separated string, or API Gateway's rendering
    of an array claim in the authorizer context (``"[a b]"`` or ``'["a","b"]'``).
    Read by splitting, never by a JSON parser: the text is the client's token, and a
    nested ``[[[…]]]`` must not reach a recursive decoder. Anything else reads as
    names no route asks for, so an odd rendering is refused, never widened."""
    if not isinstance(value, str):
        return _strings(value)
    if value.startswith("[") and value.endswith("]"):
        names = value[1:-1].replace(",", " ").split(" ")
        return [
            name[1:-1] if len(name) > 1 and name[0] == name[-1] == '"' else name for name in names if name
        ]
    return _space_separated(value)


def scopes_of(jwt: Mapping[str, Any]) -> frozenset[str]:
    """The union of ``jwt.scopes``, the ``scope`` claim and the ``scp`` claim."""
    claims = jwt.get("claims") or {}
    if not isinstance(claims, Mapping):
        claims = {}
    return frozenset(
        _strings(jwt.get("scopes")) + _space_separated(claims.get("scope")) + _scp(claims.get("scp"))
    )


def authorise(authorizer: Any, workspace_claim: str, scopes: tuple[str, ...]) -> Caller:
    """The caller of this request, holding one of the route's ``scopes``, or an
    HttpError (401, or 403 naming the route's scopes)."""
    jwt = authorizer.get("jwt") if isinstance(authorizer, Mapping) else None
    claims = jwt.get("claims") if isinstance(jwt, Mapping) else None
    if not isinstance(claims, Mapping) or not claims:
        raise HttpError("authentication_required", headers={"WWW-Authenticate": "Bearer"})
    assert isinstance(jwt, Mapping)
    if not scopes_of(jwt) & set(scopes):
        wanted = " ".join(scopes)
        raise HttpError(
            "insufficient_scope",
            f"the token lacks {'the scope' if len(scopes) == 1 else 'one of the scopes'} {wanted}",
            {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{wanted}"'},
        )
    workspace = claims.get(workspace_claim)
    if not isinstance(workspace, str) or not WORKSPACE_PATTERN.fullmatch(workspace):
        raise HttpError(
            "workspace_required",
            f"the token's {workspace_claim!r} claim must name a workspace (1-128 of A-Z a-z 0-9 _ - . :)",
        )
    return Caller(workspace_id=workspace)
