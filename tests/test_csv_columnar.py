"""The columnar CSV reader reads the same cells as the row reader, on any file it accepts.

`netcap.book.sheets._read_csv_columnar` (pandas' C parser, text as categoricals) is the
fast path for the positions sheet; `_read_csv` (Python's csv module, one cell at a
time) is the reference.  Where the columnar reader accepts a file, every cell must be
the row reader's cell: the same stripped text, blank as missing, and in a number
column the number ``pd.to_numeric`` makes of the text.  Files it declines are read by
the row reader (checked by the loader tests).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netcap.book.frame import CLASS_DTYPE, INSTRUMENT_DTYPE, SIDE_DTYPE, _parse_bool
from netcap.book.loading import load_book
from netcap.book.safety import InputLimits, UnsafeFileError
from netcap.book.sheets import (
    _CONTROL_BYTES,
    _REFUSED,
    _NotColumnarError,
    _read_csv,
    _read_csv_columnar,
    _scan_csv_bytes,
    read_sheets,
)

NUMBERS = frozenset({"n"})
CELLS = st.sampled_from(
    [
        "",
        " ",
        "a",
        " a",
        "a ",
        "b,c",
        'say "x"',
        "12",
        " 12 ",
        "1.5",
        "-3",
        "nan",
        "NaN",
        "NA",
        "inf",
        "True",
        "false",
        "007",
        "2024-06-28",
        "x\ny",
        "é",
        "\u00a0v\u00a0",
    ]
)


def _cells(sheet_frame: pd.DataFrame, column: str) -> list[object]:
    col = sheet_frame[column]
    return [None if pd.isna(v) else v for v in col.astype(object)]


def _write(path: Path, header: list[str], rows: list[list[str]], blank_lines: int) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_text(out.getvalue() + "\n" * blank_lines, encoding="utf-8")


@settings(max_examples=60, deadline=None)
@given(
    rows=st.lists(st.lists(CELLS, min_size=0, max_size=3), min_size=1, max_size=8),
    blank_lines=st.integers(0, 2),
)
def test_same_cells_as_the_row_reader(
    tmp_path_factory: pytest.TempPathFactory, rows: list[list[str]], blank_lines: int
) -> None:
    path = tmp_path_factory.mktemp("csv") / "positions.csv"
    header = ["t", "n", "u"]
    _write(path, header, rows, blank_lines)
    limits = InputLimits()
    try:
        reference = _read_csv(path, "positions", limits)
    except UnsafeFileError as exc:
        refused = str(exc)
        with pytest.raises((UnsafeFileError, _NotColumnarError)) as info:
            _read_csv_columnar(path, "positions", limits, NUMBERS)
        assert info.type is _NotColumnarError or str(info.value) == refused
        return
    try:
        fast = _read_csv_columnar(path, "positions", limits, NUMBERS)
    except _NotColumnarError:
        return
    assert list(fast.frame.columns) == list(reference.frame.columns)
    assert len(fast.frame) == len(reference.frame)
    for column in header:
        want = _cells(reference.frame, column)
        got = _cells(fast.frame, column)
        if column in NUMBERS and pd.api.types.is_numeric_dtype(fast.frame[column]):
            numbers = pd.to_numeric(pd.Series(want, dtype=object), errors="coerce")
            np.testing.assert_array_equal(np.asarray(got, dtype=float), numbers.to_numpy(float))
        else:
            assert got == want


def test_a_row_longer_than_its_header_goes_to_the_row_reader(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "positions.csv").write_text("id,t\np1,a,stray\n", encoding="utf-8")
    with pytest.raises(_NotColumnarError):
        _read_csv_columnar(folder / "positions.csv", "positions", InputLimits(), NUMBERS)
    with pytest.raises(UnsafeFileError, match="row 2 has data beyond the 2 headed columns"):
        read_sheets(folder, columnar={"positions": NUMBERS})


def test_text_columns_are_categoricals_of_stripped_text(tmp_path: Path) -> None:
    path = tmp_path / "positions.csv"
    path.write_text("\ufeffid,t,n\np1, long ,1\np2,long,\n\np3,,2.5\n\n", encoding="utf-8")
    sheet = _read_csv_columnar(path, "positions", InputLimits(), NUMBERS)
    # the BOM is not part of the first header; the blank line inside is a row (row 4),
    # the one at the end is dropped; ' long ' and 'long' are one category
    assert list(sheet.frame.columns) == ["id", "t", "n"]
    assert isinstance(sheet.frame["t"].dtype, pd.CategoricalDtype)
    assert list(sheet.frame["t"].cat.categories) == ["long"]
    assert _cells(sheet.frame, "t") == ["long", "long", None, None]
    assert _cells(sheet.frame, "id") == ["p1", "p2", None, "p3"]
    assert _cells(sheet.frame, "n") == [1.0, None, None, 2.5]


def test_blank_and_written_cash_instrument_in_one_book(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "firm.csv").write_text(
        "field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1000000\n", encoding="utf-8"
    )
    (folder / "positions.csv").write_text(
        "id,security_class,instrument,side,market_value\n"
        "a,equity,cash,long,100\n"
        "b, Equity ,,short,50\n",
        encoding="utf-8",
    )
    frame = load_book(folder).positions
    # a blank instrument is a cash position; the text columns come out as the fixed
    # categoricals, whatever the case and spaces of the cells
    assert frame["instrument"].dtype == INSTRUMENT_DTYPE
    assert frame["security_class"].dtype == CLASS_DTYPE
    assert frame["side"].dtype == SIDE_DTYPE
    assert list(frame["instrument"]) == ["cash", "cash"]
    assert list(frame["security_class"]) == ["equity", "equity"]
    assert list(frame["signed_value"]) == [100.0, -50.0]


def test_the_byte_scan_refuses_exactly_the_control_characters() -> None:
    # U+0000-U+0008, U+000B, U+000C and U+000E-U+001F (netcap.book.safety.text_problem);
    # tab, line feed and carriage return are text
    assert sorted(_REFUSED) == [*range(0, 9), 11, 12, *range(14, 32)]
    for byte in range(256):
        assert (_CONTROL_BYTES.fullmatch(bytes([byte])) is not None) == (byte in _REFUSED)


def test_a_control_character_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "positions.csv"
    path.write_bytes(b"id,t\np1,a\np2,b\x07\n")
    with pytest.raises(UnsafeFileError, match=r"positions.csv: line 3: control character U\+0007"):
        _read_csv_columnar(path, "positions", InputLimits(), NUMBERS)


@settings(max_examples=200)
@given(
    lines=st.lists(st.sampled_from(["", "a", "ab\tc", "x" * 9, "y" * 10, "\r", "\x07", "é"])),
    end=st.booleans(),
)
def test_the_byte_scan_in_slices_agrees_with_one_look_at_the_file(
    lines: list[str], end: bool, tmp_path_factory: pytest.TempPathFactory
) -> None:
    # slices of 4 bytes and a text limit of 9 characters: a long line, a line end or a
    # control byte falls on a slice boundary.  The reference looks at the whole file:
    # the first refused byte names its line; else a line is long if it has over 9 bytes
    # counting its line end (as before the scan was sliced: a bound on the cell, not exact).
    path = tmp_path_factory.mktemp("scan") / "positions.csv"
    data = ("\n".join(lines) + ("\n" if end else "")).encode("utf-8")
    path.write_bytes(data)
    refused = [i for i, b in enumerate(data) if b in _REFUSED]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("netcap.book.sheets._SCAN_BYTES", 4)
        mp.setattr("netcap.book.sheets.MAX_TEXT", 9)
        if refused:
            line = data.count(b"\n", 0, refused[0]) + 1
            with pytest.raises(UnsafeFileError, match=f"positions.csv: line {line}: control"):
                _scan_csv_bytes(path)
        else:
            assert _scan_csv_bytes(path) == any(len(x) + 1 > 9 for x in data.split(b"\n"))


def test_the_byte_scan_refuses_text_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "positions.csv"
    path.write_bytes(b"id,t\np1,\xe9t\xe9\n")  # Latin-1 accents
    with pytest.raises(UnsafeFileError, match=r"positions.csv: not UTF-8 text \(invalid"):
        _scan_csv_bytes(path)


def test_issue_columns_of_a_csv_book_are_text_or_none(tmp_path: Path) -> None:
    folder = tmp_path / "book"
    folder.mkdir()
    (folder / "firm.csv").write_text(
        "field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1000000\n", encoding="utf-8"
    )
    (folder / "positions.csv").write_text(
        "id,security_class,instrument,side,market_value,years_to_maturity,issuer,security_id\n"
        "f1,government,future,long,1000,2,,\n"
        "g1,government,cash,long,1000,2,UST,T1\n",
        encoding="utf-8",
    )
    frame = load_book(folder).positions
    # as a workbook or JSON book gives them: later stages fill a blank issue with the id
    assert frame["security_id"].dtype == object
    assert list(frame["security_id"]) == [None, "T1"]
    assert list(frame["issuer"]) == [None, "UST"]
    assert list(frame["security_id"].fillna(frame["id"].astype(object))) == ["f1", "T1"]


def test_chunks_join_into_the_row_readers_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # three rows a chunk: the columns of seven rows join across chunks (a value first seen
    # in a later chunk, a column blank in a whole chunk, an id's code its row)
    monkeypatch.setattr("netcap.book.sheets._CHUNK_ROWS", 3)
    path = tmp_path / "positions.csv"
    path.write_text(
        "id,t,u,n\np1,a,,1\np2,b,,2\np3,a,,\np4, c,x,4\np5,b,,5\np6,,,\np7,c ,y,7\n",
        encoding="utf-8",
    )
    fast = _read_csv_columnar(path, "positions", InputLimits(), NUMBERS).frame
    reference = _read_csv(path, "positions", InputLimits()).frame
    for column in ("id", "t", "u"):
        assert _cells(fast, column) == _cells(reference, column)
    assert _cells(fast, "n") == [1.0, 2.0, None, 4.0, 5.0, None, 7.0]
    assert list(fast["id"].cat.codes) == list(range(7))
    assert list(fast["t"].cat.categories) == ["a", "b", "c"]


def test_a_column_of_mostly_distinct_values_joins_into_the_row_readers_cells(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the first chunk (three rows) holds three distinct values in each text column, so each
    # is kept as its cells and made a categorical once; a repeated value, a blank cell and
    # spaces around a value in later chunks still give the row reader's cells
    monkeypatch.setattr("netcap.book.sheets._CHUNK_ROWS", 3)
    path = tmp_path / "positions.csv"
    path.write_text(
        "id,t\np1,a\np2,b\np3,c\np2,\n,a\n p4 ,d\np5,e\n",
        encoding="utf-8",
    )
    fast = _read_csv_columnar(path, "positions", InputLimits(), NUMBERS).frame
    reference = _read_csv(path, "positions", InputLimits()).frame
    for column in ("id", "t"):
        assert _cells(fast, column) == _cells(reference, column)
    # codes in the order of first appearance: p2 repeats the code of row 2, the blank is -1
    assert list(fast["id"].cat.codes) == [0, 1, 2, 1, -1, 3, 4]
    assert list(fast["id"].cat.categories) == ["p1", "p2", "p3", "p4", "p5"]


def test_distinct_ids_are_categories_in_row_order_with_their_lookup_built(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # every id distinct and clean: the categories are the ids in row order (code = row),
    # and the uniqueness check of the categories has built their hash table, so looking
    # ids up later (links between positions) hashes only the ids looked up
    monkeypatch.setattr("netcap.book.sheets._CHUNK_ROWS", 2)
    path = tmp_path / "positions.csv"
    path.write_text("id,n\nb,1\na,2\nc,3\nd,4\ne,5\n", encoding="utf-8")
    ids = _read_csv_columnar(path, "positions", InputLimits(), NUMBERS).frame["id"]
    assert list(ids.cat.codes) == [0, 1, 2, 3, 4]
    assert list(ids.cat.categories) == ["b", "a", "c", "d", "e"]
    assert ids.cat.categories.dtype == object
    assert ids.cat.categories._engine.is_mapping_populated
    assert list(ids.cat.categories.get_indexer(["e", "x", "b"])) == [4, -1, 0]


FLAG_CELLS = st.sampled_from(
    [
        "",
        " ",
        "True",
        "TRUE",
        "true",
        "tRuE",
        " True",
        "False",
        "FALSE",
        "false",
        "1",
        "0",
        "1.0",
        "0.0",
        "1.00",
        "01",
        "2",
        "-0",
        "yes",
        "No",
        "y",
        "T",
        "maybe",
        "nan",
    ]
)


@settings(max_examples=150, deadline=None)
@given(cells=st.lists(FLAG_CELLS, min_size=1, max_size=6))
def test_yes_no_columns_read_as_booleans_validate_as_their_text(
    tmp_path_factory: pytest.TempPathFactory, cells: list[str]
) -> None:
    # a yes/no column pandas reads as booleans (every cell True/TRUE/true/1/1.0, their
    # false forms, or blank) must mean what the validator makes of the text the row reader
    # gives; any other cell ('yes', ' True', '1.00') sends the column back to text
    path = tmp_path_factory.mktemp("flags") / "positions.csv"
    _write(path, ["id", "f"], [[f"p{i}", c] for i, c in enumerate(cells)], 0)
    fast = _read_csv_columnar(path, "positions", InputLimits(), NUMBERS, frozenset({"f"}))
    reference = _read_csv(path, "positions", InputLimits())
    for default in (None, False, True):
        got, got_bad = _parse_bool(fast.frame["f"], default)
        want, want_bad = _parse_bool(reference.frame["f"], default)
        assert list(got_bad) == list(want_bad)
        assert list(got) == list(want)


def test_a_yes_no_column_of_booleans_and_one_of_words(tmp_path: Path) -> None:
    path = tmp_path / "positions.csv"
    path.write_text("id,f,g\np1,True,yes\np2,FALSE,\np3,,no\np4,1,yes\n", encoding="utf-8")
    sheet = _read_csv_columnar(path, "positions", InputLimits(), NUMBERS, frozenset({"f"}))
    # f: every cell a boolean to pandas, so a boolean column (the blank cell missing)
    assert isinstance(sheet.frame["f"].dtype, pd.BooleanDtype)
    assert _cells(sheet.frame, "f") == [True, False, None, True]
    # g is not named a yes/no column: text, as ever
    assert _cells(sheet.frame, "g") == ["yes", None, "no", "yes"]
    both = _read_csv_columnar(path, "positions", InputLimits(), NUMBERS, frozenset({"f", "g"}))
    # g as a yes/no column holds words pandas does not read: the file is read again with
    # every yes/no column as text
    assert _cells(both.frame, "f") == ["True", "FALSE", None, "1"]
    assert _cells(both.frame, "g") == ["yes", None, "no", "yes"]


def test_columns_written_in_place_across_chunks_and_without_a_last_line_end(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # two rows a chunk; the number, yes/no and id columns are written into arrays sized by
    # the file's line ends (six here: two inside quoted cells, none after the last row):
    # every row lands in its place
    monkeypatch.setattr("netcap.book.sheets._CHUNK_ROWS", 2)
    path = tmp_path / "positions.csv"
    path.write_text(
        'id,n,f,t\np1,1.5,True,"a\nb"\np2,,false,c\np3,-2,,c\np4,4,1,"a\nb"',
        encoding="utf-8",
    )
    fast = _read_csv_columnar(path, "positions", InputLimits(), NUMBERS, frozenset({"f"})).frame
    reference = _read_csv(path, "positions", InputLimits()).frame
    assert _cells(fast, "id") == _cells(reference, "id") == ["p1", "p2", "p3", "p4"]
    assert _cells(fast, "n") == [1.5, None, -2.0, 4.0]
    assert _cells(fast, "f") == [True, False, None, True]
    assert _cells(fast, "t") == _cells(reference, "t") == ["a\nb", "c", "c", "a\nb"]
