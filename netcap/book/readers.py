"""Load a book from a workbook or a folder of CSV files, with every error at once.

Layout (``netcap template book.xlsx`` writes it, with descriptions):

``firm``        two columns, ``field`` and ``value``: one row per scalar field of
                `Book`, dotted for nested models
                (``as_of``, ``firm.firm_type``, ``balance_sheet.net_worth``, ...)
``positions``   one row per position, the columns of `netcap.book.frame.COLUMNS`
                (``quantity`` and ``price`` may stand in for ``market_value``)
other sheets    one per list field of the book (``liabilities``,
                ``non_allowable_assets``, ...; see `sheet_name`), one row
                per item, columns = the item's fields

The template's ``readme``, ``fields``, ``examples`` and ``lists`` sheets (`DOC_SHEETS`)
are ignored, and so are the firm sheet's note columns (`FIRM_DOC_COLUMNS`); any other
unknown sheet or column is an error,
so nothing in the file is silently left out.  Positions are validated by the
vectorized frame validator; everything else by the pydantic models, whose
error locations are translated back to sheet, row and field.
"""

from __future__ import annotations

import math
import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, TypeAdapter, ValidationError

from netcap.book.book_json import load_book as json_book
from netcap.book.currency import (
    CONVERSIONS_ATTR,
    ISO_4217,
    POSITION_MONEY_FIELDS,
    CurrencyRate,
    conversion_rows,
    positions_in_dollars,
    rates_of,
)
from netcap.book.firm import Book
from netcap.book.frame import (
    COLUMNS,
    FLAG_COLUMNS,
    NUMBER_COLUMNS,
    BookError,
    RowError,
    _blank,
    _numbers,
    positions_frame,
    validate_frame,
)
from netcap.book.json_file import JsonInputError, parse_json
from netcap.book.safety import InputLimits, check_file
from netcap.book.sheets import HEADER_ROW, RawSheet, read_sheets
from netcap.book.strict import BOOLEAN_NOT_A_NUMBER, booleans_in_numbers
from netcap.rule.computation import ComputeOptions, NetCapitalResult, compute

__all__ = ["LoadedBook", "list_fields", "list_sheets", "load_book", "scalar_fields", "sheet_name"]

DOC_SHEETS = frozenset({"readme", "fields", "examples", "lists"})
"""Sheets the template writes for the reader's eye (instructions, field notes, example rows,
the drop-down values): ignored on import.  The example rows are never read; a row counts
only once copied to its own sheet."""
IGNORED_SHEETS = DOC_SHEETS
FIRM_DOC_COLUMNS = ("description", "required", "unit", "paragraph")
"""Columns of the firm sheet that document a field and are not read."""
POSITION_EXTRAS = ("quantity", "price", "currency")
UNCALCULATED = "formula with no cached value: type the value, or recalculate and save"
FALLBACK_AS_OF = date(1900, 1, 1)
"""Checks positions when the firm's as_of is missing or bad, so every error comes out in one
report.  It is earlier than any real maturity or expiry, so the as-of-dependent checks
(matured, expired) report nothing against it; the frame built with it is never returned,
since the as_of error already fails the load."""
_CELL = "cell"
"""Source name of the JSON text of one cell (removed again from its error messages)."""
_ITEM_MESSAGE = re.compile(r"(?:Value error, )?([\w. -]+?) (\d+)(?: \([^)]*\))?: (.*)", re.S)


@dataclass(frozen=True)
class LoadedBook:
    """A book read from a file: the firm-level model and the validated position frame."""

    book: Book
    positions: pd.DataFrame
    source: str

    def compute(self, options: ComputeOptions | None = None) -> NetCapitalResult:
        """Net capital of this book: ``netcap.compute`` with the loaded position frame.

        The positions of a loaded book live in `positions` (validated, vectorized), not
        in ``book.positions``; calling ``compute(loaded.book)`` alone would leave them out.
        Positions in another currency are already in dollars in the frame, which carries
        their conversions in ``positions.attrs`` (`netcap.book.currency.CONVERSIONS_ATTR`).
        """
        return compute(self.book, options, positions=self.positions)


