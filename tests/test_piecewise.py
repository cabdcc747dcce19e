"""Piecewise-linear functions of P: the algebra behind exact sweeps and crossovers."""

from __future__ import annotations

import numpy as np
import pytest

from netcap.dealer.piecewise import PiecewiseLinear, common_knots


def test_line_and_tail() -> None:
    f = PiecewiseLinear.line(100.0, 0.5)
    assert f(np.array([0.0, 10.0, 1e9])) == pytest.approx([100.0, 105.0, 100.0 + 5e8])


def test_maximum_adds_the_crossing_as_a_knot() -> None:
    # 0.02 P meets 100,000 at P = 100,000 / 0.02 = 5,000,000 (Box 1)
    f = PiecewiseLinear.maximum([PiecewiseLinear.line(0, 0.02), PiecewiseLinear.line(1e5, 0)])
    assert 5_000_000.0 in f.knots.tolist()
    assert f(np.array([1e6, 5e6, 1e7])) == pytest.approx([1e5, 1e5, 2e5])
    assert f.tail_slope == pytest.approx(0.02)


def test_minimum_and_crossing_inside_an_interval() -> None:
    # g bends at 10 (value 10 -> slope 0 after), h = 2 + 0.5 x: they cross at 4 (4 = 2 + 2)
    # and again at 16 (10 = 2 + 8)
    g = PiecewiseLinear(np.array([0.0, 10.0]), np.array([0.0, 10.0]), 0.0)
    h = PiecewiseLinear.line(2.0, 0.5)
    assert common_knots([g, h]).tolist() == pytest.approx([0.0, 4.0, 10.0, 16.0])
    m = PiecewiseLinear.minimum([g, h])
    assert m(np.array([2.0, 4.0, 10.0, 16.0, 20.0])) == pytest.approx([2.0, 4.0, 7.0, 10.0, 10.0])


def test_sample_recovers_a_kinked_function() -> None:
    f = PiecewiseLinear.sample(lambda x: 0.045 * np.abs(x - 30e6), [30e6])
    assert f(np.array([0.0, 30e6, 50e6, 1e9])) == pytest.approx([1.35e6, 0.0, 9e5, 0.045 * 970e6])


def test_bad_knots_rejected() -> None:
    with pytest.raises(ValueError, match="start at 0"):
        PiecewiseLinear(np.array([1.0]), np.array([0.0]), 0.0)
