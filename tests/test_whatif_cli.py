"""Command-line what-if additions: combine --book, pretrade removals, dealer-screen --as-of."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from netcap.cli import main
from tests.conftest import FIXTURES

TABLE9 = FIXTURES / "table9"

BOOK = {
    "as_of": "2025-01-02",
    "balance_sheet": {"net_worth": 10_000_000},
    "positions": [
        {
            "id": "ust10",
            "security_class": "government",
            "side": "long",
            "market_value": 25_000_000,
            "years_to_maturity": 10,
        }
    ],
}


def write(tmp_path: Path, name: str, data: object) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def test_combine_with_existing_book(tmp_path: Path, capsys: Any) -> None:
    book = write(tmp_path, "book.json", BOOK)
    # the spec is as of 2022-08-15, the book as of 2025-01-02: one date must be chosen
    # (issue 14, item 8); the book's, whose maturities are measured from it
    spec = str(TABLE9 / "strategy_07.json")
    assert main(["combine", spec, "--book", str(book), "--json"]) == 2
    assert "give --as-of" in capsys.readouterr().err
    argv = ["combine", spec, "--book", str(book), "--as-of", "2025-01-02", "--json"]
    assert main(argv) == 0
    out = json.loads(capsys.readouterr().out)
    combined = out["rows"][-1]
    # strategy 7 at $50mm: long 50mm 5yr (3b, 4%), short 25mm 2yr (2b, 2%), short 25mm
    # 10yr (4a, 4.5%).  The book's long 25mm 10yr nets the short 10yr to zero in 4a, leaving
    # 4% x 50mm + 2% x 25mm = 2,000,000 + 500,000 = 2,500,000 of haircut
    assert combined["haircut"] == pytest.approx(2_500_000)
    # margin: the strategy's 2% x 50mm = 1,000,000 plus the book's 2% x 25mm = 500,000
    assert combined["non_dealer"] == pytest.approx(1_500_000)
    # dealer: 100,000 + 2,500,000 = 2,600,000 (the (a)(6) threshold, 30% of 50mm short
    # alone, is far above); increase 2.6 / 1.5 - 1 = 73.33%
    assert combined["dealer"] == pytest.approx(2_600_000)
    # the JSON gives percentages to 6 decimals: 73.333333
    assert out["combined_increase_pct"] == pytest.approx(100 * (2.6 / 1.5 - 1), abs=5e-7)


def test_combine_unreadable_book_is_an_input_error(tmp_path: Path, capsys: Any) -> None:
    bad = write(tmp_path, "bad.json", {"as_of": "2025-01-02"})
    assert main(["combine", str(TABLE9 / "strategy_07.json"), "--book", str(bad)]) == 2
    assert "balance_sheet" in capsys.readouterr().err


def test_pretrade_removes(tmp_path: Path, capsys: Any) -> None:
    book = write(tmp_path, "book.json", BOOK)
    trades = write(
        tmp_path,
        "trades.json",
        [
            {
                "id": "t1",
                "security_class": "government",
                "side": "long",
                "market_value": 1_000_000,
                "years_to_maturity": 10,
            },
            {"remove": "ust10"},
        ],
    )
    assert main(["pretrade", str(book), str(trades), "--json"]) == 0
    add, remove = json.loads(capsys.readouterr().out)["trades"]
    assert remove["action"] == "remove"
    assert remove["position_id"] == "ust10"
    # 10-year Treasuries take 4.5% (4a): 26mm -> 1,170,000 before the removal,
    # 1mm left after it -> 45,000
    assert add["after"]["haircuts"] == pytest.approx(1_170_000)
    assert remove["after"]["haircuts"] == pytest.approx(45_000)
    # net capital 10,000,000 - 45,000
    assert remove["after"]["net_capital"] == pytest.approx(9_955_000)


@pytest.mark.parametrize(
    "item", [{"remove": "nope"}, {"remove": "ust10", "side": "long"}, {"remove": 3}]
)
def test_pretrade_bad_removal(tmp_path: Path, capsys: Any, item: dict[str, Any]) -> None:
    book = write(tmp_path, "book.json", BOOK)
    trades = write(tmp_path, "trades.json", [item])
    assert main(["pretrade", str(book), str(trades)]) == 2
    # trades are counted from 1, as a reader counts them (issue 15: 1-based numbers)
    assert "trade 1" in capsys.readouterr().err


LIQUIDITY_PROVIDER = {
    "buys_and_sells_for_own_account": True,
    "regular_pattern_providing_liquidity": True,
    "regularly_expresses_trading_interest": True,
    "at_or_near_best_available_prices": True,
    "both_sides_same_security": True,
    "accessible_to_other_participants": True,
    "total_assets": 200_000_000,
    "registered_investment_company": False,
}


def test_dealer_screen_as_of(tmp_path: Path, capsys: Any) -> None:
    facts = write(tmp_path, "facts.json", LIQUIDITY_PROVIDER)
    # in force from 2024-04-29 until the vacatur of 2024-11-21
    assert main(["dealer-screen", str(facts), "--as-of", "2024-11-20", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["in_force"] is True
    assert main(["dealer-screen", str(facts), "--as-of", "2024-11-21", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["in_force"] is False
    with pytest.raises(SystemExit):
        main(["dealer-screen", str(facts), "--as-of", "21/11/2024"])
