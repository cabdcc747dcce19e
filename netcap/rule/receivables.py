"""Aged receivables of 15c3-1(c)(2)(iv)(B), (C) and (D), aged from their own dates.

A receivable listed in the book's ``receivables`` carries the date its age counts
from (``aged_from``): the shipment date of a free shipment, the date an interest,
commission, concession or fee receivable arose, the payable date of a dividend,
the settlement of an underwriting with the issuer for a good faith deposit, and
so on (``counted_from`` of ``haircut_tables/receivables.csv`` names it for each
kind).  As of the book's date each item is aged against its kind's period and,
once past it, deducted in full:

* **(iv)(B)** free shipments of securities: at once when over the per-shipment
  amount, otherwise after more than 7 business days; mutual fund redemptions
  shipped free: after more than 16 business days.
* **(iv)(C)** interest, floor brokerage, commissions from other brokers or
  dealers, mutual fund concessions and management fees from registered
  investment companies: longer than 30 days from the date they arose;
  dividends: longer than 30 days from the payable date; good faith deposits of
  a non-municipal underwriting: longer than 11 business days from settlement
  with the issuer; municipal good faith deposits and municipal syndicate and
  joint-account receivables: longer than 60 days.
* **(iv)(D)** insurance claims, by what supports them: a claim without an
  opinion of outside counsel that it is valid and covered, after 7 business
  days from discovery of the loss (``insurance_claim``); a claim with that
  opinion but not acknowledged in writing by the carrier, after 20 business
  days from discovery (``insurance_claim_counsel_opinion``); a claim the
  carrier acknowledged in writing as due and payable, once outstanding longer
  than 20 business days from the acknowledgement
  (``insurance_claim_acknowledged``, dated from the acknowledgement).  "After n
  business days" is read as age > n, like "more than" and "longer than".

"More than n days" is read as age > n, an item being n business days old on the
n-th settlement day (`netcap.calendar.settlement`'s ``dtc`` calendar) after its date, or n
calendar days old n days after it; periods the text gives in plain days are
calendar days.  The periods, units and amounts are data; a receivable may still
be typed in pre-aged as a non-allowable asset instead (the same id in both
places is refused by `netcap.book.firm.Book`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Annotated

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from netcap.book.model import ExactDate, NonNegMoney
from netcap.calendar.settlement import Calendar, ages_array
from netcap.rule.tables import Schedule, TableError, load_schedule

__all__ = [
    "LIMITATIONS",
    "RECEIVABLE_COLUMNS",
    "Receivable",
    "ReceivableKind",
    "ReceivablesResult",
    "aged_receivables",
]

TABLE = "receivables"
CALENDAR = Calendar.DTC
"""Business days for aging receivables: settlement days of the securities markets."""

LIMITATIONS: dict[str, str] = {}
"""Readings of (c)(2)(iv)(B)-(D) still open (paragraph -> what is missing): none."""


class ReceivableKind(StrEnum):
    """A receivable the rule deducts once outstanding past a period, with its paragraph."""

    FREE_SHIPMENT = "free_shipment"  # (iv)(B)
    MUTUAL_FUND_REDEMPTION = "mutual_fund_redemption"  # (iv)(B)
    INTEREST = "interest_receivable"  # (iv)(C)
    FLOOR_BROKERAGE = "floor_brokerage_receivable"  # (iv)(C)
    COMMISSIONS = "commissions_receivable"  # (iv)(C)
    MUTUAL_FUND_CONCESSIONS = "mutual_fund_concessions_receivable"  # (iv)(C)
    MANAGEMENT_FEES = "management_fees_receivable"  # (iv)(C)
    DIVIDENDS = "dividends_receivable"  # (iv)(C)
    GOOD_FAITH_DEPOSIT = "good_faith_deposit"  # (iv)(C)
    MUNICIPAL_GOOD_FAITH_DEPOSIT = "municipal_good_faith_deposit"  # (iv)(C)
    MUNICIPAL_SYNDICATE = "municipal_syndicate_receivable"  # (iv)(C)
    MUNICIPAL_JOINT_ACCOUNT = "municipal_joint_account_receivable"  # (iv)(C)
    INSURANCE_CLAIM = "insurance_claim"  # (iv)(D): no opinion of outside counsel
    INSURANCE_CLAIM_COUNSEL_OPINION = "insurance_claim_counsel_opinion"  # (iv)(D)
    INSURANCE_CLAIM_ACKNOWLEDGED = "insurance_claim_acknowledged"  # (iv)(D)


class Receivable(BaseModel):
    """A dated receivable of 15c3-1(c)(2)(iv)(B), (C) or (D).

    ``aged_from`` is the date its age counts from, as the rule measures it for
    the kind: shipment date, the date the receivable arose, the payable date of
    a dividend, settlement of the underwriting with the issuer, the date the
    manager delivered all securities of a municipal joint account, the discovery
    of the loss behind an insurance claim, or the carrier's written acknowledgement.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1, max_length=200)]
    kind: ReceivableKind
    amount: NonNegMoney
    aged_from: ExactDate = Field(description="date the receivable's age counts from")
    description: str = ""


