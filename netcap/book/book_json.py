"""Read a firm's book from JSON (the format of docs/book-format.md).

`load_book` validates the whole file with pydantic and, on failure,
raises `BookInputError` listing every problem with the path of the
field it concerns, e.g. ``balance_sheet.non_allowable_assets[2].kind``.
"""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from netcap.book.firm import Book

__all__ = ["BookInputError", "field_path", "load_book", "parse_book"]


class BookInputError(ValueError):
    """A JSON book could not be read; the message names the file and each field."""


def field_path(loc: tuple[int | str, ...]) -> str:
    """``('liabilities', 3, 'kind')`` -> ``liabilities[3].kind``."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out or "(top level)"


def parse_book(text: str, source: str = "book") -> Book:
    """Validate the JSON text of a book (a key given twice is refused, not merged)."""
    # Imported here: netcap.book.loading imports this module (a top-level import would cycle).
    from netcap.book.json_file import JsonInputError, parse_json  # noqa: PLC0415
    from netcap.book.strict import BOOLEAN_NOT_A_NUMBER, booleans_in_numbers  # noqa: PLC0415

    try:
        tree = parse_json(text, source)
    except JsonInputError as exc:
        raise BookInputError(str(exc)) from None
    flags = booleans_in_numbers(Book, tree)
    if flags:  # pydantic would read true as 1 and false as 0
        raise BookInputError(
            "\n".join(f"{source}: field {field_path(loc)}: {BOOLEAN_NOT_A_NUMBER}" for loc in flags)
        )
    try:
        return Book.model_validate_json(text)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            loc = tuple(p for p in e["loc"] if p not in ("function-after", "function-before"))
            problems.append(f"{source}: field {field_path(loc)}: {e['msg']}")
        raise BookInputError("\n".join(problems)) from None


def load_book(path: str | Path) -> Book:
    """Read and validate a JSON book file."""
    from netcap.book.json_file import JsonInputError, read_json_text  # noqa: PLC0415

    p = Path(path)
    try:
        text = read_json_text(p)
    except JsonInputError as exc:
        raise BookInputError(str(exc)) from None
    return parse_book(text, str(p))
