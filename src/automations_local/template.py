"""Reads template.yaml, so local tables and tests are built from the template
itself and cannot drift from what is deployed."""

from __future__ import annotations

import copy
import functools
import json
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = ROOT / "template.yaml"


class _CfnLoader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]  # libyaml's, where built
    """YAML with CloudFormation's short-form tags (!Ref, !GetAtt, !Sub, ...)."""


def _intrinsic(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        assert isinstance(node, yaml.MappingNode)
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as data: a copy of its parse, made once for each version of the
    file (the tests build their tables from it for every test)."""
    stat = path.stat()
    return copy.deepcopy(_parsed(path, stat.st_mtime_ns, stat.st_size))


@functools.cache
def _parsed(path: Path, mtime_ns: int, size: int) -> dict[str, Any]:
    with path.open() as handle:
        template: dict[str, Any] = yaml.load(handle, Loader=_CfnLoader)  # a SafeLoader subclass
        return template


def table_definitions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Logical id → properties, for every DynamoDB table in the template."""
    return {
        name: resource["Properties"]
        for name, resource in template["Resources"].items()
        if resource["Type"] == "AWS::DynamoDB::Table"
    }


def create_tables(client: Any, template: dict[str, Any], prefix: str = "") -> dict[str, str]:
    """Create every table of the template through ``client``; logical id → name."""
    names: dict[str, str] = {}
    for logical_id, props in table_definitions(template).items():
        name = f"{prefix}{logical_id}"
        client.create_table(
            TableName=name,
            KeySchema=props["KeySchema"],
            AttributeDefinitions=props["AttributeDefinitions"],
            BillingMode=props["BillingMode"],
        )
        client.get_waiter("table_exists").wait(
            TableName=name, WaiterConfig={"Delay": 0.1, "MaxAttempts": 100}
        )
        ttl = props.get("TimeToLiveSpecification")
        if ttl and ttl.get("Enabled"):
            try:
                client.update_time_to_live(
                    TableName=name,
                    TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl["AttributeName"]},
                )
            except client.exceptions.ClientError as exc:
                # dynalite has no TTL: records then expire by Powertools' own check
                # of the expiry attribute, not by deletion, which is enough locally.
                if exc.response["Error"]["Code"] != "UnknownOperationException":
                    raise
        names[logical_id] = name
    return names


@dataclass(frozen=True)
class TemplateRoute:
    """An HTTP API route of template.yaml, as API Gateway will serve it."""

    function: str  # the function's logical id
    handler: str  # module.attribute
    method: str
    path: str  # /v1/automations/{automationId}
    scopes: tuple[str, ...]

    @property
    def key(self) -> str:
        return f"{self.method} {self.path}"

    def match(self, method: str, path: str) -> dict[str, str] | None:
        """The path parameters when ``method`` and ``path`` take this route, else
        None. A ``{name}`` takes one whole path segment, as API Gateway matches it."""
        if method != self.method:
            return None
        pattern = re.escape(self.path).replace(r"\{", "{").replace(r"\}", "}")
        found = re.fullmatch(re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", pattern), path)
        return None if found is None else found.groupdict()


def functions(template: dict[str, Any] | None = None) -> dict[str, dict[str, Any]]:
    """Logical id → properties of every function, with the template's Globals
    applied as SAM applies them (maps merged, the function's own values winning)."""
    template = template or load_template()
    shared = template.get("Globals", {}).get("Function", {})
    found = {}
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        props = {**shared, **resource["Properties"]}
        for name in ("Environment",):
            if name in shared and name in resource["Properties"]:
                variables = {**shared[name]["Variables"], **resource["Properties"][name]["Variables"]}
                props[name] = {"Variables": variables}
        found[logical_id] = props
    return found


def template_routes(template: dict[str, Any] | None = None) -> list[TemplateRoute]:
    """Every HttpApi event of every function in the template."""
    routes = []
    for logical_id, props in functions(template).items():
        for event in props.get("Events", {}).values():
            if event["Type"] != "HttpApi":
                continue
            routes.append(
                TemplateRoute(
                    function=logical_id,
                    handler=props["Handler"],
                    method=event["Properties"]["Method"],
                    path=event["Properties"]["Path"],
                    scopes=tuple(event["Properties"].get("Auth", {}).get("AuthorizationScopes", [])),
                )
            )
    return routes


# SAM's own transform (aws-sam-translator) lives in a virtualenv of its own: it pins
# pydantic, and the project's must stay the version the functions are built with.
TRANSFORM_PYTHON = ROOT / ".venv-transform" / "bin" / "python"

_TRANSFORM = r"""
import json, sys
import boto3
from samtranslator.parser.parser import Parser
from samtranslator.translator.translator import Translator

request = json.load(sys.stdin)
session = boto3.session.Session(region_name="us-east-1")
translated = Translator(None, Parser(), boto_session=session).translate(
    request["template"], parameter_values=request["parameters"], get_managed_policy_map=lambda: {}
)
json.dump(translated, sys.stdout)
"""


def sam_transform(parameters: dict[str, str], template: dict[str, Any] | None = None) -> dict[str, Any]:
    """The CloudFormation template that SAM's transform makes of ``template`` with
    these parameter values: what ``sam deploy`` asks CloudFormation to create.

    Offline and without credentials, by SAM's own translator in ``.venv-transform``
    (``make test`` makes it); the code, and each layer's, is placed where ``sam package``
    would put it.
    """
    if not TRANSFORM_PYTHON.exists():
        raise FileNotFoundError(
            f"{TRANSFORM_PYTHON} is missing: run `make test` (or `make .venv-transform/.installed`)"
        )
    template = copy.deepcopy(template or load_template())
    template["Globals"]["Function"]["CodeUri"] = "s3://sam-package-bucket/automations.zip"
    for logical_id, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Serverless::LayerVersion":
            resource["Properties"]["ContentUri"] = f"s3://sam-package-bucket/{logical_id}.zip"
    done = subprocess.run(
        [str(TRANSFORM_PYTHON), "-c", _TRANSFORM],
        input=json.dumps({"template": template, "parameters": parameters}),
        capture_output=True,
        text=True,
        check=True,
    )
    translated: dict[str, Any] = json.loads(done.stdout)
    return translated
