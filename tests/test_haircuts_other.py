"""Paragraphs (J), (K), (L), (vii), non-security crypto, (C), and the refusal of options."""

from __future__ import annotations

from typing import Any

import pytest

from netcap.book.frame import BookError
from netcap.book.model import Position
from netcap.rule.haircuts import HaircutOptions, LimitedMarketOptions
from tests.conftest import gov, haircut

BIG = 1e12


def eq(pid: str, side: str, value: float, **kw: Any) -> Position:
    return Position(id=pid, security_class="equity", side=side, market_value=value, **kw)


def total(positions: list[Position], options: HaircutOptions | None = None) -> float:
    return haircut(positions, options, net_capital_before_haircuts=BIG).total


@pytest.mark.parametrize(
    ("long", "short", "expected"),
    [
        (100, 20, 15.0),  # 15% x 100; 20 is under 25% of 100: nothing more
        (100, 25, 15.0),  # exactly 25%: no excess
        (100, 40, 17.25),  # 15 + 15% x (40 - 25)
        (30, 100, 15.75),  # short greater: 15 + 15% x (30 - 25)
        (100, 100, 26.25),  # 15 + 15% x 75
        (100, 0, 15.0),
    ],
)
def test_j_twenty_five_percent_rule(long: float, short: float, expected: float) -> None:
    legs = [eq("l", "long", long, security_id="A")]
    if short:
        legs.append(eq("s", "short", short, security_id="B"))  # another issuer
    assert total(legs) == pytest.approx(expected)


def test_j_detail_allocates_both_charges() -> None:
    r = haircut([eq("l", "long", 100), eq("s", "short", 40)], net_capital_before_haircuts=BIG)
    d = r.detail.set_index("id")
    assert d.loc["l", "charge"] == pytest.approx(15.0)
    assert d.loc["s", "charge"] == pytest.approx(2.25)
    sheet = r.worksheets["other_securities"].iloc[0]
    assert sheet["lesser_excess_over_25pct"] == pytest.approx(15.0)


def test_j2_called_for_redemption_is_not_charged() -> None:
    r = haircut(
        [eq("c", "long", 1000, called_within_90_days=True)], net_capital_before_haircuts=BIG
    )
    assert r.total == 0.0
    assert r.detail.loc[0, "paragraph"] == "15c3-1(c)(2)(vi)(J)(2)"


