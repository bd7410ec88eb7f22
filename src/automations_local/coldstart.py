"""The modules the function imports: what the build precompiles.

`/var/task` is read-only, so Python cannot cache bytecode there: every module
without a ``.pyc`` in the package is compiled again at every cold start. The build
(src/Makefile) precompiles the modules listed in ``src/bytecode.txt``: those that a
fresh interpreter imports while serving each kind of request of every route (its
files in ``events/``, keyed creates and unkeyed ones among them, and on every route
a 401 and an event that is not one), as in Lambda with tracing active, once with
Powertools' Tracer loading the X-Ray SDK and once without (``XRaySdkTracing``: the
configurations template.yaml offers). The SDK's packages (src/Makefile,
``XRAY_SDK_LAYER``) ship in a layer that only a function deployed with the SDK gets:
the build precompiles the listed modules there too, and the probe without the SDK
runs with those packages absent, as the function runs without its layer, so that
importing one fails it. The build also leaves out of the package what
no function imports in any of them (src/Makefile, ``TRIMMED``; the tests check it
against this probe). The rest of the packaged
libraries ship as source only, which keeps the zip under 5 MB; a module missing
from the list still works, it is only compiled on first import.

    python -m automations_local.coldstart          # rewrite src/bytecode.txt
    python -m automations_local.coldstart --check  # fail if it is out of date
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from automations_local.generated import write_or_check
from automations_local.template import ROOT

LIST = ROOT / "src" / "bytecode.txt"

_PROBE = r"""
import importlib, json, os, sys
from pathlib import Path
sys.stdout = open(os.devnull, "w")

class Absent:
    # The packages of a layer the function runs without: not importable.
    names = os.environ.get("PROBE_ABSENT", "").split()

    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in self.names:
            raise ModuleNotFoundError(f"No module named {name!r} (not in the function without its layer)", name=name)
        return None

sys.meta_path.insert(0, Absent())
from automations.routes import ROUTES
from automations_local.context import LambdaContext
from automations_local.events import http_api_event

# Each route's kinds of request are its files in events/ (every one a route's
# events replay), then the refusals every route gets: no token, and no event.
events = [json.loads(p.read_text()) for p in sorted(Path(sys.argv[1]).glob("*.json")) if not p.name.endswith(".expected.json")]
for route in ROUTES:
    handler = importlib.import_module(f"automations.routes.{route.module}").lambda_handler
    mine = [event for event in events if event.get("routeKey") == route.key]
    assert mine, f"no events/ file for {route.key}"
    for event in mine:
        handler(event, LambdaContext())
    handler(http_api_event("{}", claims=None, method=route.method, path=route.path, route_key=route.key), LambdaContext())
    handler(None, LambdaContext())
roots = [os.path.realpath(p) for p in sys.argv[2:]]
found = set()
for module in list(sys.modules.values()):
    path = getattr(module, "__file__", None)
    if not path or not path.endswith(".py"):
        continue
    path = os.path.realpath(path)
    for root in roots:
        if path.startswith(root + os.sep):
            found.add(os.path.relpath(path, root))
sys.__stdout__.write(json.dumps(sorted(found)))
"""


def makefile_variable(name: str) -> list[str]:
    """A variable of src/Makefile, as make expands it, split into words."""
    done = subprocess.run(
        ["make", "-s", "--no-print-directory", "--eval", f"print-variable: ; @echo $({name})", "print-variable"],
        cwd=ROOT / "src", capture_output=True, text=True, check=True,
    )  # fmt: skip
    return done.stdout.split()


def xray_sdk_layer() -> list[str]:
    """The top-level packages of the X-Ray SDK layer (src/Makefile, ``XRAY_SDK_LAYER``)."""
    return makefile_variable("XRAY_SDK_LAYER")


def imported_modules() -> list[str]:
    """Paths (relative to the package root) of every module a fresh interpreter
    imports to serve the probe requests, against an instant-answer stand-in, with
    the X-Ray SDK loaded or not: all of them, in either."""
    return sorted({m for xray_sdk in (True, False) for m in imported_modules_with(xray_sdk=xray_sdk)})


def imported_modules_with(*, xray_sdk: bool) -> list[str]:
    """What :func:`imported_modules` finds in one configuration; without the SDK, its
    layer's packages are absent and importing one fails the probe."""
    import site

    standin = subprocess.Popen(
        [sys.executable, "-m", "automations_local.bench.standin"], stdout=subprocess.PIPE, text=True
    )
    assert standin.stdout is not None
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "POWERTOOLS_", "LAMBDA_"))}
        env.update(
            AWS_ENDPOINT_URL_DYNAMODB=standin.stdout.readline().strip(), AWS_DEFAULT_REGION="us-east-1",
            AWS_ACCESS_KEY_ID="probe", AWS_SECRET_ACCESS_KEY="probe", AUTOMATIONS_TABLE="probe", IDEMPOTENCY_TABLE="probe",
            # As in Lambda with tracing active, so the X-Ray SDK's modules are listed too
            # (its segments go to a daemon address on loopback where nothing listens).
            LAMBDA_TASK_ROOT=str(ROOT / "src"), AWS_LAMBDA_FUNCTION_NAME="probe", AWS_XRAY_DAEMON_ADDRESS="127.0.0.1:2000",
            _X_AMZN_TRACE_ID="Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1",
            POWERTOOLS_TRACE_DISABLED="false" if xray_sdk else "true",
            PROBE_ABSENT="" if xray_sdk else " ".join(xray_sdk_layer()),
        )  # fmt: skip
        roots = [str(ROOT / "src"), *site.getsitepackages()]
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, str(ROOT / "events"), *roots],
            env=env,
            capture_output=True,
            text=True,
            check=False,
        )
    finally:
        standin.terminate()
    if done.returncode != 0:
        configuration = "with the X-Ray SDK" if xray_sdk else "without the X-Ray SDK (its layer absent)"
        raise RuntimeError(f"the import probe failed {configuration}:\n{done.stderr[-3000:]}")
    modules: list[str] = json.loads(done.stdout)
    # boto3 and its dependencies come with the runtime; local tooling and
    # setuptools' import hook are not packaged.
    skipped = (
        "automations_local/", "boto3/", "botocore/", "s3transfer/", "jmespath/", "dateutil/", "urllib3/", "six.py",
        "certifi/", "_distutils_hack/",
    )  # fmt: skip
    return sorted(m for m in modules if not m.startswith(skipped))


def render() -> str:
    return "\n".join(imported_modules()) + "\n"


def main() -> int:
    return write_or_check(LIST, render, "python -m automations_local.coldstart")


if __name__ == "__main__":
    sys.exit(main())
