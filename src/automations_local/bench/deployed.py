"""The functions as `make build` made them, for `make bench` to measure: each from its
own ``.aws-sam/build/<Function>``, as Lambda runs it.

Lambda unpacks the package into ``/var/task``, read-only, puts the runtime's boto3
and botocore (``/var/runtime``) after it on ``sys.path``, and imports the handler.
So here: each function's build folder is copied as it is (its own ``.pyc``, its
trims) to a folder of its own, made read-only, and its child interpreter runs with
that folder, then the runtime's SDK (``build/bench/runtime``: the newest botocore
the tests run under, ``tests/botocore-versions.txt``, with its boto3, precompiled,
as the runtime ships them), then the standard library on its path: no virtualenv,
no ``site`` (``python -I -S -B``). The interpreter is the one that runs the bench,
Python 3.13, the functions' runtime.

A function measured with the X-Ray SDK gets the SDK as it does deployed with
``XRaySdkTracing``: from its layer (``.aws-sam/build/XRaySdkLayer``), copied read-only
the same way, its ``python`` folder after the task root on the path, as Lambda puts
``/opt/python``; the functions' own copies have no SDK.

A module imported from the task root or a layer without its bytecode is a failure, not a
slower figure (``check_bytecode``): the build precompiles every module a function
imports, ``unchecked-hash``, because ``/var/task`` cannot hold a cache. As root, a
read-only mode does not stop a write, so ``-B`` keeps the interpreter from writing
caches, and the bench checks afterwards that the copy is as it was
(``unchanged``).

The build is for arm64 (``src/Makefile``). On an x86_64 machine its two compiled
extensions (pydantic_core, wrapt) cannot load; everything else (pure Python, and
the bytecode, which does not depend on the machine) can. So on any machine other
than aarch64, each compiled extension of the copy is replaced by the same
distribution's, same version's, wheel for this machine (downloaded once into
``build/bench/wheels``), and nothing else is touched: what is measured is the
deployed tree, with the machine code of its two extensions for the machine at
hand. This rather than a second build for x86_64 from the same recipe: that would
measure a tree that is not the one deployed, and a difference between the two
builds (a trim, a missing ``.pyc``) would go unseen.
"""

from __future__ import annotations

import importlib.util
import os
import platform
import py_compile
import shutil
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

from automations_local.template import ROOT

BUILD = ROOT / ".aws-sam" / "build"
XRAY_SDK_LAYER = "XRaySdkLayer"  # its logical id in template.yaml
RUNTIME = ROOT / "build" / "bench" / "runtime"
WHEELS = ROOT / "build" / "bench" / "wheels"
LAMBDA_MACHINE = "aarch64"
BARE = Path(__file__).with_name("bare_handler.py")
CHILD = Path(__file__).with_name("child.py")


def python() -> list[str]:
    """The command that starts a function's interpreter: the bench's Python (3.13)
    itself, outside its virtualenv, isolated, without ``site``, writing no bytecode."""
    base = Path(sys.base_prefix) / "bin" / f"python{sys.version_info.major}.{sys.version_info.minor}"
    return [str(base), "-I", "-S", "-B"]


def sys_path(task_root: Path, layers: tuple[Path, ...] = ()) -> str:
    """What ``BENCH_SYS_PATH`` gives the child: the task root, its layers' ``python``
    folders, then the runtime's SDK."""
    if not (RUNTIME / ".installed").exists():
        raise SystemExit(f"no runtime SDK in {RUNTIME}: run make bench")
    return os.pathsep.join([str(task_root), *map(str, layers), str(RUNTIME)])


def task_root(function: str, into: Path) -> Path:
    """A read-only copy of the function's build folder, its compiled extensions for
    this machine."""
    source = BUILD / function
    if not source.is_dir():
        raise SystemExit(f"no {source.relative_to(ROOT)}: run make build")
    target = into / function
    shutil.copytree(source, target, symlinks=True)
    _native_for_this_machine(target)
    _read_only(target)
    return target


