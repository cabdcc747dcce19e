"""Capital lock-up across subsidiaries, 15c3-1(c)(2)(i)(G) (release text at notes 589-590)."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from netcap.dealer.lockup import free_date, lockup_months, simulate_lockup
from netcap.rule.tables import TableError


def frame(rows: dict[str, list[float]], start: str = "2024-06-03") -> pd.DataFrame:
    n = len(next(iter(rows.values())))
    return pd.DataFrame(rows, index=pd.date_range(start, periods=n, freq="D"))


def test_release_example_70_30_then_30_70() -> None:
    r = simulate_lockup(frame({"treasury": [70, 30], "equity": [30, 70]}))
    # day 1: 70 + 30 = 100 either way; day 2: the Treasury entity cannot release its 70
    # (contributed yesterday), the equity entity adds 40: 70 + 70 = 140 against 100
    assert r.separate_total.tolist() == [100, 140]
    assert r.consolidated_held.tolist() == [100, 100]
    assert r.contributions["equity"].tolist() == [30, 40]
    assert r.excess.tolist() == [0, 40]


def test_release_alternation_doubles_the_capital() -> None:
    r = simulate_lockup(frame({"treasury": [0, 100, 0, 100], "equity": [100, 0, 100, 0]}))
    # each entity must keep the 100 it once needed: 200 against 100 consolidated
    assert r.separate_total.tolist() == [100, 200, 200, 200]
    assert r.consolidated_held.tolist() == [100, 100, 100, 100]
    assert r.summary()["peak_ratio"] == 2.0


def test_withdrawal_first_allowed_the_day_after_the_anniversary() -> None:
    assert free_date(date(2024, 3, 15)) == date(2025, 3, 16)
    assert free_date(date(2024, 2, 29)) == date(2025, 3, 1)  # anniversary Feb 28, 2025
    days = pd.to_datetime(["2024-03-15", "2025-03-15", "2025-03-16"])
    r = simulate_lockup(pd.DataFrame({"a": [100.0, 0.0, 0.0]}, index=days))
    # on the anniversary the 100 is still within one year of its contribution
    assert r.held["a"].tolist() == [100, 100, 0]
    assert r.withdrawals["a"].tolist() == [0, 0, 100]


def test_lots_free_one_by_one() -> None:
    days = pd.to_datetime(["2024-01-10", "2024-07-01", "2025-01-11", "2025-07-02"])
    r = simulate_lockup(pd.DataFrame({"a": [50.0, 80.0, 0.0, 0.0]}, index=days))
    # lot 1: 50 on 2024-01-10 (free 2025-01-11); lot 2: 30 on 2024-07-01 (free 2025-07-02)
    assert r.held["a"].tolist() == [50, 80, 30, 0]


def test_retain_policy_never_withdraws() -> None:
    days = pd.to_datetime(["2024-01-10", "2025-06-01"])
    r = simulate_lockup(pd.DataFrame({"a": [50.0, 0.0]}, index=days), policy="retain")
    assert r.held["a"].tolist() == [50, 50]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            pd.DataFrame({"a": [1.0, -2.0]}, index=pd.to_datetime(["2024-01-01", "2024-01-02"])),
            r"row 1 \(2024-01-02\), column 'a'",
        ),
        (
            pd.DataFrame({"a": [1.0, 2.0]}, index=pd.to_datetime(["2024-01-02", "2024-01-01"])),
            "dates must increase",
        ),
        (pd.DataFrame({"a": [1.0]}, index=["x"]), "index must be dates"),
    ],
)
def test_bad_input(data: pd.DataFrame, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        simulate_lockup(data)


def test_lockup_starts_with_the_2013_amendment() -> None:
    # (c)(2)(i)(G) came in with Release 34-70072, effective 2013-10-21 (the date
    # net_worth.csv also uses).  The day it takes effect the one-year lock-up applies;
    # a series starting the day before has no (G) row in force and is refused by name.
    assert lockup_months(date(2013, 10, 21)) == 12
    with pytest.raises(TableError, match="2013-10-20"):
        simulate_lockup(frame({"a": [1.0]}, start="2013-10-20"))
