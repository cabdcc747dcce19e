"""Fuzzing of the input classes of issue 14, in every format.

Generated: workbook structure (a declared dimension that lies, sparse far cells,
duplicate rows, true/false and formulas in any column, hidden sheets), every date field
at and beyond the range netcap computes with, true/false in every number field of every
format, and output paths that alias an input.  Every input ends either in a complete
and correct load (every position in the haircut detail exactly once) or in one of
netcap's own errors naming the file; never in an unhandled exception.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
import typing
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from netcap.book.book_json import BookInputError
from netcap.book.firm import Book
from netcap.book.frame import BookError
from netcap.book.loading import UnsafeFileError, load_book
from netcap.book.strict import _members
from netcap.cli import main
from tests.conftest import FIXTURES

CLEAN = (BookError, BookInputError, UnsafeFileError)
EXAMPLES = int(os.environ.get("NETCAP_FUZZ_EXAMPLES", "20"))
SOME = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

FIRM = [["field", "value"], ["as_of", "2024-06-28"], ["balance_sheet.net_worth", 5_000_000]]
HEADER = ["id", "security_class", "side", "market_value"]


@contextmanager
def scratch() -> Iterator[Path]:
    with tempfile.TemporaryDirectory() as d:
        yield Path(d)


def _attempt(path: Path) -> tuple[Any, Exception | None]:
    """(loaded book, None) or (None, netcap's own error); anything else propagates."""
    try:
        return load_book(path), None
    except CLEAN as exc:
        return None, exc


def _reconciles(loaded: Any, ids: list[str]) -> None:
    """Every position read appears in the haircut detail exactly once (and none is lost)."""
    assert sorted(loaded.positions["id"]) == sorted(ids)
    detail = loaded.compute().haircuts.detail
    counts = detail["id"].astype(str).value_counts()
    for pid in ids:
        assert counts.get(pid, 0) == 1, pid


# -- workbook structure ------------------------------------------------------------------------

cell_values = st.one_of(
    st.integers(min_value=0, max_value=10**6),
    st.booleans(),
    st.sampled_from(["=1+1", "=A2", "TRUE", "", "  ", "abc", "2024-06-28"]),
)


def _set_dimension(path: Path, index: int, ref: str) -> None:
    part = f"xl/worksheets/sheet{index}.xml"
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    xml = parts[part].decode()
    if "<dimension" in xml:
        xml = re.sub(r'<dimension ref="[^"]*"\s*/>', f'<dimension ref="{ref}"/>', xml)
    parts[part] = xml.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for n, data in parts.items():
            z.writestr(n, data)


@SOME
@given(
    n=st.integers(min_value=1, max_value=5),
    duplicate=st.booleans(),
    hidden=st.booleans(),
    dimension=st.sampled_from(["A1:A1", "A1:D2", "A1:XFD1048576", "B3:C4", None]),
    far=st.one_of(
        st.none(),
        st.tuples(st.integers(3, 1_048_576), st.integers(1, 16_384), cell_values),
    ),
    odd=st.one_of(st.none(), st.tuples(st.integers(1, 3), cell_values)),
)
# A stray cell that once landed on the duplicate row's id and made it a new position.
@example(n=1, duplicate=True, hidden=False, dimension="A1:A1", far=(3, 1, 0), odd=None)
def test_workbook_structure(
    n: int,
    duplicate: bool,
    hidden: bool,
    dimension: str | None,
    far: tuple[int, int, object] | None,
    odd: tuple[int, object] | None,
) -> None:
    ids = [f"e{i}" for i in range(n)]
    rows: list[list[object]] = [HEADER] + [[i, "equity", "long", 1_000] for i in ids]
    if duplicate:
        rows.append(list(rows[1]))
    if odd is not None:  # a true/false, formula or text in any column but the id
        rows[1][odd[0]] = odd[1]
    with scratch() as d:
        path = d / "b.xlsx"
        wb = openpyxl.Workbook()
        ws = wb.active
        assert ws is not None
        ws.title = "firm"
        for r in FIRM:
            ws.append(r)
        pos = wb.create_sheet("positions")
        for r in rows:
            pos.append(r)
        if far is not None:  # a stray cell beyond the rows (one inside them is `odd`'s case)
            pos.cell(row=max(far[0], len(rows) + 2), column=far[1], value=far[2])
        if hidden:
            pos.sheet_state = "hidden"
        wb.save(path)
        if dimension is not None:
            _set_dimension(path, 2, dimension)
        loaded, error = _attempt(path)
    if error is not None:
        assert "b.xlsx" in str(error)
        return
    # loaded: nothing odd may have been dropped or read as a number
    assert not duplicate
    assert far is None or far[2] in ("", "  ")
    assert odd is None or odd[0] != 3 or (isinstance(odd[1], int) and not isinstance(odd[1], bool))
    _reconciles(loaded, ids)


# -- every date field at and beyond the range ---------------------------------------------------

EDGE_DAYS = st.sampled_from(
    [
        "1899-12-31",
        "1900-01-01",
        "2200-12-31",
        "2201-01-01",
        "2262-04-11",
        "2262-04-12",
        "9999-12-31",
        "0001-01-01",
        "1677-09-21",
    ]
)
POSITION_DATES = {
    "maturity": {"security_class": "government"},
    "issue_date": {"security_class": "municipal", "maturity": "2030-01-01"},
    "underwritten_on": {},
    "trade_date": {},
    "settlement_date": {},
    "expiry": {
        "instrument": "option",
        "option_type": "call",
        "strike": 10,
        "underlying_price": 10,
        "units": 100,
        "underlying": "X",
    },
}


@SOME
@given(st.sampled_from(sorted(POSITION_DATES)), EDGE_DAYS, st.sampled_from(["json", "csv"]))
def test_every_position_date_at_and_beyond_the_range(field: str, day: str, fmt: str) -> None:
    position: dict[str, Any] = {
        "id": "p",
        "security_class": "equity",
        "side": "long",
        "market_value": 1_000,
        **POSITION_DATES[field],
        field: day,
    }
    book = {"as_of": "2024-06-28", "balance_sheet": {"net_worth": 1e6}, "positions": [position]}
    with scratch() as d:
        if fmt == "json":
            path = d / "b.json"
            path.write_text(json.dumps(book), encoding="utf-8")
        else:
            path = d / "b"
            path.mkdir()
            (path / "firm.csv").write_text(
                "field,value\nas_of,2024-06-28\nbalance_sheet.net_worth,1000000\n"
            )
            (path / "positions.csv").write_text(
                ",".join(position) + "\n" + ",".join(str(v) for v in position.values()) + "\n"
            )
        loaded, error = _attempt(path)
    if error is not None:
        assert field in str(error)
        return
    assert "1900-01-01" <= day <= "2200-12-31"
    _reconciles(loaded, ["p"])


def _date_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    """Dotted paths of the firm-level date fields of the book (lists at index 0)."""
    out = []
    for name, info in model.model_fields.items():
        for m in _members(info.annotation):
            if m is date:
                out.append(f"{prefix}{name}")
            elif isinstance(m, type) and issubclass(m, BaseModel):
                out.extend(_date_fields(m, f"{prefix}{name}."))
            elif typing.get_origin(m) in (tuple, list):
                (item,) = (a for a in typing.get_args(m) if a is not Ellipsis)
                if isinstance(item, type) and issubclass(item, BaseModel) and name != "positions":
                    out.extend(_date_fields(item, f"{prefix}{name}.0."))
    return out


BOOK_DATES = _date_fields(Book)


def test_book_date_fields_are_found() -> None:
    assert "as_of" in BOOK_DATES
    assert "firm.commenced_business" in BOOK_DATES


@SOME
@given(st.sampled_from(BOOK_DATES), EDGE_DAYS)
def test_every_book_date_field_beyond_the_range_is_refused_by_name(field: str, day: str) -> None:
    if "1900-01-01" <= day <= "2200-12-31":
        return
    tree: dict[str, Any] = {"as_of": "2024-06-28", "balance_sheet": {"net_worth": 1e6}}
    node: Any = tree
    parts = field.split(".")
    for k, part in enumerate(parts[:-1]):
        nxt: Any = [{}] if parts[k + 1] == "0" else {}
        if isinstance(node, list):
            node = node[int(part)]
            continue
        node = node.setdefault(part, nxt)
    if isinstance(node, list):
        node = node[0]
    node[parts[-1]] = day
    with scratch() as d:
        path = d / "b.json"
        path.write_text(json.dumps(tree), encoding="utf-8")
        with pytest.raises(BookInputError) as info:
            load_book(path)
    assert parts[-1] in str(info.value)
    assert "outside the dates netcap computes with" in str(info.value)


# -- true/false in every number field of every format ----------------------------------------

POSITION_NUMBERS = [
    "market_value",
    "years_to_maturity",
    "quantity",
    "principal_amount",
    "maintenance_margin",
    "clearing_margin",
    "initial_margin",
    "market_makers",
    "strike",
    "underlying_price",
    "units",
]


def _number_fields(model: type[BaseModel], prefix: str = "") -> list[str]:
    out = []
    for name, info in model.model_fields.items():
        members = _members(info.annotation)
        if any(m in (int, float) for m in members) and bool not in members:
            out.append(f"{prefix}{name}")
        for m in members:
            if isinstance(m, type) and issubclass(m, BaseModel):
                out.extend(_number_fields(m, f"{prefix}{name}."))
    return out


FIRM_NUMBERS = [f for f in _number_fields(Book) if f != "positions"]


@SOME
@given(st.sampled_from(POSITION_NUMBERS), st.booleans(), st.sampled_from(["json", "xlsx"]))
def test_true_false_in_every_position_number_field(field: str, flag: bool, fmt: str) -> None:
    position: dict[str, Any] = {
        "id": "p",
        "security_class": "equity",
        "side": "long",
        "market_value": 1_000,
        field: flag,
    }
    book = {"as_of": "2024-06-28", "balance_sheet": {"net_worth": 1e6}, "positions": [position]}
    with scratch() as d:
        if fmt == "json":
            path = d / "b.json"
            path.write_text(json.dumps(book), encoding="utf-8")
        else:
            path = d / "b.xlsx"
            wb = openpyxl.Workbook()
            ws = wb.active
            assert ws is not None
            ws.title = "firm"
            for r in FIRM:
                ws.append(r)
            pos = wb.create_sheet("positions")
            pos.append(list(position))
            pos.append(list(position.values()))
            wb.save(path)
        with pytest.raises(CLEAN) as info:
            load_book(path)
    assert field in str(info.value)


@SOME
@given(st.sampled_from(FIRM_NUMBERS), st.booleans(), st.sampled_from(["json", "xlsx", "csv"]))
def test_true_false_in_every_firm_number_field(field: str, flag: bool, fmt: str) -> None:
    tree: dict[str, Any] = {"as_of": "2024-06-28", "balance_sheet": {"net_worth": 1e6}}
    node = tree
    *parents, leaf = field.split(".")
    for p in parents:
        node = node.setdefault(p, {})
    node[leaf] = flag
    with scratch() as d:
        if fmt == "json":
            path = d / "b.json"
            path.write_text(json.dumps(tree), encoding="utf-8")
        else:
            rows: list[list[object]] = [["field", "value"], ["as_of", "2024-06-28"]]
            if field != "balance_sheet.net_worth":
                rows.append(["balance_sheet.net_worth", 1_000_000])
            rows.append([field, flag if fmt == "xlsx" else str(flag).upper()])
            if fmt == "xlsx":
                path = d / "b.xlsx"
                wb = openpyxl.Workbook()
                ws = wb.active
                assert ws is not None
                ws.title = "firm"
                for r in rows:
                    ws.append(r)
                wb.create_sheet("positions").append(HEADER)
                wb.save(path)
            else:
                path = d / "b"
                path.mkdir()
                text = "\n".join(",".join(str(c) for c in r) for r in rows) + "\n"
                (path / "firm.csv").write_text(text, encoding="utf-8")
                (path / "positions.csv").write_text(",".join(HEADER) + "\n", encoding="utf-8")
        _, error = _attempt(path)
    assert error is not None, f"{field}={flag} was accepted as a number"
    assert leaf in str(error)


# -- output paths that alias an input ---------------------------------------------------------


def _aliases(path: Path) -> list[str]:
    link = path.parent / f"link-{path.name}"
    if not link.exists():
        link.symlink_to(path)
    sub = path.parent / "sub"
    sub.mkdir(exist_ok=True)
    return [str(path), f"{path.parent}/./{path.name}", str(sub / ".." / path.name), str(link)]


@SOME
@given(st.sampled_from(["compute", "strategy", "sweep", "table10", "template"]), st.data())
def test_output_paths_that_alias_an_input_are_refused(command: str, data: st.DataObject) -> None:
    with scratch() as d:
        spec = d / "spec.json"
        shutil.copy(FIXTURES / "table9" / "strategy_07.json", spec)
        book = d / "book.xlsx"
        assert main(["template", str(book)]) == 0
        force = data.draw(st.booleans())
        if command == "compute":
            target = data.draw(st.sampled_from(_aliases(book)))
            argv = ["compute", str(book), "--xlsx", target]
            victim = book
        elif command == "strategy":
            target = data.draw(st.sampled_from(_aliases(spec)))
            option = data.draw(st.sampled_from(["--xlsx", "--plot"]))
            argv = ["strategy", str(spec), option, target]
            victim = spec
        elif command == "sweep":
            target = data.draw(st.sampled_from(_aliases(spec)))
            argv = ["sweep", str(spec), "--n", "3", "--csv", target]
            victim = spec
        elif command == "table10":
            argv = ["table10", str(d), "--xlsx", str(d / "out.xlsx")]
            victim = spec
        else:
            filled = d / "filled"
            assert main(["template", str(filled)]) == 0
            (filled / "firm.csv").write_text("field,value\nas_of,2024-06-28\n", encoding="utf-8")
            argv = ["template", str(filled)]
            victim = filled / "firm.csv"
            force = False
        before = victim.read_bytes()
        code = main([*argv, "--force"] if force else argv)
        assert code == 2
        assert victim.read_bytes() == before
