"""What a new user sees: text and workbook details found by reading the output as a person would.

Each test states the figure it expects, worked by hand from the inputs it writes.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from netcap.book.readers import load_book
from netcap.cli import main
from netcap.report.agreement_sheets import write_agreement_sheets
from netcap.report.excel import Book, Formula

# A firm with one equity, one prepaid expense and one loan in other currencies.
BOOK: dict[str, Any] = {
    "as_of": "2024-06-28",
    "firm": {"months_in_business": 120},
    "balance_sheet": {
        "net_worth": 1_000_000,
        "non_allowable_assets": [
            {"id": "pre", "kind": "prepaid_items", "amount": 1_234.56, "currency": "EUR"}
        ],
    },
    "liabilities": [{"id": "loan", "amount": 10_000_000, "currency": "JPY"}],
    "positions": [
        {"id": "sap", "security_class": "equity", "side": "long"}
        | {"market_value": 50_000, "currency": "EUR"},
    ],
    "currency_rates": [
        {"currency": "EUR", "usd_per_unit": 1.10, "source": "ECB reference rate 2024-06-28"},
        {"currency": "JPY", "usd_per_unit": 0.0065, "source": "Fed H.10 2024-06-28"},
    ],
}


def _book(tmp_path: Path, data: dict[str, Any] = BOOK) -> Path:
    path = tmp_path / "book.json"
    path.write_text(json.dumps(data))
    return path


@pytest.mark.parametrize("width", [80, 140])
def test_currency_lines_read_as_names_in_dollars_within_the_width(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], width: int
) -> None:
    assert main(["compute", str(_book(tmp_path)), "--width", str(width)]) == 0
    out = capsys.readouterr().out
    section = out[out.index("CURRENCY CONVERSIONS") :].split("\n  warning")[0]
    text = " ".join(section.split())
    # EUR 50,000 x 1.10 = $55,000; EUR 1,234.56 x 1.10 = $1,358.016 -> $1,358 (to the dollar);
    # JPY 10,000,000 x 0.0065 = $65,000.
    assert "position sap market value: EUR 50,000.00 at 1.1 = $55,000 " in text
    assert "non-allowable asset pre amount: EUR 1,234.56 at 1.1 = $1,358 " in text
    assert "liability loan amount: JPY 10,000,000.00 at 0.0065 = $65,000 " in text
    assert "_" not in section  # names, not identifiers
    assert max(len(line) for line in section.splitlines()) <= width


def test_focus_prints_a_deduction_as_compute_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Net worth 1,000,000; the prepaid expense of EUR 1,234.56 at 1.10 = $1,358.016 is a
    # non-allowable asset (c)(2)(iv)(A): box 3540 shows it as -$1,358, the sign before the $.
    assert main(["focus", str(_book(tmp_path)), "--width", "100"]) == 0
    out = capsys.readouterr().out
    line = next(ln for ln in out.splitlines() if "[3540]" in ln)
    assert line.rstrip().endswith("-$1,358")
    assert "$-" not in out


SAMPLE = Path(__file__).resolve().parents[1] / "fixtures" / "sample_firm" / "book.json"


def test_agreement_sheets_show_every_number_in_full() -> None:
    """A column narrower than its number shows ``###`` in Excel and LibreOffice."""

    result = load_book(SAMPLE).compute()
    book = Book()
    write_agreement_sheets(book, result)
    assert {s.title for s in book.sheets} == {
        "Repurchase agreements",
        "Secured demand notes",
        "Currency conversions",
    }
    for sheet in book.sheets:
        for (row, col), cell in sheet.cells.items():
            value = cell.value.value if isinstance(cell.value, Formula) else cell.value
            if row < 3 or not isinstance(value, int | float):
                continue
            # The sample's largest amounts run to eight digits: "25,000,000" is 10 characters
            # and a negative or the decimals of a rate need a few more.
            needed = len(f"{value:,.0f}") + 2
            assert sheet.widths.get(col, 8.43) >= needed, (sheet.title, row, col, value)


def _widths(ws: Any) -> dict[str, float]:
    """Column letter -> width, each column of a grouped range counted."""
    from openpyxl.utils import get_column_letter  # noqa: PLC0415 (only this helper)

    out: dict[str, float] = {}
    for dim in ws.column_dimensions.values():
        for n in range(dim.min, dim.max + 1):
            out[get_column_letter(n)] = dim.width
    return out


