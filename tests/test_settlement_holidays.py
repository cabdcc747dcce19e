"""The settlement calendars' holidays ship as data (netcap/data/settlement_holidays.csv),
written from the ``holidays`` package; the file must say what the package says."""

from __future__ import annotations

from datetime import date

from netcap.calendar.settlement import HOLIDAYS_FILE, Calendar, holidays_file_text, holidays_of
from tests.conftest import ROOT


def test_holidays_file_is_what_the_holidays_package_gives() -> None:
    shipped = (ROOT / "netcap" / HOLIDAYS_FILE).read_text("utf-8")
    assert shipped == holidays_file_text(), (
        "run: python -m netcap.calendar.settlement > netcap/data/settlement_holidays.csv"
    )


def test_holidays_read_from_the_file() -> None:
    dtc, fedwire, exchange = (set(holidays_of(c)) for c in Calendar)
    # Good Friday 2024 (29 March): the NYSE closes and SIFMA treats it as a bond holiday
    assert date(2024, 3, 29) in dtc
    assert date(2024, 3, 29) in fedwire
    # Columbus Day 2024 (14 October): the Federal Reserve Banks close, the NYSE opens;
    # DTC does not settle without the Fed
    assert date(2024, 10, 14) in dtc
    assert date(2024, 10, 14) in fedwire
    # 9 January 2025, day of mourning for President Carter: the NYSE closed, DTC settled
    assert date(2025, 1, 9) not in dtc
    assert date(2025, 1, 9) in exchange
    # Juneteenth 2024 (Wednesday 19 June) closes every calendar
    assert all(date(2024, 6, 19) in days for days in (dtc, fedwire, exchange))
    # weekdays only, sorted, from 2000 to 2080
    for cal in Calendar:
        days = holidays_of(cal)
        assert list(days) == sorted(days)
        assert all(d.weekday() < 5 for d in days)
        assert days[0].year == 2000
        assert days[-1].year == 2080
