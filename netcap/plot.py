"""Charts of the registration analysis (needs the optional extra ``plot``: matplotlib).

* `plot_increase`: % capital increase against P (log axis), crossovers marked;
* `plot_requirements`: the requirement under each standard against P;
* `plot_combination`: stand-alone requirements next to the combined firm's;
* `strategy_figure`: the first two side by side, written to a file by
  ``netcap strategy SPEC.json --plot out.png``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from netcap.money import round_percent
from netcap.portfolio import Combination
from netcap.registration import RegistrationAnalysis

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
    "fixed_minimum_plus_haircut": "F + haircut",
    "fixed_minimum": "F",
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


def _describe(c: Any) -> str:
    std = "MM" if c.after[0] == "market_maker_alternative" else "AI"
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
        ax.plot([c.P], [y], "o", color="C3", zorder=5)
        ax.annotate(
            str(k),
            (c.P, y),
            textcoords="offset points",
            xytext=(5, 5 + _LABEL_STEP * level),
            fontsize=8,
            color="C3",
        )
    if shown:
        text = "crossovers\n" + "\n".join(f"{k}. {_describe(c)}" for k, c in enumerate(shown, 1))
        ax.text(
            0.02,
            0.03,
            text,
            transform=ax.transAxes,
            fontsize=7,
            color="C3",
            va="bottom",
            bbox={"facecolor": "white", "alpha": 0.8, "edgecolor": "0.8"},
        )
    ax.set_xscale("log")
    ax.set_yscale("symlog", linthresh=10.0)
    ax.set_ylim(bottom=min(0.0, float(df["increase_pct"].min())))
    P0 = analysis.strategy.P
    if grid.min() <= P0 <= grid.max():
        y0 = float(analysis.requirements([P0])["increase_pct"].iloc[0])
        ax.plot([P0], [y0], "s", color="C0", zorder=5)
        ax.annotate(
            f"{y0:.1f}% at {_money(P0)}",
            (P0, y0),
            textcoords="offset points",
            xytext=(6, 6),
            fontsize=8,
            color="C0",
        )
    _money_axis(ax)
    ax.set_xlabel("position size P")
    ax.set_ylabel("increase over non-dealer margin (%)")
    ax.set_title(f"{analysis.strategy.name}: capital increase", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    return ax


def plot_requirements(analysis: RegistrationAnalysis, ax: Any = None, P: Any = None) -> Any:
    """Required equity under each standard against P (log-log)."""
    plt = _pyplot()
    if ax is None:
        _, ax = plt.subplots(figsize=(7, 4.5))
    grid = default_grid(analysis) if P is None else np.asarray(P, dtype=float)
    df = analysis.requirements(grid)
    ax.plot(df["P"], df["non_dealer"], color="0.4", ls="--", label="non-dealer (margin)")
    if analysis.strategy.dealer_margin_rate is not None:
        # the margin a registered firm faces, when it differs from the baseline
        ax.plot(
            df["P"],
            df["dealer_margin"],
            color="C4",
            ls="-.",
            label=f"dealer margin ({analysis.strategy.dealer_margin_rate:.2%} rate, floor: margin)",
        )
    ax.plot(
        df["P"], df["aggregate_indebtedness"], color="C1", label="dealer, AI standard (a)(1)(i)"
    )
    if analysis.strategy.market_maker_eligible:
        ax.plot(df["P"], df["market_maker"], color="C2", label="dealer, market maker (a)(6)")
    ax.plot(df["P"], df["dealer"], color="k", lw=2.5, alpha=0.35, label="dealer requirement")
    for c in analysis.crossovers:
        if grid.min() <= c.P <= grid.max():
            ax.axvline(c.P, color="C3", lw=0.8, ls=":")
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
    names = [str(n).split(":")[0] for n in t["name"]]
    labels = [n if len(n) <= 22 else n[:20] + "…" for n in names]
    x = np.arange(len(t))
    colors = ["C0"] * (len(t) - 2) + ["C1", "C2"]
    ax.bar(x - 0.2, t["non_dealer"], width=0.4, color="0.75", label="non-dealer margin")
    bars = ax.bar(x + 0.2, t["dealer"], width=0.4, color=colors, label="dealer requirement")
    for b, pct in zip(bars, t["increase_pct"], strict=True):
        ax.annotate(
            f"+{round_percent(pct):.0f}%",
            (b.get_x() + b.get_width() / 2, b.get_height()),
            ha="center",
            va="bottom",
            fontsize=8,
        )
    ax.set_xticks(x, labels, rotation=15, ha="right", fontsize=8)
    ax.set_ylabel("required equity")
    _money_axis(ax, "y")
    ax.set_title(
        "stand-alone vs combined "
        f"(sum of stand-alone %: {round_percent(combination.sum_of_increase_pct):.0f}%)",
        fontsize=10,
    )
    ax.legend(fontsize=8)
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
