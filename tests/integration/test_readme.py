"""What the README shows a client receiving is what `make run`'s gateway answers."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from automations.routes import CREATE, READ
from tests.integration.test_local_server import RunningApi, create, running_server

ROOT = Path(__file__).resolve().parents[2]


def shown() -> list[tuple[str, int, str, dict[str, str]]]:
    """The README's refusals: (who calls, status, WWW-Authenticate, body)."""
    block = re.search(r"```text\n(POST .*?)```", (ROOT / "README.md").read_text(), re.DOTALL)
    assert block, "the README shows no refusal"
    found = []
    for case in block[1].strip().split("\n\n"):
        who, answer, body = case.splitlines()
        status, _, challenge = answer.partition(" WWW-Authenticate: ")
        found.append((who, int(status), challenge, json.loads(body)))
    return found


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningApi]:
    with running_server(tmp_path_factory.mktemp("jwt") / "dev-key.pem") as running:
        yield running


def test_the_readme_shows_what_the_local_gateway_answers(api: RunningApi) -> None:
    cases = shown()
    assert len(cases) == 2
    for who, status, challenge, body in cases:
        assert who.startswith(f"{CREATE.method} {CREATE.path} with ")
        token = api.token(scopes=READ) if "read:automations only" in who else None
        reply = create(api, token, {"name": "README"})
        assert (reply.status, reply.headers["www-authenticate"], reply.body) == (status, challenge, body)
