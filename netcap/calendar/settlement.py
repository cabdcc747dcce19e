"""Settlement dates: the business-day calendars and the cycles of Rule 15c6-1.

Calendars
---------
Two settlement calendars, chosen by where a class settles (see docs/settlement.md):

``dtc``      equities, corporate and municipal debt, money market instruments and fund
             shares, which settle at the Depository Trust Company.  A day is a settlement
             day when the exchange *and* the Federal Reserve Banks are open: weekends, NYSE
             holidays (Good Friday among them) and Federal Reserve holidays (Columbus Day,
             Veterans Day) are not.  Exchange closures for a national day of mourning on
             which DTC stayed open to settle (`CLEARING_OPEN_CLOSURES`) remain
             settlement days.
``fedwire``  government and agency securities, which settle over Fedwire.  A day is a
             settlement day when the Federal Reserve Banks are open and SIFMA does not
             recommend a full bond-market close; Good Friday is never a good settlement
             day, also in the years SIFMA recommends only an early close.  Government
             and agency trades entered on such an early-close Good Friday settle T+2,
             as SIFMA recommends (rows of ``haircut_tables/settlement_exceptions.csv``).

A third calendar, ``exchange``, counts the *settlement days* of Reg SHO Rule 204: the
``dtc`` days on which the equity exchanges are also open (FINRA does not count a day of
closure toward a close-out).

Cycles
------
The cycles are data (``haircut_tables/settlement_cycles.csv``), selected by trade date:
T+3 before 2017-09-05, T+2 until 2024-05-28, T+1 since, under 15c6-1(a); firm-commitment
offerings priced after 4:30 p.m. Eastern: T+4, then T+2 from 2024-05-28, under 15c6-1(c).
Classes 15c6-1(a) excepts settle on their market convention (``basis`` = ``convention``)
or, for municipal securities, on MSRB Rule G-12 (``basis`` = ``sro_rule``).

Counting
--------
``T+n`` is the n-th settlement day *after* the trade date.  A trade dated on a day that
is not a settlement day (a weekend, or Columbus Day for equities) therefore settles with
the trades of the previous settlement day, as the FINRA holiday schedules show; a
same-day (T+0) trade dated on such a day settles on the next settlement day.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from netcap.book.model import SecurityClass
from netcap.rule.tables import load_schedule, table_dir

if TYPE_CHECKING:
    import holidays

__all__ = [
    "CLEARING_OPEN_CLOSURES",
    "CYCLE_TABLE",
    "EXCEPTION_TABLE",
    "HOLIDAYS_FILE",
    "RULE_CLASSES",
    "Calendar",
    "CycleError",
    "CycleRule",
    "PositionDates",
    "add_business_days",
    "add_business_days_array",
    "ages_array",
    "business_days_between",
    "calendar_days",
    "calendar_for",
    "computed_holidays",
    "cycle_for",
    "holidays_file_text",
    "holidays_of",
    "is_business_day",
    "next_business_day",
    "position_dates",
    "settlement_date",
    "settlement_dates",
]

CYCLE_TABLE = "settlement_cycles"
EXCEPTION_TABLE = "settlement_exceptions"
FIRST_YEAR = 2000
LAST_YEAR = 2080


class CycleError(ValueError):
    """A trade has no settlement cycle; ``row`` (0-based) and ``field`` name the culprit."""

    def __init__(self, row: int, field: str, message: str) -> None:
        self.row = row
        self.field = field
        self.message = message
        super().__init__(f"row {row}: field {field!r}: {message}")


class Calendar(StrEnum):
    """A settlement calendar (see the module docstring)."""

    DTC = "dtc"
    FEDWIRE = "fedwire"
    EXCHANGE = "exchange"


CLEARING_OPEN_CLOSURES: tuple[date, ...] = (
    date(2018, 12, 5),  # national day of mourning, President George H. W. Bush
    date(2025, 1, 9),  # national day of mourning, President Jimmy Carter
)
"""Unscheduled exchange closures on which DTC stayed open to settle earlier trades.

