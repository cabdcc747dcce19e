"""Paragraph (B), municipal securities, against hand-worked figures."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from netcap.book.frame import BookError
from netcap.book.model import Position
from tests.conftest import AS_OF, haircut

BIG = 1e12  # net capital before haircuts large enough that (M) never applies


def muni(pid: str, side: str, value: float, **kw: Any) -> Position:
    return Position(id=pid, security_class="municipal", side=side, market_value=value, **kw)


def note(pid: str, days: int, *, issued_days_before: int = 0, value: float = 1e6) -> Position:
    """A discount note maturing ``days`` after AS_OF, issued ``issued_days_before`` before it."""
    return muni(
        pid,
        "long",
        value,
        maturity=AS_OF + timedelta(days=days),
        issue_date=AS_OF - timedelta(days=issued_days_before),
        interest_at_maturity_or_discount=True,
    )


@pytest.mark.parametrize(
    ("days", "rate"),
    [
        (29, 0.0),  # (B)(1)(i) less than 30 days
        (30, 0.00125),  # (ii) 30 days but less than 91: 1/8 of 1%
        (90, 0.00125),
        (91, 0.0025),  # (iii) 1/4 of 1%
        (180, 0.0025),
        (181, 0.00375),  # (iv) 3/8 of 1%
        (270, 0.00375),
        (271, 0.005),  # (v) 1/2 of 1%
        (365, 0.005),
        (366, 0.0075),  # (vi) 3/4 of 1%
        (455, 0.0075),
        (456, 0.01),  # (vii) 1%
        (731, 0.01),  # issued today: 731 days at issue, still (B)(1)
    ],
)
def test_b1_day_buckets(days: int, rate: float) -> None:
    r = haircut([note("n", days)], net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(1e6 * rate)
    assert r.detail.loc[0, "paragraph"].startswith("15c3-1(c)(2)(vi)(B)(1)")


def test_b1_eligibility_ends_at_731_days_at_issue() -> None:
    # 100 days to run (1/4 of 1% under (B)(1)); issued 631 days ago: 731 days at issue -> (B)(1)
    r = haircut([note("n", 100, issued_days_before=631)], net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(2_500)  # 0.25% x 1mm
    # issued 632 days ago: 732 days at issue -> (B)(2) less than 1 year: 1% = 10,000
    r = haircut([note("n", 100, issued_days_before=632)], net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(10_000)
    assert r.detail.loc[0, "paragraph"] == "15c3-1(c)(2)(vi)(B)(2)(i)"


def test_coupon_paying_short_note_is_b2() -> None:
    p = muni(
        "n",
        "long",
        1e6,
        maturity=AS_OF + timedelta(days=100),
        issue_date=AS_OF,
        interest_at_maturity_or_discount=False,
    )
    assert haircut([p], net_capital_before_haircuts=BIG).total == pytest.approx(10_000)  # 1%


def test_short_note_without_its_form_is_refused() -> None:
    p = muni("n", "long", 1e6, maturity=AS_OF + timedelta(days=100), issue_date=AS_OF)
    with pytest.raises(BookError, match="interest_at_maturity_or_discount"):
        haircut([p], net_capital_before_haircuts=BIG)


def test_b1_fact_without_issue_date_is_refused() -> None:
    p = muni("n", "long", 1e6, years_to_maturity=0.5, interest_at_maturity_or_discount=True)
    with pytest.raises(BookError, match="issue_date"):
        haircut([p], net_capital_before_haircuts=BIG)


@pytest.mark.parametrize(
    ("years", "rate"),
    [
        (0.99, 0.01),
        (1.0, 0.02),  # (B)(2)(ii) 1 year but less than 2
        (2.0, 0.03),
        (3.49, 0.03),
        (3.5, 0.04),  # (iv) 3 1/2 years but less than 5
        (5.0, 0.05),
        (7.0, 0.055),
        (10.0, 0.06),
        (15.0, 0.065),
        (19.99, 0.065),
        (20.0, 0.07),  # (ix) 20 years or more
    ],
)
def test_b2_year_buckets(years: float, rate: float) -> None:
    r = haircut([muni("b", "long", 1e6, years_to_maturity=years)], net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(1e6 * rate)


def test_greater_of_long_or_short_in_each_bucket() -> None:
    # same bucket (3 1/2-5y, 4%): the greater side only: 4% x 1mm = 40,000
    same = [
        muni("l", "long", 1e6, years_to_maturity=4),
        muni("s", "short", 4e5, years_to_maturity=4.5),
    ]
    r = haircut(same, net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(40_000)
    assert r.detail.set_index("id").loc["s", "charge"] == 0.0
    # different buckets: 4% x 1mm + 5% x 400k = 40,000 + 20,000
    diff = [
        muni("l", "long", 1e6, years_to_maturity=4),
        muni("s", "short", 4e5, years_to_maturity=6),
    ]
    assert haircut(diff, net_capital_before_haircuts=BIG).total == pytest.approx(60_000)


def test_defaulted_municipal_falls_to_j() -> None:
    r = haircut(
        [muni("d", "long", 1e6, years_to_maturity=4, in_default=True)],
        net_capital_before_haircuts=BIG,
    )
    assert r.total == pytest.approx(150_000)  # (J): 15% x 1mm
    assert r.detail.loc[0, "paragraph"] == "15c3-1(c)(2)(vi)(J)"
