"""The strategy workbook: live formulas that recompute to the engine's figures."""

from __future__ import annotations

import zipfile
from pathlib import Path
from xml.etree import ElementTree

import formulas
import openpyxl
import pytest

from netcap.cli import load_strategy
from netcap.dealer.registration import RegistrationAnalysis, analyze
from netcap.dealer.strategy import Strategy
from netcap.report import export_strategies
from tests.conftest import FIXTURES


def _recompute(path: Path) -> dict[tuple[str, str], object]:
    """Every cell's value after recomputing all formulas with an independent engine."""
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    out = {}
    for key, value in solution.items():
        sheet, cell = key.rsplit("!", 1)
        out[(sheet.split("]", 1)[1].strip("'"), cell)] = value.value[0][0]
    return out


@pytest.fixture(scope="module")
def workbook(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[RegistrationAnalysis]]:
    analyses = [
        analyze(load_strategy(FIXTURES / "table9" / f"strategy_{k}.json"))
        for k in ("07", "01", "13")
    ]
    path = tmp_path_factory.mktemp("wb") / "strategies.xlsx"
    export_strategies(analyses, path)
    return path, analyses


def test_grid_formulas_recompute_to_the_engine(workbook) -> None:  # type: ignore[no-untyped-def]
    path, analyses = workbook
    values = _recompute(path)
    wb = openpyxl.load_workbook(path)
    for ws, a in zip(wb.worksheets, analyses, strict=True):
        sheet = ws.title.upper()
        header = next(r for r in range(1, 60) if ws.cell(r, 1).value == "P")
        checked = 0
        for row in range(header + 1, ws.max_row + 1):
            P = ws.cell(row, 1).value
            if P is None:
                break
            expected = a.requirements(float(P)).iloc[0]
            assert values[(sheet, f"H{row}")] == pytest.approx(expected["dealer"], abs=0.5)
            assert values[(sheet, f"I{row}")] * 100 == pytest.approx(
                expected["increase_pct"], abs=1e-6
            )
            checked += 1
        assert checked >= 26


def test_strategy7_cells_match_box2(workbook) -> None:  # type: ignore[no-untyped-def]
    path, _ = workbook
    values = _recompute(path)
    wb = openpyxl.load_workbook(path)
    ws = wb.worksheets[0]
    sheet = ws.title.upper()
    assert values[(sheet, "B6")] == pytest.approx(0.0725)  # haircut per $ of P (Box 2)
    assert values[(sheet, "B7")] == pytest.approx(0.35)  # 5% long + 30% short (Box 2)
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == 50_000_000)
    # (100k + 0.0725 x 50mm) / (0.02 x 50mm) - 1 = 272.5%
    assert values[(sheet, f"I{row}")] == pytest.approx(2.725)
    crossings = [ws.cell(r, 1).value for r in range(1, ws.max_row + 1)]
    assert 360_360.36 in crossings  # Box 2's "$360k" crossover is on the grid


def test_sheet_titles_are_valid_and_unique(tmp_path: Path) -> None:
    a = analyze(load_strategy(FIXTURES / "table9" / "strategy_07.json"))
    renamed = [a, a]
    path = tmp_path / "dupe.xlsx"
    export_strategies(renamed, path)
    titles = openpyxl.load_workbook(path).sheetnames
    assert len(set(titles)) == 2
    assert all(len(t) <= 31 for t in titles)


def test_dollar_leg_strategy_uses_engine_values_and_live_totals(tmp_path: Path) -> None:
    # long a fixed $10mm 5y note (4%) against short 1.0 x P of 2y notes (2%): the haircut
    # is 400k + 0.02 P, not proportional to P, so the sheet carries the engine's values.
    s = Strategy.model_validate(
        {
            "name": "fixed long",
            "P": 50_000_000,
            "legs": [
                {"kind": "treasury", "side": "long", "amount": 10_000_000, "years": 5},
                {"kind": "treasury", "side": "short", "size": 1.0, "years": 2},
            ],
        }
    )
    a = analyze(s)
    path = tmp_path / "dollar.xlsx"
    export_strategies([a], path, grid=(1e6, 5e7))
    values = _recompute(path)
    ws = openpyxl.load_workbook(path).worksheets[0]
    sheet = ws.title.upper()
    row = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == 50_000_000)
    assert values[(sheet, f"B{row}")] == pytest.approx(400_000 + 0.02 * 50_000_000)
    # AI standard: max(margin, 100k + haircut); margin on the larger side (short 50mm): 1mm
    assert values[(sheet, f"F{row}")] == pytest.approx(100_000 + 1_400_000)
    assert values[(sheet, f"H{row}")] == pytest.approx(a.at(50_000_000).dealer)


def test_each_strategy_sheet_has_a_chart_with_both_axes_shown(workbook) -> None:  # type: ignore[no-untyped-def]
    path, analyses = workbook
    ns = {"c": "http://schemas.openxmlformats.org/drawingml/2006/chart"}
    with zipfile.ZipFile(path) as z:
        charts = sorted(n for n in z.namelist() if n.startswith("xl/charts/chart"))
        # one chart per strategy sheet (three strategies were exported)
        assert len(charts) == len(analyses)
        for name in charts:
            root = ElementTree.fromstring(z.read(name))
            assert root.find(".//c:scatterChart", ns) is not None
            axes = root.findall(".//c:plotArea/c:valAx", ns)
            # a scatter chart has two value axes: P (x, log scale) and the increase (y)
            assert len(axes) == 2
            for axis in axes:
                # an axis is hidden only by <c:delete val="1"/>; XlsxWriter writes the
                # element only for a hidden axis, openpyxl wrote val="0" for a shown one
                delete = axis.find("c:delete", ns)
                assert delete is None or delete.get("val") in ("0", "false")
            assert any(a.find("c:scaling/c:logBase", ns) is not None for a in axes)
