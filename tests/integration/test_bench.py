"""`make bench`'s tooling measures what it says: each function in its environment as
deployed, serving its route's ordinary first request. No timing is asserted here:
figures depend on the machine (docs/performance.md)."""

from __future__ import annotations

import json
import os
import py_compile
import shutil
import site
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from aws_lambda_powertools import Tracer

from automations.diagnostics import diagnose
from automations.models import MAX_EDGES
from automations.routes import ROUTES, Route
from automations.validation import parse_new_automation
from automations_local import coldstart
from automations_local.bench import deployed, environment, import_times, run, standin, workload
from automations_local.template import functions, load_template
from tests.helpers import ROOT, Tables, invoke

TABLES = {"AutomationsTable": "bench-automations", "IdempotencyTable": "bench-idempotency"}
ENDPOINT = "http://127.0.0.1:9"


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.module)
def test_each_function_runs_with_the_variables_the_template_gives_it(
    route: Route, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given the function's variables in template.yaml (Globals merged)
    declared = functions()[route.function]["Environment"]["Variables"]
    # When its environment as deployed is made
    env = environment.deployed(route.function, TABLES, endpoint=ENDPOINT, base={})
    # Then each variable is there, resolved: parameters at their Default, tables named
    assert set(declared) <= set(env)
    assert env["POWERTOOLS_LOG_LEVEL"] == "INFO"
    assert env["POWERTOOLS_METRICS_NAMESPACE"] and "POWERTOOLS_METRICS_DISABLED" not in env
    for name, value in declared.items():
        if value == {"Ref": "AutomationsTable"}:
            assert env[name] == "bench-automations"
    # And it is Lambda's, tracing active, with the X-Ray daemon on loopback
    assert env["LAMBDA_TASK_ROOT"] and env["AWS_LAMBDA_FUNCTION_NAME"] == route.function
    assert env["_X_AMZN_TRACE_ID"].startswith("Root=")
    assert env["AWS_XRAY_DAEMON_ADDRESS"].startswith("127.0.0.1:")
    assert env["AWS_ENDPOINT_URL_DYNAMODB"] == ENDPOINT
    # And as deployed, Powertools' own rule keeps the X-Ray SDK out; asked for, it is in
    for xray_sdk, disabled in ((None, True), (True, False)):
        chosen = environment.deployed(route.function, TABLES, endpoint=ENDPOINT, base={}, xray_sdk=xray_sdk)
        for name, value in chosen.items():
            monkeypatch.setenv(name, value)
        assert bool(Tracer._is_tracer_disabled()) is disabled


def test_a_variable_set_through_a_parameter_and_a_condition_is_resolved_at_its_default() -> None:
    # Given a template whose Globals set a variable from a parameter, through a condition
    template: dict[str, Any] = {
        "Parameters": {"XRaySdkTracing": {"Type": "String", "Default": "false"}},
        "Conditions": {"UseXRaySdk": {"Fn::Equals": [{"Ref": "XRaySdkTracing"}, "true"]}},
        "Globals": {
            "Function": {
                "Environment": {
                    "Variables": {
                        "POWERTOOLS_TRACE_DISABLED": {"Fn::If": ["UseXRaySdk", "false", "true"]},
                        "OPTIONAL": {"Fn::If": ["UseXRaySdk", "x", {"Ref": "AWS::NoValue"}]},
                    }
                }
            }
        },
        "Resources": {
            "Fn": {
                "Type": "AWS::Serverless::Function",
                "Properties": {"Environment": {"Variables": {"TABLE": {"Ref": "Table"}}}},
            }
        },
    }
    # When the function's variables are read
    declared = environment.declared("Fn", {"Table": "t"}, template)
    # Then each is what CloudFormation would set with the defaults
    assert declared == {"POWERTOOLS_TRACE_DISABLED": "true", "TABLE": "t"}


def test_a_value_only_a_deployment_knows_is_refused_rather_than_guessed() -> None:
    template = load_template()
    with pytest.raises(environment.Unresolved):
        environment._resolve({"Fn::GetAtt": ["AutomationsTable", "Arn"]}, template, TABLES)


def test_the_first_requests_are_an_ordinary_flow_and_the_scaling_graph_has_two_edges_a_node() -> None:
    # Given the flow every first request carries
    flow = parse_new_automation(workload.automation(20))
    # Then it is valid and publishable: the validate function does its whole work
    assert diagnose(flow) == []
    # And the dense graph has about 2 edges a node, within the API's limits
    dense = parse_new_automation(workload.automation(1000, dense=True))
    assert len(dense.nodes) == 1000 and 1900 <= len(dense.edges) <= MAX_EDGES


def test_the_validate_function_answers_the_bench_request_publishable() -> None:
    answer = invoke(workload.validate_event(20))
    assert answer.status == 200
    assert answer.body["publishable"] is True and answer.body["diagnosticsTotal"] == 0


def test_the_stand_in_holds_the_item_a_create_of_the_bench_flow_writes(
    tables: Tables, workspace: str
) -> None:
    # Given the bench's create request, served by the create function into a real table
    event = workload.create_event(20)
    event["requestContext"]["authorizer"]["jwt"]["claims"]["workspace_id"] = workspace
    created = invoke(event)
    assert created.status == 201
    (stored,) = tables.items_of(workspace)
    # When the stand-in answers a GetItem for that key
    key = {"workspaceId": {"S": workspace}, "id": {"S": created.body["id"]}}
    item = json.loads(standin.answer(standin.GET_ITEM, json.dumps({"Key": key}).encode()))["Item"]
    # Then it is that very item, timestamps aside
    assert {k: v for k, v in item.items() if not k.endswith("At")} == {
        k: v for k, v in stored.items() if not k.endswith("At")
    }
    assert standin.answer("DynamoDB_20120810.PutItem", b"{}") == b"{}"


@pytest.fixture(scope="module")
def subjects(tmp_path_factory: pytest.TempPathFactory) -> Iterator[list[run.Subject]]:
    """Every subject of a bench run, against a running stand-in: the functions from the
    project's source (this suite does not build), each in its interpreter as the bench
    starts it (isolated, no site), the virtualenv's libraries standing in for the
    runtime's SDK, a copy of the virtualenv's X-Ray SDK layer packages for the layer;
    B from its own read-only task root, precompiled, as in a bench run."""
    process = subprocess.Popen(
        [sys.executable, "-m", "automations_local.bench.standin"], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    endpoint = process.stdout.readline().strip()
    folder = Path(tmp_path_factory.mktemp("bench"))
    events = run.first_requests(folder)
    layer = folder / deployed.XRAY_SDK_LAYER / "python"
    for package in coldstart.xray_sdk_layer():
        shutil.copytree(Path(site.getsitepackages()[0]) / package, layer / package)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(deployed, "task_root", lambda function, into: ROOT / "src")
        patch.setattr(deployed, "layer_root", lambda name, into: into / name / "python")
        patch.setattr(
            deployed,
            "sys_path",
            lambda root, layers=(): os.pathsep.join([str(root), *map(str, layers), *site.getsitepackages()]),
        )
        ours, bare, traced = run.subjects(endpoint, events, folder)
    yield [*ours, bare, *traced]
    process.terminate()
    process.wait(10)


def test_every_subject_serves_its_first_request_in_a_fresh_interpreter(subjects: list[run.Subject]) -> None:
    # Given each function (as deployed, and with the X-Ray SDK) and the bare handler
    modules = [route.module for route in ROUTES]
    assert [s.name for s in subjects] == [*modules, "B", *(f"{m}, X-Ray SDK" for m in modules)]
    for subject in subjects:
        # When one cold start is measured (the child checks the route's status: a GET is a 200)
        result = run.child(subject, "cold", python_flags=("-X", "importtime"))
        # Then it reports its parts, and what it imported, from its own task root
        assert result["cold_ms"] >= result["import_ms"] > 0
        assert subject.handler.rsplit(".", 1)[0] in result["importtime"]
        first = run.child(subject, "cold", loaded=True)
        loaded = first["loaded"]
        handler_file = subject.handler.rsplit(".", 1)[0].replace(".", "/") + ".py"
        assert str(subject.task_root / handler_file) in loaded
        assert all(Path(f).is_relative_to(subject.task_root) for f in loaded)
        # And the X-Ray SDK is loaded only where it was asked for, from its layer
        traced = subject.name.endswith("X-Ray SDK")
        assert ("aws_xray_sdk.core" in result["importtime"]) is traced
        assert len(subject.layers) == (1 if traced else 0)
        from_layers = {Path(f).relative_to(subject.layers[0]).parts[0] for f in first["loaded_from_layers"]}
        assert from_layers == (set(coldstart.xray_sdk_layer()) if traced else set())


def test_the_import_breakdown_counts_what_b_does_not_import_by_package() -> None:
    report = "\n".join(
        [
            "import time: self [us] | cumulative | imported package",
            "import time:      1500 |       1500 |   pydantic_core._pydantic_core",
            "import time:       500 |       2000 | pydantic_core",
            "import time:       300 |        300 |     aws_lambda_powertools.event_handler.api_gateway",
            "import time:       100 |        100 | json",
        ]
    )
    ours, bare = (
        import_times.self_times(report),
        import_times.self_times("import time:       100 |        100 | json"),
    )
    assert import_times.extra_imports([ours], [bare]) == {
        "pydantic_core": {"ms": 2.0, "modules": 2},
        "aws_lambda_powertools.event_handler": {"ms": 0.3, "modules": 1},
    }


def test_b_is_imported_from_its_own_precompiled_read_only_task_root(subjects: list[run.Subject]) -> None:
    (bare,) = [s for s in subjects if s.name == "B"]
    (loaded,) = run.child(bare, "cold", loaded=True)["loaded"]
    assert Path(loaded) == bare.task_root / "bare_handler.py"
    deployed.check_bytecode("B", [loaded])  # its .pyc is there, unchecked-hash
    assert not os.access(bare.task_root, os.W_OK) or os.geteuid() == 0


def test_a_module_loaded_without_its_unchecked_hash_bytecode_fails_the_run(tmp_path: Path) -> None:
    # Given a module with no .pyc, one with a timestamp .pyc, one with an unchecked-hash one
    modules = {name: tmp_path / f"{name}.py" for name in ("none", "timestamp", "unchecked")}
    for path in modules.values():
        path.write_text("x = 1\n")
    py_compile.compile(str(modules["timestamp"]), invalidation_mode=py_compile.PycInvalidationMode.TIMESTAMP)
    unchecked = py_compile.PycInvalidationMode.UNCHECKED_HASH
    py_compile.compile(str(modules["unchecked"]), invalidation_mode=unchecked)
    # Then only the last passes
    deployed.check_bytecode("f", [str(modules["unchecked"])])
    for name in ("none", "timestamp"):
        with pytest.raises(SystemExit, match="missing bytecode"):
            deployed.check_bytecode("f", [str(modules[name]), str(modules["unchecked"])])
    with pytest.raises(SystemExit, match="nothing was imported"):
        deployed.check_bytecode("f", [])


def test_a_write_to_the_task_root_fails_the_run(tmp_path: Path) -> None:
    (tmp_path / "a.py").write_text("x = 1\n")
    before = deployed.listing(tmp_path)
    deployed.unchanged(tmp_path, before)
    (tmp_path / "__pycache__").mkdir()
    with pytest.raises(SystemExit, match="written to"):
        deployed.unchanged(tmp_path, before)
