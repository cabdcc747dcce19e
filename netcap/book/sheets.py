"""Read the sheets of a book file into raw frames of text-or-number cells.

Three containers hold the same sheets:

* an ``.xlsx`` workbook, one worksheet per sheet;
* a folder of ``.csv`` files, one file per sheet (``positions.csv``, ...);
* a single ``.csv``, read as the ``positions`` sheet.

Cells are returned as read (no type guessing beyond what the container does);
validation happens later, where each error can name file, sheet, row and field.
Row numbers are the spreadsheet's own: the header is row 1, data start at row 2.

A formula cell of a workbook is read as the value it had when the workbook was last
calculated and saved.  A formula with no saved value (openpyxl and some other tools
write formulas without one, and a workbook never recalculated has none) is not read
as blank: the cell is left empty and listed in `RawSheet.uncalculated`, so the
loader reports it instead of letting the field take its default.
"""

from __future__ import annotations

import csv
import math
import operator
import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, BinaryIO, NamedTuple

import numpy as np
import pandas as pd

from netcap.book.safety import (
    _CONTROL,
    MAX_TEXT,
    InputLimits,
    UnsafeFileError,
    check_file,
    text_problem,
)

__all__ = ["RawSheet", "read_sheets", "read_table"]

HEADER_ROW = 1
MAX_BLANK_RUN = 10_000
"""Blank rows a workbook sheet may have between two rows of data.  A longer run is almost
always a stray cell far below the data; it is refused rather than read as a million rows."""


@dataclass(frozen=True)
class RawSheet:
    """One sheet as read: its data frame and where it came from."""

    name: str
    source: str
    frame: pd.DataFrame
    uncalculated: tuple[tuple[int, str], ...] = ()
    """(spreadsheet row, column header) of each formula cell with no saved value."""


def _cell(value: object) -> object:
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str):
        stripped = value.strip()
        return stripped if stripped else None
    if isinstance(value, float) and math.isnan(value):
        return value
    return value


def _frame(header: list[object], rows: list[list[object]], where: str) -> pd.DataFrame:
    names: list[str] = []
    for i, h in enumerate(header):
        name = "" if h is None else str(h).strip()
        if not name:
            if any(len(r) > i and r[i] is not None for r in rows):
                raise UnsafeFileError(f"{where}: column {i + 1} has data but no header")
            name = f"__blank_{i}"
        if name in names:
            raise UnsafeFileError(f"{where}: duplicate column header {name!r}")
        names.append(name)
    width = len(names)
    for n, r in enumerate(rows):
        if any(c is not None for c in r[width:]):
            raise UnsafeFileError(
                f"{where}: row {n + HEADER_ROW + 1} has data beyond the {width} headed columns"
            )
    padded = [(list(r) + [None] * width)[:width] for r in rows]
    frame = pd.DataFrame(padded, columns=names, dtype=object)
    return frame.drop(columns=[n for n in names if n.startswith("__blank_")])


def _read_xlsx(path: Path, limits: InputLimits, skip: frozenset[str]) -> list[RawSheet]:
    # Two views of the same file: saved values, and formulas (to tell a formula whose saved
    # value is missing from a cell left blank).
    # netcap opens the file itself: a workbook openpyxl fails to parse then leaves no
    # handle open (its own handle stays open when load_workbook raises part way).
    with path.open("rb") as values_fh, path.open("rb") as formulas_fh:
        return _read_xlsx_sheets(path, values_fh, formulas_fh, limits, skip)


