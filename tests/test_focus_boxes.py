"""FOCUS Part II / IIA box by box: a hand book worked line by line, the sample firm, the table."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from netcap.book.loading import load_book
from netcap.cli import main
from netcap.report.focus import focus_boxes, focus_report
from netcap.report.focus_xlsx import write_focus_workbook
from netcap.rule.computation import compute
from tests.conftest import FIXTURES, ROOT

SAMPLE = FIXTURES / "sample_firm" / "book.json"

# A dealer small enough to work every line by hand (as of 2024-06-28):
#   ownership equity 10,000,000; a subordinated loan of 500,000 (not aggregate indebtedness);
#   a bank loan of 3,000,000 (aggregate indebtedness); fixed assets of 100,000 (non-allowable);
#   long equities E1 400,000 and E2 200,000 (two issuers), long Treasury G1 1,000,000
#   maturing 2024-10-15 (3 complete months: the 3-to-6-month bucket of (A), 1/2%).
HAND_A: dict[str, Any] = {
    "as_of": "2024-06-28",
    "firm": {"name": "Hand Dealer LLC", "firm_type": "dealer", "months_in_business": 120},
    "balance_sheet": {
        "net_worth": 10_000_000,
        "non_allowable_assets": [{"id": "FA", "kind": "fixed_assets", "amount": 100_000}],
    },
    "liabilities": [
        {"id": "L1", "kind": "other", "amount": 3_000_000},
        {"id": "S1", "kind": "subordinated", "amount": 500_000},
    ],
    "positions": [
        {
            "id": "E1",
            "security_class": "equity",
            "side": "long",
            "market_value": 400_000,
            "quantity": 4000,
            "issuer": "Alpha",
        },
        {
            "id": "E2",
            "security_class": "equity",
            "side": "long",
            "market_value": 200_000,
            "issuer": "Beta",
        },
        {
            "id": "G1",
            "security_class": "government",
            "side": "long",
            "market_value": 1_000_000,
            "maturity": "2024-10-15",
            "issuer": "US Treasury",
        },
    ],
}

# Every box worked by hand from the rule:
#   3480 equity 10,000,000; 3490 nothing withdrawable: 0; 3500 = 10,000,000
#   3520 subordinated 500,000; 3525 no other credits: 0; 3530 = 10,500,000
#   3540 fixed assets deducted in full ((c)(2)(iv)(A)): -100,000; 3590, 3600, 3610: 0
#   3620 = -100,000; 3630: 0; 3640 = 10,500,000 - 100,000 = 10,400,000
#   (A): 1/2% of 1,000,000 = 5,000 -> 3735 -5,000
#   (J): 15% of the greater of longs (600,000) or shorts (0) = 90,000 -> 3734 -90,000
#   3740 = -95,000; 3750 = 10,400,000 - 95,000 = 10,305,000
#   AI 3,000,000 (the subordinated loan is not AI): 3756 = 3,000,000 / 15 = 200,000
#   3758 dealer minimum of (a)(2)(iii): 100,000; 3760 = max = 200,000
#   3770 = 10,305,000 - 200,000 = 10,105,000; 3780 = 10,305,000 - 10% x 3,000,000 = 10,005,000
#   3790 = 3,000,000; 3800-3820: 0; 3840 = 3,000,000
#   3850 = 3,000,000 / 10,305,000 = 29.11%; 3860 = 500,000 / (500,000 + 10,000,000) = 4.76%
HAND_BOXES = {
    "3480": 10_000_000,
    "3490": 0,
    "3500": 10_000_000,
    "3520": 500_000,
    "3525": 0,
    "3530": 10_500_000,
    "3540": -100_000,
    "3590": 0,
    "3600": 0,
    "3610": 0,
    "3620": -100_000,
    "3630": 0,
    "3640": 10_400_000,
    "3660": 0,
    "3670": 0,
    "3735": -5_000,
    "3733": 0,
    "3730": 0,
    "3734": -90_000,
    "3650": 0,
    "3736": 0,
    "3740": -95_000,
    "3750": 10_305_000,
    "3756": 200_000,
    "3758": 100_000,
    "3760": 200_000,
    "3770": 10_105_000,
    "3780": 10_005_000,
    "3790": 3_000_000,
    "3800": 0,
    "3810": 0,
    "3820": 0,
    "3840": 3_000_000,
    "3850": 29.11,
    "3860": 4.76,
}

CONFIRMED_PART_II = {"3756", "3758", "3760", "3770", "3780", "3790", "3800", "3810", "3820"}


def _write(tmp_path: Path, name: str, book: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(book), encoding="utf-8")
    return path


def _cli_json(capsys: pytest.CaptureFixture[str], *argv: str) -> dict[str, Any]:
    assert main(list(argv)) == 0
    out: dict[str, Any] = json.loads(capsys.readouterr().out)
    return out


@pytest.mark.parametrize("part", ["II", "IIA"])
def test_every_box_of_the_hand_book(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], part: str
) -> None:
    data = _cli_json(
        capsys, "focus", str(_write(tmp_path, "a.json", HAND_A)), "--json", "--part", part
    )
    assert data["form"] == "X-17A-5"
    assert data["part"] == part
    got = {ln["box"]: ln["value"] for ln in data["lines"]}
    assert got == HAND_BOXES
    confirmed = {ln["box"] for ln in data["lines"] if ln["confirmed"]}
    assert confirmed == (CONFIRMED_PART_II if part == "II" else set())
    assert data["unconfirmed_boxes"] == [ln["box"] for ln in data["lines"] if not ln["confirmed"]]
    for ln in data["lines"]:
        assert set(ln) >= {"line", "box", "label", "value", "citation", "confirmed", "source"}
        assert ln["citation"].startswith("15c3-1") or ln["citation"].startswith("17a-11")


def test_lines_with_no_box_are_listed_not_dropped(tmp_path: Path) -> None:
    result = load_book(_write(tmp_path, "a.json", HAND_A)).compute()
    report = focus_report(result)
    fed = set(report.detail["key"])
    reproduced = {"equity_qualified", "total_capital", "net_capital", "aggregate_indebtedness"}
    listed = set(report.not_on_part["key"])
    keys = list(result.lines["line"])
    # every computation line is in exactly one place: a box, a total a box reproduces, or the list
    for key in keys:
        assert (key in fed) + (key in reproduced) + (key in listed) == 1, key
    # tentative net capital (before Appendix B) has no box of its own: listed, with the reason
    assert "tentative_net_capital" in listed
    row = report.not_on_part.set_index("key").loc["tentative_net_capital"]
    assert row["value"] == 10_400_000
    assert "Appendix B" in row["reason"]


def test_sample_firm_boxes_equal_compute(capsys: pytest.CaptureFixture[str]) -> None:
    result = compute(load_book(SAMPLE).book, positions=load_book(SAMPLE).positions)
    data = _cli_json(capsys, "focus", str(SAMPLE), "--json")
    boxes = {ln["box"]: ln["value"] for ln in data["lines"]}
    computed = result.to_dict()
    assert boxes["3750"] == computed["net_capital"]
    assert boxes["3760"] == computed["net_capital_requirement"]
    assert boxes["3770"] == computed["excess_net_capital"]
    assert len([ln for ln in data["lines"] if ln["box"]]) >= 25
    # the Appendix B charge sits on line 6C, above line 8, as the form lays it out
    assert boxes["3600"] == -round(result.haircuts.appendix_b)
    assert boxes["3640"] == round(result.tentative_net_capital - result.haircuts.appendix_b)


def test_table_rows_are_sourced_and_flagged() -> None:
    with (ROOT / "netcap" / "data" / "focus_boxes.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows
    for row in rows:
        assert row["source"]
        assert row["form_version"]
        assert row["citation"]
        assert row["text_checked"] in ("yes", "no")
        if row["text_checked"] == "no":
            assert row["source"].startswith("NOT CONFIRMED")
    checked = {(r["part"], r["box"]) for r in rows if r["text_checked"] == "yes"}
    assert checked == {("II", b) for b in CONFIRMED_PART_II}
    assert list(focus_boxes("IIA")["box"]) == list(focus_boxes("II")["box"])


def test_the_workbook_keeps_formulas_with_their_values(tmp_path: Path) -> None:
    result = load_book(_write(tmp_path, "a.json", HAND_A)).compute()
    path = write_focus_workbook(focus_report(result), tmp_path / "focus.xlsx")
    formulas = openpyxl.load_workbook(path)["FOCUS"]
    values = openpyxl.load_workbook(path, data_only=True)["FOCUS"]
    by_box = {}
    for row in range(6, formulas.max_row + 1):
        box = str(formulas.cell(row, 2).value)
        by_box[box] = (formulas.cell(row, 4).value, values.cell(row, 4).value)
    assert str(by_box["3750"][0]).startswith("=")  # net capital: line 8 plus line 9
    assert by_box["3750"][1] == pytest.approx(10_305_000)
    assert str(by_box["3734"][0]).startswith("=SUMIF(Detail!")  # tied to its detail lines
    assert by_box["3734"][1] == pytest.approx(-90_000)
    assert by_box["3780"][1] == pytest.approx(10_005_000)
    assert values.cell(6, 6).value == "NOT CONFIRMED"  # box 3480
    detail = openpyxl.load_workbook(path)["Detail"]
    fed = {detail.cell(r, 1).value: detail.cell(r, 5).value for r in range(2, detail.max_row + 1)}
    assert fed["haircut:15c3-1(c)(2)(vi)(J)"] == 3734
    assert fed["nonallowable:fixed_assets"] == 3540


def test_csv_and_refusals(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    book = _write(tmp_path, "a.json", HAND_A)
    out = tmp_path / "focus.csv"
    assert main(["focus", str(book), "--csv", str(out)]) == 0
    rows = list(csv.DictReader(out.read_text(encoding="utf-8").splitlines()))
    assert {r["section"] for r in rows} == {"form", "not on this part"}
    assert next(r for r in rows if r["box"] == "3750")["value"] == "10305000"
    capsys.readouterr()
    assert main(["focus", str(book), "--csv", str(out)]) == 2  # exists: not overwritten
    assert "not overwritten" in capsys.readouterr().err
    assert main(["focus", str(book), "--xlsx", str(book)]) == 2  # never over the input
    capsys.readouterr()


def test_alternative_standard_takes_part_b(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # The hand book under the alternative standard of (a)(1)(ii), aggregate debit items
    # 5,000,000.  Net capital is unchanged (10,305,000).
    #   3870: 2% x 5,000,000 = 100,000
    #   3880: the greater of the 250,000 floor and the dealer's 100,000 = 250,000
    #   3760: the greater of the two = 250,000; 3910: 10,305,000 - 250,000 = 10,055,000
    #   3920: 10,305,000 less the greater of 5% x 5,000,000 = 250,000
    #         and 120% x 250,000 = 300,000: 10,005,000
    book = json.loads(json.dumps(HAND_A))
    book["firm"]["alternative_standard"] = True
    book["aggregate_debit_items"] = 5_000_000
    data = _cli_json(capsys, "focus", str(_write(tmp_path, "alt.json", book)), "--json")
    boxes = {ln["box"]: ln["value"] for ln in data["lines"]}
    assert data["standard"] == "alternative"
    assert boxes["3750"] == 10_305_000
    assert boxes["3870"] == 100_000
    assert boxes["3880"] == 250_000
    assert boxes["3760"] == 250_000
    assert boxes["3910"] == 10_055_000
    assert boxes["3920"] == 10_005_000
    assert not {"3756", "3758", "3770", "3780"} & set(boxes)  # Part A lines do not apply
    listed = {ln["line"] for ln in data["not_on_this_part"]}
    assert "net_capital_less_warning_level" not in listed  # it is box 3920 here


def test_the_workbook_recomputes_to_the_hand_figures(tmp_path: Path) -> None:
    """Every box formula, recomputed independently, gives the hand-worked figure."""
    import formulas  # noqa: PLC0415 (dev dependency, slow to import)

    result = load_book(_write(tmp_path, "a.json", HAND_A)).compute()
    path = write_focus_workbook(focus_report(result), tmp_path / "focus.xlsx")
    solution = formulas.ExcelModel().loads(str(path)).finish().calculate()
    recomputed: dict[str, float] = {}
    for key, value in solution.items():
        sheet, _, cell = key.rpartition("!")
        on_form = sheet.upper().strip("'").endswith("]FOCUS")
        if on_form and ":" not in cell and cell.startswith("D") and int(cell[1:]) >= 6:
            recomputed[cell] = float(value.value[0][0])
    sheet = openpyxl.load_workbook(path)["FOCUS"]
    for row in range(6, sheet.max_row + 1):
        box = str(sheet.cell(row, 2).value)
        expected = HAND_BOXES[box]
        got = recomputed[f"D{row}"]
        if box in ("3850", "3860"):
            assert round(got, 2) == expected, box
        else:
            assert got == pytest.approx(expected, abs=0.005), box
