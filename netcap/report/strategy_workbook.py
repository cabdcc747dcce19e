"""Dealer-registration analysis as a workbook: one sheet per strategy.

Each sheet states the strategy's parameters in cells (margin rate, fixed
minimum, haircut and market-maker threshold per dollar of P) and a grid of
position sizes P whose requirements are live formulas on those cells:

    haircut, threshold  = haircut_rate x P, threshold_rate x P
    margins             = margin_rate x P
    AI standard         = MAX(dealer margin, fixed_minimum + haircut)
    market-maker alt.   = MAX(dealer margin, fixed_minimum, threshold)
    dealer              = MIN(AI, market maker)   (AI alone if (a)(6) is not available)
    increase            = dealer / non-dealer margin - 1

so a reader can change a parameter or a P and see the effect.  A strategy that
is not proportional to P (legs sized in dollars, per-leg margins, a higher
dealer margin) gets the engine's exact haircut, threshold and margins at each P
as values, and the standards above as formulas on them.  A chart plots
the increase against P on a logarithmic axis.  The haircut per dollar of P is
itself traced to the legs on the same sheet.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from netcap.dealer.registration import CITATIONS, RegistrationAnalysis
from netcap.report.excel import (
    MONEY,
    PERCENT,
    RATE,
    Book,
    Formula,
    ScatterChart,
    Sheet,
    safe_sheet_title,
    save,
    write_table,
)

__all__ = ["DEFAULT_GRID", "export_strategies"]

DEFAULT_GRID: tuple[float, ...] = tuple(float(x) for x in np.round(np.logspace(5, 10, 26), -3))
"""$100,000 to $10 billion, five points a decade."""


def _is_linear(a: RegistrationAnalysis) -> bool:
    """True when haircut, threshold and both margins are constant multiples of P."""
    if any(leg.size is None for leg in a.strategy.legs):
        return False
    grid = np.array([1e3, 1e6, a.strategy.P, 1e10])
    r = a.requirements(grid)
    m = a.strategy.margin_rate
    checks = (
        (r["haircut"], a.haircut_rate * grid),
        (r["threshold"], a.threshold_rate * grid),
        (r["non_dealer"], m * grid),
        (r["dealer_margin"], m * grid),
    )
    return all(np.allclose(x.to_numpy(dtype=float), y, rtol=1e-12, atol=1e-6) for x, y in checks)


def _parameters(ws: Sheet, a: RegistrationAnalysis) -> dict[str, str]:
    s = a.strategy
    ws.put(1, 1, s.name, bold=True).size = 13
    rows = [
        ("P", "Position size P of the leg table", s.P, MONEY, "Table 9 sizing"),
        ("margin_rate", "Non-dealer margin rate", s.margin_rate, RATE, CITATIONS["margin"]),
        (
            "fixed_minimum",
            "Fixed-dollar minimum",
            s.fixed_minimum,
            MONEY,
            CITATIONS["fixed_minimum"],
        ),
        ("haircut_rate", "Haircut per dollar of P", a.haircut_rate, RATE, "15c3-1(c)(2)(vi)"),
        (
            "threshold_rate",
            "Market-maker threshold per dollar of P",
            a.threshold_rate,
            RATE,
            CITATIONS["market_maker_alternative"],
        ),
        (
            "eligible",
            "Market-maker alternative available (1 = yes)",
            1 if s.market_maker_eligible else 0,
            None,
            "15c3-1(a)(6)(ii)",
        ),
    ]
    where: dict[str, str] = {}
    for i, (key, label, value, fmt, cite) in enumerate(rows, start=3):
        ws.put(i, 1, label)
        ws.put(i, 2, value, fmt)
        ws.put(i, 3, cite)
        where[key] = f"$B${i}"
    return where


def _legs(ws: Sheet, a: RegistrationAnalysis, first_row: int) -> tuple[int, int]:
    headers = [
        "leg",
        "bucket",
        "paragraph",
        "market value at P",
        "haircut at P",
        "threshold rate",
        "threshold at P",
        "note",
    ]
    for j, h in enumerate(headers, start=1):
        ws.put(first_row, j, h)
    ws.style_header(first_row, 1, len(headers))
    detail = a.haircuts.detail.set_index("id")
    thresholds = a.thresholds.set_index("id")
    row = first_row
    for i, leg in enumerate(a.strategy.legs):
        pid = f"leg{i}"
        row += 1
        d = detail.loc[pid].to_dict()
        t = thresholds.loc[pid].to_dict()
        ws.put(row, 1, leg.label or pid)
        ws.put(row, 2, str(d["bucket"]))
        ws.put(row, 3, str(d["paragraph"]))
        ws.put(row, 4, float(t["market_value"]), MONEY)
        ws.put(row, 5, float(d["charge"]) + float(d.get("add_on_charge", 0.0) or 0.0), MONEY)
        ws.put(row, 6, float(t["rate"]), RATE)
        ws.put(row, 7, Formula(f"=D{row}*F{row}", float(t["threshold"])), MONEY)
        ws.put(row, 8, str(d["note"]))
    return first_row + 1, row


_ENGINE_COLUMNS = (
    "haircut",
    "threshold",
    "non_dealer",
    "dealer_margin",
    "aggregate_indebtedness",
    "dealer",
    "increase_pct",
)

GRID_HEADERS = (
    "P",
    "haircut",
    "market-maker threshold",
    "non-dealer margin",
    "dealer margin",
    "AI standard",
    "market-maker alternative",
    "dealer",
    "increase",
)


def _grid(
    ws: Sheet,
    a: RegistrationAnalysis,
    where: dict[str, str],
    grid: Sequence[float],
    first_row: int,
) -> int:
    for j, h in enumerate(GRID_HEADERS, start=1):
        ws.put(first_row, j, h)
    ws.style_header(first_row, 1, len(GRID_HEADERS))
    m, F, h, t, ok = (
        where[k]
        for k in ("margin_rate", "fixed_minimum", "haircut_rate", "threshold_rate", "eligible")
    )
    linear = _is_linear(a)
    engine = a.requirements(np.asarray(grid, dtype=float))
    F_value = a.fixed_minimum
    row = first_row
    for k, P in enumerate(grid):
        row += 1
        e = {name: float(engine[name].iloc[k]) for name in _ENGINE_COLUMNS}
        # the (a)(6) alternative as the engine computes it, shown even where (a)(6) is not available
        mm = max(e["dealer_margin"], F_value, e["threshold"])
        increase: float | str = e["increase_pct"] / 100.0
        if not np.isfinite(e["increase_pct"]):
            increase = "#DIV/0!"
        ws.put(row, 1, float(P), MONEY)
        if linear:
            ws.put(row, 2, Formula(f"={h}*A{row}", e["haircut"]), MONEY)
            ws.put(row, 3, Formula(f"={t}*A{row}", e["threshold"]), MONEY)
            ws.put(row, 4, Formula(f"={m}*A{row}", e["non_dealer"]), MONEY)
            ws.put(row, 5, Formula(f"=D{row}", e["dealer_margin"]), MONEY)
        else:
            for col, name in (
                (2, "haircut"),
                (3, "threshold"),
                (4, "non_dealer"),
                (5, "dealer_margin"),
            ):
                ws.put(row, col, e[name], MONEY)
        ws.put(row, 6, Formula(f"=MAX(E{row},{F}+B{row})", e["aggregate_indebtedness"]), MONEY)
        ws.put(row, 7, Formula(f"=MAX(E{row},{F},C{row})", mm), MONEY)
        ws.put(row, 8, Formula(f"=IF({ok}=1,MIN(F{row},G{row}),F{row})", e["dealer"]), MONEY)
        ws.put(row, 9, Formula(f"=H{row}/D{row}-1", increase), PERCENT)
    if not linear:
        ws.put(
            first_row - 1,
            1,
            "Haircut, threshold and margins are the engine's values at "
            "each P: this strategy is not proportional to P (dollar legs or leg margins).",
        )
    return row


def _chart(ws: Sheet, first: int, last: int, anchor: str) -> None:
    ws.charts.append(
        ScatterChart(
            title="Capital increase from registering as a dealer",
            x_title="position size P ($, log scale)",
            y_title="increase over non-dealer margin",
            x_column=1,
            y_column=9,
            name_row=first - 1,
            first=first,
            last=last,
            anchor=anchor,
            x_log=True,
            y_format="0%",
        )
    )


def write_strategy_sheet(ws: Sheet, a: RegistrationAnalysis, grid: Sequence[float]) -> None:
    """One strategy: parameters, legs, the P grid with live formulas, and a chart."""
    where = _parameters(ws, a)
    legs_first, legs_last = _legs(ws, a, first_row=12)
    P = where["P"]
    for key, col in (("haircut_rate", "E"), ("threshold_rate", "G")):
        row = int(where[key].rsplit("$", 1)[1])
        rate = a.haircut_rate if key == "haircut_rate" else a.threshold_rate
        text = f"=SUM({col}{legs_first}:{col}{legs_last})/{P}"
        ws.put(row, 2, Formula(text, rate), RATE)
    grid_header = legs_last + 4
    last = _grid(ws, a, where, grid, grid_header)
    _chart(ws, grid_header + 1, last, f"K{grid_header}")
    widths = (42, 16, 22, 20, 18, 18, 24, 18, 12)
    for number, width in enumerate(widths, start=1):
        ws.width(number, width)
    ws.freeze = (3, 1)


def export_strategies(
    analyses: Sequence[RegistrationAnalysis],
    path: Path,
    grid: Sequence[float] = DEFAULT_GRID,
    summary: pd.DataFrame | None = None,
    summary_title: str = "Table 10",
) -> None:
    """Write one sheet per analysed strategy to ``path`` (.xlsx).

    Each sheet's grid is ``grid`` plus the strategy's own P and its crossovers.
    ``summary`` (one row per strategy, e.g. Table 10 of Release 34-99477 beside
    netcap's figures) is written first, on a sheet named ``summary_title``.
    """
    if not analyses:
        raise ValueError("no strategies to export")
    if any(not np.isfinite(P) or P <= 0 for P in grid):
        raise ValueError("every P in the grid must be positive and finite")
    book = Book()
    taken: set[str] = set()
    if summary is not None:
        ws = book.add(safe_sheet_title(summary_title, taken))
        write_table(ws, summary)
    for a in analyses:
        ws = book.add(safe_sheet_title(a.strategy.name, taken))
        points = sorted({*grid, a.strategy.P, *(round(c.P, 2) for c in a.crossovers)})
        write_strategy_sheet(ws, a, points)
    save(book, path)