def _model_type(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _item_model(annotation: Any) -> type[BaseModel] | None:
    origin = typing.get_origin(annotation)
    if origin in (tuple, list):
        args = [a for a in typing.get_args(annotation) if a is not Ellipsis]
        if len(args) == 1:
            return _model_type(args[0])
    return None


def _unwrap_optional(annotation: Any) -> Any:
    origin = typing.get_origin(annotation)
    if origin in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0]
    return annotation


def _walk(model: type[BaseModel], prefix: str = "") -> Iterator[tuple[str, Any, str]]:
    for name, info in model.model_fields.items():
        path = f"{prefix}{name}"
        annotation = _unwrap_optional(info.annotation)
        nested = _model_type(annotation)
        if nested is not None:
            yield from _walk(nested, f"{path}.")
        elif _item_model(annotation) is not None:
            yield path, annotation, "list"
        else:
            yield path, info, "scalar"


def scalar_fields(model: type[BaseModel] = Book) -> list[tuple[str, str]]:
    """Dotted scalar fields of the book (for the ``firm`` sheet) with descriptions."""
    out = []
    for path, info, kind in _walk(model):
        if kind == "scalar" and path != "positions":
            out.append((path, info.description or ""))
    return out


def list_fields(model: type[BaseModel] = Book) -> dict[str, type[BaseModel]]:
    """Dotted list fields of the book other than positions, with their item model."""
    out: dict[str, type[BaseModel]] = {}
    for path, annotation, kind in _walk(model):
        if kind == "list" and path != "positions":
            item = _item_model(annotation)
            assert item is not None
            out[path] = item
    return out


def sheet_name(dotted: str) -> str:
    """Worksheet name of a list field: its path without ``balance_sheet.``, dots as
    underscores (worksheet titles are limited to 31 characters)."""
    name = dotted.removeprefix("balance_sheet.").replace(".", "_")
    if len(name) > 31:
        raise ValueError(f"list field {dotted!r} has no worksheet name within 31 characters")
    return name


def list_sheets() -> dict[str, tuple[str, type[BaseModel]]]:
    """Worksheet name -> (dotted field path, item model) for every list field."""
    out: dict[str, tuple[str, type[BaseModel]]] = {}
    for dotted, item in list_fields().items():
        name = sheet_name(dotted)
        if name in out:
            raise ValueError(f"list fields {out[name][0]!r} and {dotted!r} share sheet {name!r}")
        out[name] = (dotted, item)
    return out


def _set(tree: dict[str, Any], dotted: str, value: Any) -> None:
    *parents, leaf = dotted.split(".")
    node = tree
    for p in parents:
        node = node.setdefault(p, {})
    node[leaf] = value


