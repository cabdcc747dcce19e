"""Properties of the settlement calendar: business day, never early, monotone."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from netcap.calendar.settlement import calendar_for, is_business_day, settlement_date

STANDARD = ["equity", "government", "agency", "municipal", "commercial_paper", "preferred"]
dates = st.dates(min_value=date(2010, 1, 1), max_value=date(2035, 12, 31))


@settings(max_examples=300, deadline=None)
@given(trade=dates, cls=st.sampled_from(STANDARD))
def test_settles_on_a_business_day_never_before_trade(trade: date, cls: str) -> None:
    sd = settlement_date(trade, cls)
    assert is_business_day(sd, calendar_for(cls))
    assert sd >= trade


@settings(max_examples=300, deadline=None)
@given(trade=dates, cls=st.sampled_from(STANDARD), gap=st.integers(1, 10))
def test_monotone_in_trade_date(trade: date, cls: str, gap: int) -> None:
    # holds across both regime changes, which shortened the cycle by one day each
    assert settlement_date(trade, cls) <= settlement_date(trade + timedelta(days=gap), cls)


@settings(max_examples=200, deadline=None)
@given(trade=dates, gap=st.integers(1, 10))
def test_firm_commitment_monotone_within_a_regime(trade: date, gap: int) -> None:
    later = trade + timedelta(days=gap)
    change = date(2024, 5, 28)
    if trade < change <= later:
        return  # T+4 -> T+2 shortens by two days: not monotone across the change
    a = settlement_date(trade, "equity", firm_commitment_after_430=True)
    b = settlement_date(later, "equity", firm_commitment_after_430=True)
    assert a <= b
    assert a > trade
