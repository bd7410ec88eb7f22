"""The local gateway builds events as API Gateway's HTTP API does."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from automations_local.gateway import HttpRequest, build_event, from_lambda, render_claim


def request(body: bytes = b"", content_type: str | None = "application/json", **kwargs: Any) -> HttpRequest:
    headers = [("Content-Type", content_type)] if content_type else []
    headers += kwargs.pop("headers", [])
    return HttpRequest(
        method="POST", path="/v1/automations", query=kwargs.pop("query", ""), headers=headers, body=body
    )


@pytest.mark.parametrize(
    ("value", "rendered"),
    [
        ("ws_1", "ws_1"),
        (1795702452, "1795702452"),
        (True, "true"),
        (["a", "b"], "[a b]"),
        ({"k": "v"}, "map[k:v]"),
    ],
)
def test_claims_are_rendered_as_strings_like_the_jwt_authorizer(value: Any, rendered: str) -> None:
    assert render_claim(value) == rendered


def test_the_event_has_the_payload_2_shape() -> None:
    event = build_event(
        request(
            b'{"name":"x"}',
            headers=[("X-Custom", "a"), ("x-custom", "b"), ("Cookie", "a=1; b=2")],
            query="x=1&x=2&y=",
        ),
        {"sub": "u", "scope": "read:automations write:automations", "exp": 5},
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
    event = build_event(request(b'{"name":"x"}', content_type), {"sub": "u"})
    assert event["isBase64Encoded"] is encoded
    body = base64.b64decode(event["body"]) if encoded else event["body"].encode()
    assert body == b'{"name":"x"}'


def test_no_body_means_no_body_key() -> None:
    assert "body" not in build_event(request(b""), {"sub": "u"})


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
