"""Regression tests for the reliability classes of issue 14: nothing lost, nothing
overwritten, no traceback, whatever the input.

Each test builds the hostile input of one class and checks that netcap either reads it
completely and correctly or refuses it with a message naming the file and field.
"""

from __future__ import annotations

import json
import math
import re
import time
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest

from netcap.book.frame import BookError
from netcap.book.loading import UnsafeFileError, load_book
from tests.conftest import FIXTURES

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
    started = time.process_time()  # CPU: a loaded machine stretches wall time, not this
    with pytest.raises(UnsafeFileError, match=r"positions.*rows 3 to 1048575 are blank"):
        load_book(path)
    assert time.process_time() - started < 5.0  # reading every blank row takes minutes


def test_stray_blank_far_cell_and_declared_huge_dimension_are_harmless(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "b.xlsx", {"firm": BOOK_FIRM, "positions": POSITIONS})
    _lie_about_dimension(path, 2, "A1:XFD1048576")
    started = time.process_time()  # CPU: a loaded machine stretches wall time, not this
    loaded = load_book(path)
    assert time.process_time() - started < 5.0  # reading every blank row takes minutes
    assert list(loaded.positions["id"]) == ["e1"]


# -- 15. pre-trade: an option that offsets a position already in the book ----------------------


def _stock_and_call() -> tuple[Any, Any]:
    from netcap.book.model import Position  # noqa: PLC0415

    stock = Position(
        id="s", security_class="equity", side="long", quantity=100, price=50.0, security_id="XYZ"
    )
    call = Position(
        id="c",
        security_class="equity",
        instrument="option",
        side="short",
        market_value=700.0,
        option_type="call",
        strike=45.0,
        underlying_price=50.0,
        units=100.0,
        listed=True,
        expiry="2024-09-20",
        underlying="XYZ",
        security_id="XYZ-C45",
        offsets="s",
    )
    return stock, call


def test_pretrade_covered_call_on_a_book_position_equals_a_full_compute() -> None:
    from netcap.book.firm import BalanceSheet, Book, FirmProfile, FirmType  # noqa: PLC0415
    from netcap.pretrade import PreTradeState  # noqa: PLC0415
    from netcap.rule.computation import compute  # noqa: PLC0415

    stock, call = _stock_and_call()

    def book(*positions: Any) -> Book:
        return Book(
            as_of="2024-06-28",
            firm=FirmProfile(firm_type=FirmType.DEALER, months_in_business=120),
            balance_sheet=BalanceSheet(net_worth=1_000_000.0),
            positions=positions,
        )

    state = PreTradeState(book(stock))
    result = state.add(call)
    # By hand, 15c3-1a(b)(2)(iii)(D)(3): stock 100 @ 50 = 5,000 paired with the short call
    # K 45: 15% x 5,000 - in the money 500 = 250 (>= $25 x 1 contract); the stock leaves (J)
    # (charge 0); (b)(2)(ii)(A) adds back the time value 700 - 500 = 200: haircuts 50.
    assert result.haircuts_after == pytest.approx(50.0)
    full = compute(book(stock, call))
    assert result.haircuts_after == pytest.approx(full.haircuts.total)
    assert result.net_capital_after == pytest.approx(full.net_capital)


def test_pretrade_offsets_naming_no_position_is_refused() -> None:
    from netcap.book.firm import BalanceSheet, Book, FirmProfile, FirmType  # noqa: PLC0415
    from netcap.pretrade import PreTradeState  # noqa: PLC0415

    stock, call = _stock_and_call()
    state = PreTradeState(
        Book(
            as_of="2024-06-28",
            firm=FirmProfile(firm_type=FirmType.DEALER, months_in_business=120),
            balance_sheet=BalanceSheet(net_worth=1_000_000.0),
            positions=(stock,),
        )
    )
    with pytest.raises(BookError, match="offsets"):
        state.add(call.model_copy(update={"offsets": "nope"}))


# -- helpers for CSV folders and JSON books ---------------------------------------------------


def _csv_book(folder: Path, sheets: dict[str, str]) -> Path:
    folder.mkdir(exist_ok=True)
    base = {
        "firm.csv": "field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,5000000\n",
        "positions.csv": "id,security_class,side,market_value\ne1,equity,long,100000\n",
    }
    for name, text in {**base, **sheets}.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


JSON_BOOK: dict[str, Any] = {
    "as_of": "2024-06-28",
    "balance_sheet": {"net_worth": 5_000_000},
    "positions": [
        {"id": "e1", "security_class": "equity", "side": "long", "market_value": 100_000}
    ],
}


