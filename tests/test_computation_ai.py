"""Aggregate indebtedness, 15c3-1(c)(1): every inclusion and exclusion, worked by hand."""

from __future__ import annotations

from datetime import date

import pytest
from pydantic import ValidationError

from netcap.book.firm import AIAddition, BalanceSheet, Book, FirmType, LiabilityKind
from netcap.rule.indebtedness import liabilities_frame
from tests.computation_helpers import book, liability, run

# kind -> (fraction of the liability included in AI, citation), from the text of (c)(1),
# Appendix B (a)(2), (a)(8)(v) and (c)(2)(xiii)
EXPECTED = {
    "money_borrowed": (1.0, "15c3-1(c)(1)"),
    "payable_securities_loaned": (1.0, "15c3-1(c)(1)"),
    "payable_failed_to_receive": (1.0, "15c3-1(c)(1)"),
    "free_credit_balances": (1.0, "15c3-1(c)(1)"),
    "short_account_credit_balances": (1.0, "15c3-1(c)(1)"),
    "commodity_account_balances": (1.0, "15c3-1(c)(1)"),
    "other": (1.0, "15c3-1(c)(1)"),
    "collateralized_by_long_securities": (0.0, "15c3-1(c)(1)(i)"),
    "collateralized_by_spot_commodities": (0.0, "15c3-1(c)(1)(i)"),
    "securities_loaned_long": (0.0, "15c3-1(c)(1)(ii)"),
    "failed_to_receive_covered": (0.0, "15c3-1(c)(1)(iii)"),
    "issuer_payable": (0.0, "15c3-1(c)(1)(iv)"),
    "segregated_commodity_equities": (0.0, "15c3-1(c)(1)(v)"),
    "refund_reserve_27d": (0.0, "15c3-1(c)(1)(vi)"),
    "special_reserve_account_payable": (0.0, "15c3-1(c)(1)(vii)"),
    "fixed_asset_secured": (0.0, "15c3-1(c)(1)(viii)"),
    "open_contractual_commitments": (0.0, "15c3-1(c)(1)(ix)"),
    "subordinated": (0.0, "15c3-1(c)(1)(x)"),
    "effectively_subordinated": (0.0, "15c3-1(c)(1)(xi)"),
    "general_partner_credit_balances": (0.0, "15c3-1(c)(1)(xii)"),
    "deferred_tax": (0.0, "15c3-1(c)(1)(xiii)"),
    "investment_company_payable": (0.15, "15c3-1(c)(1)(xiv)"),  # 85% excluded
    # (xv): "Eighty-five percent of amounts payable against securities loaned for which
    # the broker or dealer has receivables related to securities of the same class and
    # issue and quantity that are securities borrowed": 85% excluded, 15% stays in AI
    "securities_loaned_matched_borrow": (0.15, "15c3-1(c)(1)(xv)"),
    "commodity_advance_spot_collateral": (0.0, "15c3-1b(a)(2)(i)"),
    "bills_of_lading_advances": (0.0, "15c3-1b(a)(2)(ii)"),
    "general_partner_commodity_equity": (0.0, "15c3-1b(a)(2)(iii)"),
    "mbb_municipal_collateralized": (0.0, "15c3-1(a)(8)(v)"),
    "secured_by_exempted_deducted": (0.0, "15c3-1(c)(2)(xiii)"),
}

EXTRA = {
    "issuer_payable": {"business_days_outstanding": 3},
    "mbb_municipal_collateralized": {"business_days_outstanding": 1},
    "refund_reserve_27d": {"deposit": 1e9},
    "special_reserve_account_payable": {"deposit": 1e9, "required_deposit": 1e9},
    "fixed_asset_secured": {"secured_by_asset": "fa"},
}


def test_every_kind_is_expected() -> None:
    assert set(EXPECTED) == {k.value for k in LiabilityKind}


@pytest.mark.parametrize("kind", sorted(EXPECTED))
def test_each_kind(kind: str) -> None:
    share, citation = EXPECTED[kind]
    frame = liabilities_frame([liability("x", 200_000, kind, **EXTRA.get(kind, {}))])
    row = frame.iloc[0]
    assert row["ai_amount"] == pytest.approx(200_000 * share)  # e.g. 15% x 200k = 30k
    assert row["excluded"] + row["ai_amount"] == pytest.approx(200_000)
    assert row["citation"] == citation


def test_matched_securities_loan_payable_in_the_total() -> None:
    # (c)(1)(xv): 1,000,000 payable against securities loaned, matched by securities
    # borrowed of the same class, issue and quantity: 85% = 850,000 excluded, so AI is
    # 1,000,000 - 850,000 = 150,000; with 200,000 of ordinary payables AI is 350,000.
    b = book(
        liabilities=(
            liability("sl", 1_000_000, "securities_loaned_matched_borrow"),
            liability("ap", 200_000),
        )
    )
    assert run(b).aggregate_indebtedness == pytest.approx(350_000)


@pytest.mark.parametrize(("days", "included"), [(3, 0.0), (4, 50_000.0)])
def test_issuer_payable_three_business_days(days: int, included: float) -> None:
    frame = liabilities_frame(
        [liability("x", 50_000, "issuer_payable", business_days_outstanding=days)]
    )
    assert frame["ai_amount"].iloc[0] == pytest.approx(included)
    if included:
        assert frame["citation"].iloc[0] == "15c3-1(c)(1) (not 15c3-1(c)(1)(iv))"


