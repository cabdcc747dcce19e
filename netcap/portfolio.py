"""Several strategies (and an existing book) run by one firm: net capital is not additive.

Net capital is computed on the firm's whole book, so strategies that are
charged separately can net against each other in the haircut of
15c3-1(c)(2)(vi), and the fixed-dollar minimum of 15c3-1(a)(2)(iii) is held
once, not once per strategy.  The 2024 dealer release makes the point with
strategies 7 and 8 at $50mm each: the increase is not 273% + 54%, but less.

`combine` merges the legs of every strategy (each at its own size) and an
optional list of existing positions into one position frame, charges it with
`compute_haircuts`, and applies the same requirement
formulas as `netcap.registration`.  The margin baseline is not netted:
each strategy keeps its own margin (the release's flat margin "does not
necessarily recognize offsets"), and the existing book pays
``book_margin_rate`` on its larger side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from netcap.curves import margin_curves
from netcap.frame import positions_frame
from netcap.haircuts import HaircutOptions, HaircutResult
from netcap.model import Position, Side
from netcap.registration import (
    RegistrationAnalysis,
    analyze,
    binding,
    haircuts_of_legs,
    thresholds_if_eligible,
)
from netcap.strategy import Strategy

__all__ = ["Combination", "StandAlone", "combine", "merged_positions"]


@dataclass(frozen=True)
class StandAlone:
    """One strategy analysed on its own at its size."""

    name: str
    P: float
    haircut: float
    non_dealer: float
    dealer: float
    standard: str
    component: str
    increase_pct: float


@dataclass(frozen=True)
class Combination:
    """Requirements of the combined firm next to the stand-alone figures."""

    standalone: tuple[StandAlone, ...]
    positions: tuple[Position, ...]
    haircuts: HaircutResult
    thresholds: pd.DataFrame
    fixed_minimum: float
    non_dealer: float
    dealer_margin: float
    haircut: float
    threshold: float
    aggregate_indebtedness: float
    market_maker: float | None
    dealer: float
    standard: str
    component: str
    increase_pct: float

    @property
    def sum_of_increase_pct(self) -> float:
        """The stand-alone percentage increases added up (what the release says not to do)."""
        return float(sum(s.increase_pct for s in self.standalone))

    @property
    def standalone_dealer_total(self) -> float:
        """Dealer requirements of the strategies run as separate firms, added up."""
        return float(sum(s.dealer for s in self.standalone))

    @property
    def standalone_non_dealer_total(self) -> float:
        """Non-dealer margins of the strategies, added up."""
        return float(sum(s.non_dealer for s in self.standalone))

    @property
    def standalone_increase_pct(self) -> float:
        """Increase if each strategy were a separate dealer: sum of dealer / sum of margin - 1."""
        return (self.standalone_dealer_total / self.standalone_non_dealer_total - 1.0) * 100.0

    @property
    def saving(self) -> float:
        """Dollars of equity saved by running the strategies in one firm (can be negative)."""
        return self.standalone_dealer_total - self.dealer

    def table(self) -> pd.DataFrame:
        """One row per strategy, then the stand-alone sum and the combined firm."""
        rows = [
            {
                "name": s.name,
                "haircut": s.haircut,
                "non_dealer": s.non_dealer,
                "dealer": s.dealer,
                "increase_pct": s.increase_pct,
            }
            for s in self.standalone
        ]
        rows.append(
            {
                "name": "sum of stand-alone",
                "haircut": float(sum(s.haircut for s in self.standalone)),
                "non_dealer": self.standalone_non_dealer_total,
                "dealer": self.standalone_dealer_total,
                "increase_pct": self.standalone_increase_pct,
            }
        )
        rows.append(
            {
                "name": "combined",
                "haircut": self.haircut,
                "non_dealer": self.non_dealer,
                "dealer": self.dealer,
                "increase_pct": self.increase_pct,
            }
        )
        return pd.DataFrame(rows)

    def _repr_html_(self) -> str:
        from netcap.notebook import combination_html  # noqa: PLC0415 (display only)

        return combination_html(self)


def merged_positions(
    strategies: Sequence[Strategy], sizes: Sequence[float], book: Sequence[Position] = ()
) -> tuple[Position, ...]:
    """Every leg of every strategy at its size (ids ``s<k>.leg<i>``), then the book."""
    out: list[Position] = []
    for k, (s, P) in enumerate(zip(strategies, sizes, strict=True)):
        out.extend(s.positions(P, prefix=f"s{k}."))
    out.extend(book)
    return tuple(out)


def _book_margin(book: Sequence[Position], rate: float) -> float:
    long = sum(p.value for p in book if p.side is Side.LONG)
    short = sum(p.value for p in book if p.side is Side.SHORT)
    return rate * max(long, short)


def combine(
    strategies: Sequence[Strategy],
    book: Sequence[Position] | None = None,
    *,
    sizes: Sequence[float] | None = None,
    book_margin_rate: float = 0.02,
    fixed_minimum: float | None = None,
    options: HaircutOptions | None = None,
    net_capital_before_haircuts: float | None = None,
    as_of: date | None = None,
) -> Combination:
    """Run ``strategies`` (each at ``sizes[k]``, default its own P) and ``book`` as one firm.

    The fixed minimum is held once: ``fixed_minimum`` or, by default, the
    largest of the strategies'.  The market-maker alternative is available
    only if it is for every strategy.  All strategies must name the same
    ``as_of`` date (or none: today).  ``net_capital_before_haircuts`` (the
    firm's, for the 15c3-1(c)(2)(vi)(M) threshold) defaults to the figure the
    strategies give; they must not give different ones.

    A combination has one computation date: ``as_of`` (give the book's when ``book``
    comes from one, so its maturities are measured from its own date), else the
    strategies' common ``as_of``, else today.  A strategy that names a different date
    is an error, not silently re-dated.
    """
    if not strategies:
        raise ValueError("combine: give at least one strategy")
    book = tuple(book or ())
    Ps = [s.P for s in strategies] if sizes is None else [float(p) for p in sizes]
    if len(Ps) != len(strategies):
        raise ValueError(f"combine: {len(strategies)} strategies but {len(Ps)} sizes")
    for k, p in enumerate(Ps):
        if not (np.isfinite(p) and p > 0):
            raise ValueError(f"combine: sizes[{k}] = {p} is not a positive size")
    dates = {s.as_of for s in strategies if s.as_of is not None}
    if len(dates) > 1:
        raise ValueError(f"combine: strategies name different as_of dates {sorted(dates)}")
    if as_of is not None:
        for s in strategies:
            if s.as_of is not None and s.as_of != as_of:
                raise ValueError(
                    f"combine: strategy {s.name!r} is as of {s.as_of.isoformat()} but the "
                    f"combination (and its book) is as of {as_of.isoformat()}; one date applies"
                )
        strategies = [
            s if s.as_of is not None else s.model_copy(update={"as_of": as_of}) for s in strategies
        ]
        on = as_of
    else:
        on = dates.pop() if dates else date.today()
    ncbh = net_capital_before_haircuts
    if ncbh is None:
        given = {
            s.net_capital_before_haircuts
            for s in strategies
            if s.net_capital_before_haircuts is not None
        }
        if len(given) > 1:
            raise ValueError(
                "combine: strategies give different net_capital_before_haircuts "
                f"{sorted(given)}; pass the firm's figure as net_capital_before_haircuts"
            )
        ncbh = given.pop() if given else None
    F = max(s.fixed_minimum for s in strategies) if fixed_minimum is None else fixed_minimum
    eligible = all(s.market_maker_eligible for s in strategies)

    alone: list[StandAlone] = []
    margin = dealer_margin = 0.0
    for s, P in zip(strategies, Ps, strict=True):
        alone_s = s if ncbh is None else s.model_copy(update={"net_capital_before_haircuts": ncbh})
        a: RegistrationAnalysis = analyze(alone_s.with_P(P), options)
        at = a.at(P)
        alone.append(
            StandAlone(
                name=s.name,
                P=P,
                haircut=at.haircut,
                non_dealer=at.non_dealer,
                dealer=at.dealer,
                standard=at.standard,
                component=at.component,
                increase_pct=at.increase_pct,
            )
        )
        m, md = margin_curves(s)
        margin += float(m(P))
        dealer_margin += float(md(P))
    margin += _book_margin(book, book_margin_rate)
    dealer_margin += _book_margin(book, book_margin_rate)

    positions = merged_positions(strategies, Ps, book)
    frame = positions_frame(positions, on)
    haircuts = haircuts_of_legs(
        strategies[0].model_copy(update={"name": "combine"}), frame, on, options, ncbh
    )
    thresholds = thresholds_if_eligible(frame, on, eligible=eligible)
    threshold = float(thresholds["threshold"].sum())
    row = binding(
        sum(Ps),
        haircut=haircuts.total,
        threshold=threshold,
        margin=margin,
        dealer_margin=dealer_margin,
        fixed_minimum=F,
        market_maker_eligible=eligible,
    ).iloc[0]
    mm = float(row["market_maker"])
    return Combination(
        standalone=tuple(alone),
        positions=positions,
        haircuts=haircuts,
        thresholds=thresholds,
        fixed_minimum=F,
        non_dealer=margin,
        dealer_margin=dealer_margin,
        haircut=haircuts.total,
        threshold=threshold,
        aggregate_indebtedness=float(row["aggregate_indebtedness"]),
        market_maker=None if np.isnan(mm) else mm,
        dealer=float(row["dealer"]),
        standard=str(row["standard"]),
        component=str(row["component"]),
        increase_pct=float(row["increase_pct"]),
    )
