"""What every function does around its imports, which are most of its cold start.

They allocate many long-lived objects: with the collector off they are not
scanned again and again while the heap grows, and frozen afterwards they stay out
of every later collection (docs/performance.md: about a fifth of the import
time).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def imports() -> Iterator[None]:
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()
