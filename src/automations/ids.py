"""Automation ids: ``aut_`` + a ULID, monotonic within one running function.

A ULID is 48 bits of Unix milliseconds and 80 random bits, written as 26 Crockford
base32 characters, so ids sort by creation time. Within one millisecond (or if the
clock steps back) the previous random part is incremented instead of drawn again, so
ids made by one container are strictly increasing.

With SnapStart, every copy restored from one snapshot starts from the state the
snapshot holds: once an id has been made before it, the same last millisecond and
random part, which each copy would increment alike into the same ids. So each copy
forgets them on restore (``snapstart.py``), and its next id draws fresh entropy from
``os.urandom``: the kernel's generator, not state held by this process.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable

from automations import snapstart

PREFIX = "aut_"
_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
# Every id this module makes, and nothing else: 128 bits in 26 characters, so the
# first is at most 7.
ULID_LENGTH = 26
PATTERN = PREFIX + "[0-7][0-9A-HJKMNP-TV-Z]{25}"
_RANDOM_BITS = 80
_RANDOM_LIMIT = 1 << _RANDOM_BITS


def encode(value: int) -> str:
    """The 26-character Crockford base32 form of a 128-bit integer."""
    chars = []
    for _ in range(ULID_LENGTH):
        chars.append(_ALPHABET[value & 31])
        value >>= 5
    return "".join(reversed(chars))


class UlidFactory:
    """Makes monotonic ULIDs; the clock and the entropy source can be injected."""

    def __init__(
        self,
        clock_ms: Callable[[], int] = lambda: time.time_ns() // 1_000_000,
        entropy: Callable[[int], bytes] = os.urandom,
    ) -> None:
        self._clock_ms = clock_ms
        self._entropy = entropy
        self._lock = threading.Lock()
        self._last_ms = -1
        self._last_random = 0

    def __call__(self) -> str:
        with self._lock:
            now = self._clock_ms()
            if now > self._last_ms:
                self._last_ms = now
                self._last_random = int.from_bytes(self._entropy(10), "big")
            else:
                self._last_random += 1
                if self._last_random >= _RANDOM_LIMIT:  # 2**80 ids in one ms: borrow the next one
                    self._last_ms += 1
                    self._last_random = int.from_bytes(self._entropy(10), "big")
            return encode((self._last_ms << _RANDOM_BITS) | self._last_random)

    def forget(self) -> None:
        """Forget the last id made: the next one draws fresh entropy, whatever the
        clock says. Run after a SnapStart restore."""
        with self._lock:
            self._last_ms = -1
            self._last_random = 0


_default = UlidFactory()
snapstart.after_restore(_default.forget)


def new_automation_id() -> str:
    return PREFIX + _default()
