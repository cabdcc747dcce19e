"""Aged fails and securities differences flow from the book into net capital.

As of Friday 2024-06-28; Juneteenth (Wednesday 2024-06-19) is not a settlement day.
"""

from __future__ import annotations

from datetime import date

import pytest

from netcap.rule.computation import compute
from netcap.rule.fails import Difference, Fail
from tests.computation_helpers import book


def _book_with_items() -> object:
    fails = (
        # settled 2024-06-20; settlement days after it to 06-28: 21, 24, 25, 26, 27, 28 = 6,
        # aged (>= 5): 15% x 100,000 + (104,000 - 100,000) = 19,000 under (c)(2)(ix)
        Fail(
            id="ftd-old",
            security_class="equity",
            side="fail_to_deliver",
            settlement_date=date(2024, 6, 20),
            contract_value=104_000,
            market_value=100_000,
            haircut_rate=0.15,
        ),
        # settled 2024-06-24: 25, 26, 27, 28 = 4 days, not aged: nothing
        Fail(
            id="ftd-new",
            security_class="equity",
            side="fail_to_deliver",
            settlement_date=date(2024, 6, 24),
            contract_value=50_000,
            market_value=40_000,
            haircut_rate=0.15,
        ),
        # fail to receive settled 2024-05-15: 44 calendar days (> 30), market 50,000 over
        # contract 45,000: 5,000 under (c)(2)(iv)(E)
        Fail(
            id="ftr",
            security_class="equity",
            side="fail_to_receive",
            settlement_date=date(2024, 5, 15),
            contract_value=45_000,
            market_value=50_000,
        ),
    )
    differences = (
        # found Monday 2024-06-10; business days after it to 06-28, skipping 06-19: 13,
        # so past 7 but not 14: 25% x 20,000 = 5,000 under (c)(2)(v)(A)
        Difference(id="sd", kind="short", discovery_date=date(2024, 6, 10), market_value=20_000),
    )
    return book(1_000_000).model_copy(
        update={"fails": fails, "securities_differences": differences}
    )


def test_aged_items_are_deducted_before_tentative_net_capital() -> None:
    r = compute(_book_with_items())  # type: ignore[arg-type]
    plain = compute(book(1_000_000))
    assert plain.tentative_net_capital - r.tentative_net_capital == pytest.approx(29_000)
    lines = r.lines.set_index("line")
    aged = lines[lines.index.str.startswith("aged_")]
    assert sorted(aged["citation"]) == [
        "15c3-1(c)(2)(iv)(E)",
        "15c3-1(c)(2)(ix)",
        "15c3-1(c)(2)(v)(A)",
    ]
    assert aged["amount"].sum() == pytest.approx(-29_000)


def test_aged_detail_lists_every_item_once() -> None:
    r = compute(_book_with_items())  # type: ignore[arg-type]
    detail = r.aged_items
    assert sorted(detail["id"]) == ["ftd-new", "ftd-old", "ftr", "sd"]
    ages = dict(zip(detail["id"], detail["age_business_days"], strict=True))
    assert ages["ftd-old"] == 6
    assert ages["ftd-new"] == 4
    assert ages["sd"] == 13
