"""``netcap check-tables``: read and check every haircut table at once."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from netcap.cli.common import InputError

if TYPE_CHECKING:
    from netcap.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add ``check-tables`` to the parser."""
    ct = sub.add_parser("check-tables", help="read and check every haircut table at once")
    ct.add_argument(
        "--dir",
        default=None,
        help="folder of tables (default: $NETCAP_TABLES, else the tables netcap ships)",
    )
    ct.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Every problem of every table, or one line saying there is none."""
    from netcap.rule.tables import check_tables  # noqa: PLC0415 (loaded when run)

    problems = check_tables(Path(args.dir) if args.dir else None)
    if problems:
        raise InputError("\n".join(["haircut tables:", *(f"  {p}" for p in problems)]))
    print("every haircut table reads and checks clean")
    return 0