MM_HEADER = (
    "id,transacts_only_with_brokers_dealers,carries_customer_accounts,"
    "transacts_unlisted_options,cleared_by_another_broker_dealer,positions\n"
)


def _json_book(tmp_path: Path, tree: dict[str, Any]) -> Path:
    path = tmp_path / "book.json"
    path.write_text(json.dumps(tree), encoding="utf-8")
    return path


# -- 4. every file of a book folder is read or reported ---------------------------------------


def test_upper_case_csv_suffix_is_read(tmp_path: Path) -> None:
    folder = _csv_book(tmp_path / "b", {"liabilities.CSV": "id,kind,amount\nl1,other,300000\n"})
    loaded = load_book(folder)
    assert [li.amount for li in loaded.book.liabilities] == [300_000]


def test_other_file_in_a_book_folder_is_reported(tmp_path: Path) -> None:
    folder = _csv_book(tmp_path / "b", {"liabilities.txt": "id,kind,amount\n"})
    with pytest.raises(UnsafeFileError, match=r"liabilities\.txt"):
        load_book(folder)


# -- 5. ids are unique across the whole book ----------------------------------------------------


def test_position_id_also_in_a_market_maker_account_is_refused(tmp_path: Path) -> None:
    account = json.dumps(
        [{"id": "e1", "security_class": "equity", "side": "long", "market_value": 100000}]
    ).replace('"', '""')
    folder = _csv_book(
        tmp_path / "b",
        {"market_maker_accounts.csv": MM_HEADER + f'a1,false,false,false,false,"{account}"\n'},
    )
    with pytest.raises(BookError, match=r"market_maker_accounts.*'e1'"):
        load_book(folder)


# -- 6. nothing unreadable is dropped, no fact that cannot apply is ignored -----------------


def test_unreadable_price_next_to_a_market_value_is_refused(tmp_path: Path) -> None:
    folder = _csv_book(
        tmp_path / "b",
        {
            "positions.csv": "id,security_class,side,market_value,quantity,price\n"
            "e1,equity,long,100000,1000,abc\n"
        },
    )
    with pytest.raises(BookError, match=r"row 2: field 'price': not a number"):
        load_book(folder)


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        (
            {"security_class": "government", "years_to_maturity": 2, "in_default": True},
            "in_default",
        ),
        ({"maturity": "2030-01-01"}, "maturity"),
        ({"years_to_maturity": 3}, "years_to_maturity"),
        ({"fund_assets": "debt"}, "fund_assets"),
    ],
)
def test_fact_that_cannot_apply_is_refused(
    tmp_path: Path, extra: dict[str, Any], field: str
) -> None:
    from netcap.book.book_json import BookInputError  # noqa: PLC0415

    tree = json.loads(json.dumps(JSON_BOOK))
    tree["positions"][0].update(extra)
    with pytest.raises((BookError, BookInputError), match=rf"{field}.*does not apply"):
        load_book(_json_book(tmp_path, tree))


# -- 7. true/false is not a number, in every format --------------------------------------------


@pytest.mark.parametrize(
    "path",
    [
        ("balance_sheet", "net_worth"),
        ("positions", 0, "market_value"),
        ("liabilities", 0, "amount"),
    ],
)
def test_json_true_in_a_number_field_is_refused(tmp_path: Path, path: tuple[Any, ...]) -> None:
    from netcap.book.book_json import BookInputError  # noqa: PLC0415

    tree = json.loads(json.dumps(JSON_BOOK))
    tree["liabilities"] = [{"id": "l1", "kind": "other", "amount": 1}]
    node: Any = tree
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = True
    with pytest.raises(BookInputError, match="true/false is not a number"):
        load_book(_json_book(tmp_path, tree))


def test_workbook_false_market_value_is_refused(tmp_path: Path) -> None:
    rows = [POSITIONS[0], ["e1", "equity", "long", False]]
    path = _workbook(tmp_path / "b.xlsx", {"firm": BOOK_FIRM, "positions": rows})
    with pytest.raises(BookError, match=r"row 2: field 'market_value': not a number"):
        load_book(path)


