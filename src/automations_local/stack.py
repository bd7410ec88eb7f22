"""``template.yaml``'s per-function resources, generated from the route declarations
(``automations.routes``): each route's function, its log group, its alarms and the
metric filter behind one of them, written between two marker lines of the template.
Everything else in the template (parameters, globals, the API, the tables, the
alarm topic) is written by hand there, once.

Why generated text rather than ``Fn::ForEach`` (the ``AWS::LanguageExtensions``
transform): the per-route facts (path, scopes, handler, what the role may do) live
in the function package, where the functions and the tests read them, and a
``Fn::ForEach`` would need them again in the template's ``Mappings``, with every
tool that reads the template (the local gateway, SAM's translator run offline by
the tests, the tables built for the tests) taught to expand the loop. Generated,
the template stays plain CloudFormation that every tool reads as it is, each
function's resources are written once (here), and a test fails when the committed
template and the declarations disagree (``make template`` rewrites it).
"""

from __future__ import annotations

import sys

from automations.routes import ROUTES, TABLES, Route
from automations_local.generated import write_or_check
from automations_local.template import TEMPLATE

BEGIN = "  # BEGIN per-route resources: generated from src/automations/routes by `make template`\n"
END = "  # END per-route resources\n"

ACTIONS = """      AlarmActions:
        - !If [HasAlarmEmail, !Ref AlarmTopic, !Ref AWS::NoValue]
        - !If [HasAlarmTopicArn, !Ref AlarmTopicArn, !Ref AWS::NoValue]
      OKActions:
        - !If [HasAlarmEmail, !Ref AlarmTopic, !Ref AWS::NoValue]
        - !If [HasAlarmTopicArn, !Ref AlarmTopicArn, !Ref AWS::NoValue]
"""

# Fires on one in any minute, and rolls the function's deployments back.
ONE_IN_A_MINUTE = """      Statistic: Sum
      Period: 60
      EvaluationPeriods: 1
      DatapointsToAlarm: 1
      Threshold: 1
      ComparisonOperator: GreaterThanOrEqualToThreshold
      TreatMissingData: notBreaching
"""


def _name(route: Route) -> str:
    """``CreateAutomation`` of ``CreateAutomationFunction``: the prefix of its resources."""
    return route.function.removesuffix("Function")


def _list(items: tuple[str, ...] | list[str]) -> str:
    return "[" + ", ".join(items) + "]"


def alarms(route: Route) -> list[str]:
    """The logical ids of the function's own alarms, which roll its deployments back."""
    name = _name(route)
    return [f"{name}ErrorsAlarm", f"{name}ThrottlesAlarm", f"{name}ErrorLogsAlarm", f"{name}LatencyAlarm"]


def function(route: Route) -> str:
    name = _name(route)
    lines = [
        f"  {route.function}:",
        "    Type: AWS::Serverless::Function",
        "    Properties:",
        f"      Description: {route.key} - {route.summary}.",
        f"      Handler: {route.handler}",
        "      # A deploy moves the live alias to the new version as DeploymentType says;",
        "      # while it moves, any of these alarms firing sends it back. Only the",
        "      # function's own alarms: one on the API's metrics would need the API, which",
        "      # needs the alias, whose move needs these alarms (a cycle CloudFormation refuses).",
        "      DeploymentPreference:",
        "        Type: !Ref DeploymentType",
        "        Alarms:",
        *(f"          - !Ref {alarm}" for alarm in alarms(route)),
        "      LoggingConfig:",
        "        LogFormat: JSON",
        f"        LogGroup: !Ref {name}LogGroup",
    ]
    if route.access:
        lines += ["      Environment:", "        Variables:"]
        lines += [f"          {TABLES[access.table]}: !Ref {access.table}" for access in route.access]
        lines += ["      Policies:", '        - Version: "2012-10-17"', "          Statement:"]
        for access in route.access:
            lines += [
                f"            # {access.why}",
                "            - Effect: Allow",
                f"              Action: {_list(access.actions)}",
                f"              Resource: !GetAtt {access.table}.Arn",
            ]
    else:
        lines += [
            "      # No table variables and no policies: it touches no table at all. Its role",
            "      # holds only what SAM adds for logs and tracing.",
        ]
    lines += [
        "      Events:",
        f"        {name}:",
        "          Type: HttpApi",
        "          Properties:",
        "            ApiId: !Ref AutomationsApi",
        f"            Path: {route.path}",
        f"            Method: {route.method}",
        "            Auth:",
        "              Authorizer: JwtAuthorizer",
        f"              AuthorizationScopes: {_list(route.scopes)}",
        "    # src/Makefile: wheels for python3.13/arm64, runtime-provided boto3 left out,",
        "    # only the automations package, precompiled.",
        "    Metadata:",
        "      BuildMethod: makefile",
        "",
        f"  {name}LogGroup:",
        "    Type: AWS::Logs::LogGroup",
        "    DeletionPolicy: Delete",
        "    UpdateReplacePolicy: Delete",
        "    Properties:",
        "      RetentionInDays: !Ref LogRetentionInDays",
        "",
    ]
    return "\n".join(lines) + "\n"


