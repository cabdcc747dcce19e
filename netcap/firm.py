"""The firm: balance sheet, liabilities, business type, and the book that holds them."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, field_validator

from netcap.model import Money, NonNegMoney, Position

__all__ = [
    "BalanceSheet",
    "Book",
    "FirmProfile",
    "FirmType",
    "Liability",
    "LiabilityKind",
]


class FirmType(StrEnum):
    """Business types that set the fixed-dollar minimum of 15c3-1(a)(2)."""

    CARRYING = "carrying"  # (a)(2)(i)
    CARRYING_K2I = "carrying_k2i"  # (a)(2)(ii)
    DEALER = "dealer"  # (a)(2)(iii)
    INTRODUCING_RECEIVING = "introducing_receiving"  # (a)(2)(iv)
    FUND_SHARE_BROKER = "fund_share_broker"  # (a)(2)(v)
    NON_CARRYING_BROKER = "non_carrying_broker"  # (a)(2)(vi)
    MUNICIPAL_BROKERS_BROKER = "municipal_brokers_broker"  # (a)(8)


class LiabilityKind(StrEnum):
    """Liabilities, tagged with the (c)(1) exclusion from aggregate indebtedness that applies."""

    OTHER = "other"  # included in aggregate indebtedness
    COLLATERALIZED_BY_LONG_SECURITIES = "collateralized_by_long_securities"  # (c)(1)(i)
    SECURITIES_LOANED = "securities_loaned"  # (c)(1)(ii)
    SUBORDINATED = "subordinated"  # satisfactory subordination agreement, Appendix D


class Liability(BaseModel):
    """A money liability of the firm."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: Annotated[str, Field(min_length=1)]
    amount: NonNegMoney
    kind: LiabilityKind = LiabilityKind.OTHER
    description: str = ""


class BalanceSheet(BaseModel):
    """Balance-sheet items outside the securities positions.

    ``net_worth`` is ownership equity as on the statement of financial condition.
    ``non_allowable_assets`` are assets not readily convertible into cash
    (15c3-1(c)(2)(iv)).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    net_worth: Money
    non_allowable_assets: NonNegMoney = 0.0
    subordinated_liabilities: NonNegMoney = 0.0


class FirmProfile(BaseModel):
    """Who the firm is, for the minimum requirement of 15c3-1(a)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = "firm"
    firm_type: FirmType = FirmType.DEALER
    months_in_business: Annotated[int, Field(ge=0)] = 120
    alternative_standard: bool = False


class Book(BaseModel):
    """A firm's book as of one date: positions, balance sheet, liabilities, profile."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    as_of: date
    firm: FirmProfile = FirmProfile()
    balance_sheet: BalanceSheet
    positions: tuple[Position, ...] = ()
    liabilities: tuple[Liability, ...] = ()

    @field_validator("positions")
    @classmethod
    def _unique_ids(cls, positions: tuple[Position, ...]) -> tuple[Position, ...]:
        seen: set[str] = set()
        for i, p in enumerate(positions):
            if p.id in seen:
                raise ValueError(f"position {i}: duplicate id {p.id!r}")
            seen.add(p.id)
        ids = seen
        for i, p in enumerate(positions):
            if p.deliverable_position is not None and p.deliverable_position not in ids:
                raise ValueError(
                    f"position {i} ({p.id!r}): deliverable_position "
                    f"{p.deliverable_position!r} names no position in the book"
                )
        return positions
