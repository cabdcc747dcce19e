"""Options in the undue-concentration position: 15c3-1(c)(2)(vi)(M)(1).

(M)(1) reaches "securities of a single class or series of an issuer, including
any option written, endorsed or held to purchase or sell securities of such a
single class or series of an issuer", "long or short", whose "market value" is
more than 10 percent of net capital before (c)(2)(vi) and Appendix A.  This
module says what an option row adds to the position of its issue; the rest of
(M) (threshold, floors, allocation) is `netcap.rule.haircuts.concentration`.

**The issue.**  An option joins the issue its ``underlying`` names: the same
key as a position's ``security_id`` (a position without one is keyed by its
own ``id``).  netcap takes options only on ``equity`` and ``other_security``
underlyings (`netcap.rule.haircuts.options`), so the issue is always one of (J)
securities.

**The value an option counts at.**  The market value of the securities it is
to purchase or sell: ``units x underlying_price``, with the direction of the
exposure it gives the firm to that issue:

=============================== =========
held call, written put          long
written call, held put          short
=============================== =========

The issue's position is then the net of its securities and its options, as
netcap already nets the long and short rows of one issue.

Why this value.  (M)(1) puts the option into "securities of a single class or
series ... which are long or short" and measures that position by "market
value"; what an option to purchase or sell securities gives the firm is a
position in those securities.  Appendix A measures an option's deduction the
same way: every percentage of 15c3-1a(b)(2)(iii) and (c) is "the percentage
required by paragraph (c)(2)(vi) ... of the current market value of the
underlying instrument" (the (b)(2)(iii)(D)(1) text read, chunk 10815 of the
eCFR mirror; the other items are worded alike in 15c3-1a).  The option's own
premium would let a written call on a large block of stock count as almost
nothing, which is not the concentration (M) measures.  No FINRA interpretation
of (c)(2)(vi)(M) on the value of an option in the position was found in the
sources read (the FINRA Interpretations of Financial and Operational Rules
were not available paragraph by paragraph), so this is netcap's reading of the
text, not a confirmed one.

The reading is not conservative in one respect, and the docs say so: a
written call (or a held put) counts as a short position in the full units it
covers, whatever its moneyness, so it offsets a long position in the stock
one for one.  Appendix A itself keeps most of the stock's deduction on a
short call with long underlying ((b)(2)(iii)(D)(3): the (J) percentage of the
underlying less the in-the-money amount), and that charge is unchanged; only
the (M) add-on sees the net.

**The percentage.**  (M)(1): "50 percent of the percentage deduction otherwise
provided by this paragraph (c)(2)(vi) ... or appendix A", and "In the case of
securities described in paragraph (c)(2)(vi)(J), the additional deduction
required by this paragraph (c)(2)(vi)(M) shall be 15 percent."  The securities
an option here is to purchase or sell are (J) securities, and the percentage
Appendix A applies to them is (J)'s; so the option part of an issue draws the
(J) 15% (``haircut_tables/concentration.csv``, ``j_add_on_rate``).  Where
the issue's securities are charged at another rate ((K)(ii), 40%, half of which
is 20%), the issue's highest rate applies, as it does to the rows of an issue
without options.

**Where the add-on shows.**  The haircut detail has one add-on column per
position, and most option rows already use it for an Appendix A adjustment to
net worth (15c3-1a(b)(2)(ii), (c)).  The (M) add-on of an issue is shown on
the rows of the issue's side whose column is free (the stock, a held listed
option), else on any free row of the issue.  An issue held only in options
that all carry an adjustment (written calls, say) shows it on its own rows;
`make_room` first moves each such row's adjustment into its ``charge``, with a
note naming the paragraph and amount.  Both are Appendix A amounts, reported
on the same FOCUS line (15c3-1a), so no total moves; only the split of
``by_paragraph`` between the two 15c3-1a citations does.

**Timing.**  The 11 business days of underwritten securities and the 20 of
(M)(4) do not apply to options (they are neither underwritten nor municipal).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netcap.book.frame import OPTION_COLUMNS, option_column
from netcap.book.model import Instrument, SecurityClass, Side
from netcap.rule.tables import Schedule

__all__ = ["OPTION_CLASSES", "OptionExposure", "make_room", "option_exposure"]

OPTION_CLASSES = (SecurityClass.EQUITY.value, SecurityClass.OTHER_SECURITY.value)
"""Underlying classes netcap takes options on: (J) securities."""


@dataclass(frozen=True)
class OptionExposure:
    """What each option row adds to the (M) position of its issue."""

    rows: np.ndarray
    """Frame rows of the option positions."""
    issue: np.ndarray
    """The issue each one joins (its ``underlying``), as text."""
    signed: np.ndarray
    """``units x underlying_price``, positive long (held call, written put), else negative."""
    price: np.ndarray
    """``underlying_price``: the market value of one share, for the 500-share floor of (M)(3)."""
    rate: np.ndarray
    """The (M) percentage of the option part: 15% ((M)(1), securities of (J))."""
    security_class: np.ndarray
    """The class of the underlying (``equity`` or ``other_security``)."""


def option_exposure(
    frame: pd.DataFrame, schedule: Schedule, rows: np.ndarray | None = None
) -> OptionExposure:
    """The (M)(1) contribution of every option row of ``frame`` to its issue.

    ``schedule`` is the ``concentration`` table.  ``rows`` are the option rows
    when the caller knows them (those routed to Appendix A); otherwise they are
    read from ``instrument``.  Only those rows of the columns used are read.
    Raises `ValueError` for an option on a class outside `OPTION_CLASSES`
    (`netcap.rule.haircuts.options` refuses those rows first, with their file
    and row).
    """
    if rows is None:
        inst = frame["instrument"].to_numpy(dtype=object)
        rows = np.flatnonzero(inst == Instrument.OPTION.value)

    def column(name: str) -> pd.Series:
        if name in OPTION_COLUMNS:
            return option_column(frame, name).iloc[rows]
        return frame[name].iloc[rows]

    cls = column("security_class").to_numpy(dtype=object)
    if not np.isin(cls, OPTION_CLASSES).all():
        raise ValueError("(M) options: an option on a class other than equity or other_security")
    call = column("option_type").to_numpy(dtype=object) == "call"
    short = column("side").to_numpy(dtype=object) == Side.SHORT.value
    units = column("units").to_numpy(dtype=float)
    price = column("underlying_price").to_numpy(dtype=float)
    long_exposure = call != short  # held call or written put
    value = units * price
    signed = np.where(long_exposure, value, -value)
    issue = column("underlying").astype(object).astype(str).to_numpy()
    j_rate = schedule.rate("j_add_on_rate")
    return OptionExposure(
        rows=rows,
        issue=issue,
        signed=signed,
        price=price,
        rate=np.full(len(rows), j_rate),
        security_class=cls,
    )


def make_room(columns: dict[str, np.ndarray], paragraphs: np.ndarray, busy: np.ndarray) -> None:
    """Free the add-on column of the ``busy`` rows for the (M) add-on, in place.

    ``columns`` holds the detail's number and note columns as arrays;
    ``paragraphs`` the add-on citation of each busy row (an option row's
    15c3-1a(b)(2)(ii) or (c) adjustment).  Each busy row's adjustment is added
    to its ``charge`` with a note saying so; the caller then writes (M) into the
    add-on column.  Both amounts fall under 15c3-1a, so no total moves.
    """
    rows = np.flatnonzero(busy)
    if len(rows) == 0:
        return
    amount = columns["add_on_charge"][rows]
    columns["charge"][rows] += amount
    note = columns["note"]
    for i, para, value in zip(rows.tolist(), paragraphs.tolist(), amount.tolist(), strict=True):
        text = (
            f"charge includes the {para} adjustment of {value:,.2f} "
            "(the add-on column shows 15c3-1(c)(2)(vi)(M))"
        )
        note[i] = f"{note[i]}; {text}" if note[i] else text
    columns["add_on_charge"][rows] = 0.0
