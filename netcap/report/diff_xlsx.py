"""The change between two computations as a workbook: formulas that carry their values.

Sheets:

``Summary``      net capital, requirement and excess at both dates; the change is
                 ``=after-before``; the attribution total and the check that it equals the
                 change are formulas over the other sheets.
``Attribution``  one row per computation line and haircut paragraph, ``change`` a formula
                 ``=after-before``; for paragraphs, one column per substitution step.
``Steps``        the sequential substitution; its total is a SUM.
``Positions``    one row per position (and the residual row), the change per step and the
                 row total as a SUM of the steps.

Every formula is written with the engine's figure as its cached value.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from xlsxwriter.utility import xl_col_to_name

from netcap.report.diff import BookDiff
from netcap.report.excel import xlsx_workbook

__all__ = ["write_diff_workbook"]


def _num(value: Any) -> float:
    try:
        x = float(value)
    except (TypeError, ValueError):
        return 0.0
    return x if math.isfinite(x) else 0.0


def write_diff_workbook(d: BookDiff, path: Path | str) -> Path:
    """Write ``d`` to ``path`` (.xlsx)."""
    target = Path(path)
    with xlsx_workbook(target) as book:
        _write(book, d)
    return target


def _write(book: Any, d: BookDiff) -> None:
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0;(#,##0)"})
    summary = book.add_worksheet("Summary")
    att = book.add_worksheet("Attribution")
    steps = book.add_worksheet("Steps")
    pos = book.add_worksheet("Positions")

    # Attribution
    a = d.attribution
    step_cols = [c for c in a.columns if str(c).startswith("step:")]
    head = ["kind", "line or paragraph", "box", "label", "before", "after", "change", "cause"]
    att.write_row(0, 0, head + [c.removeprefix("step:") for c in step_cols], bold)
    for i, row in enumerate(a.to_dict("records"), start=1):
        att.write_string(i, 0, str(row["kind"]))
        att.write_string(i, 1, str(row["key"]))
        att.write_string(i, 2, str(row["box"]))
        att.write_string(i, 3, str(row["label"]))
        att.write_number(i, 4, _num(row["before"]), money)
        att.write_number(i, 5, _num(row["after"]), money)
        att.write_formula(i, 6, f"=F{i + 1}-E{i + 1}", money, _num(row["change"]))
        att.write_string(i, 7, str(row["cause"]))
        for j, c in enumerate(step_cols):
            if row["kind"] == "paragraph":
                att.write_number(i, 8 + j, _num(row[c]), money)
    n_att = len(a)
    att.set_column(1, 1, 40)
    att.set_column(3, 3, 50)
    att.set_column(4, 6, 16)
    att.set_column(7, 7, 60)
    att.set_column(8, 8 + len(step_cols), 12)  # the steps' amounts in full, not ###

    # Steps
    steps.write_row(0, 0, ["step", "description", "change to net capital"], bold)
    for i, row in enumerate(d.steps.to_dict("records"), start=1):
        steps.write_string(i, 0, str(row["step"]))
        steps.write_string(i, 1, str(row["description"]))
        steps.write_number(i, 2, _num(row["change"]), money)
    n_steps = len(d.steps)
    steps.write_string(n_steps + 1, 0, "total", bold)
    steps.write_formula(
        n_steps + 1, 2, f"=SUM(C2:C{n_steps + 1})", money, _num(d.steps["change"].sum())
    )
    steps.set_column(1, 1, 70)
    steps.set_column(2, 2, 20)

    # Positions
    p = d.positions
    p_steps = [c for c in p.columns if str(c).startswith("step:")]
    cols = ["id", "status", "charge before", "charge after"]
    cols += [c.removeprefix("step:") for c in p_steps]
    cols += ["change", "paragraph before", "paragraph after", "bucket before", "bucket after"]
    pos.write_row(0, 0, cols, bold)
    first_step = xl_col_to_name(4)
    last_step = xl_col_to_name(3 + len(p_steps))
    change_col = 4 + len(p_steps)
    for i, row in enumerate(p.to_dict("records"), start=1):
        pos.write_string(i, 0, str(row["id"]))
        pos.write_string(i, 1, str(row["status"]))
        pos.write_number(i, 2, _num(row["charge_before"]), money)
        pos.write_number(i, 3, _num(row["charge_after"]), money)
        for j, c in enumerate(p_steps):
            pos.write_number(i, 4 + j, _num(row[c]), money)
        pos.write_formula(
            i,
            change_col,
            f"=SUM({first_step}{i + 1}:{last_step}{i + 1})",
            money,
            _num(row["change"]),
        )
        for j, c in enumerate(
            ("paragraph_before", "paragraph_after", "bucket_before", "bucket_after")
        ):
            value = row.get(c)
            blank = value is None or (isinstance(value, float) and math.isnan(value))
            pos.write_string(i, change_col + 1 + j, "" if blank else str(value))
    n_pos = len(p)
    pos.set_column(1, 1, 20)
    pos.set_column(2, change_col, 14)  # charges, steps and change: a header on one line
    pos.set_column(change_col + 1, change_col + 2, 30)  # paragraphs in full
    pos.set_column(change_col + 3, change_col + 4, 14)

    # Summary
    summary.write_string(0, 0, f"{d.after.firm.name}", bold)
    summary.write_row(
        2, 0, ["", d.before.as_of.isoformat(), d.after.as_of.isoformat(), "change"], bold
    )
    for i, (name, title) in enumerate(
        (("net_capital", "Net capital"), ("requirement", "Requirement"), ("excess", "Excess"))
    ):
        r = 3 + i
        summary.write_string(r, 0, title)
        summary.write_number(r, 1, _num(d.summary.loc[name, "before"]), money)
        summary.write_number(r, 2, _num(d.summary.loc[name, "after"]), money)
        summary.write_formula(
            r, 3, f"=C{r + 1}-B{r + 1}", money, _num(d.summary.loc[name, "change"])
        )
    att_total = _num(a["change"].sum()) if n_att else 0.0
    summary.write_string(7, 0, "Attribution, lines and paragraphs (sum)")
    summary.write_formula(7, 3, f"=SUM(Attribution!G2:G{n_att + 1})", money, att_total)
    summary.write_string(8, 0, "Attribution less the change in net capital (0 when it adds up)")
    summary.write_formula(
        8, 3, "=D8-D4", money, att_total - _num(d.summary.loc["net_capital", "change"])
    )
    summary.write_string(9, 0, "Haircut steps (sum)")
    summary.write_formula(9, 3, f"=Steps!C{n_steps + 2}", money, _num(d.steps["change"].sum()))
    summary.write_string(10, 0, "Positions and residual (sum)")
    summary.write_formula(
        10,
        3,
        f"=SUM(Positions!{xl_col_to_name(change_col)}2:{xl_col_to_name(change_col)}{n_pos + 1})",
        money,
        _num(p["change"].sum()),
    )
    summary.set_column(0, 0, 60)
    summary.set_column(1, 3, 18)
    for ws in (summary, att, steps, pos):  # printed landscape, every column on one page width
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
