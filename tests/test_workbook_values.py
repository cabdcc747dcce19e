"""Every exported workbook carries each formula's value, and that value is the engine's.

A reader that does not recalculate (pandas, openpyxl ``data_only=True``, a mail or web
preview) sees the saved value of a formula cell.  These tests read every workbook the
commands export that way and check (a) every formula cell has a value, equal to the
engine's figure where the engine has one; (b) recalculating independently with the
``formulas`` package gives the saved values back; (c) LibreOffice, recalculating on load,
gives them back too (marked ``libreoffice``; skipped where ``soffice`` is not installed).
"""

from __future__ import annotations

import math
import shutil
import subprocess
from pathlib import Path

import formulas
import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from netcap.book.firm import BalanceSheet, Book, FirmProfile, Liability
from netcap.book.loading import load_book
from netcap.cli import load_strategy, main
from netcap.dealer.registration import analyze
from netcap.rule.computation import compute
from tests.conftest import AS_OF, FIXTURES, gov

Cells = dict[tuple[str, str], object]


def _formula_cells(path: Path) -> tuple[Cells, Cells]:
    """(formula text, saved value) of every formula cell, keyed by (SHEET, A1)."""
    texts: Cells = {}
    saved: Cells = {}
    with_formulas = openpyxl.load_workbook(path)
    values = openpyxl.load_workbook(path, data_only=True)
    for ws in with_formulas.worksheets:
        vs = values[ws.title]
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type == "f":
                    key = (ws.title.upper(), cell.coordinate)
                    texts[key] = cell.value
                    saved[key] = vs[cell.coordinate].value
    return texts, saved


