"""Paragraphs (F) nonconvertible debt with its hedges, (G) convertible debt, (H) preferred, (I)."""

from __future__ import annotations

from typing import Any

import pytest

from netcap.book.frame import BookError
from netcap.book.model import Position
from tests.conftest import gov, haircut

BIG = 1e12


def corp(pid: str, side: str, value: float, years: float, **kw: Any) -> Position:
    kw.setdefault("minimal_credit_risk", True)
    return Position(
        id=pid,
        security_class="nonconvertible_debt",
        side=side,
        market_value=value,
        years_to_maturity=years,
        **kw,
    )


def total(positions: list[Position], **kw: Any) -> float:
    kw.setdefault("net_capital_before_haircuts", BIG)
    return haircut(positions, **kw).total


@pytest.mark.parametrize(
    ("years", "rate"),
    [
        (0.99, 0.02),
        (1.0, 0.03),  # (F)(1)(ii) 1 year but less than 2
        (2.0, 0.05),
        (3.0, 0.06),
        (4.99, 0.06),
        (5.0, 0.07),
        (10.0, 0.075),  # 7 1/2%
        (15.0, 0.08),
        (20.0, 0.085),  # 8 1/2%
        (24.99, 0.085),
        (25.0, 0.09),  # (ix) 25 years or more
    ],
)
def test_f1_year_buckets(years: float, rate: float) -> None:
    assert total([corp("b", "long", 1e6, years)]) == pytest.approx(1e6 * rate)


def test_f1_greater_side_in_category() -> None:
    # long 1mm 4y and short 700k 3.5y, both 3-5y (6%): 6% x 1mm
    assert total([corp("a", "long", 1e6, 4), corp("b", "short", 7e5, 3.5)]) == pytest.approx(60_000)


def test_f3_hedged_by_treasury() -> None:
    # corp long 1mm 4y hedged by T short 1mm 4.25y (both under 5y, 3 months apart):
    # (F)(3)(i) 1 1/2% x 1mm = 15,000; the Treasury leaves (A)
    legs = [corp("b", "long", 1e6, 4, hedge_with="t"), gov("t", "short", 1e6, 4.25)]
    r = haircut(legs, net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(15_000)
    d = r.detail.set_index("id")
    assert d.loc["b", "paragraph"] == "15c3-1(c)(2)(vi)(F)(3)(i)"
    assert d.loc["t", "charge"] == 0.0
    assert d.loc["t", "exposure"] == 0.0


def test_f3_partial_hedge() -> None:
    # T short 600k hedges 600k: 1.5% x 600k = 9,000; unhedged 400k at (F)(1) 6% = 24,000
    legs = [corp("b", "long", 1e6, 4, hedge_with="t"), gov("t", "short", 6e5, 4.25)]
    assert total(legs) == pytest.approx(33_000)


def test_f3_rate_boundary_at_five_years() -> None:
    # corp 5y exactly (F)(3)(ii) 2 1/2%; T 5.5y: window (F)(2)(ii) 5-10y, 6 months apart
    legs = [corp("b", "long", 1e6, 5, hedge_with="t"), gov("t", "short", 1e6, 5.5)]
    assert total(legs) == pytest.approx(25_000)


def test_f4_hedged_by_other_debt() -> None:
    # long 1mm 12y hedged by short 800k 13.5y (10-15y window, 18 months apart):
    # (F)(4)(iii) 3 1/4% x 800k = 26,000 (rate of the longer maturity, 13.5y)
    # unhedged 200k long at (F)(1) 10-15y 7 1/2% = 15,000
    legs = [corp("a", "long", 1e6, 12, hedge_with="b"), corp("b", "short", 8e5, 13.5)]
    r = haircut(legs, net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(41_000)
    assert r.detail.set_index("id").loc["b", "charge"] == 0.0


def test_f2_window_iv_and_its_gap() -> None:
    # 16y vs 25.9y: both 15y or more, 9.9 years apart -> (F)(4)(iv) 3 1/2% of 1mm
    legs = [corp("a", "long", 1e6, 16, hedge_with="b"), corp("b", "short", 1e6, 25.9)]
    assert total(legs) == pytest.approx(35_000)
    legs[1] = corp("b", "short", 1e6, 26.5)  # 10.5 years apart
    with pytest.raises(BookError, match=r"\(F\)\(2\)"):
        total(legs)


@pytest.mark.parametrize(
    ("hedge", "message"),
    [
        (gov("t", "short", 1e6, 4.6), "windows"),  # 7.2 months apart (limit 6)
        (gov("t", "long", 1e6, 4.25), "opposite side"),
    ],
)
def test_f2_rejects_ineligible_hedges(hedge: Position, message: str) -> None:
    with pytest.raises(BookError, match=message):
        total([corp("b", "long", 1e6, 4, hedge_with="t"), hedge])


def test_f5_government_future_as_hedge() -> None:
    # a short 4y Treasury future (contract value 1mm) hedges the 4y corp: (F)(3) 1.5%
    fut = gov("f", "short", 1e6, 4, future=True)
    r = haircut([corp("b", "long", 1e6, 4, hedge_with="f"), fut], net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(15_000)
    assert "margin charge not computed" in r.detail.set_index("id").loc["f", "note"]


def test_i_negative_assessment_and_default_fall_to_j() -> None:
    assert total([corp("b", "long", 1e6, 4, minimal_credit_risk=False)]) == pytest.approx(150_000)
    assert total([corp("b", "long", 1e6, 4, in_default=True)]) == pytest.approx(150_000)
    with pytest.raises(BookError, match="minimal_credit_risk"):
        total([corp("b", "long", 1e6, 4, minimal_credit_risk=None)])


def conv(value: float, principal: float | None, **kw: Any) -> Position:
    return Position(
        id="c",
        security_class="convertible_debt",
        side="long",
        market_value=value,
        principal_amount=principal,
        years_to_maturity=4,
        **kw,
    )


def test_g_at_or_above_principal_is_j() -> None:
    # market value 100% or more of principal: (J) 15%
    assert total([conv(1.05e6, 1e6)]) == pytest.approx(157_500)
    assert total([conv(1e6, 1e6)]) == pytest.approx(150_000)


def test_g_below_principal_is_f() -> None:
    # 900k for 1mm principal, 4 years, minimal credit risk: (F)(1) 6% = 54,000
    r = haircut([conv(9e5, 1e6, minimal_credit_risk=True)], net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(54_000)
    assert r.detail.loc[0, "paragraph"] == "15c3-1(c)(2)(vi)(G)"
    # failing the (F) credit condition: (J) 15% = 135,000
    assert total([conv(9e5, 1e6, minimal_credit_risk=False)]) == pytest.approx(135_000)


def test_g_needs_principal() -> None:
    with pytest.raises(BookError, match="principal_amount"):
        total([conv(9e5, None)])


def pref(side: str, value: float, **kw: Any) -> Position:
    kw.setdefault("minimal_credit_risk", True)
    return Position(id=f"p{side}", security_class="preferred", side=side, market_value=value, **kw)


def test_h_preferred() -> None:
    assert total([pref("long", 1e6)]) == pytest.approx(100_000)  # 10%
    # greater of long 1mm or short 400k: 10% x 1mm
    assert total([pref("long", 1e6), pref("short", 4e5)]) == pytest.approx(100_000)
    assert total([pref("long", 1e6, in_default=True)]) == pytest.approx(150_000)  # arrears: (J)
