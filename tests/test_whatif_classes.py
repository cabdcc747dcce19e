"""What-if legs outside government securities: (J) equity, (F) hedged debt, (M) concentration."""

from __future__ import annotations

from datetime import date
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from netcap.book.frame import positions_frame
from netcap.dealer.portfolio import combine
from netcap.dealer.registration import RegistrationAnalysis, analyze
from netcap.dealer.strategy import Strategy
from netcap.rule.haircuts import compute_haircuts

AS_OF = date(2025, 1, 2)
NO_CONCENTRATION = 1e15  # (M) threshold 10% = $100 trillion: never reached here


def spec(*legs: dict, **kw: object) -> Strategy:
    return Strategy.model_validate({"name": "t", "as_of": AS_OF, "legs": list(legs), **kw})


def equity_pair(**kw: object) -> Strategy:
    """Long $P of issue A against short $0.5P of issue B."""
    return spec(
        {"security_class": "equity", "side": "long", "size": 1.0, "security_id": "A"},
        {"security_class": "equity", "side": "short", "size": 0.5, "security_id": "B"},
        market_maker_eligible=False,
        **kw,
    )


def test_equity_pair_under_j() -> None:
    a = analyze(equity_pair(net_capital_before_haircuts=NO_CONCENTRATION))
    at = a.at()
    # (J) at P = $50mm: 15% of the greater side (long $50mm) = 7,500,000,
    # plus 15% of the lesser side's excess over 25% of the greater:
    # 15% x (25mm - 12.5mm) = 1,875,000; haircut 9,375,000
    assert at.haircut == pytest.approx(9_375_000.0, rel=1e-12)
    # margin 2% x max(50mm, 25mm) = 1,000,000; dealer (AI) = 100,000 + 9,375,000
    assert at.non_dealer == pytest.approx(1_000_000.0, rel=1e-12)
    assert at.dealer == pytest.approx(9_475_000.0, rel=1e-12)
    # increase 9,475,000 / 1,000,000 - 1 = 847.5%
    assert at.increase_pct == pytest.approx(847.5, rel=1e-12)


def test_corporate_bond_hedged_by_treasury_under_f3() -> None:
    s = spec(
        {
            "security_class": "nonconvertible_debt",
            "side": "long",
            "size": 1.0,
            "years": 7,
            "security_id": "CORP",
            "hedge_leg": 1,
            "position": {"minimal_credit_risk": True},
        },
        {"kind": "treasury", "side": "short", "size": 0.5, "years": 7},
        market_maker_eligible=False,
        net_capital_before_haircuts=NO_CONCENTRATION,
    )
    at = analyze(s).at()
    # hedged amount min(50mm, 25mm) = 25mm at the (F)(3)(ii) 5-10 year rate 2.5% = 625,000;
    # the unhedged 25mm of the bond at (F)(1)(v) 7% = 1,750,000; the Treasury is fully used
    # as the hedge and leaves (A): haircut 2,375,000
    assert at.haircut == pytest.approx(2_375_000.0, rel=1e-12)
    # dealer 100,000 + 2,375,000 = 2,475,000 against margin 1,000,000: +147.5%
    assert at.dealer == pytest.approx(2_475_000.0, rel=1e-12)
    assert at.increase_pct == pytest.approx(147.5, rel=1e-12)


def test_concentration_starts_at_its_knot() -> None:
    # firm capital $100mm: the (M) threshold is 10% = $10mm for each issue; the (J)
    # add-on rate is 15%.  Issue A (P) reaches it at P = 10mm, issue B (0.5P) at 20mm.
    a = concentrated()
    knots = a.curves.haircut.knots
    assert knots[1:] == pytest.approx([10_000_000.0, 20_000_000.0], rel=1e-9)
    h = a.curves.haircut
    # below 10mm only (J): 0.1875 P; at 8mm: 1,500,000
    assert float(h(8_000_000.0)) == pytest.approx(1_500_000.0, rel=1e-9)
    # at 16mm: 0.1875 x 16mm = 3,000,000 plus 15% x (16mm - 10mm) = 900,000
    assert float(h(16_000_000.0)) == pytest.approx(3_900_000.0, rel=1e-9)
    # at 50mm: 9,375,000 + 15% x 40mm = 6,000,000 + 15% x (25mm - 10mm) = 2,250,000
    assert a.at().haircut == pytest.approx(17_625_000.0, rel=1e-12)
    # slope after both knots: 0.1875 + 0.15 + 0.15 x 0.5 = 0.4125
    assert h.tail_slope == pytest.approx(0.4125, rel=1e-9)


@cache
def concentrated() -> RegistrationAnalysis:
    return analyze(equity_pair(net_capital_before_haircuts=100_000_000.0))


