"""Regression tests for the reliability classes of issue 14: nothing lost, nothing
overwritten, no traceback, whatever the input.

Each test builds the hostile input of one class and checks that netcap either reads it
completely and correctly or refuses it with a message naming the file and field.
"""

from __future__ import annotations

import json
import re
import time
import zipfile
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from netcap.frame import BookError
from netcap.io import UnsafeFileError, load_book

BOOK_FIRM = [["field", "value"], ["as_of", "2024-06-28"], ["balance_sheet.net_worth", 5_000_000]]
POSITIONS = [
    ["id", "security_class", "side", "market_value"],
    ["e1", "equity", "long", 100_000],
]


def _workbook(path: Path, sheets: dict[str, list[list[Any]]]) -> Path:
    wb = openpyxl.Workbook()
    first = wb.active
    assert first is not None
    wb.remove(first)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
    wb.save(path)
    return path


def _lie_about_dimension(path: Path, sheet_index: int, ref: str) -> None:
    """Rewrite the <dimension ref=...> a sheet declares (what some producers get wrong)."""
    part = f"xl/worksheets/sheet{sheet_index}.xml"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[part].decode()
    if "<dimension" in xml:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)
    else:
        xml = xml.replace("<sheetViews>", f'<dimension ref="{ref}"/><sheetViews>', 1)
    parts[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


# -- 1. cells outside the declared dimension are read -----------------------------------------


def test_row_outside_declared_dimension_is_read(tmp_path: Path) -> None:
    rows = [*POSITIONS, ["e2", "equity", "long", 50_000]]
    path = _workbook(tmp_path / "b.xlsx", {"firm": BOOK_FIRM, "positions": rows})
    _lie_about_dimension(path, 2, "A1:D2")  # declares one data row; there are two
    loaded = load_book(path)
    assert list(loaded.positions["id"]) == ["e1", "e2"]


def test_column_outside_declared_dimension_is_read(tmp_path: Path) -> None:
    rows = [[*POSITIONS[0], "ready_market"], [*POSITIONS[1], False]]
    path = _workbook(tmp_path / "b.xlsx", {"firm": BOOK_FIRM, "positions": rows})
    _lie_about_dimension(path, 2, "A1:D2")
    loaded = load_book(path)
    assert not bool(loaded.positions["ready_market"].iloc[0])


def test_misspelt_column_outside_declared_dimension_is_refused(tmp_path: Path) -> None:
    rows = [[*POSITIONS[0], "ready_markte"], [*POSITIONS[1], False]]
    path = _workbook(tmp_path / "b.xlsx", {"firm": BOOK_FIRM, "positions": rows})
    _lie_about_dimension(path, 2, "A1:D2")
    with pytest.raises(BookError, match="ready_markte"):
        load_book(path)


def test_liability_outside_declared_dimension_is_read(tmp_path: Path) -> None:
    liabilities = [["id", "kind", "amount"], ["l1", "other", 5_000_000]]
    path = _workbook(
        tmp_path / "b.xlsx",
        {"firm": BOOK_FIRM, "positions": POSITIONS, "liabilities": liabilities},
    )
    _lie_about_dimension(path, 3, "A1:C1")
    loaded = load_book(path)
    assert [li.amount for li in loaded.book.liabilities] == [5_000_000]


# -- 2. a stray far cell costs nothing --------------------------------------------------------


def test_stray_cell_at_xfd1048576_is_fast(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "b.xlsx", {"firm": BOOK_FIRM, "positions": POSITIONS})
    wb = openpyxl.load_workbook(path)
    wb["positions"]["XFD1048576"] = "x"
    wb.save(path)
    started = time.perf_counter()
    with pytest.raises(UnsafeFileError, match=r"positions.*rows 3 to 1048575 are blank"):
        load_book(path)
    assert time.perf_counter() - started < 1.0


def test_stray_blank_far_cell_and_declared_huge_dimension_are_harmless(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "b.xlsx", {"firm": BOOK_FIRM, "positions": POSITIONS})
    _lie_about_dimension(path, 2, "A1:XFD1048576")
    started = time.perf_counter()
    loaded = load_book(path)
    assert time.perf_counter() - started < 1.0
    assert list(loaded.positions["id"]) == ["e1"]
