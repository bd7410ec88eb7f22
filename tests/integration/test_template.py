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

from automations_local.template import ROOT, load_template


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


def test_the_function(template: dict[str, Any]) -> None:
    (function,) = resources_of(template, "AWS::Serverless::Function").values()
    props = function["Properties"]
    assert props["Runtime"] == "python3.13"
    assert props["Architectures"] == ["arm64"]
    assert props["Tracing"] == "Active"
    assert props["Timeout"] <= 15  # well inside API Gateway's 30 s
    assert props["LoggingConfig"]["LogFormat"] == "JSON"
    module, _, name = props["Handler"].rpartition(".")
    assert props["CodeUri"] == "src/"
    assert callable(getattr(importlib.import_module(module), name))
    env = props["Environment"]["Variables"]
    assert env["AUTOMATIONS_TABLE"] == {"Ref": "AutomationsTable"}
    assert {
        "POWERTOOLS_SERVICE_NAME",
        "POWERTOOLS_METRICS_NAMESPACE",
        "POWERTOOLS_LOG_LEVEL",
        "WORKSPACE_CLAIM",
    } <= set(env)


def test_the_function_has_least_privilege_on_its_two_tables(template: dict[str, Any]) -> None:
    (function,) = resources_of(template, "AWS::Serverless::Function").values()
    statements = [s for policy in function["Properties"]["Policies"] for s in policy["Statement"]]
    assert statements == [
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


def test_the_idempotency_table(template: dict[str, Any]) -> None:
    props = template["Resources"]["IdempotencyTable"]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expiration", "Enabled": True}
    (function,) = resources_of(template, "AWS::Serverless::Function").values()
    assert function["Properties"]["Environment"]["Variables"]["IDEMPOTENCY_TABLE"] == {
        "Ref": "IdempotencyTable"
    }


def test_the_route_needs_a_jwt_with_the_write_scope(template: dict[str, Any]) -> None:
    (api,) = resources_of(template, "AWS::Serverless::HttpApi").values()
    authorizer = api["Properties"]["Auth"]["Authorizers"]["JwtAuthorizer"]
    assert authorizer["JwtConfiguration"] == {
        "issuer": {"Ref": "JwtIssuer"},
        "audience": {"Ref": "JwtAudience"},
    }
    assert authorizer["IdentitySource"] == "$request.header.Authorization"
    (function,) = resources_of(template, "AWS::Serverless::Function").values()
    (route,) = function["Properties"]["Events"].values()
    assert route["Type"] == "HttpApi"
    assert (route["Properties"]["Method"], route["Properties"]["Path"]) == ("POST", "/v1/automations")
    assert route["Properties"]["Auth"] == {
        "Authorizer": "JwtAuthorizer",
        "AuthorizationScopes": ["write:automations"],
    }
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


def test_logs_are_kept_for_a_bounded_time(template: dict[str, Any]) -> None:
    (function,) = resources_of(template, "AWS::Serverless::Function").values()
    group = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
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