They are settlement days on the ``dtc`` calendar (and count for aging, as FINRA's
guidance on unexpected closes, Regulatory Notices 18-39 and 24-18, treats them), but not
on the ``exchange`` calendar of Rule 204.
"""

RULE_CLASSES: frozenset[str] = frozenset(
    {
        SecurityClass.EQUITY.value,
        SecurityClass.PREFERRED.value,
        SecurityClass.CONVERTIBLE_DEBT.value,
        SecurityClass.NONCONVERTIBLE_DEBT.value,
        SecurityClass.OTHER_SECURITY.value,
        SecurityClass.NO_READY_MARKET.value,
        SecurityClass.REDEEMABLE_FUND.value,
        SecurityClass.MONEY_MARKET_FUND.value,
        SecurityClass.CERTIFICATE_OF_DEPOSIT.value,
    }
)
"""Classes 15c6-1(a) reaches: every security it does not except by name.

Certificates of deposit are not on the list of excepted instruments (exempted,
government and municipal securities, commercial paper, bankers' acceptances, commercial
bills), so they take the standard cycle; give ``agreed_cycle`` where the parties agree
otherwise.
"""

_FEDWIRE_CLASSES = frozenset({SecurityClass.GOVERNMENT.value, SecurityClass.AGENCY.value})
_KNOWN_CLASSES = frozenset(c.value for c in SecurityClass)


def calendar_for(security_class: str) -> Calendar:
    """The settlement calendar of a security class."""
    cls = _check_class(security_class)
    return Calendar.FEDWIRE if cls in _FEDWIRE_CLASSES else Calendar.DTC


def _check_class(security_class: str) -> str:
    cls = str(security_class).strip().lower()
    if cls not in _KNOWN_CLASSES:
        raise ValueError(f"{security_class!r} is not a security class ({sorted(_KNOWN_CLASSES)})")
    return cls


HOLIDAYS_FILE = "data/settlement_holidays.csv"
"""Every calendar's weekday non-settlement days, 2000-2080, in the package (``calendar,date``).

