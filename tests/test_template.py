"""The book template documents itself: notes, required marks, drop-downs and examples."""

from __future__ import annotations

import csv
from pathlib import Path

import openpyxl
import pytest

from netcap.book.firm import FirmType, LiabilityKind, NonAllowableKind
from netcap.book.frame import COLUMNS, BookError
from netcap.book.loading import load_book, write_template
from netcap.book.model import Instrument, SecurityClass, Side
from netcap.book.readers import DOC_SHEETS, list_sheets, scalar_fields
from netcap.book.template import EXAMPLES, NO_PARAGRAPH, field_notes
from netcap.cli import main
from netcap.rule.receivables import ReceivableKind

BOOKKEEPING = {"id", "description", "firm.name", "label", "citation", "quantity"}
"""Fields no paragraph reads: identifiers, free-text notes, a name, a count."""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "book.xlsx"
    write_template(str(path))  # a str path is taken too
    return path


def test_every_field_and_column_has_description_unit_and_paragraph() -> None:
    notes = field_notes()
    # every sheet the reader reads, and every field of each
    assert set(notes) == {"firm", "positions", *list_sheets()}
    assert [n.field for n in notes["firm"]] == [f for f, _ in scalar_fields()]
    assert [n.field for n in notes["positions"]] == list(COLUMNS)
    for sheet, (_, item) in list_sheets().items():
        assert [n.field for n in notes[sheet]] == list(item.model_fields)
    for sheet, sheet_notes in notes.items():
        for n in sheet_notes:
            assert n.description, (sheet, n.field)
            assert n.unit, (sheet, n.field)
            assert n.paragraph, (sheet, n.field)
            if n.paragraph == NO_PARAGRAPH:
                assert n.field in BOOKKEEPING, (sheet, n.field)


def test_firm_sheet_marks_required_fields_with_notes(template: Path) -> None:
    ws = openpyxl.load_workbook(template)["firm"]
    header = [c.value for c in ws[1]]
    assert header == ["field", "value", "description", "required", "unit", "paragraph"]
    rows = {r[0].value: r for r in ws.iter_rows(min_row=2)}
    # as_of and net worth are required by the Book model; the fidelity bond's two fields
    # are required only once the bond is given
    assert rows["as_of"][3].value == "yes"
    assert rows["balance_sheet.net_worth"][3].value == "yes"
    assert rows["balance_sheet.net_worth"][4].value == "USD"
    assert rows["balance_sheet.net_worth"][5].value == "15c3-1(c)(2)(i)"
    assert rows["balance_sheet.fidelity_bond.deductible"][3].value == (
        "if balance_sheet.fidelity_bond is given"
    )
    assert rows["firm.name"][3].value is None
    # required rows are shaded; every field name carries a comment with its notes
    assert rows["as_of"][0].fill.fgColor.rgb.endswith("FFF2A8")
    for name, row in rows.items():
        assert row[0].comment is not None, name
    assert "Paragraph: 15c3-1(c)(2)(i)." in rows["balance_sheet.net_worth"][0].comment.text


def _validations(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, str]:
    """Cell range -> list source of each drop-down on a sheet."""
    out = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        out[str(dv.sqref)] = dv.formula1
    return out


def _list_values(wb: openpyxl.Workbook, source: str) -> list[str]:
    """The values behind a drop-down source such as ``lists!$C$2:$C$9``."""
    sheet, ref = source.lstrip("=").split("!")
    cells = wb[sheet][ref.replace("$", "")]
    return [row[0].value for row in cells]


