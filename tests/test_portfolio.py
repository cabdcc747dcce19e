"""Several strategies in one firm (netcap.dealer.portfolio): the release's 7 + 8 example."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netcap.book.frame import positions_frame
from netcap.cli import load_strategy
from netcap.dealer.portfolio import combine, merged_positions
from netcap.dealer.registration import analyze
from netcap.dealer.strategy import Strategy
from netcap.rule.haircuts import compute_haircuts
from netcap.rule.market_maker import market_maker_thresholds
from tests.conftest import FIXTURES, gov

TABLE9 = FIXTURES / "table9"
AS_OF = date(2024, 6, 28)


def test_strategies_7_and_8_at_50mm_each() -> None:
    """Release text after note 588: not 273% + 54%, "but by a smaller amount"."""
    c = combine(
        [load_strategy(TABLE9 / "strategy_07.json"), load_strategy(TABLE9 / "strategy_08.json")]
    )
    # merged book at P = 50mm each:
    #   long 50mm 5y (3b 4%), short 25mm 2y (2b 2%), short 25mm 10y (4a 4.5%),
    #   long 50mm 20y (4c 5.5%), short 25mm futures 10y (4a), short 25mm futures 30y (4d 6%)
    # subcategories: 2b net -25mm -> short 500k; 3b +50mm -> long 2mm;
    #   4a -25 - 25 = -50mm -> short 2.25mm; 4c +50mm -> long 2.75mm; 4d -25mm -> short 1.5mm
    # cat. 2: 500k; cat. 3: 2mm; cat. 4: |2.75 - 3.75| + 50% x 2.75 = 1mm + 1.375mm = 2.375mm
    assert c.haircut == pytest.approx(4_875_000)
    # stand-alone: 7.25% and 2.875% of 50mm = 3.625mm + 1.4375mm = 5.0625mm (0.1875mm more)
    assert sum(s.haircut for s in c.standalone) == pytest.approx(5_062_500)
    # margin 2% x 50mm per strategy = 2mm; AI: 100k + 4.875mm = 4.975mm
    # (a)(6): 5% x 100mm long notes/bonds + 30% x 100mm short = 35mm, so AI binds
    assert c.non_dealer == pytest.approx(2_000_000)
    assert c.threshold == pytest.approx(35_000_000)
    assert (c.dealer, c.standard) == (pytest.approx(4_975_000), "aggregate_indebtedness")
    assert c.increase_pct == pytest.approx(148.75)  # 4.975 / 2 - 1
    assert c.sum_of_increase_pct == pytest.approx(326.25)  # 272.5 + 53.75 (printed 273 + 54)
    # as separate dealers: (3.725 + 1.5375) / 2 - 1 = 163.125%; one firm saves 287,500
    assert c.standalone_increase_pct == pytest.approx(163.125)
    assert c.saving == pytest.approx(287_500)  # 5,262,500 - 4,975,000


def test_one_strategy_combined_is_the_stand_alone_analysis() -> None:
    s = load_strategy(TABLE9 / "strategy_16.json")
    c = combine([s])
    at = analyze(s).at()
    assert (c.dealer, c.non_dealer, c.haircut) == pytest.approx(
        (at.dealer, at.non_dealer, at.haircut)
    )


def test_existing_book_joins_the_netting() -> None:
    s = load_strategy(TABLE9 / "strategy_12.json").model_copy(update={"as_of": AS_OF})
    # strategy 12 at 10mm: short 10mm 5y (3b 4%), long 10mm 30y (4d 6%)
    # book: long 10mm 7y (3b) offsets the 5y short; margin on the book: 2% x 10mm = 200k
    c = combine([s], [gov("held", "long", 10_000_000, 7)], sizes=[10_000_000])
    # 3b nets to zero; 4d long 600k: haircut 600k (stand-alone: 400k + 600k = 1mm)
    assert c.haircut == pytest.approx(600_000)
    assert c.non_dealer == pytest.approx(400_000)  # 200k strategy + 200k book
    assert c.dealer == pytest.approx(700_000)  # 100k + 600k


def test_sizes_must_match() -> None:
    s = load_strategy(TABLE9 / "strategy_07.json")
    with pytest.raises(ValueError, match="2 strategies but 1 sizes"):
        combine([s, s], sizes=[1e6])


@st.composite
def table9_mix(draw: st.DrawFn) -> tuple[list[Strategy], list[float]]:
    names = sorted(p.name for p in TABLE9.glob("*.json"))
    picks = draw(st.lists(st.sampled_from(names), min_size=1, max_size=3))
    sizes = draw(st.lists(st.floats(1e5, 1e9), min_size=len(picks), max_size=len(picks)))
    return [load_strategy(TABLE9 / n).model_copy(update={"as_of": AS_OF}) for n in picks], sizes


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mix=table9_mix())
def test_combined_requirement_is_computed_on_the_merged_book(
    mix: tuple[list[Strategy], list[float]],
) -> None:
    strategies, sizes = mix
    c = combine(strategies, sizes=sizes)
    frame = positions_frame(merged_positions(strategies, sizes), AS_OF)
    assert len(frame) == sum(len(s.legs) for s in strategies)
    h = compute_haircuts(frame, AS_OF).total
    t = float(market_maker_thresholds(frame, AS_OF)["threshold"].sum())
    m = sum(0.02 * p for p in sizes)  # every Table 9 strategy is P long and P short
    F = 100_000.0
    dealer = min(max(m, F + h), max(m, F, t))
    assert (c.haircut, c.threshold, c.non_dealer, c.dealer) == pytest.approx((h, t, m, dealer))
    # one firm never needs more than the fixed minimum (once) over the merged book's charge
    assert c.dealer <= max(m, F + h)