@pytest.mark.parametrize(("days", "included"), [(1, 0.0), (2, 70_000.0)])
def test_municipal_brokers_broker_one_business_day(days: int, included: float) -> None:
    b = book(
        firm_type=FirmType.MUNICIPAL_BROKERS_BROKER,
        liabilities=(
            liability("x", 70_000, "mbb_municipal_collateralized", business_days_outstanding=days),
        ),
    )
    assert run(b).aggregate_indebtedness == pytest.approx(included)


def test_mbb_exclusion_only_for_mbb() -> None:
    with pytest.raises(ValidationError, match="brokers' broker"):
        book(
            liabilities=(
                liability("x", 1, "mbb_municipal_collateralized", business_days_outstanding=0),
            )
        )


def test_refund_reserve_to_the_extent_on_deposit() -> None:
    # (c)(1)(vi): reserve 100k, trust deposit 60k -> 60k excluded, 40k in AI
    frame = liabilities_frame([liability("x", 100_000, "refund_reserve_27d", deposit=60_000)])
    assert frame["ai_amount"].iloc[0] == pytest.approx(40_000)
    assert "60,000.00 on deposit" in frame["note"].iloc[0]


def test_special_reserve_required_and_deposited() -> None:
    # (c)(1)(vii): payable 100k, deposited 80k, required 70k -> only 70k excluded
    frame = liabilities_frame(
        [
            liability(
                "x",
                100_000,
                "special_reserve_account_payable",
                deposit=80_000,
                required_deposit=70_000,
            )
        ]
    )
    assert frame["excluded"].iloc[0] == pytest.approx(70_000)
    assert frame["ai_amount"].iloc[0] == pytest.approx(30_000)


@pytest.mark.parametrize(
    ("kind", "kw", "message"),
    [
        ("issuer_payable", {}, "needs business_days_outstanding"),
        ("other", {"business_days_outstanding": 2}, "business_days_outstanding applies only"),
        ("refund_reserve_27d", {}, "needs deposit"),
        ("special_reserve_account_payable", {"deposit": 1}, "needs required_deposit"),
        ("fixed_asset_secured", {}, "needs secured_by_asset"),
        ("other", {"qualifies_as_equity": True}, "only to subordinated"),
    ],
)
def test_conditions_are_required(kind: str, kw: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        liability("x", 1, kind, **kw)


def test_secured_asset_must_exist() -> None:
    with pytest.raises(ValidationError, match="names no non-allowable asset"):
        book(liabilities=(liability("x", 1, "fixed_asset_secured", secured_by_asset="nope"),))


def test_ai_additions_and_total() -> None:
    b = book(
        liabilities=(
            liability("a", 1_000_000, "money_borrowed"),
            liability("b", 2_000_000, "collateralized_by_long_securities"),
            liability("c", 400_000, "securities_loaned_matched_borrow"),  # 15% = 60k in AI
        )
    )
    b = Book.model_validate(
        {
            **b.model_dump(),
            "ai_additions": [
                AIAddition(id="s", kind="securities_borrowed_unpaid", amount=90_000).model_dump(),
                AIAddition(id="d", kind="drafts_for_immediate_credit", amount=10_000).model_dump(),
            ],
        }
    )
    r = run(b)
    # 1,000,000 + 60,000 recorded; + 90,000 + 10,000 unrecorded
    assert r.line("ai_recorded") == pytest.approx(1_060_000)
    assert r.line("ai_addition:securities_borrowed_unpaid") == pytest.approx(90_000)
    assert r.aggregate_indebtedness == pytest.approx(1_160_000)


@pytest.mark.parametrize(
    ("firm", "limit"),
    [
        ({"months_in_business": 11}, 8),
        ({"months_in_business": 12}, 15),
        (
            {"commenced_business": date(2023, 6, 29)},
            8,
        ),  # as of 2024-06-28: 1 day short of 12 months
        ({"commenced_business": date(2023, 6, 28)}, 15),  # exactly 12 months after commencing
        ({"commenced_business": date(2024, 1, 2)}, 8),
    ],
)
def test_first_twelve_months_800_percent(firm: dict[str, object], limit: int) -> None:
    b = book(10_000_000, firm=firm, liabilities=(liability("x", 1_500_000),))
    r = run(b)
    # AI 1.5mm: 1/15 -> 100,000; 1/8 -> 187,500
    assert r.line("requirement:aggregate_indebtedness_ratio") == pytest.approx(1_500_000 / limit)
    assert r.requirement.first_year is (limit == 8)


def test_missing_start_of_business_warns() -> None:
    b = Book(as_of=date(2024, 6, 28), balance_sheet=BalanceSheet(net_worth=1))
    assert any("commenced_business" in w for w in run(b).warnings)


def test_liabilities_frame_columns_and_permutation() -> None:
    items = [
        liability("a", 5, "other"),
        liability("b", 7, "deferred_tax"),
        liability("c", 11, "investment_company_payable"),
    ]
    f1 = liabilities_frame(items).set_index("id").sort_index()
    f2 = liabilities_frame(items[::-1]).set_index("id").sort_index()
    assert f1.equals(f2)
    assert list(f1["included"]) == [True, False, True]
