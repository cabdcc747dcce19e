"""Continuous piecewise-linear functions of the position size P on [0, infinity).

Every requirement of the registration analysis (haircut, margin, market-maker
threshold, the fixed minimum) is continuous and piecewise linear in P when a
strategy's legs are ``a + b*P`` dollars.  `PiecewiseLinear` holds such a
function exactly: its knots, its values at the knots and its slope beyond the
last knot.  Sums, maxima and minima stay in the class, with the crossing points
of the pieces added as knots, so limits and crossovers are read off exactly
instead of being found by scanning a grid.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

__all__ = ["PiecewiseLinear", "beyond", "common_knots"]

FloatArray = npt.NDArray[np.float64]
REL_TOL = 1e-12
"""Relative size below which two values or slopes are taken as equal (float noise)."""
TAIL_PROBE = 1e9
"""Distance (dollars of P) at least, past the last knot, at which a tail slope is measured."""


def beyond(last: float) -> float:
    """A point well past ``last`` for measuring a slope without cancellation."""
    return float(last + max(last, TAIL_PROBE))


@dataclass(frozen=True, eq=False)
class PiecewiseLinear:
    """``f(P)`` given by values at knots ``0 = x0 < x1 < ... < xk`` and the slope after ``xk``.

    Between knots ``f`` is the straight line through the neighbouring values.
    """

    knots: FloatArray
    values: FloatArray
    tail_slope: float

    def __post_init__(self) -> None:
        x = np.asarray(self.knots, dtype=float)
        y = np.asarray(self.values, dtype=float)
        if x.ndim != 1 or x.shape != y.shape or len(x) == 0:
            raise ValueError("knots and values must be 1-d arrays of one length (at least 1)")
        if x[0] != 0.0 or (np.diff(x) <= 0).any():
            raise ValueError("knots must start at 0 and increase strictly")
        if not (np.isfinite(y).all() and np.isfinite(self.tail_slope)):
            raise ValueError("values and tail slope must be finite")
        object.__setattr__(self, "knots", x)
        object.__setattr__(self, "values", y)

    @classmethod
    def line(cls, intercept: float, slope: float) -> PiecewiseLinear:
        """``intercept + slope * P``."""
        return cls(np.zeros(1), np.array([float(intercept)]), float(slope))

    @classmethod
    def sample(cls, f: Callable[[FloatArray], FloatArray], knots: npt.ArrayLike) -> PiecewiseLinear:
        """The function ``f``, known to be linear between the given knots and after the last.

        ``f`` is evaluated at every knot and once beyond the last one (for the
        tail slope).  0 is added as a knot.
        """
        x = np.unique(np.concatenate([[0.0], np.asarray(knots, dtype=float)]))
        x = x[x >= 0]
        far = beyond(float(x[-1]))
        y = np.asarray(f(np.append(x, far)), dtype=float)
        return cls(x, y[:-1], float((y[-1] - y[-2]) / (far - x[-1])))

    def __call__(self, P: npt.ArrayLike) -> FloatArray:
        """Values at ``P`` (any shape), exactly linear between knots."""
        p = np.asarray(P, dtype=float)
        inside = np.interp(p, self.knots, self.values)
        tail = self.values[-1] + self.tail_slope * (p - self.knots[-1])
        return np.asarray(np.where(p > self.knots[-1], tail, inside), dtype=float)

    @property
    def slopes(self) -> FloatArray:
        """Slope on each interval ``[x_i, x_i+1]``, then the tail slope."""
        return np.append(np.diff(self.values) / np.diff(self.knots), self.tail_slope)

    def on(self, knots: npt.ArrayLike) -> PiecewiseLinear:
        """The same function with extra knots (values added where needed)."""
        x = np.unique(np.concatenate([self.knots, np.asarray(knots, dtype=float)]))
        return PiecewiseLinear(x, self(x), self.tail_slope)

    def __add__(self, other: PiecewiseLinear | float) -> PiecewiseLinear:
        if not isinstance(other, PiecewiseLinear):
            return PiecewiseLinear(self.knots, self.values + float(other), self.tail_slope)
        x = np.union1d(self.knots, other.knots)
        return PiecewiseLinear(x, self(x) + other(x), self.tail_slope + other.tail_slope)

    __radd__ = __add__

    def scale(self, factor: float) -> PiecewiseLinear:
        """``factor * f``."""
        return PiecewiseLinear(self.knots, self.values * factor, self.tail_slope * factor)

    @staticmethod
    def maximum(functions: Sequence[PiecewiseLinear]) -> PiecewiseLinear:
        """Pointwise maximum, with the crossing points as knots."""
        x = common_knots(functions)
        vals = np.max([f(x) for f in functions], axis=0)
        far = beyond(float(x[-1]))
        tail = max(functions, key=lambda f: (float(f(far)), f.tail_slope))
        return PiecewiseLinear(x, vals, tail.tail_slope)

    @staticmethod
    def minimum(functions: Sequence[PiecewiseLinear]) -> PiecewiseLinear:
        """Pointwise minimum, with the crossing points as knots."""
        return PiecewiseLinear.maximum([f.scale(-1.0) for f in functions]).scale(-1.0)

    def limit_slope(self) -> float:
        """``f(P) / P`` as P grows without bound."""
        return self.tail_slope


def common_knots(functions: Sequence[PiecewiseLinear]) -> FloatArray:
    """Union of the knots of ``functions`` plus every point where two of them cross.

    On each interval of the result (and beyond its last point) every function
    is linear and no two of them cross, so the order of the functions is
    constant there.
    """
    x = np.unique(np.concatenate([f.knots for f in functions]))
    vals = np.array([f(x) for f in functions])  # (n_functions, n_knots)
    slopes = np.array(
        [
            np.append(np.diff(v) / np.diff(x), f.tail_slope)
            for f, v in zip(functions, vals, strict=True)
        ]
    )
    extra: list[float] = []
    n = len(functions)
    for i in range(n):
        for j in range(i + 1, n):
            d = vals[i] - vals[j]
            ds = slopes[i] - slopes[j]
            # float noise is not a crossing: differences within REL_TOL of the values
            # (or slopes) compared count as zero
            d = np.where(
                np.abs(d) <= REL_TOL * np.maximum(np.abs(vals[i]), np.abs(vals[j])), 0.0, d
            )
            if abs(ds[-1]) <= REL_TOL * max(abs(slopes[i][-1]), abs(slopes[j][-1])):
                ds[-1] = 0.0
            # interior intervals: a strict sign change inside (x_k, x_k+1)
            sign_change = d[:-1] * d[1:] < 0
            k = np.flatnonzero(sign_change)
            extra.extend(x[k] + d[k] / (d[k] - d[k + 1]) * (x[k + 1] - x[k]))
            # tail: the lines cross after the last knot
            if ds[-1] != 0:
                t = -d[-1] / ds[-1]
                if t > 0:
                    extra.append(x[-1] + t)
    if extra:
        x = np.unique(np.concatenate([x, np.asarray(extra, dtype=float)]))
    return x
