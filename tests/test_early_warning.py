"""Rule 17a-11 notices and 15c3-1(e)(2) withdrawal limits, at their exact thresholds.

With no positions and no deductions, net capital equals net worth, so every
threshold can be placed exactly.
"""

from __future__ import annotations

from datetime import date

import pytest

from netcap.book.firm import Book, FirmType, Leverage
from tests.computation_helpers import book, liability, run
from tests.conftest import gov


def flag(result: object, key: str) -> bool:
    ew = result.early_warning.set_index("key")  # type: ignore[attr-defined]
    return bool(ew.loc[key, "triggered"])


@pytest.mark.parametrize(("ai", "hit"), [(12_000_000, False), (12_000_001, True)])
def test_ai_over_1200_percent(ai: float, hit: bool) -> None:
    # NC 1,000,000: notice when AI is in excess of 1200% = 12,000,000 (17a-11(c)(1))
    r = run(book(1_000_000, liabilities=(liability("x", ai),)))
    assert flag(r, "ai_over_1200pct") is hit


@pytest.mark.parametrize(("ai", "hit"), [(10_000_000, False), (10_000_001, True)])
def test_withdrawal_ai_over_1000_percent(ai: float, hit: bool) -> None:
    r = run(book(1_000_000, liabilities=(liability("x", ai),)))
    assert flag(r, "withdrawal_ai_over_1000pct") is hit  # 15c3-1(e)(2)(v)


@pytest.mark.parametrize(
    ("nc", "below_min", "below_120"),
    [(120_000, False, False), (119_999, False, True), (100_000, False, True), (99_999, True, True)],
)
def test_120_percent_and_minimum(nc: float, below_min: bool, below_120: bool) -> None:
    # dealer minimum 100,000: 120% = 120,000 (17a-11(c)(3)); below 100,000 is a deficiency
    r = run(book(nc))
    assert flag(r, "below_minimum") is below_min
    assert flag(r, "below_120pct_minimum") is below_120
    assert flag(r, "withdrawal_below_120pct_minimum_dollar") is below_120  # (e)(2)(i)


def test_120_percent_of_the_full_requirement() -> None:
    # AI 3mm -> requirement 200,000; 17a-11(c)(3) compares with 120% of it = 240,000,
    # while (e)(2)(i) uses the minimum dollar amount (100,000 -> 120,000)
    r = run(book(239_999, liabilities=(liability("x", 3_000_000),)))
    assert flag(r, "below_120pct_minimum")
    assert not flag(r, "withdrawal_below_120pct_minimum_dollar")


@pytest.mark.parametrize(("nc", "hit"), [(500_000, False), (499_999, True)])
def test_alternative_five_percent_of_debit_items(nc: float, hit: bool) -> None:
    # ADI 10mm: 5% = 500,000 (17a-11(c)(2) and 15c3-1(e)(2)(vi))
    b = book(nc, firm_type=FirmType.CARRYING, firm={"alternative_standard": True})
    r = run(b, aggregate_debit_items=10_000_000)
    assert flag(r, "below_5pct_debit_items") is hit
    assert flag(r, "withdrawal_below_5pct_debit_items") is hit
    assert "ai_over_1200pct" not in set(r.early_warning["key"])
    # NC less the greater of 5% of ADI (500,000) and 120% of 250,000
    assert r.line("net_capital_less_warning_level") == pytest.approx(nc - 500_000)


def with_leverage(b: Book, payable: float, contract: float) -> Book:
    lev = Leverage(
        payable_securities_loaned_and_repo=payable,
        contract_value_borrowed_and_reverse_repo=contract,
    )
    return Book.model_validate({**b.model_dump(), "leverage": lev.model_dump()})


@pytest.mark.parametrize(
    ("payable", "contract", "hit"),
    [(25_000_000, 0, False), (25_000_001, 0, True), (0, 25_000_001, True)],
)
def test_securities_financing_2500_percent(payable: float, contract: float, hit: bool) -> None:
    # TNC 1,000,000: 2500% = 25,000,000 (17a-11(c)(5))
    r = run(with_leverage(book(1_000_000), payable, contract))
    assert flag(r, "securities_financing_over_2500pct_tnc") is hit


def test_leverage_test_not_before_2013_amendments() -> None:
    b = with_leverage(book(1_000_000, as_of=date(2012, 6, 29)), 1e12, 0)
    assert "securities_financing_over_2500pct_tnc" not in set(run(b).early_warning["key"])


@pytest.mark.parametrize(("sub", "hit"), [(700_000, False), (700_001, True)])
def test_debt_equity_70_percent(sub: float, hit: bool) -> None:
    # equity 1mm - sub, so the debt-equity total is 1mm; 70% = 700,000 (15c3-1(d))
    r = run(book(1_000_000 - sub, liabilities=(liability("s", sub, "subordinated"),)))
    assert flag(r, "debt_equity_over_70pct") is hit


def test_sub_qualifying_as_equity_is_not_debt() -> None:
    r = run(
        book(
            200_000,
            liabilities=(liability("s", 800_000, "subordinated", qualifies_as_equity=True),),
        )
    )
    assert r.line("debt_equity_pct") == 0.0
    assert not flag(r, "debt_equity_over_70pct")


@pytest.mark.parametrize(("nc", "hit"), [(25_000, False), (24_999, True)])
def test_withdrawal_25_percent_of_haircuts(nc: float, hit: bool) -> None:
    # a 2y long of 5mm: 2% = 100,000 haircut; (e)(2)(iii) limit 25% = 25,000
    b = book(nc + 100_000, positions=(gov("a", "long", 5_000_000, 2),))
    r = run(b)
    assert r.net_capital == pytest.approx(nc)
    assert flag(r, "withdrawal_below_25pct_haircuts") is hit
