"""The deployable artifact's promises that can be checked without building it
(`make build` needs SAM CLI and Python 3.13; `make bench` measures its size)."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from automations.routes import ROUTES, Route
from automations_local import coldstart
from automations_local.template import ROOT, functions

SRC_MAKEFILE = (ROOT / "src" / "Makefile").read_text()
FUNCTIONS = functions()


@pytest.mark.parametrize("logical_id", list(FUNCTIONS))
def test_each_function_builds_wheels_for_its_runtime_and_architecture(logical_id: str) -> None:
    props = FUNCTIONS[logical_id]
    # SAM runs `make build-<logical id>` in src/: make itself says whether a rule takes it.
    dry_run = subprocess.run(
        ["make", "-n", f"build-{logical_id}", "ARTIFACTS_DIR=/nonexistent"],
        cwd=ROOT / "src",
        capture_output=True,
        text=True,
        check=False,
    )
    assert dry_run.returncode == 0, dry_run.stderr
    assert "pip install" in dry_run.stdout and "/nonexistent" in dry_run.stdout
    version = re.search(r"LAMBDA_PYTHON_VERSION := (\S+)", SRC_MAKEFILE)
    platform = re.search(r"LAMBDA_PLATFORM := (\S+)", SRC_MAKEFILE)
    assert version and platform
    assert props["Runtime"] == f"python{version[1]}"
    assert props["Architectures"] == ["arm64"] and platform[1].endswith("_aarch64")
    assert "--only-binary=:all:" in SRC_MAKEFILE  # no source builds for the wrong platform


def test_every_function_is_built_by_the_makefile_method() -> None:
    from automations_local.template import load_template

    resources = load_template()["Resources"]
    assert {name: resources[name].get("Metadata") for name in FUNCTIONS} == {
        name: {"BuildMethod": "makefile"} for name in FUNCTIONS
    }


def test_boto3_is_left_to_the_runtime() -> None:
    provided = re.search(r"RUNTIME_PROVIDED := (.+)", SRC_MAKEFILE)
    assert provided and {"boto3", "botocore"} <= set(provided[1].split())


def test_the_bytecode_list_is_what_the_functions_import() -> None:
    # Run as in Lambda (tracing on), every request kind of every route: the list must match.
    assert coldstart.LIST.read_text() == coldstart.render(), "run: python -m automations_local.coldstart"


# What each function must not load when its module is imported: its cold start.
# A name ending in ".*" stands for every submodule of that package, not the package.
NEVER = ["boto3", "s3transfer", "aws_xray_sdk.core", "aws_lambda_powertools.utilities.idempotency",
         "automations_local", "automations.answers", "aws_lambda_powertools.event_handler.openapi.models",
         "aws_lambda_powertools.event_handler.openapi.swagger_ui"]  # fmt: skip
NOT_ON_ITS_ROUTE = {
    "get": ["pydantic", "automations.models", "automations.validation"],
    # No table, no SDK: nothing of botocore but its package __init__, which Powertools
    # imports itself to register its user-agent hook (0.4 ms; no session, no client).
    "validate": ["botocore.*", "automations.store", "automations.idempotency"],
}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.module)
def test_importing_a_function_loads_nothing_its_first_request_does_not_need(route: Route) -> None:
    heavy = NEVER + NOT_ON_ITS_ROUTE.get(route.module, [])
    probe = (
        f"import sys, automations.routes.{route.module}\n"
        f"print([m for m in {heavy!r} if any(n == m or m.endswith('.*') and n.startswith(m[:-1]) for n in sys.modules)])"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"
