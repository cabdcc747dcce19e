"""Hostile and malformed input to the book readers and the strategy spec reader.

Every input must end either in a correct result or in one of netcap's own errors, each
naming the file (and, for tabular books, the sheet, row and field): never an unhandled
exception from the parsing layer, and never a row silently dropped.
"""

from __future__ import annotations

import csv
import io
import json
import math
import os
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netcap.book.book_json import BookInputError
from netcap.book.frame import COLUMNS, BookError
from netcap.book.loading import InputLimits, UnsafeFileError, load_book, write_template
from netcap.cli import InputError, load_strategy
from tests.conftest import FIXTURES

CLEAN = (BookError, BookInputError, UnsafeFileError)
# NETCAP_FUZZ_EXAMPLES=2000 runs a longer campaign; the default keeps the suite fast.
EXAMPLES = int(os.environ.get("NETCAP_FUZZ_EXAMPLES", "40"))
FAST = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

BASE_BOOK: dict[str, Any] = {
    "as_of": "2024-06-28",
    "balance_sheet": {"net_worth": 5_000_000},
    "positions": [
        {
            "id": "t1",
            "security_class": "government",
            "side": "long",
            "market_value": 1_000_000,
            "years_to_maturity": 4,
        },
        {"id": "e1", "security_class": "equity", "side": "short", "market_value": 20_000},
    ],
    "liabilities": [{"id": "l1", "kind": "other", "amount": 300_000}],
}

extreme_floats = st.sampled_from(
    [0.0, -0.0, 1e308, -1e308, 5e-324, 1e-300, 2.0**53 + 1, math.nan, math.inf, -math.inf]
)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | extreme_floats
    | st.text(max_size=30)
    | st.sampled_from(["", "nan", "inf", "-1", "1e999", "2024-02-30", "0001-01-01", "ü€😀"])
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def attempt(load: Any, *args: Any) -> tuple[Any, Exception | None]:
    """(result, None) or (None, the clean netcap error); anything else propagates."""
    try:
        return load(*args), None
    except (*CLEAN, InputError) as exc:
        return None, exc


def _paths(tree: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if isinstance(tree, dict):
        for k, v in tree.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(tree, list):
        for i, v in enumerate(tree):
            out += _paths(v, (*prefix, i))
    return out


def _replace(tree: Any, path: tuple[Any, ...], value: Any) -> Any:
    copy = json.loads(json.dumps(tree))
    node = copy
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    return copy


def _load_json_text(text: str | bytes) -> Any:
    with scratch() as d:
        path = d / "book.json"
        path.write_bytes(text if isinstance(text, bytes) else text.encode("utf-8", "surrogatepass"))
        return load_book(path)


# -- JSON books ---------------------------------------------------------------------------


def test_base_book_loads() -> None:
    loaded = _load_json_text(json.dumps(BASE_BOOK))
    assert list(loaded.positions["id"]) == ["t1", "e1"]


@FAST
@given(st.binary(max_size=300))
def test_json_garbage_bytes(data: bytes) -> None:
    with suppress(*CLEAN):
        _load_json_text(data)


@FAST
@given(st.data())
def test_json_any_field_any_value(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_paths(BASE_BOOK)))
    value = data.draw(json_values)
    tree = _replace(BASE_BOOK, path, value)
    loaded, error = attempt(_load_json_text, json.dumps(tree, allow_nan=True))
    if error is not None:
        assert isinstance(error, CLEAN)
        assert "book.json" in str(error)
        return
    # A book that loads keeps every position: nothing is dropped.
    assert len(loaded.positions) == len(tree["positions"])
    assert loaded.positions["market_value"].map(math.isfinite).all()


@FAST
@given(st.integers(min_value=0, max_value=10_000))
def test_json_truncated(cut: int) -> None:
    text = json.dumps(BASE_BOOK, indent=1)
    cut = cut % len(text)
    with pytest.raises(CLEAN):
        _load_json_text(text[:cut])


