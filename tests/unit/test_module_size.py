"""No module under ``src/`` is over ``MAX_LINES`` lines: a module that grows past it
holds more than one idea and is split by idea, so a newcomer can read each whole."""

from __future__ import annotations

from pathlib import Path

MAX_LINES = 300
SRC = Path(__file__).resolve().parents[2] / "src"


def test_no_module_under_src_is_over_the_limit() -> None:
    # Given every Python module of the project's packages
    modules = sorted(SRC.rglob("*.py"))
    assert len(modules) > 10  # the walk found the source tree
    # Then none is over the limit
    sizes = {
        str(path.relative_to(SRC)): len(path.read_text(encoding="utf-8").splitlines()) for path in modules
    }
    assert {path: lines for path, lines in sizes.items() if lines > MAX_LINES} == {}
