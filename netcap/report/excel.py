"""Workbooks as data, written with XlsxWriter so every formula carries its value.

A report builds a `Book` of `Sheet` objects: each cell holds a value or a
`Formula`, its number format and its style.  A `Formula` is made together with
the engine's value for it (``Formula("=SUM(C5:C9)", 125_000.0)``), so the value
is attached where the formula is written and `save` stores both: a viewer that
recalculates shows the formula's result, one that does not (pandas, openpyxl
``data_only=True``, mail and web previews) shows the engine's number.  openpyxl
cannot store a formula's value, which is why the writer is XlsxWriter; netcap
still reads workbooks with openpyxl over defusedxml (`netcap.book.sheets`).

* `Sheet.put` writes one cell; text that a spreadsheet would read as a formula
  (starting with ``=``, ``+``, ``-``, ``@``, tab or carriage return) is stored as
  literal text with a quote prefix, never as a formula.
* `write_table` writes a frame as a filtered, frozen-header table with number
  formats and column widths, and returns where each column landed so summary
  formulas can refer to it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

__all__ = [
    "MONEY",
    "PERCENT",
    "RATE",
    "Book",
    "Cell",
    "Formula",
    "ScatterChart",
    "Sheet",
    "TableRef",
    "column_letter",
    "column_number",
    "safe_sheet_title",
    "save",
    "write_table",
    "xlsx_workbook",
]

MONEY = "#,##0;[Red]-#,##0"
"""Whole dollars, negatives in red (FOCUS presents whole dollars)."""
RATE = "0.00##%"
PERCENT = "0.0%"
DATE = "yyyy-mm-dd"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
HEADER_FILL = "#DDE4EE"

CachedValue = float | str | bool
"""What a formula cell stores as its last result: a number, a text or a truth value."""


@dataclass(frozen=True)
class Formula:
    """A formula to write as such, with the engine's value for it.

    Anything else that looks like a formula is written as text.  ``value`` is the
    number (or text) the engine computed for this cell; it is saved beside the
    formula as the cell's last calculated result.
    """

    text: str
    value: CachedValue

    def __post_init__(self) -> None:
        if not self.text.startswith("="):
            raise ValueError(f"a formula starts with '=': {self.text!r}")
        value: Any = self.value
        if isinstance(value, np.generic):
            object.__setattr__(self, "value", value.item())
            value = self.value
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"{self.text}: the engine's value must be finite, not {value}")
        if not isinstance(value, float | int | str | bool):
            raise TypeError(f"{self.text}: no engine value of a storable type ({value!r})")


@dataclass
class Cell:
    """One cell: a value (or `Formula`) and how it looks."""

    value: object = None
    number_format: str | None = None
    bold: bool = False
    size: float | None = None
    header: bool = False
    """Bold on the header fill, wrapped at the top."""


@dataclass
class ScatterChart:
    """An XY chart of one series: x and y columns over rows ``first``..``last`` (1-based)."""

    title: str
    x_title: str
    y_title: str
    x_column: int
    y_column: int
    name_row: int
    first: int
    last: int
    anchor: str
    x_log: bool = False
    y_format: str | None = None


def column_letter(column: int) -> str:
    """``A`` for column 1, ``AA`` for 27."""
    letters = ""
    while column:
        column, rem = divmod(column - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


def column_number(letters: str) -> int:
    """1 for ``A``, 27 for ``AA``."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + ord(ch) - 64
    return n