@settings(max_examples=25, deadline=None)
@given(st.floats(min_value=1e5, max_value=1e9))
def test_concentration_curve_matches_engine(P: float) -> None:
    a = concentrated()
    frame = positions_frame(a.strategy.positions(P), AS_OF)
    direct = compute_haircuts(frame, AS_OF, net_capital_before_haircuts=100_000_000.0).total
    # the curve at P equals the engine on the legs at P (exact, no interpolation)
    assert float(a.curves.haircut(P)) == pytest.approx(direct, rel=1e-9)


def test_concentration_without_capital_names_the_field() -> None:
    with pytest.raises(ValueError, match="net_capital_before_haircuts"):
        analyze(equity_pair())


def test_combine_passes_capital_and_refuses_disagreement() -> None:
    s = equity_pair(net_capital_before_haircuts=100_000_000.0)
    c = combine([s], sizes=[50_000_000.0])
    assert c.haircut == pytest.approx(17_625_000.0, rel=1e-12)  # as worked above
    other = s.model_copy(update={"net_capital_before_haircuts": 1e9})
    with pytest.raises(ValueError, match="different net_capital_before_haircuts"):
        combine([s, other])


def test_fund_and_option_legs() -> None:
    s = spec(
        {
            "security_class": "equity",
            "instrument": "option",
            "side": "long",
            "size": 0.1,
            "position": {
                "option_type": "call",
                "strike": 100,
                "underlying_price": 100,
                "units": 1000,
                "expiry": "2025-06-20",
                "underlying": "XYZ",
            },
        },
        {
            "security_class": "redeemable_fund",
            "side": "long",
            "size": 1.0,
            "position": {"fund_assets": "debt"},
        },
        P=1_000_000.0,
        market_maker_eligible=False,
        # (M)(1) counts options on an issue in its position, so an option leg, like an
        # equity leg, needs the (M) base; a large one keeps (M) out of this test
        net_capital_before_haircuts=NO_CONCENTRATION,
    )
    detail = analyze(s).haircuts.detail.set_index("id")
    # (D)(3) debt fund: 9% of $1mm = 90,000
    assert detail.loc["leg1", "charge"] == pytest.approx(90_000.0, rel=1e-12)
    assert detail.loc["leg0", "paragraph"].startswith("15c3-1a")
    # with the market-maker alternative open, the option's (a)(6) threshold is refused
    with pytest.raises(NotImplementedError, match="Appendix A"):
        analyze(s.model_copy(update={"market_maker_eligible": True}))


def test_bad_position_fields_name_leg_and_field() -> None:
    with pytest.raises(ValidationError) as err:
        spec(
            {"security_class": "equity", "side": "long", "size": 1},
            {
                "security_class": "equity",
                "side": "long",
                "size": 1,
                "position": {"strik": 1, "market_value": 3, "minimal_credit_risk": "maybe"},
            },
        )
    text = str(err.value)
    assert "legs.1" in text
    for field in ("position.strik", "position.market_value", "position.minimal_credit_risk"):
        assert field in text
    with pytest.raises(ValidationError, match=r"legs\.0\.hedge_leg"):
        spec({"security_class": "equity", "side": "long", "size": 1, "hedge_leg": 0})


def test_legs_carry_facts_into_positions() -> None:
    s = spec(
        {
            "security_class": "nonconvertible_debt",
            "side": "long",
            "size": 1.0,
            "years": 3,
            "hedge_leg": 1,
            "position": {"minimal_credit_risk": True, "in_default": False},
        },
        {"kind": "treasury", "side": "short", "size": 1.0, "years": 3},
    )
    p = s.positions(10.0, prefix="s0.")
    assert p[0].minimal_credit_risk is True
    assert p[0].hedge_with == "s0.leg1"
    assert np.isclose(p[0].value, 10.0)


def test_dealer_margin_never_below_baseline() -> None:
    from netcap.cli import load_strategy  # noqa: PLC0415
    from tests.conftest import FIXTURES  # noqa: PLC0415

    s8 = load_strategy(FIXTURES / "table9" / "strategy_08.json")
    rates = (0.03, 0.01, 0.01)
    legs = tuple(
        leg.model_copy(update={"margin_rate": r}) for leg, r in zip(s8.legs, rates, strict=True)
    )
    at = analyze(s8.model_copy(update={"legs": legs, "dealer_margin_rate": 0.03})).at()
    # non-dealer: 3% x 50mm + 1% x 25mm + 1% x 25mm = 1,500,000 + 250,000 + 250,000 = 2,000,000
    assert at.non_dealer == pytest.approx(2_000_000.0, rel=1e-12)
    # the dealer rate alone would give 3% x max(long 50mm, short 50mm) = 1,500,000; the
    # baseline is the floor, so the dealer margin is 2,000,000.  F + haircut is
    # 100,000 + 2.875% x 50mm = 1,537,500 (strategy 8's Table 10 haircut), below it:
    # dealer 2,000,000, increase 0% (it was -23.125% before the floor)
    assert at.dealer == pytest.approx(2_000_000.0, rel=1e-12)
    assert at.increase_pct == pytest.approx(0.0, abs=1e-9)
