from __future__ import annotations

import re
from collections.abc import Callable

from automations.ids import _ALPHABET, UlidFactory, encode, new_automation_id

ULID = re.compile(r"[0-9A-HJKMNP-TV-Z]{26}")


def decode(ulid: str) -> int:
    value = 0
    for char in ulid:
        value = value * 32 + _ALPHABET.index(char)
    return value


def fixed_clock(*times: int) -> Callable[[], int]:
    values = iter(times)
    return lambda: next(values)


def test_ids_are_aut_and_a_ulid() -> None:
    automation_id = new_automation_id()
    assert automation_id.startswith("aut_")
    assert ULID.fullmatch(automation_id[4:])


def test_the_ulid_carries_the_millisecond_it_was_made() -> None:
    make = UlidFactory(clock_ms=lambda: 1_795_702_452_924, entropy=lambda n: b"\x00" * n)
    assert decode(make()) >> 80 == 1_795_702_452_924


def test_ids_within_one_millisecond_increase() -> None:
    make = UlidFactory(clock_ms=lambda: 1_000, entropy=lambda n: b"\x07" * n)
    made = [make() for _ in range(1_000)]
    assert made == sorted(made)
    assert len(set(made)) == 1_000
    assert decode(made[1]) == decode(made[0]) + 1


def test_ids_increase_when_the_clock_steps_back() -> None:
    make = UlidFactory(clock_ms=fixed_clock(5_000, 4_000, 4_500), entropy=lambda n: b"\x01" * n)
    first, second, third = make(), make(), make()
    assert first < second < third
    assert decode(second) >> 80 == 5_000


def test_an_exhausted_millisecond_borrows_the_next() -> None:
    make = UlidFactory(clock_ms=lambda: 9, entropy=lambda n: b"\xff" * n)
    first, second = make(), make()
    assert second > first
    assert decode(second) >> 80 == 10


def test_many_ids_are_unique_and_sorted_in_creation_order() -> None:
    made = [new_automation_id() for _ in range(20_000)]
    assert len(set(made)) == len(made)
    assert made == sorted(made)


def test_encode_is_26_crockford_characters() -> None:
    assert encode(0) == "0" * 26
    assert encode((1 << 128) - 1) == "7" + "Z" * 25


def restored_copy(snapshot: UlidFactory, clock: Callable[[], int]) -> UlidFactory:
    """A factory in the state ``snapshot`` is in, as a copy restored from a SnapStart
    snapshot of the process would be."""
    copy = UlidFactory(clock_ms=clock)  # os.urandom, as deployed
    copy._last_ms, copy._last_random = snapshot._last_ms, snapshot._last_random
    return copy


def test_copies_restored_from_one_snapshot_would_repeat_each_others_ids() -> None:
    # Given a factory that made an id before the snapshot, and two copies of it
    snapshot = UlidFactory(clock_ms=lambda: 1_000)
    snapshot()
    first, second = restored_copy(snapshot, lambda: 1_000), restored_copy(snapshot, lambda: 1_000)
    # When each makes its next id in the same millisecond, without the restore hook
    # Then they collide: why the hook exists
    assert first() == second()


def test_after_a_restore_each_copy_draws_fresh_entropy() -> None:
    # Given two copies restored from one snapshot of a factory that made an id
    snapshot = UlidFactory(clock_ms=lambda: 1_000)
    made = snapshot()
    first, second = restored_copy(snapshot, lambda: 1_000), restored_copy(snapshot, lambda: 1_000)
    # When each runs the after-restore hook, then makes its next id in that millisecond
    first.forget()
    second.forget()
    a, b = first(), second()
    # Then the ids differ, and neither continues from the snapshot's random part
    assert a != b
    assert decode(made) + 1 not in {decode(a), decode(b)}
    assert decode(a) >> 80 == decode(b) >> 80 == 1_000


def test_forget_makes_the_next_id_draw_entropy_even_in_the_same_millisecond() -> None:
    draws: list[int] = []

    def entropy(n: int) -> bytes:
        draws.append(n)
        return bytes([len(draws)]) * n

    make = UlidFactory(clock_ms=lambda: 7, entropy=entropy)
    make()
    make()  # same millisecond: incremented, no draw
    assert len(draws) == 1
    make.forget()
    make()
    assert len(draws) == 2
