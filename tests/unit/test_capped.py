"""The capped collection behind ``validationErrors`` and ``diagnostics``: the first
``cap`` items listed, every item counted, in all and by kind, and past the cap
nothing built."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from automations.capped import Capped
from automations.diagnostics import MAX_DIAGNOSTICS, Diagnostic, Diagnostics
from automations.errors import MAX_LISTED_PROBLEMS, Problem, Problems


class Words(Capped[str]):
    """Words, counted by their first letter."""

    def kind_of(self, item: str) -> str:
        return item[0]


words = st.lists(st.text(alphabet="abc", min_size=1, max_size=3), max_size=30)


@given(cap=st.integers(0, 12), added=words)
def test_the_first_cap_items_are_listed_in_order_and_every_one_is_counted(cap: int, added: list[str]) -> None:
    # Given a collection capped at ``cap``
    capped = Words(cap)
    # When items are added one at a time
    for word in added:
        capped.append(word)
    # Then the first ``cap`` are listed, in order, and all are counted, by kind too
    assert list(capped) == added[:cap]
    assert capped.total == len(added)
    assert capped.by_kind == {k: sum(w[0] == k for w in added) for k in {w[0] for w in added}}
    assert capped.full is (len(added) >= cap)


@given(cap=st.integers(0, 12), first=words, each=words)
def test_add_each_builds_only_what_fits_and_counts_the_rest(
    cap: int, first: list[str], each: list[str]
) -> None:
    # Given a collection already holding some items
    capped = Words(cap)
    capped.extend(first)
    built: list[str] = []

    def make(word: str) -> str:
        built.append(word)
        return "x" + word

    # When many items of one kind are added in bulk
    capped.add_each("x", each, make)
    # Then only those that fit were built, and all were counted under that kind
    room = max(0, cap - len(first))
    assert built == each[:room]
    assert list(capped) == (first + ["x" + w for w in each])[:cap]
    assert capped.total == len(first) + len(each)
    assert capped.by_kind.get("x", 0) == len(each)


def test_a_tally_counts_without_listing() -> None:
    capped = Words(1)
    capped.tally("a", 5)
    capped.append("b")
    assert (list(capped), capped.total, capped.by_kind) == (["b"], 6, {"a": 5, "b": 1})


def test_problems_keep_the_codes_and_diagnostics_count_the_errors_past_the_cap() -> None:
    # Given more problems and diagnostics than an answer lists
    problems = Problems()
    problems.add_each(
        "unknown_field", range(MAX_LISTED_PROBLEMS), lambda i: Problem(f"k{i}", "unknown_field", "")
    )
    problems.append(Problem("name", "too_long", ""))
    diagnostics = Diagnostics()
    for i in range(MAX_DIAGNOSTICS + 2):
        diagnostics.append(Diagnostic("error" if i % 2 else "warning", "cycle", "edges", ""))
    # Then each lists at most its cap and still knows what was past it
    assert (len(problems), problems.total, set(problems.by_kind)) == (100, 101, {"unknown_field", "too_long"})
    assert (len(diagnostics), diagnostics.total, diagnostics.errors) == (100, 102, 51)
