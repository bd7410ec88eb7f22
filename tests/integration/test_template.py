"""template.yaml says what is deployed: check the promises the issue makes of it."""

from __future__ import annotations

import importlib
import io
import json
import re
import subprocess
import sys
import tomllib
from pathlib import Path
from typing import Any
from unittest import mock

import pytest

from automations.routes import CREATE, ROUTES, TABLES, Route
from automations.routes import create as create_route
from automations_local import coldstart, stack
from automations_local.bench.environment import _NO_VALUE, _condition, _resolve
from automations_local.template import ROOT, functions, load_template, sam_transform, template_routes
from tests.helpers import Tables, post


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
    functions = [r.function for r in template_routes()]
    assert len(set(functions)) == len(functions) == len(deployed)  # one route per function


def statements(logical_id: str) -> list[dict[str, Any]]:
    return [s for policy in FUNCTIONS[logical_id].get("Policies", []) for s in policy["Statement"]]


# What each route's function may do, as the contract's routes table says
# ("function may"): table -> actions. A route missing here fails the test below.
MAY = {
    "create": {
        "AutomationsTable": {"dynamodb:PutItem", "dynamodb:GetItem"},
        "IdempotencyTable": {
            "dynamodb:GetItem",
            "dynamodb:PutItem",
            "dynamodb:UpdateItem",
            "dynamodb:DeleteItem",
        },
    },
    "get": {"AutomationsTable": {"dynamodb:GetItem"}},
    "validate": {},
    "edit": {"AutomationsTable": {"dynamodb:GetItem", "dynamodb:UpdateItem"}},
    "list": {"AutomationsTable": {"dynamodb:Query"}},
    "publish": {"AutomationsTable": {"dynamodb:GetItem", "dynamodb:UpdateItem"}},
    "versions": {"AutomationsTable": {"dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem"}},
    "archive": {"AutomationsTable": {"dynamodb:GetItem", "dynamodb:UpdateItem"}},
    "delete": {"AutomationsTable": {"dynamodb:GetItem", "dynamodb:UpdateItem"}},
}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.module)
def test_each_function_may_do_only_what_its_route_needs(route: Route) -> None:
    allowed: dict[str, set[str]] = {}
    for statement in statements(route.function):
        assert statement["Effect"] == "Allow"
        table = statement["Resource"]["Fn::GetAtt"][0]
        assert statement["Resource"] == {"Fn::GetAtt": [table, "Arn"]}  # the table, never its indexes or *
        allowed.setdefault(table, set()).update(statement["Action"])
    assert allowed == MAY[route.module]
    # A deleted automation is marked and purged by the table's TTL: nothing deletes it.
    assert "dynamodb:DeleteItem" not in allowed.get("AutomationsTable", set())
    env = FUNCTIONS[route.function]["Environment"]["Variables"]
    for table, variable in TABLES.items():
        assert (env.get(variable) == {"Ref": table}) == (table in allowed)


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


# --- Production: throttling, access logs, alarms, rollouts, SnapStart ---

API = "AutomationsApi"


def parameter(template: dict[str, Any], name: str) -> dict[str, Any]:
    found: dict[str, Any] = template["Parameters"][name]
    return found


def api_properties(template: dict[str, Any]) -> dict[str, Any]:
    props: dict[str, Any] = template["Resources"][API]["Properties"]
    return props


def test_every_route_is_throttled_at_the_gateway_by_parameters(template: dict[str, Any]) -> None:
    settings = api_properties(template)["DefaultRouteSettings"]
    assert settings["ThrottlingBurstLimit"] == {"Ref": "ThrottlingBurstLimit"}
    assert settings["ThrottlingRateLimit"] == {"Ref": "ThrottlingRateLimit"}
    burst, rate = parameter(template, "ThrottlingBurstLimit"), parameter(template, "ThrottlingRateLimit")
    assert burst["Type"] == rate["Type"] == "Number"
    # Sane defaults: far below the account's 10,000 requests per second, and a burst
    # that absorbs at least one second at the steady rate.
    assert 0 < rate["Default"] <= burst["Default"] <= 5000
    # A limit of 0 would refuse every request: no value a deploy can pass does that.
    assert burst["MinValue"] >= 1 and rate["MinValue"] >= 1


