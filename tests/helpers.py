"""Test helpers: the real handler invoked with real events, the tables of
template.yaml, and read-back of what was stored. Fixtures live in conftest.py;
everything a test imports by name lives here."""

from __future__ import annotations

import importlib
import json
import re
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from automations import idempotency, settings, store
from automations.family import RECORD
from automations.item import DELETED, from_item
from automations.routes import CREATE, EDIT, GET, LIST, READ, ROUTES, WRITE, Route
from automations_local.context import LambdaContext
from automations_local.events import http_api_event
from automations_local.template import functions

ROOT = Path(__file__).resolve().parents[1]
EVENTS = ROOT / "events"
# Each route's handler, by API Gateway's routeKey: events reach the function of
# their route, as through the gateway.
HANDLERS = {
    route.key: importlib.import_module(f"automations.routes.{route.module}").lambda_handler
    for route in ROUTES
}

# The routes whose function is deployed with the automations table, as template.yaml says.
STORING = [r for r in ROUTES if "AUTOMATIONS_TABLE" in functions()[r.function]["Environment"]["Variables"]]


@dataclass
class Tables:
    client: Any
    automations: str
    idempotency: str

    def items(self) -> list[dict[str, Any]]:
        """Every item of the automations table, in wire form."""
        return self.client.scan(TableName=self.automations, ConsistentRead=True)["Items"]

    def items_of(self, workspace: str) -> list[dict[str, Any]]:
        """The items of one workspace (a query on the partition key)."""
        answer = self.client.query(
            TableName=self.automations,
            KeyConditionExpression="workspaceId = :w",
            ExpressionAttributeValues={":w": {"S": workspace}},
            ConsistentRead=True,
        )
        items: list[dict[str, Any]] = answer["Items"]
        return items


def new_container() -> None:
    """Forget what a Lambda container makes once (settings, the store and its client,
    the idempotency layer), as a new container would start."""
    settings.get_settings.cache_clear()
    store.automation_store.cache_clear()
    idempotency._persistence.cache_clear()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def claims_for(workspace: str | None, scope: str | None = WRITE, **extra: Any) -> dict[str, Any]:
    claims: dict[str, Any] = {"sub": "user-1", "iss": "https://auth.example.com/", **extra}
    if workspace is not None:
        claims["workspace_id"] = workspace
    if scope is not None:
        claims["scope"] = scope
    return claims


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: dict[str, Any]
    raw: dict[str, Any]

    @property
    def error_code(self) -> str | None:
        return self.body.get("error", {}).get("code")

    @property
    def error_but_request_id(self) -> dict[str, Any]:
        """The error object without its ``requestId`` (different on every request)."""
        return {k: v for k, v in self.body["error"].items() if k != "requestId"}

    def problems(self) -> list[tuple[str, str]]:
        return [(p["field"], p["code"]) for p in self.body["error"]["validationErrors"]]


def invoke(event: Any) -> Answer:
    """The event through the function of its route (by ``routeKey``); an event
    that names none goes to the create function, as a direct invocation would."""
    key = event.get("routeKey") if isinstance(event, dict) else None
    raw = HANDLERS.get(key, HANDLERS[CREATE.key])(event, LambdaContext())
    headers = {name.lower(): value for name, value in (raw.get("headers") or {}).items()}
    body = json.loads(raw["body"]) if raw.get("body") else {}
    return Answer(status=raw["statusCode"], headers=headers, body=body, raw=raw)


def post(
    body: Any,
    workspace: str | None,
    *,
    scope: str | None = WRITE,
    raw: bool = False,
    **event_args: Any,
) -> Answer:
    """POST /v1/automations as ``workspace``; ``body`` is JSON-encoded unless ``raw``."""
    text = body if raw else json.dumps(body)
    return invoke(http_api_event(text, claims=claims_for(workspace, scope), **event_args))


def route_event(route: Route, claims: dict[str, Any] | None, body: Any = None) -> dict[str, Any]:
    """An event for ``route`` as API Gateway sends it, each path parameter an
    automation id that is not stored, ``body`` JSON-encoded unless None."""
    parameters = {name: "aut_01KB2X7Q9M4T6V8W0Y2Z4A6C8F" for name in re.findall(r"\{(\w+)\}", route.path)}
    return http_api_event(
        None if body is None else json.dumps(body),
        claims=claims,
        method=route.method,
        path=route.path_with(**parameters),
        route_key=route.key,
        path_parameters=parameters or None,
    )


def load_event(name: str) -> dict[str, Any]:
    return json.loads((EVENTS / name).read_text())


