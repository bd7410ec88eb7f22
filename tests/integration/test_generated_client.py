"""A client generated from the committed OpenAPI document by openapi-python-client,
as a user of the API would make one: it passes ``mypy --strict``, has one class for
every error a function answers, and works against `make run`'s server (started as
``test_local_server`` starts it: a child process, real RS256 tokens).

Each route is driven through the client by one entry of ``DRIVES``, keyed by its
operationId: a new route fails ``test_every_route_is_driven`` until it has one.
"""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from automations.routes import (
    ARCHIVE,
    CREATE,
    DELETE,
    DELETION,
    EDIT,
    GET,
    LIST,
    PUBLISH,
    READ,
    ROUTES,
    VALIDATE,
    VERSIONS,
    WRITE,
)
from automations_local.openapi import DOCUMENT
from tests.integration.test_local_server import RunningApi, running_server

PACKAGE = "automations_client"
# The generator's client.py passes ``*args: object`` on to httpx's ``__exit__``, which
# mypy --strict refuses (arg-type): a line of the generator's own template, the same
# for every document, so that one check is left out for that one module.
MYPY_CONFIG = f"""[mypy]
strict = True
[mypy-{PACKAGE}.client]
disable_error_code = arg-type
"""


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The client package, generated into a directory of its own; that directory."""
    where = tmp_path_factory.mktemp("client")
    (where / "config.yaml").write_text("post_hooks: []\n")  # no formatting: nobody reads it
    subprocess.run(
        [
            str(Path(sys.executable).with_name("openapi-python-client")),
            "generate",
            "--path", str(DOCUMENT),
            "--output-path", str(where / PACKAGE),
            "--meta", "none",
            "--config", str(where / "config.yaml"),
        ],
        cwd=where, check=True, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    return where


@pytest.fixture(scope="module")
def client_package(generated: Path) -> Iterator[ModuleType]:
    sys.path.insert(0, str(generated))
    try:
        yield importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(generated))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


@pytest.fixture(scope="module")
def local_api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApi]:
    with running_server(tmp_path_factory.mktemp("jwt") / "dev-key.pem") as api:
        yield api


def test_the_generated_client_passes_mypy_strict(generated: Path) -> None:
    (generated / "mypy.ini").write_text(MYPY_CONFIG)
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--config-file", "mypy.ini", "--cache-dir", ".mypy_cache", "-p", PACKAGE],
        cwd=generated, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_has_one_error_class_and_no_class_of_a_route_and_status(generated: Path) -> None:
    models = {path.stem for path in (generated / PACKAGE / "models").glob("*.py")}
    assert {"error_envelope", "error_detail", "gateway_message"} <= models
    assert [name for name in models if re.search(r"_response_\d{3}", name)] == []


@dataclass
class Session:
    """What the drives share: the generated package, the running API, and a client
    for each token they need."""

    package: ModuleType
    api: RunningApi
    workspace: str
    created: Any = None  # the Automation the create answered: version 1 of its family
    etag: str = ""  # version 1's ETag, as the last change of it answered
    next_version: Any = None  # the DRAFT the versions route answered: version 2

    def client(self, scopes: str = f"{READ} {WRITE}", workspace: str | None = "") -> Any:
        token = self.api.token(scopes=scopes, workspace=self.workspace if workspace == "" else workspace)
        return self.package.AuthenticatedClient(base_url=self.api.url, token=token)

    def call(self, operation: str, *args: Any, client: Any = None, **kwargs: Any) -> Any:
        """``operation``'s ``sync_detailed`` in the generated package (its module is
        the operationId in snake case)."""
        module_name = re.sub(r"(?<!^)(?=[A-Z])", "_", operation).lower()
        module = importlib.import_module(f"{PACKAGE}.api.default.{module_name}")
        return module.sync_detailed(*args, client=client or self.client(), **kwargs)

    def model(self, name: str) -> Any:
        return getattr(importlib.import_module(f"{PACKAGE}.models"), name)

    def error(self, answer: Any, status: int, code: str) -> None:
        """``answer`` is the function's envelope, parsed into the one error class."""
        assert answer.status_code == status, answer.content
        assert isinstance(answer.parsed, self.model("ErrorEnvelope")), answer.content
        assert answer.parsed.error.code == code


