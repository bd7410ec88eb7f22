"""The deployable artifact's promises that can be checked without building it
(`make build` needs SAM CLI and Python 3.13; `make bench` measures its size)."""

from __future__ import annotations

import re
import subprocess
import sys
from typing import Any

import pytest

from automations_local import coldstart
from automations_local.template import ROOT, load_template

SRC_MAKEFILE = (ROOT / "src" / "Makefile").read_text()


@pytest.fixture(scope="module")
def function() -> dict[str, Any]:
    resource: dict[str, Any] = load_template()["Resources"]["CreateAutomationFunction"]
    return resource


def test_the_build_resolves_wheels_for_the_functions_runtime_and_architecture(
    function: dict[str, Any],
) -> None:
    assert function["Metadata"] == {"BuildMethod": "makefile"}
    assert "build-CreateAutomationFunction:" in SRC_MAKEFILE
    version = re.search(r"LAMBDA_PYTHON_VERSION := (\S+)", SRC_MAKEFILE)
    platform = re.search(r"LAMBDA_PLATFORM := (\S+)", SRC_MAKEFILE)
    assert version and platform
    assert function["Properties"]["Runtime"] == f"python{version[1]}"
    assert function["Properties"]["Architectures"] == ["arm64"] and platform[1].endswith("_aarch64")
    assert "--only-binary=:all:" in SRC_MAKEFILE  # no source builds for the wrong platform


def test_boto3_is_left_to_the_runtime() -> None:
    provided = re.search(r"RUNTIME_PROVIDED := (.+)", SRC_MAKEFILE)
    assert provided and {"boto3", "botocore"} <= set(provided[1].split())


def test_the_bytecode_list_is_what_the_function_imports() -> None:
    # Run as in Lambda (tracing on), every request kind: the list must match.
    assert coldstart.LIST.read_text() == coldstart.render(), "run: python -m automations_local.coldstart"


def test_importing_the_handler_loads_nothing_the_first_request_does_not_need() -> None:
    probe = (
        "import sys, automations.handler\n"
        "heavy = ['boto3', 's3transfer', 'aws_xray_sdk.core', 'aws_lambda_powertools.utilities.idempotency', 'automations_local']\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"
