"""Minimum requirements of 15c3-1(a): every firm type, the alternative standard, (a)(4), (a)(6)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from netcap.book.firm import (
    Book,
    FirmType,
    MarketMakerAccount,
    MarketMaking,
    MarketMakingSecurity,
)
from netcap.book.model import Position
from netcap.rule.market_maker import a4_requirement
from netcap.rule.requirements import RequirementInputError
from tests.computation_helpers import AS_OF, book, liability, run
from tests.conftest import gov


@pytest.mark.parametrize(
    ("firm_type", "amount", "citation"),
    [
        ("carrying", 250_000, "15c3-1(a)(2)(i)"),
        ("carrying_k2i", 100_000, "15c3-1(a)(2)(ii)"),
        ("dealer", 100_000, "15c3-1(a)(2)(iii)"),
        ("introducing_receiving", 50_000, "15c3-1(a)(2)(iv)"),
        ("fund_share_broker", 25_000, "15c3-1(a)(2)(v)"),
        ("non_carrying_broker", 5_000, "15c3-1(a)(2)(vi)"),
        ("municipal_brokers_broker", 150_000, "15c3-1(a)(8)(iii)"),
    ],
)
def test_fixed_dollar_minimum_by_firm_type(firm_type: str, amount: float, citation: str) -> None:
    r = run(book(firm_type=FirmType(firm_type)))
    assert r.requirement.amount == amount
    assert r.requirement.citation == citation
    assert r.requirement.binding_key == "fixed_minimum"  # AI is zero, so the ratio gives 0
    assert r.line("minimum_dollar_requirement") == amount


def test_every_firm_type_tested() -> None:
    tested = {a[0] for a in test_fixed_dollar_minimum_by_firm_type.pytestmark[0].args[1]}
    assert tested == {t.value for t in FirmType}


def test_ratio_binds_above_the_fixed_minimum() -> None:
    # AI 3mm / 15 = 200,000 > 100,000
    r = run(book(liabilities=(liability("x", 3_000_000),)))
    assert r.requirement.amount == pytest.approx(200_000)
    assert r.requirement.binding_key == "aggregate_indebtedness_ratio"
    cand = r.requirement.candidates.set_index("key")
    assert cand.loc["fixed_minimum", "amount"] == 100_000
    assert not cand.loc["fixed_minimum", "binding"]


def test_excess_net_capital_is_measured_against_the_a_requirement() -> None:
    # Net worth 1,000,000, no positions, no deductions: net capital 1,000,000.
    # AI 3,000,000 / 15 = 200,000 beats the dealer's 100,000, so the (a) requirement is
    # 200,000 and the excess is 1,000,000 - 200,000 = 800,000.  The line cites paragraph
    # (a), which sets the requirement the excess is measured against.
    r = run(book(liabilities=(liability("x", 3_000_000),)))
    assert r.excess_net_capital == pytest.approx(800_000)
    assert r.lines.set_index("line").loc["excess_net_capital", "citation"] == "15c3-1(a)"


def test_tie_reports_the_fixed_minimum() -> None:
    r = run(book(liabilities=(liability("x", 1_500_000),)))  # 1.5mm / 15 = 100,000
    assert r.requirement.binding_key == "fixed_minimum"


@pytest.mark.parametrize(
    ("adi", "amount", "binding"),
    [
        (10_000_000, 250_000, "alternative_floor"),  # 2% = 200,000 < 250,000
        (12_500_000, 250_000, "alternative_floor"),  # 2% = 250,000: tie, floor reported
        (20_000_000, 400_000, "alternative_debit_items"),  # 2% = 400,000
    ],
)
def test_alternative_standard(adi: float, amount: float, binding: str) -> None:
    b = book(
        firm_type=FirmType.CARRYING,
        firm={"alternative_standard": True},
        liabilities=(liability("x", 90_000_000),),  # AI plays no part under (a)(1)(ii)
    )
    r = run(b, aggregate_debit_items=adi)
    assert r.requirement.amount == pytest.approx(amount)
    assert r.requirement.binding_key == binding
    assert "aggregate_indebtedness_ratio" not in set(r.requirement.candidates["key"])


def test_alternative_standard_floor_below_a2_for_small_firm() -> None:
    # a fund-share broker electing (a)(1)(ii) still needs $250,000
    b = book(firm_type=FirmType.FUND_SHARE_BROKER, firm={"alternative_standard": True})
    assert run(b, aggregate_debit_items=0.0).requirement.amount == 250_000


def test_alternative_standard_needs_debit_items() -> None:
    with pytest.raises(RequirementInputError, match="aggregate_debit_items"):
        run(book(firm={"alternative_standard": True}))


def test_debit_items_from_the_book() -> None:
    b = book(firm={"alternative_standard": True})
    b = Book.model_validate({**b.model_dump(), "aggregate_debit_items": 30_000_000})
    assert run(b).requirement.amount == pytest.approx(600_000)  # 2% of 30mm


def mm(*prices: float) -> MarketMaking:
    return MarketMaking(
        securities=tuple(
            MarketMakingSecurity(security_id=f"s{i}", market_value=p) for i, p in enumerate(prices)
        )
    )


@pytest.mark.parametrize(
    ("price", "amount"),
    [(5.00, 1_000), (4.99, 1_000), (5.01, 2_500), (0.0, 1_000), (250.0, 2_500)],
)
def test_a4_five_dollar_boundary(price: float, amount: float) -> None:
    # "$5 or less": $1,000; above $5: $2,500
    assert a4_requirement(mm(price), AS_OF).amount == amount


def test_a4_cap_at_one_million() -> None:
    at_cap = a4_requirement(mm(*([10.0] * 400)), AS_OF)  # 400 x 2,500 = 1,000,000
    assert (at_cap.amount, at_cap.capped) == (1_000_000, False)
    over = a4_requirement(mm(*([10.0] * 401)), AS_OF)  # 1,002,500 -> capped
    assert over.uncapped == 1_002_500
    assert (over.amount, over.capped) == (1_000_000, True)


def test_a4_average_counts_by_band() -> None:
    r = a4_requirement(
        MarketMaking(average_markets_over_5=12.5, average_markets_at_or_below_5=3.0), AS_OF
    )
    assert r.amount == pytest.approx(12.5 * 2_500 + 3 * 1_000)  # 34,250


def test_a4_average_presence_per_security() -> None:
    m = MarketMaking(
        securities=(
            MarketMakingSecurity(security_id="a", market_value=20, average_markets=0.5),
            MarketMakingSecurity(security_id="b", market_value=2, average_markets=0.9),
        )
    )
    # 0.5 x 2,500 + 0.9 x 1,000 = 2,150
    assert a4_requirement(m, AS_OF).amount == pytest.approx(2_150)


def test_a4_form_is_one_or_the_other() -> None:
    with pytest.raises(ValidationError, match="not both"):
        MarketMaking(
            securities=(MarketMakingSecurity(security_id="a", market_value=1),),
            average_markets_over_5=1,
            average_markets_at_or_below_5=1,
        )


def with_mm(b: Book, m: MarketMaking) -> Book:
    return Book.model_validate({**b.model_dump(), "market_making": m.model_dump()})


def test_a4_never_below_a2() -> None:
    # 10 markets over $5 = 25,000, but the dealer minimum is 100,000
    r = run(with_mm(book(), mm(*([10.0] * 10))))
    assert r.requirement.amount == 100_000
    assert r.requirement.binding_key == "fixed_minimum"


def test_a4_binds_between() -> None:
    # 100 over $5 + 50 at $5 or less = 250,000 + 50,000 = 300,000 > 100,000 and > AI/15
    r = run(with_mm(book(), mm(*([6.0] * 100 + [5.0] * 50))))
    assert r.requirement.amount == pytest.approx(300_000)
    assert r.requirement.binding_key == "market_maker"
    assert r.requirement.citation == "15c3-1(a)(4)"


def test_a4_cap_does_not_lower_a_higher_ratio_requirement() -> None:
    # capped (a)(4) 1,000,000, but AI 30mm / 15 = 2,000,000 governs
    b = with_mm(book(50_000_000, liabilities=(liability("x", 30_000_000),)), mm(*([10.0] * 800)))
    r = run(b)
    assert r.requirement.amount == pytest.approx(2_000_000)
    assert r.requirement.candidates.set_index("key").loc["market_maker", "amount"] == 1_000_000


def account(role: str = "own", credit: float = 0.0, **facts: bool) -> MarketMakerAccount:
    conditions = {
        "transacts_only_with_brokers_dealers": True,
        "carries_customer_accounts": False,
        "transacts_unlisted_options": False,
        "cleared_by_another_broker_dealer": True,
        **facts,
    }
    return MarketMakerAccount(
        id=f"mm-{role}",
        role=role,  # type: ignore[arg-type]
        positions=(
            gov(f"{role}-l1", "long", 2_000_000, 3),  # exempted long: 5% = 100,000
            Position(
                id=f"{role}-l2",
                security_class="agency",
                side="long",
                market_value=1_000_000,
                years_to_maturity=8,
            ),  # exempted long: 5% = 50,000
            gov(f"{role}-s1", "short", 1_000_000, 5),  # short: 30% = 300,000
        ),
        credit_balance=credit,
        **conditions,
    )


def with_accounts(b: Book, *accounts: MarketMakerAccount) -> Book:
    return Book.model_validate(
        {**b.model_dump(), "market_maker_accounts": [a.model_dump() for a in accounts]}
    )


def test_a6_equity_and_requirement() -> None:
    # required: 5% x 2mm + 5% x 1mm + 30% x 1mm = 450,000
    # equity (a)(6)(iii)(C): credit 400,000 + longs 3mm - shorts 1mm = 2,400,000
    r = run(with_accounts(book(), account("own", 400_000)))
    rep = r.market_maker.a6[0]
    assert rep.eligible
    assert rep.required_equity == pytest.approx(450_000)
    assert rep.liquidating_equity == pytest.approx(2_400_000)
    assert rep.deficiency == 0.0
    assert r.haircuts.total == 0.0  # not haircut under (c)(2)(vi)
    assert not r.warnings or all("(a)(6)" not in w for w in r.warnings)


def test_a6_carried_account_deficiency_deducted() -> None:
    # debit balance 1.8mm: equity = -1.8mm + 3mm - 1mm = 200,000; deficiency 250,000
    r = run(with_accounts(book(), account("carried", -1_800_000)))
    assert r.market_maker.a6[0].deficiency == pytest.approx(250_000)
    assert r.line("market_maker_deficiency:mm-carried") == pytest.approx(-250_000)
    cites = r.lines.set_index("line")["citation"]
    assert cites["market_maker_deficiency:mm-carried"].startswith("15c3-1(c)(2)(xi)")
    assert r.tentative_net_capital == pytest.approx(750_000)


def test_a6_own_deficiency_warns() -> None:
    r = run(with_accounts(book(), account("own", -1_800_000)))
    assert any("below" in w and "(a)(6)(iii)(A)" in w for w in r.warnings)
    assert not r.has_line("market_maker_deficiency:mm-own")


@pytest.mark.parametrize(
    "fact",
    [
        {"transacts_only_with_brokers_dealers": False},
        {"carries_customer_accounts": True},
        {"transacts_unlisted_options": True},
        {"cleared_by_another_broker_dealer": False},
        {"undertaking_filed": False},
    ],
)
def test_a6_ineligible_positions_are_haircut(fact: dict[str, bool]) -> None:
    r = run(with_accounts(book(), account("own", 0.0, **fact)))
    rep = r.market_maker.a6[0]
    assert not rep.eligible
    assert any("not eligible" in w for w in r.warnings)
    # haircuts under (c)(2)(vi)(A): 2mm 3y long in 3a (3%) = 60,000; the 1mm 8y long and
    # the 1mm 5y short are both in 3b (5-10 years) and net to zero there.
    # Category 3: 60,000 long, nothing short -> 60,000
    assert r.haircuts.total == pytest.approx(60_000)


def test_a6_missing_undertaking_is_the_a6_iv_condition() -> None:
    # Without the carrying firm's written undertaking, 15c3-1(a)(6)(iv), the account fails
    # exactly one condition, and that condition carries the (a)(6)(iv) citation.
    r = run(with_accounts(book(), account("own", 0.0, undertaking_filed=False)))
    conditions = r.market_maker.a6[0].conditions
    failed = conditions[~conditions["met"]]
    assert list(failed["citation"]) == ["15c3-1(a)(6)(iv)"]
