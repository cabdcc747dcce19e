"""Numeric policy: rounding to the dollar and percentages as the release rounds."""

from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcap.money import round_dollars, round_percent


@pytest.mark.parametrize(
    ("value", "expected"),
    [(2.5, 3), (-2.5, -3), (1234.4999, 1234), (0.5, 1), (1_000_000.49, 1_000_000), (0.0, 0)],
)
def test_round_dollars_half_away_from_zero(value: float, expected: int) -> None:
    assert round_dollars(value) == expected


def test_round_percent_cleans_float_noise() -> None:
    noisy = (100_000 + 0.0725 * 50e6) / (0.02 * 50e6) * 100 - 100
    assert noisy < 272.5  # float64 gives 272.49999999999994
    assert round_percent(noisy) == 273  # Table 10, strategy 7


def test_non_finite_is_an_error() -> None:
    with pytest.raises(ValueError, match="non-finite"):
        round_dollars(math.inf)


@given(st.integers(min_value=-(10**12), max_value=10**12))
def test_whole_dollars_are_unchanged(n: int) -> None:
    assert round_dollars(float(n)) == n
