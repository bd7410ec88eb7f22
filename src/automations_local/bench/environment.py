"""A function's environment as Lambda gives it once deployed, for `make bench`: what
the runtime sets (``LAMBDA_TASK_ROOT``, the function's name, memory and log group,
credentials, active tracing with its trace header and daemon address) and the
variables template.yaml declares for the function (Globals merged), with each
parameter at its Default and each table at the name the stand-in is asked for.

Tracing is active (``Tracing: Active``) but the X-Ray daemon address is a loopback
port where nothing listens: the SDK, when loaded, sends its segments nowhere.
"""

from __future__ import annotations

import os
from typing import Any

from automations_local.template import ROOT, functions, load_template

REGION = "us-east-1"
TRACE_HEADER = "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"
_NO_VALUE = object()


class Unresolved(Exception):
    """A template value this reader cannot resolve without deploying."""


def _resolve(value: Any, template: dict[str, Any], tables: dict[str, str]) -> Any:
    """A template value as CloudFormation would resolve it with every parameter at
    its Default; ``tables``: a table's logical id → the name to use for it."""
    if not isinstance(value, dict):
        return value
    if len(value) != 1:
        raise Unresolved(f"not an intrinsic function: {value!r}")
    ((function, argument),) = value.items()
    parameters = template.get("Parameters", {})
    if function == "Ref":
        if argument in parameters:
            if "Default" not in parameters[argument]:
                raise Unresolved(f"parameter {argument} has no Default")
            default = parameters[argument]["Default"]
            return ",".join(default) if isinstance(default, list) else str(default)
        if argument in tables:
            return tables[argument]
        if argument == "AWS::Region":
            return REGION
        if argument == "AWS::NoValue":
            return _NO_VALUE
        raise Unresolved(f"!Ref {argument}")
    if function == "Fn::If":
        condition, when_true, when_false = argument
        chosen = when_true if _condition(condition, template, tables) else when_false
        return _resolve(chosen, template, tables)
    if function == "Fn::Sub" and isinstance(argument, str):
        text = argument
        for name in {*parameters, *tables, "AWS::Region"}:
            if f"${{{name}}}" in text:
                text = text.replace(f"${{{name}}}", str(_resolve({"Ref": name}, template, tables)))
        if "${" in text:
            raise Unresolved(f"!Sub {argument}")
        return text
    if function == "Fn::FindInMap":
        mapping, key, field = (_resolve(part, template, tables) for part in argument)
        return _resolve(template["Mappings"][mapping][key][field], template, tables)
    if function == "Fn::Join":
        separator, parts = argument
        return separator.join(str(_resolve(part, template, tables)) for part in parts)
    raise Unresolved(f"{function} {argument!r}")


def _condition(name_or_value: Any, template: dict[str, Any], tables: dict[str, str]) -> bool:
    value = template.get("Conditions", {})[name_or_value] if isinstance(name_or_value, str) else name_or_value
    ((function, argument),) = value.items()
    if function == "Condition":
        return _condition(argument, template, tables)
    if function == "Fn::Equals":
        left, right = (str(_resolve(part, template, tables)) for part in argument)
        return left == right
    if function == "Fn::Not":
        return not _condition(argument[0], template, tables)
    if function == "Fn::And":
        return all(_condition(part, template, tables) for part in argument)
    if function == "Fn::Or":
        return any(_condition(part, template, tables) for part in argument)
    raise Unresolved(f"condition {function}")


def declared(
    logical_id: str, tables: dict[str, str], template: dict[str, Any] | None = None
) -> dict[str, str]:
    """The environment variables template.yaml gives the function, resolved."""
    template = template or load_template()
    variables = functions(template)[logical_id].get("Environment", {}).get("Variables", {})
    resolved = {name: _resolve(value, template, tables) for name, value in variables.items()}
    return {name: str(value) for name, value in resolved.items() if value is not _NO_VALUE}


def deployed(
    logical_id: str,
    tables: dict[str, str],
    *,
    endpoint: str,
    xray_sdk: bool | None = None,
    base: dict[str, str] | None = None,
) -> dict[str, str]:
    """The whole environment of the function as deployed, its DynamoDB calls sent to
    ``endpoint``. ``xray_sdk``: None as deployed, True or False to choose whether
    Powertools' Tracer loads the X-Ray SDK (``POWERTOOLS_TRACE_DISABLED``).
    ``base``: the process environment to start from (this one's, by default), of
    which every AWS, Lambda and Powertools variable is dropped first."""
    template = load_template()
    props = functions(template)[logical_id]
    env = {
        name: value
        for name, value in (os.environ if base is None else base).items()
        if not name.startswith(("AWS_", "POWERTOOLS_", "LAMBDA_", "_X_AMZN", "_AWS_XRAY", "_HANDLER"))
    }
    daemon = "127.0.0.1:2000"  # loopback, nothing listens
    env.update(
        LAMBDA_TASK_ROOT=str(ROOT / "src"),
        _HANDLER=props["Handler"],
        AWS_EXECUTION_ENV=f"AWS_Lambda_{props['Runtime']}",
        AWS_LAMBDA_FUNCTION_NAME=logical_id,
        AWS_LAMBDA_FUNCTION_VERSION="$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE=str(props.get("MemorySize", 128)),
        AWS_LAMBDA_INITIALIZATION_TYPE="on-demand",
        AWS_LAMBDA_LOG_GROUP_NAME=f"/aws/lambda/{logical_id}",
        AWS_LAMBDA_LOG_STREAM_NAME="2026/11/26/[$LATEST]0123456789abcdef0123456789abcdef",
        AWS_REGION=REGION,
        AWS_DEFAULT_REGION=REGION,
        AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench",
        AWS_SESSION_TOKEN="bench",
        AWS_ENDPOINT_URL_DYNAMODB=endpoint,
        TZ=":UTC",
    )
    logging = props.get("LoggingConfig", {})
    if "LogFormat" in logging:
        env["AWS_LAMBDA_LOG_FORMAT"] = logging["LogFormat"]
    if "ApplicationLogLevel" in logging:
        env["AWS_LAMBDA_LOG_LEVEL"] = logging["ApplicationLogLevel"]
    if props.get("Tracing") == "Active":
        env.update(
            _X_AMZN_TRACE_ID=TRACE_HEADER,
            AWS_XRAY_DAEMON_ADDRESS=daemon,
            _AWS_XRAY_DAEMON_ADDRESS=daemon.split(":")[0],
            _AWS_XRAY_DAEMON_PORT=daemon.split(":")[1],
            AWS_XRAY_CONTEXT_MISSING="LOG_ERROR",
        )
    # POWERTOOLS_TRACE_DISABLED among them, from the XRaySdkTracing parameter's default.
    env.update(declared(logical_id, tables, template))
    if xray_sdk is not None:
        env["POWERTOOLS_TRACE_DISABLED"] = "false" if xray_sdk else "true"
    return env
