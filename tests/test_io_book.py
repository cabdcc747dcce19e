"""Reading books from .xlsx and CSV: round trip, every error at once, hostile files."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pytest

from netcap.frame import BookError
from netcap.io import InputLimits, UnsafeFileError, load_book, write_template
from netcap.io.template import template_sheets


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
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    template = tmp_path / "book.xlsx"
    run = [sys.executable, "-m", "netcap.cli"]
    subprocess.run([*run, "template", str(template)], check=True, capture_output=True)
    filled = _fill(
        template,
        {**BASE, "firm.months_in_business": 60},
        [GOOD_ROW],
        [["l1", 300_000, "other", "loan"]],
    )
    out = subprocess.run(
        [*run, "compute", str(filled), "--json"], check=True, capture_output=True, text=True
    )
    report = json.loads(out.stdout)
    lines = {line["line"]: line["amount"] for line in report["lines"]}
    assert lines["tentative_net_capital"] == 5_000_000
    assert lines["net_capital"] == 4_960_000
    assert lines["aggregate_indebtedness"] == 300_000
    assert lines["excess_net_capital"] == 4_860_000


def test_cli_compute_bad_book_exits_2_naming_the_row(tmp_path: Path) -> None:
    import subprocess  # noqa: PLC0415
    import sys  # noqa: PLC0415

    template = tmp_path / "book.xlsx"
    write_template(template)
    bad = ["t1", "government", "cash", "long", -5, "2030-01-15", None, None, None, None]
    filled = _fill(template, BASE, [bad])
    out = subprocess.run(
        [sys.executable, "-m", "netcap.cli", "compute", str(filled)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert out.returncode == 2
    assert "row 2" in out.stderr
    assert "market_value" in out.stderr


def test_loaded_book_computes_with_its_positions() -> None:
    loaded = load_book(Path(__file__).parent.parent / "fixtures/sample_firm/book.json")
    result = loaded.compute()
    # every loaded position is haircut exactly once; none is left behind in the frame
    assert len(result.haircuts.detail) == len(loaded.positions) == 505
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
