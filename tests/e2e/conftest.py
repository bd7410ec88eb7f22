"""The end-to-end suite's fixtures: one API for the whole session (a deployed one the
environment names, or the local API started once), and the optional tokens a
deployed API may come without, each skipped with its reason when missing."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from tests.e2e.api import Api, NotConfigured, deployed, local_api


def pytest_report_header() -> str:
    names = [name for name in ("API_URL", "STACK_NAME") if os.environ.get(name)]
    return f"e2e: against {names[0]}={os.environ[names[0]]}" if names else "e2e: against the local API"


@pytest.fixture(autouse=True)
def aws_env() -> None:
    """Replaces tests/conftest.py's fake AWS credentials, for this suite only: it
    talks to an API over HTTP, and finding a stack's URL needs the caller's own."""


@pytest.fixture(scope="session")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    try:
        target = deployed(os.environ)
    except NotConfigured as problem:
        pytest.exit(f"e2e: {problem}", returncode=pytest.ExitCode.USAGE_ERROR)
    if target is not None:
        yield target
        return
    with local_api(tmp_path_factory.mktemp("e2e")) as started:
        yield started


def optional(token: str | None, api: Api, variable: str, cannot: str, holds: str) -> str:
    """A token the suite cannot mint against a deployed API: the variable's, or a skip
    that says what to set."""
    if token is None:
        pytest.skip(
            f"{variable} is not set: against {api.where} the suite cannot mint {cannot}; "
            f"set {variable} ({holds}) to run this test"
        )
    return token


@pytest.fixture
def other_token(api: Api) -> str:
    """A token for another workspace than TOKEN's."""
    return optional(
        api.other_token,
        api,
        "OTHER_TOKEN",
        "a token for a second workspace",
        "either scope, another workspace claim",
    )


@pytest.fixture
def unscoped_token(api: Api) -> str:
    """A valid token with neither of the API's scopes."""
    return optional(
        api.unscoped_token,
        api,
        "UNSCOPED_TOKEN",
        "a token without the API's scopes",
        "a valid token with neither scope",
    )


@pytest.fixture
def delete_token(api: Api) -> str:
    """A token for TOKEN's workspace with delete:automations."""
    return optional(
        api.delete_token,
        api,
        "DELETE_TOKEN",
        "a token that deletes",
        "delete:automations, TOKEN's workspace claim",
    )