@pytest.mark.parametrize(
    "payload",
    [
        b"",
        b"\xff\xfe{}",
        b"[" * 100_000,
        b'{"a":' * 100_000,
        b"null",
        b"[]",
        b'"a string"',
        b"NaN",
    ],
    ids=[
        "empty",
        "utf16-bom",
        "deep-list",
        "deep-object",
        "null",
        "list",
        "str",
        "nan",
    ],
)
def test_json_hostile_files(payload: bytes) -> None:
    with pytest.raises(CLEAN) as info:
        _load_json_text(payload)
    assert "book.json" in str(info.value)


def test_json_unicode_names_survive() -> None:
    tree = _replace(BASE_BOOK, ("positions", 0, "id"), "Ünïcødé-債券-😀")
    loaded = _load_json_text(json.dumps(tree, ensure_ascii=False))
    assert loaded.positions["id"].iloc[0] == "Ünïcødé-債券-😀"


@pytest.mark.parametrize("token", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_json_non_finite_market_value_is_refused_with_its_field(token: str) -> None:
    text = json.dumps(BASE_BOOK).replace("1000000", token, 1)
    with pytest.raises(BookInputError, match=r"positions\[0\]\.market_value"):
        _load_json_text(text)


# -- CSV books ----------------------------------------------------------------------------

cell_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "nan", "NaN", "inf", "-inf", "1e309", "-5", "0", "1e308", "TRUE"]),
    st.sampled_from(["government", "equity", "long", "short", "cash", "future", "2030-01-15"]),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
)


def _csv_text(rows: list[list[str]]) -> str:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue()


def _csv_book(d: Path, positions: str | bytes) -> Path:
    folder = d / "book"
    folder.mkdir()
    (folder / "firm.csv").write_text(
        "field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,5000000\n", encoding="utf-8"
    )
    raw = positions if isinstance(positions, bytes) else positions.encode("utf-8", "surrogatepass")
    (folder / "positions.csv").write_bytes(raw)
    return folder


def test_csv_base_book_loads() -> None:
    rows = [["id", "security_class", "side", "market_value", "years_to_maturity"]]
    rows += [["t1", "government", "long", "1000000", "4"]]
    with scratch() as d:
        loaded = load_book(_csv_book(d, _csv_text(rows)))
    assert list(loaded.positions["id"]) == ["t1"]


@FAST
@given(
    st.lists(st.sampled_from(COLUMNS), min_size=1, max_size=6, unique=True),
    st.lists(st.lists(cell_text, min_size=0, max_size=7), max_size=6),
)
def test_csv_any_cells(header: list[str], rows: list[list[str]]) -> None:
    with scratch() as d:
        loaded, error = attempt(load_book, _csv_book(d, _csv_text([header, *rows])))
    if error is not None:
        assert isinstance(error, CLEAN)
        assert str(error)
        return
    # Every non-blank data row became a position (blank trailing rows are not rows).
    written = [r for r in rows if any(c.strip() for c in r)]
    assert len(loaded.positions) == len(written)


@FAST
@given(st.binary(max_size=400))
def test_csv_garbage_bytes(data: bytes) -> None:
    with scratch() as d, suppress(*CLEAN):
        load_book(_csv_book(d, data))


def test_csv_row_limit_without_a_big_file() -> None:
    text = "id,security_class,side,market_value\n" + "x,equity,long,1\n" * 11
    with scratch() as d, pytest.raises(UnsafeFileError, match="more than 10 rows"):
        load_book(_csv_book(d, text), InputLimits(max_rows=10))


def test_csv_huge_field_is_refused() -> None:
    text = "id,security_class,side,market_value\n" + "x" * 200_000 + ",equity,long,1\n"
    with scratch() as d, pytest.raises(CLEAN):
        load_book(_csv_book(d, text))