def _read_xlsx_sheets(
    path: Path,
    values_fh: BinaryIO,
    formulas_fh: BinaryIO,
    limits: InputLimits,
    skip: frozenset[str],
) -> list[RawSheet]:
    from openpyxl import load_workbook  # noqa: PLC0415 - heavy import, only when needed

    workbook = load_workbook(values_fh, read_only=True, data_only=True)
    formulas = load_workbook(formulas_fh, read_only=True, data_only=False)
    try:
        sheets = []
        seen: dict[str, str] = {}
        for ws, fs in zip(workbook.worksheets, formulas.worksheets, strict=True):
            name = ws.title.strip().lower()
            if name in seen:
                raise UnsafeFileError(
                    f"{path.name}: sheets {seen[name]!r} and {ws.title!r} have the same name "
                    "once case and surrounding spaces are ignored; rename or remove one"
                )
            seen[name] = ws.title
            if name in skip:
                continue
            # The <dimension> a sheet declares may be wrong (too small: cells outside it
            # would be skipped; or stretched to XFD1048576 by one stray cell): ignore it
            # and read the cells the sheet holds.  Rows absent from the file cost nothing.
            ws.reset_dimensions()
            fs.reset_dimensions()
            value_rows = ws.iter_rows(values_only=True)
            formula_rows = fs.iter_rows(values_only=True)
            try:
                rows_iter = zip(value_rows, formula_rows, strict=True)
                first = next(rows_iter, None)
                if first is None:
                    continue
                header = _trim(first[0])
                where = f"{path.name}, sheet {ws.title!r}"
                missing: list[tuple[int, int]] = []
                rows: list[list[object]] = []
                blank_run = 0
                for number, (r, f) in enumerate(rows_iter, start=HEADER_ROW + 1):
                    if not r and not f:  # a row absent from the file
                        blank_run += 1
                        continue
                    for i, (value, formula) in enumerate(zip(r, f, strict=False)):
                        if value is None and _is_formula(formula):
                            missing.append((number, i))
                    if all(c is None or (isinstance(c, str) and not c.strip()) for c in r):
                        blank_run += 1  # kept only if a later row has data (interior blank rows)
                        continue
                    if blank_run > MAX_BLANK_RUN:
                        raise UnsafeFileError(
                            f"{where}: rows {number - blank_run} to {number - 1} are blank and "
                            f"row {number} has data; delete the blank rows (or the stray cell)"
                        )
                    rows.extend([] for _ in range(blank_run))
                    blank_run = 0
                    _check_text(r, number, header, where)
                    rows.append(_trim([_cell(c) for c in r]))
                    if len(rows) > limits.max_rows:
                        raise UnsafeFileError(f"{where}: more than {limits.max_rows:,} rows")
                headed = list(header)
                uncalculated = tuple((row, _header_name(headed, i)) for row, i in missing)
                sheets.append(RawSheet(name, where, _frame(headed, rows, where), uncalculated))
            finally:
                # a sheet left part-read (an error, an empty sheet) still releases the part of
                # the archive its rows were streamed from, so the file is closed with the book
                value_rows.close()
                formula_rows.close()
        return sheets
    finally:
        workbook.close()
        formulas.close()


_LONG_LINE = re.compile(f"[^\\n]{{{MAX_TEXT + 1}}}")


def _check_text(row: Sequence[object], number: int, header: list[object], where: str) -> None:
    """Refuse a text cell netcap does not accept (`netcap.book.safety.text_problem`).

    A cell holding JSON (``[`` or ``{`` first) may be longer than one text value: its
    strings are checked one by one once parsed.
    """
    for i, c in enumerate(row):
        if isinstance(c, str):
            problem = text_problem(c)
            if problem is not None and not (c.lstrip()[:1] in ("[", "{") and len(c) > MAX_TEXT):
                name = _header_name(list(header), i)
                raise UnsafeFileError(f"{where}: row {number}, column {name!r}: {problem}")


def _trim(row: Sequence[object]) -> list[object]:
    """A row without its trailing empty cells (a stray far cell leaves thousands)."""
    end = len(row)
    while end and row[end - 1] is None:
        end -= 1
    return list(row[:end])


def _is_formula(value: object) -> bool:
    """A formula as openpyxl reads it without saved values: ``=...`` text or a formula object."""
    from openpyxl.worksheet.formula import (  # noqa: PLC0415 - with the other openpyxl import
        ArrayFormula,
        DataTableFormula,
    )

    if isinstance(value, ArrayFormula | DataTableFormula):
        return True
    return isinstance(value, str) and value.startswith("=") and len(value) > 1


