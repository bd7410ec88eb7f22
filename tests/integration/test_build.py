"""The deployable artifact's promises that can be checked without building it
(`make build` needs SAM CLI and Python 3.13; `make bench` measures its size)."""

from __future__ import annotations

import ast
import re
import site
import subprocess
import sys
from pathlib import Path

import pytest

from automations.routes import ROUTES, Route
from automations_local import coldstart
from automations_local.template import ROOT, functions

SRC_MAKEFILE = (ROOT / "src" / "Makefile").read_text()
FUNCTIONS = functions()
XRAY_SDK_LAYER = coldstart.xray_sdk_layer()


@pytest.mark.parametrize("logical_id", list(FUNCTIONS))
def test_each_function_builds_wheels_for_its_runtime_and_architecture(logical_id: str) -> None:
    props = FUNCTIONS[logical_id]
    # SAM runs `make build-<logical id>` in src/: make itself says whether a rule takes it.
    dry_run = subprocess.run(
        ["make", "-n", f"build-{logical_id}", "ARTIFACTS_DIR=/nonexistent"],
        cwd=ROOT / "src",
        capture_output=True,
        text=True,
        check=False,
    )
    assert dry_run.returncode == 0, dry_run.stderr
    assert "pip install" in dry_run.stdout and "/nonexistent" in dry_run.stdout
    version = re.search(r"LAMBDA_PYTHON_VERSION := (\S+)", SRC_MAKEFILE)
    platform = re.search(r"LAMBDA_PLATFORM := (\S+)", SRC_MAKEFILE)
    assert version and platform
    assert props["Runtime"] == f"python{version[1]}"
    assert props["Architectures"] == ["arm64"] and platform[1].endswith("_aarch64")
    assert "--only-binary=:all:" in SRC_MAKEFILE  # no source builds for the wrong platform


def _dry_run(target: str, artifacts: str) -> str:
    done = subprocess.run(
        ["make", "-n", target, f"ARTIFACTS_DIR={artifacts}"], cwd=ROOT / "src", capture_output=True, text=True,
        check=True,
    )  # fmt: skip
    return done.stdout


def test_each_function_leaves_the_xray_sdk_layers_packages_out() -> None:
    # Given the packages of the layer, and each function's build as make would run it
    assert XRAY_SDK_LAYER
    for logical_id in FUNCTIONS:
        recipe = _dry_run(f"build-{logical_id}", "/nonexistent")
        # Then it removes each, with its metadata, after the wheels are installed
        removal = f'cd "/nonexistent" && for name in {" ".join(XRAY_SDK_LAYER)}; do rm -rf "$name" "$name"-*.dist-info'
        assert removal in recipe and recipe.index("pip install") < recipe.index(removal)


def test_the_xray_sdk_layer_is_built_like_a_function_and_keeps_only_its_packages() -> None:
    from automations_local.template import load_template

    # Given the layer in template.yaml
    layer = load_template()["Resources"]["XRaySdkLayer"]
    assert layer["Type"] == "AWS::Serverless::LayerVersion"
    assert layer["Metadata"] == {"BuildMethod": "makefile", "BuildArchitecture": "arm64"}
    assert layer["Properties"]["CompatibleRuntimes"] == [next(iter(FUNCTIONS.values()))["Runtime"]]
    assert layer["Properties"]["CompatibleArchitectures"] == ["arm64"]
    # When make says how it builds it
    recipe = _dry_run("build-XRaySdkLayer", "/layer")
    # Then the same wheels as the functions', under python/ (Lambda's /opt/python)
    function = _dry_run(f"build-{next(iter(FUNCTIONS))}", "/layer/python")
    assert recipe.split("\n")[0] == function.split("\n")[0]
    assert '--target "/layer/python"' in recipe
    # of which it keeps the layer's packages, then precompiles the listed modules
    assert f'case " {" ".join(XRAY_SDK_LAYER)} " in' in recipe
    assert 'cd "/layer/python" && while read -r module' in recipe and "unchecked-hash" in recipe


def test_the_xray_sdk_layer_holds_what_only_the_sdk_configuration_imports() -> None:
    # Given what every route imports with the SDK, and without it (its layer absent:
    # the probe fails if one of the layer's modules is imported after all)
    with_sdk = set(coldstart.imported_modules_with(xray_sdk=True))
    without = set(coldstart.imported_modules_with(xray_sdk=False))
    # Then the layer's packages are exactly the top-level packages of the difference
    assert without <= with_sdk
    assert {m.split("/")[0] for m in with_sdk - without} == set(XRAY_SDK_LAYER)
    assert [m for m in without if m.split("/")[0] in XRAY_SDK_LAYER] == []


def test_every_function_is_built_by_the_makefile_method() -> None:
    from automations_local.template import load_template

    resources = load_template()["Resources"]
    assert {name: resources[name].get("Metadata") for name in FUNCTIONS} == {
        name: {"BuildMethod": "makefile"} for name in FUNCTIONS
    }


