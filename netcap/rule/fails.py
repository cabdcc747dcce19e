"""Fails to deliver and receive, short securities differences: the aged-item deductions.

Capital charges (the numbers live in ``haircut_tables/fails.csv`` and
``haircut_tables/securities_differences.csv``):

* **Aged fails to deliver, 15c3-1(c)(2)(ix).**  A failed to deliver contract
  outstanding 5 business days or longer (21 for municipal securities) is charged
  the (c)(2)(vi) haircut percentage of the underlying security's market value,
  increased by any excess of contract value over market value, or reduced by
  any excess of market value over contract value, but never below zero::

      deduction = max(0, rate * MV + (CV - MV))

  The designated examining authority may extend the period by up to 5 business
  days, and once more by up to 5 (``extension_days``, at most 10).
* **Municipal brokers' broker, 15c3-1(a)(8)(iv)**, in lieu of (c)(2)(ix) when
  elected: 1% of the contract value of each municipal fail to deliver
  outstanding 21 business days or longer, plus any excess of contract value
  over market value.  Under (a)(8)(v) such a firm does not take the fails to
  receive deduction below.
* **Aged fails to receive, 15c3-1(c)(2)(iv)(E).**  Outstanding longer than 30
  calendar days: the excess of market value over contract value.
* **Alternative standard, 15c3-1(a)(1)(ii)(D).**  1% of the contract value of
  fails to deliver allocated to fails to receive of the same issue (and so left
  out of Items 11 and 12 of Exhibit A to Rule 15c3-3); flag them with
  ``allocated_to_fail_to_receive``.
* **Short securities differences, 15c3-1(c)(2)(v)(A).**  25/50/75/100% of
  market value once unresolved 7/14/21/28 business days after discovery; long
  differences sold before resolution, (c)(2)(v)(B): market value less reserves.

Ages are counted in settlement days of the class's calendar
(`netcap.calendar.settlement`): an item is ``n`` business days old on the n-th
settlement day after its date.

Informational only (no capital charge): the Reg SHO Rule 204 close-out date,
the 15c3-3(m) buy-in date and the date a confirmation is due (Rule 10b-10: at
or before completion of the transaction, that is, settlement date).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated, Self

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field, model_validator

from netcap.book.frame import BookError, RowError
from netcap.book.model import ExactDate, NonNegMoney, SecurityClass
from netcap.calendar.settlement import (
    FIRST_YEAR,
    LAST_YEAR,
    Calendar,
    CycleError,
    add_business_days_array,
    ages_array,
    calendar_for,
    settlement_dates,
)
from netcap.rule.tables import Schedule, load_schedule
from netcap.text import plural

__all__ = [
    "DIFFERENCE_COLUMNS",
    "FAIL_COLUMNS",
    "AgedResult",
    "Difference",
    "DifferenceKind",
    "Fail",
    "FailSide",
    "FailsOptions",
    "SaleType",
    "aged_fails",
    "close_out_deadlines",
    "differences_frame",
    "fails_frame",
    "securities_differences",
    "validate_differences_frame",
    "validate_fails_frame",
]

FAILS_TABLE = "fails"
DIFFERENCES_TABLE = "securities_differences"
FTD_CITATION = "15c3-1(c)(2)(ix)"
BROKERS_BROKER_CITATION = "15c3-1(a)(8)(iv)"
FTR_CITATION = "15c3-1(c)(2)(iv)(E)"
ALTERNATIVE_CITATION = "15c3-1(a)(1)(ii)(D)"
SHORT_DIFF_CITATION = "15c3-1(c)(2)(v)(A)"
LONG_DIFF_CITATION = "15c3-1(c)(2)(v)(B)"


class FailSide(StrEnum):
    """Which side of a failed settlement the firm is on."""

    FAIL_TO_DELIVER = "fail_to_deliver"
    FAIL_TO_RECEIVE = "fail_to_receive"


class SaleType(StrEnum):
    """What gave rise to a fail to deliver, for the Rule 204 close-out date."""

    SHORT = "short"  # 204(a): and the default when not shown otherwise
    LONG = "long"  # 204(a)(1)
    DEEMED_OWNED = "deemed_owned"  # 204(a)(2): owned under Rule 200, delivery restricted
    MARKET_MAKER = "market_maker"  # 204(a)(3): bona fide market making


_REG_SHO_CLASSES = frozenset(
    {
        SecurityClass.EQUITY.value,
        SecurityClass.PREFERRED.value,
        SecurityClass.CONVERTIBLE_DEBT.value,
    }
)
"""Classes treated as equity securities for Rule 204 (convertible debt is an equity
security under Exchange Act section 3(a)(11))."""

FAIL_COLUMNS: tuple[str, ...] = (
    "id",
    "security_class",
    "side",
    "trade_date",
    "settlement_date",
    "contract_value",
    "market_value",
    "haircut_rate",
    "sale_type",
    "firm_commitment_after_430",
    "agreed_cycle",
    "allocated_to_fail_to_receive",
    "extension_days",
)
"""Input columns of a fails frame, in order."""

DIFFERENCE_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "discovery_date",
    "market_value",
    "reserve",
    "security_class",
    "extension_days",
)
"""Input columns of a securities differences frame, in order."""


class Fail(BaseModel):
    """One failed settlement: a fail to deliver (receivable) or to receive (payable).

    Give ``settlement_date``, or ``trade_date`` and let the cycle of 15c6-1 set it.
    ``haircut_rate`` is the (c)(2)(vi) percentage the underlying security would
    carry as a position (0.15 for most equities); it is needed only once a fail to
    deliver is aged.  ``extension_days`` are business days granted by the
    designated examining authority under (c)(2)(ix).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1, max_length=200)]
    security_class: SecurityClass
    side: FailSide
    trade_date: ExactDate | None = None
    settlement_date: ExactDate | None = None
    contract_value: NonNegMoney
    market_value: NonNegMoney
    haircut_rate: Annotated[float, Field(ge=0, le=1)] | None = None
    sale_type: SaleType | None = None
    firm_commitment_after_430: bool = False
    agreed_cycle: Annotated[int, Field(ge=0)] | None = None
    allocated_to_fail_to_receive: bool = False
    extension_days: Annotated[int, Field(ge=0, le=10)] = 0

    @model_validator(mode="after")
    def _dates(self) -> Self:
        if self.trade_date is None and self.settlement_date is None:
            raise ValueError("give settlement_date or trade_date")
        if (
            self.trade_date is not None
            and self.settlement_date is not None
            and self.settlement_date < self.trade_date
        ):
            raise ValueError("settlement_date is before trade_date")
        if self.side is FailSide.FAIL_TO_RECEIVE and self.allocated_to_fail_to_receive:
            raise ValueError("allocated_to_fail_to_receive is for fails to deliver")
        return self