def test_workbook_true_in_firm_and_list_amounts_is_refused(tmp_path: Path) -> None:
    firm = [["field", "value"], ["as_of", "2024-06-28"], ["balance_sheet.net_worth", True]]
    liabilities = [["id", "kind", "amount"], ["l1", "other", True]]
    path = _workbook(
        tmp_path / "b.xlsx", {"firm": firm, "positions": POSITIONS, "liabilities": liabilities}
    )
    with pytest.raises(BookError) as info:
        load_book(path)
    text = str(info.value)
    assert "sheet 'firm' row 3: field 'balance_sheet.net_worth': true/false" in text
    assert "sheet 'liabilities' row 2: field 'amount': true/false" in text


# -- 10. JSON in a cell is read by the JSON file reader's rules --------------------------------


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ('[{"id": "p", "id": "q"}]', "more than once"),
        ("[" * 50_000 + "]" * 50_000, "nested too deeply"),
    ],
)
def test_json_cell_follows_the_json_file_rules(tmp_path: Path, cell: str, message: str) -> None:
    folder = _csv_book(
        tmp_path / "b",
        {
            "market_maker_accounts.csv": MM_HEADER
            + f'a1,false,false,false,false,"{cell.replace(chr(34), chr(34) * 2)}"\n'
        },
    )
    with pytest.raises(
        BookError, match=rf"market_maker_accounts.csv row 2: field 'positions'.*{message}"
    ):
        load_book(folder)


# -- 11. a firm that began business after the as-of date --------------------------------------


def test_commenced_business_after_as_of_is_refused(tmp_path: Path) -> None:
    from netcap.book.book_json import BookInputError  # noqa: PLC0415

    tree = {**JSON_BOOK, "firm": {"commenced_business": "2024-07-01"}}
    with pytest.raises(BookInputError, match="commenced_business"):
        load_book(_json_book(tmp_path, tree))


# -- 8. combine: one computation date -----------------------------------------------------------


def test_combine_book_maturities_are_measured_from_the_books_date(tmp_path: Path) -> None:
    from netcap.book.model import Position  # noqa: PLC0415
    from netcap.cli import main  # noqa: PLC0415
    from netcap.dealer.portfolio import combine  # noqa: PLC0415
    from netcap.dealer.strategy import Strategy  # noqa: PLC0415

    spec = json.loads((FIXTURES / "table9" / "strategy_07.json").read_text(encoding="utf-8"))
    assert spec["as_of"] == "2022-08-15"
    note = Position(
        id="t",
        security_class="government",
        side="long",
        market_value=10_000_000,
        maturity="2025-03-01",
    )
    strategy = Strategy.model_validate(spec)
    # the library: strategies of different dates and no as_of are an error
    other = strategy.model_copy(update={"as_of": date(2024, 6, 28), "name": "other"})
    with pytest.raises(ValueError, match="different as_of"):
        combine([strategy, other], [note])
    # as_of is the caller saying which date applies: the strategy is moved to it, with a note,
    # and the note has 8 complete months to run from 2024-06-28, so it is in the 6-to-9-month
    # (A) subcategory, 3/4 of 1% (15c3-1(c)(2)(vi)(A)(1)), not the 2-to-3-year 2% it would
    # take measured from 2022-08-15 (30 months)
    c = combine([strategy], [note], as_of=date(2024, 6, 28))
    assert any("names as_of 2022-08-15" in n for n in c.notes)
    note_row = c.haircuts.detail.set_index("id").loc["t"]
    assert float(note_row["rate"]) == pytest.approx(0.0075)
    # the command line refuses the mismatch unless --as-of says which date applies
    book = _json_book(
        tmp_path,
        {**JSON_BOOK, "positions": [note.model_dump(mode="json", exclude_none=True)]},
    )
    spec_path = FIXTURES / "table9" / "strategy_07.json"
    assert main(["combine", str(spec_path), "--book", str(book)]) == 2
    assert main(["combine", str(spec_path), "--book", str(book), "--as-of", "2024-06-28"]) == 0


def _exit_code(main: Any, args: list[str]) -> int:
    """main's return value, or the status of the SystemExit argparse raises."""
    try:
        return int(main(args))
    except SystemExit as exc:
        return int(exc.code or 0)


# -- 13. command-line numbers are checked where they are parsed --------------------------------


