"""The local gateway routes, builds events and answers as API Gateway's HTTP API does."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from automations.routes import READ, WRITE
from automations_local import gateway, server, tokens
from automations_local.events import render_claim
from automations_local.gateway import Gateway, HttpRequest, build_event, from_lambda
from automations_local.template import TemplateRoute, template_routes

# Lambda's own figure: "Response payload size exceeded maximum allowed payload size (6291556 bytes)".
LAMBDA_LIMIT = 6_291_556
ROUTES = {route.key: route for route in template_routes()}
CREATE = ROUTES["POST /v1/automations"]
GET = ROUTES["GET /v1/automations/{automationId}"]


def request(
    body: bytes = b"",
    content_type: str | None = "application/json",
    method: str = "POST",
    path: str = "/v1/automations",
    **kwargs: Any,
) -> HttpRequest:
    headers = [("Content-Type", content_type)] if content_type else []
    headers += kwargs.pop("headers", [])
    return HttpRequest(method=method, path=path, query=kwargs.pop("query", ""), headers=headers, body=body)


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ("ws_1", "ws_1"),
        (1795702452, "1795702452"),
        (True, "true"),
        (["a", "b"], "[a b]"),
        ({"k": "v"}, "map[k:v]"),
        ({"k": "v", "n": [1, True, {"x": None}], "e": []}, "map[k:v n:[1 true map[x:null]] e:[]]"),
    ],
)
def test_claims_are_rendered_as_strings_like_the_jwt_authorizer(value: Any, rendered: str) -> None:
    assert render_claim(value) == rendered


def test_a_claim_nested_past_the_recursion_limit_is_rendered() -> None:
    # Given an array claim nested far deeper than Python's recursion limit
    value: Any = "x"
    for _ in range(20_000):
        value = [value]
    # When it is rendered, Then it is rendered whole, with no RecursionError
    assert render_claim(value) == "[" * 20_000 + "x" + "]" * 20_000


def _token_with_header(header: dict[str, Any]) -> str:
    def part(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    return f"{part(json.dumps(header).encode())}.{part(b'{}')}.{part(b'sig')}"


@pytest.mark.parametrize(
    "header",
    [
        {"kid": tokens.KEY_ID, "alg": "RS256", "crit": ["x\r\nX-Injected: yes\r\n\r\nHTTP/1.1 200 OK"]},
        {"kid": tokens.KEY_ID, "alg": "none\r\nX-Injected: yes"},
        {"kid": "\r\nX-Injected: yes", "alg": "RS256"},
    ],
    ids=["crit", "alg", "kid"],
)
def test_a_refused_token_never_puts_its_own_text_in_the_challenge(header: dict[str, Any]) -> None:
    # Given a token whose unverified header holds CR LF and a second answer
    # When the authorizer refuses it
    with pytest.raises(tokens.Rejected) as refused:
        tokens.verify(f"Bearer {_token_with_header(header)}", [])
    # Then the challenge is one header line in the authorizer's own words
    challenge = refused.value.www_authenticate
    assert refused.value.status == 401
    assert challenge.isprintable() and "Injected" not in challenge
    assert challenge.startswith('Bearer scope="" error="invalid_token" error_description="')


def test_the_event_has_the_payload_2_shape() -> None:
    event = build_event(
        request(
            b'{"name":"x"}',
            headers=[("X-Custom", "a"), ("x-custom", "b"), ("Cookie", "a=1; b=2")],
            query="x=1&x=2&y=",
        ),
        {"sub": "u", "scope": "read:automations write:automations", "exp": 5},
        CREATE,
    )
    assert event["version"] == "2.0"
    assert event["routeKey"] == "POST /v1/automations"
    assert event["headers"]["content-type"] == "application/json"
    assert event["headers"]["x-custom"] == "a,b"
    assert event["cookies"] == ["a=1", "b=2"]
    assert event["rawQueryString"] == "x=1&x=2&y="
    assert event["queryStringParameters"] == {"x": "1,2", "y": ""}
    assert event["body"] == '{"name":"x"}' and event["isBase64Encoded"] is False
    jwt = event["requestContext"]["authorizer"]["jwt"]
    assert jwt["claims"] == {"sub": "u", "scope": "read:automations write:automations", "exp": "5"}
    assert jwt["scopes"] == ["read:automations", "write:automations"]
    assert event["requestContext"]["requestId"]
    assert event["requestContext"]["stage"] == "$default"


@pytest.mark.parametrize(
    ("content_type", "encoded"),
    [
        ("application/json", False),
        ("text/plain", False),
        ("application/vnd.api+json", False),
        (None, False),
        ("application/octet-stream", True),
        ("image/png", True),
    ],
)
def test_bodies_are_base64_encoded_unless_text(content_type: str | None, encoded: bool) -> None:
    event = build_event(request(b'{"name":"x"}', content_type), {"sub": "u"}, CREATE)
    assert event["isBase64Encoded"] is encoded
    body = base64.b64decode(event["body"]) if encoded else event["body"].encode()
    assert body == b'{"name":"x"}'


def test_no_body_means_no_body_key() -> None:
    assert "body" not in build_event(request(b""), {"sub": "u"}, CREATE)


@pytest.mark.parametrize(
    ("method", "path", "route", "parameters"),
    [
        ("POST", "/v1/automations", "POST /v1/automations", {}),
        ("GET", "/v1/automations/aut_1", "GET /v1/automations/{automationId}", {"automationId": "aut_1"}),
        ("GET", "/v1/automations/a%20b%2Fc", "GET /v1/automations/{automationId}", {"automationId": "a b/c"}),
        ("GET", "/v1/automations/a/b", None, None),
        ("GET", "/v1/automations", "GET /v1/automations", {}),
        (
            "DELETE",
            "/v1/automations/aut_1",
            "DELETE /v1/automations/{automationId}",
            {"automationId": "aut_1"},
        ),
        (
            "POST",
            "/v1/automations/aut_1/publish",
            "POST /v1/automations/{automationId}/publish",
            {"automationId": "aut_1"},
        ),
        ("PUT", "/v1/automations/aut_1", None, None),
        ("POST", "/v1/automations/", None, None),
    ],
)
def test_requests_take_the_template_route_they_match(
    method: str, path: str, route: str | None, parameters: dict[str, str] | None
) -> None:
    found = Gateway(template_routes(), lambda r, e, c: {}).route_for(method, path)
    if route is None:
        assert found is None
    else:
        assert found is not None
        assert (found[0].key, found[1]) == (route, parameters)


def test_a_get_event_carries_its_route_key_and_decoded_path_parameters() -> None:
    event = build_event(
        request(b"", None, method="GET", path="/v1/automations/aut%5F1"),
        {"sub": "u"},
        GET,
        {"automationId": "aut_1"},
    )
    assert event["routeKey"] == "GET /v1/automations/{automationId}"
    assert event["rawPath"] == event["requestContext"]["http"]["path"] == "/v1/automations/aut_1"
    assert event["pathParameters"] == {"automationId": "aut_1"}
    assert "content-type" not in event["headers"]  # nothing the client did not send
    assert "body" not in event


def test_lambda_responses_become_http() -> None:
    response = from_lambda(
        {
            "statusCode": 201,
            "headers": {"Location": "/v1/automations/a"},
            "body": json.dumps({"ok": True}),
            "isBase64Encoded": False,
        },
        "rid",
    )
    assert response.status == 201
    assert ("location", "/v1/automations/a") in response.headers
    assert ("apigw-requestid", "rid") in response.headers
    assert json.loads(response.body) == {"ok": True}


def _answer_of(result: Any, monkeypatch: pytest.MonkeyPatch) -> gateway.HttpResponse:
    """The gateway's answer when the function returns ``result`` (the authorizer lets the call through)."""
    monkeypatch.setattr(
        gateway, "verify", lambda authorization, scopes: {"sub": "u", "scope": "write:automations"}
    )

    def function(route: TemplateRoute, event: dict[str, Any], context: Any) -> Any:
        return result

    return Gateway([CREATE], function).handle(request(b'{"name":"x"}'))


