"""Reading books from .xlsx and CSV: round trip, every error at once, hostile files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from netcap.book.frame import BookError
from netcap.book.loading import InputLimits, UnsafeFileError, load_book, write_template
from netcap.book.template import template_sheets
from tests.conftest import run_cli


def _fill(
    path: Path,
    firm: dict[str, object],
    positions: list[list[object]],
    liabilities: list[list[object]] = (),
) -> Path:  # type: ignore[assignment]
    wb = openpyxl.load_workbook(path)
    ws = wb["firm"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in firm:
            row[1].value = firm[row[0].value]
    for p in positions:
        wb["positions"].append(p)
    for li in liabilities:
        wb["liabilities"].append(li)
    out = path.with_name("filled.xlsx")
    wb.save(out)
    return out


BASE = {"as_of": "2024-06-28", "balance_sheet.net_worth": 5_000_000}
GOOD_ROW = ["t1", "government", "cash", "long", 1_000_000, "2030-01-15", None, None, None, None]


@pytest.fixture
def template(tmp_path: Path) -> Path:
    path = tmp_path / "book.xlsx"
    write_template(path)
    return path


def test_template_round_trip(template: Path) -> None:
    book = load_book(_fill(template, BASE, [GOOD_ROW], [["l1", 300_000, "other", "loan"]]))
    assert book.book.balance_sheet.net_worth == 5_000_000
    assert book.book.liabilities[0].amount == 300_000
    # 2024-06-28 to 2030-01-15: 5 years 6 months and 18 days -> 66 complete months
    assert book.positions["months_to_maturity"].tolist() == [66.0]


def test_every_error_at_once_with_sheet_row_field(template: Path) -> None:
    rows = [
        GOOD_ROW,
        ["t2", "gold", "cash", "long", 5, "2030-01-15", None, None, None, None],
        ["t3", "government", "cash", "sideways", 5, "2030-01-15", None, None, None, None],
        ["t1", "government", "cash", "long", 5, "15/01/2030", None, None, None, None],
        ["t5", "government", "cash", "long", "-", None, None, None, None, None],
    ]
    firm = {**BASE, "balance_sheet.net_worth": "lots"}
    with pytest.raises(BookError) as info:
        load_book(_fill(template, firm, rows, [["l1", -5, "other", "x"]]))
    got = {(e.source.split(",")[-1].strip(), e.row, e.field) for e in info.value.errors}
    firm_rows = [r[0] for r in template_sheets()["firm"]]
    net_worth_row = firm_rows.index("balance_sheet.net_worth") + 1  # spreadsheet row
    assert ("sheet 'firm'", net_worth_row, "balance_sheet.net_worth") in got
    assert ("sheet 'liabilities'", 2, "amount") in got
    # with a bad net worth the book has no as_of-independent problem: positions still checked
    assert ("sheet 'positions'", 3, "security_class") in got
    assert ("sheet 'positions'", 4, "side") in got
    assert ("sheet 'positions'", 5, "id") in got
    assert ("sheet 'positions'", 5, "maturity") in got
    assert ("sheet 'positions'", 6, "market_value") in got


def test_unknown_sheet_and_column_are_errors(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    wb.create_sheet("notes").append(["anything"])
    wb["positions"].cell(row=1, column=20, value="colour")
    wb["positions"].append([*GOOD_ROW, *([None] * 9), "red"])
    path = template.with_name("extra.xlsx")
    wb.save(path)
    with pytest.raises(BookError) as info:
        load_book(path)
    fields = {e.field for e in info.value.errors}
    assert {"notes", "colour"} <= fields


def test_quantity_and_price_stand_in_for_market_value(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    write_template(folder)
    (folder / "firm.csv").write_text("field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1\n")
    (folder / "positions.csv").write_text(
        "id,security_class,side,quantity,price,years_to_maturity\na,government,long,1000,99.5,2\n"
    )
    book = load_book(folder)
    assert book.positions["market_value"].tolist() == [99_500.0]


def test_quantity_price_disagreement(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    write_template(folder)
    (folder / "firm.csv").write_text("field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1\n")
    (folder / "positions.csv").write_text(
        "id,security_class,side,quantity,price,market_value,years_to_maturity\n"
        "a,government,long,1000,99.5,99000,2\n"
    )
    with pytest.raises(BookError, match="disagrees"):
        load_book(folder)


def test_empty_and_wrong_files(tmp_path: Path) -> None:
    empty = tmp_path / "empty.xlsx"
    empty.write_bytes(b"")
    with pytest.raises(UnsafeFileError, match="empty"):
        load_book(empty)
    fake = tmp_path / "fake.xlsx"
    fake.write_text("not a zip")
    with pytest.raises(UnsafeFileError, match="zip"):
        load_book(fake)
    binary = tmp_path / "positions.csv"
    binary.write_bytes(b"id,side\n\xff\xfe,long\n")
    with pytest.raises(UnsafeFileError, match="UTF-8"):
        load_book(binary)


def test_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "positions.csv"
    path.write_text("id\n" + "x\n" * 100)
    with pytest.raises(UnsafeFileError, match="exceeds"):
        load_book(path, InputLimits(max_file_bytes=50))


def test_zip_bomb_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", "0" * 50_000_000)
    with pytest.raises(UnsafeFileError, match="zip bomb"):
        load_book(bomb)


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">
<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol3;</t></is></c></row></sheetData>
</worksheet>"""


