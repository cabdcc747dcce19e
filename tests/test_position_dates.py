"""Trade and settlement dates on positions, against dates worked by hand.

T+n is the n-th settlement day after the trade date (docs/settlement.md).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from netcap.book.frame import BookError, positions_frame, validate_frame
from netcap.book.model import Position

D = date
AS_OF = D(2026, 6, 30)
SD = "settlement_date"


def book(rows: list[dict[str, object]]) -> pd.DataFrame:
    base = {"side": "long", "market_value": 1_000.0}
    frame = pd.DataFrame([base | {"id": f"p{i}"} | r for i, r in enumerate(rows)])
    return validate_frame(frame, AS_OF, row_offset=2)


@pytest.mark.parametrize(
    ("cls", "trade", "expected", "citation"),
    [
        # T+3: Thu 8/31/2017 -> Fri 9/1 (1), Mon 9/4 Labor Day, Tue 9/5 (2), Wed 9/6 (3)
        ("equity", "2017-08-31", "2017-09-06", "15c6-1(a)"),
        # last T+3 day: Fri 9/1/2017 -> 9/5, 9/6, 9/7
        ("equity", "2017-09-01", "2017-09-07", "15c6-1(a)"),
        # first T+2 day: Tue 9/5/2017 -> 9/6, 9/7 (same date as the trade above)
        ("equity", "2017-09-05", "2017-09-07", "15c6-1(a)"),
        # last T+2 day: Fri 5/24/2024 -> Tue 5/28 (Memorial Day 5/27), Wed 5/29
        ("equity", "2024-05-24", "2024-05-29", "15c6-1(a)"),
        # first T+1 day: Tue 5/28/2024 -> Wed 5/29
        ("equity", "2024-05-28", "2024-05-29", "15c6-1(a)"),
        # 2016, T+3 across Thanksgiving: Wed 11/23 -> Fri 11/25, Mon 11/28, Tue 11/29
        ("equity", "2016-11-23", "2016-11-29", "15c6-1(a)"),
        # 2026, T+1 across Good Friday: Thu 4/2 -> Mon 4/6
        ("equity", "2026-04-02", "2026-04-06", "15c6-1(a)"),
        # municipal, MSRB G-12 T+3: Thu 8/31/2017 -> 9/1, 9/5, 9/6
        ("municipal", "2017-08-31", "2017-09-06", "15c6-1(a) (municipal securities excepted)"),
        # Treasury entered on the early-close Good Friday 2026-04-03: T+2 -> Mon 4/6, Tue 4/7
        ("government", "2026-04-03", "2026-04-07", "15c6-1(a) (government securities excepted)"),
        # Treasury T+1, Thu 4/2/2026 -> Mon 4/6 (Good Friday no settlement day)
        ("government", "2026-04-02", "2026-04-06", "15c6-1(a) (government securities excepted)"),
    ],
)
def test_settlement_date_from_trade_date(
    cls: str, trade: str, expected: str, citation: str
) -> None:
    # a maturity only where the class reads one (issue 14: a fact that cannot apply is refused)
    dated = {} if cls == "equity" else {"maturity": "2030-01-01"}
    f = book([{"security_class": cls, "trade_date": trade, **dated}])
    assert f["trade_date"].iloc[0] == pd.Timestamp(trade)
    assert f["settlement_date"].iloc[0] == pd.Timestamp(expected)
    assert f["settlement_date_source"].iloc[0] == "computed"
    assert f["settlement_citation"].iloc[0] == citation
    assert f["settlement_note"].iloc[0] == ""


def test_given_settlement_dates_are_kept_and_noted() -> None:
    f = book(
        [
            # Mon 6/3/2024 regular T+1 is Tue 6/4: same-day cash settlement is noted
            {
                "security_class": "equity",
                "trade_date": "2024-06-03",
                "settlement_date": "2024-06-03",
            },
            # the regular date itself: no note
            {
                "security_class": "equity",
                "trade_date": "2024-06-03",
                "settlement_date": "2024-06-04",
            },
            # an agreed T+5: 6/4, 6/5, 6/6, 6/7, 6/10 -> later than regular, noted
            {
                "security_class": "equity",
                "trade_date": "2024-06-03",
                "settlement_date": "2024-06-10",
            },
            # a settlement date alone: kept, nothing to compare with
            {"security_class": "equity", "settlement_date": "2024-06-10"},
            # neither: both blank
            {"security_class": "equity"},
        ]
    )
    assert list(f["settlement_date"].iloc[:4]) == [
        pd.Timestamp("2024-06-03"),
        pd.Timestamp("2024-06-04"),
        pd.Timestamp("2024-06-10"),
        pd.Timestamp("2024-06-10"),
    ]
    assert pd.isna(f["settlement_date"].iloc[4])
    assert list(f["settlement_date_source"].iloc[:4]) == ["given"] * 4
    notes = list(f["settlement_note"])
    assert "before the regular T+1 date 2024-06-04" in notes[0]
    assert "cash or agreed" in notes[0]
    assert notes[1] == ""
    assert "after the regular T+1 date 2024-06-04" in notes[2]
    assert notes[3] == ""
    assert notes[4] == ""


@pytest.mark.parametrize(
    ("row", "field", "message"),
    [
        (
            {
                "security_class": "equity",
                "trade_date": "2024-06-04",
                "settlement_date": "2024-06-03",
            },
            "settlement_date",
            "before trade_date",
        ),
        ({"security_class": "equity", "trade_date": "2009-12-31"}, "trade_date", "2010-01-01"),
        (
            {"security_class": "canadian_government", "trade_date": "2024-06-03"},
            "settlement_date",
            "give settlement_date",
        ),
        (
            {"security_class": "commodity", "trade_date": "2024-06-03"},
            "settlement_date",
            "give settlement_date",
        ),
        ({"security_class": "equity", "trade_date": "June 3"}, "trade_date", "not a date"),
        # read as strictly as a maturity: a month, a time or a compact date is refused,
        # not completed to 2024-06-01 or stripped of its time
        ({"security_class": "equity", "trade_date": "2024-06"}, "trade_date", "not a date"),
        (
            {"security_class": "equity", "trade_date": "2024-06-03T10:00"},
            "trade_date",
            "not a date",
        ),
        (
            {"security_class": "equity", "trade_date": "2024-06-03", "settlement_date": "20240604"},
            "settlement_date",
            "not a date",
        ),
        ({"security_class": "equity", "settlement_date": "1999-06-03"}, "settlement_date", "range"),
    ],
)
def test_bad_dates_name_row_and_field(row: dict[str, object], field: str, message: str) -> None:
    ok = {"security_class": "equity", "trade_date": "2024-06-03"}
    with pytest.raises(BookError) as info:
        book([ok, {"maturity": "2030-01-01"} | row])
    errors = [e for e in info.value.errors if e.field == field]
    assert errors, info.value
    assert errors[0].row == 3  # second data row, row_offset 2
    assert message in errors[0].message


def test_agreed_settlement_for_a_class_without_a_cycle() -> None:
    # Canadian debt has no cycle in the table: the agreed date is given and kept as is
    f = book(
        [
            {
                "security_class": "canadian_government",
                "maturity": "2030-01-01",
                "trade_date": "2024-06-03",
                "settlement_date": "2024-06-04",
            }
        ]
    )
    assert f["settlement_date"].iloc[0] == pd.Timestamp("2024-06-04")
    assert f["settlement_date_source"].iloc[0] == "given"


def test_position_model_carries_the_dates() -> None:
    p = Position(
        id="a", security_class="equity", side="long", market_value=1.0, trade_date=D(2017, 9, 1)
    )
    f = positions_frame([p], AS_OF)
    # T+3 on Fri 9/1/2017 -> Tue 9/5, Wed 9/6, Thu 9/7
    assert f["settlement_date"].iloc[0] == pd.Timestamp("2017-09-07")
    with pytest.raises(ValidationError, match="before trade_date"):
        Position(
            id="b",
            security_class="equity",
            side="long",
            market_value=1.0,
            trade_date=D(2024, 6, 4),
            settlement_date=D(2024, 6, 3),
        )


@settings(deadline=None, max_examples=25)
@given(st.dates(min_value=D(2010, 1, 1), max_value=D(2035, 12, 31)))
def test_computed_settlement_is_after_trade_and_matches_given(trade: date) -> None:
    f = book([{"security_class": "equity", "trade_date": trade.isoformat()}])
    settle = f["settlement_date"].iloc[0]
    # the 15c6-1 cycle is at least T+1: settlement falls after the trade date
    assert settle > pd.Timestamp(trade)
    # giving that same date back is the regular date: nothing to note
    g = book(
        [
            {
                "security_class": "equity",
                "trade_date": trade.isoformat(),
                "settlement_date": settle.date().isoformat(),
            }
        ]
    )
    assert g["settlement_note"].iloc[0] == ""