def test_every_enumerated_field_has_a_drop_down_of_the_model_values(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb["lists"].sheet_state == "hidden"
    expected = {
        ("firm", "firm.firm_type"): [m.value for m in FirmType],
        ("positions", "security_class"): [m.value for m in SecurityClass],
        ("positions", "instrument"): [m.value for m in Instrument],
        ("positions", "side"): [m.value for m in Side],
        ("liabilities", "kind"): [m.value for m in LiabilityKind],
        ("non_allowable_assets", "kind"): [m.value for m in NonAllowableKind],
        ("receivables", "kind"): [m.value for m in ReceivableKind],
        ("market_maker_accounts", "role"): ["own", "carried"],
        ("positions", "listed"): ["TRUE", "FALSE"],
    }
    firm_rows = {r[0].value: r[0].row for r in wb["firm"].iter_rows(min_row=2)}
    found: dict[tuple[str, str], list[str]] = {}
    for sheet, notes in field_notes().items():
        ws = wb[sheet]
        validations = _validations(ws)
        header = [c.value for c in ws[1]]
        for n in notes:
            if sheet == "firm":
                ref = f"B{firm_rows[n.field]}"
            else:
                letter = openpyxl.utils.get_column_letter(header.index(n.field) + 1)
                ref = f"{letter}2:{letter}5001"
            if n.choices:
                assert ref in validations, (sheet, n.field)
                found[(sheet, n.field)] = _list_values(wb, validations[ref])
                assert found[(sheet, n.field)] == list(n.choices)
            else:
                assert ref not in validations, (sheet, n.field)
    for key, values in expected.items():
        assert found[key] == values, key
    # every enumerated field of the models has its list (checked field by field above)
    assert len(found) == sum(1 for ns in field_notes().values() for n in ns if n.choices)


def test_list_sheet_headers_carry_notes_and_required_marks(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb["liabilities"]
    cells = {c.value: c for c in ws[1]}
    assert cells["amount"].fill.fgColor.rgb.endswith("FFF2A8")  # required
    assert not cells["kind"].fill.fgColor.rgb.endswith("FFF2A8")  # defaults to other
    assert "Paragraph: 15c3-1(c)(1)." in cells["kind"].comment.text
    assert "One of: money_borrowed" in cells["kind"].comment.text
    # no cell below the header: rows appended by a script start at row 2
    assert ws.max_row == 1
    fields = wb["fields"]
    assert [c.value for c in fields[1]][:3] == ["sheet", "field", "required"]
    listed = {(r[0].value, r[1].value) for r in fields.iter_rows(min_row=2)}
    assert ("liabilities", "kind") in listed
    assert ("firm", "balance_sheet.net_worth") in listed


def _example_blocks(ws: openpyxl.worksheet.worksheet.Worksheet) -> dict[str, list[list[object]]]:
    """Sheet name -> [header, rows...] of the examples sheet's blocks."""
    blocks: dict[str, list[list[object]]] = {}
    current: list[list[object]] | None = None
    for row in ws.iter_rows(min_row=2, values_only=True):
        first = row[0]
        if isinstance(first, str) and first.startswith("sheet "):
            current = blocks.setdefault(first.removeprefix("sheet "), [])
            continue
        if current is not None and any(v is not None for v in row):
            current.append(list(row))
        elif current is not None and current:
            current = None
    return blocks


def test_examples_sheet_has_a_row_for_every_sheet_and_is_not_read(
    template: Path, tmp_path: Path
) -> None:
    wb = openpyxl.load_workbook(template)
    blocks = _example_blocks(wb["examples"])
    assert set(blocks) == set(field_notes())
    for sheet, rows in blocks.items():
        assert len(rows) >= 2, sheet  # a header and at least one filled row
    assert {"readme", "fields", "examples", "lists"} <= set(wb.sheetnames)
    assert set(DOC_SHEETS) == {"readme", "fields", "examples", "lists"}
    # the empty template with its examples sheet: the only errors are the two cells to fill,
    # named by sheet, row and field (balance_sheet.net_worth is row 10, after the firm fields),
    # not a parent object
    with pytest.raises(BookError) as info:
        load_book(template)
    errors = [(e.row, e.field) for e in info.value.errors]
    assert errors == [(2, "as_of"), (10, "balance_sheet.net_worth")]
    assert all("sheet 'firm'" in e.source for e in info.value.errors)


def test_template_filled_from_its_examples_computes(template: Path, tmp_path: Path) -> None:
    wb = openpyxl.load_workbook(template)
    blocks = _example_blocks(wb["examples"])
    firm_rows = {r[0].value: r for r in wb["firm"].iter_rows(min_row=2)}
    for field, value, *_ in blocks["firm"][1:]:
        firm_rows[field][1].value = value
    for sheet, (header, *rows) in blocks.items():
        if sheet == "firm":
            continue
        ws = wb[sheet]
        assert [c.value for c in ws[1]] == header[: ws.max_column]
        for row in rows:
            ws.append(row[: ws.max_column])
    path = tmp_path / "filled.xlsx"
    wb.save(path)
    loaded = load_book(path)
    assert [p for p in loaded.positions["id"]] == ["G1", "E1"]
    result = loaded.compute()
    # by hand from the example rows: the fixed assets (120,000) are deducted in full
    # ((c)(2)(iv)(A)); E1, equity 250,000 long, is haircut 15% = 37,500 ((c)(2)(vi)(J))
    assert result.line("nonallowable:fixed_assets") == pytest.approx(-120_000)
    detail = result.haircuts.detail.set_index("id")
    assert detail.loc["E1", "charge"] == pytest.approx(37_500)
    assert str(detail.loc["E1", "paragraph"]).startswith("15c3-1(c)(2)(vi)(J)")
    assert loaded.book.liabilities[0].id == "L1"
    assert loaded.book.balance_sheet.net_worth == 5_000_000


def test_examples_cover_every_sheet_of_the_models() -> None:
    # a sheet added to the models without a written example still gets a generated row
    assert set(EXAMPLES) == set(field_notes())


def test_csv_folder_template_has_notes_and_fields(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    write_template(folder)
    with (folder / "firm.csv").open(encoding="utf-8") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["field", "value", "description", "required", "unit", "paragraph"]
    assert (folder / "fields.csv").is_file()
    # filled in place, notes and fields.csv included, the folder loads
    rows = [
        [
            r[0],
            {"as_of": "2024-06-28", "balance_sheet.net_worth": "1000000"}.get(r[0], r[1]),
            *r[2:],
        ]
        for r in rows
    ]
    with (folder / "firm.csv").open("w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(rows)
    assert load_book(folder).book.balance_sheet.net_worth == 1_000_000


def test_single_positions_csv_is_not_offered_and_says_what_to_do(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        main(["compute", "--help"])
    assert ".csv of positions" not in capsys.readouterr().out
    path = tmp_path / "positions.csv"
    path.write_text("id,security_class,side,market_value\np1,equity,long,1000\n")
    assert main(["compute", str(path)]) == 2
    err = capsys.readouterr().err
    assert "a single .csv file holds only the positions" in err
    assert "Traceback" not in err
