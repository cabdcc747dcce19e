"""A strategy's haircut, margin and market-maker threshold as exact functions of P.

Leg ``i`` is worth ``a_i + b_i P``.  Each requirement is then continuous and
piecewise linear in P, and `strategy_curves` returns it as a
`PiecewiseLinear`:

* the market-maker threshold of 15c3-1(a)(6)(iii)(A) is a fixed percentage of
  each leg: a straight line;
* the margin baseline is a straight line (per-leg rates) or the larger of two
  lines (flat rate on the larger side);
* the haircut is computed by `netcap.rule.haircuts.compute_haircuts` itself, at
  the knots where it can bend.  For government and agency legs
  (15c3-1(c)(2)(vi)(A)) the knots are found analytically, in three rounds:

  1. cover (15c3-1b(a)(3)(ix)(A)) is ``min(inventory, contracts)``: it bends
     where a cash leg's value equals the sum of the first j futures covering it;
  2. between those points each leg's exposure is a straight line, so each
     subcategory's net position is too: it bends (``|net|``) where the net is 0;
  3. between all points so far the category's aggregate long and short
     deductions are straight lines, and (A)(1)'s
     ``|L - S| + min(L, S)/2`` bends where ``L = S``.

  The haircut is a straight line between consecutive knots, so its values at
  the knots (and the slope after the last) give it exactly; the result is then
  checked against ``compute_haircuts`` at the middle of every interval.
  Other classes are charged by paragraphs netcap does not analyse here, so
  their knots are located numerically (see `_recover`) over a stated
  range of P; docs/whatif.md gives the range.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from netcap.book.frame import positions_frame
from netcap.book.model import Side
from netcap.dealer.piecewise import PiecewiseLinear, beyond
from netcap.dealer.strategy import Strategy
from netcap.rule.haircuts import HaircutOptions, HaircutResult, compute_haircuts
from netcap.rule.market_maker import market_maker_thresholds

__all__ = ["StrategyCurves", "leg_frame", "strategy_curves"]

FloatArray = npt.NDArray[np.float64]
_GOVERNMENT = ("government", "agency")
_REL_TOL = 1e-9
GENERIC_RANGE = (1.0, 1e13)
"""P range (dollars) searched for knots of non-government haircuts of proportional legs."""
GENERIC_SPAN = 1e6
"""With dollar legs, knots are searched from ``min(a)/max(b)/SPAN`` to ``max(a)/min(b)*SPAN``."""


@dataclass(frozen=True)
class StrategyCurves:
    """Every input of the registration analysis as a function of P."""

    haircut: PiecewiseLinear
    threshold: PiecewiseLinear
    margin: PiecewiseLinear
    dealer_margin: PiecewiseLinear
    haircut_method: str


def leg_frame(strategy: Strategy, on: date, prefix: str = "") -> pd.DataFrame:
    """The validated position frame of the legs (values at the strategy's P)."""
    return positions_frame(strategy.positions(prefix=prefix), on)


def _at(frame: pd.DataFrame, a: FloatArray, b: FloatArray, P: float) -> pd.DataFrame:
    """``frame`` with every leg revalued at size P."""
    out = frame.copy()
    value = a + b * P
    out["market_value"] = value
    out["signed_value"] = np.where(out["side"].to_numpy() == Side.LONG.value, value, -value)
    return out


_LINKS = ("hedge_with", "offsets")


def _zero_legs_unlinked(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with elections from or to a leg worth $0 cleared.

    A leg of ``size`` only is worth nothing at P = 0, where the curves start.
    Every charge on it is then zero, and so is any amount an election naming it
    (an (F)(2) hedge, an Appendix A pairing) could move, but the election cannot
    be checked against the side of a zero position; it is left out there.
    """
    zero = frame["market_value"].to_numpy(dtype=float) == 0
    links = [c for c in _LINKS if c in frame.columns and frame[c].notna().any()]
    if not zero.any() or not links:
        return frame
    gone = frame["id"].to_numpy()[zero].tolist()
    out = frame.copy()
    for c in links:
        out[c] = out[c].where(~(out[c].isin(gone) | zero), None)
    return out


class _Evaluator:
    """``compute_haircuts`` at any P, remembered per P."""

    def __init__(
        self,
        frame: pd.DataFrame,
        a: FloatArray,
        b: FloatArray,
        on: date,
        options: HaircutOptions | None,
        net_capital_before_haircuts: float | None = None,
    ) -> None:
        self.frame, self.a, self.b, self.on, self.options = frame, a, b, on, options
        self.ncbh = net_capital_before_haircuts
        self.memo: dict[float, HaircutResult] = {}

    def __call__(self, P: float) -> HaircutResult:
        key = float(P)
        if key not in self.memo:
            self.memo[key] = compute_haircuts(
                _zero_legs_unlinked(_at(self.frame, self.a, self.b, key)),
                self.on,
                self.options,
                net_capital_before_haircuts=self.ncbh,
            )
        return self.memo[key]

    def total(self, Ps: FloatArray) -> FloatArray:
        return np.array([self(p).total for p in np.asarray(Ps, dtype=float)], dtype=float)


def _affine_roots(a: FloatArray, b: FloatArray) -> FloatArray:
    """Positive roots of ``a + b P = 0`` (elementwise)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.where(b != 0, -a / np.where(b != 0, b, 1.0), np.nan)
    return np.asarray(r[np.isfinite(r) & (r > 0)], dtype=float)


def _interval_ends(points: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Ends of the intervals ``[0, p1], [p1, p2], ..., [pk, beyond(pk)]``."""
    x = np.unique(np.concatenate([[0.0], points]))
    return x, np.append(x[1:], beyond(float(x[-1])))


def _zeros_between(points: FloatArray, quantity: Callable[[float], FloatArray]) -> FloatArray:
    """Where any component of ``quantity`` (linear on each interval) crosses zero.

    Intervals are those of ``points``; the last runs to infinity and is probed
    at `beyond`.
    """
    lo, hi = _interval_ends(points)
    found: list[float] = []
    for k, (x0, x1) in enumerate(zip(lo, hi, strict=True)):
        q0, q1 = quantity(x0), quantity(x1)
        last = k == len(lo) - 1
        slope = (q1 - q0) / (x1 - x0)
        with np.errstate(divide="ignore", invalid="ignore"):
            t = np.where(slope != 0, -q0 / np.where(slope != 0, slope, 1.0), np.nan)
        ok = np.isfinite(t) & (t > 0)
        if not last:
            ok &= t < (x1 - x0)
        found.extend((x0 + t[ok]).tolist())
    return np.asarray(found, dtype=float)


def _cover_knots(strategy: Strategy, a: FloatArray, b: FloatArray) -> FloatArray:
    """Where a cash leg's value equals the sum of the first j futures legs linked to it."""
    roots: list[FloatArray] = []
    for c in range(len(strategy.legs)):
        fut = [i for i, leg in enumerate(strategy.legs) if leg.deliverable_leg == c]
        if not fut:
            continue
        ca, cb = np.cumsum(a[fut]), np.cumsum(b[fut])
        roots.append(_affine_roots(a[c] - ca, b[c] - cb))
    return np.concatenate(roots) if roots else np.zeros(0)


def _pair_knots(
    options: HaircutOptions | None, ids: list[str], a: FloatArray, b: FloatArray
) -> FloatArray:
    """Where the two securities of an (A)(3) pair are equal in value (the larger one moves)."""
    if options is None or not options.government.pairs:
        return np.zeros(0)
    where = {pid: i for i, pid in enumerate(ids)}
    roots = [
        _affine_roots(np.array([a[where[x]] - a[where[y]]]), np.array([b[where[x]] - b[where[y]]]))
        for x, y in options.government.pairs
        if x in where and y in where
    ]
    return np.concatenate(roots) if roots else np.zeros(0)


def _government_knots(
    strategy: Strategy, ev: _Evaluator, options: HaircutOptions | None
) -> FloatArray:
    ids = strategy.leg_ids()
    k1 = np.unique(
        np.concatenate([_cover_knots(strategy, ev.a, ev.b), _pair_knots(options, ids, ev.a, ev.b)])
    )

    def nets(P: float) -> FloatArray:
        sub = ev(P).worksheets["government_subcategories"]
        return np.asarray(sub["net_value"].to_numpy(dtype=float))

    k2 = np.unique(np.concatenate([k1, _zeros_between(k1, nets)]))

    def long_minus_short(P: float) -> FloatArray:
        cat = ev(P).worksheets["government_categories"]
        return np.asarray(
            cat["long_deductions"].to_numpy(dtype=float)
            - cat["short_deductions"].to_numpy(dtype=float)
        )

    return np.unique(np.concatenate([k2, _zeros_between(k2, long_minus_short)]))


def _close(x: FloatArray, y: FloatArray) -> bool:
    scale = max(1.0, float(np.max(np.abs(x), initial=0.0)), float(np.max(np.abs(y), initial=0.0)))
    return bool(np.all(np.abs(x - y) <= _REL_TOL * scale))


def _recover(
    f: Callable[[FloatArray], FloatArray], lo: float, hi: float, per_decade: int = 4
) -> FloatArray:
    """Knots of a continuous piecewise-linear ``f`` on ``[0, hi]``, located numerically.

    ``f`` is probed on a geometric grid from ``lo`` to ``hi``; an interval whose
    middle is off the chord holds a kink, located where the lines through its
    two ends (slopes taken just inside the ends) meet, and split again if the
    kink found does not explain the interval.  Kinks below ``lo`` or above
    ``hi`` are not searched for.
    """
    n = max(2, int(np.ceil(np.log10(hi / lo) * per_decade)) + 1)
    grid = np.concatenate([[0.0], np.geomspace(lo, hi, n)])
    knots: list[float] = []

    def val(x: float) -> float:
        return float(f(np.array([x]))[0])

    def linear(x0: float, x1: float, y0: float, y1: float) -> bool:
        xm = 0.5 * (x0 + x1)
        return _close(np.array([val(xm)]), np.array([0.5 * (y0 + y1)]))

    def split(x0: float, x1: float, y0: float, y1: float, depth: int) -> None:
        if linear(x0, x1, y0, y1):
            return
        if depth > 60 or (x1 - x0) <= 1e-9 * max(1.0, x1):
            knots.append(0.5 * (x0 + x1))
            return
        eps = (x1 - x0) * 1e-7
        sl = (val(x0 + eps) - y0) / eps
        sr = (y1 - val(x1 - eps)) / eps
        xk = 0.5 * (x0 + x1)
        if sl != sr:
            cand = (y1 - y0 + sl * x0 - sr * x1) / (sl - sr)
            if x0 < cand < x1:
                xk = cand
        yk = val(xk)
        if linear(x0, xk, y0, yk) and linear(xk, x1, yk, y1):
            knots.append(xk)
            return
        split(x0, xk, y0, yk, depth + 1)
        split(xk, x1, yk, y1, depth + 1)

    ys = f(grid)
    for i in range(len(grid) - 1):
        split(float(grid[i]), float(grid[i + 1]), float(ys[i]), float(ys[i + 1]), 0)
    x = np.unique(np.concatenate([[0.0], np.asarray(knots, dtype=float), grid[1:]]))
    return _snap(f, x)


def _snap(f: Callable[[FloatArray], FloatArray], x: FloatArray) -> FloatArray:
    """Replace approximate kinks by the exact meeting point of the neighbouring lines.

    Every interval of ``x`` holds a straight piece, so the line of each piece
    is known from two points well inside it; a point of ``x`` where the two
    neighbouring lines have the same slope is not a kink and is dropped.
    """
    ends = np.append(x, beyond(float(x[-1])))
    lo, hi = ends[:-1], ends[1:]
    p1, p2 = lo + 0.25 * (hi - lo), lo + 0.75 * (hi - lo)
    y1, y2 = f(p1), f(p2)
    slope = (y2 - y1) / (p2 - p1)
    icpt = y1 - slope * p1
    scale = max(1.0, float(np.max(np.abs(y1))), float(np.max(np.abs(y2))))
    out = []
    for k in range(1, len(x)):
        sl, sr = slope[k - 1], slope[k]
        # a kink only if the left piece's line misses the right piece (and vice versa)
        miss = max(abs(icpt[k - 1] + sl * p2[k] - y2[k]), abs(icpt[k] + sr * p1[k - 1] - y1[k - 1]))
        if miss <= _REL_TOL * scale or sl == sr:
            continue
        xk = (icpt[k] - icpt[k - 1]) / (sl - sr)
        out.append(xk if lo[k - 1] < xk < hi[k] else x[k])
    return np.unique(np.asarray(out, dtype=float))


def _verified(curve: PiecewiseLinear, total: Callable[[FloatArray], FloatArray]) -> bool:
    x = curve.knots
    mids = np.append(0.5 * (x[:-1] + x[1:]), 3.0 * beyond(float(x[-1])))
    return _close(curve(mids), total(mids))


def haircut_curve(
    strategy: Strategy,
    frame: pd.DataFrame,
    on: date,
    options: HaircutOptions | None = None,
    at_P: HaircutResult | None = None,
    *,
    numeric: bool = False,
) -> tuple[PiecewiseLinear, str]:
    """The strategy's total haircut as a function of P, and how its knots were found.

    ``numeric`` forces the numerical knot search even for government legs (to
    check one method against the other).
    """
    a, b = strategy.coefficients()
    # (M)'s threshold is a fixed share of the firm's capital while the legs
    # grow with P: the add-on bends where an issue's value crosses it, a knot
    # the numerical search below finds (the class is not government)
    ev = _Evaluator(frame, a, b, on, options, strategy.net_capital_before_haircuts)
    if at_P is not None:
        ev.memo[float(strategy.P)] = at_P
    classes = frame["security_class"].to_numpy()
    government = bool(np.isin(classes, _GOVERNMENT).all()) and not numeric
    if government and strategy.proportional:
        # (A) is positively homogeneous: every amount scales with P
        return PiecewiseLinear.line(0.0, ev(strategy.P).total / strategy.P), "proportional"
    if government:
        knots = _government_knots(strategy, ev, options)
        curve = PiecewiseLinear.sample(ev.total, knots)
        if _verified(curve, ev.total):
            return curve, "analytic"
    if strategy.proportional:
        lo, hi = GENERIC_RANGE
    else:
        pos_a, pos_b = a[a > 0], b[b > 0]
        if len(pos_b) == 0:  # every leg in dollars: nothing depends on P
            return PiecewiseLinear.line(ev(0.0).total, 0.0), "constant"
        lo = float(pos_a.min() / pos_b.max()) / GENERIC_SPAN
        hi = float(pos_a.max() / pos_b.min()) * GENERIC_SPAN
    curve = PiecewiseLinear.sample(ev.total, _recover(ev.total, lo, hi))
    return curve, "numeric"


def margin_curves(strategy: Strategy) -> tuple[PiecewiseLinear, PiecewiseLinear]:
    """(non-dealer margin, margin once registered) as functions of P.

    Flat rate: ``rate * max(long value, short value)``.  Per-leg rates:
    ``sum(rate_i * value_i)``.  The registered firm's margin is
    the greater of the non-dealer margin and ``dealer_margin_rate`` on the
    flat basis when that rate is set, else the non-dealer margin.
    """
    a, b = strategy.coefficients()
    long = np.array([leg.side is Side.LONG for leg in strategy.legs])
    basis = PiecewiseLinear.maximum(
        [
            PiecewiseLinear.line(float(a[long].sum()), float(b[long].sum())),
            PiecewiseLinear.line(float(a[~long].sum()), float(b[~long].sum())),
        ]
    )
    if strategy.per_leg_margin:
        r = np.array([leg.margin_rate or 0.0 for leg in strategy.legs])
        margin = PiecewiseLinear.line(float(r @ a), float(r @ b))
    else:
        margin = basis.scale(strategy.margin_rate)
    if strategy.dealer_margin_rate is None:
        return margin, margin
    # registering cannot lower the margin the firm's lenders ask: with per-leg rates
    # (or a dealer rate below the flat rate) the dealer rate on the basis can fall
    # below the baseline, so the baseline is a floor
    return margin, PiecewiseLinear.maximum([margin, basis.scale(strategy.dealer_margin_rate)])


def strategy_curves(
    strategy: Strategy,
    frame: pd.DataFrame,
    on: date,
    options: HaircutOptions | None = None,
    at_P: HaircutResult | None = None,
    thresholds: pd.DataFrame | None = None,
) -> StrategyCurves:
    """Haircut, (a)(6) threshold, margin and dealer margin of ``strategy`` as functions of P.

    ``thresholds`` (from `market_maker_thresholds`
    on ``frame``) is computed when not given.
    """
    haircut, method = haircut_curve(strategy, frame, on, options, at_P)
    a, b = strategy.coefficients()
    if thresholds is None:
        thresholds = market_maker_thresholds(frame, on)
    rates = thresholds["rate"].to_numpy(dtype=float)
    threshold = PiecewiseLinear.line(float(rates @ a), float(rates @ b))
    margin, dealer_margin = margin_curves(strategy)
    return StrategyCurves(haircut, threshold, margin, dealer_margin, method)