def _header_name(header: list[object], i: int) -> str:
    name = "" if i >= len(header) or header[i] is None else str(header[i]).strip()
    return name or f"column {i + 1}"


def _read_csv(path: Path, name: str, limits: InputLimits) -> RawSheet:
    check_file(path, limits)
    try:
        with path.open(newline="", encoding="utf-8-sig") as fh:
            text = fh.read()
        control = _CONTROL.search(text)
        if control is not None:  # one scan of the file, not one per cell
            line = text.count("\n", 0, control.start()) + 1
            problem = text_problem(control.group())
            raise UnsafeFileError(f"{path.name}: line {line}: {problem}")
        # a cell over the text limit needs a line that long (one C scan finds out)
        long_cells = _LONG_LINE.search(text) is not None
        del text
        with path.open(newline="", encoding="utf-8-sig") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise UnsafeFileError(f"{path.name}: no header row")
            rows: list[list[object]] = []
            for r in reader:
                if long_cells and any(len(c) > MAX_TEXT for c in r):
                    _check_text(r, len(rows) + HEADER_ROW + 1, list(header), path.name)
                rows.append([_cell(c) for c in r])
                if len(rows) > limits.max_rows:
                    raise UnsafeFileError(f"{path.name}: more than {limits.max_rows:,} rows")
    except UnicodeDecodeError as exc:
        raise UnsafeFileError(f"{path.name}: not UTF-8 text ({exc.reason})") from None
    except csv.Error as exc:
        raise UnsafeFileError(f"{path.name}: malformed CSV ({exc})") from None
    while rows and all(c is None for c in rows[-1]):
        rows.pop()
    return RawSheet(name, path.name, _frame(list(header), rows, path.name))


_CONTROL_BYTES = re.compile(_CONTROL.pattern.encode("ascii"))
"""`_CONTROL` over UTF-8 bytes: those bytes are never part of a multi-byte character."""
_REFUSED = bytes([*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)])
"""The bytes `_CONTROL_BYTES` matches."""


def _scan_csv_bytes(path: Path) -> bool:
    """The checks of `_read_csv` on the file's bytes, in C loops; True if a line is long
    (`_scan_csv`)."""
    return _scan_csv(path)[0]


def _scan_csv(path: Path) -> tuple[bool, int]:
    """The checks of `_read_csv` on the file's bytes, in C loops; whether a line is long,
    and the number of line ends (a sheet has at most one row more than that).

    Refuses text that is not UTF-8 and the control characters `text_problem` refuses
    (naming the line, as `_read_csv` does).  A cell over the text limit needs a line
    that long: the answer tells whether any line is.  The bytes are looked at in slices
    of `_SCAN_BYTES`, so the scan's working arrays stay small beside the file.
    """
    data = path.read_bytes()
    if not data.isascii():  # ASCII is UTF-8: only other text needs decoding to be checked
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise UnsafeFileError(f"{path.name}: not UTF-8 text ({exc.reason})") from None
    view = np.frombuffer(data, dtype=np.uint8)
    refused = np.frombuffer(_REFUSED, dtype=np.uint8)
    control_found = False
    longest = 0  # the greatest distance between two line ends (the file's ends count)
    last_end = -1
    line_ends = 0
    for start in range(0, len(view), _SCAN_BYTES):
        part = view[start : start + _SCAN_BYTES]
        # bytes under 0x20 are few (line ends, tabs): the refused ones are among them
        control_found = control_found or bool(np.isin(part[part < 0x20], refused).any())
        ends = np.flatnonzero(part == 0x0A)
        line_ends += ends.size
        if ends.size:
            ends += start
            longest = max(longest, int(ends[0]) - last_end, int(np.diff(ends).max(initial=0)))
            last_end = int(ends[-1])
    longest = max(longest, len(data) - last_end)
    control = _CONTROL_BYTES.search(data) if control_found else None  # the first one
    if control is not None:
        line = data.count(b"\n", 0, control.start()) + 1
        problem = text_problem(control.group().decode("ascii"))
        raise UnsafeFileError(f"{path.name}: line {line}: {problem}")
    return longest > MAX_TEXT, line_ends


