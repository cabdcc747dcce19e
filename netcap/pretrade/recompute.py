"""Trades checked by a full recompute of the book's haircuts.

A trade whose charge is not under (c)(2)(vi) or Appendix A (non-security crypto
under (c)(2)(iv), (c)(2)(vii), futures and commodities under Appendix B, a
government future's Appendix B add-on) moves tentative net capital (15c3-1(c)(15))
or the (M)(1) base, and so every (M) issue's threshold.  An Appendix A option's
charge carries the (b)(2)(ii) add-on and may pair with other rows through
``offsets``.  A trade in an issue the book holds options on moves that issue's
(M) position by the options' part too ((M)(1) counts "any option written,
endorsed or held"), which the (M) pool does not keep.  No pool keeps any of
these, so such trades, trades that carry a link or that an election names, and
removals of linked rows, are checked by computing every haircut of the book with
the trade (``method="full"``).
"""

from __future__ import annotations

import pandas as pd

from netcap.book.frame import align_option_columns
from netcap.pretrade.parameters import Parameters
from netcap.pretrade.row import PoolRow
from netcap.rule.haircuts import HaircutResult, compute_haircuts
from netcap.rule.haircuts.tentative import SECURITIES, stage

__all__ = [
    "OPTIONS_PREFIX",
    "book_with",
    "book_without",
    "needs_recompute",
    "option_issues",
    "recomputed",
]

OPTIONS_PREFIX = "15c3-1a"
"""Citations of Appendix A (options): such rows are charged by a full recompute."""


def needs_recompute(row: PoolRow, option_issues: frozenset[str] = frozenset()) -> bool:
    """The row moves tentative net capital or the (M) base, is an Appendix A option,
    or belongs to an issue the book holds options on ((c)(2)(vi)(M)(1))."""
    return bool(
        row.fut_citation
        or stage(row.paragraph) != SECURITIES
        or row.paragraph.startswith(OPTIONS_PREFIX)
        or (bool(row.m_issue) and row.m_issue in option_issues)
    )


def option_issues(frame: pd.DataFrame) -> frozenset[str]:
    """The issues (``underlying``) of the option rows of ``frame`` ((M)(1) counts them)."""
    if "underlying" not in frame.columns:
        return frozenset()
    opt = frame["instrument"].to_numpy(dtype=object) == "option"
    return frozenset(str(u) for u in frame["underlying"].to_numpy(dtype=object)[opt])


def book_with(
    frame: pd.DataFrame, given: pd.DataFrame, one: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The computed and the given frames with the one-row trade ``one`` appended."""
    # a trade and a book may differ in carrying option columns (none without options)
    frame, given, one = align_option_columns(frame, given, one)
    cols = list(frame.columns)
    frame = pd.concat([frame, one[cols]], ignore_index=True)
    given = pd.concat([given, one[list(given.columns)]], ignore_index=True)
    return frame, given


def book_without(
    frame: pd.DataFrame, given: pd.DataFrame, pid: str
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The computed and the given frames without position ``pid``."""
    frame = frame[frame["id"] != pid].reset_index(drop=True)
    given = given[given["id"] != pid].reset_index(drop=True)
    return frame, given


def recomputed(frame: pd.DataFrame, params: Parameters, capital: float) -> HaircutResult:
    """Every haircut of ``frame`` under the book's elections."""
    return compute_haircuts(
        frame, params.as_of, params.options, net_capital_before_haircuts=capital
    )
