"""`make bench`: the project's handler (A) against a bare hand-written handler
(B, ``bare_handler.py``) doing the same job, in one run on one machine, both
talking over loopback HTTP to the same instant-answer DynamoDB stand-in.

Prints a table and writes the figures as JSON (``build/bench/results.json``):
cold start (a fresh interpreter importing the handler and serving its first
request: median of several runs, A and B alternating) with peak RSS; warm p50 and
p99 per invocation for a 20-node and a 1,000-node automation; graph validation
from 100 to 10,000 nodes; and the deployment package, zipped and unzipped.
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
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from automations_local.events import http_api_event
from automations_local.template import ROOT

ARTIFACT = ROOT / ".aws-sam" / "build" / "CreateAutomationFunction"
RESULTS = ROOT / "build" / "bench" / "results.json"
TARGETS = {
    "cold start (A/B)": 1.15,
    "warm p50, 20 nodes (A/B)": 1.0,
    "warm p50, 1,000 nodes (A/B)": 0.5,
    "validation, 10,000 / 1,000 nodes": 12.0,
    "peak RSS, A - B (MB)": 15.0,
    "package, zipped (MB)": 5.0,
}


def automation(nodes: int) -> dict[str, Any]:
    """An ordinary automation: a chain of send-email and delay nodes with floats."""
    kinds = ["send-email", "time-delay", "if-else"]
    return {
        "name": f"Drip, {nodes} steps",
        "description": "Benchmark automation",
        "trigger": {"type": "contact.subscribed", "config": {"listIds": ["lst_1"]}},
        "nodes": [
            {
                "id": f"n{i}",
                "type": kinds[i % 3],
                "position": {"x": 250.5, "y": i * 120.25},
                "data": {
                    "emailId": f"eml_{i}",
                    "subject": f"Step {i}",
                    "delay": {"amount": 2, "unit": "days"},
                },
            }
            for i in range(nodes)
        ],
        "edges": [{"id": f"e{i}", "source": f"n{i}", "target": f"n{i + 1}"} for i in range(nodes - 1)],
    }


def write_event(directory: Path, nodes: int) -> Path:
    event = http_api_event(
        json.dumps(automation(nodes)),
        claims={"sub": "bench", "scope": "write:automations", "workspace_id": "ws_bench"},
        request_id="bench",
    )
    path = directory / f"event-{nodes}.json"
    path.write_text(json.dumps(event))
    return path


def child(env: dict[str, str], *args: str) -> dict[str, Any]:
    started = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-m", "automations_local.bench.child", *args],
        env=env, capture_output=True, text=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"bench child {args} failed:\n{done.stderr}")
    result: dict[str, Any] = json.loads(done.stdout)
    result["process_ms"] = (time.perf_counter() - started) * 1000
    return result


def validation_ms(nodes: int, repeats: int = 9) -> float:
    """Graph validation (node and edge models, graph rules) of ``nodes`` nodes, best of
    ``repeats``. The API caps nodes at 1,000; past it this measures how the rules scale."""
    from pydantic import TypeAdapter

    from automations import graph
    from automations.models import Edge, Node

    body = automation(nodes)
    node_list, edge_list = TypeAdapter(list[Node]), TypeAdapter(list[Edge])
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        node_list.validate_python(body["nodes"])
        edge_list.validate_python(body["edges"])
        assert graph.find_problems(body["nodes"], body["edges"]) == []
        best = min(best, time.perf_counter() - started)
    return best * 1000


# Where a cold start goes: each import alone, in a fresh interpreter (shared
# dependencies are counted in every row that needs them).
IMPORTS = {
    "pydantic (BaseModel)": "from pydantic import BaseModel",
    "pydantic + our models": "import automations.models",
    "Powertools event_handler": "import aws_lambda_powertools.event_handler",
    "Powertools Logger + Metrics": "from aws_lambda_powertools import Logger, Metrics",
    "botocore session (A's SDK)": "import botocore.session",
    "boto3 (B's SDK)": "import boto3",
    "X-Ray SDK (not loaded when tracing is off)": "import aws_xray_sdk.core",
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rounds", type=int, default=15, help="cold starts of each handler")
    parser.add_argument("--invocations", type=int, default=400, help="warm invocations, 20 nodes")
    parser.add_argument("--invocations-big", type=int, default=60, help="warm invocations, 1,000 nodes")
    args = parser.parse_args()

    standin = subprocess.Popen(
        [sys.executable, "-m", "automations_local.bench.standin"], stdout=subprocess.PIPE, text=True
    )
    assert standin.stdout is not None
    endpoint = standin.stdout.readline().strip()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_", "LAMBDA_"))}
    env.update(
        AWS_ENDPOINT_URL_DYNAMODB=endpoint, AWS_DEFAULT_REGION="us-east-1", AWS_ACCESS_KEY_ID="bench",
        AWS_SECRET_ACCESS_KEY="bench", AUTOMATIONS_TABLE="bench", PYTHONDONTWRITEBYTECODE="",
    )  # fmt: skip
    try:
        with tempfile.TemporaryDirectory() as tmp:
            small, big = write_event(Path(tmp), 20), write_event(Path(tmp), 1000)
            cold: dict[str, list[dict[str, Any]]] = {"ours": [], "bare": []}
            for which in ("ours", "bare"):  # compile bytecode caches first, for both
                child(env, "cold", which, str(small))
            for round_ in range(args.rounds):
                for which in ("ours", "bare") if round_ % 2 == 0 else ("bare", "ours"):
                    cold[which].append(child(env, "cold", which, str(small)))
            warm: dict[str, dict[str, dict[str, Any]]] = {"20": {}, "1000": {}}
            for size, path, count in (("20", small, args.invocations), ("1000", big, args.invocations_big)):
                for which in ("ours", "bare"):
                    warm[size][which] = child(env, "warm", which, str(path), str(count))
    finally:
        standin.terminate()

    def median(which: str, key: str) -> float:
        return float(statistics.median(run[key] for run in cold[which]))

    scaling = {n: validation_ms(n) for n in (100, 1_000, 10_000)}
    imports = {name: import_ms(statement, env) for name, statement in IMPORTS.items()}
    package = artifact_mb()
    rows = [
        ("cold start: import + first request (ms)", median("ours", "cold_ms"), median("bare", "cold_ms")),
        ("  of which import (ms)", median("ours", "import_ms"), median("bare", "import_ms")),
        (
            "  of which first request (ms)",
            median("ours", "first_request_ms"),
            median("bare", "first_request_ms"),
        ),
        (
            "  whole process, interpreter included (ms)",
            median("ours", "process_ms"),
            median("bare", "process_ms"),
        ),
        ("peak RSS after first request (MB)", median("ours", "peak_rss_mb"), median("bare", "peak_rss_mb")),
        ("warm p50, 20 nodes (ms)", warm["20"]["ours"]["p50_ms"], warm["20"]["bare"]["p50_ms"]),
        ("warm p99, 20 nodes (ms)", warm["20"]["ours"]["p99_ms"], warm["20"]["bare"]["p99_ms"]),
        ("warm p50, 1,000 nodes (ms)", warm["1000"]["ours"]["p50_ms"], warm["1000"]["bare"]["p50_ms"]),
        ("warm p99, 1,000 nodes (ms)", warm["1000"]["ours"]["p99_ms"], warm["1000"]["bare"]["p99_ms"]),
    ]
    measured = {
        "cold start (A/B)": rows[0][1] / rows[0][2],
        "warm p50, 20 nodes (A/B)": rows[5][1] / rows[5][2],
        "warm p50, 1,000 nodes (A/B)": rows[7][1] / rows[7][2],
        "validation, 10,000 / 1,000 nodes": scaling[10_000] / scaling[1_000],
        "peak RSS, A - B (MB)": rows[4][1] - rows[4][2],
    }
    if package:
        measured["package, zipped (MB)"] = package[0]

    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"
    lines = [
        f"make bench, {when}, {machine}",
        "",
        "| measure | A: this project | B: bare handler | A/B |",
        "|---|---:|---:|---:|",
    ]
    for name, ours, bare in rows:
        lines.append(f"| {name} | {ours:.2f} | {bare:.2f} | {ours / bare:.2f} |")
    lines += ["", "| import, alone in a fresh interpreter (median) | ms |", "|---|---:|"]
    lines += [f"| {name} | {ms:.1f} |" for name, ms in imports.items()]
    lines += ["", "| graph validation | 100 nodes | 1,000 nodes | 10,000 nodes |", "|---|---:|---:|---:|"]
    lines.append("| time (ms) | " + " | ".join(f"{scaling[n]:.2f}" for n in (100, 1_000, 10_000)) + " |")
    lines.append(
        "| per node (µs) | " + " | ".join(f"{scaling[n] * 1000 / n:.2f}" for n in (100, 1_000, 10_000)) + " |"
    )
    lines += ["", "| deployment package | zipped | unzipped |", "|---|---:|---:|"]
    lines.append(
        f"| size (MB) | {package[0]:.2f} | {package[1]:.2f} |"
        if package
        else "| size (MB) | not built (make build) | |"
    )
    lines += ["", "| target | limit | measured | holds |", "|---|---:|---:|---|"]
    for name, limit in TARGETS.items():
        value = measured.get(name)
        lines.append(
            f"| {name} | {limit:g} | {'-' if value is None else f'{value:.2f}'} | {'-' if value is None else ('yes' if value <= limit else 'NO')} |"
        )
    print("\n".join(lines))

    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"when": when, "machine": machine, "cold": cold, "warm": warm, "validation_ms": scaling, "imports_ms": imports,
                                   "package_mb": package, "targets": TARGETS, "measured": measured}, indent=2))  # fmt: skip
    print(f"\nfigures: {RESULTS.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