_SCAN_BYTES = 1 << 23
"""Bytes `_scan_csv_bytes` compares at a time (8 MiB)."""


class _NotColumnarError(Exception):
    """A CSV file the columnar reader leaves to the row reader (which has the exact rules)."""


class _TextChunk(NamedTuple):
    """One chunk of a text column: each cell's code into the distinct stripped values.

    Kept as two arrays until the chunks are joined (`_join`): a categorical per chunk
    would check that its values are distinct, hashing them again for nothing.
    """

    codes: np.ndarray
    """-1 where a cell is missing (or blank); the smallest integer type that holds them."""
    categories: np.ndarray
    """The distinct values, stripped, none empty (an object array)."""


def _small_codes(codes: np.ndarray, count: int) -> np.ndarray:
    """``codes`` in the smallest signed integer type that holds -1 .. ``count`` - 1."""
    for kind in (np.int8, np.int16, np.int32):
        if count < np.iinfo(kind).max:
            return codes.astype(kind)
    return codes.astype(np.int64)


def _text_column(values: np.ndarray) -> _TextChunk:
    """A text column as codes into its stripped values (blank cells missing).

    Each distinct value is stripped once; values equal once stripped share a category.
    """
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    if pd.api.types.infer_dtype(uniques, skipna=False) == "string" and all(
        map(operator.is_, map(str.strip, uniques), uniques)
    ):  # the common case, in C loops: str.strip returns a value it leaves alone as is
        return _TextChunk(_small_codes(codes, len(uniques)), np.asarray(uniques, dtype=object))
    stripped = [u.strip() if isinstance(u, str) else str(u).strip() for u in uniques]
    if all(a is b for a, b in zip(stripped, uniques, strict=True)):
        categories = pd.Index(uniques, dtype=object)
    else:  # some value had spaces around it (or was only spaces): merge and blank them
        blank = np.array([s == "" for s in stripped], dtype=bool)
        remap, merged = pd.factorize(np.array(stripped, dtype=object), use_na_sentinel=True)
        remap[blank] = -1
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
        categories = pd.Index(merged, dtype=object)
        if blank.any():  # the merged blank value is no category of its own
            keep = np.asarray(categories != "")
            renumber = np.cumsum(keep) - 1
            codes = np.where(codes >= 0, renumber[np.maximum(codes, 0)], -1)
            categories = categories[keep]
    return _TextChunk(_small_codes(codes, len(categories)), np.asarray(categories, dtype=object))


_CHUNK_ROWS = 100_000
"""Rows the columnar reader parses at a time: each chunk's text cells become codes before
the next is read, so a million-row sheet never holds a Python string per cell."""


