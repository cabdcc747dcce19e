"""Pre-trade checks: net capital after adding or removing one trade, without a full recompute.

`PreTradeState` is built once from a book (one full `netcap.compute`).
It then keeps the haircut total as a sum over independent *pools* and, for each
pool, the few sums its charge depends on.  A trade touches at most three pools
(its own paragraph's pool, the Appendix B futures pool, its (M) issue), so a
check costs O(1) in the size of the book:

=================== ======================================= ============================
pool                sufficient statistics                   charge
=================== ======================================= ============================
(A), (C)            net value per subcategory; gross        (A)(1) category netting (or
                    charge per category and citation         (A)(2)), x 0.75 under (A)(5)
(B)(1), (B)(2),     long and short value per bucket, and     rate x greater side,
(D), (E), (E)(6),   per side and citation                   allocated to its rows
(F)/(G), (H)
(J) with (G)        total long and short, per citation      rate x G + excess rate x
                                                            max(0, L - ratio x G)
(K), (vii), crypto  none (each position stands alone)       rate x value
commodities         net value per commodity                 20% of the net
Appendix B futures  gross margin charge per citation         gross less the account equity
                                                            proviso, pro rata
(M) per issue       net value, members (for the maxima)     rate x (net - threshold)
=================== ======================================= ============================

A proprietary trade at market value exchanges cash for a security of the same
value, so capital before the position deductions, aggregate indebtedness, the
requirement ((a)(1), (a)(4), (a)(8)) and the alternative standard's debit items
do not move.  Only the position charges do.

Tentative net capital (15c3-1(c)(15)) is that capital less the deductions of
non-security crypto ((c)(2)(iv)) and securities with no ready market
((c)(2)(vii)), and the (M) threshold is 10% of tentative net capital less the
Appendix B charges ((c)(2)(vi)(M)(1)); see `netcap.rule.haircuts.tentative`.
A trade whose charge is not under (c)(2)(vi) or Appendix A (crypto, (vii),
futures, commodities, a government future's Appendix B add-on) moves those
bases, and so every (M) issue's threshold: it is handled by a full recompute
(``method="full"``).  Every other trade leaves both bases where they are.
Option trades (Appendix A, 15c3-1a) take the full recompute too: an option's
charge carries the (b)(2)(ii) add-on and may pair with other rows through
``offsets``, which no pool keeps.  So does a trade in an issue the book holds
options on: (M)(1) counts the options in the issue's position.

Links between positions (covered futures through ``deliverable_position``,
(F)(2) hedges through ``hedge_with``, option pairs through ``offsets``) and the
elections that name position ids ((A)(3) pairs, (L) reductions) tie the charge
of one position to another.  Such
*linked* positions already in the book enter their pools as the full
computation treats them, and stay fixed there: a covered position with the
value left after cover (15c3-1b(a)(3)(ix)(A)), its futures margin charge on the
uncovered value; an (F)(2)-hedged debt position with its unhedged remainder in
its (F)(1) bucket and its (F)(3)/(F)(4) charge on the hedged amount as a fixed
charge; the hedge with the value left after the hedge; a paired or reduced
position with the bucket or rate the election gives it.  Only a trade that
itself carries a link, whose id an election names, or the removal of a linked
position is handled by a full recompute of the haircuts (``method="full"``).
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, NamedTuple, cast

import numpy as np
import pandas as pd
from pydantic import ValidationError

from netcap.book.firm import Book, LiabilityKind
from netcap.book.frame import BookError, RowError, align_option_columns, positions_frame
from netcap.book.maturity import complete_months
from netcap.book.model import Instrument, Position, SecurityClass
from netcap.rule.computation import ComputeOptions, NetCapitalResult, compute
from netcap.rule.early_warning import EarlyWarningInputs, early_warning_flags
from netcap.rule.haircuts import HaircutOptions, compute_haircuts
from netcap.rule.haircuts.concentration import (
    CONCENTRATION_CITATION,
    DEBT_CLASSES,
    EQUITY_CLASSES,
    FUND_CLASSES,
    IN_SCOPE,
)
from netcap.rule.haircuts.covered import covered_values
from netcap.rule.haircuts.debt import find_hedges
from netcap.rule.haircuts.futures import FuturesOptions, futures_margin_charge
from netcap.rule.haircuts.government import FED_DEALER_FACTOR, GovernmentOptions
from netcap.rule.haircuts.routing import route_positions
from netcap.rule.haircuts.tentative import SECURITIES, stage, stage_totals
from netcap.rule.tables import load_schedule

__all__ = ["ParagraphChange", "PreTradeResult", "PreTradeState", "PreparedTrade", "TradeInput"]

TradeInput = Position | Mapping[str, Any]
"""A trade: a `Position` or a mapping validated as one."""

_TOL = 1e-9


class ParagraphChange(NamedTuple):
    """One citation whose charge a trade changes."""

    paragraph: str
    before: float
    after: float
    delta: float


@dataclass(frozen=True)
class PreTradeResult:
    """Figures before and after one trade, and the paragraphs whose charge changed.

    ``allowed`` is True when excess net capital after the trade is not negative
    and the trade raises no early-warning or withdrawal flag that was not
    already raised before it (see docs/pretrade.md).

    ``haircuts_before`` / ``haircuts_after`` are every position charge, as
    `netcap.rule.haircuts.HaircutResult.total` and the ``by_paragraph`` maps
    have them, including the crypto and (c)(2)(vii) deductions taken above
    tentative net capital; net capital is capital before the position
    deductions less that total.  ``tentative_net_capital`` is the figure before
    the trade, ``tentative_net_capital_after`` after it (they differ only for a
    trade under (c)(2)(vii) or in non-security crypto).
    """

    action: str
    position_id: str
    method: str
    tentative_net_capital: float
    tentative_net_capital_after: float
    haircuts_before: float
    haircuts_after: float
    net_capital_before: float
    net_capital_after: float
    requirement: float
    excess_before: float
    excess_after: float
    flags_before: tuple[str, ...]
    flags_after: tuple[str, ...]
    by_paragraph_before: dict[str, float]
    by_paragraph_after: dict[str, float]
    changed: tuple[ParagraphChange, ...] = ()

    @property
    def changed_frame(self) -> pd.DataFrame:
        """The changed paragraphs as a frame: paragraph, before, after, delta."""
        return pd.DataFrame(self.changed, columns=list(ParagraphChange._fields))

    @property
    def haircut_delta(self) -> float:
        """Change in total haircuts."""
        return self.haircuts_after - self.haircuts_before

    @property
    def net_capital_delta(self) -> float:
        """Change in net capital, 15c3-1(c)(2)."""
        return self.net_capital_after - self.net_capital_before

    @property
    def excess_delta(self) -> float:
        """Change in excess net capital (net capital less the 15c3-1(a) requirement)."""
        return self.excess_after - self.excess_before

    @property
    def flags_added(self) -> tuple[str, ...]:
        """Early-warning keys crossed after the trade but not before."""
        return tuple(f for f in self.flags_after if f not in self.flags_before)

    @property
    def allowed(self) -> bool:
        """Excess net capital stays >= 0 and no new early-warning flag is raised."""
        return self.excess_after >= 0 and not self.flags_added

    def _repr_html_(self) -> str:
        from netcap.display import to_html  # noqa: PLC0415 (display only)

        return to_html(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (dollars unrounded; round for display)."""
        return {
            "action": self.action,
            "position_id": self.position_id,
            "method": self.method,
            "allowed": self.allowed,
            "tentative_net_capital": self.tentative_net_capital,
            "tentative_net_capital_after": self.tentative_net_capital_after,
            "requirement": self.requirement,
            "before": {
                "haircuts": self.haircuts_before,
                "net_capital": self.net_capital_before,
                "excess_net_capital": self.excess_before,
                "flags": list(self.flags_before),
            },
            "after": {
                "haircuts": self.haircuts_after,
                "net_capital": self.net_capital_after,
                "excess_net_capital": self.excess_after,
                "flags": list(self.flags_after),
            },
            "delta": {
                "haircuts": self.haircut_delta,
                "net_capital": self.net_capital_delta,
                "excess_net_capital": self.excess_delta,
            },
            "changed_paragraphs": [
                {"paragraph": p, "before": b, "after": a, "delta": d} for p, b, a, d in self.changed
            ],
        }