def call(
    route: Route, automation_id: str, workspace: str | None, *, scope: str | None = WRITE, **event_args: Any
) -> Answer:
    """``route`` of the automation ``automation_id`` as ``workspace``, as API Gateway
    sends it (no body unless ``event_args`` gives one)."""
    event_args.setdefault("body", None)
    event = http_api_event(
        claims=claims_for(workspace, scope),
        method=route.method,
        path=route.path_with(automationId=automation_id),
        route_key=route.key,
        path_parameters={"automationId": automation_id},
        **event_args,
    )
    return invoke(event)


def get(automation_id: str, workspace: str | None, *, scope: str | None = READ, **event_args: Any) -> Answer:
    """GET /v1/automations/{automation_id} as ``workspace``."""
    return call(GET, automation_id, workspace, scope=scope, **event_args)


def patch(*args: Any, **kwargs: Any) -> Answer:
    """PATCH /v1/automations/{automation_id} (``patch_event``'s arguments)."""
    return invoke(patch_event(*args, **kwargs))


def patch_event(
    automation_id: str,
    body: Any,
    workspace: str | None,
    *,
    if_match: str | None,
    scope: str | None = WRITE,
    raw: bool = False,
    headers: dict[str, str] | None = None,
) -> dict[str, Any]:
    """The event of ``patch``, as API Gateway sends it."""
    sent = {"content-type": "application/merge-patch+json", **(headers or {})}
    if if_match is not None:
        sent["if-match"] = if_match
    return http_api_event(
        body if raw else json.dumps(body),
        claims=claims_for(workspace, scope),
        headers=sent,
        method=EDIT.method,
        path=EDIT.path_with(automationId=automation_id),
        route_key=EDIT.key,
        path_parameters={"automationId": automation_id},
    )


def list_automations(workspace: str | None, query: str = "", *, scope: str | None = READ) -> Answer:
    """GET /v1/automations?<query> as ``workspace``."""
    event = http_api_event(
        None,
        claims=claims_for(workspace, scope),
        method=LIST.method,
        path=LIST.path,
        route_key=LIST.key,
        query=query,
    )
    return invoke(event)


def state_event(
    route: Route, automation_id: str, workspace: str, *, scope: str = WRITE, if_match: str | None = None
) -> dict[str, Any]:
    """The event of a route that changes one automation's state and takes no body
    (publish, versions, archive, delete), with ``If-Match`` unless None."""
    return http_api_event(
        None,
        claims=claims_for(workspace, scope),
        method=route.method,
        path=route.path_with(automationId=automation_id),
        route_key=route.key,
        path_parameters={"automationId": automation_id},
        headers={} if if_match is None else {"if-match": if_match},
    )


def automations_of(tables: Tables, workspace: str) -> dict[str, dict[str, Any]]:
    """Every automation of the workspace as stored (deleted ones included, with
    ``deleted``: True), by id; no family record."""
    return {
        item["id"]["S"]: {**from_item(item), "deleted": DELETED in item}
        for item in tables.items_of(workspace)
        if not item["id"]["S"].startswith(RECORD)
    }


def assert_family_invariants(tables: Tables, workspace: str) -> None:
    """The invariants of every family of the workspace, read back from what is
    stored: at most one DRAFT and at most one PUBLISHED that are not deleted;
    versions numbered 1, 2, 3, ... in creation order, each number once, deleted ones
    keeping theirs; the root's ``parentId`` null and every other version's the
    root's id; and the family's record, where there is one, naming exactly that
    DRAFT, that PUBLISHED and the highest number."""
    items = tables.items_of(workspace)
    records = {i["id"]["S"].removeprefix(RECORD): i for i in items if i["id"]["S"].startswith(RECORD)}
    families: dict[str, list[dict[str, Any]]] = {}
    for automation in automations_of(tables, workspace).values():
        families.setdefault(automation["parentId"] or automation["id"], []).append(automation)
    assert set(records) <= set(families), "a record of no family"
    for root, members in families.items():
        members.sort(key=lambda member: int(member["version"]))
        assert [m["version"] for m in members] == list(range(1, len(members) + 1)), members
        assert [m["createdAt"] for m in members] == sorted(m["createdAt"] for m in members), members
        assert (members[0]["id"], members[0]["parentId"]) == (root, None), members
        assert {m["parentId"] for m in members[1:]} <= {root}, members
        live = [m for m in members if not m["deleted"]]
        drafts = [m["id"] for m in live if m["status"] == "DRAFT"]
        published = [m["id"] for m in live if m["status"] == "PUBLISHED"]
        assert len(drafts) <= 1 and len(published) <= 1, members
        record = records.get(root)
        if record is None:  # never past its first draft
            assert [(m["version"], m["status"]) for m in members] == [(1, "DRAFT")], members
            continue
        named = (record.get("draft", {}).get("S"), record.get("published", {}).get("S"))
        assert named == (drafts[0] if drafts else None, published[0] if published else None), (
            record,
            members,
        )
        assert int(record["highest"]["N"]) == len(members), (record, members)