# What the access log must say of each request, as HTTP API's $context variables.
ACCESS_LOG = {
    "$context.requestId",
    "$context.identity.sourceIp",
    "$context.routeKey",
    "$context.status",
    "$context.responseLatency",
    "$context.integrationLatency",
    "$context.integrationErrorMessage",
    "$context.authorizer.error",
}


def test_access_logs_are_one_json_object_per_request_without_the_token(template: dict[str, Any]) -> None:
    settings = api_properties(template)["AccessLogSettings"]
    line = json.loads(settings["Format"])  # one line, valid JSON, every value a string
    assert "\n" not in settings["Format"]
    assert all(isinstance(value, str) for value in line.values())
    assert set(line.values()) >= ACCESS_LOG
    assert len(set(line)) == len(line)
    # Nothing from the request's headers: the Authorization header is the bearer token.
    assert "authorization" not in settings["Format"].lower()
    assert "header" not in settings["Format"].lower()
    group = settings["DestinationArn"]["Fn::GetAtt"][0]
    assert settings["DestinationArn"] == {"Fn::GetAtt": [group, "Arn"]}
    assert template["Resources"][group]["Type"] == "AWS::Logs::LogGroup"
    assert template["Resources"][group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionInDays"}


def alarms(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {k: v["Properties"] for k, v in resources_of(template, "AWS::CloudWatch::Alarm").items()}


def alarm_on(template: dict[str, Any], namespace: str, metric: str, dimensions: dict[str, Any]) -> str:
    """The one alarm watching ``metric`` with exactly these dimensions; its logical id."""
    found = [
        name
        for name, props in alarms(template).items()
        if props["Namespace"] == namespace
        and props["MetricName"] == metric
        and {d["Name"]: d["Value"] for d in props.get("Dimensions", [])} == dimensions
    ]
    assert len(found) == 1, f"{namespace} {metric} {dimensions}: {found}"
    return found[0]


def test_the_api_5xx_alarm(template: dict[str, Any]) -> None:
    props = alarms(template)[alarm_on(template, "AWS/ApiGateway", "5xx", {"ApiId": {"Ref": API}})]
    # The contract allows no 5xx for any input: one in a minute is worth a look.
    assert (props["Statistic"], props["Period"], props["Threshold"]) == ("Sum", 60, 1)
    assert props["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    assert props["TreatMissingData"] == "notBreaching"  # no traffic is no error


@pytest.mark.parametrize("logical_id", list(FUNCTIONS))
@pytest.mark.parametrize("metric", ["Errors", "Throttles"])
def test_each_function_has_errors_and_throttles_alarms(
    template: dict[str, Any], logical_id: str, metric: str
) -> None:
    props = alarms(template)[alarm_on(template, "AWS/Lambda", metric, {"FunctionName": {"Ref": logical_id}})]
    assert (props["Statistic"], props["Period"], props["Threshold"]) == ("Sum", 60, 1)
    assert props["TreatMissingData"] == "notBreaching"


def error_logs_metric(template: dict[str, Any], logical_id: str) -> tuple[str, str]:
    """The (namespace, metric) counting what the function logs at ERROR."""
    group = FUNCTIONS[logical_id]["LoggingConfig"]["LogGroup"]
    (found,) = [
        r["Properties"]["MetricTransformations"][0]
        for r in resources_of(template, "AWS::Logs::MetricFilter").values()
        if r["Properties"]["LogGroupName"] == group
    ]
    return found["MetricNamespace"], found["MetricName"]


@pytest.mark.parametrize("logical_id", list(FUNCTIONS))
def test_each_function_has_an_alarm_on_what_it_logs_at_error(
    template: dict[str, Any], logical_id: str
) -> None:
    # A bug is answered as a 500 envelope, never raised, so Lambda's Errors stays at
    # 0: the ERROR lines of the function's own log group count it.
    group = FUNCTIONS[logical_id]["LoggingConfig"]["LogGroup"]
    (metric_filter,) = [
        r["Properties"]
        for r in resources_of(template, "AWS::Logs::MetricFilter").values()
        if r["Properties"]["LogGroupName"] == group
    ]
    assert metric_filter["FilterPattern"] == '{ $.level = "ERROR" }'
    namespace, metric = error_logs_metric(template, logical_id)
    # The metric has no dimension, so its namespace is the stack's own: a staging
    # stack's ERROR lines in the same account must not page production or roll it back.
    assert namespace == {"Fn::Sub": "Automations/${AWS::StackName}"}
    props = alarms(template)[alarm_on(template, namespace, metric, {})]
    assert (props["Statistic"], props["Threshold"]) == ("Sum", 1)


def test_a_bug_is_logged_at_the_level_the_metric_filter_counts(
    tables: Tables, workspace: str, logs: io.StringIO
) -> None:
    # The filter reads Powertools' JSON lines: {"level": "ERROR", ...}.
    with mock.patch.object(create_route, "create_automation", side_effect=RuntimeError("a bug")):
        answer = post({"name": "x"}, workspace)
    assert answer.status == 500
    lines = [json.loads(line) for line in logs.getvalue().splitlines()]
    assert [line["message"] for line in lines if line["level"] == "ERROR"] == ["unhandled error"]


@pytest.mark.parametrize("logical_id", list(FUNCTIONS))
def test_each_function_has_a_p99_latency_alarm(template: dict[str, Any], logical_id: str) -> None:
    # The function's Duration (see the template): an alarm on the API's metrics
    # could not roll a deployment back.
    name = alarm_on(template, "AWS/Lambda", "Duration", {"FunctionName": {"Ref": logical_id}})
    props = alarms(template)[name]
    assert props["ExtendedStatistic"] == "p99"
    assert "Statistic" not in props
    assert props["Threshold"] == {"Ref": "LatencyP99Milliseconds"}
    assert (props["Period"], props["EvaluationPeriods"], props["DatapointsToAlarm"]) == (60, 5, 3)
    assert parameter(template, "LatencyP99Milliseconds")["Type"] == "Number"


def test_the_per_route_resources_are_generated_from_the_declarations() -> None:
    # Each function's resources are written once, in the generator; the committed
    # template is what it makes of the route declarations (make template).
    assert stack.render() == (ROOT / "template.yaml").read_text()
    generated = stack.per_route_resources()
    for route in ROUTES:
        assert f"  {route.function}:\n" in generated


def test_alarms_go_to_the_people_the_parameters_name(template: dict[str, Any]) -> None:
    targets = [
        {"Fn::If": ["HasAlarmEmail", {"Ref": "AlarmTopic"}, {"Ref": "AWS::NoValue"}]},
        {"Fn::If": ["HasAlarmTopicArn", {"Ref": "AlarmTopicArn"}, {"Ref": "AWS::NoValue"}]},
    ]
    assert len(alarms(template)) == 1 + 4 * len(FUNCTIONS)
    for props in alarms(template).values():
        assert props["AlarmActions"] == props["OKActions"] == targets
    assert (
        parameter(template, "AlarmEmail")["Default"] == parameter(template, "AlarmTopicArn")["Default"] == ""
    )
    assert template["Conditions"]["HasAlarmEmail"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmEmail"}, ""]}]
    }
    assert template["Conditions"]["HasAlarmTopicArn"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "AlarmTopicArn"}, ""]}]
    }
    topic = template["Resources"]["AlarmTopic"]
    assert (topic["Type"], topic["Condition"]) == ("AWS::SNS::Topic", "HasAlarmEmail")
    (subscription,) = resources_of(template, "AWS::SNS::Subscription").values()
    assert subscription["Condition"] == "HasAlarmEmail"
    assert subscription["Properties"] == {
        "TopicArn": {"Ref": "AlarmTopic"},
        "Protocol": "email",
        "Endpoint": {"Ref": "AlarmEmail"},
    }