@dataclass
class _Pool:
    """Sufficient statistics of one pool; which fields are used depends on ``kind``."""

    kind: str
    rate: float = 0.0
    by_side: dict[tuple[int, str], float] = field(default_factory=dict)  # greater-of, (J)
    net: np.ndarray | None = None  # (A)/(C): net by subcategory; commodities: [net]
    gross: dict[tuple[int, str], float] = field(default_factory=dict)  # (A)/(C): by category
    linear: dict[str, float] = field(default_factory=dict)  # stand-alone charges by citation

    def copy(self) -> _Pool:
        return _Pool(
            self.kind,
            self.rate,
            dict(self.by_side),
            None if self.net is None else self.net.copy(),
            dict(self.gross),
            dict(self.linear),
        )


@dataclass
class _Issue:
    """One (M) issue: its route, the class of its first row, its net and its members."""

    route: str
    first_class: str
    net: float = 0.0
    max_rate: float = 0.0
    max_price: float = 0.0
    note: bool = False
    members: dict[str, tuple[float, float, float, bool, str]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Row:
    """What one position contributes to its pools (one row of the facts frame)."""

    pid: str
    route: str
    family: str
    key: str
    paragraph: str
    exposure: float
    rate: float
    gross: float
    sub: int
    fut_citation: str
    fut_gross: float
    m_issue: str
    m_rate: float
    m_price: float
    m_note: bool
    m_class: str
    signed: float
    fixed: float  # a linked row's fixed charge under ``paragraph`` ((F)(3)/(F)(4) hedged part)
    fixed_paragraph: str = ""  # the fixed charge's own paragraph where not ``paragraph``


def _bucket(lower: list[float], upper: list[float], measure: float) -> int:
    """Scalar form of `netcap.rule.tables.Schedule.bucket_index` (-1 where no bucket holds it)."""
    if math.isnan(measure):
        return -1
    i = bisect.bisect_right(lower, measure) - 1
    return i if i >= 0 and measure < upper[i] else -1


def _add(d: dict[Any, float], key: Any, amount: float) -> None:
    d[key] = d.get(key, 0.0) + amount


def _member(row: _Row) -> tuple[float, float, float, bool, str]:
    return (row.signed, row.m_rate, row.m_price, row.m_note, row.m_class)


@dataclass(frozen=True)
class PreparedTrade:
    """A trade validated as a book row and routed to its pools (see `PreTradeState.prepare`).

    ``row`` is None where the trade is handled by a full recompute (it carries a
    link or an election names its id).  ``method`` says how the trade was
    prepared: ``"pandas"`` (a one-row validated frame through the haircut
    modules) or ``"fast"`` (a routing template reused, see docs/pretrade.md).
    The one-row validated frame is built when first needed (adding the trade).
    """

    position: Position
    row: _Row | None
    method: str = "pandas"
    _frame: list[pd.DataFrame] = field(default_factory=list, repr=False, compare=False)
    _builder: Any = field(default=None, repr=False, compare=False)

    @property
    def id(self) -> str:
        """The trade's position id."""
        return self.position.id

    @property
    def frame(self) -> pd.DataFrame:
        """The trade as a one-row validated position frame."""
        if not self._frame:
            self._frame.append(self._builder([self.position]))
        return self._frame[0]


class PreTradeState:
    """Incremental haircut state of one firm's book (see the module docstring).

    Built once (one full `netcap.compute`); `check` answers a what-if
    without changing the state; `add` and `remove` apply the trade.
    ``positions`` is a validated position frame (from `netcap.load_book`)
    given in place of ``book.positions``.
    """

    def __init__(
        self,
        book: Book,
        options: ComputeOptions | None = None,
        *,
        positions: pd.DataFrame | None = None,
    ) -> None:
        self.options = options or ComputeOptions()
        if positions is not None and book.positions:
            raise ValueError("give positions in the book or as a frame, not both")
        given = positions if positions is not None else positions_frame(book.positions, book.as_of)
        self.book = book.model_copy(update={"positions": ()})
        self._templates: dict[Any, _Row] = {}
        self._build(given)

    # ------------------------------------------------------------------ building
    def _build(self, given: pd.DataFrame) -> None:
        book = self.book
        on = book.as_of
        self.as_of: date = on
        self._given = given.reset_index(drop=True)
        base = compute(book, self.options, positions=self._given)
        self.base = base
        # tentative net capital, and the capital above it before any position deduction
        self.tnc = base.tentative_net_capital
        self.capital = self.tnc + base.haircuts.pre_tentative
        # (M)(1) base: net capital before (c)(2)(vi) and Appendix A
        self._m_base = self.tnc - base.haircuts.appendix_b
        self.requirement = base.requirement.amount
        self._frame = base.positions
        self._ew_inputs = self._early_warning_inputs(base)
        self._gov = load_schedule("government", on)
        self._gov_keys = {str(k): i for i, k in enumerate(self._gov.column("key"))}
        self._gov_rates = self._gov.column("rate").astype(float)
        cats = self._gov.column("category").astype(int)
        self._cat_ids = np.unique(cats)
        self._gov_cat = np.searchsorted(self._cat_ids, cats)
        self._conc = load_schedule("concentration", on)
        # (M)(1): issues the book holds options on; their (M) position includes the
        # options, which no pool keeps, so a trade in one is recomputed in full
        self._option_issues = _option_issues(self._frame)
        self._f1 = load_schedule("nonconvertible_debt", on)
        self._muni = load_schedule("municipal", on)
        # scalar copies for the fast prepare
        self._bounds = [
            (
                [float(x) for x in t.column("lower")],
                [float(x) for x in t.column("upper")],
                scale,
            )
            for t, scale in ((self._gov, 1.0), (self._f1, 12.0), (self._muni, 12.0))
        ]
        self._m_const = (
            self._conc.rate("j_add_on_rate"),
            self._conc.rate("j_exempt_add_on_rate"),
            self._conc.rate("add_on_fraction"),
        )
        self._other = load_schedule("other_securities", on)
        self._j_ratio = self._other.rate("j_offset_ratio")
        self._j_excess = self._other.rate("j_excess_rate")
        c = self._conc
        self._m_floor = {
            k: c.amount(k)
            for k in (
                "equity_floor",
                "equity_floor_shares",
                "debt_floor",
                "municipal_note_floor",
                "municipal_bond_floor",
            )
        }
        self._m_threshold = c.rate("threshold")
        self._futures_table = load_schedule("futures", on)
        hopts = self.options.haircuts
        self._hopts = hopts
        self._single_opts = HaircutOptions(
            government=GovernmentOptions(
                subcategory_only=hopts.government.subcategory_only,
                fed_reporting_dealer=hopts.government.fed_reporting_dealer,
            ),
            futures=FuturesOptions(membership=hopts.futures.membership),
        )
        frame = self._frame
        self._linked = self._linked_ids(frame)
        self._named = {a for pair in hopts.government.pairs for a in pair} | {
            pid for pid, _ in hopts.limited_market.reductions
        }
        # unlinked trades are always checked incrementally; kept for callers that ask
        self.incremental = True
        bp = base.haircuts.by_paragraph
        self._by_paragraph = {
            str(p): float(c) for p, c in zip(bp["paragraph"], bp["charge"], strict=True)
        }
        self.haircuts = base.haircuts.total
        self._rules = self._flag_rules(base.early_warning)
        self.flags = self._flags(self.capital - self.haircuts, base.haircuts.securities)
        self._ids: set[str] = set(frame["id"].astype(str))
        self._given_ids: set[str] = set(self._given["id"].astype(str))
        self._added: dict[str, pd.DataFrame] = {}  # trades added, in order
        self._removed: set[str] = set()  # base rows removed
        self._rows: dict[str, _Row] = {}
        self._pools: dict[tuple[str, str], _Pool] = {}
        self._issues: dict[str, _Issue] = {}
        self._fut_gross: dict[str, float] = {}
        facts = self._facts_frame(frame, base.haircuts.detail, linked=bool(self._linked))
        self._facts = facts
        self._index = pd.Index(facts["pid"].to_numpy())
        self._load(facts)

    def _linked_ids(self, frame: pd.DataFrame) -> set[str]:
        """Ids of rows with a link, named by a link, or named by an election."""
        out: set[str] = set()
        self._named_by: dict[str, str] = {}
        for col in _LINK_COLUMNS:
            if col not in frame.columns:
                continue
            has = frame[col].notna().to_numpy(dtype=bool)
            if has.any():
                ids = frame.loc[has, "id"].astype(str)
                targets = frame.loc[has, col].astype(str)
                out |= set(ids) | set(targets)
                self._named_by.update(zip(targets, ids, strict=True))
        hopts = self.options.haircuts
        out |= {a for pair in hopts.government.pairs for a in pair}
        out |= {pid for pid, _ in hopts.limited_market.reductions}
        return out

    def _early_warning_inputs(self, base: NetCapitalResult) -> EarlyWarningInputs:
        book = self.book
        li = base.liabilities
        kinds = li["kind"].to_numpy(dtype=object)
        sub = kinds == LiabilityKind.SUBORDINATED.value
        equity_subs = {x.id for x in book.liabilities if x.qualifies_as_equity}
        debt = sub & ~li["id"].isin(equity_subs).to_numpy(dtype=bool)
        amounts = li["amount"].to_numpy(dtype=float)
        adi = (
            self.options.aggregate_debit_items
            if self.options.aggregate_debit_items is not None
            else book.aggregate_debit_items
        )
        return EarlyWarningInputs(
            net_capital=base.net_capital,
            tentative_net_capital=self.tnc,
            aggregate_indebtedness=base.aggregate_indebtedness,
            haircuts=base.haircuts.securities,
            subordinated_debt=float(amounts[debt].sum()),
            debt_equity_total=float(amounts[sub].sum()) + book.balance_sheet.net_worth,
            aggregate_debit_items=adi,
            leverage=book.leverage,
        )

    def _flags_full(
        self, net_capital: float, haircuts: float, tnc: float | None = None
    ) -> pd.DataFrame:
        """The early-warning table; ``haircuts`` is the (c)(2)(vi) and Appendix A total."""
        x = self._ew_inputs
        inputs = EarlyWarningInputs(
            net_capital=net_capital,
            tentative_net_capital=x.tentative_net_capital if tnc is None else tnc,
            aggregate_indebtedness=x.aggregate_indebtedness,
            haircuts=haircuts,
            subordinated_debt=x.subordinated_debt,
            debt_equity_total=x.debt_equity_total,
            aggregate_debit_items=x.aggregate_debit_items,
            leverage=x.leverage,
        )
        return early_warning_flags(inputs, self.book.firm, self.base.requirement, self.as_of)

    def _flag_rules(self, table: pd.DataFrame) -> list[tuple[str, str, float, bool]] | None:
        """Each early-warning test as a comparison of net capital with a fixed figure.

        Every test of `netcap.rule.early_warning.early_warning_flags` is linear in
        net capital (or does not involve it), so it is read once from the base
        table; an unknown key makes every check call the function itself.
        """
        hp = load_schedule("requirements", self.as_of).rate("withdrawal_haircut_pct")
        rules: list[tuple[str, str, float, bool]] = []
        for key, thr, hit in zip(table["key"], table["threshold"], table["triggered"], strict=True):
            k = str(key)
            if k in _NC_BELOW:
                rules.append((k, "below", float(thr), False))
            elif k in _AI_OVER:
                rules.append((k, "ai", float(thr) / 100.0, False))
            elif k == "withdrawal_below_25pct_haircuts":
                rules.append((k, "haircuts", hp, False))
            elif k in _FIXED:
                rules.append((k, "fixed", 0.0, bool(hit)))
            else:
                return None
        return rules

    def _flags(
        self, net_capital: float, haircuts: float, tnc: float | None = None
    ) -> tuple[str, ...]:
        """Keys crossed; ``haircuts`` is the (c)(2)(vi) and Appendix A total ((e)(2)(iii))."""
        rules = getattr(self, "_rules", None)
        if rules is None or (tnc is not None and tnc != self._ew_inputs.tentative_net_capital):
            flags = self._flags_full(net_capital, haircuts, tnc)
            return tuple(str(k) for k in flags.loc[flags["triggered"], "key"])
        ai = self._ew_inputs.aggregate_indebtedness
        out = []
        for key, kind, thr, fixed in rules:
            if kind == "below":
                hit = net_capital < thr
            elif kind == "ai":
                hit = ai > thr * net_capital
            elif kind == "haircuts":
                hit = net_capital < thr * haircuts
            else:
                hit = fixed
            if hit:
                out.append(key)
        return tuple(out)

    def _routes(self, frame: pd.DataFrame) -> np.ndarray:
        on = self.as_of
        mmi = load_schedule("money_market_instruments_eligibility", on)
        return route_positions(
            frame,
            max_muni_days_at_issue=load_schedule("municipal_short_term_eligibility", on).amount(
                "max_days_at_issue"
            ),
            max_cp_months_at_issue=mmi.amount("max_months_at_issue"),
            bank_government_rates_from_months=mmi.amount("bank_government_rates_from_months"),
            min_market_makers=self._other.amount("k_min_market_makers"),
        )

    def _facts_frame(
        self, frame: pd.DataFrame, detail: pd.DataFrame, *, linked: bool = False
    ) -> pd.DataFrame:
        """Each row's pool and contributions, vectorized (a trade is a one-row frame).

        ``detail`` is the haircut detail of the same rows (from the base
        computation, or from the trade computed alone: a row's paragraph, bucket,
        rate and gross charge do not depend on other rows when no row is linked).
        With ``linked``, rows tied by a link enter as the full computation treats
        them (see the module docstring): cover reduces the value margined under
        Appendix B, and an (F)(2)-hedged row splits into its unhedged remainder in
        its (F)(1) bucket plus a fixed charge on the hedged amount.
        """
        routes = self._routes(frame)
        n = len(frame)
        expo = detail["exposure"].to_numpy(dtype=float).copy()
        rate = detail["rate"].to_numpy(dtype=float).copy()
        gross = detail["gross_charge"].to_numpy(dtype=float)
        bucket = detail["bucket"].astype(str).to_numpy(dtype=object).copy()
        signed = frame["signed_value"].to_numpy(dtype=float)
        after_cover = signed
        fixed = np.zeros(n)
        fixed_par = np.full(n, "", dtype=object)
        # (M) sees the rate otherwise applied, blended for a partly hedged row
        absx0 = np.abs(expo)
        effective = np.divide(gross, absx0, out=rate.copy(), where=absx0 > 0)
        if linked:
            named = "futures_contract" in frame.columns and bool(
                frame["futures_contract"].notna().any()
            )
            covered, _ = covered_values(
                frame,
                deliverable=load_schedule("futures_deliverable", self.as_of) if named else None,
            )
            after_cover = signed - np.sign(signed) * covered
            # Appendix B (a)(3)(ix)(B): covered commodity inventory not registered as
            # deliverable takes 5% of its covered value, a fixed charge of its row
            ix_b = (routes == "COMMOD") & ~frame["registered_deliverable"].to_numpy(dtype=bool)
            if ix_b.any():
                fixed[ix_b] += self._futures_table.rate("ix_b") * covered[ix_b]
                fixed_par[ix_b] = self._futures_table.citation("ix_b")
            hedged = find_hedges(frame, routes, after_cover).hedged
            h = np.flatnonzero(hedged > 0)
            if len(h):
                f1 = load_schedule("nonconvertible_debt", self.as_of)
                unhedged = expo[h] - np.sign(expo[h]) * hedged[h]
                months = frame["months_to_maturity"].to_numpy(dtype=float)[h]
                idx = f1.bucket_index(months / 12.0)
                fixed[h] = rate[h] * hedged[h]
                expo[h] = unhedged
                bucket[h] = f1.column("key")[idx]
                rate[h] = f1.column("rate").astype(float)[idx]
        family = np.array([_FAMILY.get(r, "LINEAR") for r in routes], dtype=object)
        cls = frame["security_class"].to_numpy()
        issue = frame["security_id"].fillna(frame["id"]).astype(str).to_numpy(dtype=object)
        key = np.where(
            np.isin(family, _BUCKETED),
            bucket,
            np.where(family == "COMMOD", issue, ""),
        )
        sub = np.full(n, -1, dtype=np.int64)
        gov = np.isin(family, ["A", "C"])
        if gov.any():
            sub[gov] = [self._gov_keys[str(k)] for k in bucket[gov]]
        # Appendix B (a)(3)(xiv): gross multiple-of-margin charge, before the equity proviso
        fut_cit = np.full(n, "", dtype=object)
        fut_gross = np.zeros(n)
        fut = np.flatnonzero(frame["instrument"].to_numpy() == Instrument.FUTURE.value)
        if len(fut):
            fc = futures_margin_charge(
                frame.iloc[fut],
                after_cover[fut],
                self._futures_table,
                FuturesOptions(membership=self._hopts.futures.membership),
                required=routes[fut] == "FUT",
            )
            done = fut[fc.computed]
            fut_cit[done] = fc.citation[fc.computed]
            fut_gross[done] = fc.gross[fc.computed]
        # (M): which rows it reaches and their facts, as netcap.rule.haircuts.concentration has them
        scope = np.isin(routes, IN_SCOPE) & ~np.isin(cls, FUND_CLASSES)
        muni = cls == SecurityClass.MUNICIPAL.value
        since = frame["underwritten_on"].where(
            frame["underwritten_on"].notna(), frame["issue_date"].where(muni)
        )
        bdays = np.full(n, np.nan)
        ok = since.notna().to_numpy(dtype=bool)
        if ok.any():
            bdays[ok] = np.busday_count(
                since[ok].to_numpy(dtype="datetime64[D]"), np.datetime64(self.as_of, "D")
            )
        grace = np.where(
            muni,
            self._conc.amount("municipal_holding_business_days"),
            self._conc.amount("underwriting_business_days"),
        )
        counted = scope & ~(bdays <= grace)
        m_rate = np.where(
            np.isin(routes, ["J", "G_J"]),
            self._conc.rate("j_add_on_rate"),
            np.where(
                routes == "J2",
                self._conc.rate("j_exempt_add_on_rate"),
                self._conc.rate("add_on_fraction") * effective,
            ),
        )
        qty = frame["quantity"].to_numpy(dtype=float)
        value = frame["market_value"].to_numpy(dtype=float)
        price = np.where(qty > 0, value / np.where(qty > 0, qty, 1.0), 0.0)
        return pd.DataFrame(
            {
                "pid": frame["id"].astype(str).to_numpy(dtype=object),
                "route": routes,
                "family": family,
                "key": key,
                "paragraph": detail["paragraph"].astype(str).to_numpy(dtype=object),
                "exposure": expo,
                "rate": rate,
                "gross": gross,
                "sub": sub,
                "fut_citation": fut_cit,
                "fut_gross": fut_gross,
                "m_issue": np.where(counted, issue, ""),
                "m_rate": m_rate,
                "m_price": np.nan_to_num(price),
                "m_note": frame["municipal_note"].to_numpy(dtype=bool),
                "m_class": cls,
                "signed": signed,
                "fixed": fixed,
                "fixed_paragraph": fixed_par,
            }
        )

    def _load(self, facts: pd.DataFrame) -> None:
        """Fill the pools from the facts frame with group sums (no per-row Python)."""
        e = facts["exposure"].to_numpy(dtype=float)
        work = facts.assign(side=np.sign(e).astype(np.int64), w=np.abs(e))
        for fam in ("A", "C"):
            rows = work[work["family"] == fam]
            if len(rows) == 0:
                continue
            pool = self._pool((fam, ""), rows.iloc[0])
            assert pool.net is not None
            sub = rows["sub"].to_numpy(dtype=np.int64)
            pool.net += np.bincount(sub, weights=rows["exposure"], minlength=len(pool.net))
            g = rows.assign(cat=self._gov_cat[sub]).groupby(["cat", "paragraph"], sort=False)
            for key, v in g["gross"].sum().items():
                c, p = cast(tuple[Any, Any], key)
                _add(pool.gross, (int(c), str(p)), float(v))
        rows = work[np.isin(work["family"], _BUCKETED)]
        if len(rows):
            sums = rows.groupby(["family", "key", "side", "paragraph"], sort=False)["w"].sum()
            for key, v in sums.items():
                fam, k, side, p = cast(tuple[Any, Any, Any, Any], key)
                pool = self._pool((str(fam), str(k)), None)
                _add(pool.by_side, (int(side), str(p)), float(v))
            rates = rows.groupby(["family", "key"], sort=False)["rate"].first()
            for key, r in rates.items():
                fam, k = cast(tuple[Any, Any], key)
                self._pools[(str(fam), str(k))].rate = float(r)
        rows = work[work["family"] == "COMMOD"]
        if len(rows):
            firsts = rows.drop_duplicates("key").set_index("key")
            for k, v in rows.groupby("key", sort=False)["exposure"].sum().items():
                pool = self._pool(("COMMOD", str(k)), firsts.loc[cast(Any, k)])
                assert pool.net is not None
                pool.net[0] += float(v)
        rows = work[work["family"] == "LINEAR"]
        if len(rows):
            pool = self._pool(("LINEAR", ""), None)
            for p, v in rows.groupby("paragraph", sort=False)["gross"].sum().items():
                _add(pool.linear, str(p), float(v))
        rows = work[work["fixed"] != 0]  # linked rows' fixed charges ((F)(3)/(F)(4))
        if len(rows):
            pool = self._pool(("LINEAR", ""), None)
            par = rows["fixed_paragraph"].where(rows["fixed_paragraph"] != "", rows["paragraph"])
            for p, v in rows.groupby(par, sort=False)["fixed"].sum().items():
                _add(pool.linear, str(p), float(v))
        rows = work[work["fut_citation"] != ""]
        for p, v in rows.groupby("fut_citation", sort=False)["fut_gross"].sum().items():
            _add(self._fut_gross, str(p), float(v))
        rows = facts[facts["m_issue"] != ""]
        for r in rows.itertuples(index=False):
            self._issue_in(self._issues, _Row(*r))

    def _pool(self, key: tuple[str, str], row: Any) -> _Pool:
        pool = self._pools.get(key)
        if pool is None:
            fam = key[0]
            pool = _Pool(fam)
            if fam in ("A", "C"):
                pool.net = np.zeros(len(self._gov_rates))
            elif fam == "COMMOD":
                pool.net = np.zeros(1)
                pool.rate = float(row.rate)
                pool.linear[str(row.paragraph)] = 0.0
            elif fam in _BUCKETED and row is not None:
                pool.rate = float(row.rate)
            self._pools[key] = pool
        return pool

    # ------------------------------------------------------------------ pool charges
    def _charges(self, pool: _Pool) -> dict[str, float]:
        """The pool's charge by citation, from its statistics alone."""
        kind = pool.kind
        out: dict[str, float] = {}
        if kind in ("A", "C"):
            assert pool.net is not None
            net = pool.net
            ded = self._gov_rates * np.abs(net)
            ncat = len(self._cat_ids)
            agg_l = np.bincount(self._gov_cat, weights=np.where(net > 0, ded, 0.0), minlength=ncat)
            agg_s = np.bincount(self._gov_cat, weights=np.where(net < 0, ded, 0.0), minlength=ncat)
            gov = self._hopts.government
            cat: np.ndarray
            if kind == "A" and gov.subcategory_only:
                cat = agg_l + agg_s
            else:
                cat = np.abs(agg_l - agg_s) + 0.5 * np.minimum(agg_l, agg_s)
            if kind == "A" and gov.fed_reporting_dealer:
                cat = cat * FED_DEALER_FACTOR
            wsum = np.zeros(ncat)
            for (c, _), g in pool.gross.items():
                wsum[c] += g
            for (c, p), g in pool.gross.items():
                if wsum[c] > 0:
                    _add(out, p, float(cat[c]) * g / wsum[c])
            return out
        if kind in _BUCKETED:
            long = sum(v for (s, _), v in pool.by_side.items() if s > 0)
            short = sum(v for (s, _), v in pool.by_side.items() if s < 0)
            g_side = 1 if long >= short else -1
            greater, lesser = max(long, short), min(long, short)
            parts = [(g_side, pool.rate * greater)]
            if kind == "J":
                excess = max(0.0, lesser - self._j_ratio * greater)
                parts.append((-g_side, self._j_excess * excess))
            for side, amount in parts:
                w = {p: v for (s, p), v in pool.by_side.items() if s == side}
                total = sum(w.values())
                if total > 0:
                    for p, v in w.items():
                        _add(out, p, amount * v / total)
            return out
        if kind == "COMMOD":
            assert pool.net is not None
            (p,) = pool.linear
            return {p: pool.rate * abs(float(pool.net[0]))}
        return dict(pool.linear)

    def _futures_charges(self, gross: dict[str, float]) -> dict[str, float]:
        total = sum(gross.values())
        reduction = min(self._hopts.futures.account_equity, total)
        scale = 1.0 - reduction / total if total > 0 else 1.0
        return {p: g * scale for p, g in gross.items()}

    def _issue_charge(self, issue: _Issue | None) -> float:
        if issue is None:
            return 0.0
        f = self._m_floor
        cls = issue.first_class
        if cls in EQUITY_CLASSES:
            floor = max(f["equity_floor"], f["equity_floor_shares"] * issue.max_price)
        elif cls in DEBT_CLASSES:
            floor = f["debt_floor"]
        elif cls == SecurityClass.MUNICIPAL.value:
            floor = f["municipal_note_floor" if issue.note else "municipal_bond_floor"]
        else:
            floor = 0.0
        threshold = max(floor, self._m_threshold * self._m_base)
        return issue.max_rate * max(0.0, abs(issue.net) - threshold)

    def _issue_in(self, issues: dict[str, _Issue], row: _Row, *, store: bool = True) -> _Issue:
        """``row`` joined to its issue; ``store=False`` leaves the state's issue untouched."""
        old = issues.get(row.m_issue)
        if old is not None and old.route != row.route:
            raise BookError(
                [
                    RowError(
                        "trade",
                        "security_id",
                        f"{row.pid!r}: issue {row.m_issue!r} is charged under different "
                        "paragraphs in different rows; one issue must be described the same way",
                    )
                ]
            )
        if old is None:
            issue = _Issue(route=row.route, first_class=row.m_class)
        elif store:
            issue = old
        else:
            issue = _Issue(
                old.route,
                old.first_class,
                old.net,
                old.max_rate,
                old.max_price,
                old.note,
                old.members,
            )
        issue.net += row.signed
        issue.max_rate = max(issue.max_rate, row.m_rate)
        issue.max_price = max(issue.max_price, row.m_price)
        issue.note = issue.note or row.m_note
        if store:
            issue.members[row.pid] = _member(row)
            issues[row.m_issue] = issue
        return issue

    @staticmethod
    def _issue_out(issue: _Issue, pid: str) -> _Issue | None:
        """The issue without ``pid``, its maxima recomputed from the remaining members."""
        members = {k: v for k, v in issue.members.items() if k != pid}
        if not members:
            return None
        out = _Issue(issue.route, issue.first_class, members=members)
        for i, (signed, rate, price, note, cls) in enumerate(members.values()):
            if i == 0:
                out.first_class = cls
            out.net += signed
            out.max_rate = max(out.max_rate, rate)
            out.max_price = max(out.max_price, price)
            out.note = out.note or note
        return out

    # ------------------------------------------------------------------ current figures
    @property
    def by_paragraph(self) -> dict[str, float]:
        """Current haircut charge by citation (add-ons under their own citation)."""
        return dict(self._by_paragraph)

    @property
    def net_capital(self) -> float:
        """Current net capital, 15c3-1(c)(2): capital before position deductions less them all."""
        return self.capital - self.haircuts

    @property
    def excess_net_capital(self) -> float:
        """Current excess net capital (net capital less the 15c3-1(a) requirement)."""
        return self.net_capital - self.requirement

    # ------------------------------------------------------------------ trades
    def _position(self, trade: TradeInput) -> Position:
        """The trade as a Position, its id new and its links naming positions of the book."""
        if isinstance(trade, Position):
            p = trade
        else:
            try:
                p = Position.model_validate(dict(trade))
            except ValidationError as exc:
                raise BookError(
                    [
                        RowError("trade", ".".join(str(x) for x in e["loc"]) or "trade", e["msg"])
                        for e in exc.errors()
                    ]
                ) from None
        if p.id in self._ids:
            raise BookError(
                [RowError("trade", "id", f"duplicate id {p.id!r}: already in the book")]
            )
        for name in ("deliverable_position", "hedge_with", "offsets"):
            link = getattr(p, name)
            if link is not None and link not in self._ids:
                raise BookError(
                    [RowError("trade", name, f"{link!r} names no position in the book")]
                )
        if p.hedge_with == p.id:
            raise BookError([RowError("trade", "hedge_with", "names the position itself")])
        return p

    def _trade_frame(self, positions: list[Position]) -> pd.DataFrame:
        """Validated frame of trades, through the same validator as book rows.

        Links name positions of the book (checked in `_position`), so they
        are set after validation, which only knows the trades' own ids.
        """
        plain = [
            p.model_copy(update={"deliverable_position": None, "hedge_with": None, "offsets": None})
            for p in positions
        ]
        frame = positions_frame(plain, self.as_of)
        frame["deliverable_position"] = pd.Series(
            [p.deliverable_position for p in positions], dtype=object
        )
        frame["hedge_with"] = pd.Series([p.hedge_with for p in positions], dtype=object)
        if "offsets" in frame.columns:  # an option pairs with a book position (covered call)
            frame["offsets"] = pd.Series([p.offsets for p in positions], dtype=object)
        frame["row"] = len(self._frame) + len(self._added) + np.arange(len(frame))
        return frame

    def _trade(self, trade: TradeInput) -> tuple[Position, pd.DataFrame]:
        """Validate a trade as a book row; a one-row validated frame."""
        p = self._position(trade)
        return p, self._trade_frame([p])

    def prepare_many(self, trades: list[TradeInput]) -> list[PreparedTrade]:
        """Prepare several independent trades in one vectorized pass (each checked alone).

        Falls back to one `prepare` per trade when the trades cannot be
        routed together (for example two of them describe one issue differently).
        """
        positions = [self._position(t) for t in trades]
        seen: set[str] = set()
        for p in positions:
            if p.id in seen:
                raise BookError([RowError("trade", "id", f"duplicate id {p.id!r} among trades")])
            seen.add(p.id)
        if not positions:
            return []
        frame = self._trade_frame(positions)
        linked = frame["id"].astype(str).isin(self._named).to_numpy(dtype=bool)
        for col in _LINK_COLUMNS:
            if col in frame.columns:
                linked = linked | frame[col].notna().to_numpy(dtype=bool)
        rows: list[_Row | None] = [None] * len(frame)
        if not linked.all():
            sub = frame[~linked].reset_index(drop=True)
            try:
                detail = compute_haircuts(
                    sub, self.as_of, self._single_opts, net_capital_before_haircuts=self.capital
                ).detail
            except BookError:
                return [self.prepare(p) for p in positions]
            facts = self._facts_frame(sub, detail)
            for i, r in zip(np.flatnonzero(~linked), facts.itertuples(index=False), strict=True):
                rows[int(i)] = _Row(*r)
        return [
            PreparedTrade(
                positions[i],
                rows[i],
                _frame=[frame.iloc[[i]].reset_index(drop=True)],
                _builder=self._trade_frame,
            )
            for i in range(len(frame))
        ]

    def _row_of(self, pid: str) -> _Row:
        if pid in self._rows:
            return self._rows[pid]
        i = self._index.get_loc(pid)
        assert isinstance(i, int)
        return _Row(*self._facts.iloc[i])

    def current_frame(self) -> pd.DataFrame:
        """The validated position frame of the book as it stands (base rows, then trades)."""
        return self._current(self._given)

    def _current(self, frame: pd.DataFrame) -> pd.DataFrame:
        parts = [frame[~frame["id"].isin(self._removed)]] if self._removed else [frame]
        parts += list(self._added.values())
        out = pd.concat(parts, ignore_index=True) if len(parts) > 1 else parts[0]
        return out.reset_index(drop=True)

    def prepare(self, trade: TradeInput | PreparedTrade) -> PreparedTrade:
        """Validate and route a trade once, so that checks of it take only the pool update.

        A cash trade of a class in ``_FAST_CLASSES`` whose routing template is
        known (an earlier trade with the same routing-relevant fields and the same
        maturity buckets, see `_template_key`) is prepared from the
        template in scalar Python; anything else goes through the one-row pandas
        path, whose row then becomes a template.
        """
        if isinstance(trade, PreparedTrade):
            return trade
        p = self._position(trade)
        key = self._template_key(p)
        if key is not None:
            tpl = self._templates.get(key)
            if tpl is not None:
                return PreparedTrade(p, self._from_template(tpl, p), "fast", [], self._trade_frame)
        one = self._trade_frame([p])
        row = self._trade_row(one)
        if key is not None and row is not None and self._template_ok(row, p):
            self._templates[key] = row
        return PreparedTrade(p, row, "pandas", [one], self._trade_frame)

    # ------------------------------------------------------------------ fast prepare
    def _template_key(self, p: Position) -> tuple[Any, ...] | None:
        """Routing-relevant fields of a trade, or None where the fast path does not apply.

        The key holds every field except the id, the amounts (market value,
        quantity, price), the security id and the maturity; the maturity enters
        only as the bucket it falls in under each schedule that buckets by
        maturity ((A)/(C) by months, (B)(2) and (F)(1) by years), so two trades
        with equal keys are routed alike and take the same rate.
        """
        if (
            p.security_class.value not in _FAST_CLASSES
            or p.instrument != Instrument.CASH
            or p.deliverable_position is not None
            or p.hedge_with is not None
            or p.id in self._named
            or (p.maturity is not None and p.years_to_maturity is not None)
            or (p.maturity is not None and p.security_class == SecurityClass.MUNICIPAL)
            or p.id != p.id.strip()  # text the frame validator would normalize
            or (p.security_id is not None and p.security_id.strip() != p.security_id)
            or p.security_id == ""
        ):
            return None
        if p.years_to_maturity is not None:
            months = p.years_to_maturity * 12.0
        elif p.maturity is not None:
            months = float(complete_months(self.as_of, p.maturity))
        else:
            months = math.nan
        sig = (math.isnan(months), *(_bucket(lo, up, months / k) for lo, up, k in self._bounds))
        d = p.__dict__
        return (sig, *(d[k] for k in _KEY_FIELDS))

    @staticmethod
    def _template_ok(row: _Row, p: Position) -> bool:
        """The pandas row is linear in the value the way `_from_template` assumes."""
        value = p.value
        return (
            row.family != "FUT"
            and not row.fut_citation
            and row.fixed == 0.0
            and row.exposure == row.signed
            and row.gross == row.rate * abs(row.exposure)
            and value > 0
        )

    def _from_template(self, tpl: _Row, p: Position) -> _Row:
        """The trade's row: the template's routing with this trade's id and amounts."""
        value = p.value
        signed = value if p.side.value == "long" else -value
        gross = tpl.rate * abs(signed)
        absx = abs(signed)
        effective = gross / absx if absx > 0 else tpl.rate
        j_rate, j2_rate, fraction = self._m_const
        if tpl.route in ("J", "G_J"):
            m_rate = j_rate
        elif tpl.route == "J2":
            m_rate = j2_rate
        else:
            m_rate = fraction * effective
        qty = p.quantity
        price = value / qty if qty is not None and qty > 0 else 0.0
        issue = p.security_id if p.security_id is not None else p.id
        return replace(
            tpl,
            pid=p.id,
            exposure=signed,
            gross=gross,
            m_issue=issue if tpl.m_issue else "",
            m_rate=m_rate,
            m_price=price,
            signed=signed,
        )

    def _trade_row(self, one: pd.DataFrame) -> _Row | None:
        linked = bool(
            one["deliverable_position"].notna().iloc[0]
            or one["hedge_with"].notna().iloc[0]
            or ("offsets" in one.columns and one["offsets"].notna().iloc[0])
            or str(one["id"].iloc[0]) in self._named
        )
        if linked:
            return None
        detail = compute_haircuts(
            one, self.as_of, self._single_opts, net_capital_before_haircuts=self.capital
        ).detail
        return _Row(*self._facts_frame(one, detail).iloc[0])

    def check(self, trade: TradeInput | PreparedTrade) -> PreTradeResult:
        """What adding ``trade`` would do; the state is unchanged."""
        prepared = self.prepare(trade)
        return self._evaluate("add", prepared, None)[0]

    def check_remove(self, position_id: str) -> PreTradeResult:
        """What removing a position would do; the state is unchanged."""
        return self._evaluate("remove", None, self._known(position_id))[0]

    def add(self, trade: TradeInput | PreparedTrade) -> PreTradeResult:
        """Add ``trade`` to the book and return the result."""
        prepared = self.prepare(trade)
        if prepared.id in self._ids:
            raise BookError([RowError("trade", "id", "duplicate id: already in the book")])
        result, commit = self._evaluate("add", prepared, None)
        commit()
        return result

    def remove(self, position_id: str) -> PreTradeResult:
        """Remove a position (by id) from the book and return the result."""
        result, commit = self._evaluate("remove", None, self._known(position_id))
        commit()
        return result

    def _known(self, pid: str) -> str:
        if pid not in self._ids:
            raise KeyError(f"no position {pid!r} in the book")
        if pid not in self._given_ids:
            raise ValueError(
                f"{pid!r} is a position of a market-maker account, not of the book's positions"
            )
        if pid in self._named_by:
            raise ValueError(
                f"{pid!r} is named by the link of {self._named_by[pid]!r}; remove that first"
            )
        return pid

    def _evaluate(
        self, action: str, prepared: PreparedTrade | None, pid: str | None
    ) -> tuple[PreTradeResult, Any]:
        if (prepared is not None and prepared.row is None) or (
            pid is not None and pid in self._linked
        ):
            return self._evaluate_full(action, None if prepared is None else prepared.frame, pid)
        if prepared is not None:
            assert prepared.row is not None
            row = prepared.row
            sign = 1.0
        else:
            assert pid is not None
            row = self._row_of(pid)
            sign = -1.0
        if (
            row.fut_citation
            or stage(row.paragraph) != SECURITIES
            or row.paragraph.startswith(OPTIONS_PREFIX)
            or (bool(row.m_issue) and row.m_issue in self._option_issues)
        ):
            # moves tentative net capital or the (M) base (every issue's threshold
            # changes), or is an Appendix A option, whose charge carries the (b)(2)(ii)
            # add-on and may pair with other rows: no pool keeps either, so recompute
            one = None
            if prepared is not None:
                built = prepared._frame or prepared._builder is not None
                one = prepared.frame if built else self._trade_frame([prepared.position])
            return self._evaluate_full(action, one, pid)
        # the pools the row touches, copied and updated
        pkey = (row.family, row.key)
        delta: dict[str, float] = {}
        new_pool: _Pool | None = None
        if row.family != "FUT":  # a futures contract's own charge is in the futures pool
            old_pool = self._pools.get(pkey)
            if old_pool is not None:
                new_pool = old_pool.copy()
            else:
                new_pool = self._pool(pkey, row)
                del self._pools[pkey]
            self._apply(new_pool, row, sign)
            for p, v in self._charges(new_pool).items():
                _add(delta, p, v)
            if old_pool is not None:
                for p, v in self._charges(old_pool).items():
                    _add(delta, p, -v)
        new_fut = self._fut_gross
        if row.fut_citation:
            new_fut = dict(self._fut_gross)
            _add(new_fut, row.fut_citation, sign * row.fut_gross)
            for p, v in self._futures_charges(new_fut).items():
                _add(delta, p, v)
            for p, v in self._futures_charges(self._fut_gross).items():
                _add(delta, p, -v)
        new_issue: _Issue | None = None
        if row.m_issue:
            old_issue = self._issues.get(row.m_issue)
            if sign > 0:
                new_issue = self._issue_in(self._issues, row, store=False)
            else:
                assert old_issue is not None
                new_issue = self._issue_out(old_issue, row.pid)
            d_m = self._issue_charge(new_issue) - self._issue_charge(old_issue)
            _add(delta, CONCENTRATION_CITATION, d_m)
        by_before = self._by_paragraph
        by_after = dict(by_before)
        for p, d in delta.items():
            _add(by_after, p, d)
        total_after = math.fsum(by_after.values())
        result = self._result(action, row.pid, "incremental", by_after, total_after, self.tnc)

        def commit() -> None:
            if new_pool is not None:
                self._pools[pkey] = new_pool
            if row.fut_citation:
                self._fut_gross = new_fut
            if row.m_issue:
                if new_issue is None:
                    self._issues.pop(row.m_issue, None)
                else:
                    if sign > 0:
                        new_issue.members[row.pid] = _member(row)
                    self._issues[row.m_issue] = new_issue
            self._by_paragraph = by_after
            self.haircuts = total_after
            self.flags = result.flags_after
            if prepared is not None:
                self._rows[row.pid] = row
                self._added[row.pid] = prepared.frame
                self._ids.add(row.pid)
                self._given_ids.add(row.pid)
            else:
                if self._added.pop(row.pid, None) is None:
                    self._removed.add(row.pid)
                self._ids.discard(row.pid)
                self._given_ids.discard(row.pid)
                self._rows.pop(row.pid, None)

        return result, commit

    def _apply(self, pool: _Pool, row: _Row, sign: float) -> None:
        kind = pool.kind
        if kind in ("A", "C"):
            assert pool.net is not None
            pool.net[row.sub] += sign * row.exposure
            _add(pool.gross, (int(self._gov_cat[row.sub]), row.paragraph), sign * row.gross)
        elif kind in _BUCKETED:
            side = int(np.sign(row.exposure))
            _add(pool.by_side, (side, row.paragraph), sign * abs(row.exposure))
        elif kind == "COMMOD":
            assert pool.net is not None
            pool.net[0] += sign * row.exposure
        else:
            _add(pool.linear, row.paragraph, sign * row.gross)

    def _result(
        self,
        action: str,
        pid: str,
        method: str,
        by_after: dict[str, float],
        total: float,
        tnc_after: float,
    ) -> PreTradeResult:
        nc_before = self.capital - self.haircuts
        nc_after = self.capital - total
        securities = stage_totals(by_after.items())[SECURITIES]
        flags_after = self._flags(nc_after, securities, tnc_after)
        names = sorted(set(self._by_paragraph) | set(by_after))
        scale = _TOL * max(1.0, abs(self.haircuts), abs(total))
        rows = []
        for p in names:
            b, a = self._by_paragraph.get(p, 0.0), by_after.get(p, 0.0)
            if abs(a - b) > scale:
                rows.append(ParagraphChange(p, b, a, a - b))
        changed = tuple(rows)
        return PreTradeResult(
            action=action,
            position_id=pid,
            method=method,
            tentative_net_capital=self.tnc,
            tentative_net_capital_after=tnc_after,
            haircuts_before=self.haircuts,
            haircuts_after=total,
            net_capital_before=nc_before,
            net_capital_after=nc_after,
            requirement=self.requirement,
            excess_before=nc_before - self.requirement,
            excess_after=nc_after - self.requirement,
            flags_before=self.flags,
            flags_after=flags_after,
            by_paragraph_before=dict(self._by_paragraph),
            by_paragraph_after=by_after,
            changed=changed,
        )

    def _evaluate_full(
        self, action: str, one: pd.DataFrame | None, pid: str | None
    ) -> tuple[PreTradeResult, Any]:
        """Recompute every haircut for books or trades with cross-position links."""
        frame = self._current(self._frame)
        given = self._current(self._given)
        if one is not None:
            # a trade and a book may differ in carrying option columns (none without options)
            frame, given, one = align_option_columns(frame, given, one)
            cols = list(frame.columns)
            frame = pd.concat([frame, one[cols]], ignore_index=True)
            given = pd.concat([given, one[list(given.columns)]], ignore_index=True)
            pid = str(one["id"].iloc[0])
        else:
            frame = frame[frame["id"] != pid].reset_index(drop=True)
            given = given[given["id"] != pid].reset_index(drop=True)
        assert pid is not None
        h = compute_haircuts(
            frame, self.as_of, self._hopts, net_capital_before_haircuts=self.capital
        )
        bp = h.by_paragraph
        by_after = {str(p): float(c) for p, c in zip(bp["paragraph"], bp["charge"], strict=True)}
        result = self._result(
            action, pid, "full", by_after, h.total, self.capital - h.pre_tentative
        )

        def commit() -> None:
            self._build(given)

        return result, commit


_LINK_COLUMNS = ("deliverable_position", "hedge_with", "offsets")
"""Columns that tie one position's charge to another's (cover, (F)(2) hedge, Appendix A pair)."""

OPTIONS_PREFIX = "15c3-1a"
"""Citations of Appendix A (options): such rows are charged by a full recompute."""

_FAMILY = {
    "A": "A",
    "C": "C",
    "B1": "B1",
    "B2": "B2",
    "D1": "D",
    "D2": "D",
    "D3": "D",
    "E": "E",
    "E6": "E6",
    "F": "F",
    "G_F": "F",
    "H": "H",
    "J": "J",
    "G_J": "J",
    "COMMOD": "COMMOD",
    "FUT": "FUT",
}
_NC_BELOW = frozenset(
    {
        "below_minimum",
        "below_5pct_debit_items",
        "below_120pct_minimum",
        "withdrawal_below_120pct_minimum_dollar",
        "withdrawal_below_5pct_debit_items",
    }
)
_AI_OVER = frozenset({"ai_over_1200pct", "withdrawal_ai_over_1000pct"})
_FIXED = frozenset({"securities_financing_over_2500pct_tnc", "debt_equity_over_70pct"})
_BUCKETED = ["B1", "B2", "D", "E", "E6", "F", "H", "J"]
# classes the fast prepare serves: routed without comparing the maturity or the value with a
# threshold (commercial paper, CDs and acceptances do; convertibles compare value with
# principal; commodities are pooled by issue)
_FAST_CLASSES = frozenset(
    c.value
    for c in (
        SecurityClass.GOVERNMENT,
        SecurityClass.AGENCY,
        SecurityClass.CANADIAN_GOVERNMENT,
        SecurityClass.MUNICIPAL,
        SecurityClass.NONCONVERTIBLE_DEBT,
        SecurityClass.PREFERRED,
        SecurityClass.EQUITY,
        SecurityClass.NO_READY_MARKET,
        SecurityClass.CRYPTO_NON_SECURITY,
        SecurityClass.REDEEMABLE_FUND,
        SecurityClass.MONEY_MARKET_FUND,
    )
)
_KEY_FIELDS = tuple(
    k
    for k in Position.model_fields
    if k
    not in (
        "id",
        "market_value",
        "quantity",
        "price",
        "security_id",
        "maturity",
        "years_to_maturity",
    )
)


def _option_issues(frame: pd.DataFrame) -> frozenset[str]:
    """The issues (``underlying``) of the option rows of ``frame`` ((M)(1) counts them)."""
    if "underlying" not in frame.columns:
        return frozenset()
    opt = frame["instrument"].to_numpy(dtype=object) == "option"
    return frozenset(str(u) for u in frame["underlying"].to_numpy(dtype=object)[opt])