@dataclass
class Sheet:
    """A worksheet being built: cells by (row, column), 1-based as a spreadsheet counts."""

    title: str
    cells: dict[tuple[int, int], Cell] = field(default_factory=dict)
    widths: dict[int, float] = field(default_factory=dict)
    freeze: tuple[int, int] | None = None
    """(row, column) of the first cell that scrolls, as a spreadsheet names it."""
    autofilter: tuple[int, int, int, int] | None = None
    charts: list[ScatterChart] = field(default_factory=list)
    print_one_page_wide: bool = True
    """Print landscape, every column on one page width (rows run on to more pages)."""

    def put(
        self,
        row: int,
        column: int,
        value: object,
        number_format: str | None = None,
        *,
        bold: bool = False,
    ) -> Cell:
        """Write ``value`` to a cell; strings are always text, never formulas."""
        cell = self.cells.setdefault((row, column), Cell())
        cell.value = _plain_value(value)
        if number_format:
            cell.number_format = number_format
        if bold:
            cell.bold = True
        return cell

    def cell(self, row: int, column: int) -> Cell:
        """The cell at (row, column), created blank if new."""
        return self.cells.setdefault((row, column), Cell())

    def style_header(self, row: int, first_col: int, last_col: int) -> None:
        """Bold, shaded, wrapped header cells."""
        for col in range(first_col, last_col + 1):
            self.cell(row, col).header = True

    def width(self, column: int | str, width: float) -> None:
        """Set a column's width (by number or letter)."""
        self.widths[column if isinstance(column, int) else column_number(column)] = width

    def formulas(self) -> dict[tuple[int, int], Formula]:
        """Every formula cell with its formula (for tests and checks)."""
        return {k: c.value for k, c in self.cells.items() if isinstance(c.value, Formula)}


def _plain_value(value: object) -> object:
    """A value as stored: numpy scalars as Python, NaN as blank, timestamps as dates."""
    if isinstance(value, Formula | str) or value is None:
        return value
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if isinstance(value, float | np.floating):
        return None if math.isnan(float(value)) else float(value)
    if isinstance(value, int | np.integer):
        return int(value)
    if isinstance(value, pd.Timestamp):
        return value.date()
    if isinstance(value, date | datetime):
        return value
    return str(value)


@dataclass
class Book:
    """Sheets in order."""

    sheets: list[Sheet] = field(default_factory=list)

    def add(self, title: str, position: int | None = None) -> Sheet:
        """A new sheet, at the end or at ``position`` (0-based)."""
        sheet = Sheet(title)
        if position is None:
            self.sheets.append(sheet)
        else:
            self.sheets.insert(position, sheet)
        return sheet

    def move_last(self, title: str) -> None:
        """Move sheet ``title`` to the end."""
        sheet = next(s for s in self.sheets if s.title == title)
        self.sheets.remove(sheet)
        self.sheets.append(sheet)

    @property
    def titles(self) -> list[str]:
        """Sheet titles in order."""
        return [s.title for s in self.sheets]


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


