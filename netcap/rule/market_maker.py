"""Market makers: the per-security requirement of 15c3-1(a)(4) and the (a)(6) alternative.

(a)(4)
    A market maker (as defined in (c)(8)) keeps net capital of at least $2,500
    for each security in which it makes a market, or $1,000 for a security with
    a market value of $5 or less, counting the average number of markets made
    during the 30 days before the computation date.  The amount is capped at
    $1,000,000, and never lowers the requirement below what the rest of
    paragraph (a) demands: it is one more candidate in the "greatest of".

(a)(6)
    A dealer that meets the conditions of (a)(6)(ii) may elect not to haircut
    its market-maker account under (c)(2)(vi) and instead keep a liquidating
    equity in that account of at least 25% of the long positions (5% for
    exempted securities) and 30% of the short positions ((a)(6)(iii)(A)).
    Equity is computed as in (a)(6)(iii)(C): positions marked to market, plus the
    credit balance (less a debit balance), plus longs, less shorts.  A broker-dealer
    that carries such an account deducts any deficiency under (c)(2)(xi).

All amounts and percentages come from ``haircut_tables/market_maker.csv``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from netcap.book.firm import MarketMakerAccount, MarketMaking
from netcap.book.frame import positions_frame
from netcap.book.model import Instrument, Side
from netcap.rule.tables import load_schedule

__all__ = [
    "EXEMPTED_CLASSES",
    "A4Requirement",
    "A6Report",
    "a4_requirement",
    "a6_report",
    "market_maker_thresholds",
]

A4_CITATION = "15c3-1(a)(4)"

EXEMPTED_CLASSES = ("government", "agency", "municipal")
"""Classes that are "exempted securities" (Exchange Act section 3(a)(12)) as cash positions."""


def market_maker_thresholds(frame: pd.DataFrame, on: date | None = None) -> pd.DataFrame:
    """Per-position liquidating-equity requirement of the (a)(6) market-maker alternative.

    15c3-1(a)(6)(iii)(A): 25% of the market value of long positions (5% for
    exempted securities) and 30% of short positions.  A futures contract is not
    itself an exempted security, so a long Treasury future takes 25% (as note 586
    of Release 34-99477 applies it).  Options and bona fide hedges take the
    Appendix A deductions instead; netcap does not apply those inside a market-maker
    account and refuses option positions there.
    """
    table = load_schedule("market_maker", on)
    instrument = frame["instrument"].to_numpy()
    if (instrument == Instrument.OPTION.value).any():
        raise NotImplementedError(
            "(a)(6)(iii)(A): option positions in a market-maker account take the Appendix A "
            "deductions, which netcap does not apply inside a market-maker account"
        )
    long = frame["side"].to_numpy() == Side.LONG.value
    exempted = np.isin(frame["security_class"].to_numpy(), EXEMPTED_CLASSES) & (
        instrument == Instrument.CASH.value
    )
    key = np.where(~long, "short", np.where(exempted, "long_exempted", "long"))
    rates = {k: table.rate(k) for k in ("long", "long_exempted", "short")}
    cites = {k: table.citation(k) for k in rates}
    value = frame["market_value"].to_numpy(dtype=float)
    rate = np.array([rates[k] for k in key], dtype=float)
    return pd.DataFrame(
        {
            "id": frame["id"].to_numpy(),
            "basis": key,
            "rate": rate,
            "market_value": value,
            "threshold": rate * value,
            "citation": [cites[k] for k in key],
        }
    )


@dataclass(frozen=True)
class A4Requirement:
    """The (a)(4) requirement: counts by price band, amount before and after the cap."""

    markets_over_5: float
    markets_at_or_below_5: float
    uncapped: float
    amount: float
    capped: bool
    citation: str
    detail: pd.DataFrame


def a4_requirement(mm: MarketMaking, on: date | None = None) -> A4Requirement:
    """Net capital required of a market maker by 15c3-1(a)(4), before comparison with (a).

    The result is ``min(cap, per_security * n_over + per_security_low * n_low)``;
    `netcap.rule.requirements.minimum_requirement` then takes the greatest of it
    and the other requirements of paragraph (a).
    """
    table = load_schedule("market_maker", on)
    high = table.amount("a4_per_security")
    low = table.amount("a4_per_security_low_price")
    boundary = table.amount("a4_low_price_max")
    cap = table.amount("a4_cap")
    if mm.securities:
        value = np.array([s.market_value for s in mm.securities], dtype=float)
        weight = np.array([s.average_markets for s in mm.securities], dtype=float)
        is_low = value <= boundary
        detail = pd.DataFrame(
            {
                "security_id": [s.security_id for s in mm.securities],
                "market_value": value,
                "average_markets": weight,
                "band": np.where(is_low, "at_or_below_5", "over_5"),
                "per_security": np.where(is_low, low, high),
                "amount": weight * np.where(is_low, low, high),
            }
        )
        n_low = float(weight[is_low].sum())
        n_high = float(weight[~is_low].sum())
    else:
        assert mm.average_markets_over_5 is not None
        assert mm.average_markets_at_or_below_5 is not None
        n_high, n_low = mm.average_markets_over_5, mm.average_markets_at_or_below_5
        detail = pd.DataFrame(
            {
                "band": ["over_5", "at_or_below_5"],
                "average_markets": [n_high, n_low],
                "per_security": [high, low],
                "amount": [high * n_high, low * n_low],
            }
        )
    uncapped = high * n_high + low * n_low
    return A4Requirement(
        markets_over_5=n_high,
        markets_at_or_below_5=n_low,
        uncapped=uncapped,
        amount=min(uncapped, cap),
        capped=uncapped > cap,
        citation=A4_CITATION,
        detail=detail,
    )


@dataclass(frozen=True)
class A6Report:
    """One market-maker account under 15c3-1(a)(6)."""

    account_id: str
    role: str
    eligible: bool
    conditions: pd.DataFrame
    thresholds: pd.DataFrame
    long_value: float
    short_value: float
    credit_balance: float
    liquidating_equity: float
    required_equity: float
    deficiency: float
    citation: str

    @property
    def deduction_citation(self) -> str:
        """Where the carrying broker's deduction of the deficiency comes from."""
        return "15c3-1(c)(2)(xi)"


