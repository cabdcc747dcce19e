"""Shared pieces for writing auditable workbooks with openpyxl.

* `put` writes one cell; text that a spreadsheet would read as a
  formula (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is
  stored as literal text with a quote prefix, never as a formula.
* `write_table` writes a frame as a filtered, frozen-header table with
  number formats and column widths, and returns where each column landed so
  summary formulas can refer to it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

__all__ = [
    "MONEY",
    "PERCENT",
    "RATE",
    "Formula",
    "TableRef",
    "put",
    "safe_sheet_title",
    "style_header",
    "write_table",
]

MONEY = "#,##0;[Red]-#,##0"
"""Whole dollars, negatives in red (FOCUS presents whole dollars)."""
RATE = "0.00##%"
PERCENT = "0.0%"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = PatternFill("solid", fgColor="DDE4EE")


def put(
    ws: Worksheet, row: int, column: int, value: object, number_format: str | None = None
) -> None:
    """Write ``value`` to a cell; strings are always text, never formulas.

    Use `formula` values (strings passed through ``Formula``) for formulas.
    """
    cell = ws.cell(row=row, column=column)
    if isinstance(value, Formula):
        cell.value = value.text
    elif isinstance(value, str):
        cell.value = value
        cell.data_type = "s"
        if value.startswith(FORMULA_TRIGGERS):
            cell.quotePrefix = True
    elif isinstance(value, float | np.floating):
        cell.value = None if math.isnan(float(value)) else float(value)
    elif isinstance(value, bool | np.bool_):
        cell.value = bool(value)
    elif isinstance(value, int | np.integer):
        cell.value = int(value)
    elif isinstance(value, pd.Timestamp):
        cell.value = value.date()
    elif isinstance(value, date | datetime) or value is None:
        cell.value = value
    else:
        put(ws, row, column, str(value), number_format)
        return
    if number_format:
        cell.number_format = number_format


@dataclass(frozen=True)
class Formula:
    """A formula to write as such (anything else that looks like one is written as text)."""

    text: str

    def __post_init__(self) -> None:
        if not self.text.startswith("="):
            raise ValueError(f"a formula starts with '=': {self.text!r}")


@dataclass(frozen=True)
class TableRef:
    """Where a table landed: sheet title, column letters, first and last data rows."""

    sheet: str
    columns: Mapping[str, str]
    first_row: int
    last_row: int

    def range(self, column: str, absolute: bool = True) -> str:
        """``'Sheet'!$C$2:$C$99`` for one column of the table."""
        letter = self.columns[column]
        last = max(self.last_row, self.first_row)
        if absolute:
            return f"'{self.sheet}'!${letter}${self.first_row}:${letter}${last}"
        return f"'{self.sheet}'!{letter}{self.first_row}:{letter}{last}"


def style_header(ws: Worksheet, row: int, first_col: int, last_col: int) -> None:
    """Bold, shaded header cells."""
    for col in range(first_col, last_col + 1):
        cell = ws.cell(row=row, column=col)
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")


def write_table(
    ws: Worksheet,
    frame: pd.DataFrame,
    *,
    start_row: int = 1,
    formats: Mapping[str, str] | None = None,
    filter_and_freeze: bool = True,
) -> TableRef:
    """Write ``frame`` with a header row at ``start_row``; return its `TableRef`."""
    formats = formats or {}
    columns = [str(c) for c in frame.columns]
    for j, name in enumerate(columns, start=1):
        put(ws, start_row, j, name)
    style_header(ws, start_row, 1, len(columns))
    values = frame.to_numpy(dtype=object)
    for i, record in enumerate(values, start=start_row + 1):
        for j, name in enumerate(columns, start=1):
            put(ws, i, j, record[j - 1], formats.get(name))
    last = start_row + len(frame)
    letters = {name: get_column_letter(j) for j, name in enumerate(columns, start=1)}
    for j, name in enumerate(columns, start=1):
        sample = (
            [len(name)] + [len(str(v)) for v in values[:200, j - 1]] if len(values) else [len(name)]
        )
        ws.column_dimensions[get_column_letter(j)].width = min(max(max(sample) + 2, 10), 60)
    if filter_and_freeze:
        ws.freeze_panes = ws.cell(row=start_row + 1, column=1)
        ws.auto_filter.ref = (
            f"A{start_row}:{get_column_letter(len(columns))}{max(last, start_row + 1)}"
        )
    return TableRef(ws.title, letters, start_row + 1, last)


_BAD_TITLE = re.compile(r"[\[\]:*?/\\]")


def safe_sheet_title(name: str, taken: set[str]) -> str:
    """A valid, unique worksheet title (31 characters, no []:*?/\\)."""
    base = _BAD_TITLE.sub("-", name).strip("'") or "sheet"
    title = base[:31]
    n = 2
    while title.lower() in taken:
        suffix = f" ({n})"
        title = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(title.lower())
    return title
