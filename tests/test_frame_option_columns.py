"""Option columns appear in a validated frame only when a row is an option."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from netcap.book.firm import BalanceSheet, Book, FirmProfile, FirmType
from netcap.book.frame import OPTION_COLUMNS, align_option_columns, option_column, validate_frame
from netcap.book.model import Position
from netcap.pretrade import PreTradeState
from netcap.rule.computation import compute

AS_OF = date(2024, 6, 28)

CASH = {"id": ["a", "b"], "security_class": ["equity"] * 2, "side": ["long", "short"]}


def _cash_frame() -> pd.DataFrame:
    return validate_frame(pd.DataFrame(CASH | {"market_value": [1_000.0, 500.0]}), AS_OF)


def _option_frame() -> pd.DataFrame:
    raw = pd.DataFrame(
        {
            "id": ["u", "c"],
            "security_class": ["equity", "equity"],
            "instrument": ["cash", "option"],
            "side": ["long", "long"],
            "market_value": [5_200.0, 300.0],
            "option_type": [None, "call"],
            "strike": [None, 50.0],
            "underlying_price": [None, 52.0],
            "units": [None, 100.0],
            "expiry": [None, "2024-09-20"],
            "underlying": [None, "u"],
        }
    )
    return validate_frame(raw, AS_OF)


def test_no_option_row_means_no_option_columns() -> None:
    frame = _cash_frame()
    assert not set(OPTION_COLUMNS) & set(frame.columns)


def test_one_option_row_brings_every_option_column() -> None:
    frame = _option_frame()
    assert set(OPTION_COLUMNS) <= set(frame.columns)
    # the cash row carries the blanks; the option row its own facts
    assert frame["option_type"].tolist() == [None, "call"]
    assert frame["strike"].iloc[1] == 50.0


def test_option_column_gives_the_blank_default_when_absent() -> None:
    frame = _cash_frame()
    assert option_column(frame, "option_type").tolist() == [None, None]
    assert option_column(frame, "offsets").tolist() == [None, None]
    assert np.isnan(option_column(frame, "strike").to_numpy()).all()
    assert option_column(frame, "expiry").isna().all()
    # a blank "listed" reads as listed (the default of the yes/no column)
    assert option_column(frame, "listed").tolist() == [True, True]
    with pytest.raises(KeyError):
        option_column(frame, "market_makers")


def test_align_adds_option_columns_only_when_one_frame_has_them() -> None:
    cash, opt = _cash_frame(), _option_frame()
    same = align_option_columns(cash, cash)
    assert all(f is cash for f in same)
    a, b = align_option_columns(cash, opt)
    assert set(OPTION_COLUMNS) <= set(a.columns)
    joined = pd.concat([a, b[list(a.columns)]], ignore_index=True)
    assert joined["option_type"].tolist() == [None, None, None, "call"]


def _book(positions: list[Position]) -> Book:
    return Book(
        as_of=AS_OF,
        firm=FirmProfile(firm_type=FirmType.DEALER, months_in_business=120),
        balance_sheet=BalanceSheet(net_worth=1_000_000.0),
        positions=tuple(positions),
    )


EQUITY = Position(
    id="e1", security_class="equity", side="long", market_value=100_000.0, security_id="X"
)
CALL = Position(
    id="o1",
    security_class="equity",
    instrument="option",
    side="long",
    market_value=2_000.0,
    option_type="call",
    strike=50.0,
    underlying_price=52.0,
    units=100.0,
    expiry=date(2024, 9, 20),
    underlying="X",
)
GOVT = Position(
    id="g1", security_class="government", side="long", market_value=100_000.0, years_to_maturity=5
)
# a linked trade (a future naming its deliverable) takes the full-recompute path
FUTURE = Position(
    id="f1",
    security_class="government",
    instrument="future",
    side="short",
    market_value=100_000.0,
    years_to_maturity=5,
    deliverable_position="g1",
)


@pytest.mark.parametrize(
    ("base", "trade"),
    [
        ([EQUITY, GOVT], CALL),  # book without option columns, option trade
        ([EQUITY, CALL, GOVT], FUTURE),  # book with option columns, linked trade without
        ([EQUITY, GOVT], FUTURE),  # neither has them
    ],
)
def test_pretrade_joins_books_and_trades_that_differ_in_option_columns(
    base: list[Position], trade: Position
) -> None:
    state = PreTradeState(_book(base))
    result = state.check(trade)
    # the check must agree with computing the whole book afresh
    full = compute(_book([*base, trade]))
    assert result.haircuts_after == pytest.approx(full.haircuts.total, abs=0.005)
