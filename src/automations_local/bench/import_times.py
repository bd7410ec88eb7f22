"""Where a function's import time goes that the bare handler's does not: each fresh
interpreter's ``python -X importtime`` report, read and grouped by package, and a few
imports timed alone.
"""

from __future__ import annotations

import statistics
import subprocess
import sys


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
