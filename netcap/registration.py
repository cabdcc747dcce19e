"""Capital cost of registering as a dealer: the SEC's method for Rules 3a5-4 / 3a44-2.

Section III.C.2.b of the 2024 dealer release (Release 34-99477; Tables 9-10,
Boxes 1-2) compares the equity a trading firm must hold for a strategy of size
$P before and after registration:

* non-dealer: a margin requirement, ``margin_rate * P`` (the release uses 2%);
* dealer under the aggregate indebtedness standard of 15c3-1(a)(1)(i): with
  aggregate indebtedness zero (all borrowing adequately collateralized), net
  capital = equity - haircut must reach the fixed-dollar minimum, so equity
  must reach ``fixed_minimum + haircut``; the margin requirement still applies:
  ``max(margin, fixed_minimum + haircut)``;
* dealer under the market-maker alternative of 15c3-1(a)(6): no haircut, but
  equity must reach a threshold that is a percentage of the positions:
  ``max(margin, fixed_minimum, threshold)``.

A firm eligible for (a)(6) takes whichever standard is easier.  Every
requirement is piecewise linear in P, so the limit as P grows and the values of
P at which the binding constraint switches are found exactly, not by scanning.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

from netcap.frame import positions_frame
from netcap.haircuts import HaircutOptions, HaircutResult, compute_haircuts
from netcap.market_maker import market_maker_thresholds
from netcap.strategy import Strategy

__all__ = [
    "Crossover",
    "DealerCapital",
    "RegistrationAnalysis",
    "analyze",
    "market_maker_thresholds",
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


@dataclass(frozen=True)
class RegistrationAnalysis:
    """The SEC method applied to one strategy."""

    strategy: Strategy
    haircut_rate: float
    threshold_rate: float
    haircuts: HaircutResult
    thresholds: pd.DataFrame

    @property
    def margin_rate(self) -> float:
        """Non-dealer margin as a fraction of P."""
        return self.strategy.margin_rate

    @property
    def fixed_minimum(self) -> float:
        """Fixed-dollar minimum net capital."""
        return self.strategy.fixed_minimum

    def _components(self, P: npt.NDArray[np.float64]) -> dict[str, npt.NDArray[np.float64]]:
        m, h, t, F = self.margin_rate, self.haircut_rate, self.threshold_rate, self.fixed_minimum
        return {
            MARGIN: m * P,
            FIXED_PLUS_HAIRCUT: F + h * P,
            FIXED: np.full_like(P, F),
            THRESHOLD: t * P,
        }

    def requirements(self, P: npt.ArrayLike) -> pd.DataFrame:
        """Requirement under each standard, and the binding one, for every P (vectorized)."""
        Ps = np.atleast_1d(np.asarray(P, dtype=float))
        if (Ps <= 0).any() or not np.isfinite(Ps).all():
            raise ValueError("P must be positive and finite")
        c = self._components(Ps)
        ai = np.maximum(c[MARGIN], c[FIXED_PLUS_HAIRCUT])
        ai_comp = np.where(c[MARGIN] >= c[FIXED_PLUS_HAIRCUT], MARGIN, FIXED_PLUS_HAIRCUT)
        mm = np.maximum.reduce([c[MARGIN], c[FIXED], c[THRESHOLD]])
        mm_comp = np.where(
            c[MARGIN] >= np.maximum(c[FIXED], c[THRESHOLD]),
            MARGIN,
            np.where(c[FIXED] >= c[THRESHOLD], FIXED, THRESHOLD),
        )
        if self.strategy.market_maker_eligible:
            use_mm = mm < ai
            dealer = np.where(use_mm, mm, ai)
            standard = np.where(use_mm, MM_STANDARD, AI_STANDARD)
            component = np.where(use_mm, mm_comp, ai_comp)
            mm_col: npt.NDArray[np.float64] = mm
        else:
            dealer, standard, component = ai, np.full(Ps.shape, AI_STANDARD), ai_comp
            mm_col = np.full(Ps.shape, np.nan)
        return pd.DataFrame(
            {
                "P": Ps,
                "haircut": self.haircut_rate * Ps,
                "non_dealer": c[MARGIN],
                "aggregate_indebtedness": ai,
                "market_maker": mm_col,
                "dealer": dealer,
                "standard": standard,
                "component": component,
                "increase_pct": (dealer / c[MARGIN] - 1.0) * 100.0,
            }
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

    @property
    def increase_pct_limit(self) -> float:
        """Percentage increase as P grows without bound.

        Every requirement divided by ``margin_rate * P`` tends to its slope over
        the margin rate: ``max(m, h)`` under the AI standard and ``max(m, t)``
        under the market-maker alternative.
        """
        m = self.margin_rate
        ai = max(m, self.haircut_rate)
        slope = min(ai, max(m, self.threshold_rate)) if self.strategy.market_maker_eligible else ai
        return (slope / m - 1.0) * 100.0

    @property
    def crossovers(self) -> tuple[Crossover, ...]:
        """Every P > 0 at which the binding (standard, component) changes, in order.

        The candidates are the intersections of the linear pieces
        (m P, F + h P, F, t P); a candidate is kept when the binding constraint
        differs just below and just above it.
        """
        m, h, t, F = self.margin_rate, self.haircut_rate, self.threshold_rate, self.fixed_minimum
        candidates = set()
        for slope_gap in (m - h, t - h, m, t):
            if slope_gap > 0 and F > 0:
                candidates.add(F / slope_gap)
        out = []
        for P in sorted(candidates):
            probe = self.requirements(np.array([P * (1 - 1e-9), P * (1 + 1e-9)]))
            before = (str(probe["standard"].iloc[0]), str(probe["component"].iloc[0]))
            after = (str(probe["standard"].iloc[1]), str(probe["component"].iloc[1]))
            if before != after:
                out.append(Crossover(P=P, before=before, after=after))
        return tuple(out)


def analyze(strategy: Strategy, options: HaircutOptions | None = None) -> RegistrationAnalysis:
    """Apply the SEC method to ``strategy``.

    The haircut and threshold of legs sized as fractions of P are proportional
    to P, so both are computed once at the strategy's P and expressed per dollar
    of P.
    """
    on = strategy.as_of or date.today()
    frame = positions_frame(strategy.positions(), on)
    haircuts = compute_haircuts(frame, on, options)
    thresholds = market_maker_thresholds(frame, on)
    return RegistrationAnalysis(
        strategy=strategy,
        haircut_rate=haircuts.total / strategy.P,
        threshold_rate=float(thresholds["threshold"].sum()) / strategy.P,
        haircuts=haircuts,
        thresholds=thresholds,
    )


def table10_row(analysis: RegistrationAnalysis, P: float = 50_000_000.0) -> tuple[float, float]:
    """(% increase at P, % increase as P grows without bound), as Table 10 reports them."""
    return analysis.at(P).increase_pct, analysis.increase_pct_limit


def as_table(analyses: Sequence[RegistrationAnalysis], P: float = 50_000_000.0) -> pd.DataFrame:
    """Table 10 layout for several strategies."""
    rows = []
    for a in analyses:
        at_p, limit = table10_row(a, P)
        rows.append(
            {
                "strategy": a.strategy.name,
                "haircut_pct_of_P": a.haircut_rate * 100.0,
                "increase_pct_at_P": at_p,
                "increase_pct_limit": limit,
            }
        )
    return pd.DataFrame(rows)
