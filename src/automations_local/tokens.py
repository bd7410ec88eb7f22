"""Development JWTs: an RS256 key made once per checkout, tokens signed with it,
and the checks API Gateway's JWT authorizer makes of a token.

The private key lives in ``.local/`` (ignored by git) so ``make run`` and
``make token`` agree without a key ever being committed.

Run ``python -m automations_local.tokens`` (``make token``) for a token; it is the
last line printed (what it holds goes to stderr). Environment variables choose what
it holds; unset, each has its default, and set but empty, it is left out:

- ``SCOPES``: the ``scope`` claim, space-separated (default
  ``read:automations write:automations``); ``SCOPES=""`` mints a token without one,
  which every route's authorizer refuses with 403.
- ``WORKSPACE``: the ``workspace_id`` claim (default ``ws_local``); ``WORKSPACE=""``
  mints a token without it, which passes the authorizer and which the function
  refuses with 403 ``workspace_required``.
- ``TTL``: seconds until it expires (default 3600).
- ``DEV_JWT_KEY_FILE``: the signing key's file (default ``.local/dev-jwt-key.pem``);
  ``make run`` must use the same one to accept the token.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from automations.routes import READ, WRITE
from automations_local.template import ROOT

ISSUER = "https://auth.local.test/"
AUDIENCE = "automations-api"
KEY_ID = "local-dev-1"
DEFAULT_SCOPES = f"{READ} {WRITE}"
DEFAULT_WORKSPACE = "ws_local"
KEY_FILE = Path(os.environ.get("DEV_JWT_KEY_FILE", ROOT / ".local" / "dev-jwt-key.pem"))


def private_key(path: Path = KEY_FILE) -> rsa.RSAPrivateKey:
    """The checkout's dev signing key, created on first use."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        tmp.replace(path)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    assert isinstance(loaded, rsa.RSAPrivateKey)
    return loaded


def issue(
    *,
    scopes: str | None = DEFAULT_SCOPES,
    workspace: str | None = DEFAULT_WORKSPACE,
    ttl: int = 3600,
    key: rsa.RSAPrivateKey | None = None,
    **claims: Any,
) -> str:
    """A signed access token as an IdP would issue it; ``scopes`` or ``workspace``
    None leaves that claim out."""
    now = int(time.time())
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user_local",
        "iat": now,
        "nbf": now,
        "exp": now + ttl,
    }
    if scopes is not None:
        payload["scope"] = scopes
    if workspace is not None:
        payload["workspace_id"] = workspace
    payload.update(claims)
    return jwt.encode(payload, key or private_key(), algorithm="RS256", headers={"kid": KEY_ID})


class Rejected(Exception):
    """What API Gateway's JWT authorizer answers instead of calling the function."""

    def __init__(self, status: int, www_authenticate: str, message: str) -> None:
        super().__init__(f"{status} {message}")
        self.status = status
        self.www_authenticate = www_authenticate
        self.message = message


def token_scopes(claims: dict[str, Any]) -> list[str]:
    scopes: list[str] = []
    for name in ("scope", "scp"):
        value = claims.get(name)
        if isinstance(value, str):
            # The space character only (RFC 6749, 3.3), as the function splits it:
            # a no-break space or a tab is part of a name.
            scopes += [name for name in value.split(" ") if name]
        elif isinstance(value, list):
            scopes += [s for s in value if isinstance(s, str)]
    return scopes


# What the authorizer says of a token it refuses, by the check that refused it.
_DESCRIPTIONS: tuple[tuple[type[jwt.InvalidTokenError], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.ImmatureSignatureError, "the token is not valid yet"),
    (jwt.InvalidAudienceError, "the token's audience is not this API's"),
    (jwt.InvalidIssuerError, "the token's issuer is not this API's"),
    (jwt.MissingRequiredClaimError, "the token lacks a required claim"),
    (jwt.InvalidSignatureError, "the token's signature is not the issuer's"),
    (jwt.DecodeError, "the token is not a well-formed JWT"),
)


def verify(
    authorization: str | None, required_scopes: list[str], key: rsa.RSAPrivateKey | None = None
) -> dict[str, Any]:
    """The token's claims, or Rejected — the JWT authorizer's checks: a signature by
    the issuer's key (RS256, matching kid), ``iss``, ``aud``, ``exp``, ``nbf``, ``iat``,
    then one of the route's scopes."""
    if not authorization or not authorization.strip():
        raise Rejected(401, "Bearer", "Unauthorized")
    token = authorization.strip()
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    public = (key or private_key()).public_key()
    try:
        if jwt.get_unverified_header(token).get("kid") != KEY_ID:
            raise jwt.InvalidSignatureError("the token's kid is not a key of the issuer")
        claims: dict[str, Any] = jwt.decode(
            token,
            public,
            algorithms=["RS256"],
            audience=AUDIENCE,
            issuer=ISSUER,
            options={"require": ["exp", "iss", "aud"]},
        )
    except jwt.InvalidTokenError as exc:
        # Words of our own, never the library's message: it can quote the token's
        # unverified header (a "crit" entry holding CR LF would split the answer).
        description = next((words for kind, words in _DESCRIPTIONS if isinstance(exc, kind)), "invalid token")
        raise Rejected(
            401, f'Bearer scope="" error="invalid_token" error_description="{description}"', "Unauthorized"
        ) from None
    if required_scopes and not set(required_scopes) & set(token_scopes(claims)):
        wanted = " ".join(required_scopes)
        raise Rejected(
            403,
            f'Bearer scope="{wanted}" error="insufficient_scope" error_description="expected scopes: [{wanted}]"',
            "Forbidden",
        )
    return claims


def main() -> None:
    # Unset: the default. Set but empty: no such claim.
    scopes = os.environ.get("SCOPES", DEFAULT_SCOPES) or None
    workspace = os.environ.get("WORKSPACE", DEFAULT_WORKSPACE) or None
    ttl = int(os.environ.get("TTL") or 3600)
    held = " ".join(
        f"{claim}={value!r}" if value is not None else f"no {claim}"
        for claim, value in (("scope", scopes), ("workspace_id", workspace))
    )
    print(f"# dev token: iss={ISSUER} aud={AUDIENCE} {held} ttl={ttl}s", file=sys.stderr)
    print(issue(scopes=scopes, workspace=workspace, ttl=ttl))


if __name__ == "__main__":
    main()