def _is_blank(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def _firm_sheet(sheet: RawSheet, errors: list[RowError]) -> tuple[dict[str, Any], dict[str, int]]:
    tree: dict[str, Any] = {}
    where: dict[str, int] = {}
    known = {p for p, _ in scalar_fields()}
    frame = sheet.frame
    if list(frame.columns[:2]) != ["field", "value"]:
        errors.append(
            RowError(
                "header", "field", "the firm sheet needs columns 'field' and 'value'", sheet.source
            )
        )
        return tree, where
    for column in frame.columns[2:]:
        if column not in FIRM_DOC_COLUMNS:
            errors.append(
                RowError(
                    "header",
                    str(column),
                    "unknown column (the firm sheet has field, value and the notes "
                    + ", ".join(FIRM_DOC_COLUMNS)
                    + ")",
                    sheet.source,
                )
            )
    for i, (field, value) in enumerate(zip(frame["field"], frame["value"], strict=True)):
        row = i + HEADER_ROW + 1
        if _is_blank(field):
            if not _is_blank(value):
                errors.append(RowError(row, "field", "value without a field name", sheet.source))
            continue
        name = str(field).strip()
        if name not in known:
            errors.append(RowError(row, name, "unknown field", sheet.source))
            continue
        if name in where:
            errors.append(
                RowError(row, name, f"repeated (first at row {where[name]})", sheet.source)
            )
            continue
        where[name] = row
        if not _is_blank(value):
            _set(tree, name, value)
    return tree, where


def _list_sheet(
    sheet: RawSheet, item: type[BaseModel], errors: list[RowError]
) -> list[dict[str, Any]]:
    allowed = set(item.model_fields)
    for column in sheet.frame.columns:
        if column not in allowed:
            errors.append(
                RowError(
                    "header",
                    str(column),
                    f"unknown column (expected some of {sorted(allowed)})",
                    sheet.source,
                )
            )
    structured = {
        name
        for name, info in item.model_fields.items()
        if _item_model(_unwrap_optional(info.annotation)) is not None
        or typing.get_origin(_unwrap_optional(info.annotation)) in (tuple, list)
        or _model_type(_unwrap_optional(info.annotation)) is not None
    }
    records = []
    for i, rec in enumerate(sheet.frame.to_dict("records")):
        kept = {k: v for k, v in rec.items() if k in allowed and not _is_blank(v)}
        for name in structured & set(kept):
            if isinstance(kept[name], str):
                try:  # the JSON file reader's rules: no repeated key, no runaway nesting
                    kept[name] = parse_json(kept[name], _CELL)
                except JsonInputError as exc:
                    errors.append(
                        RowError(
                            i + HEADER_ROW + 1,
                            name,
                            str(exc).removeprefix(f"{_CELL}: "),
                            sheet.source,
                        )
                    )
                    del kept[name]
        records.append(kept)
    return records


def _currencies(
    raw: pd.DataFrame,
    rates: dict[str, CurrencyRate] | None,
    errors: list[RowError],
    source: str,
    rows: list[dict[str, Any]],
) -> None:
    """Convert the money columns of rows in another currency, in place (`netcap.book.currency`)."""
    offset = HEADER_ROW + 1
    for i, given in enumerate(raw["currency"].tolist()):
        if _is_blank(given):
            continue
        code = str(given).strip()
        if code not in ISO_4217:
            errors.append(
                RowError(i + offset, "currency", f"{code!r} is not an ISO 4217 code", source)
            )
            continue
        if code == "USD" or rates is None:
            continue
        rate = rates.get(code)
        if rate is None:
            errors.append(
                RowError(i + offset, "currency", f"{code!r} has no rate in currency_rates", source)
            )
            continue
        converted = []
        for name in POSITION_MONEY_FIELDS:
            if name not in raw.columns:
                continue
            value = pd.to_numeric(pd.Series([raw.at[i, name]]), errors="coerce").iloc[0]
            if pd.isna(value):
                continue  # blank, or not a number (validate_frame reports it)
            converted.append((name, float(value)))
            raw.at[i, name] = float(value) * rate.usd_per_unit
        rows.extend(conversion_rows("position", str(raw.at[i, "id"]), code, converted, rate))


def _positions(
    sheet: RawSheet,
    as_of: Any,
    errors: list[RowError],
    rates: dict[str, CurrencyRate] | None = None,
    conversions: list[dict[str, Any]] | None = None,
) -> pd.DataFrame | None:
    raw = sheet.frame.copy(deep=False)  # copy on write: the sheet's columns stay as read
    allowed = set(COLUMNS) | set(POSITION_EXTRAS)
    for column in raw.columns:
        if column not in allowed:
            errors.append(RowError("header", str(column), "unknown column", sheet.source))
    offset = HEADER_ROW + 1
    if "price" in raw.columns and "quantity" not in raw.columns:
        errors.append(
            RowError("header", "price", "a price column needs a quantity column", sheet.source)
        )
    if {"quantity", "price"} <= set(raw.columns):
        qty = _numbers(raw["quantity"]).to_numpy(dtype=float)
        price = _numbers(raw["price"]).to_numpy(dtype=float)
        unreadable = np.isnan(price) & ~_blank(raw["price"]).to_numpy(dtype=bool)
        for r in np.flatnonzero(unreadable):
            errors.append(RowError(int(r) + offset, "price", "not a number", sheet.source))
        for r in np.flatnonzero(np.isinf(price)):
            errors.append(RowError(int(r) + offset, "price", "infinite", sheet.source))
        for r in np.flatnonzero(price < 0):
            errors.append(RowError(int(r) + offset, "price", "negative", sheet.source))
        for r in np.flatnonzero(~np.isnan(price) & np.isnan(qty)):
            errors.append(
                RowError(int(r) + offset, "quantity", "a price needs a quantity", sheet.source)
            )
        implied = qty * price
        mv_given = raw["market_value"] if "market_value" in raw else pd.Series([None] * len(raw))
        mv = _numbers(mv_given).to_numpy(dtype=float)
        both = ~np.isnan(mv) & ~np.isnan(implied)
        for r in np.flatnonzero(both & ~np.isclose(mv, implied, rtol=0, atol=0.01)):
            errors.append(
                RowError(
                    int(r) + offset,
                    "market_value",
                    f"{mv[r]} disagrees with quantity x price = {implied[r]}",
                    sheet.source,
                )
            )
        fill = np.isnan(mv) & ~np.isnan(implied)
        raw["market_value"] = np.where(fill, implied, mv_given.to_numpy(dtype=object))
    if "currency" in raw.columns:
        raw = raw.astype(object)
        _currencies(
            raw, rates, errors, sheet.source, conversions if conversions is not None else []
        )
    raw = raw.drop(columns=[c for c in raw.columns if c not in COLUMNS])
    try:
        frame = validate_frame(raw, as_of or FALLBACK_AS_OF, source=sheet.source, row_offset=offset)
    except BookError as exc:
        errors.extend(exc.errors)
        return None
    return frame if as_of is not None else None


def _load_json(path: Path, limits: InputLimits) -> LoadedBook:
    check_file(path, limits)
    book = json_book(path)
    # positions leave the book for the frame, so they are converted here; the book's
    # balances keep their currency and are converted (and recorded) by compute
    converted, rows = positions_in_dollars(book.positions, rates_of(book))
    frame = positions_frame(converted, book.as_of, source=f"{path.name}, positions")
    if rows:
        frame.attrs[CONVERSIONS_ATTR] = tuple(rows)
    return LoadedBook(
        book=book.model_copy(update={"positions": ()}), positions=frame, source=str(path)
    )


def _as_of(tree: dict[str, Any]) -> date | None:
    """The as-of date alone, so positions are checked even when other firm fields fail."""
    try:
        return TypeAdapter(date).validate_python(tree.get("as_of"))
    except ValidationError:
        return None


def _locate_item(
    loc: tuple[int | str, ...],
    message: str,
    sources: dict[str, str],
    lists: dict[str, type[BaseModel]],
) -> tuple[str, int, str, str] | None:
    """A whole-list or whole-book check that names an item as ``<list> <index>: ...``,
    moved to that item's own sheet and spreadsheet row (the index is 0-based)."""
    match = _ITEM_MESSAGE.fullmatch(message)
    if match is None:
        return None
    what, index, rest = match.groups()
    head = ".".join(str(p) for p in loc)
    if head in lists:
        dotted = head
    elif f"{head}.{what}" in lists:
        dotted = f"{head}.{what}"
    elif what in lists:
        dotted = what
    else:
        return None
    first = rest.split(" ", 1)[0]
    if first in lists[dotted].model_fields:
        field = first
    elif rest.startswith("duplicate id"):
        field = "id"
    else:
        field = dotted
    return sources.get(dotted, dotted), int(index) + HEADER_ROW + 1, field, rest


def _locate(
    loc: tuple[int | str, ...],
    firm_rows: dict[str, int],
    sources: dict[str, str],
    list_paths: set[str],
) -> tuple[str, int | str, str]:
    parts = [str(p) for p in loc]
    for k in range(len(parts), 0, -1):
        head = ".".join(parts[:k])
        if head in list_paths and k < len(parts) and parts[k].isdigit():
            row = int(parts[k]) + HEADER_ROW + 1
            field = ".".join(parts[k + 1 :]) or head
            return sources.get(head, head), row, field
    dotted = ".".join(parts)
    return sources.get("firm", "firm"), firm_rows.get(dotted, "-"), dotted


def _required_leaves(loc: tuple[int | str, ...]) -> list[str]:
    """The required firm-sheet fields inside a missing group of `Book` at ``loc``
    (``balance_sheet`` -> ``balance_sheet.net_worth``), so an error names cells to fill."""
    model: Any = Book
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not isinstance(part, str) or fields is None or part not in fields:
            return []
        model = _model_type(_unwrap_optional(fields[part].annotation))
        if model is None:
            return []

    def walk(m: type[BaseModel], prefix: str) -> Iterator[str]:
        for name, info in m.model_fields.items():
            if not info.is_required():
                continue
            annotation = _unwrap_optional(info.annotation)
            nested = _model_type(annotation)
            if nested is not None:
                yield from walk(nested, f"{prefix}{name}.")
            elif _item_model(annotation) is None:
                yield f"{prefix}{name}"

    return list(walk(model, ".".join(str(p) for p in loc) + "."))


def _ids_across_sheets(
    book: Book, positions: pd.DataFrame, sources: dict[str, str]
) -> list[RowError]:
    """A position id used both on the positions sheet and in a market-maker account.

    A JSON book refuses it (`Book`); here the two live on different sheets, so the check
    is made once both are read.  Charged twice otherwise.
    """
    if not book.market_maker_accounts:
        return []
    ids = set(positions["id"])
    source = sources.get("market_maker_accounts", "market_maker_accounts")
    out = []
    for i, account in enumerate(book.market_maker_accounts):
        for p in account.positions:
            if p.id in ids:
                out.append(
                    RowError(
                        i + HEADER_ROW + 1,
                        "positions",
                        f"position id {p.id!r} is also on the positions sheet; an id is used "
                        "once in the whole book",
                        source,
                    )
                )
    return out


def _commitment_positions(
    book: Book, positions: pd.DataFrame, sources: dict[str, str]
) -> list[RowError]:
    """A commitment naming no position of the book, on its own sheet's row (15c3-1(c)(2)(viii)).

    The computation refuses it too, but only knows the commitment's place in the list;
    here the error names the file and the spreadsheet row, as every other row error does.
    """
    if not book.commitments:
        return []
    ids = set(positions["id"]) | {
        p.id for account in book.market_maker_accounts for p in account.positions
    }
    source = sources.get("commitments", "commitments")
    return [
        RowError(
            i + HEADER_ROW + 1,
            "position",
            f"{c.position!r} names no position in the book",
            source,
        )
        for i, c in enumerate(book.commitments)
        if c.position not in ids
    ]


def load_book(path: Path | str, limits: InputLimits | None = None) -> LoadedBook:
    """Read and validate a book from ``path``: .json, .xlsx, a .csv, or a folder of .csv sheets.

    Raises `BookError` (tabular files) or
    `BookInputError` (JSON) listing every problem
    found, each with its file, sheet, row and field.
    """
    path = Path(path)
    if path.suffix.lower() == ".json":
        return _load_json(path, limits or InputLimits())
    numbers = NUMBER_COLUMNS | {"price"}  # the positions sheet's number columns
    sheets = read_sheets(
        path,
        limits,
        skip=IGNORED_SHEETS,
        columnar={"positions": numbers},
        flags={"positions": FLAG_COLUMNS},
    )
    errors: list[RowError] = []
    lists = list_sheets()
    for name, sheet in sheets.items():
        if name not in IGNORED_SHEETS | {"firm", "positions"} | set(lists):
            errors.append(
                RowError(
                    "-",
                    name,
                    f"unknown sheet (expected firm, positions, {', '.join(sorted(lists))})",
                    sheet.source,
                )
            )
    if "firm" not in sheets:
        message = "the book has no firm sheet"
        if path.is_file() and path.suffix.lower() == ".csv":
            message = (
                "a single .csv file holds only the positions; a book also needs the firm "
                "sheet: put positions.csv in a folder with firm.csv (netcap template FOLDER "
                "writes both) or use an .xlsx book"
            )
        errors.append(RowError("-", "firm", message, str(path)))
        tree: dict[str, Any] = {}
        firm_rows: dict[str, int] = {}
    else:
        tree, firm_rows = _firm_sheet(sheets["firm"], errors)
    sources = {dotted: sheets[name].source for name, (dotted, _) in lists.items() if name in sheets}
    if "firm" in sheets:
        sources["firm"] = sheets["firm"].source
    for name, (dotted, item) in lists.items():
        if name in sheets:
            records = _list_sheet(sheets[name], item, errors)
            if records:  # an empty sheet leaves the field (and its parent) at its default
                _set(tree, dotted, records)
    for sheet in sheets.values():
        for cell_row, column in sheet.uncalculated:
            name = column
            at = cell_row - HEADER_ROW - 1
            if sheet.name == "firm" and column == "value" and "field" in sheet.frame:
                named = sheet.frame["field"].iloc[at] if at < len(sheet.frame) else None
                name = column if _is_blank(named) else str(named).strip()
            errors.append(RowError(cell_row, name, UNCALCULATED, sheet.source))
    book: Book | None = None
    items_of = dict(lists.values())
    for loc in booleans_in_numbers(Book, tree):  # a TRUE cell in an amount column
        source, row, field = _locate(loc, firm_rows, sources, set(items_of))
        errors.append(RowError(row, field, BOOLEAN_NOT_A_NUMBER, source))
    try:
        book = Book.model_validate(tree)
    except ValidationError as exc:
        items = dict(lists.values())
        for e in exc.errors():
            loc = tuple(e["loc"])
            located = _locate_item(loc, e["msg"], sources, items)
            if located is not None:
                errors.append(RowError(located[1], located[2], located[3], located[0]))
                continue
            leaves = _required_leaves(loc) if e["type"] == "missing" else []
            for leaf in leaves:  # a missing group is reported as the cells to fill in it
                where = sources.get("firm", "firm")
                errors.append(RowError(firm_rows.get(leaf, "-"), leaf, e["msg"], where))
            if leaves:
                continue
            source, row, field = _locate(loc, firm_rows, sources, set(items))
            errors.append(RowError(row, field, e["msg"], source))
    positions = None
    converted: list[dict[str, Any]] = []
    if "positions" in sheets:
        as_of = book.as_of if book is not None else _as_of(tree)
        rates = None if book is None else {r.currency: r for r in book.currency_rates}
        positions = _positions(sheets["positions"], as_of, errors, rates, converted)
    else:
        errors.append(RowError("-", "positions", "the book has no positions sheet", str(path)))
    if book is not None and positions is not None:
        errors.extend(_ids_across_sheets(book, positions, sources))
        errors.extend(_commitment_positions(book, positions, sources))
    if errors or book is None or positions is None:
        raise BookError(errors)
    if converted:  # the balances keep their currency: compute converts and records them
        positions.attrs[CONVERSIONS_ATTR] = tuple(converted)
    return LoadedBook(book=book, positions=positions, source=str(path))