def _read_csv_columnar(
    path: Path,
    name: str,
    limits: InputLimits,
    numbers: frozenset[str],
    flags: frozenset[str] = frozenset(),
) -> RawSheet:
    """A CSV sheet read column by column in pandas' C parser: the same cells as `_read_csv`.

    Columns named in ``numbers`` are numbers (pandas' parse equals ``pd.to_numeric`` of
    the text); columns named in ``flags`` (yes/no columns) are booleans where pandas
    reads every cell of the column as one (``True``/``TRUE``/``true``/``1``/``1.0`` and
    their false forms, each a spelling the validator reads the same way), else text;
    every other column is a categorical of stripped text (each distinct value visited
    once per chunk).  A blank cell is missing.  A file the C parser reads differently
    from the row reader (a row longer than the header, an unclosed quote, a cell over
    the text limit) or a number column holding other text raises `_NotColumnarError`,
    and is read by `_read_csv`, whose errors name each cell.
    """
    check_file(path, limits)
    long_line, line_ends = _scan_csv(path)
    if long_line:
        raise _NotColumnarError
    with path.open(newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh), None)
    if header is None:
        raise UnsafeFileError(f"{path.name}: no header row")
    width = len(header)
    text = [i for i, h in enumerate(header) if h.strip() not in numbers]
    yes_no = [i for i in text if header[i].strip() in flags]
    try:
        columns = _parse_chunks(path, width, text, yes_no, limits, line_ends + 1)
    except _NotColumnarError:
        if not yes_no:
            raise
        # a yes/no cell pandas does not read as a boolean ("yes", " TRUE"): read them as text
        columns = _parse_chunks(path, width, text, [], limits, line_ends + 1)
    last = max((_last_filled(c) for c in columns.values()), default=-1)
    names: list[str] = []
    for i, h in enumerate(header):
        label = h.strip()
        if not label:
            if _last_filled(columns[i]) >= 0:
                raise UnsafeFileError(f"{path.name}: column {i + 1} has data but no header")
            label = f"__blank_{i}"
        if label in names:
            raise UnsafeFileError(f"{path.name}: duplicate column header {label!r}")
        names.append(label)
    # copy=False: each column stays its own array (no consolidated block of the number
    # columns, which would copy them all at once and double their memory while it does)
    frame = pd.DataFrame(
        {
            n: _head(columns[i], last + 1)
            for i, n in enumerate(names)
            if not n.startswith("__blank_")
        },
        copy=False,
    )
    return RawSheet(name, path.name, frame)


def _parse_chunks(
    path: Path,
    width: int,
    text: list[int],
    yes_no: list[int],
    limits: InputLimits,
    bound: int,
) -> dict[int, Column]:
    """Every column of the sheet, parsed a chunk of rows at a time.

    Number columns are floats, ``yes_no`` columns booleans (a cell pandas does not read as
    one raises `_NotColumnarError`, as does any other difference from the row reader) and
    the other columns text (`_join`, or `_whole` for a column of mostly distinct values).
    Number, yes/no and mostly distinct columns are written chunk by chunk into arrays of
    ``bound`` rows made up front (the sheet has no more), not kept as chunks and joined:
    no second copy of them, and no chunk-sized holes left in memory.
    """
    parts: dict[int, list[_TextChunk]] = {i: [] for i in text}
    floats = {i: np.empty(bound) for i in range(width) if i not in text}
    flags = {i: (np.empty(bound, dtype=bool), np.empty(bound, dtype=bool)) for i in yes_no}
    cells: dict[int, np.ndarray] = {}  # text columns of mostly distinct values (`_whole`)
    dtypes: dict[int, Any] = dict.fromkeys(text, object)
    dtypes.update(dict.fromkeys(yes_no, "boolean"))
    rows = 0
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", pd.errors.ParserWarning)
            chunks = pd.read_csv(
                path,
                header=0,
                names=list(range(width)),
                index_col=False,
                dtype=dtypes,
                keep_default_na=False,
                na_values=[""],
                skip_blank_lines=False,
                encoding="utf-8-sig",
                engine="c",
                chunksize=_CHUNK_ROWS,
            )
            with chunks:
                for chunk in chunks:
                    start, rows = rows, rows + len(chunk)
                    if rows > limits.max_rows:
                        raise UnsafeFileError(f"{path.name}: more than {limits.max_rows:,} rows")
                    if rows > bound:  # more rows than line ends: the row reader decides
                        raise _NotColumnarError
                    for i in range(width):
                        _store(chunk[i], i, slice(start, rows), floats, flags, cells, parts, bound)
                    del chunk
    except UnsafeFileError:
        raise
    except (pd.errors.ParserError, pd.errors.ParserWarning, ValueError):
        raise _NotColumnarError from None
    columns: dict[int, Column] = {i: values[:rows] for i, values in floats.items()}
    for i, (values, missing) in flags.items():
        columns[i] = pd.arrays.BooleanArray(values[:rows], missing[:rows])
    for i, objects in cells.items():
        columns[i] = _whole(objects[:rows])
    for i in text:
        if i not in columns:
            columns[i] = _join(parts.pop(i))
    return columns


