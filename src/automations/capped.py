"""A list that keeps its first ``cap`` items and counts every one: the contract's "list
the first 100, count the rest", for the create's ``validationErrors`` (``Problems``)
and the validate's ``diagnostics`` (``Diagnostics``).

Client data decides how many items there are (45,000 unknown keys, a 190,000-entry
``splits``), so past the cap an item is counted, never kept, and where building one
costs, it is not built either: ``add_each`` builds only what fits, and a caller that
builds one at a time asks ``full`` first and ``tally``s instead.

Every item has a kind (a problem's code, a diagnostic's severity), and the count is
kept by kind too, for what the answer says about the whole list: which codes there
were, how many errors.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TypeVar

T = TypeVar("T")
S = TypeVar("S")


class Capped(list[T]):
    """The first ``cap`` items added, in order, and how many were added in all
    (``total``) and of each kind (``by_kind``). A subclass says what an item's kind is."""

    def __init__(self, cap: int) -> None:
        super().__init__()
        self.cap = cap
        self.total = 0
        self.by_kind: dict[str, int] = {}

    def kind_of(self, item: T) -> str:
        """What ``item`` is counted under."""
        raise NotImplementedError

    @property
    def full(self) -> bool:
        return len(self) >= self.cap

    def tally(self, kind: str, number: int = 1) -> None:
        """``number`` more items of ``kind``, counted and not listed."""
        self.total += number
        self.by_kind[kind] = self.by_kind.get(kind, 0) + number

    def append(self, item: T) -> None:
        self.tally(self.kind_of(item))
        if not self.full:
            super().append(item)

    def extend(self, items: Iterable[T]) -> None:
        for item in items:
            self.append(item)

    def add_each(self, kind: str, sources: Sequence[S], make: Callable[[S], T]) -> None:
        """One item of ``kind`` per source, ``make`` building only those that fit."""
        if sources:
            super().extend(make(source) for source in sources[: max(0, self.cap - len(self))])
            self.tally(kind, len(sources))
