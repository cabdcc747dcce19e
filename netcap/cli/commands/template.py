"""``netcap template``: an empty book to fill in, as a workbook or a folder of CSV sheets."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from netcap.cli.common import InputError, add_force_option, write_output

if TYPE_CHECKING:
    from netcap.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add ``template`` to the parser."""
    tp = sub.add_parser("template", help="write an empty book to fill in (.xlsx or a folder)")
    tp.add_argument("path", help="book.xlsx, or a folder for .csv sheets")
    tp.set_defaults(func=run)
    add_force_option(tp)


_NOT_A_TEMPLATE = frozenset({".json", ".csv", ".xls", ".xlsm", ".xlsb", ".ods", ".txt"})
"""Suffixes ``template`` refuses: a file name, not a folder it could write sheets into."""


def run(args: argparse.Namespace) -> int:
    """Write the template where asked (never over an input or, without --force, a file)."""
    from netcap.book.loading import write_template  # noqa: PLC0415 (loaded when run)

    path = Path(args.path)
    xlsx = path.suffix.lower() == ".xlsx"
    if path.suffix.lower() in _NOT_A_TEMPLATE:
        raise InputError(
            f"{path}: template writes a .xlsx workbook or a folder of .csv sheets, "
            f"not a {path.suffix} file"
        )
    write_output(args, args.path, write_template, what="template", folder=not xlsx)
    return 0