def test_focus_and_diff_workbooks_print_one_page_wide_with_amounts_in_full(
    tmp_path: Path,
) -> None:
    import openpyxl  # noqa: PLC0415 (a reader only the test needs)

    focus, diff = tmp_path / "f.xlsx", tmp_path / "d.xlsx"
    nxt = SAMPLE.with_name("book_next.json")
    assert main(["focus", str(SAMPLE), "--xlsx", str(focus)]) == 0
    assert main(["diff", str(SAMPLE), str(nxt), "--xlsx", str(diff)]) == 0
    for path in (focus, diff):
        wb = openpyxl.load_workbook(path)
        for ws in wb.worksheets:
            assert ws.page_setup.orientation == "landscape", (path.name, ws.title)
            assert ws.sheet_properties.pageSetUpPr.fitToPage, (path.name, ws.title)
            assert ws.page_setup.fitToWidth in (1, None), (path.name, ws.title)
    wb = openpyxl.load_workbook(focus)
    # "(32,049,396)" is 12 characters: the amount column of Not on this part holds it.
    assert _widths(wb["Not on this part"])["C"] >= 14
    wb = openpyxl.load_workbook(diff)
    pos = wb["Positions"]
    widths = _widths(pos)
    for cell in pos[1]:  # every header on one line: its column at least as wide as the header
        assert widths.get(cell.column_letter, 8.43) >= len(str(cell.value)), cell.value


def _csv_book(folder: Path, commitments: str, rates: str = "EUR,1.1,ECB\n") -> Path:
    folder.mkdir()
    (folder / "firm.csv").write_text(
        "field,value\nas_of,2024-06-28\nfirm.months_in_business,120\n"
        "balance_sheet.net_worth,5000000\n"
    )
    (folder / "positions.csv").write_text(
        "id,security_class,side,market_value,currency\nP1,equity,long,100000,EUR\n"
    )
    (folder / "currency_rates.csv").write_text("currency,usd_per_unit,source\n" + rates)
    (folder / "commitments.csv").write_text(
        "id,position,contract_value,exchange_listed\n" + commitments
    )
    return folder


def test_a_commitment_naming_no_position_names_the_file_and_its_row(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _csv_book(tmp_path / "book", "C1,P1,100000,true\nC2,NOPE,100000,false\n")
    assert main(["compute", str(book)]) == 2
    err = capsys.readouterr().err
    # C2 is the second data row under the header: row 3 of commitments.csv.
    assert "commitments.csv row 3: field 'position': 'NOPE' names no position in the book" in err
    assert "Traceback" not in err


def test_an_unknown_currency_code_is_not_called_malformed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    book = _csv_book(tmp_path / "book", "", rates="EUR,1.1,ECB\nXXQ,1.0,typo\n")
    assert main(["compute", str(book)]) == 2
    err = capsys.readouterr().err
    # 'XXQ' is three capital letters: the message says it is no ISO 4217 code, not its shape.
    assert "currency_rates.csv row 3: field 'currency'" in err
    assert "'XXQ' is not an ISO 4217 currency code" in err
    assert "three capital letters" not in err


def test_a_workbook_openpyxl_cannot_parse_leaves_no_file_open(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openpyxl keeps its handle open when it raises part way through a file; netcap opens
    the file itself, so the handle closes whatever openpyxl does (an open handle is a
    ResourceWarning, an error under the suite's warnings-as-errors)."""
    import openpyxl  # noqa: PLC0415 (patched for this test only)

    path = tmp_path / "book.xlsx"
    openpyxl.Workbook().save(path)
    handles: list[Any] = []
    real = openpyxl.load_workbook

    def second_call_fails(fh: Any, **kwargs: Any) -> Any:
        handles.append(fh)
        if len(handles) == 2:
            raise TypeError("expected <class 'int'>")  # as a malformed attribute raises
        return real(fh, **kwargs)

    monkeypatch.setattr(openpyxl, "load_workbook", second_call_fails)
    with pytest.raises(Exception):  # noqa: B017, PT011 (refused, however it is worded)
        load_book(path)
    assert len(handles) == 2
    assert all(getattr(fh, "closed", False) for fh in handles)


@pytest.mark.parametrize("width", [80, 140])
def test_dealer_screen_text_wraps_to_the_width_losing_no_word(
    capsys: pytest.CaptureFixture[str], width: int
) -> None:
    facts = SAMPLE.parents[1] / "examples" / "dealer_facts.json"
    argv = ["dealer-screen", str(facts), "--as-of", "2024-06-28"]
    assert main([*argv, "--width", "400"]) == 0
    wide = capsys.readouterr().out
    assert main([*argv, "--width", str(width)]) == 0
    out = capsys.readouterr().out
    assert max(len(line) for line in out.splitlines()) <= width
    assert out.split() == wide.split()  # the same words in the same order, only re-wrapped
    assert "not legal advice" in " ".join(out.split())