def test_csv_nul_bytes() -> None:
    with scratch() as d, pytest.raises(CLEAN):
        load_book(_csv_book(d, b"id,security_class\x00,side\nx\x00,equity,long\n"))


def test_csv_non_finite_market_value_names_row_and_field() -> None:
    text = "id,security_class,side,market_value\na,equity,long,1\nb,equity,long,inf\n"
    with scratch() as d, pytest.raises(BookError) as info:
        load_book(_csv_book(d, text))
    message = str(info.value)
    assert "market_value" in message
    assert "3" in message  # spreadsheet row 3: header is row 1


# -- xlsx books ---------------------------------------------------------------------------

xlsx_cells = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=12),
    st.sampled_from(["government", "long", "cash", "2030-01-15", "nan", "inf"]),
)


@pytest.fixture(scope="module")
def template_bytes() -> bytes:
    with scratch() as d:
        write_template(d / "t.xlsx")
        return (d / "t.xlsx").read_bytes()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.lists(xlsx_cells, min_size=1, max_size=8), min_size=1, max_size=4))
def test_xlsx_any_cells(template_bytes: bytes, rows: list[list[object]]) -> None:
    with scratch() as d:
        path = d / "book.xlsx"
        wb = openpyxl.load_workbook(io.BytesIO(template_bytes))
        firm = wb["firm"]
        for row in firm.iter_rows(min_row=2):
            if row[0].value == "as_of":
                row[1].value = "2024-06-28"
            if row[0].value == "balance_sheet.net_worth":
                row[1].value = 5_000_000
        for r in rows:
            wb["positions"].append(r)
        wb.save(path)
        loaded, error = attempt(load_book, path)
    if error is not None:
        assert isinstance(error, CLEAN)
        assert str(error)
        return
    written = [r for r in rows if any(c is not None and str(c).strip() for c in r)]
    assert len(loaded.positions) == len(written)


@FAST
@given(st.integers(min_value=1, max_value=10**6), st.binary(max_size=64))
def test_xlsx_truncated_or_corrupted(template_bytes: bytes, cut: int, junk: bytes) -> None:
    data = template_bytes[: cut % len(template_bytes)] + junk
    with scratch() as d:
        path = d / "book.xlsx"
        path.write_bytes(data or b"x")
        with pytest.raises(CLEAN):
            load_book(path)


def test_xlsx_inflated_size_limit_without_writing_gigabytes() -> None:
    with scratch() as d:
        path = d / "big.xlsx"
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_STORED) as z:
            z.writestr("xl/worksheets/sheet1.xml", b"<x/>" * 1000)
        with pytest.raises(UnsafeFileError, match="inflates to"):
            load_book(path, InputLimits(max_unzipped_bytes=1000))


def test_file_size_limit_applies_to_every_format() -> None:
    with scratch() as d:
        for name in ("book.json", "positions.csv", "book.xlsx"):
            path = d / name
            path.write_bytes(b"0" * 2048)
            with pytest.raises(UnsafeFileError, match="exceeds"):
                load_book(path, InputLimits(max_file_bytes=1024))


def test_missing_and_unsupported_paths() -> None:
    with scratch() as d:
        for path in (d / "nope.json", d / "nope.xlsx", d / "nope.csv", d / "book.txt", d):
            with pytest.raises(CLEAN):
                load_book(path)


# -- strategy specs -----------------------------------------------------------------------

SPEC: dict[str, Any] = json.loads((FIXTURES / "table9" / "strategy_01.json").read_text("utf-8"))


def _load_spec(data: bytes) -> Any:
    with scratch() as d:
        path = d / "spec.json"
        path.write_bytes(data)
        return load_strategy(path)


def test_spec_fixture_loads() -> None:
    assert _load_spec(json.dumps(SPEC).encode()).P == 50_000_000


@FAST
@given(st.binary(max_size=300))
def test_spec_garbage_bytes(data: bytes) -> None:
    with suppress(InputError):
        _load_spec(data)


