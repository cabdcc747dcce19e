"""Capital cost of registering as a dealer: the SEC's method for Rules 3a5-4 / 3a44-2.

Section III.C.2.b of the 2024 dealer release (Release 34-99477; Tables 9-10,
Boxes 1-2) compares the equity a trading firm must hold for a strategy of size
$P before and after registration:

* non-dealer: a margin requirement (the release uses 2% of P);
* dealer under the aggregate indebtedness standard of 15c3-1(a)(1)(i): with
  aggregate indebtedness zero (all borrowing adequately collateralized), net
  capital = equity - haircut must reach the fixed-dollar minimum, so equity
  must reach ``fixed_minimum + haircut``; the margin requirement still applies:
  ``max(margin, fixed_minimum + haircut)``;
* dealer under the market-maker alternative of 15c3-1(a)(6): no haircut, but
  equity must reach a threshold that is a percentage of the positions:
  ``max(margin, fixed_minimum, threshold)``.

A firm eligible for (a)(6) takes whichever standard is easier.  With legs of
``a + b*P`` dollars every requirement is piecewise linear in P
(`netcap.dealer.curves`), so the limit as P grows and every P at which the binding
constraint switches are found exactly, not by scanning.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from netcap.dealer.curves import StrategyCurves, leg_frame, strategy_curves
from netcap.dealer.piecewise import REL_TOL, PiecewiseLinear, common_knots
from netcap.dealer.strategy import Strategy
from netcap.rule.haircuts import HaircutOptions, HaircutResult, compute_haircuts
from netcap.rule.haircuts.concentration import CONCENTRATION_CITATION
from netcap.rule.market_maker import EXEMPTED_CLASSES, market_maker_thresholds

__all__ = [
    "CITATIONS",
    "EXEMPTED_CLASSES",
    "Crossover",
    "DealerCapital",
    "RegistrationAnalysis",
    "analyze",
    "binding",
    "market_maker_thresholds",
    "sweep",
]

AI_STANDARD = "aggregate_indebtedness"
MM_STANDARD = "market_maker_alternative"
MARGIN = "margin"
FIXED_PLUS_HAIRCUT = "fixed_minimum_plus_haircut"
FIXED = "fixed_minimum"
THRESHOLD = "market_maker_threshold"

CITATIONS = {
    AI_STANDARD: "15c3-1(a)(1)(i)",
    MM_STANDARD: "15c3-1(a)(6)(iii)(A)",
    FIXED: "15c3-1(a)(2)(iii)",
    FIXED_PLUS_HAIRCUT: "15c3-1(a)(2)(iii); 15c3-1(c)(2)(vi)",
    MARGIN: "non-dealer margin baseline (Release 34-99477, section III.C.2.b)",
    THRESHOLD: "15c3-1(a)(6)(iii)(A)",
}

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class DealerCapital:
    """Required equity at one position size P."""

    P: float
    non_dealer: float
    haircut: float
    aggregate_indebtedness: float
    market_maker: float | None
    dealer: float
    standard: str
    component: str
    increase_pct: float


@dataclass(frozen=True)
class Crossover:
    """A position size at which the binding constraint changes."""

    P: float
    before: tuple[str, str]
    after: tuple[str, str]


def _at_least(x: FloatArray | float, y: FloatArray | float) -> npt.NDArray[np.bool_]:
    """``x >= y`` with float noise (relative REL_TOL) counted as a tie."""
    xa, ya = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    return np.asarray(xa >= ya - REL_TOL * np.maximum(np.abs(xa), np.abs(ya)))


def binding(
    P: npt.ArrayLike,
    *,
    haircut: npt.ArrayLike,
    threshold: npt.ArrayLike,
    margin: npt.ArrayLike,
    dealer_margin: npt.ArrayLike,
    fixed_minimum: float,
    market_maker_eligible: bool = True,
) -> pd.DataFrame:
    """Requirement under each standard and the binding one, from the inputs at each P.

    Vectorized over P.  Ties go to the aggregate indebtedness standard, and
    within a standard to the margin, then the fixed minimum; amounts within a
    relative 1e-12 of each other are ties (float noise does not switch the
    binding constraint).
    """
    cols = _binding_arrays(
        P,
        haircut=haircut,
        threshold=threshold,
        margin=margin,
        dealer_margin=dealer_margin,
        fixed_minimum=fixed_minimum,
        market_maker_eligible=market_maker_eligible,
    )
    cols["standard"] = _labels(cols["standard"], _STANDARDS)
    cols["component"] = _labels(cols["component"], _COMPONENTS)
    return pd.DataFrame(cols)


def _binding_arrays(
    P: npt.ArrayLike,
    *,
    haircut: npt.ArrayLike,
    threshold: npt.ArrayLike,
    margin: npt.ArrayLike,
    dealer_margin: npt.ArrayLike,
    fixed_minimum: float,
    market_maker_eligible: bool,
) -> dict[str, Any]:
    """The columns of `binding` as arrays, the labels as codes."""
    Ps = np.atleast_1d(np.asarray(P, dtype=float))
    h = np.broadcast_to(np.asarray(haircut, dtype=float), Ps.shape)
    t = np.broadcast_to(np.asarray(threshold, dtype=float), Ps.shape)
    m = np.broadcast_to(np.asarray(margin, dtype=float), Ps.shape)
    md = np.broadcast_to(np.asarray(dealer_margin, dtype=float), Ps.shape)
    F = fixed_minimum
    fph = F + h
    ft = np.maximum(F, t)
    ai = np.maximum(md, fph)
    # labels as codes into _COMPONENTS / _STANDARDS; text is built once at the end
    ai_comp = np.where(_at_least(md, fph), 0, 1)
    mm = np.maximum(md, ft)
    mm_comp = np.where(_at_least(md, ft), 0, np.where(_at_least(F, t), 2, 3))
    if market_maker_eligible:
        use_mm = ~_at_least(mm, ai)
        dealer = np.where(use_mm, mm, ai)
        standard = np.where(use_mm, 1, 0)
        component = np.where(use_mm, mm_comp, ai_comp)
        mm_col: FloatArray = mm
    else:
        dealer, standard, component = ai, np.zeros(Ps.shape, dtype=np.int64), ai_comp
        mm_col = np.full(Ps.shape, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        increase = (dealer / m - 1.0) * 100.0
    return {
        "P": Ps,
        "haircut": h,
        "threshold": t,
        "non_dealer": m,
        "dealer_margin": md,
        "aggregate_indebtedness": ai,
        "market_maker": mm_col,
        "dealer": dealer,
        "standard": standard,
        "component": component,
        "increase_pct": increase,
    }


_STANDARDS = (AI_STANDARD, MM_STANDARD)
_COMPONENTS = (MARGIN, FIXED_PLUS_HAIRCUT, FIXED, THRESHOLD)


def _labels(
    codes: npt.NDArray[np.int64], names: tuple[str, ...]
) -> pd.api.extensions.ExtensionArray:
    """A text column from codes into ``names`` (no per-row string conversion)."""
    return pd.array(np.array(names, dtype=object)[np.asarray(codes).reshape(-1)], dtype="str")


@dataclass(frozen=True)
class RegistrationAnalysis:
    """The SEC method applied to one strategy.

    ``haircuts`` and ``thresholds`` are the detail at the strategy's own P;
    ``curves`` give every input at any P.
    """

    strategy: Strategy
    haircuts: HaircutResult
    thresholds: pd.DataFrame
    curves: StrategyCurves

    @property
    def haircut_rate(self) -> float:
        """Haircut per dollar of P at the strategy's P."""
        return self.haircuts.total / self.strategy.P

    @property
    def threshold_rate(self) -> float:
        """(a)(6) threshold per dollar of P at the strategy's P."""
        return float(self.thresholds["threshold"].sum()) / self.strategy.P

    @property
    def margin_rate(self) -> float:
        """Flat non-dealer margin rate."""
        return self.strategy.margin_rate

    @property
    def fixed_minimum(self) -> float:
        """Fixed-dollar minimum net capital."""
        return self.strategy.fixed_minimum

    def requirements(self, P: npt.ArrayLike) -> pd.DataFrame:
        """Requirement under each standard, and the binding one, for every P (vectorized)."""
        Ps = np.atleast_1d(np.asarray(P, dtype=float))
        if (Ps <= 0).any() or not np.isfinite(Ps).all():
            raise ValueError("P must be positive and finite")
        return binding(Ps, **self._inputs(Ps))

    def _inputs(self, Ps: FloatArray) -> dict[str, Any]:
        c = self.curves
        return dict(
            haircut=c.haircut(Ps),
            threshold=c.threshold(Ps),
            margin=c.margin(Ps),
            dealer_margin=c.dealer_margin(Ps),
            fixed_minimum=self.fixed_minimum,
            market_maker_eligible=self.strategy.market_maker_eligible,
        )

    def at(self, P: float | None = None) -> DealerCapital:
        """Required equity at size ``P`` (default: the strategy's P)."""
        row = self.requirements(self.strategy.P if P is None else P).iloc[0]
        mm = float(row["market_maker"])
        return DealerCapital(
            P=float(row["P"]),
            non_dealer=float(row["non_dealer"]),
            haircut=float(row["haircut"]),
            aggregate_indebtedness=float(row["aggregate_indebtedness"]),
            market_maker=None if np.isnan(mm) else mm,
            dealer=float(row["dealer"]),
            standard=str(row["standard"]),
            component=str(row["component"]),
            increase_pct=float(row["increase_pct"]),
        )

    def _pieces(self) -> list[PiecewiseLinear]:
        c = self.curves
        F = PiecewiseLinear.line(self.fixed_minimum, 0.0)
        return [c.dealer_margin, c.haircut + self.fixed_minimum, F, c.threshold]

    @property
    def dealer_curve(self) -> PiecewiseLinear:
        """The dealer requirement as an exact function of P."""
        md, fph, F, t = self._pieces()
        ai = PiecewiseLinear.maximum([md, fph])
        if not self.strategy.market_maker_eligible:
            return ai
        return PiecewiseLinear.minimum([ai, PiecewiseLinear.maximum([md, F, t])])

    @property
    def increase_pct_limit(self) -> float:
        """Percentage increase as P grows without bound.

        The ratio of the tail slopes of the dealer requirement and the margin
        baseline: ``max(m, h)/m - 1`` under the AI standard for the release's
        strategies.  When the baseline stops growing with P (every leg in
        dollars) the ratio of the tail values is given, or infinity.
        """
        dealer, base = self.dealer_curve, self.curves.margin
        if base.tail_slope > 0:
            return (dealer.tail_slope / base.tail_slope - 1.0) * 100.0
        if dealer.tail_slope > 0:
            return math.inf
        x = max(dealer.knots[-1], base.knots[-1]) + 1.0
        return (float(dealer(x)) / float(base(x)) - 1.0) * 100.0

    @property
    def crossovers(self) -> tuple[Crossover, ...]:
        """Every P > 0 at which the binding (standard, component) changes, in order.

        The candidates are the knots of the inputs and every point where two of
        the pieces (dealer margin, F + haircut, F, threshold) cross; on each
        interval between candidates the order of the pieces is fixed, so the
        binding constraint is read at the interval's middle and a crossover is
        kept where it differs on the two sides.
        """
        x = common_knots(self._pieces())
        if len(x) < 2:
            return ()
        mids = np.append(0.5 * (x[:-1] + x[1:]), 2.0 * x[-1] + 1.0)
        probe = _binding_arrays(mids, **self._inputs(mids))
        std, comp = probe["standard"], probe["component"]
        changed = 1 + np.flatnonzero((std[1:] != std[:-1]) | (comp[1:] != comp[:-1]))

        def label(k: int) -> tuple[str, str]:
            return (_STANDARDS[int(std[k])], _COMPONENTS[int(comp[k])])

        return tuple(
            Crossover(P=float(x[k]), before=label(k - 1), after=label(k)) for k in changed.tolist()
        )

    def sweep(self, P_grid: npt.ArrayLike) -> pd.DataFrame:
        """`requirements` over a grid, with crossovers and the limit in ``attrs``."""
        out = self.requirements(P_grid)
        out.attrs["strategy"] = self.strategy.name
        out.attrs["crossovers"] = [c.P for c in self.crossovers]
        out.attrs["increase_pct_limit"] = self.increase_pct_limit
        return out

    def _repr_html_(self) -> str:
        from netcap.display import to_html  # noqa: PLC0415 (display only)

        return to_html(self)

    def __str__(self) -> str:
        at = self.at()
        return (
            f"{self.strategy.name} at P=${at.P:,.0f}: haircut ${at.haircut:,.0f}, "
            f"non-dealer ${at.non_dealer:,.0f}, dealer ${at.dealer:,.0f} "
            f"({at.standard}: {at.component}), increase {at.increase_pct:.2f}%"
        )


