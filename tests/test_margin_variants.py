"""Margin baselines: flat 2%, per-leg rates, and the uncovered-futures variant (notes 587-588)."""

from __future__ import annotations

from datetime import date

import pytest

from netcap.cli import load_strategy
from netcap.dealer.registration import analyze
from netcap.dealer.strategy import Strategy, uncovered_futures_variant
from netcap.money import round_percent
from tests.conftest import FIXTURES

TABLE9 = FIXTURES / "table9"


def test_note_587_no_haircut_strategy_is_50pct_at_50mm() -> None:
    """Note 587: overall margin 3% of P instead of 2% -> [max(0.03P, 100k) / 0.02P] - 1."""
    a = analyze(uncovered_futures_variant(load_strategy(TABLE9 / "strategy_01.json")))
    at = a.at(50_000_000)
    assert a.haircut_rate == 0.0
    # max(0.03 x 50mm, 100k) = 1.5mm against the 1mm baseline: +50%
    assert (at.dealer, at.non_dealer) == (pytest.approx(1_500_000), pytest.approx(1_000_000))
    assert at.increase_pct == pytest.approx(50.0)
    assert a.increase_pct_limit == pytest.approx(50.0)  # 0.03 / 0.02 - 1
    # the baseline itself is unchanged: the 2% non-dealer margin
    assert analyze(load_strategy(TABLE9 / "strategy_01.json")).at(50_000_000).increase_pct == 0.0


def test_note_588_strategy_8_haircut_below_3pct() -> None:
    """Note 588: [max(0.03, haircut) / 0.02] - 1 as P grows; strategy 8's haircut is 2.875%."""
    covered = analyze(load_strategy(TABLE9 / "strategy_08.json"))
    a = analyze(uncovered_futures_variant(load_strategy(TABLE9 / "strategy_08.json")))
    assert a.haircut_rate == pytest.approx(0.02875)
    # limit: max(0.03, 0.02875) / 0.02 - 1 = 50% (44% with covered futures: 0.02875/0.02 - 1)
    assert a.increase_pct_limit == pytest.approx(50.0)
    assert round_percent(covered.increase_pct_limit) == 44
    # at 50mm: max(0.03 x 50mm, 100k + 0.02875 x 50mm) = max(1.5mm, 1.5375mm) -> +53.75%,
    # the same 54% either way, as the note says ("nearly the same")
    assert a.at(50_000_000).increase_pct == pytest.approx(53.75)
    assert round_percent(a.at(50_000_000).increase_pct) == round_percent(
        covered.at(50_000_000).increase_pct
    )
    # the 3% margin binds once 0.03P > 100k + 0.02875P, i.e. P > 100k / 0.00125 = 80mm
    assert a.at(100_000_000).component == "margin"
    assert [c.P for c in a.crossovers][-1] == pytest.approx(80_000_000)


def test_note_588_other_strategies_unchanged_in_the_limit() -> None:
    """Haircuts above 3% keep their limit (max(0.03, h) = h)."""
    for key in ("07", "12", "16", "17", "18a", "18b", "18c"):
        s = load_strategy(TABLE9 / f"strategy_{key}.json")
        assert analyze(uncovered_futures_variant(s)).increase_pct_limit == pytest.approx(
            analyze(s).increase_pct_limit
        )


def test_per_leg_margin_rates() -> None:
    s = Strategy.model_validate(
        {
            "as_of": date(2024, 6, 28),
            "legs": [
                {"kind": "treasury", "side": "long", "size": 1, "years": 5, "margin_rate": 0.01},
                {"kind": "treasury", "side": "short", "size": 1, "years": 2, "margin_rate": 0.015},
            ],
        }
    )
    a = analyze(s)
    # margin 1% x P + 1.5% x P = 2.5% of P; haircut 4% + 2% = 6% (different categories)
    at = a.at(10_000_000)
    assert at.non_dealer == pytest.approx(250_000)
    assert at.dealer == pytest.approx(700_000)  # 100k + 600k
    assert a.increase_pct_limit == pytest.approx(140.0)  # 0.06 / 0.025 - 1


def test_flat_margin_on_the_larger_side_with_dollar_legs() -> None:
    s = Strategy.model_validate(
        {
            "as_of": date(2024, 6, 28),
            "legs": [
                {"kind": "treasury", "side": "long", "size": 1, "years": 5},
                {"kind": "treasury", "side": "short", "amount": 4_000_000, "years": 5},
            ],
        }
    )
    a = analyze(s)
    # 2% x max(P, 4mm): 80k below P = 4mm, 2% of P above
    assert a.requirements([1e6, 4e6, 1e7])["non_dealer"].tolist() == pytest.approx(
        [80_000, 80_000, 200_000]
    )
