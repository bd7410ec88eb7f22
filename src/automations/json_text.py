"""Compact JSON text, as answers carry it and items store it."""

from __future__ import annotations

import json
from typing import Any


def dumps(value: Any) -> str:
    """Compact, UTF-8 as is (no ``\\u`` escapes), and never ``NaN``."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