def analyze(strategy: Strategy, options: HaircutOptions | None = None) -> RegistrationAnalysis:
    """Apply the SEC method to ``strategy``.

    The haircut and threshold detail is computed at the strategy's P; the
    curves give them at every P (see `netcap.dealer.curves`).
    """
    on = strategy.as_of or date.today()
    frame = leg_frame(strategy, on)
    haircuts = haircuts_of_legs(strategy, frame, on, options)
    thresholds = thresholds_if_eligible(frame, on, eligible=strategy.market_maker_eligible)
    curves = strategy_curves(strategy, frame, on, options, at_P=haircuts, thresholds=thresholds)
    return RegistrationAnalysis(
        strategy=strategy, haircuts=haircuts, thresholds=thresholds, curves=curves
    )


def thresholds_if_eligible(frame: pd.DataFrame, on: date, *, eligible: bool) -> pd.DataFrame:
    """The (a)(6)(iii)(A) thresholds of ``frame``, or zero rows when (a)(6) is not open.

    A firm that cannot use the market-maker alternative never needs its
    threshold, so legs (options) whose threshold netcap does not compute are
    refused only when the alternative is available.
    """
    if eligible:
        return market_maker_thresholds(frame, on)
    n = len(frame)
    return pd.DataFrame(
        {
            "id": frame["id"].to_numpy(),
            "basis": np.full(n, "not eligible", dtype=object),
            "rate": np.zeros(n),
            "market_value": frame["market_value"].to_numpy(dtype=float),
            "threshold": np.zeros(n),
            "citation": np.full(n, CITATIONS[THRESHOLD], dtype=object),
        }
    )


