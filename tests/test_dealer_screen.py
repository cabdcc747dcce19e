"""Rules 3a5-4 / 3a44-2 checklist (netcap.dealer.screen)."""

from __future__ import annotations

from datetime import date

import pytest

from netcap.dealer.screen import DISCLAIMER, DealerFacts, Status, screen

ON = date(2024, 6, 28)
LIQUIDITY_PROVIDER = {
    "buys_and_sells_for_own_account": True,
    "regular_pattern_providing_liquidity": True,
    "regularly_expresses_trading_interest": True,
    "at_or_near_best_available_prices": True,
    "both_sides_same_security": True,
    "accessible_to_other_participants": True,
    "total_assets": 200_000_000,
    "registered_investment_company": False,
    "central_bank": False,
    "sovereign_entity": False,
    "international_financial_institution": False,
}


def run(**kw: object) -> object:
    return screen(DealerFacts.model_validate({**LIQUIDITY_PROVIDER, **kw}), ON)


def test_expressing_trading_interest_meets_a1i() -> None:
    r = run()
    assert (r.qualitative, r.excluded) == (Status.YES, Status.NO)
    assert r.outcome.startswith("Paragraph (a) appears to be met")
    assert r.disclaimer == DISCLAIMER
    assert "not legal advice" in DISCLAIMER
    cites = [i.citation for i in r.items]
    for par in ("(a)(1)(i)", "(a)(1)(ii)", "(a)(2)(i)", "(a)(2)(ii)", "(a)(2)(iii)"):
        assert f"3a5-4{par}" in cites
    assert any(n.startswith("3a5-4(c)") for n in r.notes)
    assert any(n.startswith("3a5-4(d)") for n in r.notes)


def test_revenue_factor_alone_suffices() -> None:
    # (a)(1)(i) fails (one side only) but (a)(1)(ii) holds: "or"
    r = run(both_sides_same_security=False, revenue_primarily_spreads_or_incentives=True)
    assert r.qualitative is Status.YES


def test_revenue_share_reading_of_primarily() -> None:
    r = run(both_sides_same_security=False, spread_and_incentive_revenue_share=0.6)
    assert r.qualitative is Status.YES
    line = next(i for i in r.items if i.citation == "3a5-4(a)(1)(ii)")
    assert "more than 50%" in line.note
    # exactly half is not "primarily" under netcap's reading
    assert (
        run(both_sides_same_security=False, spread_and_incentive_revenue_share=0.5).qualitative
        is Status.NO
    )


@pytest.mark.parametrize(
    ("assets", "excluded"),
    [(49_999_999.99, Status.YES), (50_000_000, Status.NO)],  # "less than $50 million"
)
def test_total_assets_exclusion_boundary(assets: float, excluded: Status) -> None:
    assert run(total_assets=assets).excluded is excluded


@pytest.mark.parametrize(
    "field",
    [
        "registered_investment_company",
        "central_bank",
        "sovereign_entity",
        "international_financial_institution",
    ],
)
def test_other_exclusions(field: str) -> None:
    r = run(**{field: True})
    assert r.excluded is Status.YES
    assert r.outcome.startswith("Excluded by paragraph (a)(2)")


def test_not_met_says_no_presumption() -> None:
    r = run(regular_pattern_providing_liquidity=False)
    assert r.qualitative is Status.NO
    assert "no presumption" in r.outcome


def test_unknown_facts_are_reported_not_guessed() -> None:
    r = screen(DealerFacts(buys_and_sells_for_own_account=True), ON)
    assert r.outcome.startswith("Undetermined")
    assert "total_assets" in r.missing


def test_government_securities_cite_3a44_2() -> None:
    r = run(markets=("government_securities",))
    assert all(i.citation.startswith("3a44-2") for i in r.items)


def test_anti_evasion_flag() -> None:
    r = run(acts_through_others_or_split_accounts=True)
    assert "aggregate it" in r.notes[0]


def test_before_the_rules_took_effect() -> None:
    # Release 34-99477: effective April 29, 2024
    r = screen(DealerFacts(), date(2024, 4, 28))
    assert r.outcome == "Rule 3a5-4 is not in force on 2024-04-28."
    assert screen(DealerFacts(**LIQUIDITY_PROVIDER), date(2024, 4, 29)).qualitative is Status.YES


def test_after_the_rules_were_vacated() -> None:
    # Vacated in full by the N.D. Tex. judgments of 2024-11-21; the day before they stood.
    facts = DealerFacts(**LIQUIDITY_PROVIDER)
    before = screen(facts, date(2024, 11, 20))
    assert before.in_force
    assert before.outcome.startswith("Paragraph (a) appears to be met")
    after = screen(facts, date(2024, 11, 21))
    assert not after.in_force
    assert after.outcome.startswith("Rule 3a5-4 was vacated on 2024-11-21")
    assert "4:24-cv-00250-O" in after.outcome
    assert after.outcome.endswith(before.outcome)  # what the rule, as adopted, would have read
    assert [i.status for i in after.items] == [i.status for i in before.items]
    assert after.to_dict()["in_force"] is False
    both = DealerFacts(**{**LIQUIDITY_PROVIDER, "markets": ("securities", "government_securities")})
    assert screen(both, date(2026, 11, 22)).outcome.startswith(
        "Rules 3a5-4 and 3a44-2 were vacated"
    )