def _store(
    col: pd.Series,
    i: int,
    at: slice,
    floats: dict[int, np.ndarray],
    flags: dict[int, tuple[np.ndarray, np.ndarray]],
    cells: dict[int, np.ndarray],
    parts: dict[int, list[_TextChunk]],
    bound: int,
) -> None:
    """One chunk ``col`` of column ``i`` (rows ``at``) into its place (`_parse_chunks`).

    A number column whose cells are not all numbers (some text, or true/false words pandas
    would read as booleans) is left to the row reader (`_NotColumnarError`).  A text column
    is made codes into its values; one whose first chunk has mostly distinct values is kept
    as its cells from then on (`_mostly_distinct`).
    """
    if i in floats:
        if col.dtype.kind not in "iuf":
            raise _NotColumnarError
        floats[i][at] = col.to_numpy(dtype=float)
    elif i in flags:
        yes_no: pd.arrays.BooleanArray = col.array
        values, missing = flags[i]
        values[at] = yes_no.to_numpy(dtype=bool, na_value=False)
        missing[at] = yes_no.isna()
    elif i in cells:
        cells[i][at] = col.to_numpy(dtype=object)
    else:
        part = _text_column(col.to_numpy(dtype=object))
        if at.start == 0 and _mostly_distinct(part):  # decided on the first chunk
            cells[i] = np.empty(bound, dtype=object)
            cells[i][at] = col.to_numpy(dtype=object)
        else:
            parts[i].append(part)


def _mostly_distinct(part: object) -> bool:
    """A text chunk with more distinct values than half its cells (an id column).

    Codes per chunk would be rebuilt when the chunks are joined, each value hashed again:
    such a column is kept as its cells and made a categorical once (`_whole`).
    """
    return isinstance(part, _TextChunk) and 2 * len(part.categories) > len(part.codes) > 0


Column = pd.Categorical | pd.arrays.BooleanArray | np.ndarray
"""One column of a sheet as the columnar reader joins it."""


def _whole(values: np.ndarray) -> Column:
    """A text column's cells (an object array) as a categorical, as `_join` makes it.

    When every cell is text already stripped and no two are equal (a column of ids), the
    categories are the cells in their order and each code is its row: the one hashing of
    the values is the uniqueness check of the categories index, whose hash table stays
    built for lookups of these values later.  Otherwise the values are factorized.
    """
    if (
        len(values)
        and pd.api.types.infer_dtype(values, skipna=False) == "string"
        and all(map(operator.is_, map(str.strip, values), values))
        and all(values)
    ):
        categories = pd.Index(values, dtype=object, copy=False)
        if categories.is_unique:
            codes: Any = np.arange(len(values), dtype=np.int32)  # a sheet has under 2**31 rows
            dtype: Any = pd.CategoricalDtype(categories)
            return pd.Categorical.from_codes(codes, dtype=dtype)
    return _join([_text_column(values)])


def _join(parts: list[_TextChunk]) -> pd.Categorical:
    """The chunks of one text column as one categorical."""
    if not parts:
        return pd.Categorical([])
    if len(parts) == 1:
        only: _TextChunk = parts[0]
        return pd.Categorical.from_codes(
            only.codes, categories=pd.Index(only.categories, dtype=object)
        )
    # one factorize of every chunk's categories (in order, so a value's code is that of its
    # first appearance) instead of union_categoricals, which looks each chunk up again
    categories = [np.asarray(p.categories, dtype=object) for p in parts]
    starts = np.cumsum([0, *(len(c) for c in categories[:-1])])
    remap, merged = pd.factorize(np.concatenate(categories), use_na_sentinel=True)
    kind = _small_codes(np.zeros(0, dtype=np.intp), len(merged)).dtype
    pieces = []
    for p, start, c in zip(parts, starts, categories, strict=True):
        own = remap[start : start + len(c)]
        if np.array_equal(own, np.arange(len(c))):  # its values first seen in this order:
            pieces.append(p.codes.astype(kind, copy=False))  # its codes are the joined ones
        else:  # a code per value, -1 (missing) taking the last entry
            pieces.append(np.append(own, -1).astype(kind)[p.codes])
    codes = np.concatenate(pieces)
    return pd.Categorical.from_codes(codes, categories=pd.Index(merged, dtype=object))