@pytest.mark.parametrize("logical_id", list(FUNCTIONS))
def test_each_function_publishes_a_live_alias(logical_id: str) -> None:
    assert FUNCTIONS[logical_id]["AutoPublishAlias"] == "live"


@pytest.mark.parametrize("logical_id", list(FUNCTIONS))
def test_each_deployment_is_rolled_back_by_its_functions_own_alarms(
    template: dict[str, Any], logical_id: str
) -> None:
    preference = FUNCTIONS[logical_id]["DeploymentPreference"]
    assert preference["Type"] == {"Ref": "DeploymentType"}
    own = {
        alarm_on(template, "AWS/Lambda", "Errors", {"FunctionName": {"Ref": logical_id}}),
        alarm_on(template, "AWS/Lambda", "Throttles", {"FunctionName": {"Ref": logical_id}}),
        alarm_on(template, *error_logs_metric(template, logical_id), {}),
        alarm_on(template, "AWS/Lambda", "Duration", {"FunctionName": {"Ref": logical_id}}),
    }
    assert sorted(a["Ref"] for a in preference["Alarms"]) == sorted(own)


def test_the_deployment_type_is_all_at_once_unless_chosen(template: dict[str, Any]) -> None:
    kind = parameter(template, "DeploymentType")
    assert kind["Default"] == "AllAtOnce"
    assert {"AllAtOnce", "Canary10Percent5Minutes", "Linear10PercentEvery1Minute"} <= set(
        kind["AllowedValues"]
    )
    # The names SAM turns into CodeDeploy's CodeDeployDefault.Lambda<Type>.
    assert all(re.fullmatch(r"AllAtOnce|Canary10Percent\d+Minutes|Linear10PercentEvery\d+Minutes?", v)
               for v in kind["AllowedValues"])  # fmt: skip