class DifferenceKind(StrEnum):
    """A short securities difference, or a long one already sold before resolution."""

    SHORT = "short"
    LONG_SOLD = "long_sold"


class Difference(BaseModel):
    """A securities difference found in a count or confirmation."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1, max_length=200)]
    kind: DifferenceKind
    discovery_date: ExactDate
    market_value: NonNegMoney
    reserve: NonNegMoney = 0.0
    security_class: SecurityClass = SecurityClass.EQUITY
    extension_days: Annotated[int, Field(ge=0, le=10)] = 0


def fails_frame(fails: Iterable[Fail]) -> pd.DataFrame:
    """The validated fails frame from pydantic fails."""
    records = [
        {col: getattr(f, col) for col in FAIL_COLUMNS}
        | {
            "security_class": f.security_class.value,
            "side": f.side.value,
            "sale_type": f.sale_type.value if f.sale_type else None,
        }
        for f in fails
    ]
    return validate_fails_frame(pd.DataFrame.from_records(records, columns=list(FAIL_COLUMNS)))


def differences_frame(differences: Iterable[Difference]) -> pd.DataFrame:
    """The validated securities differences frame from pydantic differences."""
    records = [
        {col: getattr(d, col) for col in DIFFERENCE_COLUMNS}
        | {"kind": d.kind.value, "security_class": d.security_class.value}
        for d in differences
    ]
    return validate_differences_frame(
        pd.DataFrame.from_records(records, columns=list(DIFFERENCE_COLUMNS))
    )


class _Checker:
    """Collects row errors for one input frame."""

    def __init__(self, frame: pd.DataFrame, source: str, row_offset: int) -> None:
        self.frame = frame
        self.source = source
        self.offset = row_offset
        self.errors: list[RowError] = []

    def flag(self, mask: np.ndarray, field: str, message: str) -> None:
        for r in np.flatnonzero(mask):
            self.errors.append(RowError(int(r) + self.offset, field, message, self.source))

    def blank(self, col: str) -> np.ndarray:
        s = self.frame[col]
        return (s.isna() | (s.astype("string").str.strip() == "")).to_numpy(dtype=bool)

    def choice(self, col: str, allowed: set[str], *, required: bool) -> pd.Series:
        values = self.frame[col].astype("string").str.strip().str.lower()
        blank = self.blank(col)
        if required:
            self.flag(blank, col, "missing")
        bad = ~blank & ~values.isin(allowed).fillna(False).to_numpy(dtype=bool)
        for r in np.flatnonzero(bad):
            self.errors.append(
                RowError(
                    int(r) + self.offset,
                    col,
                    f"{self.frame[col].iloc[r]!r} is not one of {sorted(allowed)}",
                    self.source,
                )
            )
        return values.where(~pd.Series(blank, index=values.index), None)

    def number(self, col: str, *, required: bool, lo: float, hi: float = np.inf) -> np.ndarray:
        raw = self.frame[col]
        blank = self.blank(col)
        num = pd.to_numeric(raw.where(~pd.Series(blank, index=raw.index)), errors="coerce")
        vals = num.astype(float).to_numpy()
        self.flag(~blank & np.isnan(vals), col, "not a number")
        if required:
            self.flag(blank, col, "missing")
        finite = np.isfinite(vals)
        self.flag(~np.isnan(vals) & ~finite, col, "infinite")
        self.flag(finite & ((vals < lo) | (vals > hi)), col, f"outside [{lo}, {hi}]")
        return vals

    def dates(self, col: str, *, required: bool) -> np.ndarray:
        raw = self.frame[col]
        blank = self.blank(col)
        parsed = pd.to_datetime(
            raw.where(~pd.Series(blank, index=raw.index)), errors="coerce", format="ISO8601"
        )
        out = np.asarray(parsed.to_numpy(dtype="datetime64[D]"))
        self.flag(~blank & np.isnat(out), col, "not a date (use YYYY-MM-DD)")
        if required:
            self.flag(blank, col, "missing")
        return out

    def flags(self, col: str) -> np.ndarray:
        raw = self.frame[col]
        blank = self.blank(col)
        text = raw.astype("string").str.strip().str.lower()
        truthy = text.isin({"true", "1", "yes", "y", "1.0"}).fillna(False).to_numpy(dtype=bool)
        falsy = text.isin({"false", "0", "no", "n", "0.0"}).fillna(False).to_numpy(dtype=bool)
        self.flag(~blank & ~truthy & ~falsy, col, "not true/false")
        return truthy

    def ids(self) -> pd.Series:
        ids = self.frame["id"].astype("string").str.strip()
        self.flag(self.blank("id"), "id", "blank id")
        dup = (ids.duplicated(keep="first") & ~pd.Series(self.blank("id"))).to_numpy(dtype=bool)
        self.flag(dup, "id", "duplicate id")
        return ids

    def raise_if_any(self) -> None:
        if self.errors:
            self.errors.sort(key=lambda e: (str(e.row), e.field))
            raise BookError(self.errors)


def _with_columns(raw: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    frame = raw.reset_index(drop=True).copy()
    for col in columns:
        if col not in frame.columns:
            frame[col] = None
    return frame


def validate_fails_frame(
    raw: pd.DataFrame, *, source: str = "fails", row_offset: int = 0
) -> pd.DataFrame:
    """Validate a fails frame and complete ``settlement_date`` from the trade date.

    Every problem is reported at once as `BookError`, naming
    the row and field.  Added columns: ``cycle_business_days``, ``cycle_basis``,
    ``cycle_citation``, ``calendar`` and ``settlement_date_source`` (``given`` or
    ``computed``).
    """
    frame = _with_columns(raw, FAIL_COLUMNS)
    chk = _Checker(frame, source, row_offset)
    for col in ("id", "security_class", "side", "contract_value", "market_value"):
        if col not in raw.columns:
            chk.errors.append(RowError("header", col, "required column is missing", source))
    chk.raise_if_any()

    ids = chk.ids()
    classes = chk.choice("security_class", {c.value for c in SecurityClass}, required=True)
    sides = chk.choice("side", {s.value for s in FailSide}, required=True)
    sale = chk.choice("sale_type", {s.value for s in SaleType}, required=False)
    cv = chk.number("contract_value", required=True, lo=0)
    mv = chk.number("market_value", required=True, lo=0)
    rate = chk.number("haircut_rate", required=False, lo=0, hi=1)
    agreed = chk.number("agreed_cycle", required=False, lo=0)
    chk.flag(~np.isnan(agreed) & (agreed != np.floor(agreed)), "agreed_cycle", "not whole")
    ext = chk.number("extension_days", required=False, lo=0, hi=10)
    chk.flag(~np.isnan(ext) & (ext != np.floor(ext)), "extension_days", "not whole")
    firm = chk.flags("firm_commitment_after_430")
    allocated = chk.flags("allocated_to_fail_to_receive")
    trade = chk.dates("trade_date", required=False)
    settle = chk.dates("settlement_date", required=False)
    lo, hi = np.datetime64(f"{FIRST_YEAR}-01-01"), np.datetime64(f"{LAST_YEAR}-12-31")
    for col, vals in (("trade_date", trade), ("settlement_date", settle)):
        chk.flag(
            ~np.isnat(vals) & ((vals < lo) | (vals > hi)),
            col,
            f"outside the settlement calendar's range {FIRST_YEAR}-{LAST_YEAR}",
        )
    neither = np.isnat(trade) & np.isnat(settle) & chk.blank("trade_date")
    chk.flag(neither & chk.blank("settlement_date"), "settlement_date", "give it or trade_date")
    both = ~np.isnat(trade) & ~np.isnat(settle)
    chk.flag(both & (settle < trade), "settlement_date", "before trade_date")
    chk.flag(
        allocated & (sides == FailSide.FAIL_TO_RECEIVE.value).fillna(False).to_numpy(dtype=bool),
        "allocated_to_fail_to_receive",
        "only a fail to deliver is allocated to a fail to receive",
    )
    chk.raise_if_any()

    frame["id"] = ids.astype(str)
    frame["security_class"] = classes.astype(str)
    frame["side"] = sides.astype(str)
    frame["sale_type"] = sale.astype(object).where(sale.notna(), None)
    frame["contract_value"] = cv
    frame["market_value"] = mv
    frame["haircut_rate"] = rate
    frame["agreed_cycle"] = agreed
    frame["extension_days"] = np.nan_to_num(ext).astype(np.int64)
    frame["firm_commitment_after_430"] = firm
    frame["allocated_to_fail_to_receive"] = allocated
    frame["trade_date"] = pd.to_datetime(trade)

    need = np.isnat(settle)
    frame["cycle_business_days"] = np.nan
    frame["cycle_basis"] = None
    frame["cycle_citation"] = None
    frame["calendar"] = np.where(
        np.isin(frame["security_class"].to_numpy(), ["government", "agency"]),
        Calendar.FEDWIRE.value,
        Calendar.DTC.value,
    )
    if need.any():
        idx = np.flatnonzero(need)
        sub = frame.iloc[idx][
            ["trade_date", "security_class", "firm_commitment_after_430", "agreed_cycle"]
        ]
        try:
            done = settlement_dates(sub)
        except CycleError as exc:
            raise BookError(
                [RowError(int(idx[exc.row]) + row_offset, exc.field, exc.message, source)]
            ) from None
        settle[idx] = done["settlement_date"].to_numpy(dtype="datetime64[D]")
        frame.loc[frame.index[idx], "cycle_business_days"] = done["cycle_business_days"].to_numpy()
        frame.loc[frame.index[idx], "cycle_basis"] = done["cycle_basis"].to_numpy()
        frame.loc[frame.index[idx], "cycle_citation"] = done["cycle_citation"].to_numpy()
    frame["settlement_date"] = pd.to_datetime(settle)
    frame["settlement_date_source"] = np.where(need, "computed", "given")
    return frame


def validate_differences_frame(
    raw: pd.DataFrame, *, source: str = "differences", row_offset: int = 0
) -> pd.DataFrame:
    """Validate a securities differences frame (errors name row and field)."""
    frame = _with_columns(raw, DIFFERENCE_COLUMNS)
    chk = _Checker(frame, source, row_offset)
    for col in ("id", "kind", "discovery_date", "market_value"):
        if col not in raw.columns:
            chk.errors.append(RowError("header", col, "required column is missing", source))
    chk.raise_if_any()
    ids = chk.ids()
    kinds = chk.choice("kind", {k.value for k in DifferenceKind}, required=True)
    classes = chk.choice("security_class", {c.value for c in SecurityClass}, required=False)
    found = chk.dates("discovery_date", required=True)
    mv = chk.number("market_value", required=True, lo=0)
    reserve = chk.number("reserve", required=False, lo=0)
    ext = chk.number("extension_days", required=False, lo=0, hi=10)
    chk.flag(~np.isnan(ext) & (ext != np.floor(ext)), "extension_days", "not whole")
    chk.raise_if_any()
    frame["id"] = ids.astype(str)
    frame["kind"] = kinds.astype(str)
    frame["security_class"] = classes.fillna(SecurityClass.EQUITY.value).astype(str)
    frame["discovery_date"] = pd.to_datetime(found)
    frame["market_value"] = mv
    frame["reserve"] = np.nan_to_num(reserve)
    frame["extension_days"] = np.nan_to_num(ext).astype(np.int64)
    return frame


@dataclass(frozen=True)
class FailsOptions:
    """Elections and status that change the fails deductions.

    ``municipal_brokers_broker``  the (a)(8) election: (a)(8)(iv) in lieu of
                                  (c)(2)(ix), and no (c)(2)(iv)(E) deduction
    ``alternative_standard``      the firm computes under (a)(1)(ii), so
                                  (a)(1)(ii)(D) applies to allocated fails
    """

    municipal_brokers_broker: bool = False
    alternative_standard: bool = False


@dataclass(frozen=True)
class AgedResult:
    """Per-item detail and the total of one family of aged-item deductions."""

    detail: pd.DataFrame
    total: float

    def other_deductions(self) -> list[tuple[str, float, str]]:
        """(label, amount, citation) per citation with a non-zero deduction."""
        charged = self.detail[self.detail["deduction"] > 0]
        grouped = charged.groupby("citation", sort=True)["deduction"].agg(["sum", "count"])
        return [
            (
                f"{_LABELS.get(str(cit), 'Aged items')} ({plural(int(row['count']), 'item')})",
                float(row["sum"]),
                str(cit),
            )
            for cit, row in grouped.iterrows()
        ]


_LABELS = {
    FTD_CITATION: "Aged fails to deliver",
    BROKERS_BROKER_CITATION: "Aged municipal fails to deliver (brokers' broker)",
    FTR_CITATION: "Fails to receive over 30 calendar days: market value over contract value",
    ALTERNATIVE_CITATION: "Fails to deliver allocated to fails to receive (alternative standard)",
    SHORT_DIFF_CITATION: "Short securities differences",
    LONG_DIFF_CITATION: "Long securities differences sold before resolution",
}


def _ages_by_calendar(start: np.ndarray, as_of: date, calendars: np.ndarray) -> np.ndarray:
    end = np.full(start.shape, np.datetime64(as_of, "D"))
    out = np.zeros(start.shape, dtype=np.int64)
    for cal in np.unique(calendars):
        m = calendars == cal
        out[m] = ages_array(start[m], end[m], cal)
    return out


def aged_fails(frame: pd.DataFrame, as_of: date, options: FailsOptions | None = None) -> AgedResult:
    """Deductions for aged fails under 15c3-1 as of ``as_of``.

    ``frame`` is a validated fails frame (`validate_fails_frame`).  One
    detail row per fail, with its age, threshold, rate, deduction and citation,
    and the informational deadlines of `close_out_deadlines`.
    """
    opts = options or FailsOptions()
    params = load_schedule(FAILS_TABLE, as_of)
    n = len(frame)
    ids = frame["id"].to_numpy()
    classes = frame["security_class"].to_numpy()
    is_ftd = frame["side"].to_numpy() == FailSide.FAIL_TO_DELIVER.value
    is_muni = classes == SecurityClass.MUNICIPAL.value
    settle = frame["settlement_date"].to_numpy(dtype="datetime64[D]")
    cals = frame["calendar"].to_numpy()
    cv = frame["contract_value"].to_numpy(dtype=float)
    mv = frame["market_value"].to_numpy(dtype=float)
    rate_in = frame["haircut_rate"].to_numpy(dtype=float)
    ext = frame["extension_days"].to_numpy(dtype=np.int64)

    if opts.municipal_brokers_broker and (is_ftd & ~is_muni).any():
        bad = list(ids[is_ftd & ~is_muni][:5])
        raise ValueError(
            f"{BROKERS_BROKER_CITATION}: a municipal brokers' broker fails only in municipal "
            f"securities; non-municipal fails to deliver {bad}"
        )
    max_ext = params.rate("ftd_extension_business_days") * params.rate("ftd_extension_periods")
    if (ext > max_ext).any():
        raise ValueError(f"{FTD_CITATION}: extensions total at most {max_ext:g} business days")

    age = _ages_by_calendar(settle, as_of, cals)
    cal_age = (np.datetime64(as_of, "D") - settle).astype(np.int64)
    early = cal_age < 0
    if early.any():
        raise BookError(
            [
                RowError(
                    int(i),
                    "settlement_date",
                    f"{settle[i]} is after the as-of date {as_of.isoformat()}: not a fail yet",
                    "fails",
                )
                for i in np.flatnonzero(early)
            ]
        )

    threshold = np.full(n, np.nan)
    unit = np.full(n, "", dtype=object)
    rate = np.full(n, np.nan)
    deduction = np.zeros(n)
    citation = np.full(n, "", dtype=object)
    note = np.full(n, "", dtype=object)
    base = np.zeros(n)
    adjustment = np.zeros(n)

    # Fails to deliver: (c)(2)(ix), or (a)(8)(iv) for an electing brokers' broker.
    if opts.municipal_brokers_broker:
        days = params.rate("brokers_broker_age_business_days")
        threshold[is_ftd] = days + ext[is_ftd]
        ftd_cite = BROKERS_BROKER_CITATION
    else:
        days_all = np.where(
            is_muni,
            params.rate("ftd_age_business_days_municipal"),
            params.rate("ftd_age_business_days"),
        )
        threshold[is_ftd] = days_all[is_ftd] + ext[is_ftd]
        ftd_cite = FTD_CITATION
    unit[is_ftd] = "business days"
    aged_ftd = is_ftd & (age >= threshold)
    citation[is_ftd] = ftd_cite
    if opts.municipal_brokers_broker:
        r = params.rate("brokers_broker_rate")
        rate[is_ftd] = r
        base = np.where(aged_ftd, r * cv, 0.0)
        adjustment = np.where(aged_ftd, np.maximum(cv - mv, 0.0), 0.0)
        deduction = base + adjustment
    else:
        missing = aged_ftd & np.isnan(rate_in)
        if missing.any():
            raise BookError(
                [
                    RowError(
                        int(i),
                        "haircut_rate",
                        f"aged fail to deliver ({age[i]} business days) needs the (c)(2)(vi) "
                        "percentage of its security",
                        "fails",
                    )
                    for i in np.flatnonzero(missing)
                ]
            )
        rate[is_ftd] = rate_in[is_ftd]
        base = np.where(aged_ftd, np.nan_to_num(rate_in) * mv, 0.0)
        adjustment = np.where(aged_ftd, np.maximum(cv - mv, -base), 0.0)
        deduction = base + adjustment
    note[aged_ftd] = "aged"
    note[is_ftd & ~aged_ftd] = "not yet aged"

    # Fails to receive: (c)(2)(iv)(E), waived for a brokers' broker by (a)(8)(v).
    is_ftr = ~is_ftd
    ftr_days = params.rate("ftr_age_calendar_days")
    threshold[is_ftr] = ftr_days
    unit[is_ftr] = "calendar days (longer than)"
    citation[is_ftr] = FTR_CITATION
    aged_ftr = is_ftr & (cal_age > ftr_days)
    if opts.municipal_brokers_broker:
        note[is_ftr] = "brokers' broker: no deduction (15c3-1(a)(8)(v))"
    else:
        adjustment = np.where(aged_ftr, np.maximum(mv - cv, 0.0), adjustment)
        deduction = np.where(aged_ftr, adjustment, deduction)
        note[aged_ftr] = "aged: market value over contract value"
        note[is_ftr & ~aged_ftr] = "not yet aged"
    aged = aged_ftd | (aged_ftr & (not opts.municipal_brokers_broker))

    detail = pd.DataFrame(
        {
            "id": ids,
            "security_class": classes,
            "side": frame["side"].to_numpy(),
            "trade_date": frame["trade_date"].to_numpy(),
            "settlement_date": frame["settlement_date"].to_numpy(),
            "age_business_days": age,
            "age_calendar_days": cal_age,
            "threshold": threshold,
            "threshold_unit": unit,
            "aged": aged,
            "contract_value": cv,
            "market_value": mv,
            "rate": rate,
            "base_deduction": base,
            "value_adjustment": adjustment,
            "deduction": deduction,
            "citation": citation,
            "note": note,
        }
    )
    extra = _alternative_rows(frame, params, opts, age)
    if extra is not None:
        detail = pd.concat([detail, extra], ignore_index=True)
    deadlines = close_out_deadlines(frame, params)
    detail = detail.merge(deadlines, on="id", how="left", validate="many_to_one")
    return AgedResult(detail=detail, total=float(detail["deduction"].sum()))


def _alternative_rows(
    frame: pd.DataFrame, params: Schedule, opts: FailsOptions, age: np.ndarray
) -> pd.DataFrame | None:
    """(a)(1)(ii)(D): 1% of contract value of allocated fails to deliver (age irrelevant)."""
    if not opts.alternative_standard:
        return None
    mask = frame["allocated_to_fail_to_receive"].to_numpy(dtype=bool)
    if not mask.any():
        return None
    r = params.rate("alternative_allocated_ftd_rate")
    cv = frame["contract_value"].to_numpy(dtype=float)[mask]
    return pd.DataFrame(
        {
            "id": frame["id"].to_numpy()[mask],
            "security_class": frame["security_class"].to_numpy()[mask],
            "side": frame["side"].to_numpy()[mask],
            "trade_date": frame["trade_date"].to_numpy()[mask],
            "settlement_date": frame["settlement_date"].to_numpy()[mask],
            "age_business_days": age[mask],
            "age_calendar_days": np.zeros(int(mask.sum()), dtype=np.int64),
            "threshold": 0.0,
            "threshold_unit": "none",
            "aged": False,
            "contract_value": cv,
            "market_value": frame["market_value"].to_numpy(dtype=float)[mask],
            "rate": r,
            "base_deduction": r * cv,
            "value_adjustment": 0.0,
            "deduction": r * cv,
            "citation": ALTERNATIVE_CITATION,
            "note": "allocated to a fail to receive; excluded from Exhibit A Items 11/12",
        }
    )


def close_out_deadlines(frame: pd.DataFrame, params: Schedule | None = None) -> pd.DataFrame:
    """Informational deadlines of each fail (no capital charge).

    ``reg_sho_close_out_by``: Rule 204 close-out, by the opening of regular trading
    hours on that day, for fails to deliver in equity securities (blank otherwise):
    the settlement day after settlement date (204(a), the default when the sale
    type is not shown), the third consecutive settlement day after it for long
    sales and bona fide market making (204(a)(1), (a)(3)), the 35th calendar day
    after trade date for securities deemed owned (204(a)(2); moved to the next
    trading day when that day has no regular trading hours).  Days the equity
    exchanges are closed do not count.

    ``buy_in_15c3_3m_by``: for a customer sell order whose securities the firm has
    not received, the close-out date of 15c3-3(m), 10 business days after
    settlement date, counted on the calendar of the fail's class (Fedwire days for
    government and agency securities).  ``confirmation_by``: Rule 10b-10, at or before completion of
    the transaction (settlement date).
    """
    p = params or load_schedule(FAILS_TABLE, date.today())
    n = len(frame)
    settle = frame["settlement_date"].to_numpy(dtype="datetime64[D]")
    trade = frame["trade_date"].to_numpy(dtype="datetime64[D]")
    classes = frame["security_class"].to_numpy()
    is_ftd = frame["side"].to_numpy() == FailSide.FAIL_TO_DELIVER.value
    sale = frame["sale_type"].astype(object).fillna(SaleType.SHORT.value).to_numpy()
    reg_sho = is_ftd & np.isin(classes, list(_REG_SHO_CLASSES))

    steps = np.where(
        sale == SaleType.LONG.value,
        p.rate("reg_sho_long_settlement_days"),
        np.where(
            sale == SaleType.MARKET_MAKER.value,
            p.rate("reg_sho_market_maker_settlement_days"),
            p.rate("reg_sho_short_settlement_days"),
        ),
    ).astype(np.int64)
    by = add_business_days_array(settle, steps, Calendar.EXCHANGE)
    cite = np.where(
        sale == SaleType.LONG.value,
        "242.204(a)(1)",
        np.where(sale == SaleType.MARKET_MAKER.value, "242.204(a)(3)", "242.204(a)"),
    ).astype(object)
    deemed = sale == SaleType.DEEMED_OWNED.value
    if (reg_sho & deemed & np.isnat(trade)).any():
        bad = frame["id"].to_numpy()[reg_sho & deemed & np.isnat(trade)][:5]
        raise ValueError(f"242.204(a)(2) counts from trade date: give trade_date for {list(bad)}")
    if deemed.any():
        day35 = trade[deemed] + np.timedelta64(
            int(p.rate("reg_sho_deemed_owned_calendar_days")), "D"
        )
        by[deemed] = add_business_days_array(day35, 0, Calendar.EXCHANGE)
        cite[deemed] = "242.204(a)(2)"
    by = np.where(reg_sho, by, np.datetime64("NaT"))
    cite = np.where(reg_sho, cite, "")

    buy_in = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    cals = (
        frame["calendar"].to_numpy()
        if "calendar" in frame
        else np.array([calendar_for(c).value for c in classes], dtype=object)
    )
    buy_in_days = int(p.rate("buy_in_15c3_3m_business_days"))
    for cal in np.unique(cals):  # each fail on its own class's calendar
        m = cals == cal
        buy_in[m] = add_business_days_array(settle[m], buy_in_days, cal)
    return pd.DataFrame(
        {
            "id": frame["id"].to_numpy(),
            "reg_sho_close_out_by": pd.to_datetime(by),
            "reg_sho_citation": cite,
            "buy_in_15c3_3m_by": pd.to_datetime(np.where(is_ftd, buy_in, np.datetime64("NaT"))),
            "confirmation_by": pd.to_datetime(settle),
        },
        index=range(n),
    )


def securities_differences(frame: pd.DataFrame, as_of: date) -> AgedResult:
    """Deductions for securities differences, 15c3-1(c)(2)(v), as of ``as_of``.

    ``frame`` is a validated differences frame.  Short differences are charged by
    the business days since discovery (less any extension of (v)(C)); long
    differences already sold are charged at market value less reserves.
    """
    sched = load_schedule(DIFFERENCES_TABLE, as_of)
    buckets = Schedule(
        name=sched.name, rows=sched.rows[sched.rows["unit"] == "days"].reset_index(drop=True)
    )
    max_ext = sched.rate("extension_business_days")
    ext = frame["extension_days"].to_numpy(dtype=np.int64)
    if (ext > max_ext).any():
        raise ValueError(f"15c3-1(c)(2)(v)(C): extensions are at most {max_ext:g} business days")
    found = frame["discovery_date"].to_numpy(dtype="datetime64[D]")
    cals = np.where(
        np.isin(frame["security_class"].to_numpy(), ["government", "agency"]),
        Calendar.FEDWIRE.value,
        Calendar.DTC.value,
    )
    age = _ages_by_calendar(found, as_of, cals)
    if (age < 0).any():
        bad = frame["id"].to_numpy()[age < 0][:5]
        raise ValueError(f"differences discovered after the as-of date: {list(bad)}")
    counted = np.maximum(age - ext, 0).astype(float)
    idx = buckets.bucket_index(counted)
    rates = buckets.column("rate").astype(float)[idx]
    keys = buckets.column("key")[idx]
    mv = frame["market_value"].to_numpy(dtype=float)
    reserve = frame["reserve"].to_numpy(dtype=float)
    is_long = frame["kind"].to_numpy() == DifferenceKind.LONG_SOLD.value
    long_rate = sched.rate("long_sold")
    deduction = np.where(is_long, np.maximum(long_rate * mv - reserve, 0.0), rates * mv)
    detail = pd.DataFrame(
        {
            "id": frame["id"].to_numpy(),
            "kind": frame["kind"].to_numpy(),
            "discovery_date": frame["discovery_date"].to_numpy(),
            "age_business_days": age,
            "extension_days": ext,
            "bucket": np.where(is_long, "long_sold", keys),
            "rate": np.where(is_long, long_rate, rates),
            "market_value": mv,
            "reserve": np.where(is_long, reserve, 0.0),
            "deduction": deduction,
            "citation": np.where(is_long, LONG_DIFF_CITATION, SHORT_DIFF_CITATION),
        }
    )
    return AgedResult(detail=detail, total=float(deduction.sum()))