def write_table(
    ws: Sheet,
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
        ws.put(start_row, j, name)
    ws.style_header(start_row, 1, len(columns))
    values = frame.to_numpy(dtype=object)
    for i, record in enumerate(values, start=start_row + 1):
        for j, name in enumerate(columns, start=1):
            ws.put(i, j, record[j - 1], formats.get(name))
    last = start_row + len(frame)
    letters = {name: column_letter(j) for j, name in enumerate(columns, start=1)}
    for j, name in enumerate(columns, start=1):
        sample = (
            [len(name)] + [len(str(v)) for v in values[:200, j - 1]] if len(values) else [len(name)]
        )
        ws.width(j, min(max(max(sample) + 2, 10), 60))
    if filter_and_freeze:
        ws.freeze = (start_row + 1, 1)
        ws.autofilter = (start_row, 1, max(last, start_row + 1), len(columns))
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


# --- Writing -------------------------------------------------------------------------------------


def _format_key(cell: Cell, quote: bool, is_date: bool) -> tuple[object, ...]:
    fmt = cell.number_format or (DATE if is_date else None)
    return (fmt, cell.bold or cell.header, cell.size, cell.header, quote)


def _format_props(key: tuple[object, ...]) -> dict[str, object]:
    fmt, bold, size, header, quote = key
    props: dict[str, object] = {}
    if fmt:
        props["num_format"] = fmt
    if bold:
        props["bold"] = True
    if size:
        props["font_size"] = size
    if header:
        props |= {"bg_color": HEADER_FILL, "pattern": 1, "text_wrap": True, "valign": "top"}
    if quote:
        props["quote_prefix"] = True
    return props


def _write_chart(xw: Any, ws: Any, sheet: Sheet, chart: ScatterChart) -> None:
    c = xw.add_chart({"type": "scatter"})
    name = sheet.title
    c.add_series(
        {
            "name": [name, chart.name_row - 1, chart.y_column - 1],
            "categories": [
                name,
                chart.first - 1,
                chart.x_column - 1,
                chart.last - 1,
                chart.x_column - 1,
            ],
            "values": [
                name,
                chart.first - 1,
                chart.y_column - 1,
                chart.last - 1,
                chart.y_column - 1,
            ],
            "marker": {"type": "circle"},
        }
    )
    c.set_title({"name": chart.title})
    x_axis: dict[str, object] = {"name": chart.x_title}
    if chart.x_log:
        x_axis["log_base"] = 10
    y_axis: dict[str, object] = {"name": chart.y_title}
    if chart.y_format:
        y_axis["num_format"] = chart.y_format
    c.set_x_axis(x_axis)
    c.set_y_axis(y_axis)
    c.set_size({"width": 640, "height": 340})
    ws.insert_chart(chart.anchor, c)


@contextmanager
def xlsx_workbook(path: Path | str) -> Iterator[Any]:
    """An XlsxWriter workbook at ``path`` that never reads text as a formula, number or URL,
    closed on leaving; an unwritable path raises a plain `OSError`.

    `save` writes a `Book` through it; a report that drives XlsxWriter itself (the FOCUS
    and diff workbooks) opens its workbook here too, so both get the same guards.
    """
    import xlsxwriter  # noqa: PLC0415 - only when a workbook is written
    import xlsxwriter.exceptions  # noqa: PLC0415

    xw = xlsxwriter.Workbook(
        str(path),
        {
            "strings_to_formulas": False,
            "strings_to_numbers": False,
            "strings_to_urls": False,
        },
    )
    try:
        yield xw
    finally:
        try:
            xw.close()
        except xlsxwriter.exceptions.FileCreateError as exc:
            # the OSError XlsxWriter wraps, so callers see a plain unwritable path
            cause = exc.args[0] if exc.args and isinstance(exc.args[0], OSError) else None
            raise cause or OSError(str(exc)) from None


def save(book: Book, path: Path | str) -> Path:
    """Write ``book`` to ``path`` (.xlsx): every formula with its engine value."""
    out = Path(path)
    with xlsx_workbook(out) as xw:
        formats: dict[tuple[object, ...], Any] = {}

        def fmt(key: tuple[object, ...]) -> Any:
            if key not in formats:
                props = _format_props(key)
                formats[key] = xw.add_format(props) if props else None
            return formats[key]

        for sheet in book.sheets:
            ws = xw.add_worksheet(sheet.title)
            for col, width in sorted(sheet.widths.items()):
                ws.set_column(col - 1, col - 1, width)
            for (row, col), cell in sorted(sheet.cells.items()):
                r, c, v = row - 1, col - 1, cell.value
                is_date = isinstance(v, date | datetime)
                quote = isinstance(v, str) and v.startswith(FORMULA_TRIGGERS)
                f = fmt(_format_key(cell, quote, is_date))
                if isinstance(v, Formula):
                    ws.write_formula(r, c, v.text, f, v.value)
                elif isinstance(v, str):
                    ws.write_string(r, c, v, f)
                elif isinstance(v, bool):
                    ws.write_boolean(r, c, v, f)
                elif isinstance(v, int | float):
                    if math.isfinite(v):
                        ws.write_number(r, c, v, f)
                    else:
                        ws.write_string(r, c, str(v), f)
                elif isinstance(v, datetime):
                    ws.write_datetime(r, c, v, f)
                elif isinstance(v, date):
                    ws.write_datetime(r, c, datetime(v.year, v.month, v.day), f)
                else:
                    ws.write_blank(r, c, None, f)
            if sheet.freeze is not None:
                ws.freeze_panes(sheet.freeze[0] - 1, sheet.freeze[1] - 1)
            if sheet.autofilter is not None:
                r1, c1, r2, c2 = sheet.autofilter
                ws.autofilter(r1 - 1, c1 - 1, r2 - 1, c2 - 1)
            if sheet.print_one_page_wide:
                ws.set_landscape()
                ws.fit_to_pages(1, 0)
                ws.repeat_rows(0)
            for chart in sheet.charts:
                _write_chart(xw, ws, sheet, chart)
    return out