@pytest.mark.parametrize("logical_id", list(FUNCTIONS))
def test_each_function_has_a_deliberate_memory_size(logical_id: str) -> None:
    memory = FUNCTIONS[logical_id]["MemorySize"]
    assert isinstance(memory, int)
    assert memory == 1024  # about 0.58 vCPU: the reason is written beside it
    source = (ROOT / "template.yaml").read_text()
    reason = source[: source.index(f"    MemorySize: {memory}\n")].rsplit("\n\n", 1)[-1]
    assert "vCPU" in reason and "cold start" in reason


def test_reserved_concurrency_is_set_only_when_asked(template: dict[str, Any]) -> None:
    assert parameter(template, "ReservedConcurrency")["Default"] == ""
    assert template["Conditions"]["HasReservedConcurrency"] == {
        "Fn::Not": [{"Fn::Equals": [{"Ref": "ReservedConcurrency"}, ""]}]
    }
    for props in FUNCTIONS.values():
        assert props["ReservedConcurrentExecutions"] == {
            "Fn::If": ["HasReservedConcurrency", {"Ref": "ReservedConcurrency"}, {"Ref": "AWS::NoValue"}]
        }


def test_snapstart_is_off_unless_asked(template: dict[str, Any]) -> None:
    snapstart = parameter(template, "SnapStart")
    assert (snapstart["Default"], sorted(snapstart["AllowedValues"])) == ("false", ["false", "true"])
    assert template["Conditions"]["SnapStartOn"] == {"Fn::Equals": [{"Ref": "SnapStart"}, "true"]}
    for props in FUNCTIONS.values():
        assert props["SnapStart"] == {"ApplyOn": {"Fn::If": ["SnapStartOn", "PublishedVersions", "None"]}}


def test_the_xray_sdk_is_off_unless_asked_and_lambda_tracing_stays_on(template: dict[str, Any]) -> None:
    sdk = parameter(template, "XRaySdkTracing")
    assert (sdk["Default"], sorted(sdk["AllowedValues"])) == ("false", ["false", "true"])
    assert template["Conditions"]["XRaySdkOn"] == {"Fn::Equals": [{"Ref": "XRaySdkTracing"}, "true"]}
    for props in FUNCTIONS.values():
        assert props["Tracing"] == "Active"
        disabled = props["Environment"]["Variables"]["POWERTOOLS_TRACE_DISABLED"]
        assert disabled == {"Fn::If": ["XRaySdkOn", "false", "true"]}


@pytest.mark.parametrize(("disabled", "loaded"), [("true", False), ("false", True)])
def test_the_trace_variable_decides_whether_the_xray_sdk_loads_in_lambda(disabled: str, loaded: bool) -> None:
    # As in Lambda with tracing active: Powertools' own rule, then our provider seam.
    # Loaded, the SDK is its layer's packages; not loaded, none of them (no layer then).
    layer = coldstart.xray_sdk_layer()
    probe = (
        "import sys, automations.routes.create\n"
        f"print(sorted({{m.split('.')[0] for m in sys.modules}} & {set(layer)!r}))"
    )
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(ROOT / "src"),
        "LAMBDA_TASK_ROOT": str(ROOT / "src"),
        "AWS_LAMBDA_FUNCTION_NAME": "create",
        "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
        "POWERTOOLS_TRACE_DISABLED": disabled,
    }
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == str(sorted(layer) if loaded else [])


# --- What SAM's transform makes of it: what CloudFormation will create ---

PARAMETERS = {"JwtIssuer": "https://auth.example.com/", "JwtAudience": "automations-api"}


