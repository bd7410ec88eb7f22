"""Files generated from the code and committed: written, or checked for drift."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path


def write_or_check(path: Path, render: Callable[[], str], command: str, argv: list[str] | None = None) -> int:
    """With ``--check``: exit status 1 when ``path`` differs from ``render()``.
    Without: rewrite ``path``. ``command`` is how a person regenerates it."""
    text = render()
    if "--check" in (sys.argv if argv is None else argv):
        if path.read_text() != text:
            print(f"{path} is out of date: run {command}", file=sys.stderr)
            return 1
        return 0
    path.write_text(text)
    print(f"wrote {path}")
    return 0
