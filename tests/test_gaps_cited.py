"""Hand-worked tests naming paragraphs the engine applies but no test cited by name.

Each test's expected figures are worked from the paragraph it names, in the comments.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from netcap.book.firm import MarketMakerAccount, SoleProprietor
from netcap.book.frame import BookError, positions_frame
from netcap.book.model import Position
from netcap.rule.market_maker import a6_report, market_maker_thresholds
from tests.computation_helpers import AS_OF, book, liability, run
from tests.conftest import gov, haircut

BIG = 1e12  # net capital large enough that no (c)(2)(vi)(M) concentration charge applies


def pos(pid: str, cls: str, side: str, value: float, **kw: Any) -> Position:
    return Position(id=pid, security_class=cls, side=side, market_value=value, **kw)


def total(positions: list[Position]) -> float:
    return haircut(positions, net_capital_before_haircuts=BIG).total


# --- 15c3-1(a)(1)(i): aggregate indebtedness standard -------------------------------------


@pytest.mark.parametrize(
    ("commenced", "limit", "required"),
    [
        # commenced exactly 12 months before the as-of date: the first 12 months are over,
        # so 1500%: 3,000,000 / 15 = 200,000
        (date(2023, 6, 28), 15, 200_000),
        # one day later: still within the first 12 months, 800%: 3,000,000 / 8 = 375,000
        (date(2023, 6, 29), 8, 375_000),
    ],
)
def test_a1i_ai_standard_1500_and_800_percent(
    commenced: date, limit: float, required: float
) -> None:
    """15c3-1(a)(1)(i): net capital must be at least AI / 15 (AI / 8 in the first year)."""
    r = run(
        book(
            1_000_000,
            liabilities=(liability("ap", 3_000_000),),
            firm={"commenced_business": commenced},
        )
    )
    cand = r.requirement.candidates.set_index("key").loc["aggregate_indebtedness_ratio"]
    assert cand["amount"] == pytest.approx(required)
    assert cand["citation"] == "15c3-1(a)(1)(i)"
    # it exceeds the $100,000 dealer minimum of (a)(2)(iii), so it binds
    assert r.requirement.binding_key == "aggregate_indebtedness_ratio"
    assert r.requirement.amount == pytest.approx(required)
    # AI 3,000,000 over net capital 1,000,000 = 300%
    assert r.line("ai_ratio_pct") == pytest.approx(300.0)
    assert r.lines.set_index("line").loc["ai_ratio_pct", "citation"] == "15c3-1(a)(1)(i)"


def test_a1i_exactly_at_the_1500_percent_limit() -> None:
    """15c3-1(a)(1)(i): AI of exactly 1500% of net capital is permitted (no deficit)."""
    # AI 15,000,000, net capital 1,000,000: required 15,000,000 / 15 = 1,000,000 = net capital
    r = run(book(1_000_000, liabilities=(liability("ap", 15_000_000),)))
    assert r.requirement.amount == pytest.approx(1_000_000)
    assert r.line("excess_net_capital") == pytest.approx(0.0)
    assert r.line("ai_ratio_pct") == pytest.approx(1500.0)


# --- 15c3-1(a)(6)(ii) and (a)(6)(iii)(A): market-maker alternative -------------------------


def mm_account(**facts: Any) -> MarketMakerAccount:
    conditions = {
        "transacts_only_with_brokers_dealers": True,
        "carries_customer_accounts": False,
        "transacts_unlisted_options": False,
        "cleared_by_another_broker_dealer": True,
        **facts,
    }
    return MarketMakerAccount(
        id="mm",
        positions=(pos("e", "equity", "long", 1_000_000),),
        credit_balance=0.0,
        **conditions,
    )


def test_a6ii_all_four_conditions_met() -> None:
    """15c3-1(a)(6)(ii): four conditions, each reported with its citation."""
    rep = a6_report(mm_account(), AS_OF)
    a6ii = rep.conditions[rep.conditions["citation"] == "15c3-1(a)(6)(ii)"]
    assert len(a6ii) == 4  # brokers/dealers only; no customers; no unlisted options; cleared
    assert a6ii["met"].all()
    assert rep.eligible


@pytest.mark.parametrize(
    "fact",
    [
        {"transacts_only_with_brokers_dealers": False},
        {"carries_customer_accounts": True},
        {"transacts_unlisted_options": True},
        {"cleared_by_another_broker_dealer": False},
    ],
)
def test_a6ii_any_failed_condition_makes_the_dealer_ineligible(fact: dict[str, bool]) -> None:
    """15c3-1(a)(6)(ii): the alternative is available only when every condition holds."""
    rep = a6_report(mm_account(**fact), AS_OF)
    assert not rep.eligible
    failed = rep.conditions[~rep.conditions["met"]]
    assert list(failed["citation"]) == ["15c3-1(a)(6)(ii)"]


def test_a6iiiA_liquidating_equity_rates() -> None:
    """15c3-1(a)(6)(iii)(A): 25% of longs, 5% of exempted longs, 30% of shorts."""
    positions = [
        pos("eq_long", "equity", "long", 1_000_000),  # 25% = 250,000
        gov("ust_long", "long", 2_000_000, 4),  # exempted security: 5% = 100,000
        pos("eq_short", "equity", "short", 500_000),  # 30% = 150,000
        gov("ust_short", "short", 100_000, 2),  # short, exempted or not: 30% = 30,000
        gov("ust_fut", "long", 400_000, 10, future=True),  # a future is not exempted: 25%
    ]
    t = market_maker_thresholds(positions_frame(positions, AS_OF), AS_OF).set_index("id")
    expected = {
        "eq_long": 250_000,
        "ust_long": 100_000,
        "eq_short": 150_000,
        "ust_short": 30_000,
        "ust_fut": 100_000,  # 25% x 400,000
    }
    for pid, amount in expected.items():
        assert t.loc[pid, "threshold"] == pytest.approx(amount), pid
    assert (t["citation"] == "15c3-1(a)(6)(iii)(A)").all()
    # total 250,000 + 100,000 + 150,000 + 30,000 + 100,000 = 630,000
    assert t["threshold"].sum() == pytest.approx(630_000)


# --- 15c3-1(c)(2)(ii) and (c)(2)(iii): net worth adjustments --------------------------------


def test_c2ii_subordinated_liabilities_added_back() -> None:
    """15c3-1(c)(2)(ii): subordinated liabilities are added to net worth and are not AI."""
    r = run(
        book(
            1_000_000,
            liabilities=(
                liability("ap", 300_000),
                liability("sub1", 400_000, "subordinated"),
                liability("sub2", 100_000, "subordinated", qualifies_as_equity=True),
            ),
        )
    )
    # both subordinated liabilities are added back: 400,000 + 100,000 = 500,000
    assert r.line("subordinated_liabilities") == pytest.approx(500_000)
    assert (
        r.lines.set_index("line")
        .loc["subordinated_liabilities", "citation"]
        .startswith("15c3-1(c)(2)(ii)")
    )
    # total capital 1,000,000 + 500,000; AI is the trade payable alone
    assert r.line("total_capital") == pytest.approx(1_500_000)
    assert r.line("aggregate_indebtedness") == pytest.approx(300_000)


@pytest.mark.parametrize(
    ("liabilities", "assets", "deduction"),
    [
        (80_000, 50_000, 30_000),  # 80,000 - 50,000
        (50_000, 50_000, 0.0),  # equal: no excess
        (20_000, 50_000, 0.0),  # assets exceed liabilities: nothing (no credit either)
    ],
)
def test_c2iii_sole_proprietor_excess_liabilities(
    liabilities: float, assets: float, deduction: float
) -> None:
    """15c3-1(c)(2)(iii): deduct non-business liabilities over non-business assets."""
    sp = SoleProprietor(non_business_liabilities=liabilities, non_business_assets=assets)
    r = run(book(1_000_000, sole_proprietor=sp))
    assert r.line("sole_proprietor") == pytest.approx(-deduction)
    assert r.lines.set_index("line").loc["sole_proprietor", "citation"] == "15c3-1(c)(2)(iii)"
    assert r.tentative_net_capital == pytest.approx(1_000_000 - deduction)


# --- 15c3-1(c)(2)(vi)(H), (I), (K) ---------------------------------------------------------


def pref(pid: str, side: str, value: float, **kw: Any) -> Position:
    kw.setdefault("minimal_credit_risk", True)
    return pos(pid, "preferred", side, value, **kw)


@pytest.mark.parametrize(
    ("long", "short", "expected"),
    [
        (1_000_000, 1_200_000, 120_000),  # greater is the short: 10% x 1,200,000
        (500_000, 500_000, 50_000),  # equal: 10% x 500,000
        (300_000, 0, 30_000),  # long only
    ],
)
def test_c2viH_preferred_ten_percent_of_greater_side(
    long: float, short: float, expected: float
) -> None:
    """15c3-1(c)(2)(vi)(H): 10% of the greater of the long or the short position."""
    legs = [pref("l", "long", long)]
    if short:
        legs.append(pref("s", "short", short))
    assert total(legs) == pytest.approx(expected)


def test_c2viH_line_on_the_computation() -> None:
    """15c3-1(c)(2)(vi)(H): the charge shows as its own haircut line with its citation."""
    r = run(book(100_000_000, positions=(pref("l", "long", 1_000_000),)))
    # 10% x 1,000,000; 1,000,000 is under 10% of tentative net capital, so no (M) add-on
    assert r.line("haircut:15c3-1(c)(2)(vi)(H)") == pytest.approx(-100_000)
    cites = r.lines.set_index("line")["citation"]
    assert cites["haircut:15c3-1(c)(2)(vi)(H)"] == "15c3-1(c)(2)(vi)(H)"


def test_c2viI_negative_assessment_falls_to_J() -> None:
    """15c3-1(c)(2)(vi)(I): without a favourable assessment the (H) rate is not available."""
    # assessed as more than minimal credit risk: (J) 15% x 1,000,000 = 150,000, not 10%
    assert total([pref("l", "long", 1_000_000, minimal_credit_risk=False)]) == pytest.approx(
        150_000
    )
    # assessed favourably: (H) 10%
    assert total([pref("l", "long", 1_000_000)]) == pytest.approx(100_000)


def test_c2viI_assessment_must_be_stated() -> None:
    """15c3-1(c)(2)(vi)(I): an (H) position with no assessment outcome is refused, not guessed."""
    with pytest.raises(BookError, match="minimal_credit_risk"):
        total([pos("l", "preferred", "long", 1_000_000)])


def test_c2viI_commercial_paper_needs_assessment() -> None:
    """15c3-1(c)(2)(vi)(I) also governs (E): no assessment outcome, no (E) rate."""
    cp = pos("cp", "commercial_paper", "long", 1_000_000, maturity=date(2024, 7, 28))
    with pytest.raises(BookError, match="minimal_credit_risk"):
        total([cp])


def test_c2viK_one_or_two_market_makers_forty_percent() -> None:
    """15c3-1(c)(2)(vi)(K): 40% of long and of short with one or two market makers."""
    legs = [
        pos("a", "equity", "long", 1_000_000, limited_market=True, market_makers=2),
        pos("b", "equity", "short", 200_000, limited_market=True, market_makers=1),
    ]
    # 40% x 1,000,000 + 40% x 200,000 = 480,000 (no netting of long against short)
    assert total(legs) == pytest.approx(480_000)


def test_c2viK_three_market_makers_is_J() -> None:
    """15c3-1(c)(2)(vi)(K)(i): three or more market makers: the (J) deduction."""
    p = pos("a", "equity", "long", 1_000_000, limited_market=True, market_makers=3)
    assert total([p]) == pytest.approx(150_000)  # (J): 15% x 1,000,000


def test_c2viK_line_on_the_computation() -> None:
    """15c3-1(c)(2)(vi)(K): reported on its own haircut line."""
    p = pos("a", "equity", "long", 1_000_000, limited_market=True, market_makers=1)
    r = run(book(100_000_000, positions=(p,)))
    assert r.line("haircut:15c3-1(c)(2)(vi)(K)") == pytest.approx(-400_000)  # 40%


# --- 15c3-1(c)(2)(viii): open contractual commitments --------------------------------------


def test_c2viii_commitment_entered_as_a_position_takes_the_vi_deduction() -> None:
    """15c3-1(c)(2)(viii): the net position a commitment contemplates takes the (vi) rate.

    The firm enters the net long or short position contemplated by the commitment as a
    position; a ``commitments`` row naming it applies (viii)(A)-(C) (tests/test_commitments.py).
    """
    # a firm commitment to buy 1,000,000 of listed common stock: (J) 15% = 150,000
    assert total([pos("c", "equity", "long", 1_000_000)]) == pytest.approx(150_000)


def test_c2viii_is_no_longer_a_declared_limitation() -> None:
    """15c3-1(c)(2)(viii)(A)-(C) are computed (netcap.rule.commitments), so no gap is declared."""
    from netcap.rule.net_worth import LIMITATIONS  # noqa: PLC0415

    assert "15c3-1(c)(2)(viii)" not in LIMITATIONS


# --- 15c3-1b(a)(3)(ix)(C): uncovered commodity inventory -----------------------------------


def commodity(pid: str, side: str, value: float, name: str) -> Position:
    return pos(pid, "commodity", side, value, security_id=name)


def test_appendix_b_ix_C_twenty_percent_of_net_position() -> None:
    """15c3-1b(a)(3)(ix)(C): 20% of the uncovered net position in each commodity."""
    # gold: long 1,000,000 and short 400,000 net to 600,000 long: 20% = 120,000
    gold = [commodity("g1", "long", 1_000_000, "gold"), commodity("g2", "short", 400_000, "gold")]
    assert total(gold) == pytest.approx(120_000)
    # silver short 300,000 is another commodity: 20% x 300,000 = 60,000 more
    r = haircut([*gold, commodity("s", "short", 300_000, "silver")])
    assert r.total == pytest.approx(180_000)
    assert set(r.detail["paragraph"]) == {"15c3-1b(a)(3)(ix)(C)"}
