"""Aggregate indebtedness: 15c3-1(c)(1).

Aggregate indebtedness (AI) is the firm's total money liabilities, plus the
unrecorded items the (c)(1) lead-in names (securities borrowed for which no
equivalent value is paid or credited), less the exclusions of (c)(1)(i)-(xv),
of Appendix B (15c3-1b(a)(2)), of (a)(8)(v) for a municipal securities
brokers' broker, and the indebtedness for which the firm elects the 4%
deduction of (c)(2)(xiii).

Each `Liability` carries its ``kind``; the fraction
excluded and the citation of every kind are data (``ai_exclusions.csv``).  Two
exclusions are partial (85%: (c)(1)(xiv), (xv)); some are conditional:

* (c)(1)(iv) and (a)(8)(v) only while the liability is outstanding no more
  than the business days the table gives (3 and 1);
* (c)(1)(vi) only to the extent of the trust-account deposit;
* (c)(1)(vii) only to the extent funds are both required to be and are on
  deposit in the special reserve bank account.

A liability whose condition fails is included in full, and its row says why.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from netcap.book.firm import AIAddition, Liability, LiabilityKind
from netcap.rule.tables import load_schedule

__all__ = [
    "AI_CITATION",
    "LIABILITY_COLUMNS",
    "LIMITATIONS",
    "aggregate_indebtedness",
    "ai_additions_frame",
    "liabilities_frame",
]

AI_CITATION = "15c3-1(c)(1)"

LIMITATIONS: dict[str, str] = {}
"""Readings of (c)(1) still open (paragraph -> what is missing); none since (c)(1)(i)-(xv) were
checked against the text of (c)(1)."""

LIABILITY_COLUMNS: tuple[str, ...] = (
    "id",
    "kind",
    "amount",
    "excluded",
    "ai_amount",
    "included",
    "citation",
    "note",
    "description",
)
"""Columns of `liabilities_frame`."""


def liabilities_frame(liabilities: Iterable[Liability], on: date | None = None) -> pd.DataFrame:
    """One row per liability: the part excluded from AI, the part included, and why.

    ``excluded + ai_amount == amount`` on every row.  ``included`` is true when
    any part of the liability is in AI.
    """
    items = list(liabilities)
    table = load_schedule("ai_exclusions", on)
    rows = table.rows.set_index("key")
    missing = {k.value for k in LiabilityKind} - set(rows.index)
    if missing:
        raise ValueError(f"ai_exclusions table has no row for liability kinds {sorted(missing)}")
    frame = pd.DataFrame(
        {
            "id": [li.id for li in items],
            "kind": [li.kind.value for li in items],
            "amount": np.array([li.amount for li in items], dtype=float),
            "days": np.array(
                [
                    np.nan if li.business_days_outstanding is None else li.business_days_outstanding
                    for li in items
                ],
                dtype=float,
            ),
            "deposit": np.array(
                [np.nan if li.deposit is None else li.deposit for li in items], dtype=float
            ),
            "required": np.array(
                [np.nan if li.required_deposit is None else li.required_deposit for li in items],
                dtype=float,
            ),
            "description": [li.description for li in items],
        }
    )
    kind = frame["kind"].to_numpy(dtype=object)
    amount = frame["amount"].to_numpy(dtype=float)
    rate = rows["rate"].reindex(kind).to_numpy(dtype=float)
    max_days = pd.to_numeric(rows["max_business_days"].reindex(kind), errors="coerce").to_numpy(
        dtype=float
    )
    citation = rows["citation"].reindex(kind).to_numpy(dtype=object)

    excluded = rate * amount
    days = frame["days"].to_numpy(dtype=float)
    too_old = ~np.isnan(max_days) & (days > max_days)
    excluded = np.where(too_old, 0.0, excluded)

    deposit = frame["deposit"].to_numpy(dtype=float)
    required = frame["required"].to_numpy(dtype=float)
    cap = np.fmin(deposit, required)  # NaN where not a deposit kind
    excluded = np.where(np.isnan(cap), excluded, np.minimum(excluded, cap))

    ai_amount = amount - excluded
    note = np.full(len(frame), "", dtype=object)
    note = np.where(rate == 0.0, "included", note)
    note = np.where((rate > 0.0) & (rate < 1.0), [f"{r:.0%} excluded" for r in rate], note)
    note = np.where((rate == 1.0) & (ai_amount == 0.0), "excluded", note)
    partial_deposit = ~np.isnan(cap) & (ai_amount > 0.0)
    note = np.where(
        partial_deposit,
        [f"excluded only to the extent of {c:,.2f} on deposit" for c in np.nan_to_num(cap)],
        note,
    )
    note = np.where(
        too_old,
        [
            f"outstanding {d:.0f} business days, more than {m:.0f}: exclusion does not apply"
            for d, m in zip(np.nan_to_num(days), np.nan_to_num(max_days), strict=True)
        ],
        note,
    )
    citation = np.where(too_old, [f"{AI_CITATION} (not {c})" for c in citation], citation)

    out = pd.DataFrame(
        {
            "id": frame["id"],
            "kind": frame["kind"],
            "amount": amount,
            "excluded": excluded,
            "ai_amount": ai_amount,
            "included": ai_amount > 0.0,
            "citation": citation,
            "note": note,
            "description": frame["description"],
        },
        columns=list(LIABILITY_COLUMNS),
    )
    return out


def ai_additions_frame(additions: Iterable[AIAddition]) -> pd.DataFrame:
    """One row per unrecorded item added to AI, with its citation."""
    items = list(additions)
    return pd.DataFrame(
        {
            "id": [a.id for a in items],
            "kind": [a.kind.value for a in items],
            "amount": np.array([a.amount for a in items], dtype=float),
            "citation": [AI_CITATION] * len(items),
            "description": [a.description for a in items],
        }
    )


def aggregate_indebtedness(
    liabilities: Iterable[Liability],
    additions: Iterable[AIAddition] = (),
    on: date | None = None,
) -> float:
    """Total money liabilities in AI plus the unrecorded additions, 15c3-1(c)(1)."""
    recorded = float(liabilities_frame(liabilities, on)["ai_amount"].sum())
    return recorded + float(sum(a.amount for a in additions))