def test_j1_convertible_into_a_security_held_short_is_not_charged() -> None:
    # (J): "No deduction need be made in the case of: (1) A security that is convertible
    # into or exchangeable for another security within a period of 90 days, subject to no
    # conditions other than the payment of money, and the other securities into which such
    # security is convertible or for which it is exchangeable, are short in the accounts".
    # Long 1,000 convertible preferred (flagged), short 800 of the common: the convertible
    # carries nothing; the short stays in (J) alone: 15% x 800 = 120.
    conv = Position(
        id="cv",
        security_class="equity",
        side="long",
        market_value=1000,
        converts_into_short_within_90_days=True,
    )
    r = haircut([conv, eq("s", "short", 800)], net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(120)
    d = r.detail.set_index("id")
    assert d.loc["cv", "paragraph"] == "15c3-1(c)(2)(vi)(J)(1)"
    assert d.loc["cv", "charge"] == 0
    # (M)(2) keeps the first proviso's exemptions outside (M): with 1mm net capital before
    # haircuts a 200,000 flagged convertible draws no add-on either.
    big = conv.model_copy(update={"market_value": 200_000})
    assert haircut([big], net_capital_before_haircuts=1e6).total == 0


def test_j1_flag_on_a_position_outside_j_is_refused() -> None:
    p = gov("g", "long", 1000, 2).model_copy(update={"converts_into_short_within_90_days": True})
    with pytest.raises(BookError, match="converts_into_short_within_90_days"):
        haircut([p], net_capital_before_haircuts=BIG)


def test_k_one_or_two_market_makers() -> None:
    # 40% of each position, long and short, no netting: 400 + 200
    legs = [
        eq("a", "long", 1000, limited_market=True, market_makers=2),
        eq("b", "short", 500, limited_market=True, market_makers=1),
    ]
    assert total(legs) == pytest.approx(600)
    # three market makers: (J): 15% x 1000 + 15% x (500 - 250) = 187.5
    legs3 = [p.model_copy(update={"market_makers": 3}) for p in legs]
    assert total(legs3) == pytest.approx(187.5)


def test_k_without_market_makers_is_refused() -> None:
    with pytest.raises(BookError, match="market_makers"):
        total([eq("a", "long", 1000, limited_market=True)])
    with pytest.raises(BookError, match="ready_market"):
        total([eq("a", "long", 1000, limited_market=True, market_makers=0)])


def test_l_reduction_is_bounded_by_j() -> None:
    legs = [eq("a", "long", 1000, limited_market=True, market_makers=2)]
    opts = HaircutOptions(limited_market=LimitedMarketOptions(reductions=(("a", 0.2),)))
    r = haircut(legs, opts, net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(200)  # reduced to 20%
    assert r.detail.loc[0, "paragraph"] == "15c3-1(c)(2)(vi)(L)"
    low = HaircutOptions(limited_market=LimitedMarketOptions(reductions=(("a", 0.10),)))
    with pytest.raises(ValueError, match=r"\(J\) rate"):
        total(legs, low)


def test_vii_no_ready_market_full_value_either_side() -> None:
    legs = [
        eq("a", "long", 1000, ready_market=False),
        Position(id="b", security_class="no_ready_market", side="short", market_value=300),
        Position(
            id="m",
            security_class="municipal",
            side="long",
            market_value=200,
            years_to_maturity=3,
            ready_market=False,
        ),
    ]
    r = haircut(legs, net_capital_before_haircuts=BIG)
    assert r.total == pytest.approx(1500)
    assert set(r.detail["paragraph"]) == {"15c3-1(c)(2)(vii)"}


def test_non_security_crypto_is_deducted_in_full() -> None:
    c = Position(id="btc", security_class="crypto_non_security", side="long", market_value=700)
    r = haircut([c], net_capital_before_haircuts=1.0)  # (M) does not reach it
    assert r.total == pytest.approx(700)
    assert r.detail.loc[0, "paragraph"] == "15c3-1(c)(2)(iv)"
    with pytest.raises(BookError, match="liability"):
        total(
            [Position(id="btc", security_class="crypto_non_security", side="short", market_value=7)]
        )


def test_options_without_their_terms_are_refused_by_field() -> None:
    # options are charged under Appendix A (tests/test_haircuts_options.py); one
    # without its terms is refused, naming the missing field
    opt = Position(
        id="call-1", security_class="equity", instrument="option", side="long", market_value=5
    )
    with pytest.raises(BookError, match="strike"):
        total([eq("a", "long", 100), opt])


def test_canadian_debt_takes_the_government_method_on_its_own() -> None:
    # Canada long 10mm 12y (4.5%) and short 6mm 26y (6%): |450k - 360k| + 50% x 360k = 270k
    def cdn(pid: str, side: str, value: float, years: float) -> Position:
        return Position(
            id=pid,
            security_class="canadian_government",
            side=side,
            market_value=value,
            years_to_maturity=years,
        )

    r = haircut(
        [cdn("a", "long", 10e6, 12), cdn("b", "short", 6e6, 26)], net_capital_before_haircuts=BIG
    )
    assert r.total == pytest.approx(270_000)
    assert set(r.detail["paragraph"]) == {"15c3-1(c)(2)(vi)(C)"}
    # no offset against a United States Treasury: 3% x 1mm each
    legs = [cdn("c", "long", 1e6, 4), gov("t", "short", 1e6, 4)]
    assert total(legs) == pytest.approx(60_000)
