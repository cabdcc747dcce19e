"""Small builders for net capital computation tests."""

from __future__ import annotations

from datetime import date
from typing import Any

from netcap.book.firm import BalanceSheet, Book, FirmProfile, FirmType, Liability, LiabilityKind
from netcap.book.model import Position
from netcap.rule.computation import ComputeOptions, NetCapitalResult, compute

AS_OF = date(2024, 6, 28)


def book(
    net_worth: float = 1_000_000.0,
    *,
    liabilities: tuple[Liability, ...] = (),
    positions: tuple[Position, ...] = (),
    firm_type: FirmType = FirmType.DEALER,
    as_of: date = AS_OF,
    firm: dict[str, Any] | None = None,
    **balance_sheet: Any,
) -> Book:
    """A book with an established firm (10 years in business) unless told otherwise."""
    profile = {"firm_type": firm_type, "months_in_business": 120, **(firm or {})}
    if "commenced_business" in profile:
        profile.pop("months_in_business")
    return Book(
        as_of=as_of,
        firm=FirmProfile(**profile),
        balance_sheet=BalanceSheet(net_worth=net_worth, **balance_sheet),
        positions=positions,
        liabilities=liabilities,
    )


def liability(lid: str, amount: float, kind: str = "other", **kw: Any) -> Liability:
    """A liability of the given kind."""
    return Liability(id=lid, amount=amount, kind=LiabilityKind(kind), **kw)


def run(b: Book, **options: Any) -> NetCapitalResult:
    """Compute with the given options."""
    return compute(b, ComputeOptions(**options))
