"""Paragraphs (D) investment company shares and (E) money market instruments."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest

from netcap.book.frame import BookError
from netcap.book.model import Position
from tests.conftest import AS_OF, haircut

BIG = 1e12


def pos(pid: str, cls: str, side: str, value: float, **kw: Any) -> Position:
    return Position(id=pid, security_class=cls, side=side, market_value=value, **kw)


@pytest.mark.parametrize(
    ("cls", "assets", "rate", "paragraph"),
    [
        ("money_market_fund", None, 0.02, "15c3-1(c)(2)(vi)(D)(1)"),
        ("redeemable_fund", "money_market", 0.02, "15c3-1(c)(2)(vi)(D)(1)"),
        ("redeemable_fund", "government", 0.07, "15c3-1(c)(2)(vi)(D)(2)"),
        ("redeemable_fund", "debt", 0.09, "15c3-1(c)(2)(vi)(D)(3)"),
        ("redeemable_fund", "other", 0.15, "15c3-1(c)(2)(vi)(J)"),
    ],
)
def test_fund_rates(cls: str, assets: str | None, rate: float, paragraph: str) -> None:
    r = haircut([pos("f", cls, "long", 1e6, fund_assets=assets)], net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(1e6 * rate)
    assert r.detail.loc[0, "paragraph"] == paragraph


def test_fund_greater_of_long_or_short() -> None:
    # (D)(1): 2% of the greater side, 1mm long vs 300k short: 20,000
    legs = [pos("a", "money_market_fund", "long", 1e6), pos("b", "money_market_fund", "short", 3e5)]
    assert haircut(legs).total == pytest.approx(20_000)


def test_funds_are_outside_concentration() -> None:
    # a 1mm fund position is 100% of net capital of 1mm, but (M) excludes fund shares
    r = haircut([pos("f", "money_market_fund", "long", 1e6)], net_capital_before_haircuts=1e6)
    assert r.total == pytest.approx(20_000)


def test_redeemable_fund_needs_its_assets() -> None:
    with pytest.raises(BookError, match="fund_assets"):
        haircut([pos("f", "redeemable_fund", "long", 1e6)])


def mmi(
    pid: str, cls: str, days: int, *, side: str = "long", value: float = 1e6, **kw: Any
) -> Position:
    kw.setdefault("minimal_credit_risk", True)
    return pos(pid, cls, side, value, maturity=AS_OF + timedelta(days=days), **kw)


@pytest.mark.parametrize(
    ("days", "rate"),
    [
        (29, 0.0),
        (30, 0.00125),  # (E)(2) 1/8 of 1%
        (90, 0.00125),
        (91, 0.0025),  # (E)(3)
        (180, 0.0025),
        (181, 0.00375),  # (E)(4)
        (270, 0.00375),
        (271, 0.005),  # (E)(5) 271 days but less than 1 year
    ],
)
def test_e_day_buckets(days: int, rate: float) -> None:
    r = haircut([mmi("c", "commercial_paper", days)], net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(1e6 * rate)


def test_bank_cd_at_one_year_takes_the_government_rate() -> None:
    # as of 2024-06-28: maturing 2025-06-27 is under 1 year -> (E)(5) 1/2 of 1%
    cd = pos(
        "d",
        "certificate_of_deposit",
        "long",
        1e6,
        maturity=date(2025, 6, 27),
        minimal_credit_risk=True,
    )
    assert haircut([cd], net_capital_before_haircuts=BIG).total == pytest.approx(5_000)
    # maturing 2025-06-28: exactly 1 year -> (E)(6) at the (A) rate for 1-2 years, 1 1/2%
    cd = cd.model_copy(update={"maturity": date(2025, 6, 28)})
    r = haircut([cd], net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(15_000)
    assert r.detail.loc[0, "paragraph"] == "15c3-1(c)(2)(vi)(E)(6)"


def test_e6_greater_of_not_net() -> None:
    # long 1mm and short 400k bank acceptances, both 2-3 years ((A) 2%): greater side 2% x 1mm
    legs = [
        pos(
            "a", "bankers_acceptance", "long", 1e6, years_to_maturity=2.5, minimal_credit_risk=True
        ),
        pos(
            "b", "bankers_acceptance", "short", 4e5, years_to_maturity=2.2, minimal_credit_risk=True
        ),
    ]
    assert haircut(legs, net_capital_before_haircuts=BIG).total == pytest.approx(20_000)


def test_e_greater_side_in_bucket() -> None:
    # 100-day CP long 1mm and 120-day CD short 600k: both 91-181 days (1/4%): 2,500
    legs = [
        mmi("a", "commercial_paper", 100),
        mmi("b", "certificate_of_deposit", 120, side="short", value=6e5),
    ]
    assert haircut(legs, net_capital_before_haircuts=BIG).total == pytest.approx(2_500)


def test_negative_credit_assessment_sends_e_to_j() -> None:
    # (I): no favourable assessment, no (E) rate: (J) 15%
    r = haircut(
        [mmi("c", "commercial_paper", 100, minimal_credit_risk=False)],
        net_capital_before_haircuts=BIG,
    )
    assert r.total == pytest.approx(150_000)


def test_missing_credit_assessment_is_refused() -> None:
    with pytest.raises(BookError, match="minimal_credit_risk"):
        haircut([mmi("c", "certificate_of_deposit", 100, minimal_credit_risk=None)])


def test_commercial_paper_over_nine_months_at_issue_is_refused() -> None:
    # issued 2023-12-27, maturing 2024-10-06: more than 9 months at issue
    p = mmi("c", "commercial_paper", 100, issue_date=date(2023, 12, 27))
    with pytest.raises(BookError, match="nonconvertible_debt"):
        haircut([p])
    # issued 2024-01-06: exactly 9 months before 2024-10-06 -> accepted
    ok = mmi("c", "commercial_paper", 100, issue_date=date(2024, 1, 6))
    assert haircut([ok], net_capital_before_haircuts=BIG).total == pytest.approx(2_500)


def test_e_needs_a_maturity_date() -> None:
    p = pos("c", "commercial_paper", "long", 1e6, years_to_maturity=0.3, minimal_credit_risk=True)
    with pytest.raises(BookError, match="maturity"):
        haircut([p])