@FAST
@given(st.data())
def test_spec_any_field_any_value(data: st.DataObject) -> None:
    path = data.draw(st.sampled_from(_paths(SPEC)))
    tree = _replace(SPEC, path, data.draw(json_values))
    strategy, error = attempt(_load_spec, json.dumps(tree, allow_nan=True).encode())
    if error is not None:
        assert isinstance(error, InputError)
        assert "spec.json" in str(error)
        return
    assert len(strategy.legs) == len(tree["legs"])


@pytest.mark.parametrize(
    "payload",
    [b"", b"\xff\xfe\x00", b"[" * 100_000, b"[]", b"NaN", json.dumps(SPEC).encode()[:40]],
    ids=["empty", "not-utf8", "deep", "list", "nan", "truncated"],
)
def test_spec_hostile_files(payload: bytes) -> None:
    with pytest.raises(InputError, match=r"spec\.json"):
        _load_spec(payload)


def test_years_to_maturity_that_overflows_months_is_refused_with_its_field() -> None:
    # 1e308 years is finite, but 12 x 1e308 months is not: refused at the reader with the
    # row and field, rather than failing later in the haircut routing.
    tree = _replace(BASE_BOOK, ("positions", 0, "years_to_maturity"), 1e308)
    with pytest.raises(BookError, match="years_to_maturity"):
        _load_json_text(json.dumps(tree))


def test_price_without_quantity_is_not_silently_ignored() -> None:
    text = "id,security_class,side,market_value,price\na,equity,long,100,7\n"
    with scratch() as d, pytest.raises(BookError, match="price"):
        load_book(_csv_book(d, text))


def test_unknown_firm_column_is_not_silently_ignored() -> None:
    with scratch() as d:
        folder = _csv_book(d, "id,security_class,side,market_value\na,equity,long,1\n")
        (folder / "firm.csv").write_text(
            "field,value,description,note\nas_of,2024-06-28,,\n"
            "balance_sheet.net_worth,5000000,,oops\n",
            encoding="utf-8",
        )
        with pytest.raises(BookError, match="note"):
            load_book(folder)


firm_fields = st.sampled_from(
    ["as_of", "balance_sheet.net_worth", "firm.firm_type", "firm.months_in_business", "x", ""]
)


@FAST
@given(st.lists(st.tuples(firm_fields, cell_text), max_size=6))
def test_csv_firm_sheet_any_cells(rows: list[tuple[str, str]]) -> None:
    with scratch() as d:
        folder = _csv_book(d, "id,security_class,side,market_value\na,equity,long,1\n")
        (folder / "firm.csv").write_text(
            _csv_text([["field", "value"], *[list(r) for r in rows]]), encoding="utf-8"
        )
        loaded, error = attempt(load_book, folder)
    if error is not None:
        assert isinstance(error, CLEAN)
        assert "firm.csv" in str(error) or "positions.csv" in str(error)
        return
    assert loaded.book.balance_sheet.net_worth == pytest.approx(
        float(dict(rows)["balance_sheet.net_worth"])
    )


@FAST
@given(
    st.lists(
        st.sampled_from(["id", "amount", "kind", "description", "deposit", "x"]),
        min_size=1,
        max_size=4,
        unique=True,
    ),
    st.lists(st.lists(cell_text, max_size=5), max_size=4),
)
def test_csv_list_sheet_any_cells(header: list[str], rows: list[list[str]]) -> None:
    with scratch() as d:
        folder = _csv_book(d, "id,security_class,side,market_value\na,equity,long,1\n")
        (folder / "liabilities.csv").write_text(_csv_text([header, *rows]), encoding="utf-8")
        loaded, error = attempt(load_book, folder)
    if error is not None:
        assert isinstance(error, CLEAN)
        assert str(error)
        return
    written = [r for r in rows if any(c.strip() for c in r)]
    assert len(loaded.book.liabilities) == len(written)