def a6_report(account: MarketMakerAccount, on: date) -> A6Report:
    """Eligibility under (a)(6)(ii), liquidating equity under (a)(6)(iii)(C), and deficiency."""
    conditions = pd.DataFrame(
        [
            (
                "effects transactions only with brokers or dealers",
                account.transacts_only_with_brokers_dealers,
                "15c3-1(a)(6)(ii)",
            ),
            (
                "carries no customer accounts",
                not account.carries_customer_accounts,
                "15c3-1(a)(6)(ii)",
            ),
            (
                "effects no transactions in unlisted options",
                not account.transacts_unlisted_options,
                "15c3-1(a)(6)(ii)",
            ),
            (
                "account cleared and carried by another broker-dealer",
                account.cleared_by_another_broker_dealer,
                "15c3-1(a)(6)(ii)",
            ),
            (
                "carrying broker-dealer's written undertaking filed",
                account.undertaking_filed,
                "15c3-1(a)(6)(iv)",
            ),
        ],
        columns=["condition", "met", "citation"],
    )
    frame = positions_frame(account.positions, on)
    thresholds = market_maker_thresholds(frame, on)
    signed = frame["signed_value"].to_numpy(dtype=float)
    long_value = float(signed[signed > 0].sum())
    short_value = float(-signed[signed < 0].sum())
    equity = account.credit_balance + long_value - short_value
    required = float(thresholds["threshold"].sum())
    return A6Report(
        account_id=account.id,
        role=account.role,
        eligible=bool(conditions["met"].all()),
        conditions=conditions,
        thresholds=thresholds,
        long_value=long_value,
        short_value=short_value,
        credit_balance=account.credit_balance,
        liquidating_equity=equity,
        required_equity=required,
        deficiency=max(0.0, required - equity),
        citation="15c3-1(a)(6)(iii)(A)",
    )
