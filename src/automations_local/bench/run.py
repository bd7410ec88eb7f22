"""`make bench`: each of the project's functions (every route of
``automations.routes.ROUTES``), as built by `make build`, against a bare hand-written handler (B, ``bare_handler.py``: a create with boto3 and nothing
else), in one run on one machine, each imported from a read-only copy of its own
``.aws-sam/build`` folder with the runtime's SDK (``deployed.py``: a module without
its ``.pyc`` fails the run), each in its environment as deployed
(``environment.py``: tracing active, metrics on, the template's variables), all talking over loopback HTTP to the same instant-answer
DynamoDB stand-in (``standin.py``).

What is timed for a cold start is what Lambda's init and first invoke run: a fresh
interpreter importing the handler and serving its first request (``child.py``), not
the interpreter's own start. Each function's first request is its route's ordinary
one (``workload.py``): a 20-node create, a GET of a stored 20-node automation, a
validate of the same 20-node body. Median of ``--rounds`` fresh interpreters, the
subjects taking turns in a rotating order. Also: where each function's import time
goes that B's does not (``-X importtime``), warm p50/p99, peak RSS,
validation scaling, and the deployment package.

Prints the tables (``report.py``, with the targets each ratio is held to) and writes
every figure as JSON (``docs/performance-results.json``) and the tables as
Markdown (``docs/performance-results.md``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from automations.routes import ROUTES
from automations_local.bench import deployed as deployed_package
from automations_local.bench import workload
from automations_local.bench.environment import deployed
from automations_local.bench.import_times import IMPORTS, extra_imports, import_ms, self_times
from automations_local.bench.report import TARGETS, Report
from automations_local.bench.workload import SCALING_NODES
from automations_local.template import ROOT, functions, load_template, table_definitions

ARTIFACT = deployed_package.BUILD / ROUTES[0].function
RESULTS = ROOT / "docs" / "performance-results.json"
TABLES_MD = ROOT / "docs" / "performance-results.md"
BARE_HANDLER = "bare_handler.lambda_handler"


@dataclass(frozen=True)
class Subject:
    """One handler in one environment, with its first request."""

    name: str
    handler: str
    status: int
    env: dict[str, str]
    event: Path
    task_root: Path
    layers: tuple[Path, ...] = ()


def child(
    subject: Subject, mode: str, *args: str, python_flags: tuple[str, ...] = (), loaded: bool = False
) -> dict[str, Any]:
    """One measurement in a fresh interpreter; its -X importtime report, if asked, as
    ``importtime``; the files it imported from the task root, if asked, as ``loaded``,
    and from its layers as ``loaded_from_layers``."""
    started = time.perf_counter()
    done = subprocess.run(
        [*deployed_package.python(), *python_flags, str(deployed_package.CHILD), mode, subject.handler,
         str(subject.status), str(subject.event), *args],
        env=subject.env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"bench child {subject.name} {mode} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["process_ms"] = (time.perf_counter() - started) * 1000
    if not loaded:
        del result["loaded"], result["loaded_from_layers"]
    if python_flags:
        result["importtime"] = self_times(done.stderr)
    return result


def scaling(env: dict[str, str]) -> dict[str, dict[str, float]]:
    """The validate route's warm work, from the project's source (it needs the bench's workload)."""
    env = {k: v for k, v in env.items() if k not in ("BENCH_SYS_PATH", "LAMBDA_TASK_ROOT")}
    done = subprocess.run(
        [sys.executable, "-m", "automations_local.bench.child", "scaling", *map(str, SCALING_NODES)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"bench child scaling failed:\n{done.stderr}")
    found: dict[str, dict[str, float]] = json.loads(done.stdout)
    return found


def artifact_mb(artifact: Path = ARTIFACT) -> tuple[float, float] | None:
    """A build folder's size, zipped and not, in MB: a function's by default."""
    if not artifact.is_dir():
        return None
    files = [p for p in artifact.rglob("*") if p.is_file()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(artifact))
    return buffer.tell() / 1e6, sum(p.stat().st_size for p in files) / 1e6


def first_requests(directory: Path) -> dict[str, Path]:
    """Each route's first request, written where a child can read it: the bench's
    20-node flow for the create, the GET and validate, and for every other route the
    first of its events/ files that expects its success (the stand-in holds the
    20-node flow under any id, at the revision the events' ETags name, in the status
    the event expects: ``workload.success_event``)."""
    events = {
        "create": workload.create_event(20),
        "get": workload.get_event(),
        "validate": workload.validate_event(20),
        "create-1000": workload.create_event(1000),
    }
    for route in ROUTES:
        if route.module not in events:
            events[route.module] = workload.success_event(route)
    paths = {}
    for name, event in events.items():
        paths[name] = directory / f"{name}.json"
        paths[name].write_text(json.dumps(event))
    return paths


def subjects(
    endpoint: str, events: dict[str, Path], into: Path
) -> tuple[list[Subject], Subject, list[Subject]]:
    """Each function as deployed (its build folder, copied read-only into ``into``,
    the template's handler and variables), B in the create function's environment (it
    does the create's job), and each function with the X-Ray SDK loaded (for
    information), the SDK from its layer as deployed with ``XRaySdkTracing``."""
    tables = {name: name for name in table_definitions(load_template())}
    declared = functions()
    ours: list[Subject] = []
    traced: list[Subject] = []
    xray_sdk_layer = deployed_package.layer_root(deployed_package.XRAY_SDK_LAYER, into)
    for route in ROUTES:
        props = declared[route.function]
        assert props["Handler"] == route.handler, (route.function, props["Handler"])
        root = deployed_package.task_root(route.function, into)
        for xray_sdk, found, layers in ((None, ours, ()), (True, traced, (xray_sdk_layer,))):
            env = deployed(route.function, tables, endpoint=endpoint, xray_sdk=xray_sdk)
            env.update(
                LAMBDA_TASK_ROOT=str(root),
                BENCH_SYS_PATH=deployed_package.sys_path(root, layers),
                BENCH_LAYERS=os.pathsep.join(map(str, layers)),
            )
            name = route.module if xray_sdk is None else f"{route.module}, X-Ray SDK"
            found.append(
                Subject(name, props["Handler"], route.success, env, events[route.module], root, layers)
            )
    create = ours[0]
    bare_root = deployed_package.bare_task_root(into)
    env = {
        **create.env,
        "LAMBDA_TASK_ROOT": str(bare_root),
        "BENCH_SYS_PATH": deployed_package.sys_path(bare_root),
    }
    bare = Subject("B", BARE_HANDLER, 201, env, events["create"], bare_root)
    return ours, bare, traced


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15, help="cold starts of each subject")
    parser.add_argument("--import-runs", type=int, default=5, help="-X importtime runs of each subject")
    parser.add_argument("--invocations", type=int, default=400, help="warm invocations, 20 nodes")
    parser.add_argument("--invocations-big", type=int, default=60, help="warm invocations, 1,000 nodes")
    args = parser.parse_args()

    standin = subprocess.Popen(
        [sys.executable, "-m", "automations_local.bench.standin"], stdout=subprocess.PIPE, text=True
    )
    assert standin.stdout is not None
    endpoint = standin.stdout.readline().strip()
    try:
        with tempfile.TemporaryDirectory() as tmp:
            events = first_requests(Path(tmp))
            ours, bare, traced = subjects(endpoint, events, Path(tmp))
            everyone = [*ours, bare, *traced]
            roots = {root for s in everyone for root in (s.task_root, *s.layers)}
            before = {root: deployed_package.listing(root) for root in roots}
            for subject in everyone:  # one first run each: every module came with its .pyc
                first = child(subject, "cold", loaded=True)
                deployed_package.check_bytecode(subject.name, first["loaded"] + first["loaded_from_layers"])
                if subject.layers and not first["loaded_from_layers"]:
                    raise SystemExit(f"{subject.name}: nothing was imported from its layers")
            cold: dict[str, list[dict[str, Any]]] = {s.name: [] for s in everyone}
            for round_ in range(args.rounds):  # a rotating order: nobody always first
                shift = round_ % len(everyone)
                for subject in everyone[shift:] + everyone[:shift]:
                    cold[subject.name].append(child(subject, "cold"))
            importtime: dict[str, list[dict[str, float]]] = {s.name: [] for s in [*ours, bare]}
            for _ in range(args.import_runs):
                for subject in [*ours, bare]:
                    run = child(subject, "cold", python_flags=("-X", "importtime"))
                    importtime[subject.name].append(run["importtime"])
            warm: dict[str, dict[str, Any]] = {}
            for subject in [*ours, bare]:
                warm[subject.name] = child(subject, "warm", str(args.invocations))
            for subject in (ours[0], bare):
                big = replace(subject, event=events["create-1000"])
                warm[f"{subject.name}, 1,000 nodes"] = child(big, "warm", str(args.invocations_big))
            for root, listed in before.items():
                deployed_package.unchanged(root, listed)
            validate = next(s for s in ours if s.name == "validate")
            scaled = scaling(validate.env)
            source_env = {
                k: v for k, v in ours[0].env.items() if k not in ("BENCH_SYS_PATH", "LAMBDA_TASK_ROOT")
            }
            imports = {name: import_ms(statement, source_env) for name, statement in IMPORTS.items()}
    finally:
        standin.terminate()
    package = artifact_mb()
    layer = artifact_mb(deployed_package.BUILD / deployed_package.XRAY_SDK_LAYER)
    extra = {s.name: extra_imports(importtime[s.name], importtime[bare.name]) for s in ours}
    missing = {s.name: extra_imports(importtime[bare.name], importtime[s.name]) for s in ours}
    report = Report(ours, bare, traced, cold, warm, extra, missing, scaled, imports, package, layer)
    lines = report.lines()
    print("\n".join(lines))

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": report.when, "machine": report.machine, "cold": cold, "warm": warm,
                "imports_only_in_function": extra, "imports_only_in_bare": missing,
                "importtime_runs": importtime, "validation": scaled, "imports_alone_ms": imports,
                "package_mb": package, "xray_sdk_layer_mb": layer, "targets": {name: t.limit for name, t in TARGETS.items()},
                "measured": report.measured(),
                "cold_spread": {name: report.spread(name) for name in cold},
                "environment": {s.name: s.env for s in [*ours, *traced]},
            },
            indent=2,
        )
    )  # fmt: skip
    TABLES_MD.write_text(
        "# Performance: `make bench`\n\nWritten by `make bench` (src/automations_local/bench/run.py); "
        f"every figure is in {RESULTS.name}.\n\n" + "\n".join(lines) + "\n"
    )
    print(f"\nfigures: {RESULTS.relative_to(ROOT)}, {TABLES_MD.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
