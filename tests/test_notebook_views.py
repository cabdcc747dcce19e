"""Compact notebook views: computation, pre-trade result, long lock-up series."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from netcap import load_book
from netcap.dealer.lockup import simulate_lockup
from netcap.pretrade import PreTradeState
from tests.conftest import FIXTURES

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


def test_net_capital_html_shows_key_lines_only() -> None:
    result = load_book(FIXTURES / "sample_firm" / "book.json").compute()
    page = result._repr_html_()
    assert "Net capital" in page
    # excess net capital is cited to (a), the requirement it is measured against
    assert re.search(r"<td>Excess net capital</td><td[^>]*>[^<]*</td><td>15c3-1\(a\)</td>", page)
    assert f"${result.net_capital:,.0f}" in page
    # compact: a handful of rows, not every line of the computation
    assert page.count("<tr>") < 15 < len(result.lines)


def test_pretrade_html(tmp_path: Path) -> None:
    path = tmp_path / "book.json"
    path.write_text(json.dumps(BOOK), encoding="utf-8")
    loaded = load_book(path)
    state = PreTradeState(loaded.book, positions=loaded.positions)
    page = state.remove("ust10")._repr_html_()
    assert "remove ust10" in page
    assert "allowed" in page
    # the 10-year Treasury took 4.5% x 25mm = 1,125,000; removing it frees all of it
    assert "$1,125,000 → $0" in page
    assert "+1,125,000" in page  # net capital up by the haircut


def test_lockup_html_is_truncated() -> None:
    days = pd.bdate_range("2022-01-03", periods=1_097)
    req = pd.DataFrame({"a": 100.0, "b": 50.0}, index=days)
    page = simulate_lockup(req)._repr_html_()
    assert "1,097 rows; showing the first and last 10" in page
    # 20 data rows plus the header row and the "..." row pandas puts in the middle
    assert page.count("<tr") <= 23
    short = simulate_lockup(req.iloc[:5])._repr_html_()
    assert "showing" not in short