def test_boto3_is_left_to_the_runtime() -> None:
    provided = re.search(r"RUNTIME_PROVIDED := (.+)", SRC_MAKEFILE)
    assert provided and {"boto3", "botocore"} <= set(provided[1].split())


def test_the_bytecode_list_is_what_the_functions_import() -> None:
    # Run as in Lambda (tracing on), every request kind of every route: the list must match.
    assert coldstart.LIST.read_text() == coldstart.render(), "run: python -m automations_local.coldstart"


# What each function must not load when its module is imported: its cold start.
# A name ending in ".*" stands for every submodule of that package, not the package.
# The X-Ray SDK layer's packages among them: as deployed, the function has no such layer.
NEVER = ["boto3", "s3transfer", *XRAY_SDK_LAYER, "aws_lambda_powertools.utilities.idempotency",
         "automations_local", "automations.answers", "aws_lambda_powertools.event_handler.openapi.models",
         "aws_lambda_powertools.event_handler.openapi.swagger_ui"]  # fmt: skip
# The routes that judge no body answer what is stored: no pydantic, no request models.
_NO_MODELS = ["pydantic", "automations.models", "automations.validation"]
NOT_ON_ITS_ROUTE = {
    **dict.fromkeys(("get", "list", "versions", "archive", "delete"), _NO_MODELS),
    # No table, no SDK: nothing of botocore but its package __init__, which Powertools
    # imports itself to register its user-agent hook (0.4 ms; no session, no client).
    "validate": ["botocore.*", "automations.store", "automations.idempotency"],
}


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.module)
def test_importing_a_function_loads_nothing_its_first_request_does_not_need(route: Route) -> None:
    heavy = NEVER + NOT_ON_ITS_ROUTE.get(route.module, [])
    probe = (
        f"import sys, automations.routes.{route.module}\n"
        f"print([m for m in {heavy!r} if any(n == m or m.endswith('.*') and n.startswith(m[:-1]) for n in sys.modules)])"
    )
    env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    assert done.stdout.strip() == "[]"


# The paths src/Makefile leaves out of the package, as make expands them.
TRIMMED = coldstart.makefile_variable("TRIMMED")
# Kept modules that name a trimmed one, and why that line never runs in a function.
NAMES_A_TRIMMED_MODULE = {
    # Only to warn that a v1 model is inside a v2 schema: schemas are built at import,
    # which the probe runs, and none of ours holds a v1 model.
    "pydantic/_internal/_generate_schema.py": "pydantic.v1",
    # Only when a name pydantic v2 removed is asked of pydantic (pydantic.utils.x).
    "pydantic/_migration.py": "pydantic.v1",
}


def test_the_trims_are_paths_the_build_installs() -> None:
    # A trim that names nothing (a library moved a package) trims nothing, silently.
    packages = Path(site.getsitepackages()[0])
    assert TRIMMED and all((packages / path).exists() for path in TRIMMED), TRIMMED


def test_no_function_imports_a_trimmed_module_in_any_configuration() -> None:
    # The probe's list (current: test above) is every module imported by every route's
    # every kind of request, with the X-Ray SDK loaded and without.
    imported = coldstart.LIST.read_text().split()
    assert "aws_xray_sdk/core/recorder.py" in imported and "automations/idempotency.py" in imported
    assert [m for m in imported if any(m == t or m.startswith(t + "/") for t in TRIMMED)] == []


def _dotted(path: str) -> str:
    return path.removesuffix(".py").replace("/", ".")


def _names(tree: ast.Module, package: str) -> set[str]:
    """Every module a file imports, or names in a string, outside ``if TYPE_CHECKING``."""
    found: set[str] = set()
    skipped = {
        id(node)
        for block in ast.walk(tree)
        if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
        for node in ast.walk(block)
    }
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            found |= {base, *(f"{base}.{alias.name}" for alias in node.names)}
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.add(node.value.split(":")[0])
    return found


def test_no_kept_module_imports_a_trimmed_one() -> None:
    # Given every module of the trimmed libraries that the package keeps
    packages = Path(site.getsitepackages()[0])
    # (the modules among them: a package, or a .py file; wrapt's C source is no module)
    trimmed = {_dotted(path) for path in TRIMMED if (packages / path).is_dir() or path.endswith(".py")}
    tops = {path.split("/")[0] for path in TRIMMED}
    offenders = {}
    for top in tops:
        for file in (packages / top).rglob("*.py"):
            relative = file.relative_to(packages).as_posix()
            if any(relative == t or relative.startswith(t + "/") for t in TRIMMED):
                continue
            package = _dotted(relative).removesuffix(".__init__")
            package = package if relative.endswith("__init__.py") else package.rpartition(".")[0]
            # When its imports (and the module names in its strings) are read
            names = _names(ast.parse(file.read_bytes()), package)
            hits = sorted({t for t in trimmed for n in names if n == t or n.startswith(t + ".")})
            if hits:
                offenders[relative] = hits
    # Then none names a trimmed module, but the known lines that never run in a function
    assert offenders == {path: [name] for path, name in NAMES_A_TRIMMED_MODULE.items()}
