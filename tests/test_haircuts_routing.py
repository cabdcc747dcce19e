"""Routing of positions to their paragraph, and route text read back as codes.

Each expected route is read from 15c3-1(c)(2)(vi)-(vii) and the appendices as
the `netcap.rule.haircuts.routing` table states them (as of 2024-06-28).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from netcap.book.frame import BookError, positions_frame
from netcap.book.model import Position
from netcap.rule.haircuts.routing import ROUTES, route_codes, route_in, route_keys, route_positions
from tests.conftest import AS_OF, gov

# the thresholds of the tables: (B)(1) 731 days at issue; (E) commercial paper 9 months at
# issue; (E)(6) bank rates from 12 months; (K) fewer than 3 market makers
LIMITS = {
    "max_muni_days_at_issue": 731.0,
    "max_cp_months_at_issue": 9.0,
    "bank_government_rates_from_months": 12.0,
    "min_market_makers": 3.0,
}


def pos(pid: str, cls: str, **kw: Any) -> Position:
    kw.setdefault("side", "long")
    kw.setdefault("market_value", 100_000.0)
    return Position(id=pid, security_class=cls, **kw)


BOOK = [
    # (A): a Treasury and a Treasury future ((A)(4))
    gov("t", "long", 1e5, 4),
    gov("tf", "long", 1e5, 2, future=True),
    # (B)(1): issued 2024-06-03, matures 2024-12-02, 182 days at issue (<= 731), at a discount
    pos(
        "m1",
        "municipal",
        issue_date=date(2024, 6, 3),
        maturity=date(2024, 12, 2),
        interest_at_maturity_or_discount=True,
    ),
    pos("m2", "municipal", years_to_maturity=4),  # (B)(2): no short-term facts
    # (E): commercial paper with 2 months to run, assessed well under (I)
    pos("cp", "commercial_paper", maturity=date(2024, 8, 28), minimal_credit_risk=True),
    # (E)(6): a bank CD with 2 years to run
    pos("cd", "certificate_of_deposit", maturity=date(2026, 6, 30), minimal_credit_risk=True),
    pos("f", "nonconvertible_debt", years_to_maturity=3, minimal_credit_risk=True),  # (F)
    pos("fj", "nonconvertible_debt", years_to_maturity=3, minimal_credit_risk=False),  # (I) -> (J)
    pos("h", "preferred", minimal_credit_risk=True),  # (H)
    pos("k", "equity", limited_market=True, market_makers=1),  # (K)(ii): one market maker
    pos("j", "equity"),  # (J)
    pos("j2", "equity", called_within_90_days=True),  # (J)(2): no charge
    pos("nrm", "equity", ready_market=False),  # (vii)
    pos("btc", "crypto_non_security"),  # (c)(2)(iv)
    pos("mmf", "money_market_fund"),  # (D)(1)
    pos("fund", "redeemable_fund", fund_assets="debt"),  # (D)(3)
    pos("g_j", "convertible_debt", principal_amount=90_000.0),  # (G): above principal -> (J)
]
EXPECTED = {
    "t": "A",
    "tf": "A",
    "m1": "B1",
    "m2": "B2",
    "cp": "E",
    "cd": "E6",
    "f": "F",
    "fj": "J",
    "h": "H",
    "k": "K",
    "j": "J",
    "j2": "J2",
    "nrm": "VII",
    "btc": "CRYPTO",
    "mmf": "D1",
    "fund": "D3",
    "g_j": "G_J",
}


def test_each_position_goes_to_its_paragraph() -> None:
    frame = positions_frame(BOOK, AS_OF)
    routes = route_positions(frame, **LIMITS)
    assert dict(zip([p.id for p in BOOK], routes.tolist(), strict=True)) == EXPECTED


def test_route_codes_are_the_text_read_back() -> None:
    frame = positions_frame(BOOK, AS_OF)
    routes = route_positions(frame, **LIMITS)
    assert not routes.flags.writeable  # a route array cannot be changed under its reader
    keys = route_keys(routes)
    assert keys is not None
    assert [ROUTES[k] for k in keys.tolist()] == routes.tolist()
    assert route_codes(frame, **LIMITS).tolist() == keys.tolist()
    # a copy or a slice is read from its text, to the same codes
    for part in (routes.copy(), routes[3:9], routes[::2]):
        part_keys = route_keys(part)
        assert part_keys is not None
        assert [ROUTES[k] for k in part_keys.tolist()] == part.tolist()
    assert route_keys(np.array(["J", "XYZ"])) is None  # not a route: no codes


@given(
    st.lists(st.sampled_from([*ROUTES, "XYZ", "CRYPTOS"]), max_size=30),
    st.lists(st.sampled_from([*ROUTES, "NOPE"]), max_size=12),
)
def test_route_in_is_membership(routes: list[str], wanted: list[str]) -> None:
    arr = np.array(routes, dtype="<U7")
    assert route_in(arr, wanted).tolist() == [r in wanted for r in routes]


def test_refusals_of_different_paragraphs_are_listed_together() -> None:
    book = [
        pos("btc", "crypto_non_security", side="short"),  # a liability, not (c)(2)(iv)
        pos("f", "nonconvertible_debt", years_to_maturity=3),  # no (I) assessment
        pos("x", "equity"),
    ]
    with pytest.raises(BookError) as caught:
        route_positions(positions_frame(book, AS_OF), **LIMITS)
    # a list of positions labels its rows from 0
    assert [(e.row, e.field) for e in caught.value.errors] == [
        (0, "side"),
        (1, "minimal_credit_risk"),
    ]
