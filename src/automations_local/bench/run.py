"""`make bench`: each of the project's functions (create, get, validate) against a
bare hand-written handler (B, ``bare_handler.py``: a create with boto3 and nothing
else), in one run on one machine, each in its environment as deployed
(``environment.py``: ``LAMBDA_TASK_ROOT`` set, tracing active, metrics on, the
template's variables), all talking over loopback HTTP to the same instant-answer
DynamoDB stand-in (``standin.py``).

What is timed for a cold start is what Lambda's init and first invoke run: a fresh
interpreter importing the handler and serving its first request (``child.py``), not
the interpreter's own start. Each function's first request is its route's ordinary
one (``workload.py``): a 20-node create, a GET of a stored 20-node automation, a
validate of the same 20-node body. Median of ``--rounds`` fresh interpreters, the
subjects taking turns in a rotating order. Also: where each function's import time
goes that B's does not (``-X importtime``), warm p50/p99, peak RSS, issue 10's
validation scaling, and the deployment package.

Prints the tables and writes every figure as JSON (``build/bench/results.json``).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from automations.routes import ROUTES
from automations_local.bench import workload
from automations_local.bench.environment import deployed
from automations_local.template import ROOT, functions, load_template, table_definitions

ARTIFACT = ROOT / ".aws-sam" / "build" / "CreateAutomationFunction"
RESULTS = ROOT / "build" / "bench" / "results.json"
BARE_HANDLER = "automations_local.bench.bare_handler.lambda_handler"
SCALING_NODES = (100, 1_000)
# Cold starts spread wider than this (interquartile range / median): a busy machine.
BUSY_SPREAD = 0.15
# The import breakdown lists what takes at least this long (ms) in one function.
SHOWN_MS = 1.0


@dataclass(frozen=True)
class Target:
    limit: float
    strict: bool = False  # below the limit, not at it

    def holds(self, value: float) -> bool:
        return value < self.limit if self.strict else value <= self.limit


TARGETS = {
    # Issue 11, "Cold start, as deployed": ratio to B's, same run.
    "cold start, create / B": Target(1.15),
    "cold start, get / B": Target(1.0),
    "cold start, validate / B": Target(0.8),
    # Issue 10: the validate function's cold start beats B's.
    "cold start, validate / B, below B's": Target(1.0, strict=True),
    "warm p50, create / B, 20 nodes": Target(1.0),
    "warm p50, create / B, 1,000 nodes": Target(0.5),
    # Issue 10: the validate route's whole work on 2 edges a node.
    "validation, 1,000 / 100 nodes": Target(12.0),
    "diagnostics / parsing, 1,000 nodes": Target(1.0),
    "peak RSS, create - B (MB)": Target(15.0),
    "package, zipped (MB)": Target(5.0),
}


@dataclass(frozen=True)
class Subject:
    """One handler in one environment, with its first request."""

    name: str
    handler: str
    status: int
    env: dict[str, str]
    event: Path


def child(subject: Subject, mode: str, *args: str, python_flags: tuple[str, ...] = ()) -> dict[str, Any]:
    """One measurement in a fresh interpreter; its -X importtime report, if asked, as
    ``importtime``."""
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, *python_flags, "-m", "automations_local.bench.child", mode, subject.handler,
         str(subject.status), str(subject.event), *args],
        env=subject.env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"bench child {subject.name} {mode} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["process_ms"] = (time.perf_counter() - started) * 1000
    if python_flags:
        result["importtime"] = self_times(done.stderr)
    return result


def self_times(report: str) -> dict[str, float]:
    """Module → its own import time (ms), from ``python -X importtime``'s report."""
    found: dict[str, float] = {}
    for line in report.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        own, _, module = line.removeprefix("import time:").split("|")
        found[module.strip()] = int(own) / 1000
    return found


def group_of(module: str) -> str:
    """What a module is counted under: its top-level package, Powertools' modules by
    utility, and this project's own modules one by one (a handler module's own time
    is its module code: the init-time work)."""
    parts = module.split(".")
    if parts[0] in ("automations", "automations_local"):
        return module
    if parts[0] == "aws_lambda_powertools" and len(parts) > 1:
        return ".".join(parts[:2])
    return parts[0]


def extra_imports(
    runs: list[dict[str, float]], bare_runs: list[dict[str, float]]
) -> dict[str, dict[str, float]]:
    """What a function imports that B does not, by package: the median (over runs) of
    the summed self time, and how many modules."""
    bare = set().union(*bare_runs)
    groups: dict[str, dict[str, float]] = {}
    modules = {m for run in runs for m in run} - bare
    for name in {group_of(m) for m in modules}:
        members = [m for m in modules if group_of(m) == name]
        groups[name] = {
            "ms": statistics.median(sum(run.get(m, 0.0) for m in members) for run in runs),
            "modules": len(members),
        }
    return groups