def _same(a: object, b: object) -> bool:
    """Equal text, or numbers equal to float noise (a millionth of a dollar, or 1e-9 relative)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return math.isclose(float(a), float(b), rel_tol=1e-9, abs_tol=1e-6)
    return a == b


def _recompute(path: Path) -> Cells:
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out: Cells = {}
    for key, value in solution.items():
        if "!" not in key:
            continue
        sheet, cell = key.rsplit("!", 1)
        if ":" in cell:
            continue
        v = value.value[0][0]
        out[(sheet.split("]", 1)[1].strip("'").upper(), cell)] = v
    return out


def _plain(value: object) -> object:
    """A recalculated value as a Python number or text (numpy scalars, errors as text)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, int | float | str | bool):
        return value
    return str(value)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Every workbook the commands export, on the bundled fixtures and a netting book."""
    folder = tmp_path_factory.mktemp("exported")
    out = {name: folder / f"{name}.xlsx" for name in ("sample", "strategy", "table10")}
    assert (
        main(["compute", str(FIXTURES / "sample_firm" / "book.json"), "--xlsx", str(out["sample"])])
        == 0
    )
    spec = str(FIXTURES / "table9" / "strategy_07.json")
    assert main(["strategy", spec, "--xlsx", str(out["strategy"])]) == 0
    assert main(["table10", str(FIXTURES / "table9"), "--xlsx", str(out["table10"])]) == 0
    # a book with a Treasury netting worksheet, the alternative standard and liabilities
    book = Book(
        as_of=AS_OF,
        firm=FirmProfile(alternative_standard=True),
        balance_sheet=BalanceSheet(net_worth=2_500_000),
        aggregate_debit_items=20_000_000,
        positions=(gov("t1", "long", 1_000_000, 6.0), gov("t2", "short", 400_000, 4.0)),
        liabilities=(Liability(id="l1", amount=300_000, kind="other"),),
    )
    out["netting"] = folder / "netting.xlsx"
    assert main_export(book, out["netting"])
    return out


def main_export(book: Book, path: Path) -> bool:
    from netcap.report import export_computation  # noqa: PLC0415

    export_computation(compute(book), path)
    return path.exists()


@pytest.mark.parametrize("name", ["sample", "strategy", "table10", "netting"])
def test_every_formula_cell_has_its_value_for_openpyxl_and_pandas(
    exported: dict[str, Path], name: str
) -> None:
    path = exported[name]
    texts, saved = _formula_cells(path)
    assert texts, "the workbook has live formulas"
    missing = [k for k, v in saved.items() if v is None]
    assert not missing, f"formula cells without a saved value: {missing[:5]}"
    frames = pd.read_excel(path, sheet_name=None, header=None)
    by_title = {title.upper(): frame for title, frame in frames.items()}
    for (sheet, ref), value in saved.items():
        cell = openpyxl.utils.cell.coordinate_from_string(ref)
        col = openpyxl.utils.cell.column_index_from_string(cell[0]) - 1
        got = by_title[sheet].iat[cell[1] - 1, col]
        assert _same(got, value), (sheet, ref, got, value)


@pytest.mark.parametrize("name", ["sample", "strategy", "table10", "netting"])
def test_independent_recalculation_gives_the_saved_values(
    exported: dict[str, Path], name: str
) -> None:
    path = exported[name]
    _, saved = _formula_cells(path)
    recalculated = _recompute(path)
    wrong = {
        k: (v, _plain(recalculated[k]))
        for k, v in saved.items()
        if not _same(_plain(recalculated[k]), v)
    }
    assert not wrong, f"{len(wrong)} of {len(saved)} cells differ, e.g. {list(wrong.items())[:5]}"


def _computation_values(path: Path) -> dict[str, object]:
    """Line key (column A) -> saved amount (column C) of the Computation sheet."""
    ws = openpyxl.load_workbook(path, data_only=True)["Computation"]
    return {
        str(ws.cell(r, 1).value): ws.cell(r, 3).value
        for r in range(3, ws.max_row + 1)
        if ws.cell(r, 1).value is not None
    }


def test_computation_lines_saved_are_the_engine_lines(exported: dict[str, Path]) -> None:
    loaded = load_book(FIXTURES / "sample_firm" / "book.json")
    result = loaded.compute()
    saved = _computation_values(exported["sample"])
    checked = 0
    for rec in result.lines.to_dict("records"):
        amount = float(rec["amount"])
        if rec["unit"] == "%":
            expected: object = amount / 100 if math.isfinite(amount) else "n/a"
        else:
            expected = amount
        assert _same(saved[str(rec["line"])], expected), rec["line"]
        checked += 1
    assert checked >= 40
    # the figure a controller looks for first, by hand from the engine's own subtotals:
    # net capital = tentative net capital + every haircut line (each negative)
    haircuts = sum(
        float(v)  # type: ignore[arg-type]
        for k, v in saved.items()
        if k.startswith("haircut:")
    )
    assert float(saved["net_capital"]) == pytest.approx(  # type: ignore[arg-type]
        float(saved["tentative_net_capital"]) + haircuts,
        abs=0.5,  # type: ignore[arg-type]
    )


def test_netting_book_saved_values_worked_by_hand(exported: dict[str, Path]) -> None:
    saved = _computation_values(exported["netting"])
    # t1: 6 years -> subcategory 3b (5 to 10 years), 4%; t2: 4 years -> 3a (3 to 5), 3%.
    # (A)(1) category 3: 4% x 1,000,000 = 40,000 long, 3% x 400,000 = 12,000 short;
    # net 28,000 plus 50% of the lesser 12,000 = 6,000 -> 34,000
    assert saved["haircut:15c3-1(c)(2)(vi)(A)"] == pytest.approx(-34_000, abs=0.5)
    # net capital 2,500,000 - 34,000 = 2,466,000
    assert saved["net_capital"] == pytest.approx(2_466_000, abs=0.5)
    # alternative standard: greatest of 2% x 20,000,000 = 400,000 and the 250,000 floor
    assert saved["net_capital_requirement"] == pytest.approx(400_000, abs=0.5)
    ws = openpyxl.load_workbook(exported["netting"], data_only=True)["Treasury netting"]
    totals = [r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "Total deduction"]
    assert ws.cell(totals[0], 7).value == pytest.approx(34_000, abs=0.5)
    assert ws.cell(totals[0] + 2, 7).value == pytest.approx(0, abs=0.5)


def test_strategy_grid_saved_values_are_the_engine_requirements(exported: dict[str, Path]) -> None:
    a = analyze(load_strategy(FIXTURES / "table9" / "strategy_07.json"))
    ws = openpyxl.load_workbook(exported["strategy"], data_only=True).worksheets[0]
    header = next(r for r in range(1, 80) if ws.cell(r, 1).value == "P")
    checked = 0
    for row in range(header + 1, ws.max_row + 1):
        P = ws.cell(row, 1).value
        if P is None:
            break
        expected = a.requirements(float(P)).iloc[0]
        assert ws.cell(row, 8).value == pytest.approx(expected["dealer"], rel=1e-12)
        assert ws.cell(row, 9).value * 100 == pytest.approx(expected["increase_pct"], rel=1e-9)
        checked += 1
    assert checked >= 26


def test_book_reader_takes_a_formula_with_its_saved_value(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    firm = wb.add_worksheet("firm")
    firm.write_row(0, 0, ["field", "value"])
    firm.write_row(1, 0, ["as_of", "2024-06-28"])
    firm.write_string(2, 0, "balance_sheet.net_worth")
    # 1,000,000 + 500,000 = 1,500,000, saved with the formula
    firm.write_formula(2, 1, "=1000000+500000", None, 1_500_000)
    wb.add_worksheet("positions").write_row(0, 0, ["id", "security_class", "side", "market_value"])
    wb.close()
    loaded = load_book(path)
    assert loaded.book.balance_sheet.net_worth == 1_500_000


# --- LibreOffice ---------------------------------------------------------------------------------

_RECALC_ALWAYS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
<prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
</oor:items>
"""


