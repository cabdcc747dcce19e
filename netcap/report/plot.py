"""Charts of the registration analysis (needs the optional extra ``plot``: matplotlib).

* `plot_increase`: % capital increase against P (log axis), crossovers marked;
* `plot_requirements`: the requirement under each standard against P;
* `plot_combination`: stand-alone requirements next to the combined firm's;
* `strategy_figure`: the first two side by side, written to a file by
  ``netcap strategy SPEC.json --plot out.png``.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from netcap.money import round_percent

if TYPE_CHECKING:  # plots depend on the results they draw, only for their types
    from netcap.dealer.portfolio import Combination
    from netcap.dealer.registration import RegistrationAnalysis

__all__ = [
    "default_grid",
    "plot_combination",
    "plot_increase",
    "plot_requirements",
    "save_strategy_figure",
    "strategy_figure",
]


def _pyplot() -> Any:
    try:
        import matplotlib  # noqa: PLC0415

        matplotlib.use("Agg", force=False)
        import matplotlib.pyplot as plt  # noqa: PLC0415
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError(
            "netcap plots need matplotlib: install the 'plot' extra (pip install netcap[plot])"
        ) from None
    return plt


def default_grid(analysis: RegistrationAnalysis, n: int = 400) -> np.ndarray:
    """Log-spaced P from well below the first crossover to well above the last (and $50mm)."""
    marks = [c.P for c in analysis.crossovers] + [analysis.strategy.P, 50_000_000.0]
    lo, hi = min(marks) / 10.0, max(marks) * 10.0
    return np.geomspace(lo, hi, n)


_SHORT = {
    "margin": "margin",
    "fixed_minimum_plus_haircut": "fixed minimum + haircut",
    "fixed_minimum": "fixed minimum",
    "market_maker_threshold": "(a)(6) threshold",
}


def _money(x: float) -> str:
    for div, suffix in ((1e9, "bn"), (1e6, "mm"), (1e3, "k")):
        if abs(x) >= div:
            return f"${x / div:.4g}{suffix}"
    return f"${x:.4g}"


def _money_axis(ax: Any, axis: str = "x") -> None:
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    fmt = FuncFormatter(lambda x, _pos: _money(x))
    (ax.xaxis if axis == "x" else ax.yaxis).set_major_formatter(fmt)


def _percent(y: float) -> str:
    return f"{y:,.0f}%" if abs(y) >= 1 or y == 0 else f"{y:.2g}%"


def _percent_axis(ax: Any) -> None:
    """Tick labels of the y axis as percentages (``1,000%``, not ``10^3``)."""
    from matplotlib.ticker import FuncFormatter  # noqa: PLC0415

    ax.yaxis.set_major_formatter(FuncFormatter(lambda y, _pos: _percent(y)))
    ax.yaxis.set_minor_formatter(FuncFormatter(lambda _y, _pos: ""))


def _number_crossovers(ax: Any, Ps: list[float], lo: float, hi: float) -> None:
    """Number each crossover's vertical line at the top of the axes, close ones staggered."""
    levels = _label_levels(Ps, lo, hi)
    for k, (p, level) in enumerate(zip(Ps, levels, strict=True), start=1):
        ax.annotate(
            str(k),
            (p, 1.0),
            xycoords=("data", "axes fraction"),
            textcoords="offset points",
            xytext=(4 + 9 * level, -12 - _LABEL_STEP * level),
            fontsize=8,
            color="C3",
        )


def _describe(c: Any) -> str:
    std = "market-maker alt." if c.after[0] == "market_maker_alternative" else "AI standard"
    return f"{_money(c.P)}: {_SHORT[c.before[1]]} → {_SHORT[c.after[1]]} ({std})"


_LABEL_STEP = 10
"""Points between the stacked labels of crossovers too close to label side by side."""
_LABEL_GAP = 0.04
"""Crossovers closer than this share of the log P axis get stacked labels."""