def _last_filled(values: Column) -> int:
    """The last row with data in a column, -1 if it has none."""
    if isinstance(values, pd.Categorical):
        filled = values.codes >= 0
    elif isinstance(values, pd.arrays.BooleanArray):
        filled = ~np.asarray(values.isna())
    else:
        filled = ~np.isnan(values)
    where = np.flatnonzero(filled)
    return int(where[-1]) if where.size else -1


def _head(values: object, n: int) -> object:
    if isinstance(values, pd.Categorical | pd.arrays.BooleanArray):
        return values[:n]
    return np.asarray(values)[:n]


def read_sheets(
    path: Path,
    limits: InputLimits | None = None,
    skip: frozenset[str] = frozenset(),
    columnar: dict[str, frozenset[str]] | None = None,
    flags: dict[str, frozenset[str]] | None = None,
) -> dict[str, RawSheet]:
    """Every sheet of a book file, keyed by lower-case sheet name.

    Sheets named in ``skip`` (lower case) are not parsed: the reader's documentation
    sheets, whose layout is free.  A CSV sheet named in ``columnar`` is read column
    by column (`_read_csv_columnar`: text columns as categoricals, the named number
    columns as numbers, its yes/no columns named in ``flags`` as booleans where every
    cell reads as one) instead of as Python cells; others keep text-or-None cells.
    """
    lim = limits or InputLimits()
    columnar = columnar or {}
    flags = flags or {}

    def csv_sheet(f: Path, name: str) -> RawSheet:
        if name in columnar:
            try:
                return _read_csv_columnar(
                    f, name, lim, columnar[name], flags.get(name, frozenset())
                )
            except _NotColumnarError:
                pass
        return _read_csv(f, name, lim)

    if path.is_dir():
        entries = sorted(path.iterdir())
        # every file is a sheet or an error: 'liabilities.CSV' is read, 'notes.txt' refused
        files = [f for f in entries if f.suffix.lower() == ".csv" and f.is_file()]
        others = [f.name for f in entries if f not in files]
        if others:
            raise UnsafeFileError(
                f"{path}: the folder holds {', '.join(repr(o) for o in others)}, which is "
                "not a .csv sheet; a book folder holds only its sheets (move it out)"
            )
        if not files:
            raise UnsafeFileError(f"{path}: folder holds no .csv sheets")
        seen: dict[str, str] = {}
        for f in files:
            if f.stem.lower() in seen:
                raise UnsafeFileError(
                    f"{path}: files {seen[f.stem.lower()]!r} and {f.name!r} name the same "
                    "sheet once case is ignored; rename or remove one"
                )
            seen[f.stem.lower()] = f.name
        return {
            f.stem.lower(): csv_sheet(f, f.stem.lower())
            for f in files
            if f.stem.lower() not in skip
        }
    check_file(path, lim)
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        try:
            return {s.name: s for s in _read_xlsx(path, lim, skip)}
        except UnsafeFileError:
            raise
        except Exception as exc:  # openpyxl/defusedxml/zipfile raise many types
            kind = type(exc).__name__
            raise UnsafeFileError(
                f"{path.name}: unreadable or unsafe workbook ({kind}: {exc})"
            ) from None
    if suffix == ".csv":
        return {"positions": csv_sheet(path, "positions")}
    raise UnsafeFileError(f"{path}: unsupported book file type {suffix!r} (use .xlsx, .csv, .json)")


def read_table(path: Path, limits: InputLimits | None = None) -> RawSheet:
    """One CSV file read by the book readers' rules (size limits, UTF-8, every column
    headed once, no row longer than its header), for inputs other than books."""
    if path.suffix.lower() != ".csv":
        raise UnsafeFileError(f"{path}: expected a .csv file")
    return _read_csv(path, path.stem.lower(), limits or InputLimits())
