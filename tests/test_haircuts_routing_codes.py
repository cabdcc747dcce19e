"""The routing's shortcuts read the same routes and refusals as the rule's plain reading.

`netcap.rule.haircuts.routing` routes a million rows through a few shortcuts:
one lookup by class, instrument and ready market; yes/no/blank columns read by
the references of ``True``, ``False`` and ``None``; whole days at issue
compared as one span; route tests and route text read through small tables.
Each test below states the plain reading (15c3-1(c)(2)(vi)-(vii), Appendix B,
or plain arithmetic) and checks the shortcut against it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcap.book.frame import BookError, positions_frame
from netcap.book.model import Instrument, Position, SecurityClass
from netcap.rule.haircuts.routing import (
    ROUTES,
    _Limits,
    _Routing,
    _within_days,
    codes_in,
    route_codes,
    route_names,
    route_positions,
)
from tests.conftest import AS_OF

# the thresholds of the tables as of 2024-06-28: (B)(1) 731 days at issue, (E) commercial
# paper 9 months at issue, (E)(6) bank rates from 12 months, (K) fewer than 3 market makers
LIMITS = {
    "max_muni_days_at_issue": 731.0,
    "max_cp_months_at_issue": 9.0,
    "bank_government_rates_from_months": 12.0,
    "min_market_makers": 3.0,
}


def frame_of(n: int) -> pd.DataFrame:
    """A validated frame of ``n`` plain long equity positions, to set columns on."""
    book = [
        Position(id=f"p{i}", security_class="equity", side="long", market_value=1e5)
        for i in range(n)
    ]
    return positions_frame(book, AS_OF)


def set_codes(frame: pd.DataFrame, column: str, values: list[str | None]) -> None:
    """Set a categorical column (class or instrument) keeping its categories."""
    frame[column] = pd.Categorical(values, dtype=frame[column].dtype)


# -- the first lookup: class, instrument, ready market ------------------------------------

GOVERNMENT = {"government", "agency"}
BY_CLASS = {  # a cash position with a ready market whose class alone decides its paragraph
    "government": "A",  # (vi)(A)
    "agency": "A",  # (vi)(A)
    "canadian_government": "C",  # (vi)(C)
    "commodity": "COMMOD",  # Appendix B (a)(3)(ix)
    "equity": "J",  # (vi)(J)
    "other_security": "J",  # (vi)(J)
    "no_ready_market": "VII",  # (vii)
}


def plain_route(cls: str, inst: str, ready: bool) -> str | None:
    """The route as the rule reads it; None where the position is refused."""
    if inst == "option":
        return "OPT"  # Appendix A, whatever the class
    if inst == "future":
        if not ready or cls == "no_ready_market":
            return None  # a futures contract is not a security without a ready market
        return "A" if cls in GOVERNMENT else "FUT"  # (vi)(A)(4); Appendix B (a)(3)(xiv)
    if not ready:
        return "VII"  # (vii) comes before every class rule
    return BY_CLASS[cls]


# every class (a class whose facts decide a cash position with a ready market only as an
# option, a future or without a ready market)
COMBOS = [
    (cls.value, inst.value, ready)
    for cls in SecurityClass
    for inst in Instrument
    for ready in (True, False)
    if cls.value in BY_CLASS or inst != Instrument.CASH or not ready
]


def test_first_lookup_routes_every_class_instrument_and_ready_market() -> None:
    ok = [c for c in COMBOS if plain_route(*c) is not None]
    frame = frame_of(len(ok))
    set_codes(frame, "security_class", [c[0] for c in ok])
    set_codes(frame, "instrument", [c[1] for c in ok])
    frame["ready_market"] = [c[2] for c in ok]
    routes = route_positions(frame, **LIMITS)
    assert routes.tolist() == [plain_route(*c) for c in ok]


def test_refused_futures_are_listed_ready_market_first_then_class() -> None:
    # rows: 0 a Treasury future without a ready market, 1 a no_ready_market future, 2 an
    # equity future (FUT), 3 a no_ready_market future without a ready market (both refusals)
    frame = frame_of(4)
    set_codes(
        frame, "security_class", ["government", "no_ready_market", "equity", "no_ready_market"]
    )
    set_codes(frame, "instrument", ["future"] * 4)
    frame["ready_market"] = [False, True, True, False]
    with pytest.raises(BookError) as caught:
        route_codes(frame, **LIMITS)
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (0, "ready_market"),
        (3, "ready_market"),
        (1, "security_class"),
        (3, "security_class"),
    ]


def test_a_refused_future_keeps_its_route_for_the_later_checks() -> None:
    # a Treasury future without a ready market, also marked called for redemption: the (J)(2)
    # check reads its route, (A), and refuses the mark as well
    frame = frame_of(1)
    set_codes(frame, "security_class", ["government"])
    set_codes(frame, "instrument", ["future"])
    frame["ready_market"] = [False]
    frame["called_within_90_days"] = [True]
    with pytest.raises(BookError) as caught:
        route_codes(frame, **LIMITS)
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (0, "ready_market"),
        (0, "called_within_90_days"),
    ]


def test_no_class_or_no_instrument_is_not_routed() -> None:
    frame = frame_of(3)
    set_codes(frame, "security_class", [None, "equity", None])
    set_codes(frame, "instrument", ["cash", None, "option"])
    with pytest.raises(BookError) as caught:
        route_codes(frame, **LIMITS)
    # an option is Appendix A whatever its class; the other two have no paragraph
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (0, "security_class"),
        (1, "security_class"),
    ]


def test_text_columns_route_as_their_categorical_codes() -> None:
    ok = [c for c in COMBOS if plain_route(*c) is not None]
    frame = frame_of(len(ok))
    set_codes(frame, "security_class", [c[0] for c in ok])
    set_codes(frame, "instrument", [c[1] for c in ok])
    frame["ready_market"] = [c[2] for c in ok]
    as_text = frame.copy()
    for column in ("security_class", "instrument", "side", "fund_assets"):
        as_text[column] = as_text[column].astype(object)
    assert route_codes(as_text, **LIMITS).tolist() == route_codes(frame, **LIMITS).tolist()


# -- fund shares by fund_assets, as codes or as text --------------------------------------


@pytest.mark.parametrize("categorical", [True, False])
def test_fund_routes_and_refusals_by_assets(categorical: bool) -> None:
    funds: list[tuple[str, str | None]] = [
        ("redeemable_fund", "government"),  # (D)(2)
        ("redeemable_fund", "debt"),  # (D)(3)
        ("redeemable_fund", "other"),  # (J)
        ("redeemable_fund", "money_market"),  # (D)(1)
        ("money_market_fund", "money_market"),  # (D)(1)
        ("money_market_fund", None),  # (D)(1): a 2a-7 fund needs no assets stated
    ]
    frame = frame_of(len(funds))
    set_codes(frame, "security_class", [c for c, _ in funds])
    frame["fund_assets"] = pd.Categorical([a for _, a in funds])
    if not categorical:
        frame["fund_assets"] = frame["fund_assets"].astype(object)
    assert route_positions(frame, **LIMITS).tolist() == ["D2", "D3", "J", "D1", "D1", "D1"]
    # refused: a money market fund holding debt (row 1), a redeemable fund of unstated
    # assets (row 2); listed in that order, the money market fund's refusal first
    refused = frame_of(3)
    set_codes(refused, "security_class", ["equity", "money_market_fund", "redeemable_fund"])
    refused["fund_assets"] = pd.Categorical([None, "debt", None])
    if not categorical:
        refused["fund_assets"] = refused["fund_assets"].astype(object)
    with pytest.raises(BookError) as caught:
        route_codes(refused, **LIMITS)
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (1, "fund_assets"),
        (2, "fund_assets"),
    ]


# -- yes/no/blank columns read by reference -----------------------------------------------

ANSWERS: list[Any] = [True, False, None, np.True_, np.False_, np.nan, 1, 0, 1.0, "yes"]


@given(
    st.lists(st.sampled_from(range(len(ANSWERS))), min_size=1, max_size=40),
    st.data(),
)
def test_yes_no_blank_reads_references_as_the_values(picks: list[int], data: st.DataObject) -> None:
    values = [ANSWERS[i] for i in picks]
    n = len(values)
    frame = frame_of(n)
    column = np.empty(n, dtype=object)
    column[:] = values
    frame["answer"] = column
    rows = np.array(sorted(data.draw(st.sets(st.integers(0, n - 1)))), dtype=np.intp)
    where = np.array(
        data.draw(st.lists(st.booleans(), min_size=len(rows), max_size=len(rows))), dtype=bool
    )
    blank, yes = _Routing(frame, _Limits(**LIMITS)).yes_no_unknown("answer", rows, where)
    # the plain reading: yes where the value equals True; blank where it does not and is
    # missing; neither outside ``where``
    plain_yes = [bool(w) and bool(values[r] == True) for r, w in zip(rows, where, strict=True)]  # noqa: E712
    plain_blank = [
        bool(w) and not bool(values[r] == True) and bool(pd.isna(values[r]))  # noqa: E712
        for r, w in zip(rows, where, strict=True)
    ]
    assert yes.tolist() == plain_yes
    assert blank.tolist() == plain_blank


# -- whole days at issue ------------------------------------------------------------------


@given(
    st.lists(st.integers(-(10**9), 10**9), min_size=1, max_size=30),
    st.sampled_from(["s", "ms", "D", "h"]),
    st.one_of(
        st.floats(-1e6, 1e6, allow_nan=False),
        st.sampled_from([731.0, 730.5, 0.0, -0.5, math.nan, math.inf, -math.inf, 1e12]),
    ),
)
def test_whole_days_rounded_down_within_a_limit(
    counts: list[int], unit: str, max_days: float
) -> None:
    span = np.array(counts, dtype=f"timedelta64[{unit}]")
    per_day = {"s": 86_400, "ms": 86_400_000, "D": 1, "h": 24}[unit]
    # whole days rounded down (Python's // rounds toward minus infinity), compared as numbers
    plain = [c // per_day <= max_days for c in counts]
    assert _within_days(span, max_days).tolist() == plain


# -- route tests and route text -----------------------------------------------------------


@given(
    st.lists(st.sampled_from(ROUTES), min_size=1, max_size=8),
    st.integers(0, 2**32 - 1),
    st.sampled_from([np.uint8, np.int64]),
)
def test_codes_in_is_membership_over_long_arrays(wanted: list[str], seed: int, dtype: type) -> None:
    # longer than the lookup's chunk, so that every chunk and the tail are read
    keys = np.random.default_rng(seed).integers(0, len(ROUTES), 40_000).astype(dtype)
    mask = codes_in(keys, wanted)
    assert mask.tolist() == [ROUTES[k] in wanted for k in keys.tolist()]


def test_route_names_over_long_arrays_and_bad_codes() -> None:
    keys = np.random.default_rng(17).integers(0, len(ROUTES), 40_000).astype(np.uint8)
    names = route_names(keys)
    assert names.dtype == np.dtype("<U6")
    assert not names.flags.writeable
    assert names.tolist() == [ROUTES[k] for k in keys.tolist()]
    with pytest.raises(IndexError):
        route_names(np.array([0, len(ROUTES)], dtype=np.uint8))