Written from the ``holidays`` package by ``python -m netcap.calendar.settlement``, which
tests/test_settlement_holidays.py compares with the file, so that a computation reads
some three thousand dates instead of importing the package's 300-odd market and
country modules (a third of a second, every run).
"""


def _weekday_dates(h: holidays.HolidayBase) -> set[date]:
    return {d for d in h if d.weekday() < 5}


def _good_fridays(years: range) -> set[date]:
    import holidays  # noqa: PLC0415 (only to write HOLIDAYS_FILE)

    nyse = holidays.financial_holidays("NYSE", years=years)
    return {d for d, name in nyse.items() if "Good Friday" in name}


def computed_holidays(calendar: Calendar | str) -> tuple[date, ...]:
    """Weekday non-settlement days of ``calendar``, sorted, for 2000-2080, from ``holidays``.

    The source of `HOLIDAYS_FILE`; `holidays_of` reads the file.
    """
    import holidays  # noqa: PLC0415 (only to write HOLIDAYS_FILE)

    cal = Calendar(calendar)
    years = range(FIRST_YEAR, LAST_YEAR + 1)
    fed = _weekday_dates(holidays.financial_holidays("XFED", years=years))
    nyse = _weekday_dates(holidays.financial_holidays("NYSE", years=years))
    if cal is Calendar.FEDWIRE:
        sifma = _weekday_dates(holidays.financial_holidays("USGS", years=years))
        days = fed | sifma | _good_fridays(years)
    elif cal is Calendar.DTC:
        days = (nyse - set(CLEARING_OPEN_CLOSURES)) | fed
    else:
        days = nyse | fed
    return tuple(sorted(days))


def holidays_file_text() -> str:
    """`HOLIDAYS_FILE` as `computed_holidays` gives it today."""
    rows = ["calendar,date"]
    for cal in Calendar:
        rows += [f"{cal.value},{d.isoformat()}" for d in computed_holidays(cal)]
    return "\n".join(rows) + "\n"


@cache
def _holidays_file() -> dict[Calendar, tuple[date, ...]]:
    text = resources.files("netcap").joinpath(HOLIDAYS_FILE).read_text("utf-8")
    days: dict[Calendar, list[date]] = {cal: [] for cal in Calendar}
    for line in text.splitlines()[1:]:
        cal, day = line.split(",")
        days[Calendar(cal)].append(date.fromisoformat(day))
    return {cal: tuple(sorted(d)) for cal, d in days.items()}


def holidays_of(calendar: Calendar | str) -> tuple[date, ...]:
    """Weekday non-settlement days of ``calendar``, sorted, for 2000-2080 (`HOLIDAYS_FILE`)."""
    return _holidays_file()[Calendar(calendar)]


@cache
def _busdaycal(calendar: Calendar | str) -> np.busdaycalendar:
    return np.busdaycalendar(
        weekmask="1111100", holidays=np.array(holidays_of(Calendar(calendar)), dtype="M8[D]")
    )


def _as_days(values: object) -> np.ndarray:
    out = np.asarray(pd.to_datetime(pd.Series(values)).to_numpy(dtype="datetime64[D]"))
    bad = np.isnat(out)
    if bad.any():
        raise ValueError(f"missing date at position {int(np.flatnonzero(bad)[0])}")
    lo, hi = np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR}-12-31")
    outside = (out < lo) | (out > hi)
    if outside.any():
        raise ValueError(
            f"date {out[outside][0]} outside the calendar's range {FIRST_YEAR}-{LAST_YEAR}"
        )
    return out


def _to_date(value: np.datetime64) -> date:
    return date.fromisoformat(str(value.astype("datetime64[D]")))


def is_business_day(d: date, calendar: Calendar | str = Calendar.DTC) -> bool:
    """True when ``d`` is a settlement day of ``calendar``."""
    return bool(np.is_busday(_as_days([d]), busdaycal=_busdaycal(Calendar(calendar)))[0])


def next_business_day(d: date, calendar: Calendar | str = Calendar.DTC) -> date:
    """``d`` itself when it is a settlement day, else the next one."""
    out = np.busday_offset(_as_days([d]), 0, roll="forward", busdaycal=_busdaycal(calendar))
    return _to_date(out[0])


def _offset(days: np.ndarray, n: np.ndarray, cal: np.busdaycalendar) -> np.ndarray:
    """The n-th business day after each day (n >= 1); n = 0 rolls forward to a business day."""
    after = np.busday_offset(days, n, roll="backward", busdaycal=cal)
    same = np.busday_offset(days, 0, roll="forward", busdaycal=cal)
    return np.where(n == 0, same, after)


def add_business_days(d: date, n: int, calendar: Calendar | str = Calendar.DTC) -> date:
    """The n-th settlement day after ``d`` (n >= 0; n = 0 is ``d`` or the next settlement day)."""
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    out = _offset(_as_days([d]), np.array([n]), _busdaycal(Calendar(calendar)))
    return _to_date(out[0])


def business_days_between(a: date, b: date, calendar: Calendar | str = Calendar.DTC) -> int:
    """Settlement days ``d`` with ``a < d <= b`` (negative when ``b`` is before ``a``).

    This is the age of an item dated ``a`` as of ``b``: a fail with settlement date
    Monday is 5 business days old on the following Monday.
    """
    arr = _as_days([a, b])
    return int(_ages(arr[:1], arr[1:], _busdaycal(Calendar(calendar)))[0])


def _ages(start: np.ndarray, end: np.ndarray, cal: np.busdaycalendar) -> np.ndarray:
    one = np.timedelta64(1, "D")
    return np.busday_count(start + one, end + one, busdaycal=cal).astype(np.int64)


@dataclass(frozen=True)
class CycleRule:
    """The cycle that applies to one trade."""

    business_days: int
    key: str
    basis: str  # rule, sro_rule, convention, agreed
    citation: str
    calendar: Calendar


@cache
def _cycle_rows() -> pd.DataFrame:
    """All rows of the cycle table, validated by `netcap.rule.tables.load_schedule`."""
    raw = pd.read_csv(table_dir() / f"{CYCLE_TABLE}.csv", dtype=str, keep_default_na=False)
    starts = sorted({date.fromisoformat(s) for s in raw["effective_from"]})
    parts = []
    for i, start in enumerate(starts):
        rows = load_schedule(CYCLE_TABLE, start).rows.copy()
        rows["_from"] = np.datetime64(start, "D")
        rows["_to"] = (
            np.datetime64(starts[i + 1], "D")
            if i + 1 < len(starts)
            else np.datetime64("9999-12-31")
        )
        parts.append(rows)
    out = pd.concat(parts, ignore_index=True)
    if out.duplicated(["key", "_from"]).any():
        raise ValueError(f"{CYCLE_TABLE}: a key has two rows in force on one date")
    return out


@cache
def _exception_rows() -> pd.DataFrame:
    """Rows of the exception table: cycles that replace the regular one on single dates.

    Each row applies to trades dated ``effective_from`` up to, not including,
    ``effective_to`` (the Good Friday early closes of the bond market, on which
    SIFMA recommends T+2 for government and agency trades).
    """
    raw = pd.read_csv(table_dir() / f"{EXCEPTION_TABLE}.csv", dtype=str, keep_default_na=False)
    starts = sorted({date.fromisoformat(s) for s in raw["effective_from"]})
    parts = [load_schedule(EXCEPTION_TABLE, start).rows for start in starts]
    out = pd.concat(parts, ignore_index=True).drop_duplicates(["key", "effective_from"])
    out["_from"] = [np.datetime64(d, "D") for d in out["effective_from"]]
    out["_to"] = [np.datetime64(d, "D") for d in out["effective_to"]]
    return out.reset_index(drop=True)


def cycle_for(
    trade_date: date,
    security_class: str,
    *,
    firm_commitment_after_430: bool = False,
    agreed_cycle: int | None = None,
) -> CycleRule:
    """The cycle that 15c6-1 (or the class's convention) sets for one trade."""
    frame = pd.DataFrame(
        {
            "trade_date": [trade_date],
            "security_class": [security_class],
            "firm_commitment_after_430": [firm_commitment_after_430],
            "agreed_cycle": [agreed_cycle],
        }
    )
    looked = _lookup(frame)
    return CycleRule(
        business_days=int(looked["cycle_business_days"].iloc[0]),
        key=str(looked["cycle_key"].iloc[0]),
        basis=str(looked["cycle_basis"].iloc[0]),
        citation=str(looked["cycle_citation"].iloc[0]),
        calendar=Calendar(looked["calendar"].iloc[0]),
    )


def settlement_date(
    trade_date: date,
    security_class: str,
    *,
    firm_commitment_after_430: bool = False,
    agreed_cycle: int | None = None,
) -> date:
    """Settlement date of one trade under 15c6-1 (or its class's convention).

    ``firm_commitment_after_430``: a sale for cash in a firm-commitment underwritten
    offering priced after 4:30 p.m. Eastern time (15c6-1(c)).  ``agreed_cycle``: a
    cycle in business days the parties expressly agreed at the time of the trade.
    """
    out = settlement_dates(
        pd.DataFrame(
            {
                "trade_date": [trade_date],
                "security_class": [security_class],
                "firm_commitment_after_430": [firm_commitment_after_430],
                "agreed_cycle": [agreed_cycle],
            }
        )
    )
    return _to_date(out["settlement_date"].to_numpy(dtype="datetime64[D]")[0])


def _lookup(frame: pd.DataFrame) -> pd.DataFrame:
    """Cycle, basis, citation and calendar of each row of a trade frame."""
    n = len(frame)
    trade = _as_days(frame["trade_date"])
    classes = frame["security_class"].astype(str).str.strip().str.lower().to_numpy()
    unknown = ~np.isin(classes, list(_KNOWN_CLASSES))
    if unknown.any():
        i = int(np.flatnonzero(unknown)[0])
        raise CycleError(i, "security_class", f"{classes[i]!r} is not a security class")
    firm = (
        frame["firm_commitment_after_430"].fillna(False).astype(bool).to_numpy()
        if "firm_commitment_after_430" in frame
        else np.zeros(n, dtype=bool)
    )
    agreed_raw = (
        pd.to_numeric(frame["agreed_cycle"], errors="raise").astype(float).to_numpy()
        if "agreed_cycle" in frame
        else np.full(n, np.nan)
    )
    has_agreed = ~np.isnan(agreed_raw)
    bad_agreed = has_agreed & ((agreed_raw < 0) | (agreed_raw != np.floor(agreed_raw)))
    if bad_agreed.any():
        i = int(np.flatnonzero(bad_agreed)[0])
        raise CycleError(i, "agreed_cycle", f"{agreed_raw[i]} is not a whole number >= 0")
    is_rule = np.isin(classes, list(RULE_CLASSES))
    firm_bad = firm & ~is_rule
    if firm_bad.any():
        i = int(np.flatnonzero(firm_bad)[0])
        raise CycleError(
            i,
            "firm_commitment_after_430",
            f"15c6-1(c) applies only where 15c6-1(a) does, not to {classes[i]!r}",
        )
    key = np.where(is_rule, np.where(firm, "firm_commitment_after_430", "standard"), classes)

    rows = _cycle_rows()
    days = np.full(n, -1, dtype=np.int64)
    basis = np.full(n, "", dtype=object)
    citation = np.full(n, "", dtype=object)
    for _, r in rows.iterrows():  # a handful of table rows, not one per trade
        hit = (key == r["key"]) & (trade >= r["_from"]) & (trade < r["_to"])
        days[hit] = int(r["rate"])
        basis[hit] = r["basis"]
        citation[hit] = r["citation"]
    for _, r in _exception_rows().iterrows():  # dated exceptions replace the regular cycle
        hit = (key == r["key"]) & (trade >= r["_from"]) & (trade < r["_to"])
        days[hit] = int(r["rate"])
        basis[hit] = r["basis"]
        citation[hit] = r["citation"]
    first = rows.groupby("key")["_from"].min()
    starts = pd.Series(key).map(first).to_numpy(dtype="datetime64[D]")
    early = (days < 0) & ~has_agreed & ~np.isnat(starts) & (trade < starts)
    if early.any():
        i = int(np.flatnonzero(early)[0])
        raise CycleError(
            i,
            "trade_date",
            f"{trade[i]} is outside the range of the {CYCLE_TABLE} table, which covers "
            f"trade dates from {starts[i]} on for {key[i]!r}; give the settlement date "
            "or 'agreed_cycle'",
        )
    missing = (days < 0) & ~has_agreed
    if missing.any():
        i = int(np.flatnonzero(missing)[0])
        raise CycleError(
            i,
            "agreed_cycle",
            f"no settlement cycle for {classes[i]!r} on {trade[i]} in the {CYCLE_TABLE} table "
            "(netcap carries neither a rule cycle nor a market convention for the class; "
            "see docs/settlement.md): give 'agreed_cycle'",
        )
    days = np.where(has_agreed, np.nan_to_num(agreed_raw).astype(np.int64), days)
    basis = np.where(has_agreed, "agreed", basis)
    citation = np.where(has_agreed, "15c6-1(a) (expressly agreed)", citation)
    calendar = np.where(np.isin(classes, list(_FEDWIRE_CLASSES)), "fedwire", "dtc")
    return pd.DataFrame(
        {
            "cycle_business_days": days,
            "cycle_key": np.where(has_agreed, "agreed", key),
            "cycle_basis": basis,
            "cycle_citation": citation,
            "calendar": calendar,
        },
        index=frame.index,
    )


def settlement_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Vectorized `settlement_date` over a frame of trades.

    Columns read: ``trade_date``, ``security_class`` and, optionally,
    ``firm_commitment_after_430`` and ``agreed_cycle`` (blank: none agreed).
    Returns a copy with ``settlement_date`` (datetime64), ``cycle_business_days``,
    ``cycle_key``, ``cycle_basis`` (rule / sro_rule / convention / agreed),
    ``cycle_citation`` and ``calendar`` added.
    """
    out = frame.copy()
    looked = _lookup(frame)
    trade = _as_days(frame["trade_date"])
    settle = np.empty(len(frame), dtype="datetime64[D]")
    cals = looked["calendar"].to_numpy()
    cycles = looked["cycle_business_days"].to_numpy(dtype=np.int64)
    for cal in np.unique(cals):
        mask = cals == cal
        settle[mask] = _offset(trade[mask], cycles[mask], _busdaycal(Calendar(cal)))
    for col in looked.columns:
        out[col] = looked[col].to_numpy()
    out["settlement_date"] = pd.to_datetime(settle)
    return out


def add_business_days_array(
    days: np.ndarray, n: np.ndarray | int, calendar: Calendar | str
) -> np.ndarray:
    """Vectorized `add_business_days` over datetime64[D] values."""
    steps = np.broadcast_to(np.asarray(n, dtype=np.int64), days.shape)
    return _offset(days, steps, _busdaycal(Calendar(calendar)))


def ages_array(start: np.ndarray, end: np.ndarray, calendar: Calendar | str) -> np.ndarray:
    """Vectorized `business_days_between` over datetime64[D] values."""
    return _ages(start, end, _busdaycal(Calendar(calendar)))


def calendar_days(start: Sequence[date] | np.ndarray, end: date) -> np.ndarray:
    """Calendar days from each start to ``end``."""
    s = _as_days(start)
    return (np.datetime64(end, "D") - s).astype(np.int64)


@dataclass(frozen=True)
class PositionDates:
    """Trade and settlement dates of a position frame (see `position_dates`).

    ``columns`` holds, per row: ``trade_date`` and ``settlement_date`` (datetime64),
    ``settlement_date_source`` (``given``, ``computed`` or None), ``settlement_citation``
    (the cycle's citation where netcap computed or checked the date) and
    ``settlement_note``.  ``errors`` lists ``(row, field, message)`` with 0-based rows.
    """

    columns: dict[str, np.ndarray]
    errors: list[tuple[int, str, str]]


def _has_regular_cycle(trade: np.ndarray, classes: np.ndarray) -> np.ndarray:
    """Rows the cycle table gives a cycle for on their trade date."""
    key = pd.Series(np.where(np.isin(classes, list(RULE_CLASSES)), "standard", classes))
    first = _cycle_rows().groupby("key")["_from"].min()
    starts = key.map(first).to_numpy(dtype="datetime64[D]")
    return np.asarray(~np.isnat(trade) & ~np.isnat(starts) & (trade >= starts), dtype=bool)


def position_dates(
    trade_date: pd.Series,
    settlement_date: pd.Series,
    security_class: pd.Series,
    cash: np.ndarray,
    *,
    unreadable_settlement: np.ndarray | None = None,
) -> PositionDates:
    """Complete and check the trade and settlement dates of a position frame.

    Where only ``trade_date`` is given, the settlement date is the trade date plus
    the cycle in force on it for the position's class (15c6-1(a), (c) aside, or
    the class's convention), as `settlement_dates` works it out for fails.
    A given settlement date is kept: one earlier than the regular cycle (a cash or
    agreed settlement) or later (an extended settlement the parties expressly
    agreed, 15c6-1(a)) is noted.  Errors: a date outside the calendar, a settlement
    date before the trade date, and a trade date with no settlement date where
    netcap has no cycle (a class the cycle table does not cover, a trade before the
    table's first row, an option or futures contract).

    The dates come parsed (NaT where blank): `netcap.book.frame.validate_frame` reads
    them as strictly as every other date and reports cells that are not dates;
    ``unreadable_settlement`` marks those of the settlement column, so that no
    settlement date is computed in place of one the user gave badly.
    """
    n = len(trade_date)
    if trade_date.isna().all() and settlement_date.isna().all():  # the common case: no dates
        return PositionDates(
            columns={
                "trade_date": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
                "settlement_date": np.full(n, np.datetime64("NaT"), dtype="datetime64[D]"),
                "settlement_date_source": np.full(n, None, dtype=object),
                "settlement_citation": np.full(n, None, dtype=object),
                "settlement_note": np.full(n, "", dtype=object),
            },
            errors=[],
        )
    trade = np.asarray(pd.to_datetime(trade_date).to_numpy(dtype="datetime64[D]"))
    settle = np.asarray(pd.to_datetime(settlement_date).to_numpy(dtype="datetime64[D]"))
    bad_settle = (
        np.zeros(n, dtype=bool)
        if unreadable_settlement is None
        else np.asarray(unreadable_settlement, dtype=bool)
    )
    classes = security_class.astype("string").str.strip().str.lower().fillna("").to_numpy()
    classes = np.asarray(classes, dtype=object)
    cash = np.asarray(cash, dtype=bool)
    errors: list[tuple[int, str, str]] = []

    def flag(mask: np.ndarray, field: str, message: str) -> None:
        errors.extend((int(r), field, message) for r in np.flatnonzero(mask))

    lo, hi = np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR}-12-31")
    outside = f"outside the settlement calendar's range {FIRST_YEAR}-{LAST_YEAR}"
    trade_out = ~np.isnat(trade) & ((trade < lo) | (trade > hi))
    settle_out = ~np.isnat(settle) & ((settle < lo) | (settle > hi))
    flag(trade_out, "trade_date", outside)
    flag(settle_out, "settlement_date", outside)
    both = ~np.isnat(trade) & ~np.isnat(settle)
    flag(both & (settle < trade), "settlement_date", "before trade_date")

    usable = ~np.isnat(trade) & ~trade_out & np.isin(classes, list(_KNOWN_CLASSES))
    regular = usable & cash & _has_regular_cycle(trade, classes)
    need = ~np.isnat(trade) & np.isnat(settle) & ~bad_settle & ~trade_out
    flag(
        need & ~cash,
        "settlement_date",
        "an option or futures contract has no settlement cycle in netcap: give settlement_date",
    )
    no_cycle = need & cash & usable & ~regular
    first = _cycle_rows().groupby("key")["_from"].min()
    for r in np.flatnonzero(no_cycle):
        key = "standard" if classes[r] in RULE_CLASSES else str(classes[r])
        if key in first.index:
            errors.append(
                (
                    int(r),
                    "trade_date",
                    f"{trade[r]} is outside the range of the {CYCLE_TABLE} table, which covers "
                    f"trade dates from {first[key]} on for {key!r}: give settlement_date",
                )
            )
        else:
            errors.append(
                (
                    int(r),
                    "settlement_date",
                    f"no settlement cycle for {classes[r]!r} in the {CYCLE_TABLE} table: give "
                    "settlement_date (the date the parties agreed)",
                )
            )

    cycle_days = np.full(n, -1, dtype=np.int64)
    regular_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    citation = np.full(n, None, dtype=object)
    if regular.any():
        idx = np.flatnonzero(regular)
        done = settlement_dates(
            pd.DataFrame({"trade_date": trade[idx], "security_class": classes[idx]})
        )
        regular_date[idx] = done["settlement_date"].to_numpy(dtype="datetime64[D]")
        cycle_days[idx] = done["cycle_business_days"].to_numpy(dtype=np.int64)
        citation[idx] = done["cycle_citation"].to_numpy()

    computed = need & regular
    out_settle = np.where(computed, regular_date, settle)
    source = np.full(n, None, dtype=object)
    source[~np.isnat(settle)] = "given"
    source[computed] = "computed"
    note = np.full(n, "", dtype=object)
    given = regular & ~np.isnat(settle)
    for r in np.flatnonzero(given & (settle < regular_date)):
        note[r] = (
            f"settles before the regular T+{cycle_days[r]} date {regular_date[r]} "
            f"({citation[r]}): a cash or agreed settlement"
        )
    for r in np.flatnonzero(given & (settle > regular_date)):
        note[r] = (
            f"settles after the regular T+{cycle_days[r]} date {regular_date[r]} "
            f"({citation[r]}): an extended settlement the parties expressly agreed"
        )
    return PositionDates(
        columns={
            "trade_date": trade,
            "settlement_date": out_settle,
            "settlement_date_source": source,
            "settlement_citation": citation,
            "settlement_note": note,
        },
        errors=errors,
    )


# python -m netcap.calendar.settlement > netcap/data/settlement_holidays.csv
if __name__ == "__main__":
    import sys

    sys.stdout.write(holidays_file_text())
