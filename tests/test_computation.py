"""The net capital computation, line by line, against figures worked by hand from the rule."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from netcap.book.firm import (
    AIAddition,
    AIAdditionKind,
    BalanceSheet,
    Book,
    CapitalContribution,
    DeferredTax,
    FirmProfile,
    NonAllowableAsset,
    NonAllowableKind,
    OtherDeduction,
    SoleProprietor,
)
from netcap.rule.computation import compute, haircut_group
from netcap.rule.net_worth import NotInForceError
from tests.computation_helpers import AS_OF, book, liability, run
from tests.conftest import gov


def worked_example() -> Book:
    """The example of docs/computation.md."""
    return Book(
        as_of=AS_OF,
        firm=FirmProfile(name="Example", firm_type="dealer", commenced_business=date(2020, 1, 2)),
        balance_sheet=BalanceSheet(
            net_worth=5_000_000,
            capital_contributions=(
                CapitalContribution(
                    id="c1",
                    amount=200_000,
                    contributed_on=date(2024, 2, 1),
                    withdrawable_at_investor_option=True,
                ),
            ),
            deferred_tax=DeferredTax(
                deferred_tax_liability=30_000,
                haircut_tax_effect=20_000,
                accrued_income_deferred_tax=5_000,
            ),
            non_allowable_assets=(
                NonAllowableAsset(id="fa", kind="fixed_assets", amount=400_000),
                NonAllowableAsset(id="gw", kind="intangibles", amount=100_000),
                NonAllowableAsset(id="ar", kind="aged_receivables", amount=50_000),
                NonAllowableAsset(
                    id="loc", kind="securities_borrowed_letter_of_credit", amount=2_000_000
                ),
            ),
            other_deductions=(
                OtherDeduction(
                    id="ftd",
                    label="aged fails to deliver",
                    amount=12_345,
                    citation="15c3-1(c)(2)(ix)",
                ),
            ),
        ),
        positions=(gov("a", "long", 10e6, 12), gov("b", "short", 6e6, 26)),
        liabilities=(
            liability("ap", 3_000_000),
            liability("loan", 150_000, "fixed_asset_secured", secured_by_asset="fa"),
            liability("bank", 500_000, "secured_by_exempted_deducted"),
            liability("sub", 1_000_000, "subordinated"),
        ),
        ai_additions=(
            AIAddition(id="sb", kind=AIAdditionKind.SECURITIES_BORROWED_UNPAID, amount=250_000),
        ),
    )


def test_worked_example_every_line() -> None:
    r = compute(worked_example())
    expected = {
        "total_ownership_equity": 5_000_000,
        "equity_not_allowable": -200_000,  # (c)(2)(i)(G)(1): investor may withdraw
        "equity_qualified": 4_800_000,
        "subordinated_liabilities": 1_000_000,  # (c)(2)(ii)
        "deferred_tax_addback": 25_000,  # (C): lesser of 30,000 and 20,000 + 5,000
        "total_capital": 5_825_000,  # 4.8mm + 1mm + 25k
        "nonallowable:fixed_assets": -400_000,
        "nonallowable:intangibles": -100_000,
        "nonallowable:aged_receivables": -50_000,
        "nonallowable:securities_borrowed_letter_of_credit": -20_000,  # 1% of 2mm, (iv)(G)
        "nonallowable_less_c1viii": 150_000,  # loan secured by the fixed assets
        "indebtedness_secured_by_exempted": -20_000,  # 4% of 500k, (c)(2)(xiii)
        "other_deduction:ftd": -12_345,
        "total_deductions": -452_345,  # -570k + 150k - 20k - 12,345
        "tentative_net_capital": 5_372_655,  # 5,825,000 - 452,345
        # category 4: |450k - 360k| + 50% x 360k = 270k  ((c)(2)(vi)(A))
        "total_haircuts": -270_000,
        "net_capital": 5_102_655,
        "ai_recorded": 3_000_000,  # only the trade payable is in AI
        "ai_addition:securities_borrowed_unpaid": 250_000,
        "aggregate_indebtedness": 3_250_000,
        "requirement:aggregate_indebtedness_ratio": 3_250_000 / 15,  # 216,666.67
        "minimum_dollar_requirement": 100_000,  # (a)(2)(iii)
        "net_capital_requirement": 3_250_000 / 15,
        "excess_net_capital": 5_102_655 - 3_250_000 / 15,
        # NC less the greater of 10% of AI (325,000) and 120% of 100,000
        "net_capital_less_warning_level": 5_102_655 - 325_000,
        "ai_ratio_pct": 3_250_000 / 5_102_655 * 100,  # 63.69%
        "debt_equity_pct": 1_000_000 / 6_000_000 * 100,  # sub / (sub + equity)
    }
    for key, amount in expected.items():
        assert r.line(key) == pytest.approx(amount), key
    assert r.requirement.binding_key == "aggregate_indebtedness_ratio"
    cites = dict(zip(r.lines["line"], r.lines["citation"], strict=True))
    assert cites["equity_not_allowable"] == "15c3-1(c)(2)(i)(G)"
    assert cites["nonallowable:securities_borrowed_letter_of_credit"] == "15c3-1(c)(2)(iv)(G)"
    assert cites["indebtedness_secured_by_exempted"] == "15c3-1(c)(2)(xiii)"
    assert cites["other_deduction:ftd"] == "15c3-1(c)(2)(ix)"
    assert cites["tentative_net_capital"] == "15c3-1(c)(15)"
    assert cites["haircut:15c3-1(c)(2)(vi)(A)"] == "15c3-1(c)(2)(vi)(A)"


def test_focus_order_of_sections() -> None:
    r = compute(worked_example())
    keys = list(r.lines["line"])
    order = [
        "total_ownership_equity",
        "equity_qualified",
        "total_capital",
        "tentative_net_capital",
        "total_haircuts",
        "net_capital",
        "net_capital_requirement",
        "excess_net_capital",
        "aggregate_indebtedness",
        "ai_ratio_pct",
    ]
    assert [keys.index(k) for k in order] == sorted(keys.index(k) for k in order)
    assert r.lines["citation"].str.len().min() > 0  # every line cited


def subtotals_add_up(lines: pd.DataFrame) -> None:
    """Each subtotal = previous subtotal of its section + the items since."""
    for _, section in lines.groupby("section", sort=False):
        running = 0.0
        for row in section.itertuples():
            if row.role == "item":
                running += row.amount
            elif row.role == "subtotal":
                assert row.amount == pytest.approx(running, abs=0.01), row.line
                running = row.amount


def test_subtotals_add_up() -> None:
    subtotals_add_up(compute(worked_example()).lines)


@pytest.mark.parametrize(
    ("kind", "citation"),
    [
        ("fixed_assets", "15c3-1(c)(2)(iv)(A)"),
        ("exchange_memberships", "15c3-1(c)(2)(iv)(A)"),
        ("prepaid_items", "15c3-1(c)(2)(iv)(A)"),
        ("intangibles", "15c3-1(c)(2)(iv)(A)"),
        ("unsecured_advances", "15c3-1(c)(2)(iv)(B)"),
        ("account_deficits", "15c3-1(c)(2)(iv)(B)"),
        ("stock_loaned_excess", "15c3-1(c)(2)(iv)(B)"),
        ("free_shipments", "15c3-1(c)(2)(iv)(B)"),
        ("sdn_collateral_deficiency", "15c3-1(c)(2)(iv)(B)"),
        ("aged_receivables", "15c3-1(c)(2)(iv)(C)"),
        ("insurance_claims", "15c3-1(c)(2)(iv)(D)"),
        ("other_unsecured_receivables", "15c3-1(c)(2)(iv)(E)"),
        ("doubtful_assets", "15c3-1(c)(2)(iv)(E)"),
        ("fails_to_receive_excess", "15c3-1(c)(2)(iv)(E)"),
        ("trust_account_excess", "15c3-1(c)(2)(iv)(E)"),
        ("repo_deficits", "15c3-1(c)(2)(iv)(F)"),
        ("affiliate_receivables", "15c3-1(c)(2)(iv)(H)"),
        ("other_not_readily_convertible", "15c3-1(c)(2)(iv)"),
    ],
)
def test_each_nonallowable_kind_deducted_in_full(kind: str, citation: str) -> None:
    b = book(non_allowable_assets=(NonAllowableAsset(id="x", kind=kind, amount=12_000),))
    r = compute(b)
    assert r.line(f"nonallowable:{kind}") == pytest.approx(-12_000)
    assert r.lines.set_index("line").loc[f"nonallowable:{kind}", "citation"] == citation
    assert r.tentative_net_capital == pytest.approx(1_000_000 - 12_000)


def test_every_nonallowable_kind_has_a_test() -> None:
    tested = {k for k, _ in test_each_nonallowable_kind_deducted_in_full.pytestmark[0].args[1]}
    assert tested | {"securities_borrowed_letter_of_credit"} == {k.value for k in NonAllowableKind}


def test_letter_of_credit_one_percent() -> None:
    b = book(
        non_allowable_assets=(
            NonAllowableAsset(
                id="x", kind="securities_borrowed_letter_of_credit", amount=3_500_000
            ),
        )
    )
    # (c)(2)(iv)(G): 1% of 3.5mm market value = 35,000
    assert compute(b).tentative_net_capital == pytest.approx(965_000)


def test_c1viii_offset_capped_at_the_asset() -> None:
    # fixtures carried at 100k, loan secured by them 150k: the deduction falls to 0, not below
    b = book(
        non_allowable_assets=(NonAllowableAsset(id="fa", kind="fixed_assets", amount=100_000),),
        liabilities=(liability("loan", 150_000, "fixed_asset_secured", secured_by_asset="fa"),),
    )
    r = compute(b)
    assert r.line("nonallowable_less_c1viii") == pytest.approx(100_000)
    assert r.tentative_net_capital == pytest.approx(1_000_000)


def test_c1viii_offset_is_per_asset() -> None:
    # two assets: fa 100k secured by 60k, pp 50k unsecured -> offset 60k only
    b = book(
        non_allowable_assets=(
            NonAllowableAsset(id="fa", kind="fixed_assets", amount=100_000),
            NonAllowableAsset(id="pp", kind="prepaid_items", amount=50_000),
        ),
        liabilities=(liability("loan", 60_000, "fixed_asset_secured", secured_by_asset="fa"),),
    )
    assert compute(b).tentative_net_capital == pytest.approx(1_000_000 - 150_000 + 60_000)


@pytest.mark.parametrize(
    ("kw", "deducted"),
    [
        ({"withdrawable_at_investor_option": True}, True),  # (G)(1)
        ({"intended_withdrawal_within_one_year": True}, True),  # (G)(2)
        ({"withdrawn_on": date(2025, 1, 14)}, True),  # day before the anniversary: deemed intended
        ({"withdrawn_on": date(2025, 1, 15)}, False),  # on the anniversary: not within one year
        (
            {"withdrawn_on": date(2024, 9, 1), "withdrawal_approved_by_examining_authority": True},
            False,
        ),
        ({}, False),
    ],
)
def test_capital_withdrawable_within_one_year(kw: dict[str, object], deducted: bool) -> None:
    c = CapitalContribution(id="c", amount=300_000, contributed_on=date(2024, 1, 15), **kw)  # type: ignore[arg-type]
    r = compute(book(capital_contributions=(c,)))
    assert r.line("equity_not_allowable") == pytest.approx(-300_000 if deducted else 0.0)


def test_withdrawable_capital_not_in_force_before_2013() -> None:
    c = CapitalContribution(
        id="c", amount=1, contributed_on=date(2012, 1, 2), withdrawable_at_investor_option=True
    )
    with pytest.raises(NotInForceError, match="capital_contributions"):
        compute(book(as_of=date(2012, 6, 29), capital_contributions=(c,)))


def test_contribution_withdrawn_before_as_of_is_refused() -> None:
    c = CapitalContribution(id="c", amount=1, contributed_on=date(2024, 1, 2), withdrawn_on=AS_OF)
    with pytest.raises(ValueError, match="not part of net worth"):
        book(capital_contributions=(c,))


def test_deferred_tax_lesser_of() -> None:
    # (C): liability 10k < items 12k + 3k + 1k = 16k -> add 10k
    dt = DeferredTax(
        deferred_tax_liability=10_000,
        haircut_tax_effect=12_000,
        accrued_income_deferred_tax=3_000,
        appreciation_deferred_tax=1_000,
        future_tax_benefits=9_000,  # (D) capped at accrued taxes of 4k
        accrued_tax_liabilities=4_000,
        actual_tax_on_deducted_income=2_500,  # (E)
    )
    r = compute(book(deferred_tax=dt))
    assert r.line("deferred_tax_addback") == pytest.approx(10_000)
    assert r.line("future_tax_benefit") == pytest.approx(4_000)
    assert r.line("actual_tax_addback") == pytest.approx(2_500)
    assert r.line("total_capital") == pytest.approx(1_016_500)


def test_unrealized_loss_and_third_party_liabilities() -> None:
    r = compute(book(unrealized_adjustment=-40_000, third_party_liabilities=25_000))
    assert r.line("unrealized_adjustment") == pytest.approx(-40_000)  # (c)(2)(i)(A)
    assert r.line("third_party_liabilities") == pytest.approx(-25_000)  # (c)(2)(i)(F)
    assert r.line("total_capital") == pytest.approx(935_000)


@pytest.mark.parametrize(("liab", "assets", "deduction"), [(80_000, 30_000, 50_000), (10, 30, 0)])
def test_sole_proprietor(liab: float, assets: float, deduction: float) -> None:
    sp = SoleProprietor(non_business_liabilities=liab, non_business_assets=assets)
    r = compute(book(sole_proprietor=sp))
    assert r.line("sole_proprietor") == pytest.approx(-deduction)  # (c)(2)(iii)


def test_other_deductions_keep_their_citations() -> None:
    r = compute(
        book(
            other_deductions=(
                OtherDeduction(
                    label="short differences", amount=7_000, citation="15c3-1(c)(2)(v)(A)"
                ),
                OtherDeduction(label="fidelity bond", amount=3_000, citation="15c3-1(c)(2)(xiv)"),
            )
        )
    )
    lines = r.lines.set_index("line")
    assert lines.loc["other_deduction:0", "citation"] == "15c3-1(c)(2)(v)(A)"
    assert lines.loc["other_deduction:1", "amount"] == pytest.approx(-3_000)
    assert r.tentative_net_capital == pytest.approx(990_000)


def test_subordinated_added_back_and_out_of_ai() -> None:
    r = compute(book(liabilities=(liability("s", 400_000, "subordinated"),)))
    assert r.line("subordinated_liabilities") == pytest.approx(400_000)
    assert r.net_capital == pytest.approx(1_400_000)
    assert r.aggregate_indebtedness == 0.0


def test_to_dict_rounds_dollars() -> None:
    d = compute(worked_example()).to_dict()
    assert d["net_capital"] == 5_102_655
    assert d["net_capital_requirement"] == 216_667  # 216,666.67 rounded
    ratio = next(x for x in d["lines"] if x["line"] == "ai_ratio_pct")
    assert ratio["amount"] == pytest.approx(63.69)  # 3.25mm / 5,102,655 = 63.692...%
    assert all(isinstance(x["amount"], int) for x in d["lines"] if x["unit"] == "$")


def test_ratio_undefined_when_net_capital_not_positive() -> None:
    r = run(book(0.0, liabilities=(liability("x", 10.0),)))
    assert pd.isna(r.line("ai_ratio_pct"))
    assert (
        r.to_dict()["lines"][[x["line"] for x in r.to_dict()["lines"]].index("ai_ratio_pct")][
            "amount"
        ]
        is None
    )


@pytest.mark.parametrize(
    ("paragraph", "group"),
    [
        ("15c3-1(c)(2)(vi)(B)(2)(ix)", "15c3-1(c)(2)(vi)(B)"),
        ("15c3-1(c)(2)(vi)(A)(1)", "15c3-1(c)(2)(vi)(A)"),
        ("15c3-1(c)(2)(vi)(J)", "15c3-1(c)(2)(vi)(J)"),
        ("15c3-1(c)(2)(vii)", "15c3-1(c)(2)(vii)"),
        ("15c3-1(c)(2)(iv)", "15c3-1(c)(2)(iv)"),
        ("15c3-1b(a)(3)(xiv)(C)", "15c3-1b"),
    ],
)
def test_haircut_lines_roll_up_to_the_lettered_paragraph(paragraph: str, group: str) -> None:
    assert haircut_group(paragraph) == group


def test_grouped_haircut_lines_sum_to_the_total() -> None:
    r = compute(worked_example())
    haircut_lines = r.lines[r.lines["line"].str.startswith("haircut:")]
    # one line per lettered paragraph, no sub-bucket lines
    assert haircut_lines["citation"].is_unique
    assert not haircut_lines["citation"].str.contains(r"\)\(\d\)$").any()
    assert -haircut_lines["amount"].sum() == pytest.approx(r.haircuts.total)
