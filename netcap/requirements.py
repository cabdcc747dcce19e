"""Minimum net capital: 15c3-1(a).

The requirement is the greatest of the amounts that apply to the firm: the
fixed-dollar minimum of its business type ((a)(2)) and the ratio requirement
of the standard it operates under -- the aggregate indebtedness standard of
(a)(1)(i) (net capital at least 1/15 of aggregate indebtedness, 1/8 during
the first 12 months in business) or, where elected, the alternative standard
of (a)(1)(ii) (the greater of $250,000 and 2% of aggregate debit items).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from netcap.firm import FirmProfile
from netcap.tables import load_schedule

__all__ = ["Requirement", "minimum_requirement"]


@dataclass(frozen=True)
class Requirement:
    """The minimum net capital and every amount that was compared to reach it."""

    amount: float
    basis: str
    citation: str
    candidates: pd.DataFrame


def minimum_requirement(
    firm: FirmProfile,
    aggregate_indebtedness: float,
    on: date,
    aggregate_debit_items: float = 0.0,
) -> Requirement:
    """The greatest requirement that applies to ``firm`` on date ``on``."""
    params = load_schedule("requirements", on)
    minimums = load_schedule("minimums", on)
    rows: list[dict[str, object]] = []
    key = firm.firm_type.value
    rows.append(
        {
            "basis": f"fixed-dollar minimum ({key})",
            "amount": minimums.amount(key),
            "citation": minimums.citation(key),
        }
    )
    if firm.alternative_standard:
        rows.append(
            {
                "basis": "alternative standard: 2% of aggregate debit items",
                "amount": params.rate("alternative_debit_pct") * aggregate_debit_items,
                "citation": params.citation("alternative_debit_pct"),
            }
        )
        rows.append(
            {
                "basis": "alternative standard floor",
                "amount": params.amount("alternative_floor"),
                "citation": params.citation("alternative_floor"),
            }
        )
    else:
        first_year = firm.months_in_business < params.rate("first_year_months")
        limit_key = "ai_ratio_limit_first_year" if first_year else "ai_ratio_limit"
        limit = params.rate(limit_key)
        rows.append(
            {
                "basis": f"aggregate indebtedness / {limit:g} ({limit * 100:.0f}% limit)",
                "amount": aggregate_indebtedness / limit,
                "citation": params.citation(limit_key),
            }
        )
    candidates = pd.DataFrame(rows)
    best = int(candidates["amount"].to_numpy().argmax())
    candidates["binding"] = [i == best for i in range(len(candidates))]
    return Requirement(
        amount=float(candidates["amount"].iloc[best]),
        basis=str(candidates["basis"].iloc[best]),
        citation=str(candidates["citation"].iloc[best]),
        candidates=candidates,
    )