def _response_of_size(size: int, character: str = "x") -> dict[str, Any]:
    """The smallest payload-2.0 response, its body ``character`` repeated, whose JSON is at
    least ``size`` bytes as Lambda serialises it (a quote costs two: ``\\"``)."""
    empty = {"statusCode": 200, "headers": {"content-type": "text/plain"}, "body": ""}
    each = len(json.dumps(character)) - 2
    return {**empty, "body": character * -(-(size - len(json.dumps(empty))) // each)}


def test_a_response_at_lambdas_limit_reaches_the_client(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function whose response serialises to exactly Lambda's limit
    result = _response_of_size(LAMBDA_LIMIT)
    assert len(json.dumps(result).encode()) == LAMBDA_LIMIT
    # When it goes through the gateway, Then the client gets it whole
    answer = _answer_of(result, monkeypatch)
    assert answer.status == 200
    assert answer.body == result["body"].encode()


@pytest.mark.parametrize("character", ["x", '"'], ids=["plain", "escaped-in-json"])
def test_a_response_over_lambdas_limit_is_the_http_apis_500(
    character: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given a response just over the limit as Lambda measures it, the whole response as JSON,
    # though its body alone is under it (by half, when every character is a quote)
    result = _response_of_size(LAMBDA_LIMIT + 1, character)
    assert LAMBDA_LIMIT < len(json.dumps(result).encode()) <= LAMBDA_LIMIT + 2
    assert len(result["body"]) < LAMBDA_LIMIT
    # When it goes through the gateway, Then the client gets what an HTTP API answers a
    # function error with, not the body
    answer = _answer_of(result, monkeypatch)
    assert answer.status == 500
    assert json.loads(answer.body) == {"message": "Internal Server Error"}
    assert ("content-type", "application/json") in answer.headers
    assert any(name == "apigw-requestid" for name, _ in answer.headers)


def test_a_response_lambda_cannot_serialise_is_the_http_apis_500(monkeypatch: pytest.MonkeyPatch) -> None:
    # Given a function returning what is not JSON (Lambda: Runtime.MarshalError)
    answer = _answer_of({"statusCode": 200, "body": object()}, monkeypatch)
    # Then the client gets the gateway's 500, and the server thread does not crash on it
    assert (answer.status, json.loads(answer.body)) == (500, {"message": "Internal Server Error"})


@pytest.mark.parametrize("value", ["0", "-1", "nan", "abc"])
def test_make_run_refuses_an_idle_timeout_that_is_not_a_positive_number(
    value: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # 0 would make every socket non-blocking: each connection closed with no answer
    with pytest.raises(SystemExit) as exited:
        server.main(["--idle-timeout", value, "--port", "0"])
    assert exited.value.code == 2
    assert "--idle-timeout" in capsys.readouterr().err


def _passed_on(request: HttpRequest) -> tuple[int, list[dict[str, Any]]]:
    """The gateway's status for ``request`` and the events it passed to the function."""
    events: list[dict[str, Any]] = []

    def invoke(route: TemplateRoute, event: dict[str, Any], context: Any) -> dict[str, Any]:
        events.append(event)
        return {"statusCode": 201, "body": "{}"}

    return Gateway(template_routes(), invoke).handle(request).status, events


def test_a_scope_split_by_a_no_break_space_grants_neither_scope() -> None:
    # Given a token whose scope claim joins two names with a no-break space, not a space
    token = tokens.issue(scopes=f"{READ}\u00a0{WRITE}")
    # When it asks for the create, whose scope is one of the two names
    status, events = _passed_on(request(b"{}", headers=[("Authorization", f"Bearer {token}")]))
    # Then the authorizer reads one name, no scope of the route: 403, as the function would
    assert (status, events) == (403, [])
    assert tokens.token_scopes({"scope": f"{READ}\u00a0{WRITE}"}) == [f"{READ}\u00a0{WRITE}"]
    assert tokens.token_scopes({"scope": f" {READ}  {WRITE} "}) == [READ, WRITE]


@pytest.mark.parametrize(
    "values",
    [["Bearer {t}", "Bearer {t}"], ["Bearer {t}", ""], ["Bearer {t}", "Bearer other"], ["Bearer {t},"]],
    ids=["the-same-token-twice", "a-second-empty-header", "a-second-token", "a-trailing-comma"],
)
def test_two_authorization_headers_are_401_before_the_function(values: list[str]) -> None:
    # Given a valid token, sent with a second Authorization header (or with what joining adds)
    token = tokens.issue()
    headers = [("Authorization", value.format(t=token)) for value in values]
    # When the create is asked for
    status, events = _passed_on(request(b"{}", headers=headers))
    # Then the authorizer refuses it, and the function never runs
    assert (status, events) == (401, [])


def test_one_authorization_header_with_the_token_reaches_the_function() -> None:
    status, events = _passed_on(request(b"{}", headers=[("Authorization", f"Bearer {tokens.issue()}")]))
    assert (status, len(events)) == (201, 1)
