"""Reading books from files and writing templates (export lives in netcap.report)."""

from pathlib import Path

from netcap.book.readers import LoadedBook, load_book
from netcap.book.safety import InputLimits, UnsafeFileError
from netcap.book.template import write_template as _write_template

__all__ = ["InputLimits", "LoadedBook", "UnsafeFileError", "load_book", "write_template"]


def write_template(path: str | Path) -> None:
    """Write an empty book to ``path``: a workbook (``.xlsx``) or a folder of CSV sheets.

    ``path`` may be text or a `pathlib.Path`, as for every path netcap takes.
    """
    _write_template(Path(path))