def scaling(env: dict[str, str]) -> dict[str, dict[str, float]]:
    done = subprocess.run(
        [sys.executable, "-m", "automations_local.bench.child", "scaling", *map(str, SCALING_NODES)],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"bench child scaling failed:\n{done.stderr}")
    found: dict[str, dict[str, float]] = json.loads(done.stdout)
    return found


# Where a cold start goes: each import alone, in a fresh interpreter (shared
# dependencies are counted in every row that needs them).
IMPORTS = {
    "pydantic (BaseModel)": "from pydantic import BaseModel",
    "pydantic + our models": "import automations.models",
    "Powertools event_handler": "import aws_lambda_powertools.event_handler",
    "Powertools Logger + Metrics": "from aws_lambda_powertools import Logger, Metrics",
    "botocore session (create's and get's SDK)": "import botocore.session",
    "boto3 (B's SDK)": "import boto3",
    "X-Ray SDK (not loaded as deployed)": "import aws_xray_sdk.core",
}


def import_ms(statement: str, env: dict[str, str], runs: int = 7) -> float:
    code = f"import time\nstarted = time.perf_counter()\n{statement}\nprint((time.perf_counter() - started) * 1000)"
    times = [
        float(
            subprocess.run(
                [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
            ).stdout
        )
        for _ in range(runs)
    ]
    return statistics.median(times)


def artifact_mb() -> tuple[float, float] | None:
    if not ARTIFACT.is_dir():
        return None
    files = [p for p in ARTIFACT.rglob("*") if p.is_file()]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            archive.write(path, path.relative_to(ARTIFACT))
    return buffer.tell() / 1e6, sum(p.stat().st_size for p in files) / 1e6


def first_requests(directory: Path) -> dict[str, Path]:
    """Each route's first request, written where a child can read it."""
    events = {
        "create": workload.create_event(20),
        "get": workload.get_event(),
        "validate": workload.validate_event(20),
        "create-1000": workload.create_event(1000),
    }
    paths = {}
    for name, event in events.items():
        paths[name] = directory / f"{name}.json"
        paths[name].write_text(json.dumps(event))
    return paths


def subjects(endpoint: str, events: dict[str, Path]) -> tuple[list[Subject], Subject, list[Subject]]:
    """Each function as deployed (the template's handler and variables), B in the
    create function's environment (it does the create's job), and each function with
    the X-Ray SDK loaded (for information)."""
    tables = {name: name for name in table_definitions(load_template())}
    declared = functions()
    ours: list[Subject] = []
    traced: list[Subject] = []
    for route in ROUTES:
        props = declared[route.function]
        assert props["Handler"] == route.handler, (route.function, props["Handler"])
        for xray_sdk, found in ((None, ours), (True, traced)):
            env = deployed(route.function, tables, endpoint=endpoint, xray_sdk=xray_sdk)
            env["PYTHONDONTWRITEBYTECODE"] = ""  # bytecode caches: as the precompiled package
            name = route.module if xray_sdk is None else f"{route.module}, X-Ray SDK"
            found.append(Subject(name, props["Handler"], route.success, env, events[route.module]))
    create = ours[0]
    bare = Subject("B", BARE_HANDLER, 201, create.env, events["create"])
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
            ours, bare, traced = subjects(endpoint, events)
            everyone = [*ours, bare, *traced]
            for subject in everyone:  # compile bytecode caches first, for all
                child(subject, "cold")
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
                big = Subject(
                    subject.name, subject.handler, subject.status, subject.env, events["create-1000"]
                )
                warm[f"{subject.name}, 1,000 nodes"] = child(big, "warm", str(args.invocations_big))
            validate = next(s for s in ours if s.name == "validate")
            scaled = scaling(validate.env)
            imports = {name: import_ms(statement, ours[0].env) for name, statement in IMPORTS.items()}
    finally:
        standin.terminate()
    package = artifact_mb()
    extra = {s.name: extra_imports(importtime[s.name], importtime[bare.name]) for s in ours}
    missing = {s.name: extra_imports(importtime[bare.name], importtime[s.name]) for s in ours}
    report = Report(ours, bare, traced, cold, warm, extra, missing, scaled, imports, package)
    print("\n".join(report.lines()))

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "when": report.when, "machine": report.machine, "cold": cold, "warm": warm,
                "imports_only_in_function": extra, "imports_only_in_bare": missing,
                "importtime_runs": importtime, "validation": scaled, "imports_alone_ms": imports,
                "package_mb": package, "targets": {name: t.limit for name, t in TARGETS.items()},
                "measured": report.measured(),
                "cold_spread": {name: report.spread(name) for name in cold},
                "environment": {s.name: s.env for s in [*ours, *traced]},
            },
            indent=2,
        )
    )  # fmt: skip
    print(f"\nfigures: {RESULTS.relative_to(ROOT)}")
    return 0