def drive_create(s: Session) -> None:
    body = s.model("NewAutomation").from_dict(
        {"name": "Welcome", "nodes": [{"id": "start", "type": "event", "position": {"x": 1.5, "y": 0}}]}
    )
    answer = s.call(CREATE.operation, body=body, idempotency_key="generated-client")
    assert answer.status_code == 201, answer.content
    created = answer.parsed
    assert isinstance(created, s.model("Automation"))
    assert (created.name, created.status.value, created.nodes[0].id) == ("Welcome", "DRAFT", "start")
    assert isinstance(created.created_at, datetime) and created.created_at.tzinfo is not None
    assert answer.headers["location"] == f"/v1/automations/{created.id}"
    s.created, s.etag = created, answer.headers["etag"]
    # Its refusals: the function's envelope, and the gateway's own message
    s.error(
        s.call(CREATE.operation, body=s.model("NewAutomation").from_dict({"name": " "})),
        422,
        "validation_failed",
    )
    s.error(s.call(CREATE.operation, body=body, client=s.client(workspace=None)), 403, "workspace_required")
    refused = s.call(CREATE.operation, body=body, client=s.client(scopes=READ))
    assert refused.status_code == 403 and isinstance(refused.parsed, s.model("GatewayMessage"))


def drive_get(s: Session) -> None:
    answer = s.call(GET.operation, s.created.id)
    assert answer.status_code == 200, answer.content
    assert answer.parsed.to_dict() == s.created.to_dict()
    s.error(s.call(GET.operation, "aut_00000000000000000000000000"), 404, "automation_not_found")
    unauthenticated = s.package.Client(base_url=s.api.url)
    answer = s.call(GET.operation, s.created.id, client=unauthenticated)
    assert answer.status_code == 401 and isinstance(answer.parsed, s.model("GatewayMessage"))


def drive_validate(s: Session) -> None:
    body = s.model("NewAutomation").from_dict(
        {
            "name": "x",
            "nodes": [{"id": "a", "type": "event"}],
            "edges": [{"id": "e", "source": "a", "target": "b"}],
        }
    )
    answer = s.call(VALIDATE.operation, body=body, client=s.client(scopes=READ))
    assert answer.status_code == 200, answer.content
    assert isinstance(answer.parsed, s.model("AutomationValidation"))
    assert (answer.parsed.valid, [e.code for e in answer.parsed.errors]) == (False, ["unknown_node"])


def drive_list(s: Session) -> None:
    answer = s.call(LIST.operation, status="DRAFT", limit="100", client=s.client(scopes=READ))
    assert answer.status_code == 200, answer.content
    assert isinstance(answer.parsed, s.model("AutomationList"))
    assert [a.id for a in answer.parsed.data] == [s.created.id]
    assert (answer.parsed.has_more, answer.parsed.next_cursor) == (False, None)
    s.error(s.call(LIST.operation, limit="1000"), 400, "invalid_parameter")


# What the edit makes of the draft: a graph with nothing between it and publishing.
PUBLISHABLE = {
    "nodes": [
        {"id": "start", "type": "contact-subscribed"},
        {"id": "hello", "type": "send-email", "data": {"templateId": "tpl_hello"}},
    ],
    "edges": [{"id": "e1", "source": "start", "target": "hello"}],
}


def drive_edit(s: Session) -> None:
    patch = s.model("AutomationPatch").from_dict(PUBLISHABLE)
    s.error(s.call(EDIT.operation, s.created.id, body=patch, if_match='"stale"'), 412, "precondition_failed")
    answer = s.call(EDIT.operation, s.created.id, body=patch, if_match=s.etag)
    assert answer.status_code == 200, answer.content
    edited = answer.parsed
    assert isinstance(edited, s.model("Automation"))
    assert ([n.id for n in edited.nodes], edited.name, edited.status.value) == (
        ["start", "hello"],
        "Welcome",
        "DRAFT",
    )
    assert answer.headers["etag"] != s.etag
    s.created, s.etag = edited, answer.headers["etag"]


