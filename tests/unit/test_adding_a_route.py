"""README's "Adding a route" lists every place a route is written. A file of the
repository that names every route (its function, its operation or its module) is a
place each route is written: it must be one the README's steps name, or one they
regenerate, so a step missing from the list fails here. (A file that names a few
routes for its own purpose, a test of one route say, is no step of adding one.)"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path, PurePosixPath

import pytest

from automations.routes import ROUTES, Route
from tests.helpers import ROOT


def steps() -> str:
    readme = (ROOT / "README.md").read_text()
    return readme.split("\n## Adding a route\n", 1)[1].split("\n## ", 1)[0]


def named_paths(module: str) -> list[str]:
    """The paths the steps name (backquoted), ``<module>`` filled in."""
    paths = re.findall(r"`([\w./<>*-]+/[\w./<>*-]+|template\.yaml)`", steps())
    here = str(Path(__file__).relative_to(ROOT))
    return [path.replace("<module>", module) for path in paths if path != here]


def tracked_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True)
    return listed.stdout.split()


def names_of(route: Route) -> list[str]:
    return [
        route.function,
        route.operation,
        f"automations.routes.{route.module}",
        f"routes/{route.module}.py",
    ]


def test_every_file_that_names_every_route_is_a_step_of_the_readme() -> None:
    steps_named = named_paths("*")
    found = []
    for path in tracked_files():
        if path.endswith(".md") or path.startswith("docs/") or not (ROOT / path).is_file():
            continue  # prose, and the figures make bench writes, name routes too
        text = (ROOT / path).read_text(errors="replace")
        if all(any(name in text for name in names_of(route)) for route in ROUTES):
            found.append(path)
            assert any(PurePosixPath(path).match(pattern) for pattern in steps_named), (
                f"{path} names every route: add it to README's 'Adding a route'"
            )
    # the declarations and what derives from them are among them: the check has teeth
    assert {"src/automations/routes/__init__.py", "template.yaml", "src/bytecode.txt"} <= set(found)


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r.module)
def test_each_route_is_in_each_place_the_steps_name(route: Route) -> None:
    # The three tables of facts the declaration cannot give are held complete by
    # their own tests (MAY's KeyError, DRIVES' set, COLD_START below); here, the
    # hand-written places and what is regenerated from them.
    for pattern in named_paths(route.module):
        if pattern.startswith("tests/") or pattern.endswith("report.py"):
            continue
        matches = [p for p in tracked_files() if PurePosixPath(p).match(pattern)]
        assert matches, f"no file is {pattern}"
        text = "".join((ROOT / p).read_text(errors="replace") for p in matches)
        if not pattern.startswith("events/"):
            assert any(name in text or f'"{route.module}"' in text for name in names_of(route)), (
                pattern,
                route.key,
            )
        else:
            assert route.key in text, (pattern, route.key)


def test_the_steps_name_the_three_hand_written_places_and_what_derives() -> None:
    paths = named_paths("edit")
    for place in (
        "src/automations/routes/__init__.py",
        "src/automations/routes/edit.py",
        "events/edit-*.json",
        "template.yaml",
        "src/automations_local/openapi.json",
        "src/bytecode.txt",
    ):
        assert place in paths, place


def test_every_route_has_a_cold_start_target() -> None:
    from automations_local.bench.report import COLD_START

    assert {route.module for route in ROUTES} <= set(COLD_START)