def test_xml_entity_expansion_refused(template: Path, tmp_path: Path) -> None:
    hostile = tmp_path / "hostile.xlsx"
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(hostile, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet2.xml":
                data = BILLION_LAUGHS.encode()
            dst.writestr(item, data)
    with pytest.raises(UnsafeFileError, match="unsafe"):
        load_book(hostile)


def test_template_lists_every_sheet() -> None:
    sheets = template_sheets()
    assert {"firm", "positions", "liabilities"} <= set(sheets)
    assert sheets["positions"][0][:4] == ["id", "security_class", "instrument", "side"]


def test_cli_template_fill_compute(tmp_path: Path) -> None:
    """Two CLI calls from template to net capital, with the figures worked by hand.

    Net worth 5,000,000; a long 1,000,000 Treasury maturing 2030-01-15 (5 years 6 months
    from 2024-06-28: 5-10 years, 4%) -> haircut 40,000; net capital 4,960,000. A 300,000
    ordinary liability is aggregate indebtedness: 300,000 / 15 = 20,000 < the dealer's
    100,000 minimum, so the requirement is 100,000 and the excess 4,860,000.
    """
    import json  # noqa: PLC0415

    template = tmp_path / "book.xlsx"
    run_cli("template", str(template), check=True)
    filled = _fill(
        template,
        {**BASE, "firm.months_in_business": 60},
        [GOOD_ROW],
        [["l1", 300_000, "other", "loan"]],
    )
    out = run_cli("compute", str(filled), "--json", check=True)
    report = json.loads(out.stdout)
    lines = {line["line"]: line["amount"] for line in report["lines"]}
    assert lines["tentative_net_capital"] == 5_000_000
    assert lines["net_capital"] == 4_960_000
    assert lines["aggregate_indebtedness"] == 300_000
    assert lines["excess_net_capital"] == 4_860_000


def test_cli_compute_bad_book_exits_2_naming_the_row(tmp_path: Path) -> None:
    template = tmp_path / "book.xlsx"
    write_template(template)
    bad = ["t1", "government", "cash", "long", -5, "2030-01-15", None, None, None, None]
    filled = _fill(template, BASE, [bad])
    out = run_cli("compute", str(filled))
    assert out.returncode == 2
    assert "row 2" in out.stderr
    assert "market_value" in out.stderr


def test_loaded_book_computes_with_its_positions() -> None:
    loaded = load_book(Path(__file__).parent.parent / "fixtures/sample_firm/book.json")
    result = loaded.compute()
    # every loaded position is haircut exactly once; none is left behind in the frame
    assert len(result.haircuts.detail) == len(loaded.positions) == 506  # 505 + NRM-JP1
    assert result.haircuts.total > 0
    assert result.line("net_capital") < result.line("tentative_net_capital")


def test_csv_position_dates_must_be_exactly_year_month_day(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    write_template(folder)
    (folder / "firm.csv").write_text("field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1\n")
    (folder / "positions.csv").write_text(
        "id,security_class,side,market_value,maturity,issue_date\n"
        "a,government,long,1,2031-05,\n"
        "b,government,long,1,2031-05-15T13:45,\n"
        "c,government,long,1,2031-05-15,2021\n"
        "d,government,long,1,2031-05-15,20210515\n"
        "e,government,long,1,2031-05-15,2021-05-15\n"
    )
    with pytest.raises(BookError) as info:
        load_book(folder)
    # spreadsheet rows: header is row 1, so positions a..d are rows 2..5; e (row 6) is good
    got = {(e.row, e.field) for e in info.value.errors}
    assert got == {(2, "maturity"), (3, "maturity"), (4, "issue_date"), (5, "issue_date")}


def _firm_row(field: str) -> int:
    """Spreadsheet row of ``field`` on the template's firm sheet (header is row 1)."""
    return [r[0] for r in template_sheets()["firm"]].index(field) + 1


def test_formula_with_no_cached_value_is_an_error_not_a_blank(template: Path) -> None:
    # openpyxl saves formulas without a calculated value; read as blank, the -250,000
    # adjustment would silently become 0 and overstate net capital by $250,000
    firm = {**BASE, "balance_sheet.unrealized_adjustment": "=-250000"}
    formula_row = [*GOOD_ROW[:4], "=1000*99.5", *GOOD_ROW[5:]]
    with pytest.raises(BookError) as info:
        load_book(_fill(template, firm, [GOOD_ROW, ["t2", *formula_row[1:]]]))
    uncalculated = {
        (e.source.split(",")[-1].strip(), e.row, e.field)
        for e in info.value.errors
        if "formula with no cached value" in e.message
    }
    adjustment = "balance_sheet.unrealized_adjustment"
    assert uncalculated == {
        ("sheet 'firm'", _firm_row(adjustment), adjustment),
        ("sheet 'positions'", 3, "market_value"),  # the second position: header row 1, t1 row 2
    }
    assert all("filled.xlsx" in e.source for e in info.value.errors)


def _cache_formula_values(path: Path, cached: dict[str, str]) -> Path:
    """Rewrite the workbook as a spreadsheet program would after calculating: give each
    formula ``<f>text</f>`` the saved value ``cached[text]``."""
    out = path.with_name("calculated.xlsx")
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w") as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename.startswith("xl/worksheets/"):
                text = data.decode()
                for formula, value in cached.items():
                    text = text.replace(f"<f>{formula}</f><v />", f"<f>{formula}</f><v>{value}</v>")
                data = text.encode()
            dst.writestr(info, data)
    return out


def test_formula_with_a_cached_value_reads_the_cached_value(template: Path) -> None:
    firm = {**BASE, "balance_sheet.unrealized_adjustment": "=-250000"}
    filled = _fill(template, firm, [GOOD_ROW])
    book = load_book(_cache_formula_values(filled, {"-250000": "-250000"}))
    assert book.book.balance_sheet.unrealized_adjustment == -250_000


def test_sheet_titles_that_collide_once_normalized_are_an_error(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    wb.create_sheet(" Positions")
    wb.save(template)
    with pytest.raises(UnsafeFileError, match=r"'positions' and ' Positions'"):
        load_book(template)


def test_csv_files_that_collide_once_normalized_are_an_error(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    write_template(folder)
    (folder / "Positions.csv").write_text("id,security_class,side,market_value\n")
    with pytest.raises(UnsafeFileError, match=r"Positions\.csv"):
        load_book(folder)


def test_bad_as_of_still_checks_positions(template: Path) -> None:
    # one round: the bad as_of and the bad position rows come out together
    rows = [GOOD_ROW, ["t2", "gold", "cash", "long", 5, "2030-01-15", None, None, None, None]]
    with pytest.raises(BookError) as info:
        load_book(_fill(template, {**BASE, "as_of": "28/06/2024"}, rows))
    got = {(e.source.split(",")[-1].strip(), e.row, e.field) for e in info.value.errors}
    assert got == {
        ("sheet 'firm'", _firm_row("as_of"), "as_of"),
        ("sheet 'positions'", 3, "security_class"),
    }


def test_missing_as_of_reports_no_invented_maturity_errors(template: Path) -> None:
    # a maturity in 1990 is before any real as-of date, but with the as_of missing
    # netcap cannot know that; only the as_of itself is reported
    row = ["old", "government", "cash", "long", 1, "1990-01-15", None, None, None, None]
    with pytest.raises(BookError) as info:
        load_book(_fill(template, {**BASE, "as_of": None}, [row]))
    assert [(e.row, e.field) for e in info.value.errors] == [(_firm_row("as_of"), "as_of")]


def test_list_item_errors_name_their_own_sheet_and_row(template: Path) -> None:
    liabilities = [["l1", 1, "other", "a"], ["l2", 1, "other", "b"], ["l1", 1, "other", "c"]]
    with pytest.raises(BookError) as info:
        load_book(_fill(template, BASE, [GOOD_ROW], liabilities))
    # third liability (0-based index 2) is on spreadsheet row 4: header row 1, data from row 2
    assert [(e.source.split(",")[-1].strip(), e.row, e.field) for e in info.value.errors] == [
        ("sheet 'liabilities'", 4, "id")
    ]
    assert "duplicate id 'l1'" in info.value.errors[0].message


def test_cross_reference_error_names_the_list_row(template: Path) -> None:
    liabilities = [
        ["l1", 1, "other", "a"],
        ["l2", 1, "fixed_asset_secured", "b", None, None, None, "nope"],
    ]
    with pytest.raises(BookError) as info:
        load_book(_fill(template, BASE, [GOOD_ROW], liabilities))
    # second liability, spreadsheet row 3, names a non-allowable asset that is not there
    assert [(e.source.split(",")[-1].strip(), e.row, e.field) for e in info.value.errors] == [
        ("sheet 'liabilities'", 3, "secured_by_asset")
    ]


def _market_maker_book(template: Path, positions_cell: object) -> Path:
    wb = openpyxl.load_workbook(template)
    for field, value in BASE.items():
        for row in wb["firm"].iter_rows(min_row=2):
            if row[0].value == field:
                row[1].value = value
    wb["positions"].append(GOOD_ROW)
    wb["market_maker_accounts"].append(["mm1", "own", positions_cell, 0, True, False, False, True])
    out = template.with_name("mm.xlsx")
    wb.save(out)
    return out


def test_market_maker_positions_are_read_as_json_in_the_cell(template: Path) -> None:
    cell = (
        '[{"id": "m1", "security_class": "equity", "side": "long", "market_value": 40000},'
        ' {"id": "m2", "security_class": "equity", "side": "short", "market_value": 15000}]'
    )
    book = load_book(_market_maker_book(template, cell))
    (account,) = book.book.market_maker_accounts
    assert [(p.id, p.value) for p in account.positions] == [("m1", 40_000), ("m2", 15_000)]


def test_bad_json_in_a_cell_is_an_error_naming_row_and_field(template: Path) -> None:
    with pytest.raises(BookError) as info:
        load_book(_market_maker_book(template, '[{"id": "m1",'))
    errors = [(e.source.split(",")[-1].strip(), e.row, e.field) for e in info.value.errors]
    assert errors == [("sheet 'market_maker_accounts'", 2, "positions")]
    assert "not valid JSON" in info.value.errors[0].message


def test_bad_position_inside_json_cell_names_the_account_row(template: Path) -> None:
    cell = '[{"id": "m1", "security_class": "equity", "side": "long", "market_value": -1}]'
    with pytest.raises(BookError) as info:
        load_book(_market_maker_book(template, cell))
    errors = [(e.source.split(",")[-1].strip(), e.row, e.field) for e in info.value.errors]
    assert errors == [("sheet 'market_maker_accounts'", 2, "positions.0.market_value")]
