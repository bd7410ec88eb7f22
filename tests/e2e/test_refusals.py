"""What the API refuses, end to end: 401 without a valid token, 403 without the
route's scope, 404 for an id the caller's workspace does not hold and for a route
the API does not have. The 401s and the scope 403s come from the gateway's JWT
authorizer before any function runs (a function refusing the scope again answers
403 too, with the same header)."""

from __future__ import annotations

import pytest

from automations.routes import ROUTES as DECLARED
from tests.e2e.api import Api, Reply, unique

# Each route (its declaration), with a path and a body it would take with the right token.
UNKNOWN_ID = "aut_01KB2X7Q9M4T6V8W0Y2Z4A6C8F"
ROUTES = [
    (
        route.method,
        route.path_with(**dict.fromkeys(route.path_parameters, UNKNOWN_ID)),
        {"name": "e2e refused"} if route.body else None,
    )
    for route in DECLARED
]
ROUTE_IDS = [route.module for route in DECLARED]


def forged(token: str) -> str:
    """``token`` with one character of its signature changed (in the middle: the last
    character of a base64url signature may carry only padding bits)."""
    header, payload, signature = token.split(".")
    middle = len(signature) // 2
    changed = "A" if signature[middle] != "A" else "B"
    return ".".join([header, payload, signature[:middle] + changed + signature[middle + 1 :]])


def assert_unauthorized(reply: Reply) -> None:
    assert reply.status == 401, reply.body
    assert reply.headers["www-authenticate"].startswith("Bearer")


def assert_insufficient_scope(reply: Reply) -> None:
    assert reply.status == 403, reply.body
    assert 'error="insufficient_scope"' in reply.headers["www-authenticate"]


def assert_not_found(reply: Reply) -> None:
    assert reply.status == 404, reply.body
    assert reply.body["error"]["type"] == "invalid_request_error"
    assert reply.error_code() == "automation_not_found"
    assert reply.body["error"]["requestId"] == reply.headers["x-request-id"]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_no_token_is_401(api: Api, method: str, path: str, body: object) -> None:
    assert_unauthorized(api.request(method, path, body=body))


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
@pytest.mark.parametrize("token", ["garbage", "forged"])
def test_a_token_that_does_not_verify_is_401(
    api: Api, method: str, path: str, body: object, token: str
) -> None:
    bad = "not-a-jwt" if token == "garbage" else forged(api.token)
    assert_unauthorized(api.request(method, path, body=body, token=bad))


def test_a_read_only_token_cannot_create(api: Api) -> None:
    reply = api.create({"name": unique("read-only")}, token=api.read_token)
    assert_insufficient_scope(reply)
    assert "write:automations" in reply.headers["www-authenticate"]


@pytest.mark.parametrize(("method", "path", "body"), ROUTES, ids=ROUTE_IDS)
def test_a_token_without_the_apis_scopes_is_403(
    api: Api, unscoped_token: str, method: str, path: str, body: object
) -> None:
    assert_insufficient_scope(api.request(method, path, body=body, token=unscoped_token))


def test_an_unknown_id_is_404(api: Api) -> None:
    assert_not_found(api.request("GET", f"/v1/automations/{UNKNOWN_ID}", token=api.token))


def test_another_workspaces_automation_is_404_exactly_like_an_unknown_id(api: Api, other_token: str) -> None:
    # Given an automation in TOKEN's workspace, which TOKEN reads
    created = api.create({"name": unique("not yours")})
    assert created.status == 201, created.body
    assert api.request("GET", created.headers["location"], token=api.token).status == 200
    # When a token of another workspace reads it
    theirs = api.request("GET", created.headers["location"], token=other_token)
    # Then it is not found, in words that do not tell it exists elsewhere
    unknown = api.request("GET", f"/v1/automations/{UNKNOWN_ID}", token=other_token)
    assert_not_found(theirs)
    assert_not_found(unknown)
    assert {**theirs.body["error"], "requestId": ""} == {**unknown.body["error"], "requestId": ""}


@pytest.mark.parametrize(
    ("method", "path"),
    [("PUT", "/v1/automations/{automationId}"), ("GET", "/v1/e2e-no-such-route")],
    ids=["put", "unknown-path"],
)
def test_a_route_the_api_does_not_have_is_the_gateways_404(api: Api, method: str, path: str) -> None:
    assert f"{method} {path}" not in {route.key for route in DECLARED}
    reply = api.request(method, path.format(automationId=UNKNOWN_ID), token=api.token)
    assert reply.status == 404, reply.body
    assert reply.body == {"message": "Not Found"}
