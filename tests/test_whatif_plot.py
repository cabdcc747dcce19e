"""Charts: close crossovers keep readable labels; a dealer margin rate gets its own line."""

from __future__ import annotations

import pytest

from netcap.cli import load_strategy
from netcap.dealer.registration import analyze
from netcap.dealer.strategy import uncovered_futures_variant
from tests.conftest import FIXTURES

S8 = FIXTURES / "table9" / "strategy_08.json"


def test_label_levels_stack_close_crossovers() -> None:
    from netcap.report.plot import _label_levels  # noqa: PLC0415

    # axis $10k..$1bn: 5 decades.  285.7k and 311.3k are log10(311.3/285.7) = 0.037
    # decades apart, 0.7% of the axis: stacked.  80mm is far from both: back to the bottom.
    assert _label_levels([285_700.0, 311_300.0, 80e6], 1e4, 1e9) == [0, 1, 0]


def test_close_crossover_labels_do_not_overprint() -> None:
    pytest.importorskip("matplotlib")
    from netcap.report.plot import plot_increase  # noqa: PLC0415

    a = analyze(uncovered_futures_variant(load_strategy(S8)))
    ax = plot_increase(a)
    labels = {t.get_text(): t for t in ax.texts if t.get_text() in {"1", "2"}}
    assert set(labels) == {"1", "2"}
    assert labels["1"].xyann != labels["2"].xyann


def test_dealer_margin_line_only_when_rate_differs() -> None:
    pytest.importorskip("matplotlib")
    from netcap.report.plot import plot_requirements  # noqa: PLC0415

    s8 = load_strategy(S8)

    def names(strategy: object) -> list[str]:
        ax = plot_requirements(analyze(strategy))  # type: ignore[arg-type]
        return [str(line.get_label()) for line in ax.get_lines()]

    assert not any(n.startswith("dealer margin") for n in names(s8))
    assert any(n.startswith("dealer margin (3.00%") for n in names(uncovered_futures_variant(s8)))