@pytest.fixture(scope="module")
def deployed() -> dict[str, Any]:
    return sam_transform(PARAMETERS)


def test_the_api_invokes_each_functions_live_alias(deployed: dict[str, Any]) -> None:
    resources = deployed["Resources"]
    paths = resources[API]["Properties"]["Body"]["paths"]
    for route in ROUTES:
        alias = f"{route.function}Aliaslive"
        assert resources[alias]["Type"] == "AWS::Lambda::Alias"
        assert resources[alias]["Properties"]["Name"] == "live"
        uri = paths[route.path][route.method.lower()]["x-amazon-apigateway-integration"]["uri"]["Fn::Sub"]
        assert f"/functions/${{{alias}}}/invocations" in uri
        (permission,) = [
            r["Properties"]
            for r in resources.values()
            if r["Type"] == "AWS::Lambda::Permission" and r["Properties"]["FunctionName"] == {"Ref": alias}
        ]
        assert permission["Principal"] == "apigateway.amazonaws.com"


def test_codedeploy_moves_each_alias_and_rolls_back_on_its_alarms(deployed: dict[str, Any]) -> None:
    resources = deployed["Resources"]
    for logical_id, props in FUNCTIONS.items():
        alias = resources[f"{logical_id}Aliaslive"]
        group_id = alias["UpdatePolicy"]["CodeDeployLambdaAliasUpdate"]["DeploymentGroupName"]["Ref"]
        group = resources[group_id]["Properties"]
        assert [a["Name"] for a in group["AlarmConfiguration"]["Alarms"]] == props["DeploymentPreference"][
            "Alarms"
        ]
        assert "DEPLOYMENT_STOP_ON_ALARM" in group["AutoRollbackConfiguration"]["Events"]
        assert group["DeploymentConfigName"]["Fn::Sub"][1] == {"ConfigName": "AllAtOnce"}
    canary = sam_transform({**PARAMETERS, "DeploymentType": "Canary10Percent5Minutes"})["Resources"]
    group = canary[f"{CREATE.function}DeploymentGroup"]["Properties"]
    assert group["DeploymentConfigName"]["Fn::Sub"][1] == {"ConfigName": "Canary10Percent5Minutes"}


def test_the_deployed_template_is_cfn_lint_clean(deployed: dict[str, Any], tmp_path: Path) -> None:
    # Catches what only the transform shows, such as a dependency cycle between the
    # API, an alias, its CodeDeploy group and an alarm. SAM has already consumed
    # DeploymentType (W2001: unused parameter).
    path = tmp_path / "deployed.json"
    path.write_text(json.dumps(deployed))
    result = subprocess.run(
        [str(Path(sys.executable).with_name("cfn-lint")), "--ignore-checks", "W2001", "--", str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("sdk", ["true", "false"])
def test_the_xray_sdk_layer_is_attached_exactly_when_the_sdk_is_asked_for(sdk: str) -> None:
    # Given what SAM's transform makes of the template with XRaySdkTracing set
    transformed = sam_transform({**PARAMETERS, "XRaySdkTracing": sdk})
    # (CloudFormation resolves the conditions: resolved here with that value)
    transformed["Parameters"]["XRaySdkTracing"]["Default"] = sdk
    resources = transformed["Resources"]
    (layer,) = [k for k, v in resources.items() if v["Type"] == "AWS::Lambda::LayerVersion"]
    created = _condition(resources[layer]["Condition"], transformed, {})
    assert created is (sdk == "true")
    # Then each function has the layer, and nothing else, exactly when it is created
    for logical_id in FUNCTIONS:
        layers = _resolve(resources[logical_id]["Properties"].get("Layers", []), transformed, {layer: layer})
        assert layers == ([{"Ref": layer}] if created else _NO_VALUE), logical_id


def test_a_parameter_flipped_alone_publishes_no_new_version() -> None:
    # SAM names a function's version after its code, MemorySize and Environment as
    # written (not as resolved): flipping SnapStart or XRaySdkTracing alone changes
    # the function but leaves the live alias on the old version (docs/operations.md).
    def versions(parameters: dict[str, str]) -> set[str]:
        resources = sam_transform({**PARAMETERS, **parameters})["Resources"]
        return {k for k, v in resources.items() if v["Type"] == "AWS::Lambda::Version"}

    assert versions({}) == versions({"SnapStart": "true"}) == versions({"XRaySdkTracing": "true"})
