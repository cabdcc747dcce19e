"""Positions of a broker-dealer: securities, futures and options by class and side.

These pydantic models are the validated front door of the engine.  Everything
downstream works on the column frame built by `netcap.book.frame.positions_frame`,
so a book loaded from CSV and a book built in a notebook take the same path.

Amounts are US dollars.  ``market_value`` is always the absolute value of the
position; ``side`` carries the sign.
"""

from __future__ import annotations

import math
import re
from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Self

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from netcap.book.currency import CurrencyCode
from netcap.money import MAX_AMOUNT

__all__ = [
    "FundAssets",
    "Instrument",
    "Money",
    "NonNegMoney",
    "OptionType",
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
    CANADIAN_GOVERNMENT = "canadian_government"  # (C): issued or guaranteed by Canada
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


class OptionType(StrEnum):
    """A call (right to buy the underlying) or a put (right to sell it)."""

    CALL = "call"
    PUT = "put"


class FundAssets(StrEnum):
    """What a redeemable investment company holds: selects the rate of 15c3-1(c)(2)(vi)(D).

    ``money_market``  a money market fund described in Rule 2a-7 ((D)(1))
    ``government``    cash, or securities / money market instruments of (A)-(C) or (E) ((D)(2))
    ``debt``          cash, or securities / money market instruments of (A)-(C), (E) and (F)
                      ((D)(3))
    ``other``         anything else (an equity fund, say): no (D) rate, so (J) applies
    """

    MONEY_MARKET = "money_market"
    GOVERNMENT = "government"
    DEBT = "debt"
    OTHER = "other"


Money = Annotated[float, Field(ge=-MAX_AMOUNT, le=MAX_AMOUNT, allow_inf_nan=False)]
NonNegMoney = Annotated[float, Field(ge=0, le=MAX_AMOUNT, allow_inf_nan=False)]


DATE_MIN = date(1900, 1, 1)
DATE_MAX = date(2200, 12, 31)
"""The dates netcap computes with.  Its frames hold dates at nanosecond resolution (years
1677 to 2262); the margin keeps every date it derives (a settlement date, a lock-up's
anniversary, an age) inside that range too."""
OUT_OF_RANGE = (
    "{day} is outside the dates netcap computes with ("
    + DATE_MIN.isoformat()
    + " to "
    + DATE_MAX.isoformat()
    + "); for a perpetual security give years_to_maturity instead (100 years falls in the "
    "longest maturity bucket)"
)
"""Message for a date outside `DATE_MIN` .. `DATE_MAX` (``{day}`` is the date)."""


def _exact_date(value: object) -> object:
    """Refuse what pydantic would otherwise complete or reinterpret as a date.

    Text must be exactly ``YYYY-MM-DD`` (not ``2031-05``, ``20310515`` or a date with a
    time); a number is refused rather than read as seconds since 1970.  Date objects,
    and datetimes at midnight, pass on to pydantic unchanged.
    """
    if isinstance(value, str) and not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        raise ValueError(f"{value!r} is not a date in the form YYYY-MM-DD")
    if isinstance(value, int | float):
        raise ValueError(f"{value!r} is a number, not a date in the form YYYY-MM-DD")
    day = value.date() if isinstance(value, datetime) else value
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            return value  # not a calendar date (2024-02-30): pydantic says so
    if isinstance(day, date) and not DATE_MIN <= day <= DATE_MAX:
        raise ValueError(OUT_OF_RANGE.format(day=day.isoformat()))
    return value


ExactDate = Annotated[date, BeforeValidator(_exact_date)]
"""A date given exactly as ``YYYY-MM-DD`` (or a date value); see `_exact_date`."""


MATURITY_CLASSES: frozenset[SecurityClass] = frozenset(
    {
        SecurityClass.GOVERNMENT,
        SecurityClass.AGENCY,
        SecurityClass.CANADIAN_GOVERNMENT,
        SecurityClass.MUNICIPAL,
        SecurityClass.COMMERCIAL_PAPER,
        SecurityClass.BANKERS_ACCEPTANCE,
        SecurityClass.CERTIFICATE_OF_DEPOSIT,
        SecurityClass.NONCONVERTIBLE_DEBT,
    }
)
"""Debt classes whose haircut turns on time to maturity ((c)(2)(vi)(A)-(C), (E), (F)): a
position or strategy leg of one of them needs a maturity."""


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
    currency: CurrencyCode | None = Field(
        default=None,
        description="ISO 4217 code when the position's amounts are not in US dollars "
        "(converted at the book's currency_rates before anything is computed)",
    )
    maturity: ExactDate | None = None
    years_to_maturity: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = None
    issuer: str | None = None
    security_id: str | None = None
    deliverable_position: str | None = Field(
        default=None,
        description="For a futures contract: id of the cash position deliverable against it "
        "(the covered-inventory link of 15c3-1b(a)(3)(ix)(A)).",
    )
    futures_contract: Annotated[str, Field(min_length=1, max_length=20)] | None = Field(
        default=None,
        description="For a futures contract: the exchange contract code (TU, Z3N, FV, TY, TN, "
        "US, TWE, UB; see haircut_tables/futures_deliverable.csv). When given, a "
        "deliverable_position outside the contract's deliverable grade is not cover.",
    )
    # --- facts the paragraphs after (A) turn on; see docs/haircuts.md -------------------
    in_default: bool = Field(
        default=False,
        description="Traded flat or in default as to principal or interest ((B), (F), (G)); "
        "for preferred stock, in arrears as to dividends ((H)).",
    )
    minimal_credit_risk: bool | None = Field(
        default=None,
        description="Outcome of the firm's creditworthiness assessment of 15c3-1(c)(2)(vi)(I): "
        "required for the classes of (E), (F), (H) and below-par (G).",
    )
    issue_date: ExactDate | None = Field(
        default=None,
        description="Date of issue: gives the maturity at issue for (B)(1) and (E).",
    )
    interest_at_maturity_or_discount: bool | None = Field(
        default=None,
        description="(B)(1): issued at par paying interest at maturity, or issued at a discount.",
    )
    municipal_note: bool = Field(
        default=False, description="(M)(4): a municipal note (threshold $5,000,000, not $500,000)."
    )
    fund_assets: FundAssets | None = Field(
        default=None, description="(D): what a redeemable investment company holds."
    )
    principal_amount: NonNegMoney | None = Field(
        default=None, description="(G): principal amount of a convertible debt security."
    )
    hedge_with: str | None = Field(
        default=None,
        description="(F)(2): id of the opposite-side government, agency or nonconvertible debt "
        "position hedging this nonconvertible debt position (an election).",
    )
    ready_market: bool = Field(
        default=True,
        description="False for a security with no ready market or that cannot be publicly "
        "offered or sold: 100% under 15c3-1(c)(2)(vii) whatever its class. Whether a ready "
        "market exists, as 15c3-1(c)(11) defines it, is the firm's determination.",
    )
    limited_market: bool = Field(
        default=False,
        description="(K): not exchange-listed, not OTC margin stock, not on NASDAQ.",
    )
    market_makers: Annotated[int, Field(ge=0)] | None = Field(
        default=None,
        description="(K): independent market makers quoting the security (excluding the firm).",
    )
    called_within_90_days: bool = Field(
        default=False,
        description="(J)(2): called for redemption and redeemable within 90 days.",
    )
    registered_deliverable: bool = Field(
        default=True,
        description="Appendix B (a)(3)(ix)(A)-(B): commodity inventory currently registered as "
        "deliverable on a contract market; covered inventory that is not takes 5% ((ix)(B)).",
    )
    converts_into_short_within_90_days: bool = Field(
        default=False,
        description="(J)(1): convertible into or exchangeable for another security within 90 "
        "days, subject to no conditions other than the payment of money, and that other "
        "security is short in the firm's accounts.",
    )
    underwritten_on: ExactDate | None = Field(
        default=None,
        description="(M)(1), (M)(4): date the firm (or, for municipals, the syndicate manager) "
        "received the underwritten securities from the issuer.",
    )
    trade_date: ExactDate | None = Field(
        default=None,
        description="Trade (contract) date. Without a settlement_date, the settlement date is "
        "the trade date plus the cycle in force on it for the class (15c6-1, or the class's "
        "convention); see docs/settlement.md.",
    )
    settlement_date: ExactDate | None = Field(
        default=None,
        description="Settlement date, when known or agreed (a cash, agreed or extended "
        "settlement is kept and noted); not before trade_date.",
    )
    maintenance_margin: NonNegMoney | None = Field(
        default=None,
        description="Appendix B (a)(3)(xiv)(B)-(C): maintenance margin of the board of trade.",
    )
    clearing_margin: NonNegMoney | None = Field(
        default=None,
        description="Appendix B (a)(3)(xiv)(A)-(C): margin of the clearing organization.",
    )
    initial_margin: NonNegMoney | None = Field(
        default=None,
        description="Appendix B (a)(3)(xiv)(D): initial margin, where no maintenance margin "
        "applies.",
    )
    cleared_by_firm: bool = Field(
        default=True,
        description="Appendix B (a)(3)(xiv)(A): the firm clears this contract itself (used "
        "only when the firm is a clearing member).",
    )

    # --- options, Appendix A (15c3-1a); see docs/options.md -----------------------------
    # Required for instrument="option" (checked with the rest of the book in
    # netcap.book.frame, so a missing field is reported with its row); refused elsewhere.
    option_type: OptionType | None = Field(default=None, description="Option: call or put.")
    strike: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = Field(
        default=None, description="Option: exercise price per unit of the underlying."
    )
    underlying_price: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = Field(
        default=None, description="Option: current market price per unit of the underlying."
    )
    units: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = Field(
        default=None,
        description="Option: units of the underlying the position covers (contracts x 100).",
    )
    listed: bool = Field(
        default=True,
        description="Option: a listed option (15c3-1(c)(2)(x)); False for an unlisted one "
        "(15c3-1a(c)).",
    )
    expiry: ExactDate | None = Field(default=None, description="Option: expiration date.")
    underlying: str | None = Field(
        default=None, description="Option: identifier of the underlying instrument."
    )
    offsets: str | None = Field(
        default=None,
        description="Option: id of the position it is paired with under 15c3-1a: the "
        "underlying position ((b)(2)(iii)(D), (c)(3)-(4)) or the other leg of a spread "
        "((b)(2)(iii)(E)).",
    )

    @model_validator(mode="after")
    def _value_and_maturity(self) -> Self:
        if self.market_value is None:
            if self.quantity is None or self.price is None:
                raise ValueError("give market_value, or both quantity and price")
            if not self.quantity * self.price <= MAX_AMOUNT:
                raise ValueError(
                    f"quantity x price = {self.quantity * self.price:g} is larger than "
                    f"${MAX_AMOUNT:,.0f}, the most netcap accepts in one field"
                )
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
        if self.futures_contract is not None and self.instrument is not Instrument.FUTURE:
            raise ValueError("futures_contract is only for futures contracts")
        if self.hedge_with is not None and self.hedge_with == self.id:
            raise ValueError("hedge_with names the position itself")
        if self.offsets is not None and self.offsets == self.id:
            raise ValueError("offsets names the position itself")
        if (
            self.trade_date is not None
            and self.settlement_date is not None
            and self.settlement_date < self.trade_date
        ):
            raise ValueError("settlement_date is before trade_date")
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
