"""Several strategies (and an existing book) run by one firm: net capital is not additive.

Net capital is computed on the firm's whole book, so strategies that are
charged separately can net against each other in the haircut of
15c3-1(c)(2)(vi), and the fixed-dollar minimum of 15c3-1(a)(2)(iii) is held
once, not once per strategy.  The 2024 dealer release makes the point with
strategies 7 and 8 at $50mm each: the increase is not 273% + 54%, but less.

`combine` merges the legs of every strategy (each at its own size) and an
optional list of existing positions into one position frame, charges it with
`compute_haircuts`, and applies the same requirement
formulas as `netcap.dealer.registration`.  The margin baseline is not netted:
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

from netcap.book.frame import BookError, RowError, positions_frame
from netcap.book.model import Position, Side
from netcap.dealer.curves import margin_curves
from netcap.dealer.registration import (
    RegistrationAnalysis,
    analyze,
    binding,
    haircuts_of_legs,
    thresholds_if_eligible,
)
from netcap.dealer.strategy import Strategy
from netcap.rule.haircuts import HaircutOptions, HaircutResult, compute_haircuts

__all__ = ["BOOK_ALONE", "LEGS_SOURCE", "Combination", "StandAlone", "combine", "merged_positions"]


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


LEGS_SOURCE = "strategy legs"
"""``source`` of the errors `combine` finds in the strategies' legs (row: index over all legs)."""