def _libreoffice_recalculate(paths: list[Path], folder: Path) -> dict[Path, Path]:
    """Each workbook opened in LibreOffice with 'always recalculate on load', saved again."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    profile = folder / "profile"
    (profile / "user").mkdir(parents=True)
    (profile / "user" / "registrymodifications.xcu").write_text(_RECALC_ALWAYS, "utf-8")
    out = folder / "recalculated"
    subprocess.run(
        [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--convert-to",
            "xlsx",
            "--outdir",
            str(out),
            *map(str, paths),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return {p: out / p.name for p in paths}


@pytest.mark.libreoffice
def test_libreoffice_recalculates_to_the_saved_values(
    exported: dict[str, Path], tmp_path: Path
) -> None:
    # a control workbook whose saved value is deliberately stale (=2*3 saved as 99) proves
    # LibreOffice really recalculates rather than echoing the saved values back
    control = tmp_path / "control.xlsx"
    wb = xlsxwriter.Workbook(str(control))
    wb.add_worksheet("S").write_formula(0, 0, "=2*3", None, 99)
    wb.close()
    paths = [control, *exported.values()]
    recalculated = _libreoffice_recalculate(paths, tmp_path)
    assert openpyxl.load_workbook(recalculated[control], data_only=True)["S"]["A1"].value == 6
    total = 0
    for path in exported.values():
        _, saved = _formula_cells(path)
        again = openpyxl.load_workbook(recalculated[path], data_only=True)
        wrong = {}
        for (sheet, ref), value in saved.items():
            title = next(t for t in again.sheetnames if t.upper() == sheet)
            got = again[title][ref].value
            if not _same(got, value):
                wrong[(sheet, ref)] = (got, value)
        assert not wrong, f"{path.name}: {len(wrong)} cells differ, e.g. {list(wrong.items())[:5]}"
        total += len(saved)
    assert total > 1000