@pytest.mark.parametrize(
    "argv",
    [
        ["strategy", "{spec}", "--P", "0"],
        ["strategy", "{spec}", "--P", "nan"],
        ["strategy", "{spec}", "--P", "inf"],
        ["strategy", "{spec}", "--P", "-1"],
        ["strategy", "{spec}", "--P", "1e-300"],
        ["strategy", "{spec}", "--P", "1e20"],
        ["strategy", "{spec}", "--P", "abc"],
        ["table10", "{folder}", "--P", "-inf"],
        ["sweep", "{spec}", "--to", "inf"],
        ["sweep", "{spec}", "--from", "0"],
        ["sweep", "{spec}", "--n", "-5"],
        ["sweep", "{spec}", "--n", "100000000"],
        ["sweep", "{spec}", "--n", "2.5"],
        ["combine", "{spec}", "{spec}", "--sizes", "abc,1"],
        ["combine", "{spec}", "{spec}", "--sizes", "nan,1"],
        ["combine", "{spec}", "--sizes", "1e300"],
        ["settle", "2024-06-28", "--agreed-cycle", "-5"],
        ["settle", "2024-06-28", "--agreed-cycle", "100000000"],
    ],
)
def test_bad_command_line_numbers_exit_2_naming_the_flag(argv: list[str], capsys: Any) -> None:
    from netcap.cli import main  # noqa: PLC0415

    spec = FIXTURES / "table9" / "strategy_07.json"
    args = [a.format(spec=spec, folder=FIXTURES / "table9") for a in argv]
    flag = next(a for a in argv if a.startswith("--"))
    assert _exit_code(main, args) == 2
    err = capsys.readouterr().err
    assert flag in err
    assert "Traceback" not in err


def test_with_p_validates_like_the_field() -> None:
    from netcap.dealer.strategy import Strategy  # noqa: PLC0415

    spec = json.loads((FIXTURES / "table9" / "strategy_07.json").read_text(encoding="utf-8"))
    strategy = Strategy.model_validate(spec)
    for bad in (0.0, -1.0, math.nan, math.inf, True):
        with pytest.raises(ValueError, match=r"P|position size|greater than|finite"):
            strategy.with_P(bad)
    assert strategy.with_P(1e6).P == 1e6


# -- 9. the lock-up reader follows the book readers' strict rules ------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("date,a\n06/28/2024,100\n", "not a date"),
        ("date,a\n2024-06,100\n", "not a date"),
        ("date,a\n2024-06-28T10:00,100\n", "not a date"),
        ("date,a\n2024-06-28,100\n07/01/2024,100\n", "not a date"),
        ("date,a\n2024-06-28,100,5\n", "beyond the 2 headed columns"),
        ("date,a,a\n2024-06-28,100,5\n", "duplicate column header 'a'"),
        ("date,a\n2024-06-28,TRUE\n", "TRUE"),
        ("date,a\n2024-06-28,1e308\n2024-06-29,1e308\n", "not an amount"),
        ("date,a\n2024-06-28,\n", "not an amount"),
    ],
)
def test_lockup_reader_is_strict(tmp_path: Path, text: str, message: str, capsys: Any) -> None:
    from netcap.cli import main  # noqa: PLC0415

    path = tmp_path / "reqs.csv"
    path.write_text(text, encoding="utf-8")
    assert main(["lockup", str(path)]) == 2
    err = capsys.readouterr().err
    assert "reqs.csv" in err
    assert message in err


def test_lockup_reader_reads_a_clean_file(tmp_path: Path, capsys: Any) -> None:
    from netcap.cli import main  # noqa: PLC0415

    path = tmp_path / "reqs.csv"
    path.write_text("date,a,b\n2024-06-28,100,0\n2024-07-01,50,50\n", encoding="utf-8")
    assert main(["lockup", str(path)]) == 0
    out = capsys.readouterr().out
    summary = json.loads(out[out.index("{") :])
    # a: 100 contributed on 2024-06-28, locked for a year: held 100 on both days; b: 0 then
    # 50 contributed.  Separate peak 100 + 50 = 150; consolidated 100 both days.
    assert summary["peak_separate"] == 150
    assert summary["peak_consolidated"] == 100


# -- 12. dates at and beyond the range netcap computes with ------------------------------------

FAR_DATES = ["9999-12-31", "2262-04-12", "2201-01-01", "1677-09-21", "0001-01-01", "1899-12-31"]


