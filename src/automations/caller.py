"""Who is calling: the JWT authorizer's context, turned into a workspace and scopes.

API Gateway's JWT authorizer has already verified the token; the handler checks the
scope again (defence in depth) and takes the workspace from the token alone — never
from the body, the query or a header.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from automations.responses import HttpError

WORKSPACE_PATTERN = re.compile(r"[A-Za-z0-9_\-.:]{1,128}")


@dataclass(frozen=True, slots=True)
class Caller:
    workspace_id: str


def _scope_list(value: Any) -> list[str]:
    """Scopes from a list, a space-separated string, or API Gateway's rendering of
    an array claim (``"[a b]"``, or JSON text)."""
    if isinstance(value, list):
        return [item for item in value if isinstance(item, str)]
    if not isinstance(value, str):
        return []
    text = value.strip()
    if text.startswith("[") and text.endswith("]"):
        try:
            parsed = json.loads(text)
        except ValueError:
            text = text[1:-1]
        else:
            return _scope_list(parsed) if isinstance(parsed, list) else []
    return text.split()


def scopes_of(jwt: Mapping[str, Any]) -> frozenset[str]:
    """The union of ``jwt.scopes``, the ``scope`` claim and the ``scp`` claim."""
    claims = jwt.get("claims") or {}
    return frozenset(
        _scope_list(jwt.get("scopes")) + _scope_list(claims.get("scope")) + _scope_list(claims.get("scp"))
    )


def authorise(authorizer: Any, workspace_claim: str, scopes: tuple[str, ...]) -> Caller:
    """The caller of this request, holding one of the route's ``scopes``, or an
    HttpError (401, or 403 naming the route's scopes)."""
    jwt = authorizer.get("jwt") if isinstance(authorizer, Mapping) else None
    claims = jwt.get("claims") if isinstance(jwt, Mapping) else None
    if not isinstance(claims, Mapping) or not claims:
        raise HttpError(
            401,
            "authentication_error",
            "authentication_required",
            "a valid bearer token is required",
            {"WWW-Authenticate": "Bearer"},
        )
    assert isinstance(jwt, Mapping)
    if not scopes_of(jwt) & set(scopes):
        wanted = " ".join(scopes)
        raise HttpError(
            403,
            "permission_error",
            "insufficient_scope",
            f"the token lacks {'the scope' if len(scopes) == 1 else 'one of the scopes'} {wanted}",
            {"WWW-Authenticate": f'Bearer error="insufficient_scope", scope="{wanted}"'},
        )
    workspace = claims.get(workspace_claim)
    if not isinstance(workspace, str) or not WORKSPACE_PATTERN.fullmatch(workspace):
        raise HttpError(
            403,
            "permission_error",
            "workspace_required",
            f"the token's {workspace_claim!r} claim must name a workspace (1-128 of A-Z a-z 0-9 _ - . :)",
        )
    return Caller(workspace_id=workspace)