def test_cells_beyond_the_header_are_not_silently_dropped() -> None:
    text = "id,security_class,side,market_value\na,equity,long,1,surplus\n"
    with scratch() as d, pytest.raises(UnsafeFileError, match="row 2 has data beyond"):
        load_book(_csv_book(d, text))


@settings(max_examples=max(10, EXAMPLES // 2), deadline=None)
@given(st.sampled_from(["book.json", "book.xlsx", "positions.csv"]), st.binary(max_size=200))
def test_cli_compute_exits_2_on_garbage(name: str, data: bytes) -> None:
    from netcap.cli import main  # noqa: PLC0415

    with scratch() as d:
        path = d / name
        path.write_bytes(data)
        assert main(["compute", str(path)]) == 2


@settings(max_examples=max(10, EXAMPLES // 2), deadline=None)
@given(st.binary(max_size=200))
def test_cli_strategy_exits_2_on_garbage(data: bytes) -> None:
    from netcap.cli import main  # noqa: PLC0415

    with scratch() as d:
        path = d / "spec.json"
        path.write_bytes(data)
        assert main(["strategy", str(path)]) == 2


# Garbage for every other command that reads a file: each byte string either yields a
# result (exit 0) or an input error (exit 2), never a traceback.  The hand-picked cases
# below are the ones that used to escape: bytes that are not UTF-8, runaway nesting, and
# an object with a key written twice.
HOSTILE = [b"\xff\xfe\x00", b"[" * 100_000, b'{"a": 1, "a": 2}', b"", b"{}", b"null"]
any_bytes = st.one_of(st.sampled_from(HOSTILE), st.binary(max_size=200))


def _exit_code(argv: list[str]) -> int:
    from netcap.cli import main  # noqa: PLC0415

    return main(argv)


@settings(max_examples=max(10, EXAMPLES // 2), deadline=None)
@given(any_bytes)
def test_cli_dealer_screen_exits_2_on_garbage(data: bytes) -> None:
    with scratch() as d:
        path = d / "facts.json"
        path.write_bytes(data)
        assert _exit_code(["dealer-screen", str(path)]) in (0, 2)
        if data in HOSTILE[:3]:
            assert _exit_code(["dealer-screen", str(path)]) == 2


@settings(max_examples=max(10, EXAMPLES // 2), deadline=None)
@given(any_bytes)
def test_cli_pretrade_exits_2_on_garbage(data: bytes) -> None:
    with scratch() as d:
        trades = d / "trade.json"
        trades.write_bytes(data)
        book = FIXTURES / "sample_firm" / "book.json"
        assert _exit_code(["pretrade", str(book), str(trades)]) == 2
        # the same garbage given as the book, with a valid trade
        bad_book = d / "book.json"
        bad_book.write_bytes(data)
        trades.write_text(
            '{"id": "n", "security_class": "equity", "side": "long", "market_value": 1}',
            encoding="utf-8",
        )
        assert _exit_code(["pretrade", str(bad_book), str(trades)]) == 2


@settings(max_examples=max(10, EXAMPLES // 2), deadline=None)
@given(st.one_of(st.sampled_from(HOSTILE), st.binary(max_size=200)))
def test_cli_lockup_exits_2_on_garbage(data: bytes) -> None:
    with scratch() as d:
        path = d / "requirements.csv"
        path.write_bytes(data)
        assert _exit_code(["lockup", str(path)]) in (0, 2)
        if data in HOSTILE[:2]:
            assert _exit_code(["lockup", str(path)]) == 2


@settings(max_examples=max(10, EXAMPLES // 2), deadline=None)
@given(any_bytes)
def test_cli_combine_and_sweep_exit_2_on_garbage(data: bytes) -> None:
    good = FIXTURES / "table9" / "strategy_01.json"
    with scratch() as d:
        path = d / "spec.json"
        path.write_bytes(data)
        assert _exit_code(["combine", str(good), str(path)]) == 2
        assert _exit_code(["sweep", str(path), "--n", "3"]) == 2
