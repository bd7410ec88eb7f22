from __future__ import annotations

from typing import Any

import pytest

from automations.caller import authorise, scopes_of
from automations.responses import HttpError
from automations.routes import CREATE, GET


def authorizer(claims: dict[str, Any] | None, scopes: Any = None) -> dict[str, Any]:
    return {"jwt": {"claims": claims, "scopes": scopes}}


@pytest.mark.parametrize(
    ("jwt", "expected"),
    [
        ({"scopes": ["write:automations"], "claims": {}}, {"write:automations"}),
        ({"scopes": None, "claims": {"scope": "read:automations write:automations"}}, None),
        ({"claims": {"scp": ["read:automations", "write:automations"]}}, None),
        ({"claims": {"scp": "[read:automations write:automations]"}}, None),
        ({"claims": {"scp": '["read:automations","write:automations"]'}}, None),
        ({"claims": {"scp": "read:automations write:automations"}}, None),
        (
            {"scopes": ["a"], "claims": {"scope": "b", "scp": "[c d]"}},
            {"a", "b", "c", "d"},
        ),
    ],
)
def test_scopes_are_the_union_of_every_place_a_token_puts_them(
    jwt: dict[str, Any], expected: set[str] | None
) -> None:
    # Given an authorizer context in one of API Gateway's shapes
    # When its scopes are read
    scopes = scopes_of(jwt)
    # Then every scope is found, exactly
    assert scopes == (expected or {"read:automations", "write:automations"})


@pytest.mark.parametrize(
    "claims",
    [
        {"scope": "write:automations\u00a0profile"},  # a no-break space is part of a name
        {"scope": "write:automations\tprofile"},
        {"scope": "profile\u2003write:automations"},
        {"scope": '["write:automations"]'},  # scope is space-separated, never an array
        {"scope": "[write:automations]"},
        {"scp": "[[write:automations]]"},
        {"scp": '["write:automations\u00a0"]'},
        {"scp": ['"write:automations"']},
        {"scp": "[" * 200_000 + "]" * 200_000},  # no JSON parser, so no recursion to exhaust
        {"scp": '["' + "write:automations" * 20_000 + '"]'},
    ],
)
def test_scopes_are_read_as_the_gateway_reads_them_and_odd_renderings_are_refused(
    claims: dict[str, Any],
) -> None:
    with pytest.raises(HttpError) as refused:
        authorise(authorizer({"workspace_id": "ws1", **claims}), "workspace_id", CREATE.scopes)
    assert (refused.value.status, refused.value.code) == (403, "insufficient_scope")


@pytest.mark.parametrize(
    "scp",
    ['[profile, "write:automations"]', '[ "profile" , "write:automations" ]', "[write:automations]"],
)
def test_an_array_claim_rendered_with_commas_quotes_or_spaces_is_read(scp: str) -> None:
    assert authorise(authorizer({"workspace_id": "ws1", "scp": scp}), "workspace_id", CREATE.scopes)


@pytest.mark.parametrize(
    "scope",
    ["write:automations-readonly", "read:automations", "write:automation", "WRITE:AUTOMATIONS", ""],
)
def test_a_scope_that_only_resembles_write_automations_is_refused(scope: str) -> None:
    with pytest.raises(HttpError) as refused:
        authorise(authorizer({"workspace_id": "ws1", "scope": scope}), "workspace_id", CREATE.scopes)
    assert refused.value.status == 403
    assert refused.value.code == "insufficient_scope"
    assert refused.value.headers["WWW-Authenticate"] == (
        'Bearer error="insufficient_scope", scope="write:automations"'
    )


@pytest.mark.parametrize(
    "context",
    [
        None,
        {},
        {"jwt": None},
        {"jwt": {"claims": None}},
        {"jwt": {"claims": {}}},
        {"lambda": {"x": 1}},
        "jwt",
    ],
)
def test_no_authorizer_context_or_no_claims_is_401(context: Any) -> None:
    with pytest.raises(HttpError) as refused:
        authorise(context, "workspace_id", CREATE.scopes)
    assert (refused.value.status, refused.value.code) == (401, "authentication_required")
    assert refused.value.headers == {"WWW-Authenticate": "Bearer"}


@pytest.mark.parametrize("workspace", ["ws_1", "A-b.c:d_9", "x", "w" * 128])
def test_the_workspace_comes_from_the_configured_claim(workspace: str) -> None:
    caller = authorise(
        authorizer({"tenant": workspace, "scope": "write:automations"}), "tenant", CREATE.scopes
    )
    assert caller.workspace_id == workspace


@pytest.mark.parametrize(
    "claims",
    [
        {"scope": "write:automations"},
        {"scope": "write:automations", "workspace_id": ""},
        {"scope": "write:automations", "workspace_id": "w" * 129},
        {"scope": "write:automations", "workspace_id": "ws/1"},
        {"scope": "write:automations", "workspace_id": "ws 1"},
        {"scope": "write:automations", "workspace_id": "ws1\n"},
        {"scope": "write:automations", "workspace_id": 42},
        {"scope": "write:automations", "workspace_id": ["ws1"]},
        {"scope": "write:automations", "other_claim": "ws1"},
    ],
)
def test_a_missing_or_malformed_workspace_claim_is_403(claims: dict[str, Any]) -> None:
    with pytest.raises(HttpError) as refused:
        authorise(authorizer(claims), "workspace_id", CREATE.scopes)
    assert (refused.value.status, refused.value.code) == (403, "workspace_required")


def test_scope_is_checked_before_the_workspace() -> None:
    with pytest.raises(HttpError) as refused:
        authorise(authorizer({"scope": "read:automations"}), "workspace_id", CREATE.scopes)
    assert refused.value.code == "insufficient_scope"


@pytest.mark.parametrize("scope", ["read:automations", "write:automations", "profile read:automations"])
def test_any_one_of_a_routes_scopes_is_enough(scope: str) -> None:
    caller = authorise(authorizer({"workspace_id": "ws1", "scope": scope}), "workspace_id", GET.scopes)
    assert caller.workspace_id == "ws1"


def test_a_refusal_names_every_scope_of_the_route() -> None:
    with pytest.raises(HttpError) as refused:
        authorise(authorizer({"workspace_id": "ws1", "scope": "profile"}), "workspace_id", GET.scopes)
    assert refused.value.headers["WWW-Authenticate"] == (
        'Bearer error="insufficient_scope", scope="read:automations write:automations"'
    )
    assert refused.value.message == "the token lacks one of the scopes read:automations write:automations"