def _lambda_alarm(route: Route, metric: str, description: str) -> str:
    """An alarm on one of Lambda's own metrics of the function: one in any minute."""
    return f"""  {_name(route)}{metric}Alarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: "{description}"
      Namespace: AWS/Lambda
      MetricName: {metric}
      Dimensions:
        - Name: FunctionName
          Value: !Ref {route.function}
{ONE_IN_A_MINUTE}{ACTIONS}
"""


def function_alarms(route: Route) -> str:
    name, what = _name(route), f"The {route.module} function"
    failed = (
        f"{what} failed: crashed, timed out or ran out of memory (Lambda Errors). Its log group says why."
    )
    refused = f"Lambda refused to run the {route.module} function: its reserved or the account's concurrency is used up."
    return (
        _lambda_alarm(route, "Errors", failed)
        + _lambda_alarm(route, "Throttles", refused)
        + f"""  # The function never raises: a bug is answered as a 500 envelope, which Lambda
  # does not count in Errors. What it logs at ERROR is what an operator must see:
  # a bug (unhandled error) or storage misconfigured (a missing table or permission).
  {name}ErrorLogs:
    Type: AWS::Logs::MetricFilter
    Properties:
      LogGroupName: !Ref {name}LogGroup
      FilterPattern: '{{ $.level = "ERROR" }}'
      MetricTransformations:
        - MetricNamespace: !Sub "Automations/${{AWS::StackName}}"
          MetricName: {name}ErrorLogs
          MetricValue: "1"

  {name}ErrorLogsAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: "{what} logged at ERROR: a bug answered 500, or storage is misconfigured. Its log group, level ERROR."
      Namespace: !Sub "Automations/${{AWS::StackName}}"
      MetricName: {name}ErrorLogs
{ONE_IN_A_MINUTE}{ACTIONS}
  # The function's p99 duration, not API Gateway's Latency for the route: an alarm
  # on the API's metrics cannot roll a deployment back (see DeploymentPreference),
  # and Duration is what a deploy of this code changes; it leaves out the JWT check
  # and a cold start's init, which a new version does not make slower
  # (docs/operations.md). 3 of 5 minutes, so a minute of first requests (new
  # containers, a scale-out's first connections to DynamoDB) does not page anyone
  # or send a deployment back.
  {name}LatencyAlarm:
    Type: AWS::CloudWatch::Alarm
    Properties:
      AlarmDescription: "{what}'s p99 duration is above LatencyP99Milliseconds in 3 of the last 5 minutes."
      Namespace: AWS/Lambda
      MetricName: Duration
      Dimensions:
        - Name: FunctionName
          Value: !Ref {route.function}
      ExtendedStatistic: p99
      Period: 60
      EvaluationPeriods: 5
      DatapointsToAlarm: 3
      Threshold: !Ref LatencyP99Milliseconds
      ComparisonOperator: GreaterThanThreshold
      TreatMissingData: notBreaching
{ACTIONS}
"""
    )


def per_route_resources() -> str:
    blocks = [f"  # {route.key}\n" + function(route) + function_alarms(route) for route in ROUTES]
    return "".join(blocks)


def render() -> str:
    """template.yaml with its per-route resources made from the declarations."""
    text = TEMPLATE.read_text()
    start, end = text.index(BEGIN) + len(BEGIN), text.index(END)
    return text[:start] + per_route_resources() + text[end:]


def main() -> int:
    return write_or_check(TEMPLATE, render, "make template")


if __name__ == "__main__":
    sys.exit(main())
