"""``netcap dealer-screen``: the Rules 3a5-4 / 3a44-2 checklist (informs; not legal advice)."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import TYPE_CHECKING

from netcap.cli.common import (
    InputError,
    add_width_option,
    as_of_date,
    read_json_input,
    refuse_booleans,
    validation_message,
)
from netcap.text import output_width, wrap

if TYPE_CHECKING:
    from netcap.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add ``dealer-screen`` to the parser."""
    d = sub.add_parser("dealer-screen", help="Rules 3a5-4 / 3a44-2 checklist (not legal advice)")
    d.add_argument("facts", help="facts (JSON, fields of netcap.dealer.screen.DealerFacts)")
    d.add_argument("--json", action="store_true", help="print one JSON object")
    d.add_argument(
        "--as-of",
        dest="as_of",
        type=as_of_date,
        default=None,
        help="screen under the rules of this date, YYYY-MM-DD (default: today)",
    )
    add_width_option(d)
    d.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Screen the facts; print each item wrapped to the width, or one JSON object."""
    from pydantic import ValidationError  # noqa: PLC0415 (loaded when run)

    from netcap.dealer.screen import DealerFacts, screen  # noqa: PLC0415

    path = Path(args.facts)
    data = read_json_input(path)
    refuse_booleans(DealerFacts, data, str(path))
    try:
        facts = DealerFacts.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_message(str(path), exc)) from None
    try:
        result = screen(facts, args.as_of)
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    cols = output_width(args.width)
    for line in str(result).splitlines():  # each line wrapped, its continuation indented
        indent = len(line) - len(line.lstrip())
        for k, part in enumerate(wrap(line.strip(), cols - indent - (2 if indent else 0))):
            print(" " * (indent + (2 if k else 0)) + part)
    return 0