@pytest.mark.parametrize("day", FAR_DATES)
@pytest.mark.parametrize(
    ("field", "extra"),
    [
        ("maturity", {"security_class": "government"}),
        ("issue_date", {"security_class": "municipal", "maturity": "2030-01-01"}),
        ("underwritten_on", {}),
        ("trade_date", {}),
        ("settlement_date", {}),
    ],
)
def test_far_position_dates_are_refused_with_the_field_in_every_format(
    tmp_path: Path, day: str, field: str, extra: dict[str, Any], capsys: Any
) -> None:
    from netcap.cli import main  # noqa: PLC0415

    position = {**JSON_BOOK["positions"][0], **extra, field: day}
    header = ",".join(position)
    row = ",".join(str(v) for v in position.values())
    folder = _csv_book(tmp_path / "b", {"positions.csv": f"{header}\n{row}\n"})
    wb_rows = [list(position), list(position.values())]
    workbook = _workbook(tmp_path / "b.xlsx", {"firm": BOOK_FIRM, "positions": wb_rows})
    book = _json_book(tmp_path, {**JSON_BOOK, "positions": [position]})
    for path in (folder, workbook, book):
        assert main(["compute", str(path)]) == 2, path
        err = capsys.readouterr().err
        assert field in err
        assert "Traceback" not in err
        assert "internal error" not in err


def test_far_date_cell_in_a_workbook_is_refused(tmp_path: Path) -> None:
    rows = [[*POSITIONS[0], "maturity"], ["t", "government", "long", 1000, date(9999, 12, 31)]]
    path = _workbook(tmp_path / "b.xlsx", {"firm": BOOK_FIRM, "positions": rows})
    with pytest.raises(BookError, match=r"field 'maturity'.*dates run from 1900-01-01"):
        load_book(path)


@pytest.mark.parametrize("day", FAR_DATES)
def test_far_dates_elsewhere_are_clean_errors(tmp_path: Path, day: str, capsys: Any) -> None:
    from netcap.cli import main  # noqa: PLC0415

    spec = json.loads((FIXTURES / "table9" / "strategy_07.json").read_text(encoding="utf-8"))
    spec_path = tmp_path / "spec.json"
    spec_path.write_text(json.dumps({**spec, "as_of": day}), encoding="utf-8")
    firm = _json_book(tmp_path, {**JSON_BOOK, "as_of": day})
    began = tmp_path / "began.json"
    began.write_text(json.dumps({**JSON_BOOK, "firm": {"commenced_business": day}}))
    runs = [
        (["strategy", str(spec_path)], "as_of"),
        (["combine", str(spec_path)], "as_of"),
        (["compute", str(firm)], "as_of"),
        (["compute", str(began)], "commenced_business"),
        (["settle", day], "trade_date"),
    ]
    for argv, field in runs:
        assert _exit_code(main, argv) == 2, argv
        err = capsys.readouterr().err
        assert field in err, argv
        assert "Traceback" not in err
        assert "internal error" not in err


def test_settle_near_the_calendars_end_is_a_clean_error(capsys: Any) -> None:
    from netcap.cli import main  # noqa: PLC0415

    assert main(["settle", "2080-12-31"]) == 2
    assert "trade_date 2080-12-31" in capsys.readouterr().err


# -- 14. what text netcap accepts: no control characters, at most a workbook cell --------------


@pytest.mark.parametrize("text", ["bad\x00id", "bad\x01", "x\x1fy", "é" * 32_768])
def test_text_netcap_cannot_write_is_refused_in_every_format(
    tmp_path: Path, text: str, capsys: Any
) -> None:
    from netcap.cli import main  # noqa: PLC0415

    book = json.loads(json.dumps(JSON_BOOK))
    book["firm"] = {"name": text}
    json_path = _json_book(tmp_path, book)
    quoted = text.replace('"', '""')
    folder = _csv_book(
        tmp_path / "b",
        {"positions.csv": f'id,security_class,side,market_value\n"{quoted}",equity,long,1\n'},
    )
    out = tmp_path / "out.xlsx"
    for path in (json_path, folder):
        assert main(["compute", str(path), "--xlsx", str(out)]) == 2, path
        err = capsys.readouterr().err
        assert "control character" in err or "over the 32,767" in err
        assert not out.exists()


def test_text_over_a_cells_limit_in_a_workbook_is_refused(tmp_path: Path) -> None:
    path = _workbook(tmp_path / "b.xlsx", {"firm": BOOK_FIRM, "positions": POSITIONS})
    # openpyxl cuts text at the limit when it writes, so lengthen the cell in the XML
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    sheet = "xl/worksheets/sheet2.xml"
    parts[sheet] = parts[sheet].replace(b">e1<", b">" + b"x" * 40_000 + b"<")
    with zipfile.ZipFile(path, "w") as z:
        for n, data in parts.items():
            z.writestr(n, data)
    with pytest.raises(UnsafeFileError, match=r"row 2, column 'id': 40,000 characters"):
        load_book(path)
