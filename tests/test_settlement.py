"""Settlement calendar and 15c6-1 cycles, against dates worked by hand.

Counting rule used in every comment: T+n is the n-th settlement day after the
trade date; a trade dated on a non-settlement day settles with the previous
settlement day's trades.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from netcap.calendar.settlement import (
    Calendar,
    CycleError,
    add_business_days,
    business_days_between,
    cycle_for,
    is_business_day,
    settlement_date,
    settlement_dates,
)

D = date


@pytest.mark.parametrize(
    ("trade", "expected"),
    [
        # T+3 regime: Thu 8/31 -> Fri 9/1 (1), Mon 9/4 Labor Day skipped, Tue 9/5 (2), Wed 9/6 (3)
        (D(2017, 8, 31), D(2017, 9, 6)),
        # T+3: Fri 9/1 -> 9/5 (1), 9/6 (2), 9/7 (3), across Labor Day
        (D(2017, 9, 1), D(2017, 9, 7)),
        # T+2 from the compliance date: Tue 9/5 -> 9/6 (1), 9/7 (2): two trade dates, one SD
        (D(2017, 9, 5), D(2017, 9, 7)),
        # T+2: Thu 5/23 -> Fri 5/24 (1), Mon 5/27 Memorial Day skipped, Tue 5/28 (2)
        (D(2024, 5, 23), D(2024, 5, 28)),
        # T+2: Fri 5/24 -> 5/28 (1), 5/29 (2)
        (D(2024, 5, 24), D(2024, 5, 29)),
        # T+1 from the compliance date: Tue 5/28 -> 5/29, the double settlement day
        (D(2024, 5, 28), D(2024, 5, 29)),
        # Thanksgiving 2025 (Thu 11/27): Wed 11/26 T+1 -> Fri 11/28
        (D(2025, 11, 26), D(2025, 11, 28)),
        # trade dated on Thanksgiving itself settles with Wednesday's: first day after is 11/28
        (D(2025, 11, 27), D(2025, 11, 28)),
        # Good Friday 2024-03-29 (NYSE closed): Thu 3/28 T+2 -> Mon 4/1 (1), Tue 4/2 (2)
        (D(2024, 3, 28), D(2024, 4, 2)),
        # Good Friday 2023-04-07: Thu 4/6 T+2 -> Mon 4/10 (1), Tue 4/11 (2)
        (D(2023, 4, 6), D(2023, 4, 11)),
        # Juneteenth 2023 (Mon 6/19): Fri 6/16 T+2 -> Tue 6/20 (1), Wed 6/21 (2)
        (D(2023, 6, 16), D(2023, 6, 21)),
        # Juneteenth 2022 on a Sunday, observed Mon 6/20: Fri 6/17 T+2 -> 6/21, 6/22
        (D(2022, 6, 17), D(2022, 6, 22)),
        # Christmas 2024 (Wed): Tue 12/24 T+1 -> Thu 12/26
        (D(2024, 12, 24), D(2024, 12, 26)),
        # New Year 2025 (Wed): Tue 12/31 T+1 -> Thu 1/2
        (D(2024, 12, 31), D(2025, 1, 2)),
        # weekend trade date: Sat 6/8/2024 -> first settlement day after it, Mon 6/10
        (D(2024, 6, 8), D(2024, 6, 10)),
        (D(2024, 6, 9), D(2024, 6, 10)),
        # Columbus Day 2024-10-14: exchanges open, Fed closed, not a DTC settlement day.
        # Fri 10/11 T+1 -> Tue 10/15; Mon 10/14 trades settle with Friday's, Tue 10/15
        (D(2024, 10, 11), D(2024, 10, 15)),
        (D(2024, 10, 14), D(2024, 10, 15)),
        # Veterans Day 2024-11-11 (Mon): Fri 11/8 T+1 -> Tue 11/12
        (D(2024, 11, 8), D(2024, 11, 12)),
        # national day of mourning 2025-01-09: exchanges closed, DTC open to settle
        (D(2025, 1, 8), D(2025, 1, 9)),
    ],
)
def test_equity_settlement(trade: date, expected: date) -> None:
    assert settlement_date(trade, "equity") == expected


@pytest.mark.parametrize(
    ("trade", "expected"),
    [
        # Treasuries T+1 by convention in every regime: Thu 8/31/2017 -> Fri 9/1
        (D(2017, 8, 31), D(2017, 9, 1)),
        # Good Friday 2024 (full SIFMA close): Thu 3/28 -> Mon 4/1
        (D(2024, 3, 28), D(2024, 4, 1)),
        # Good Friday 2023: SIFMA early close only, still no settlement: Thu 4/6 -> Mon 4/10
        (D(2023, 4, 6), D(2023, 4, 10)),
        # Columbus Day 2024: Fedwire closed: Fri 10/11 -> Tue 10/15
        (D(2024, 10, 11), D(2024, 10, 15)),
        # 2018-12-05 day of mourning (SIFMA full close): Tue 12/4 -> Thu 12/6
        (D(2018, 12, 4), D(2018, 12, 6)),
        # 2025-01-09 day of mourning: Fedwire and bond market open: Wed 1/8 -> Thu 1/9
        (D(2025, 1, 8), D(2025, 1, 9)),
        # Saturday -> Monday
        (D(2024, 6, 8), D(2024, 6, 10)),
    ],
)
def test_government_settlement(trade: date, expected: date) -> None:
    assert settlement_date(trade, "government") == expected
    assert cycle_for(trade, "government").basis == "convention"


def test_dtc_and_fedwire_differ_on_2018_12_05() -> None:
    # DTC settled on the Bush day of mourning: Mon 12/3/2018 T+2 -> 12/4 (1), 12/5 (2)
    assert settlement_date(D(2018, 12, 3), "equity") == D(2018, 12, 5)
    assert is_business_day(D(2018, 12, 5), Calendar.DTC)
    assert not is_business_day(D(2018, 12, 5), Calendar.FEDWIRE)
    assert not is_business_day(D(2018, 12, 5), Calendar.EXCHANGE)


@pytest.mark.parametrize(
    ("trade", "expected", "days"),
    [
        # 15c6-1(c) T+4 (T+3 regime): Tue 9/5/2017 -> 9/6, 9/7, 9/8, Mon 9/11
        (D(2017, 9, 5), D(2017, 9, 11), 4),
        # T+4 still in the T+2 regime: Fri 5/24/2024 -> 5/28, 5/29, 5/30, 5/31
        (D(2024, 5, 24), D(2024, 5, 31), 4),
        # T+2 under the 2023 amendment: Tue 5/28/2024 -> 5/29, 5/30
        (D(2024, 5, 28), D(2024, 5, 30), 2),
        # T+4 across Good Friday 2024: Wed 3/27 -> 3/28, 4/1, 4/2, 4/3
        (D(2024, 3, 27), D(2024, 4, 3), 4),
    ],
)
def test_firm_commitment_after_430(trade: date, expected: date, days: int) -> None:
    assert settlement_date(trade, "equity", firm_commitment_after_430=True) == expected
    rule = cycle_for(trade, "equity", firm_commitment_after_430=True)
    assert rule.business_days == days
    assert rule.citation == "15c6-1(c)"


@pytest.mark.parametrize(
    ("cls", "trade", "expected", "basis"),
    [
        # MSRB G-12 follows the same dates: T+2 on Fri 5/24/2024 -> 5/28, 5/29
        ("municipal", D(2024, 5, 24), D(2024, 5, 29), "sro_rule"),
        ("municipal", D(2024, 5, 28), D(2024, 5, 29), "sro_rule"),
        # T+3 in 2017: Thu 8/31 -> 9/1, 9/5, 9/6
        ("municipal", D(2017, 8, 31), D(2017, 9, 6), "sro_rule"),
        # money market instruments settle same day by convention
        ("commercial_paper", D(2024, 6, 3), D(2024, 6, 3), "convention"),
        ("bankers_acceptance", D(2024, 6, 3), D(2024, 6, 3), "convention"),
        # ... and a same-day trade dated Saturday settles Monday
        ("commercial_paper", D(2024, 6, 8), D(2024, 6, 10), "convention"),
        ("agency", D(2024, 11, 8), D(2024, 11, 12), "convention"),
        # not excepted by name: certificates of deposit take the 15c6-1(a) cycle
        ("certificate_of_deposit", D(2024, 5, 24), D(2024, 5, 29), "rule"),
    ],
)
def test_excepted_and_other_classes(cls: str, trade: date, expected: date, basis: str) -> None:
    assert settlement_date(trade, cls) == expected
    assert cycle_for(trade, cls).basis == basis


def test_agreed_cycle_overrides() -> None:
    # parties agree T+5 on Mon 6/3/2024: 6/4, 6/5, 6/6, 6/7, 6/10
    assert settlement_date(D(2024, 6, 3), "equity", agreed_cycle=5) == D(2024, 6, 10)
    assert cycle_for(D(2024, 6, 3), "equity", agreed_cycle=5).basis == "agreed"
    # a non-security has no standard cycle, only an agreed one
    assert settlement_date(D(2024, 6, 3), "commodity", agreed_cycle=1) == D(2024, 6, 4)


def test_errors_name_the_problem() -> None:
    with pytest.raises(ValueError, match="give 'agreed_cycle'"):
        settlement_date(D(2024, 6, 3), "crypto_non_security")
    with pytest.raises(ValueError, match="15c6-1"):
        settlement_date(D(2024, 6, 3), "government", firm_commitment_after_430=True)
    with pytest.raises(ValueError, match="not a security class"):
        settlement_date(D(2024, 6, 3), "stock")
    with pytest.raises(ValueError, match="agreed_cycle"):
        settlement_date(D(2024, 6, 3), "equity", agreed_cycle=-1)
    with pytest.raises(ValueError, match="outside"):
        settlement_date(D(1999, 6, 3), "equity")


def test_business_day_arithmetic() -> None:
    # Mon 6/3/2024 to Mon 6/10: 6/4, 6/5, 6/6, 6/7, 6/10 = 5
    assert business_days_between(D(2024, 6, 3), D(2024, 6, 10)) == 5
    assert business_days_between(D(2024, 6, 10), D(2024, 6, 3)) == -5
    assert business_days_between(D(2024, 6, 3), D(2024, 6, 3)) == 0
    # across Juneteenth 2024 (Wed): Tue 6/18 -> Thu 6/20 is one settlement day
    assert business_days_between(D(2024, 6, 18), D(2024, 6, 20)) == 1
    assert add_business_days(D(2024, 6, 18), 1) == D(2024, 6, 20)
    assert add_business_days(D(2024, 6, 19), 0) == D(2024, 6, 20)
    # Columbus Day: exchanges trade, but no settlement (dtc) and no Fedwire
    assert not is_business_day(D(2024, 10, 14), "dtc")
    assert not is_business_day(D(2024, 10, 14), "fedwire")


def test_vectorized_matches_scalar() -> None:
    trades = pd.DataFrame(
        {
            "trade_date": [D(2017, 9, 1), D(2024, 5, 24), D(2024, 3, 28), D(2024, 6, 3)],
            "security_class": ["equity", "equity", "government", "equity"],
            "firm_commitment_after_430": [False, True, False, False],
            "agreed_cycle": [None, None, None, 5],
        }
    )
    out = settlement_dates(trades)
    # 9/7/2017 (T+3), 5/31/2024 (T+4), 4/1/2024 (Treasury T+1 over Good Friday), 6/10 (agreed T+5)
    expected = np.array(["2017-09-07", "2024-05-31", "2024-04-01", "2024-06-10"], dtype="M8[D]")
    assert np.array_equal(out["settlement_date"].to_numpy(dtype="M8[D]"), expected)
    assert list(out["cycle_basis"]) == ["rule", "rule", "convention", "agreed"]
    assert list(out["calendar"]) == ["dtc", "dtc", "fedwire", "dtc"]


@pytest.mark.parametrize(
    ("trade", "cls", "expected"),
    [
        # 2016, T+3: Wed 11/23 -> Thu 11/24 Thanksgiving skipped, Fri 11/25 (1), Mon 11/28 (2),
        # Tue 11/29 (3)
        (D(2016, 11, 23), "equity", D(2016, 11, 29)),
        # 2016, T+3 across Good Friday 3/25: Thu 3/24 -> Mon 3/28 (1), 3/29 (2), 3/30 (3)
        (D(2016, 3, 24), "equity", D(2016, 3, 30)),
        # 2016, T+3 across Columbus Day 10/10 (Fed closed): Fri 10/7 -> 10/11, 10/12, 10/13
        (D(2016, 10, 7), "equity", D(2016, 10, 13)),
        # 2016 municipal under MSRB G-12 T+3: Wed 11/23 -> 11/25, 11/28, 11/29
        (D(2016, 11, 23), "municipal", D(2016, 11, 29)),
        # 2026, T+1 across Good Friday 4/3: Thu 4/2 -> Mon 4/6
        (D(2026, 4, 2), "equity", D(2026, 4, 6)),
        # 2026 Thanksgiving is Thu 11/26: Wed 11/25 T+1 -> Fri 11/27
        (D(2026, 11, 25), "equity", D(2026, 11, 27)),
        # 2026 Juneteenth falls on Fri 6/19: Thu 6/18 T+1 -> Mon 6/22
        (D(2026, 6, 18), "equity", D(2026, 6, 22)),
        # 2026 Independence Day is a Saturday, NYSE closed Fri 7/3: Thu 7/2 T+1 -> Mon 7/6
        (D(2026, 7, 2), "equity", D(2026, 7, 6)),
        # 2026 preferred, T+1 across Good Friday: Thu 4/2 -> Mon 4/6
        (D(2026, 4, 2), "preferred", D(2026, 4, 6)),
    ],
)
def test_2016_and_2026_dates(trade: date, cls: str, expected: date) -> None:
    assert settlement_date(trade, cls) == expected


def test_2026_firm_commitment_across_good_friday() -> None:
    # 15c6-1(c) T+2 since 2024-05-28: Thu 4/2/2026 -> Mon 4/6 (1), Tue 4/7 (2)
    assert settlement_date(D(2026, 4, 2), "equity", firm_commitment_after_430=True) == D(2026, 4, 7)


@pytest.mark.parametrize(
    ("good_friday", "thursday", "expected_friday_trade", "expected_thursday_trade"),
    [
        # SIFMA early close (employment report): the Friday is still no settlement day, and
        # government/agency trades entered that Friday settle T+2: Mon (1), Tue (2).
        # Thursday trades (T+1) skip the Friday and settle Monday.
        (D(2021, 4, 2), D(2021, 4, 1), D(2021, 4, 6), D(2021, 4, 5)),
        (D(2023, 4, 7), D(2023, 4, 6), D(2023, 4, 11), D(2023, 4, 10)),
        (D(2026, 4, 3), D(2026, 4, 2), D(2026, 4, 7), D(2026, 4, 6)),
        (D(2015, 4, 3), D(2015, 4, 2), D(2015, 4, 7), D(2015, 4, 6)),
        (D(2012, 4, 6), D(2012, 4, 5), D(2012, 4, 10), D(2012, 4, 9)),
    ],
)
def test_government_on_early_close_good_friday(
    good_friday: date, thursday: date, expected_friday_trade: date, expected_thursday_trade: date
) -> None:
    assert not is_business_day(good_friday, Calendar.FEDWIRE)
    for cls in ("government", "agency"):
        assert settlement_date(good_friday, cls) == expected_friday_trade
        assert settlement_date(thursday, cls) == expected_thursday_trade
        rule = cycle_for(good_friday, cls)
        assert (rule.business_days, rule.basis) == (2, "convention")
        assert cycle_for(thursday, cls).business_days == 1


def test_government_on_full_close_good_friday_keeps_its_cycle() -> None:
    # Good Friday 2024-03-29 was a full SIFMA close (no trading): the T+2 recommendation is
    # for early-close years only, so a trade dated that day settles with Thursday's, Mon 4/1
    assert not is_business_day(D(2024, 3, 29), Calendar.FEDWIRE)
    assert cycle_for(D(2024, 3, 29), "government").business_days == 1
    assert settlement_date(D(2024, 3, 29), "government") == D(2024, 4, 1)


def test_early_close_good_friday_exception_is_only_for_government_and_agency() -> None:
    # equities and municipal bonds on Good Friday 2026-04-03 (NYSE closed, not a DTC
    # settlement day) settle with Thursday's T+1 trades, Mon 4/6
    assert settlement_date(D(2026, 4, 3), "equity") == D(2026, 4, 6)
    assert settlement_date(D(2026, 4, 3), "municipal") == D(2026, 4, 6)


def test_trade_before_the_cycle_table_names_its_range() -> None:
    with pytest.raises(CycleError, match="outside the range") as info:
        settlement_date(D(2009, 12, 31), "equity")
    assert info.value.field == "trade_date"
    assert "2010-01-01" in info.value.message
    with pytest.raises(CycleError, match="outside the range"):
        settlement_date(D(2005, 6, 1), "municipal")
    # an agreed cycle still works: Wed 12/30/2009 -> Thu 12/31 (1), Fri 1/1 holiday,
    # Mon 1/4 (2), Tue 1/5 (3)
    assert settlement_date(D(2009, 12, 30), "equity", agreed_cycle=3) == D(2010, 1, 5)


def test_class_without_a_cycle_needs_an_agreed_one() -> None:
    with pytest.raises(CycleError, match="give 'agreed_cycle'") as info:
        settlement_date(D(2024, 6, 3), "canadian_government")
    assert info.value.field == "agreed_cycle"
    # agreed T+1 on Mon 6/3/2024 -> Tue 6/4
    assert settlement_date(D(2024, 6, 3), "canadian_government", agreed_cycle=1) == D(2024, 6, 4)
