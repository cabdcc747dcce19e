"""(c)(2)(vi)(M)(1): options written, endorsed or held on an issue in its concentration position.

Worked by hand from the paragraph's words: an option counts at the market value
of the securities it is to purchase or sell (units x underlying price), long for
a held call or a written put, short for a written call or a held put; the issue's
position is the net; the add-on is 15% of the part above the greater of 10% of
net capital before haircuts and the (M)(3) floor (options here are on equity, a
(J) security).  Appendix A charges (15c3-1a, p = 15%) are worked as in
tests/test_haircuts_options.py.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netcap.book.frame import positions_frame
from netcap.book.model import Position
from netcap.rule.haircuts import HaircutResult, compute_haircuts
from netcap.rule.haircuts.concentration import LIMITATIONS

AS_OF = date(2025, 1, 2)
EXPIRY = date(2025, 3, 21)
M = "15c3-1(c)(2)(vi)(M)"


def opt(
    pid: str,
    side: str,
    kind: str,
    strike: float,
    mv: float,
    units: float,
    price: float = 50.0,
    underlying: str = "XYZ",
) -> Position:
    return Position(
        id=pid,
        security_class="equity",
        side=side,
        instrument="option",
        market_value=mv,
        option_type=kind,
        strike=strike,
        underlying_price=price,
        units=units,
        listed=True,
        expiry=EXPIRY,
        underlying=underlying,
    )


def stock(pid: str, side: str, qty: float, price: float = 50.0, sid: str = "XYZ") -> Position:
    return Position(
        id=pid, security_class="equity", side=side, quantity=qty, price=price, security_id=sid
    )


def run(book: list[Position], ncbh: float = 1e6) -> HaircutResult:
    return compute_haircuts(positions_frame(book, AS_OF), AS_OF, net_capital_before_haircuts=ncbh)


def detail(r: HaircutResult) -> pd.DataFrame:
    return r.detail.set_index("id")


def m_total(r: HaircutResult) -> float:
    by = r.by_paragraph.set_index("paragraph")["charge"]
    return float(by.get(M, 0.0))


def test_held_calls_add_to_a_long_issue() -> None:
    # net capital before haircuts 1,000,000: 10% = 100,000; (M)(3) floor max(10,000,
    # 500 x 50 = 25,000) = 25,000, so the threshold is 100,000.
    # stock 4,000 x 50 = 200,000 long; held calls on 2,000 units at 50 = 100,000 long.
    # Position 300,000: (M) 15% x (300,000 - 100,000) = 30,000 (the stock alone: 15,000).
    # (J) 15% x 200,000 = 30,000; (b)(2)(iii)(C) 50% x 3,000 = 1,500: total 61,500.
    # Shown on the long rows by value: stock 2/3 = 20,000, call 1/3 = 10,000.
    r = run([stock("s", "long", 4000), opt("c", "long", "call", 50, 3000, 2000)])
    assert m_total(r) == pytest.approx(30_000)
    assert r.total == pytest.approx(61_500)
    d = detail(r)
    assert d.loc["s", "add_on_paragraph"] == M
    assert d.loc["s", "add_on_charge"] == pytest.approx(20_000)
    assert d.loc["c", "add_on_paragraph"] == M
    assert d.loc["c", "add_on_charge"] == pytest.approx(10_000)
    sheet = r.worksheets["concentration"].set_index("issue")
    assert sheet.loc["XYZ", "net_value"] == pytest.approx(300_000)
    assert sheet.loc["XYZ", "options_value"] == pytest.approx(100_000)
    assert sheet.loc["XYZ", "excess"] == pytest.approx(200_000)


def test_options_on_another_issue_do_not_join() -> None:
    # calls on ABC do not enlarge XYZ: XYZ alone 15% x (200,000 - 100,000) = 15,000;
    # ABC 2,000 x 50 = 100,000 is not above 100,000: nothing
    r = run([stock("s", "long", 4000), opt("c", "long", "call", 50, 3000, 2000, underlying="ABC")])
    assert m_total(r) == pytest.approx(15_000)


def test_written_calls_offset_the_stock() -> None:
    # stock 200,000 long; written calls on 2,000 units at 50 = 100,000 short.
    # Position 200,000 - 100,000 = 100,000, not above the 100,000 threshold: no (M)
    # (the stock alone drew 15,000).  Appendix A, uncovered call (b)(2)(iii)(A), strike 55:
    # pV = 15% x 100,000 = 15,000, otm 2,000 x 5 = 10,000, pV - otm = 5,000; floor
    # max(250 x 20, 50% x 15,000) = 7,500 -> 7,500; (ii)(A) time value 2,000 added back.
    # Total 30,000 + 7,500 - 2,000 = 35,500.
    r = run([stock("s", "long", 4000), opt("w", "short", "call", 55, 2000, 2000)])
    assert m_total(r) == 0
    assert r.total == pytest.approx(35_500)


def test_written_calls_partly_offset_the_stock() -> None:
    # written calls on 1,000 units = 50,000 short: position 150,000, (M) 15% x 50,000 = 7,500,
    # shown on the stock (the long side; the call's column holds its (ii)(A) adjustment).
    # (A): pV 7,500, otm 5,000, 2,500 < floor max(250 x 10, 3,750) = 3,750; time value 1,000.
    # Total 30,000 + 7,500 + 3,750 - 1,000 = 40,250.
    r = run([stock("s", "long", 4000), opt("w", "short", "call", 55, 1000, 1000)])
    assert m_total(r) == pytest.approx(7_500)
    assert r.total == pytest.approx(40_250)
    d = detail(r)
    assert d.loc["s", "add_on_charge"] == pytest.approx(7_500)
    assert d.loc["w", "add_on_paragraph"] == "15c3-1a(b)(2)(ii)(A)"
    assert d.loc["w", "add_on_charge"] == pytest.approx(-1_000)


def test_option_only_concentration_of_written_calls() -> None:
    # no stock; written calls on 5,000 units at 60 = 300,000 short, strike 60, mv 15,000.
    # (M)(3) floor max(10,000, 500 x 60 = 30,000) = 30,000 < 100,000: (M) 15% x 200,000 = 30,000.
    # (A): pV 15% x 300,000 = 45,000, otm 0, floor max(250 x 50, 22,500) -> 45,000;
    # (ii)(A) time value 15,000 added back.  Total 45,000 - 15,000 + 30,000 = 60,000.
    # The row's add-on column shows (M); its adjustment moves into its charge (30,000).
    r = run([opt("w", "short", "call", 60, 15_000, 5000, price=60.0)])
    assert m_total(r) == pytest.approx(30_000)
    assert r.total == pytest.approx(60_000)
    d = detail(r)
    assert d.loc["w", "add_on_paragraph"] == M
    assert d.loc["w", "add_on_charge"] == pytest.approx(30_000)
    assert d.loc["w", "charge"] == pytest.approx(30_000)
    assert "15c3-1a(b)(2)(ii)(A) adjustment of -15,000.00" in d.loc["w", "note"]


def test_j_rate_not_half_of_appendix_a() -> None:
    # (M)(1) last sentence: 15% for (J) securities, not 50% of the 15% Appendix A applies.
    # held calls on 4,000 units at 50 = 200,000: (M) 15% x (200,000 - 100,000) = 15,000
    # (half of 15% would give 7,500); (C) 50% x 8,000 = 4,000.  Total 19,000.
    r = run([opt("c", "long", "call", 50, 8000, 4000)])
    assert m_total(r) == pytest.approx(15_000)
    assert r.total == pytest.approx(19_000)


def test_written_put_is_long_and_held_put_short() -> None:
    # written puts on 2,000 units at 50 = 100,000 long with the 200,000 stock: 300,000,
    # (M) 30,000; held puts instead = 100,000 short: 100,000, no (M)
    written = run([stock("s", "long", 4000), opt("p", "short", "put", 45, 1000, 2000)])
    assert m_total(written) == pytest.approx(30_000)
    held = run([stock("s", "long", 4000), opt("p", "long", "put", 45, 1000, 2000)])
    assert m_total(held) == 0


def test_floor_of_500_shares_at_the_underlying_price() -> None:
    # net capital before haircuts 100,000: 10% = 10,000; held calls on 1,000 units at 80 =
    # 80,000; (M)(3) floor max(10,000, 500 x 80 = 40,000) = 40,000:
    # (M) 15% x (80,000 - 40,000) = 6,000; (C) 50% x 2,000 = 1,000.  Total 7,000.
    r = run([opt("c", "long", "call", 80, 2000, 1000, price=80.0)], ncbh=1e5)
    assert m_total(r) == pytest.approx(6_000)
    assert r.total == pytest.approx(7_000)


def test_floor_reaches_nothing_below_it() -> None:
    # net capital 50,000: 10% = 5,000; calls on 200 units at 40 = 8,000; (M)(3) floor
    # max(10,000, 500 x 40 = 20,000) = 20,000, above the 8,000: no (M)
    r = run([opt("c", "long", "call", 40, 500, 200, price=40.0)], ncbh=5e4)
    assert m_total(r) == 0


def test_the_gap_is_no_longer_declared() -> None:
    text = LIMITATIONS["15c3-1(c)(2)(vi)(M)"]
    assert "option" not in text
    assert "(M)(5)" in text
    assert "secured demand notes" in text


@settings(max_examples=40, deadline=None)
@given(
    shares=st.integers(100, 20_000),
    price=st.sampled_from([5.0, 20.0, 50.0, 120.0]),
    units=st.integers(1, 100).map(lambda c: 100 * c),
    kind=st.sampled_from([("long", "call"), ("short", "put")]),
    ncbh=st.sampled_from([5e4, 2e5, 1e6]),
)
def test_an_option_on_the_side_of_a_long_issue_never_lowers_the_add_on(
    shares: int, price: float, units: int, kind: tuple[str, str], ncbh: float
) -> None:
    # Property of the reading: a held call or a written put on a long issue, priced at the
    # stock's price, adds units x price to the position with the same (J) 15% and the same
    # threshold, so the (M) add-on rises by between 0 and 15% x units x price.
    base = [stock("s", "long", shares, price)]
    side, typ = kind
    with_option = [*base, opt("o", side, typ, price, 0.02 * units * price, units, price=price)]
    before = m_total(run(base, ncbh))
    after = m_total(run(with_option, ncbh))
    assert after >= before - 1e-6
    assert after - before <= 0.15 * units * price + 1e-6
