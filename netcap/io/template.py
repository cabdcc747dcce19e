"""Write an empty book in the layout `netcap.io.book.load_book` reads.

``netcap template book.xlsx`` writes a workbook with a ``readme`` sheet, a
``firm`` sheet listing every field with its description, and one sheet per
list of items with its column headers.  ``netcap template folder/`` writes the
same as CSV files.
"""

from __future__ import annotations

import csv
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from netcap.firm import Book
from netcap.frame import COLUMNS
from netcap.io.book import list_sheets, scalar_fields
from netcap.model import Instrument, SecurityClass, Side

__all__ = ["template_sheets", "write_template"]


def template_sheets() -> dict[str, list[list[str]]]:
    """Sheet name -> rows (header first) of an empty book."""
    firm = [["field", "value", "description"]]
    firm += [[name, "", desc] for name, desc in scalar_fields(Book)]
    sheets: dict[str, list[list[str]]] = {"firm": firm, "positions": [list(COLUMNS)]}
    for name, (_, item) in list_sheets().items():
        sheets[name] = [list(item.model_fields)]
    return sheets


def _readme() -> list[list[str]]:
    return [
        ["netcap book template"],
        [""],
        ["firm: one row per field; leave a value blank to take the default."],
        [
            "positions: one row per position; market_value is the absolute value, side gives"
            " the sign; give maturity (YYYY-MM-DD) or years_to_maturity."
        ],
        ["security_class: " + ", ".join(c.value for c in SecurityClass)],
        ["instrument: " + ", ".join(i.value for i in Instrument)],
        ["side: " + ", ".join(s.value for s in Side)],
        [
            "currency: a positions, non_allowable_assets or liabilities row in another currency"
            " gives its ISO 4217 code in a currency column (add it to positions), and the"
            " currency_rates sheet gives usd_per_unit for each code."
        ],
        [
            "reverse_repos, repurchase_agreements, secured_demand_notes: netcap computes the"
            " (c)(2)(iv)(F) and Appendix D deductions from these rows; do not also type them in"
            " as repo_deficits or sdn_collateral_deficiency non-allowable assets."
        ],
        ["Other sheets: one row per item. This readme sheet is ignored on import."],
    ]


def write_template(path: Path) -> None:
    """Write an empty book to ``path`` (.xlsx) or to a folder of CSV files."""
    sheets = template_sheets()
    if path.suffix.lower() == ".xlsx":
        wb = Workbook()
        readme = wb.active
        assert readme is not None
        readme.title = "readme"
        for row in _readme():
            readme.append(row)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
            for cell in ws[1]:
                cell.font = Font(bold=True)
            ws.freeze_panes = "A2"
        wb.save(path)
        return
    path.mkdir(parents=True, exist_ok=True)
    for name, rows in sheets.items():
        with (path / f"{name}.csv").open("w", newline="", encoding="utf-8") as fh:
            csv.writer(fh).writerows(rows)
