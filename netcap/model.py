"""Positions of a broker-dealer: securities, futures and options by class and side.

These pydantic models are the validated front door of the engine.  Everything
downstream works on the column frame built by :func:`netcap.frame.positions_frame`,
so a book loaded from CSV and a book built in a notebook take the same path.

Amounts are US dollars.  ``market_value`` is always the absolute value of the
position; ``side`` carries the sign.
"""

from __future__ import annotations

import math
from datetime import date
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "Instrument",
    "Money",
    "NonNegMoney",
    "Position",
    "SecurityClass",
    "Side",
]


class Side(StrEnum):
    """Long (owned, inventory) or short (sold, owed)."""

    LONG = "long"
    SHORT = "short"


class Instrument(StrEnum):
    """What is held: the security itself, a futures contract on it, or an option on it."""

    CASH = "cash"
    FUTURE = "future"
    OPTION = "option"


class SecurityClass(StrEnum):
    """Security classes of 15c3-1(c)(2)(vi)-(vii), plus non-security assets the rule reaches.

    For a futures contract the class is that of the deliverable (a Treasury note
    future is ``government``); a futures contract on a non-security commodity is
    ``commodity`` and is charged under Appendix B (15c3-1b).
    """

    GOVERNMENT = "government"  # issued or guaranteed by the United States
    AGENCY = "agency"  # issued or guaranteed by an agency of the United States
    MUNICIPAL = "municipal"
    REDEEMABLE_FUND = "redeemable_fund"  # redeemable investment company shares
    MONEY_MARKET_FUND = "money_market_fund"  # Rule 2a-7 money market fund
    COMMERCIAL_PAPER = "commercial_paper"
    BANKERS_ACCEPTANCE = "bankers_acceptance"
    CERTIFICATE_OF_DEPOSIT = "certificate_of_deposit"
    NONCONVERTIBLE_DEBT = "nonconvertible_debt"
    CONVERTIBLE_DEBT = "convertible_debt"
    PREFERRED = "preferred"  # cumulative nonconvertible preferred
    EQUITY = "equity"  # all other securities
    OTHER_SECURITY = "other_security"  # all other securities, not equity
    NO_READY_MARKET = "no_ready_market"  # securities with no ready market
    CRYPTO_NON_SECURITY = "crypto_non_security"  # non-security crypto asset: not allowable
    COMMODITY = "commodity"  # Appendix B: non-security commodity futures

    @property
    def is_government(self) -> bool:
        """True for the classes of 15c3-1(c)(2)(vi)(A)."""
        return self in (SecurityClass.GOVERNMENT, SecurityClass.AGENCY)


Money = Annotated[float, Field(allow_inf_nan=False)]
NonNegMoney = Annotated[float, Field(ge=0, allow_inf_nan=False)]


class Position(BaseModel):
    """One position in a security, futures contract or option.

    Give either ``market_value`` or both ``quantity`` and ``price`` (when all three
    are given they must agree to the cent).  Time to maturity is given either as a
    ``maturity`` date (measured from the book's as-of date) or as
    ``years_to_maturity``; debt classes need one of the two.
    """

    model_config = ConfigDict(extra="forbid", frozen=True, use_enum_values=False)

    id: Annotated[str, Field(min_length=1, max_length=200)]
    security_class: SecurityClass
    side: Side
    instrument: Instrument = Instrument.CASH
    market_value: NonNegMoney | None = None
    quantity: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None
    price: NonNegMoney | None = None
    maturity: date | None = None
    years_to_maturity: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    issuer: str | None = None
    security_id: str | None = None
    deliverable_position: str | None = Field(
        default=None,
        description="For a futures contract: id of the cash position deliverable against it "
        "(the covered-inventory link of 15c3-1b(a)(3)(ix)(A)).",
    )

    @model_validator(mode="after")
    def _value_and_maturity(self) -> Self:
        if self.market_value is None:
            if self.quantity is None or self.price is None:
                raise ValueError("give market_value, or both quantity and price")
        elif self.quantity is not None and self.price is not None:
            implied = self.quantity * self.price
            if not math.isclose(implied, self.market_value, abs_tol=0.01):
                raise ValueError(
                    f"market_value {self.market_value} disagrees with quantity x price = {implied}"
                )
        if self.maturity is not None and self.years_to_maturity is not None:
            raise ValueError("give maturity or years_to_maturity, not both")
        if self.deliverable_position is not None and self.instrument is not Instrument.FUTURE:
            raise ValueError("deliverable_position is only for futures contracts")
        return self

    @property
    def value(self) -> float:
        """Absolute market value in dollars."""
        if self.market_value is not None:
            return self.market_value
        assert self.quantity is not None
        assert self.price is not None
        return self.quantity * self.price

    @property
    def signed_value(self) -> float:
        """Market value, positive long and negative short."""
        return self.value if self.side is Side.LONG else -self.value