def layer_root(layer: str, into: Path) -> Path:
    """A read-only copy of a layer's build folder, its compiled extensions for this
    machine: its ``python`` folder, what Lambda puts on the path as ``/opt/python``."""
    source = BUILD / layer
    if not (source / "python").is_dir():
        raise SystemExit(f"no {source.relative_to(ROOT)}/python: run make build")
    target = into / layer
    shutil.copytree(source, target, symlinks=True)
    _native_for_this_machine(target / "python")
    _read_only(target)
    return target / "python"


def bare_task_root(into: Path) -> Path:
    """B's task root: its one module, precompiled as the build precompiles ours."""
    target = into / "B"
    target.mkdir()
    shutil.copy2(BARE, target / BARE.name)
    py_compile.compile(
        str(target / BARE.name), doraise=True, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH
    )
    _read_only(target)
    return target


def _native_for_this_machine(root: Path) -> None:
    machine = platform.machine()
    if machine == LAMBDA_MACHINE:
        return
    for extension in sorted(root.rglob(f"*-{LAMBDA_MACHINE}-linux-gnu.so")):
        relative = extension.relative_to(root)
        top = relative.parts[0].lower()
        (dist,) = [d for d in root.glob("*.dist-info") if d.name.split("-")[0].lower() == top]
        name, version = dist.name.removesuffix(".dist-info").rsplit("-", 1)
        wanted = relative.as_posix().replace(f"-{LAMBDA_MACHINE}-", f"-{machine}-")
        with zipfile.ZipFile(_wheel(name, version, machine)) as wheel:
            data = wheel.read(wanted)
        extension.unlink()
        (root / wanted).write_bytes(data)
        (root / wanted).chmod(0o755)


def _wheel(name: str, version: str, machine: str) -> Path:
    found = sorted(WHEELS.glob(f"{name}-{version}-*{machine}*.whl"))
    if not found:
        subprocess.run(
            [python()[0], "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
             "--platform", f"manylinux2014_{machine}", "--implementation", "cp",
             "--python-version", f"{sys.version_info.major}.{sys.version_info.minor}",
             "--dest", str(WHEELS), f"{name}=={version}"],
            check=True,
        )  # fmt: skip
        found = sorted(WHEELS.glob(f"{name}-{version}-*{machine}*.whl"))
    return found[0]


def _read_only(root: Path) -> None:
    for path in [root, *root.rglob("*")]:
        if not path.is_symlink():
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def listing(root: Path) -> dict[str, tuple[int, int]]:
    """Every file under ``root``: its size and modification time."""
    return {p.relative_to(root).as_posix(): (p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")}


def unchanged(root: Path, before: dict[str, tuple[int, int]]) -> None:
    after = listing(root)
    if after != before:
        changed = sorted(
            set(after) ^ set(before) | {k for k in after if k in before and after[k] != before[k]}
        )
        raise SystemExit(f"{root.name}: the read-only task root was written to: {changed[:10]}")


def check_bytecode(name: str, loaded: list[str]) -> None:
    """Each module loaded from the task root (or a layer) came with its ``.pyc``: the running
    Python's, unchecked-hash (PEP 552: flags 0b01), as the build compiles them."""
    problems = []
    for source in loaded:
        if not source.endswith(".py"):
            continue
        cached = Path(importlib.util.cache_from_source(source))
        if not cached.exists():
            problems.append(f"no {cached.name} for {source}")
            continue
        flags = int.from_bytes(cached.read_bytes()[4:8], "little")
        if flags != 0b01:
            problems.append(f"{cached.name} is not unchecked-hash (flags {flags:#b})")
    if not loaded:
        problems.append("nothing was imported from the task root")
    if problems:
        raise SystemExit(f"{name}: the deployed package is missing bytecode:\n  " + "\n  ".join(problems))