def drive_publish(s: Session) -> None:
    stale = s.call(PUBLISH.operation, s.created.id, if_match='"stale"')
    s.error(stale, 412, "precondition_failed")
    answer = s.call(PUBLISH.operation, s.created.id, if_match=s.etag)
    assert answer.status_code == 200, answer.content
    published = answer.parsed
    assert isinstance(published, s.model("Automation"))
    assert (published.id, published.status.value, published.version) == (s.created.id, "PUBLISHED", 1)
    assert isinstance(published.published_at, datetime)
    again = s.call(PUBLISH.operation, s.created.id)  # already published: unchanged
    assert again.status_code == 200 and again.parsed.to_dict() == published.to_dict()
    s.created, s.etag = published, answer.headers["etag"]


def drive_versions(s: Session) -> None:
    answer = s.call(VERSIONS.operation, s.created.id)
    assert answer.status_code == 201, answer.content
    draft = answer.parsed
    assert isinstance(draft, s.model("Automation"))
    assert (draft.status.value, draft.version, draft.parent_id) == ("DRAFT", 2, s.created.id)
    assert answer.headers["location"] == f"/v1/automations/{draft.id}"
    s.next_version = draft
    # The family has a draft: a second is refused, naming it
    refused = s.call(VERSIONS.operation, s.created.id)
    s.error(refused, 409, "draft_exists")
    assert refused.headers["location"] == f"/v1/automations/{draft.id}"


def drive_archive(s: Session) -> None:
    s.error(s.call(ARCHIVE.operation, s.next_version.id), 409, "automation_not_published")
    answer = s.call(ARCHIVE.operation, s.created.id, if_match=s.etag)
    assert answer.status_code == 200, answer.content
    archived = answer.parsed
    assert isinstance(archived, s.model("Automation"))
    assert (archived.id, archived.status.value) == (s.created.id, "ARCHIVED")
    s.created, s.etag = archived, answer.headers["etag"]


def drive_delete(s: Session) -> None:
    # A token with write:automations alone is the gateway's 403
    refused = s.call(DELETION.operation, s.created.id)
    assert refused.status_code == 403 and isinstance(refused.parsed, s.model("GatewayMessage"))
    deleter = s.client(scopes=DELETE)
    for automation in (s.created, s.next_version):  # ARCHIVED version 1, DRAFT version 2
        answer = s.call(DELETION.operation, automation.id, client=deleter)
        assert (answer.status_code, answer.content) == (204, b""), answer.content
        s.error(s.call(GET.operation, automation.id), 404, "automation_not_found")
    s.error(s.call(DELETION.operation, s.created.id, client=deleter), 404, "automation_not_found")
    listed = s.call(LIST.operation)
    assert listed.status_code == 200 and listed.parsed.data == []


# operationId -> how the generated client drives it; in this order, sharing a Session.
DRIVES: dict[str, Callable[[Session], None]] = {
    CREATE.operation: drive_create,
    GET.operation: drive_get,
    VALIDATE.operation: drive_validate,
    LIST.operation: drive_list,
    EDIT.operation: drive_edit,
    PUBLISH.operation: drive_publish,
    VERSIONS.operation: drive_versions,
    ARCHIVE.operation: drive_archive,
    DELETION.operation: drive_delete,
}


def test_every_route_is_driven() -> None:
    assert set(DRIVES) == {route.operation for route in ROUTES}


def test_the_generated_client_drives_every_route_through_the_local_api(
    client_package: ModuleType, local_api: RunningApi
) -> None:
    session = Session(client_package, local_api, workspace="ws_generated_client")
    for drive in DRIVES.values():
        drive(session)
