"""The key filter never says "no" to a value it was given; it says "maybe" to few others."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from renkei.core.keyfilter import MAX_BYTES, MIN_BYTES, KeyFilter, size_for


@given(added=st.lists(st.text(max_size=40), max_size=200), asked=st.lists(st.text(max_size=40), max_size=200))
@settings(max_examples=200, deadline=None)
def test_every_value_added_may_be_held(added: list[str], asked: list[str]) -> None:
    keys = KeyFilter(MIN_BYTES)
    keys.add_all(added)
    assert keys.maybe(added) == set(added)
    assert keys.maybe(asked) >= set(asked) & set(added)


def test_values_never_added_are_mostly_ruled_out() -> None:
    keys = KeyFilter(size_for(10_000 * 180))
    keys.add_all(f"+8190{n:08d}" for n in range(30_000))  # 10,000 rows' worth of keys
    others = [f"user{n}@example.co.jp" for n in range(30_000)]
    assert len(keys.maybe(others)) < 3_000  # ~5 %, well under 10 %


def test_an_empty_filter_rules_everything_out() -> None:
    assert KeyFilter().maybe(["a@example.jp", "+819012345678", ""]) == set()


@pytest.mark.parametrize(
    ("payload", "expected"),
    [(0, MIN_BYTES), (1_000, MIN_BYTES), (180_000_000, 16 << 20), (10**12, MAX_BYTES)],
)
def test_the_filter_grows_with_the_payload_within_bounds(payload: int, expected: int) -> None:
    assert size_for(payload) == expected


def test_a_size_must_be_a_power_of_two() -> None:
    with pytest.raises(ValueError):
        KeyFilter(3000)