BOOK_ALONE = "book alone"
"""Name of the row of `Combination.table` that holds the existing book run on its own."""


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
    as_of: date | None = None
    """The date whose rules every figure was computed under (maturities run from it)."""
    book_alone: StandAlone | None = None
    """The existing book run on its own as a dealer (None without a book)."""
    notes: tuple[str, ...] = ()
    """What the reader should know about the inputs: dates replaced or defaulted to today."""

    @property
    def _separate(self) -> tuple[StandAlone, ...]:
        """The stand-alone firms: every strategy, then the book alone if there is one."""
        return self.standalone + (() if self.book_alone is None else (self.book_alone,))

    @property
    def sum_of_increase_pct(self) -> float:
        """The stand-alone percentage increases added up (what the release says not to do)."""
        return float(sum(s.increase_pct for s in self.standalone))

    @property
    def standalone_dealer_total(self) -> float:
        """Dealer requirements of the strategies (and the book) run as separate firms, added up."""
        return float(sum(s.dealer for s in self._separate))

    @property
    def standalone_non_dealer_total(self) -> float:
        """Non-dealer margins of the strategies (and the book), added up."""
        return float(sum(s.non_dealer for s in self._separate))

    @property
    def standalone_increase_pct(self) -> float:
        """Increase if each strategy were a separate dealer: sum of dealer / sum of margin - 1."""
        return (self.standalone_dealer_total / self.standalone_non_dealer_total - 1.0) * 100.0

    @property
    def saving(self) -> float:
        """Dollars of equity saved by running the strategies in one firm (can be negative)."""
        return self.standalone_dealer_total - self.dealer

    def table(self) -> pd.DataFrame:
        """One row per strategy, the book alone (if any), the stand-alone sum, the combined firm."""
        rows = [
            {
                "name": s.name,
                "haircut": s.haircut,
                "non_dealer": s.non_dealer,
                "dealer": s.dealer,
                "increase_pct": s.increase_pct,
            }
            for s in self._separate
        ]
        rows.append(
            {
                "name": "sum of stand-alone",
                "haircut": float(sum(s.haircut for s in self._separate)),
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
        from netcap.display import to_html  # noqa: PLC0415 (display only)

        return to_html(self)


def merged_positions(
    strategies: Sequence[Strategy], sizes: Sequence[float], book: Sequence[Position] = ()
) -> tuple[Position, ...]:
    """Every leg of every strategy at its size (ids ``s<k>.leg<i>``), then the book."""
    out: list[Position] = []
    for k, (s, P) in enumerate(zip(strategies, sizes, strict=True)):
        out.extend(s.positions(P, prefix=f"s{k}."))
    out.extend(book)
    return tuple(out)


def _book_margin(book: Sequence[Position] | pd.DataFrame, rate: float) -> float:
    if isinstance(book, pd.DataFrame):
        if book.empty:
            return 0.0
        values = book["market_value"].to_numpy(dtype=float)
        long_side = (book["side"] == Side.LONG.value).to_numpy(dtype=bool)
        return rate * max(float(values[long_side].sum()), float(values[~long_side].sum()))
    long = sum(p.value for p in book if p.side is Side.LONG)
    short = sum(p.value for p in book if p.side is Side.SHORT)
    return rate * max(long, short)


def _gross(book: Sequence[Position] | pd.DataFrame) -> float:
    if isinstance(book, pd.DataFrame):
        return float(book["market_value"].to_numpy(dtype=float).sum())
    return float(sum(p.value for p in book))


def _rule_date(
    strategies: Sequence[Strategy], as_of: date | None, notes: list[str]
) -> tuple[list[Strategy], date]:
    """The one date every strategy is computed under, and the strategies dated with it.

    An explicit ``as_of`` (the date of a firm's book) governs: a strategy that
    names another date is computed under it, and a note says so.  Otherwise the
    strategies must agree; none naming a date means today, also noted.
    """
    if as_of is not None:
        for s in strategies:
            if s.as_of is not None and s.as_of != as_of:
                notes.append(
                    f"{s.name}: names as_of {s.as_of.isoformat()}; computed under the rules "
                    f"of {as_of.isoformat()}, the date of the book it runs with"
                )
        return [s.model_copy(update={"as_of": as_of}) for s in strategies], as_of
    dates = {s.as_of for s in strategies if s.as_of is not None}
    if len(dates) > 1:
        raise ValueError(f"combine: strategies name different as_of dates {sorted(dates)}")
    if dates:
        on = dates.pop()
        return [s.model_copy(update={"as_of": on}) for s in strategies], on
    on = date.today()
    notes.append(f"no as_of given: computed under the rules in force today, {on.isoformat()}")
    return [s.model_copy(update={"as_of": on}) for s in strategies], on


def combine(
    strategies: Sequence[Strategy | RegistrationAnalysis],
    book: Sequence[Position] | pd.DataFrame | None = None,
    *,
    sizes: Sequence[float] | None = None,
    book_margin_rate: float = 0.02,
    fixed_minimum: float | None = None,
    options: HaircutOptions | None = None,
    net_capital_before_haircuts: float | None = None,
    as_of: date | None = None,
) -> Combination:
    """Run ``strategies`` (each at ``sizes[k]``, default its own P) and ``book`` as one firm.

    ``strategies`` are `Strategy` specs or their analyses (`netcap.analyze`).

    ``book`` is a list of positions or a validated position frame (the
    ``positions`` of `netcap.book.loading.load_book`, which keeps the row numbers of the
    file it came from for error messages).  ``as_of`` is the date whose rules
    apply and from which maturities run: give the book's date with a book
    (every strategy is then computed under it, with a note where one named
    another date); by default all strategies must name the same ``as_of``
    (or none: today).

    The fixed minimum is held once: ``fixed_minimum`` or, by default, the
    largest of the strategies'.  The market-maker alternative is available
    only if it is for every strategy.  ``net_capital_before_haircuts`` (the
    firm's, for the 15c3-1(c)(2)(vi)(M) threshold) defaults to the figure the
    strategies give; they must not give different ones.

    A combination has one computation date: ``as_of`` when given (the caller says which
    date applies; give the book's when ``book`` comes from one, so its maturities are
    measured from its own date), else the strategies' common ``as_of``, else today.
    Strategies naming different dates with no ``as_of`` are an error, never silently
    re-dated.
    """
    if not strategies:
        raise ValueError("combine: give at least one strategy")
    specs = [s.strategy if isinstance(s, RegistrationAnalysis) else s for s in strategies]
    book_in: Sequence[Position] | pd.DataFrame = (
        book if isinstance(book, pd.DataFrame) else tuple(book or ())
    )
    Ps = [s.P for s in specs] if sizes is None else [float(p) for p in sizes]
    if len(Ps) != len(specs):
        raise ValueError(f"combine: {len(specs)} strategies but {len(Ps)} sizes")
    for k, p in enumerate(Ps):
        if not (np.isfinite(p) and p > 0):
            raise ValueError(f"combine: sizes[{k}] = {p} is not a positive size")
    notes: list[str] = []
    dated, on = _rule_date(specs, as_of, notes)
    ncbh = net_capital_before_haircuts
    if ncbh is None:
        given = {
            s.net_capital_before_haircuts
            for s in dated
            if s.net_capital_before_haircuts is not None
        }
        if len(given) > 1:
            raise ValueError(
                "combine: strategies give different net_capital_before_haircuts "
                f"{sorted(given)}; pass the firm's figure as net_capital_before_haircuts"
            )
        ncbh = given.pop() if given else None
    F = max(s.fixed_minimum for s in dated) if fixed_minimum is None else fixed_minimum
    eligible = all(s.market_maker_eligible for s in dated)

    # the legs are checked together first, so a bad leg is named by its place in the list
    legs = merged_positions(dated, Ps)
    legs_frame = positions_frame(legs, on, source=LEGS_SOURCE)

    alone: list[StandAlone] = []
    margin = dealer_margin = 0.0
    first_leg = 0
    for s, P in zip(dated, Ps, strict=True):
        alone_s = s if ncbh is None else s.model_copy(update={"net_capital_before_haircuts": ncbh})
        try:
            a: RegistrationAnalysis = analyze(alone_s.with_P(P), options)
        except BookError as exc:  # rows are the strategy's legs: number them over all legs
            raise BookError(
                [
                    RowError(
                        e.row + first_leg if isinstance(e.row, int) else e.row,
                        e.field,
                        e.message,
                        source=LEGS_SOURCE,
                    )
                    for e in exc.errors
                ]
            ) from None
        first_leg += len(s.legs)
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
    book_margin = _book_margin(book_in, book_margin_rate)
    margin += book_margin
    dealer_margin += book_margin

    if isinstance(book_in, pd.DataFrame):
        frame = _join(legs_frame, book_in)
        positions = legs
    else:
        positions = legs + tuple(book_in)
        frame = positions_frame(positions, on)
    haircuts = haircuts_of_legs(
        dated[0].model_copy(update={"name": "combine"}), frame, on, options, ncbh
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
    book_alone = None
    if len(book_in):
        book_alone = _book_alone(
            book_in, on, options, ncbh, book_margin, fixed_minimum=F, eligible=eligible
        )
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
        as_of=on,
        book_alone=book_alone,
        notes=tuple(notes),
    )


def _join(legs: pd.DataFrame, book: pd.DataFrame) -> pd.DataFrame:
    """The strategy legs' frame, then the book's validated frame (its rows keep their labels)."""
    clash = set(legs["id"]) & set(book["id"])
    if clash:
        raise ValueError(f"combine: position ids in both a strategy and the book: {sorted(clash)}")
    if book.empty:
        return legs
    return pd.concat([legs, book[legs.columns]], ignore_index=True)


def _book_alone(
    book: Sequence[Position] | pd.DataFrame,
    on: date,
    options: HaircutOptions | None,
    ncbh: float | None,
    book_margin: float,
    *,
    fixed_minimum: float,
    eligible: bool,
) -> StandAlone:
    """The existing book run as a dealer on its own, with the same formulas as the firm."""
    frame = book if isinstance(book, pd.DataFrame) else positions_frame(book, on, source="book")
    haircuts = compute_haircuts(frame, on, options, net_capital_before_haircuts=ncbh)
    threshold = float(thresholds_if_eligible(frame, on, eligible=eligible)["threshold"].sum())
    gross = _gross(book)
    row = binding(
        gross if gross > 0 else 1.0,
        haircut=haircuts.total,
        threshold=threshold,
        margin=book_margin,
        dealer_margin=book_margin,
        fixed_minimum=fixed_minimum,
        market_maker_eligible=eligible,
    ).iloc[0]
    return StandAlone(
        name=BOOK_ALONE,
        P=gross,
        haircut=haircuts.total,
        non_dealer=book_margin,
        dealer=float(row["dealer"]),
        standard=str(row["standard"]),
        component=str(row["component"]),
        increase_pct=float(row["increase_pct"]),
    )
