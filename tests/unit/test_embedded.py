"""The embedded DynamoDB serves one request at a time: no request's work, its
answer's production included, overlaps another's."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from typing import Any

from automations_local.embedded import OneRequestAtATime


class Overlaps:
    """A WSGI app that notes how many requests are inside it at once, from the call
    to the last byte of its answer."""

    def __init__(self) -> None:
        self.inside = 0
        self.most = 0
        self.closed = 0
        self._count = threading.Lock()

    def _enter(self, step: int) -> None:
        with self._count:
            self.inside += step
            self.most = max(self.most, self.inside)

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Iterator[bytes]:
        self._enter(1)
        time.sleep(0.01)  # the operation
        start_response("200 OK", [("content-type", "text/plain")])
        return self._answer()

    def _answer(self) -> Iterator[bytes]:
        try:
            yield b"one "
            time.sleep(0.01)  # the answer, produced lazily
            yield b"answer"
        finally:
            self.closed += 1
            self._enter(-1)


def test_simultaneous_requests_are_served_one_after_another_answers_included() -> None:
    # Given the app behind the lock
    app = Overlaps()
    served = OneRequestAtATime(app)  # type: ignore[arg-type]
    answers: list[bytes] = []

    def call() -> None:
        answers.append(b"".join(served({}, lambda status, headers: None)))  # type: ignore[arg-type]

    # When eight threads call it at once
    threads = [threading.Thread(target=call) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    # Then each was answered whole, and never two were inside at once
    assert answers == [b"one answer"] * 8
    assert app.closed == 8
    assert app.most == 1
