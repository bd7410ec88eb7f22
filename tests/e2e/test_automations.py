"""Create, read back and replay, end to end: what a client of the deployed API does
first, over HTTP, through the gateway's authorizer, the functions and the table."""

from __future__ import annotations

from typing import Any

from tests.e2e.api import Api, Reply, unique


def welcome_series(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "description": "Greets new subscribers (end-to-end suite)",
        "trigger": {"type": "contact.subscribed", "config": {"listIds": ["lst_e2e"]}},
        "nodes": [
            {"id": "start", "type": "contact-subscribed", "position": {"x": 250.5, "y": 0}},
            {
                "id": "mail",
                "type": "send-email",
                "position": {"x": 250, "y": 120},
                "data": {"templateId": "t"},
            },
        ],
        "edges": [{"id": "e1", "source": "start", "target": "mail"}],
    }


def assert_created(reply: Reply, name: str) -> None:
    assert reply.status == 201, reply.body
    assert reply.headers["content-type"] == "application/json"
    assert reply.headers["location"] == f"/v1/automations/{reply.body['id']}"
    assert reply.body["object"] == "automation"
    assert reply.body["id"].startswith("aut_")
    assert (reply.body["name"], reply.body["status"], reply.body["version"]) == (name, "DRAFT", 1)


def test_a_created_automation_reads_back_at_its_location_as_the_very_same_object(api: Api) -> None:
    # Given an automation created with a write token
    name = unique("welcome series")
    created = api.create(welcome_series(name))
    assert_created(created, name)
    # When its Location is read, right away, with the write token and with a read-only one
    read = api.request("GET", created.headers["location"], token=api.token)
    read_only = api.request("GET", created.headers["location"], token=api.read_token)
    # Then both answer the object the create answered: same keys, same order, same values
    for reply in (read, read_only):
        assert reply.status == 200, reply.body
        assert reply.body == created.body
        assert list(reply.body) == list(created.body)
        assert reply.headers["x-request-id"]


def test_the_same_idempotency_key_and_body_replay_the_first_answer(api: Api) -> None:
    # Given a create sent with an Idempotency-Key
    key, name = unique("key"), unique("replayed")
    first = api.create(welcome_series(name), idempotency_key=key)
    assert_created(first, name)
    assert first.headers.get("idempotent-replayed") != "true"
    # When the very same request is sent again
    again = api.create(welcome_series(name), idempotency_key=key)
    # Then it answers the same 201, marked as a replay, for the same automation
    assert again.status == 201, again.body
    assert again.headers.get("idempotent-replayed") == "true"
    assert again.body == first.body
    assert again.headers["location"] == first.headers["location"]
    assert api.request("GET", first.headers["location"], token=api.token).body == first.body


def test_the_same_idempotency_key_with_another_body_is_422(api: Api) -> None:
    # Given a key already used for one create
    key = unique("key")
    assert api.create(welcome_series(unique("first")), idempotency_key=key).status == 201
    # When it comes back with another body
    reused = api.create(welcome_series(unique("second")), idempotency_key=key)
    # Then the create is refused and names why
    assert reused.status == 422, reused.body
    assert reused.body["error"]["type"] == "idempotency_error"
    assert reused.error_code() == "idempotency_key_reused"
