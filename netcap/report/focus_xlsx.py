"""FOCUS Part II / IIA as a workbook: every box a live formula that carries its value.

Sheet ``FOCUS`` lays the form out, line, box, label, amount, citation and whether the box
number was checked against the form's text.  Sheet ``Detail`` lists every line of the
computation with the box it feeds.  A box made of computation lines is
``SUMIF(Detail!box, box, Detail!amount)``; a total is the sum of the boxes it totals;
line 15 is net capital less aggregate indebtedness over the ratio of the table.  Each
formula is written with the engine's figure as its cached value (XlsxWriter
``write_formula(..., value=...)``), so a reader that does not recalculate still sees the
numbers.  Sheet ``Not on this part`` lists the computation lines the part has no box for.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from netcap.report.excel import xlsx_workbook
from netcap.report.focus import FORM, FocusReport
from netcap.rule.tables import load_schedule

__all__ = ["write_focus_workbook"]


MADE_OF_WIDTH = 60
"""Characters of a FOCUS sheet's ``made of`` list on one line; a longer list wraps."""


def _number(value: float) -> float:
    return float(value) if math.isfinite(value) else 0.0  # NaN (a ratio over zero) shows as 0


def write_focus_workbook(report: FocusReport, path: Path | str) -> Path:
    """Write ``report`` to ``path`` (.xlsx) with live formulas and cached values."""
    target = Path(path)
    with xlsx_workbook(target) as book:
        _write(book, report)
    return target


def _write(book: Any, report: FocusReport) -> None:
    bold = book.add_format({"bold": True})
    money = book.add_format({"num_format": "#,##0;(#,##0)", "valign": "top"})
    pct = book.add_format({"num_format": "0.00", "valign": "top"})
    flag = book.add_format({"font_color": "#9C0006", "bg_color": "#FFC7CE", "valign": "top"})
    centred = book.add_format({"align": "center", "valign": "top"})  # apart from its label
    top = book.add_format({"valign": "top"})  # a row grown for a long list reads from its top
    wrapped = book.add_format({"text_wrap": True, "valign": "top"})  # a long list, in its column

    form = book.add_worksheet("FOCUS")
    detail = book.add_worksheet("Detail")
    not_on = book.add_worksheet("Not on this part")

    # Detail: one row per computation line that feeds a box.
    detail.write_row(0, 0, ["line", "label", "amount", "citation", "box"], bold)
    feeds = report.detail.to_dict("records")
    for i, item in enumerate(feeds, start=1):
        detail.write_string(i, 0, str(item["key"]))
        detail.write_string(i, 1, str(item["label"]))
        fmt = pct if item["unit"] == "%" else money
        detail.write_number(i, 2, _number(float(item["amount"])), fmt)
        detail.write_string(i, 3, str(item["citation"]))
        detail.write_number(i, 4, int(item["box"]))
    last = max(len(feeds), 1)
    detail.set_column(0, 0, 44)
    detail.set_column(1, 1, 70)
    detail.set_column(2, 2, 18)
    detail.set_column(3, 3, 40)

    form.write_string(0, 0, f"FOCUS Report (Form {FORM}) Part {report.part}", bold)
    form.write_string(1, 0, f"{report.firm}, as of {report.as_of.isoformat()}")
    form.write_string(2, 0, f"form version: {report.form_version}")
    head = ["line", "box", "label", "amount", "citation", "box number checked", "made of"]
    form.write_row(4, 0, head, bold)
    first = 5
    records = report.lines.to_dict("records")
    cell = {str(row["box"]): f"D{first + i + 1}" for i, row in enumerate(records)}
    for i, row in enumerate(records):
        r = first + i
        box = str(row["box"])
        fmt = pct if row["unit"] == "%" else money
        detail_keys = [str(k) for k in row["detail"]]
        if detail_keys and detail_keys[0].startswith("box "):
            formula = "=" + "+".join(cell[k.removeprefix("box ")] for k in detail_keys)
        elif detail_keys and detail_keys[0] == "net_capital":
            ratio = load_schedule("requirements", report.as_of).rate("withdrawal_ai_ratio")
            formula = f"={cell['3750']}-{cell['3840']}/{ratio:g}"
        else:
            formula = f"=SUMIF(Detail!$E$2:$E${last + 1},{box},Detail!$C$2:$C${last + 1})"
        form.write_string(r, 0, str(row["line"]), top)
        form.write_number(r, 1, int(box), centred)
        form.write_string(r, 2, str(row["label"]), top)
        form.write_formula(r, 3, formula, fmt, _number(float(row["value"])))
        form.write_string(r, 4, str(row["citation"]), top)
        if row["confirmed"]:
            form.write_string(r, 5, "yes", top)
        else:
            form.write_string(r, 5, "NOT CONFIRMED", flag)
        made_of = ", ".join(detail_keys)
        form.write_string(r, 6, made_of, wrapped)
        if len(made_of) > MADE_OF_WIDTH:  # a viewer does not grow the row for wrapped text
            form.set_row(r, 15 * -(-len(made_of) // MADE_OF_WIDTH))
    form.set_column(2, 2, 80)
    form.set_column(3, 3, 18)
    form.set_column(4, 4, 36)
    form.set_column(5, 5, 18)
    form.set_column(6, 6, MADE_OF_WIDTH + 4)

    not_on.write_row(0, 0, ["line", "label", "amount", "citation", "why not on this part"], bold)
    for i, row in enumerate(report.not_on_part.to_dict("records"), start=1):
        not_on.write_string(i, 0, str(row["key"]))
        not_on.write_string(i, 1, str(row["label"]))
        fmt = pct if row["unit"] == "%" else money
        not_on.write_number(i, 2, _number(float(row["value"])), fmt)
        not_on.write_string(i, 3, str(row["citation"]))
        not_on.write_string(i, 4, str(row["reason"]))
    not_on.set_column(0, 1, 44)
    not_on.set_column(2, 2, 18)  # the amount in full, not ###
    not_on.set_column(3, 3, 36)
    not_on.set_column(4, 4, 90)
    for ws in (form, detail, not_on):  # printed landscape, every column on one page width
        ws.set_landscape()
        ws.fit_to_pages(1, 0)
