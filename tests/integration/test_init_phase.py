"""What a function does in Lambda's init phase, at import: the functions that use
storage make their DynamoDB client there (store.make_at_init says why); outside
Lambda, or without their table setting, they leave it to the first request."""

from __future__ import annotations

import subprocess
import sys

import pytest

from automations.routes import CREATE, GET, Route
from automations_local.template import ROOT

PROBE = """
import automations.routes.{module}
from automations import store
made = store.automation_store.cache_info().currsize == 1
print(made and store.automation_store()._client is not None)
"""
CREDENTIALS = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}


def imported(route: Route, **environ: str) -> str:
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src"), **CREDENTIALS, **environ}
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(module=route.module)], env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.parametrize("route", [CREATE, GET], ids=lambda r: r.module)
def test_in_lambda_the_client_is_made_at_import(route: Route) -> None:
    # Given Lambda's environment with the function's table
    # When its module is imported (the init phase)
    # Then its store and client exist before any request
    assert imported(route, LAMBDA_TASK_ROOT=str(ROOT / "src"), AUTOMATIONS_TABLE="t") == "True"


@pytest.mark.parametrize("route", [CREATE, GET], ids=lambda r: r.module)
def test_outside_lambda_or_without_a_table_the_first_request_makes_it(route: Route) -> None:
    assert imported(route, AUTOMATIONS_TABLE="t") == "False"
    # A function deployed without its table still imports; its requests answer the fault
    assert imported(route, LAMBDA_TASK_ROOT=str(ROOT / "src")) == "False"