def haircuts_of_legs(
    strategy: Strategy,
    frame: pd.DataFrame,
    on: date,
    options: HaircutOptions | None = None,
    net_capital_before_haircuts: float | None = None,
) -> HaircutResult:
    """`netcap.rule.haircuts.compute_haircuts` of the legs' ``frame``.

    ``net_capital_before_haircuts`` defaults to the strategy's.  When a leg
    falls under 15c3-1(c)(2)(vi)(M) and no figure is given, the error names
    the ``net_capital_before_haircuts`` field of the strategy.
    """
    ncbh = (
        strategy.net_capital_before_haircuts
        if net_capital_before_haircuts is None
        else net_capital_before_haircuts
    )
    try:
        return compute_haircuts(frame, on, options, net_capital_before_haircuts=ncbh)
    except ValueError as e:
        if ncbh is None and CONCENTRATION_CITATION in str(e):
            raise ValueError(
                f"{strategy.name}: net_capital_before_haircuts is required: a leg falls under "
                f"{CONCENTRATION_CITATION} (undue concentration), whose threshold is 10% of the "
                "firm's net capital before haircuts; give it on the strategy (dollars, fixed as "
                "P varies)"
            ) from e
        raise


def sweep(
    strategy: Strategy | RegistrationAnalysis,
    P_grid: npt.ArrayLike,
    options: HaircutOptions | None = None,
) -> pd.DataFrame:
    """Every requirement of ``strategy`` at every P of ``P_grid`` (exact, vectorized).

    Columns: P, haircut, threshold, non_dealer, dealer_margin,
    aggregate_indebtedness, market_maker, dealer, standard, component,
    increase_pct.  ``attrs`` holds the crossovers and the limit as P grows.
    """
    a = strategy if isinstance(strategy, RegistrationAnalysis) else analyze(strategy, options)
    return a.sweep(P_grid)


def table10_row(analysis: RegistrationAnalysis, P: float = 50_000_000.0) -> tuple[float, float]:
    """(% increase at P, % increase as P grows without bound), as Table 10 reports them."""
    return analysis.at(P).increase_pct, analysis.increase_pct_limit
