"""Reading books from files and writing templates (export lives in netcap.report)."""

from netcap.io.book import LoadedBook, load_book
from netcap.io.safety import InputLimits, UnsafeFileError
from netcap.io.template import write_template

__all__ = ["InputLimits", "LoadedBook", "UnsafeFileError", "load_book", "write_template"]
