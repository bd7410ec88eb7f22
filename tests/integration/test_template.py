"""template.yaml says what is deployed: check the promises the issue makes of it."""

from __future__ import annotations

import importlib
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any

import pytest

from automations.routes import CREATE, GET, ROUTES
from automations_local.template import ROOT, functions, load_template, template_routes


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template()


def resources_of(template: dict[str, Any], kind: str) -> dict[str, dict[str, Any]]:
    return {k: v for k, v in template["Resources"].items() if v["Type"] == kind}


def test_cfn_lint_is_clean() -> None:
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), str(ROOT / "template.yaml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


FUNCTIONS = functions()


@pytest.mark.parametrize("logical_id", list(FUNCTIONS))
def test_each_function(logical_id: str) -> None:
    props = FUNCTIONS[logical_id]
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    assert props["Tracing"] == "Active"
    assert props["Timeout"] <= 15  # well inside API Gateway's 30 s
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    module, _, name = props["Handler"].rpartition(".")
    assert props["CodeUri"] == "src/"
    assert callable(getattr(importlib.import_module(module), name))
    env = props["Environment"]["Variables"]
    assert {
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_METRICS_NAMESPACE",
        "POWERTOOLS_LOG_LEVEL",
        "WORKSPACE_CLAIM",
    } <= set(env)


def test_the_routes_declared_in_the_code_are_the_templates() -> None:
    # A route is one fact: method, path, scopes and handler are declared once in the
    # function package; the template must say the same, and nothing more.
    declared = {(r.function, r.handler, r.method, r.path, r.scopes) for r in ROUTES}
    deployed = {(r.function, r.handler, r.method, r.path, r.scopes) for r in template_routes()}
    assert deployed == declared
    assert len(deployed) == len(template_routes())  # one route per function


def statements(logical_id: str) -> list[dict[str, Any]]:
    return [s for policy in FUNCTIONS[logical_id]["Policies"] for s in policy["Statement"]]


def test_the_create_function_may_put_and_get_automations_and_use_the_idempotency_table() -> None:
    assert statements(CREATE.function) == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:PutItem", "dynamodb:GetItem"],
            "Resource": {"Fn::GetAtt": ["AutomationsTable", "Arn"]},
        },
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:DeleteItem"],
            "Resource": {"Fn::GetAtt": ["IdempotencyTable", "Arn"]},
        },
    ]
    env = FUNCTIONS[CREATE.function]["Environment"]["Variables"]
    assert env["AUTOMATIONS_TABLE"] == {"Ref": "AutomationsTable"}
    assert env["IDEMPOTENCY_TABLE"] == {"Ref": "IdempotencyTable"}


def test_the_get_function_may_only_get_automations() -> None:
    assert statements(GET.function) == [
        {
            "Effect": "Allow",
            "Action": ["dynamodb:GetItem"],
            "Resource": {"Fn::GetAtt": ["AutomationsTable", "Arn"]},
        }
    ]
    env = FUNCTIONS[GET.function]["Environment"]["Variables"]
    assert env["AUTOMATIONS_TABLE"] == {"Ref": "AutomationsTable"}
    assert "IDEMPOTENCY_TABLE" not in env


def test_the_idempotency_table(template: dict[str, Any]) -> None:
    props = template["Resources"]["IdempotencyTable"]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}


def test_every_route_needs_a_jwt_with_its_scopes(template: dict[str, Any]) -> None:
    (api,) = resources_of(template, "AWS::Serverless::HttpApi").values()
    authorizer = api["Properties"]["Auth"]["Authorizers"]["JwtAuthorizer"]
    assert authorizer["JwtConfiguration"] == {
        "issuer": {"Ref": "JwtIssuer"},
        "audience": {"Ref": "JwtAudience"},
    }
    assert authorizer["IdentitySource"] == "$request.header.Authorization"
    for props in FUNCTIONS.values():
        for event in props["Events"].values():
            assert event["Type"] == "HttpApi"
            assert event["Properties"]["Auth"]["Authorizer"] == "JwtAuthorizer"
            assert event["Properties"]["Auth"]["AuthorizationScopes"]
    assert {"JwtIssuer", "JwtAudience"} <= set(template["Parameters"])


def test_the_table(template: dict[str, Any]) -> None:
    table = template["Resources"]["AutomationsTable"]
    assert table["Type"] == "AWS::DynamoDB::Table"
    assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"
    props = table["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [
        {"AttributeName": "workspaceId", "KeyType": "HASH"},
        {"AttributeName": "id", "KeyType": "RANGE"},
    ]
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}
    assert props["SSESpecification"] == {"SSEEnabled": True}


@pytest.mark.parametrize("logical_id", list(FUNCTIONS))
def test_logs_are_kept_for_a_bounded_time(template: dict[str, Any], logical_id: str) -> None:
    group = FUNCTIONS[logical_id]["LoggingConfig"]["LogGroup"]["Ref"]
    assert template["Resources"][group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}


def test_outputs(template: dict[str, Any]) -> None:
    assert {"ApiUrl", "AutomationsTableName"} <= set(template["Outputs"])


def _names(requirements: list[str]) -> set[str]:
    return {
        re.split(r"[\[<>=!~; ]", line.strip(), maxsplit=1)[0].lower() for line in requirements if line.strip()
    }


def test_the_build_requirements_are_the_runtime_dependencies_less_boto3() -> None:
    pyproject = tomllib.loads((ROOT / "pyproject.toml").read_text())
    declared = pyproject["project"]["dependencies"]
    built = [
        line
        for line in (ROOT / "src" / "requirements.txt").read_text().splitlines()
        if not line.startswith("#")
    ]
    assert sorted(built) == sorted(d for d in declared if not d.startswith("boto3"))
    assert "boto3" not in _names(built)  # the Lambda runtime provides it