def _label_levels(Ps: list[float], lo: float, hi: float) -> list[int]:
    """How far up to lift each crossover's label so that close ones do not overprint.

    A label is raised one step above the previous one when its crossover lies
    within ``_LABEL_GAP`` of the log axis of the previous; otherwise it starts
    again at the bottom.
    """
    span = max(np.log10(hi) - np.log10(lo), 1e-12)
    levels: list[int] = []
    for k, p in enumerate(Ps):
        close = k > 0 and (np.log10(p) - np.log10(Ps[k - 1])) / span < _LABEL_GAP
        levels.append(levels[-1] + 1 if close else 0)
    return levels


def plot_increase(analysis: RegistrationAnalysis, ax: Any = None, P: Any = None) -> Any:
    """% increase in required equity against P (log axis), crossovers and the limit marked."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    grid = default_grid(analysis) if P is None else np.asarray(P, dtype=float)
    df = analysis.requirements(grid)
    ax.plot(df["P"], df["increase_pct"], color="C0", lw=2, label="increase in required equity")
    limit = analysis.increase_pct_limit
    if np.isfinite(limit):
        ax.axhline(limit, color="C0", ls=":", lw=1, label=f"limit as P → ∞: {limit:.1f}%")
    shown = [c for c in analysis.crossovers if grid.min() <= c.P <= grid.max()]
    levels = _label_levels([c.P for c in shown], float(grid.min()), float(grid.max()))
    for k, (c, level) in enumerate(zip(shown, levels, strict=True), start=1):
        y = float(analysis.requirements([c.P])["increase_pct"].iloc[0])
        ax.plot(
            [c.P],
            [y],
            "o",
            color="C3",
            ms=5,
            zorder=5,
            label=f"{k}. {_describe(c)}",
        )
        # close crossovers: each number further up and right, with a leader to its point
        ax.annotate(
            str(k),
            (c.P, y),
            textcoords="offset points",
            xytext=(8 + 10 * level, 8 + _LABEL_STEP * level),
            fontsize=8,
            color="C3",
            arrowprops={"arrowstyle": "-", "color": "C3", "lw": 0.6} if level else None,
        )
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=10.0)
    top = float(df["increase_pct"].max())
    # headroom above the highest point, on the symlog scale, for the labels
    ax.set_ylim(bottom=min(0.0, float(df["increase_pct"].min())), top=max(top * 2.0, 20.0))
    P0 = analysis.strategy.P
    if grid.min() <= P0 <= grid.max():
        y0 = float(analysis.requirements([P0])["increase_pct"].iloc[0])
        ax.plot([P0], [y0], "s", color="C0", zorder=5, label="the strategy's own P")
        ax.annotate(
            f"{y0:.1f}% at {_money(P0)}",
            (P0, y0),
            textcoords="offset points",
            xytext=(6, 6),
            fontsize=8,
            color="C0",
        )
    _money_axis(ax)
    _percent_axis(ax)
    ax.set_xlabel("position size P")
    ax.set_ylabel("increase over non-dealer margin")
    ax.set_title(f"{analysis.strategy.name}: capital increase", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    # the crossovers are described in the legend, one entry per numbered point
    ax.legend(fontsize=7.5, loc="best")
    return ax


def plot_requirements(analysis: RegistrationAnalysis, ax: Any = None, P: Any = None) -> Any:
    """Required equity under each standard against P (log-log)."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    grid = default_grid(analysis) if P is None else np.asarray(P, dtype=float)
    df = analysis.requirements(grid)
    # the binding requirement as a wide pale band underneath, so the standards drawn over it
    # keep the colours their legend entries show
    ax.plot(
        df["P"],
        df["dealer"],
        color="0.6",
        lw=7,
        alpha=0.45,
        solid_capstyle="butt",
        zorder=1,
        label="dealer requirement (the binding standard)",
    )
    ax.plot(df["P"], df["non_dealer"], color="0.3", ls="--", zorder=3, label="non-dealer (margin)")
    if analysis.strategy.dealer_margin_rate is not None:
        # the margin a registered firm faces, when it differs from the baseline
        ax.plot(
            df["P"],
            df["dealer_margin"],
            color="C4",
            ls="-.",
            zorder=3,
            label=f"dealer margin ({analysis.strategy.dealer_margin_rate:.2%} rate, floor: margin)",
        )
    ax.plot(
        df["P"],
        df["aggregate_indebtedness"],
        color="C1",
        zorder=3,
        label="dealer, aggregate indebtedness standard (a)(1)(i)",
    )
    if analysis.strategy.market_maker_eligible:
        ax.plot(
            df["P"],
            df["market_maker"],
            color="C2",
            ls=(0, (5, 2)),
            zorder=4,
            label="dealer, market-maker alternative (a)(6)",
        )
    shown = [c.P for c in analysis.crossovers if grid.min() <= c.P <= grid.max()]
    for k, p in enumerate(shown):
        ax.axvline(
            p,
            color="C3",
            lw=0.8,
            ls=":",
            label="crossover (numbered as on the left)" if k == 0 else None,
        )
    _number_crossovers(ax, shown, float(grid.min()), float(grid.max()))
    ax.set_xscale("log")
    ax.set_yscale("log")
    _money_axis(ax)
    _money_axis(ax, "y")
    ax.set_xlabel("position size P")
    ax.set_ylabel("required equity")
    ax.set_title(f"{analysis.strategy.name}: requirement by standard", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_combination(combination: Combination, ax: Any = None) -> Any:
    """Bars: each strategy's stand-alone dealer requirement, their sum, and the combined firm."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    t = combination.table()
    labels = [
        textwrap.fill(str(n), 16, break_on_hyphens=False, break_long_words=False) for n in t["name"]
    ]
    x = np.arange(len(t))
    separate = len(t) - 2
    colors = ["C0"] * separate + ["C1", "C2"]
    ax.bar(x - 0.2, t["non_dealer"], width=0.4, color="0.75")
    bars = ax.bar(x + 0.2, t["dealer"], width=0.4, color=colors)
    for b, pct in zip(bars, t["increase_pct"], strict=True):
        ax.annotate(
            f"{round_percent(pct):+.0f}%",
            (b.get_x() + b.get_width() / 2, b.get_height()),
            textcoords="offset points",
            xytext=(0, 2),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(x, labels, fontsize=7)
    ax.set_ylim(top=float(max(t["dealer"].max(), t["non_dealer"].max())) * 1.15)
    from matplotlib.patches import Patch  # noqa: PLC0415

    ax.legend(
        handles=[
            Patch(color="0.75", label="non-dealer margin"),
            Patch(color="C0", label="dealer requirement, run alone"),
            Patch(color="C1", label="dealer requirements added up"),
            Patch(color="C2", label="dealer requirement, one firm"),
        ],
        fontsize=8,
        loc="best",
    )
    ax.set_ylabel("required equity")
    _money_axis(ax, "y")
    ax.set_title(
        "Dealer capital: each run alone vs one firm\n"
        f"(the strategies' increases added up: "
        f"{round_percent(combination.sum_of_increase_pct):+.0f}%; "
        f"one firm: {round_percent(combination.increase_pct):+.0f}%)",
        fontsize=10,
    )
    ax.grid(True, axis="y", alpha=0.3)
    return ax


def strategy_figure(analysis: RegistrationAnalysis, P: Any = None) -> Any:
    """A two-panel figure: the increase and the requirements against P."""
    plt = _pyplot()
    fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5))
    plot_increase(analysis, left, P)
    plot_requirements(analysis, right, P)
    fig.tight_layout()
    return fig


def save_strategy_figure(analysis: RegistrationAnalysis, path: str | Path, P: Any = None) -> Path:
    """Write `strategy_figure` to ``path`` (format from the suffix)."""
    plt = _pyplot()
    fig = strategy_figure(analysis, P)
    out = Path(path)
    fig.savefig(out, dpi=120)
    plt.close(fig)
    return out
