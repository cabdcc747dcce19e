"""The bundled sample firm exercises every security class and every haircut paragraph."""

from __future__ import annotations

import pytest

from netcap import compute, load_book
from netcap.book.model import SecurityClass
from tests.conftest import FIXTURES

SAMPLE = FIXTURES / "sample_firm" / "book.json"


def test_sample_holds_every_security_class() -> None:
    loaded = load_book(SAMPLE)
    assert set(loaded.positions["security_class"]) == {c.value for c in SecurityClass}
    assert len(loaded.positions) >= 300


def test_sample_reaches_every_paragraph_and_reconciles() -> None:
    loaded = load_book(SAMPLE)
    r = compute(loaded.book, positions=loaded.positions)
    detail = r.haircuts.detail
    assert sorted(detail["id"]) == sorted(loaded.positions["id"])  # each position once
    cited = set(detail["paragraph"]) | set(detail["add_on_paragraph"])
    for paragraph in ("(A)", "(B)", "(C)", "(D)", "(E)", "(F)", "(G)", "(H)", "(J)", "(M)"):
        assert any(f"15c3-1(c)(2)(vi){paragraph}" in c for c in cited), paragraph
    assert any(c.startswith("15c3-1(c)(2)(vii)") for c in cited)
    assert any(c.startswith("15c3-1b(a)(3)") for c in cited)
    assert any(c == "15c3-1(c)(2)(iv)" for c in cited)  # the non-security crypto asset
    aged = set(r.lines["citation"])
    assert {"15c3-1(c)(2)(ix)", "15c3-1(c)(2)(v)(A)", "15c3-1(c)(2)(iv)(E)"} <= aged
    assert r.net_capital < r.tentative_net_capital


def test_sample_agreements_note_and_currencies_worked_by_hand() -> None:
    """The sample's agreements, secured demand note and foreign amounts (make_sample.py)."""
    r = load_book(SAMPLE).compute()
    # (F)(2): Bank A's RR-2 deficit 10,000,000 - 9,700,000 = 300,000 is cancelled by RR-1's
    # excess 25,500,000 - 25,000,000 = 500,000 ((F)(2)(ii)(B)); Fund B's RR-3 deficit
    # 4,000,000 - 3,850,000 = 150,000 less 50,000 margin held ((A)) = 100,000
    assert r.line("repo_deficits:reverse") == -100_000
    # (F)(3)(i)(A): RP-1 deficit 1,200,000 is under 5% x 30,000,000 = 1,500,000; Dealer D's
    # RP-2 deficit 6,300,000 - 5,000,000 = 1,300,000 less RP-3's shortfall 100,000
    # ((F)(3)(ii)(B)) = 1,200,000, over 20% x 5,000,000 = 1,000,000 by 200,000; (B) and (C)
    # add nothing (25% and 300% of some 73 million)
    assert r.line("repo_deficits:repurchase") == -200_000
    # Appendix D: 500,000 cash + 2,000,000 stock x 70% = 1,900,000 against 3,000,000
    assert r.line("sdn_collateral_deficiency") == -1_100_000
    # GBP 40,000 x 1.2650 = 50,600 of prepaid rent joins (c)(2)(iv)(A)
    assert r.nonallowable.set_index("id").loc["NA-PRE-GBP", "deduction"] == pytest.approx(50_600)
    # JPY 20,000,000 x 0.00622 = 124,400 with no ready market, deducted under (c)(2)(vii)
    detail = r.haircuts.detail.set_index("id")
    assert detail.loc["NRM-JP1", "charge"] == pytest.approx(124_400)
    assert "JPY 20,000,000.00 at 0.00622 USD per JPY" in detail.loc["NRM-JP1", "note"]
    # EUR 2,000,000 x 1.0712 = 2,142,400 of money borrowed in aggregate indebtedness
    assert r.liabilities.set_index("id").loc["L-EUR", "ai_amount"] == pytest.approx(2_142_400)
