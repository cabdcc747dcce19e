"""Plots fit for a deck (issue 15, item 5): legends name what is drawn, axes read in units.

The images themselves were checked by eye; these tests hold the properties checked.
"""

from __future__ import annotations

from typing import Any

import pytest

from netcap.cli import load_strategy
from netcap.dealer.portfolio import combine
from netcap.dealer.registration import analyze
from tests.conftest import FIXTURES

TABLE9 = FIXTURES / "table9"

pytest.importorskip("matplotlib")


def _drawn_labels(ax: Any) -> set[str]:
    return {str(a.get_label()) for a in [*ax.lines, *ax.patches, *ax.collections]}


def test_every_legend_entry_of_the_strategy_panels_is_drawn() -> None:
    import matplotlib.pyplot as plt  # noqa: PLC0415

    from netcap.report.plot import strategy_figure  # noqa: PLC0415

    a = analyze(load_strategy(TABLE9 / "strategy_08.json"))
    fig = strategy_figure(a)
    try:
        for ax in fig.axes:
            entries = [t.get_text() for t in ax.get_legend().get_texts()]
            assert entries
            assert set(entries) <= _drawn_labels(ax)
        left = fig.axes[0]
        # both crossovers of strategy 8 ($285.7k and $311.3k) have their own legend entry
        entries = [t.get_text() for t in left.get_legend().get_texts()]
        assert [e[:2] for e in entries if e[:1].isdigit()] == ["1.", "2."]
        # the increase axis reads in percent
        fig.canvas.draw()
        ticks = [t.get_text() for t in left.get_yticklabels() if t.get_text()]
        assert ticks
        assert all(t.endswith("%") for t in ticks)
    finally:
        plt.close(fig)


def test_combination_legend_covers_every_bar_colour() -> None:
    import matplotlib.pyplot as plt  # noqa: PLC0415
    from matplotlib.colors import to_hex  # noqa: PLC0415

    from netcap.report.plot import plot_combination  # noqa: PLC0415

    c = combine(
        [load_strategy(TABLE9 / "strategy_07.json"), load_strategy(TABLE9 / "strategy_08.json")]
    )
    ax = plot_combination(c)
    try:
        bar_colours = {to_hex(p.get_facecolor()) for p in ax.patches}
        legend = ax.get_legend()
        legend_colours = {to_hex(h.get_facecolor()) for h in legend.legend_handles}
        assert bar_colours <= legend_colours
        # labels are wrapped, never cut: every strategy name is there in full
        ax.figure.canvas.draw()
        ticks = [t.get_text().replace("\n", " ") for t in ax.get_xticklabels()]
        assert "Strategy 7: Off-the-run Bond Butterfly" in [" ".join(t.split()) for t in ticks]
    finally:
        plt.close(ax.figure)
