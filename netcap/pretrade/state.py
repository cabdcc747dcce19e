"""`PreTradeState`: one full computation of a book, then its charges kept as pools.

The state is built once (`netcap.compute` over the book, then the facts of each
row and the pools filled from them); `check` answers a what-if from the pools a
trade touches (`netcap.pretrade.check`) or, where no pool can, by a full
recompute of the haircuts (`netcap.pretrade.recompute`); `add` and `remove`
apply the trade.  See the package docstring for the pools and what each keeps.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import numpy as np
import pandas as pd

from netcap.book.firm import Book
from netcap.book.frame import BookError, RowError, positions_frame
from netcap.book.model import Position
from netcap.pretrade.check import commit_update, paragraphs_after, pool_update
from netcap.pretrade.facts import facts_frame
from netcap.pretrade.flags import FlagTests
from netcap.pretrade.links import book_links, carries_link
from netcap.pretrade.parameters import parameters
from netcap.pretrade.pools import pools_from_facts
from netcap.pretrade.positions import BookPositions
from netcap.pretrade.prepared import PreparedTrade
from netcap.pretrade.recompute import (
    book_with,
    book_without,
    needs_recompute,
    option_issues,
    recomputed,
)
from netcap.pretrade.result import PreTradeResult, paragraph_changes
from netcap.pretrade.row import PoolRow, row_at, rows_of
from netcap.pretrade.templates import from_template, template_key, template_ok
from netcap.pretrade.trades import TradeInput, trade_frame, validated_position
from netcap.rule.computation import ComputeOptions, compute
from netcap.rule.haircuts import compute_haircuts
from netcap.rule.haircuts.tentative import SECURITIES, stage_totals

__all__ = ["PreTradeState"]

Commit = Callable[[], None]
"""Applies a checked trade to the state."""


class PreTradeState:
    """Incremental haircut state of one firm's book (see `netcap.pretrade`).

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
        self._templates: dict[object, PoolRow] = {}
        self._build(given)

    # ------------------------------------------------------------------ building
    def _build(self, given: pd.DataFrame) -> None:
        """One full computation of ``given``, then the facts and the pools from it."""
        book = self.book
        self.as_of: date = book.as_of
        given = given.reset_index(drop=True)
        base = compute(book, self.options, positions=given)
        self.base = base
        # tentative net capital, and the capital above it before any position deduction
        self.tnc = base.tentative_net_capital
        self.capital = self.tnc + base.haircuts.pre_tentative
        # (M)(1) base: net capital before (c)(2)(vi) and Appendix A
        self._m_base = self.tnc - base.haircuts.appendix_b
        self.requirement = base.requirement.amount
        self._params = parameters(self.as_of, self.options.haircuts)
        self._flag_tests = FlagTests.of(book, self.options, base)
        self._links = book_links(base.positions, self.options.haircuts)
        # unlinked trades are always checked incrementally; kept for callers that ask
        self.incremental = True
        bp = base.haircuts.by_paragraph
        self._by_paragraph = {
            str(p): float(c) for p, c in zip(bp["paragraph"], bp["charge"], strict=True)
        }
        self.haircuts = base.haircuts.total
        self.flags = self._flag_tests.crossed(
            self.capital - self.haircuts, base.haircuts.securities
        )
        facts = facts_frame(
            base.positions,
            base.haircuts.detail,
            self._params,
            linked=bool(self._links.linked),
            routes=base.haircuts.routes,
        )
        self._book = BookPositions.of(given, base.positions, facts)
        self._pools = pools_from_facts(facts, self._params)
        # (M)(1): issues the book holds options on; their (M) position includes the
        # options, which no pool keeps, so a trade in one is recomputed in full
        self._option_issues = option_issues(base.positions)

    @property
    def _linked(self) -> set[str]:
        """Ids tied to another position's charge (see `netcap.pretrade.links`)."""
        return self._links.linked

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

    def current_frame(self) -> pd.DataFrame:
        """The validated position frame of the book as it stands (base rows, then trades)."""
        return self._book.current(self._book.given)

    # ------------------------------------------------------------------ preparing trades
    def _trade_frame(self, positions: list[Position]) -> pd.DataFrame:
        """Validated frame of trades, numbered after the book's rows and trades."""
        return trade_frame(positions, self.as_of, self._book.next_row)

    def _trade_row(self, one: pd.DataFrame) -> PoolRow | None:
        """The facts row of a one-row trade frame computed alone (None: it carries a link)."""
        if carries_link(one, self._links.elected)[0]:
            return None
        detail = compute_haircuts(
            one, self.as_of, self._params.single, net_capital_before_haircuts=self.capital
        ).detail
        return row_at(facts_frame(one, detail, self._params), 0)

    def prepare(self, trade: TradeInput | PreparedTrade) -> PreparedTrade:
        """Validate and route a trade once, so that checks of it take only the pool update.

        A cash trade whose routing template is known (an earlier trade of the
        same key, see `netcap.pretrade.templates`) is prepared from the template
        in scalar Python; anything else goes through the one-row pandas path,
        whose row then becomes a template.
        """
        if isinstance(trade, PreparedTrade):
            return trade
        p = validated_position(trade, self._book.ids)
        key = template_key(p, self.as_of, self._params.bounds, self._links.elected)
        tpl = None if key is None else self._templates.get(key)
        if tpl is not None:
            row = from_template(tpl, p, self._params.concentration)
            return PreparedTrade(p, row, "fast", [], self._trade_frame)
        one = self._trade_frame([p])
        pandas_row = self._trade_row(one)
        if key is not None and pandas_row is not None and template_ok(pandas_row, p):
            self._templates[key] = pandas_row
        return PreparedTrade(p, pandas_row, "pandas", [one], self._trade_frame)

    def prepare_many(self, trades: list[TradeInput]) -> list[PreparedTrade]:
        """Prepare several independent trades in one vectorized pass (each checked alone).

        Falls back to one `prepare` per trade when the trades cannot be
        routed together (for example two of them describe one issue differently).
        """
        positions = [validated_position(t, self._book.ids) for t in trades]
        seen: set[str] = set()
        for p in positions:
            if p.id in seen:
                raise BookError([RowError("trade", "id", f"duplicate id {p.id!r} among trades")])
            seen.add(p.id)
        if not positions:
            return []
        frame = self._trade_frame(positions)
        linked = carries_link(frame, self._links.elected)
        rows: list[PoolRow | None] = [None] * len(frame)
        if not linked.all():
            sub = frame[~linked].reset_index(drop=True)
            try:
                detail = compute_haircuts(
                    sub, self.as_of, self._params.single, net_capital_before_haircuts=self.capital
                ).detail
            except BookError:
                return [self.prepare(p) for p in positions]
            facts = facts_frame(sub, detail, self._params)
            for i, r in zip(np.flatnonzero(~linked), rows_of(facts), strict=True):
                rows[int(i)] = r
        return [
            PreparedTrade(
                positions[i],
                rows[i],
                _frame=[frame.iloc[[i]].reset_index(drop=True)],
                _builder=self._trade_frame,
            )
            for i in range(len(frame))
        ]

    # ------------------------------------------------------------------ checking trades
    def check(self, trade: TradeInput | PreparedTrade) -> PreTradeResult:
        """What adding ``trade`` would do; the state is unchanged."""
        return self._evaluate("add", self.prepare(trade), None)[0]

    def check_remove(self, position_id: str) -> PreTradeResult:
        """What removing a position would do; the state is unchanged."""
        return self._evaluate("remove", None, self._book.known(position_id, self._links))[0]

    def add(self, trade: TradeInput | PreparedTrade) -> PreTradeResult:
        """Add ``trade`` to the book and return the result."""
        prepared = self.prepare(trade)
        if prepared.id in self._book.ids:
            raise BookError([RowError("trade", "id", "duplicate id: already in the book")])
        result, commit = self._evaluate("add", prepared, None)
        commit()
        return result

    def remove(self, position_id: str) -> PreTradeResult:
        """Remove a position (by id) from the book and return the result."""
        pid = self._book.known(position_id, self._links)
        result, commit = self._evaluate("remove", None, pid)
        commit()
        return result

    def _evaluate(
        self, action: str, prepared: PreparedTrade | None, pid: str | None
    ) -> tuple[PreTradeResult, Commit]:
        """The result of adding ``prepared`` or removing ``pid``, and how to apply it."""
        if prepared is not None and prepared.row is None:
            return self._evaluate_full(action, prepared.frame, None)
        if pid is not None and pid in self._links.linked:
            return self._evaluate_full(action, None, pid)
        if prepared is not None:
            assert prepared.row is not None
            row, sign = prepared.row, 1.0
        else:
            assert pid is not None
            row, sign = self._book.row_of(pid), -1.0
        if needs_recompute(row, self._option_issues):
            one = None if prepared is None else prepared.one_row(self._trade_frame)
            return self._evaluate_full(action, one, pid)
        update = pool_update(self._pools, row, sign, self._params, self._m_base)
        by_after, total_after = paragraphs_after(self._by_paragraph, update.delta)
        result = self._result(action, row.pid, "incremental", by_after, total_after, self.tnc)

        def commit() -> None:
            commit_update(self._pools, update, row, sign)
            self._by_paragraph = by_after
            self.haircuts = total_after
            self.flags = result.flags_after
            if prepared is not None:
                self._book.add(row, prepared.frame)
            else:
                self._book.remove(row.pid)

        return result, commit

    def _evaluate_full(
        self, action: str, one: pd.DataFrame | None, pid: str | None
    ) -> tuple[PreTradeResult, Commit]:
        """Recompute every haircut for trades the pools cannot check (see `recompute`)."""
        frame = self._book.current(self._book.computed)
        given = self._book.current(self._book.given)
        if one is not None:
            frame, given = book_with(frame, given, one)
            pid = str(one["id"].iloc[0])
        else:
            assert pid is not None
            frame, given = book_without(frame, given, pid)
        assert pid is not None
        h = recomputed(frame, self._params, self.capital)
        bp = h.by_paragraph
        by_after = {str(p): float(c) for p, c in zip(bp["paragraph"], bp["charge"], strict=True)}
        result = self._result(
            action, pid, "full", by_after, h.total, self.capital - h.pre_tentative
        )

        def commit() -> None:
            self._build(given)

        return result, commit

    def _result(
        self,
        action: str,
        pid: str,
        method: str,
        by_after: dict[str, float],
        total: float,
        tnc_after: float,
    ) -> PreTradeResult:
        """The figures before (the state's) and after (``by_after``, ``total``, ``tnc_after``)."""
        nc_before = self.capital - self.haircuts
        nc_after = self.capital - total
        securities = stage_totals(by_after.items())[SECURITIES]
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
            flags_after=self._flag_tests.crossed(nc_after, securities, tnc_after),
            by_paragraph_before=dict(self._by_paragraph),
            by_paragraph_after=by_after,
            changed=paragraph_changes(self._by_paragraph, by_after, self.haircuts, total),
        )