RECEIVABLE_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "amount",
    "aged_from",
    "counted_from",
    "age_days",
    "day_count",
    "threshold_days",
    "amount_limit",
    "aged",
    "reason",
    "rate",
    "deduction",
    "citation",
)
"""Columns of the per-item detail of `aged_receivables`."""


@dataclass(frozen=True)
class ReceivablesResult:
    """Per-item detail and the deductions, one per kind with something deducted."""

    detail: pd.DataFrame
    total: float

    def deductions(self) -> list[tuple[str, str, float, str]]:
        """(key, label, amount, citation) per kind with a non-zero deduction, in kind order."""
        charged = self.detail[self.detail["deduction"] > 0]
        out: list[tuple[str, str, float, str]] = []
        for kind in ReceivableKind:
            rows = charged[charged["kind"] == kind.value]
            if rows.empty:
                continue
            n = len(rows)
            label = f"aged {kind.value.replace('_', ' ')} ({n} item{'s' if n != 1 else ''})"
            out.append(
                (
                    f"aged_receivables:{kind.value}",
                    label,
                    float(rows["deduction"].sum()),
                    str(rows["citation"].iloc[0]),
                )
            )
        return out


@dataclass(frozen=True)
class _Period:
    days: int
    business: bool
    counted_from: str


def _periods(table: Schedule) -> dict[str, _Period]:
    """The period of each kind, checked (a bad row names the table, key and field)."""
    out: dict[str, _Period] = {}
    for _, row in table.rows.iterrows():
        where = f"{TABLE}.csv row {row['key']!r}"
        text = str(row.get("days", "")).strip()
        if not text.isdigit():
            raise TableError(f"{where}: field 'days': {text!r} is not a whole number of days")
        unit = str(row.get("day_count", "")).strip()
        if unit not in ("business", "calendar"):
            raise TableError(f"{where}: field 'day_count': {unit!r} is not business or calendar")
        out[str(row["key"])] = _Period(int(text), unit == "business", str(row["counted_from"]))
    missing = [k.value for k in ReceivableKind if k.value not in out]
    if missing:
        raise TableError(f"{TABLE}.csv: no row in force for kinds {missing}")
    return out


def aged_receivables(receivables: Sequence[Receivable], as_of: date) -> ReceivablesResult:
    """Deductions of 15c3-1(c)(2)(iv)(B), (C) and (D) for dated receivables as of ``as_of``.

    One detail row per receivable with its age, the period of its kind, whether
    it is past it (or over the per-item amount), and the amount deducted.
    """
    table = load_schedule(TABLE, as_of)
    periods = _periods(table)
    rows = table.rows.set_index("key")
    kinds = np.array([r.kind.value for r in receivables], dtype=object)
    amount = np.array([r.amount for r in receivables], dtype=float)
    start = np.array([r.aged_from for r in receivables], dtype="datetime64[D]")
    end = np.full(start.shape, np.datetime64(as_of, "D"))
    business = np.array([periods[k].business for k in kinds], dtype=bool)
    age = (end - start).astype(np.int64)
    if business.any():
        age[business] = ages_array(start[business], end[business], CALENDAR)
    days = np.array([periods[k].days for k in kinds], dtype=np.int64)
    limit = rows["amount"].reindex(kinds).to_numpy(dtype=float)
    rate = rows["rate"].reindex(kinds).to_numpy(dtype=float)
    too_old = age > days
    too_big = ~np.isnan(limit) & (amount > np.nan_to_num(limit, nan=np.inf))
    aged = too_old | too_big
    reason = np.where(
        too_big & ~too_old,
        "over the per-item amount",
        np.where(too_old, "past its period", "within its period"),
    )
    detail = pd.DataFrame(
        {
            "id": [r.id for r in receivables],
            "kind": kinds,
            "amount": amount,
            "aged_from": pd.to_datetime(start),
            "counted_from": [periods[k].counted_from for k in kinds],
            "age_days": age,
            "day_count": np.where(business, "business", "calendar"),
            "threshold_days": days,
            "amount_limit": limit,
            "aged": aged,
            "reason": reason,
            "rate": rate,
            "deduction": np.where(aged, rate * amount, 0.0),
            "citation": rows["citation"].reindex(kinds).to_numpy(dtype=object),
        },
        columns=list(RECEIVABLE_COLUMNS),
    )
    return ReceivablesResult(detail=detail, total=float(detail["deduction"].sum()))