@dataclass
class Report:
    ours: list[Subject]
    bare: Subject
    traced: list[Subject]
    cold: dict[str, list[dict[str, Any]]]
    warm: dict[str, dict[str, Any]]
    extra: dict[str, dict[str, dict[str, float]]]
    missing: dict[str, dict[str, dict[str, float]]]
    scaled: dict[str, dict[str, float]]
    imports: dict[str, float]
    package: tuple[float, float] | None

    def __post_init__(self) -> None:
        self.when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        self.machine = (
            f"{platform.machine()}, {os.cpu_count()} cores, {platform.system()}, "
            f"Python {platform.python_version()} (the functions run python3.13 on arm64)"
        )

    def median(self, name: str, key: str) -> float:
        return float(statistics.median(run[key] for run in self.cold[name]))

    def spread(self, name: str) -> float:
        """The interquartile range of the cold starts over their median: how quiet the
        machine was (a few percent on a quiet one)."""
        quartiles = statistics.quantiles([float(run["cold_ms"]) for run in self.cold[name]], n=4)
        return (quartiles[2] - quartiles[0]) / quartiles[1]

    def ratio(self, name: str, key: str = "cold_ms") -> float:
        return self.median(name, key) / self.median(self.bare.name, key)

    def measured(self) -> dict[str, float]:
        small, big = self.scaled[str(SCALING_NODES[0])], self.scaled[str(SCALING_NODES[-1])]
        found = {
            "cold start, create / B": self.ratio("create"),
            "cold start, get / B": self.ratio("get"),
            "cold start, validate / B": self.ratio("validate"),
            "cold start, validate / B, below B's": self.ratio("validate"),
            "warm p50, create / B, 20 nodes": self.warm["create"]["p50_ms"] / self.warm["B"]["p50_ms"],
            "warm p50, create / B, 1,000 nodes": self.warm["create, 1,000 nodes"]["p50_ms"]
            / self.warm["B, 1,000 nodes"]["p50_ms"],
            "validation, 1,000 / 100 nodes": big["route_ms"] / small["route_ms"],
            "diagnostics / parsing, 1,000 nodes": big["diagnostics_ms"] / big["parse_ms"],
            "peak RSS, create - B (MB)": self.median("create", "peak_rss_mb")
            - self.median("B", "peak_rss_mb"),
        }
        if self.package:
            found["package, zipped (MB)"] = self.package[0]
        return found

    def lines(self) -> list[str]:
        names = [s.name for s in self.ours]
        bare = self.bare.name
        header = "| " + " | ".join(names) + " | B: bare handler |"
        lines = [
            f"make bench, {self.when}, {self.machine}",
            "",
            f"| cold start, median of {len(self.cold[bare])} (ms) {header}",
            "|---|" + "---:|" * (len(names) + 1),
        ]
        for label, key in (
            ("import + first request", "cold_ms"),
            ("  of which import", "import_ms"),
            ("  of which first request", "first_request_ms"),
            ("  whole process, interpreter included", "process_ms"),
            ("peak RSS after first request (MB)", "peak_rss_mb"),
        ):
            values = [self.median(n, key) for n in [*names, bare]]
            lines.append(f"| {label} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
        lines.append(
            "| import + first request / B | " + " | ".join(f"{self.ratio(n):.2f}" for n in names) + " | 1 |"
        )
        spreads = [self.spread(n) for n in [*names, bare]]
        lines.append(
            "| spread of import + first request: interquartile range / median (%) | "
            + " | ".join(f"{100 * v:.0f}" for v in spreads) + " |"
        )  # fmt: skip
        traced = [s.name for s in self.traced]
        lines.append(
            "| with the X-Ray SDK loaded: import + first request | "
            + " | ".join(f"{self.median(n, 'cold_ms'):.2f}" for n in traced) + " | |"
        )  # fmt: skip
        lines.append(
            "| with the X-Ray SDK loaded: / B | "
            + " | ".join(f"{self.ratio(n):.2f}" for n in traced)
            + " | |"
        )

        if max(spreads) > BUSY_SPREAD:
            lines += [
                "",
                f"NOTE: cold starts spread over {100 * max(spreads):.0f}% of their median (under "
                f"{100 * BUSY_SPREAD:.0f}% on a quiet machine): the machine was busy, and the ratios move "
                "more from one run to the next; run it again to compare.",
            ]
        lines += ["", f"| warm, per invocation (ms) {header}", "|---|" + "---:|" * (len(names) + 1)]
        for label, key in (("p50, 20 nodes", "p50_ms"), ("p99, 20 nodes", "p99_ms")):
            values = [self.warm[n][key] for n in [*names, bare]]
            lines.append(f"| {label} | " + " | ".join(f"{v:.2f}" for v in values) + " |")
        for label, key in (("p50, 1,000 nodes", "p50_ms"), ("p99, 1,000 nodes", "p99_ms")):
            cells = [f"{self.warm[f'{n}, 1,000 nodes'][key]:.2f}" if f"{n}, 1,000 nodes" in self.warm else "-"
                     for n in [*names, bare]]  # fmt: skip
            lines.append(f"| {label} | " + " | ".join(cells) + " |")

        lines += [
            "",
            "| imported by the function and not by B: self time under -X importtime "
            "(ms, median; modules) | " + " | ".join(names) + " |",
            "|---|" + "---:|" * len(names),
        ]
        groups = sorted(
            {g for n in names for g in self.extra[n]},
            key=lambda g: -max(self.extra[n].get(g, {"ms": 0.0})["ms"] for n in names),
        )
        shown = [g for g in groups if max(self.extra[n].get(g, {"ms": 0.0})["ms"] for n in names) >= SHOWN_MS]
        for group in shown:
            cells = []
            for n in names:
                entry = self.extra[n].get(group)
                cells.append("-" if entry is None else f"{entry['ms']:.1f} ({entry['modules']:.0f})")
            lines.append(f"| {group} | " + " | ".join(cells) + " |")
        rest = [g for g in groups if g not in shown]
        if rest:
            cells = [f"{sum(self.extra[n][g]['ms'] for g in rest if g in self.extra[n]):.1f}" for n in names]
            lines.append(f"| {len(rest)} others, under {SHOWN_MS:g} ms each | " + " | ".join(cells) + " |")
        lines.append(
            "| **all the function imports and B does not** | "
            + " | ".join(f"**{sum(e['ms'] for e in self.extra[n].values()):.1f}**" for n in names) + " |"
        )  # fmt: skip
        lines.append(
            "| all B imports and the function does not | "
            + " | ".join(f"{sum(e['ms'] for e in self.missing[n].values()):.1f}" for n in names) + " |"
        )  # fmt: skip
        lines.append(
            "|   of which, the largest | "
            + " | ".join(
                ", ".join(
                    f"{g} {e['ms']:.1f}"
                    for g, e in sorted(self.missing[n].items(), key=lambda item: -item[1]["ms"])[:3]
                )
                for n in names
            )
            + " |"
        )

        lines += [
            "",
            "A handler module's own time is its module code, the init-time work: for create and get, "
            "making the DynamoDB client (store.make_at_init); for B, its boto3 client.",
        ]
        lines += ["", "| import, alone in a fresh interpreter (median) | ms |", "|---|---:|"]
        lines += [f"| {name} | {ms:.1f} |" for name, ms in self.imports.items()]

        sizes = [str(n) for n in SCALING_NODES]
        small, big = self.scaled[sizes[0]], self.scaled[sizes[-1]]
        lines += [
            "",
            "| validate's work, 2 edges a node (ms, best of 31) | "
            + " | ".join(f"{int(n):,} nodes, {int(self.scaled[n]['edges']):,} edges" for n in sizes)
            + f" | {int(sizes[-1]):,} / {int(sizes[0]):,} |",
            "|---|" + "---:|" * (len(sizes) + 1),
        ]
        for label, key in (
            ("parse: body, models, graph rules", "parse_ms"),
            ("diagnostics", "diagnostics_ms"),
            ("the whole request, through the handler", "route_ms"),
        ):
            lines.append(
                f"| {label} | " + " | ".join(f"{self.scaled[n][key]:.2f}" for n in sizes)
                + f" | {big[key] / small[key]:.2f} |"
            )  # fmt: skip
        lines.append(
            "| diagnostics / parse | "
            + " | ".join(
                f"{self.scaled[n]['diagnostics_ms'] / self.scaled[n]['parse_ms']:.2f}" for n in sizes
            )
            + " | |"
        )

        lines += ["", "| deployment package | zipped | unzipped |", "|---|---:|---:|"]
        lines.append(
            f"| size (MB) | {self.package[0]:.2f} | {self.package[1]:.2f} |"
            if self.package
            else "| size (MB) | not built (make build) | |"
        )

        measured = self.measured()
        lines += ["", "| target | limit | measured | holds |", "|---|---:|---:|---|"]
        for name, target in TARGETS.items():
            value = measured.get(name)
            limit = f"< {target.limit:g}" if target.strict else f"{target.limit:g}"
            shown_value = "-" if value is None else f"{value:.2f}"
            holds = "-" if value is None else ("yes" if target.holds(value) else "NO")
            lines.append(f"| {name} | {limit} | {shown_value} | {holds} |")
        return lines


if __name__ == "__main__":
    sys.exit(main())
