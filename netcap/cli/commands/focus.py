"""``netcap focus``: the computation on FOCUS Part II or IIA, line and box."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, Any

from netcap.cli.common import add_width_option, add_xlsx_option, book_errors, write_output
from netcap.text import human, output_width, wrap

if TYPE_CHECKING:
    import pandas as pd

    from netcap.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add ``focus`` to the parser."""
    fo = sub.add_parser("focus", help="the computation on FOCUS Part II or IIA, line and box")
    fo.add_argument("book", help="the firm's book (.json, .xlsx, .csv or a folder of .csv)")
    fo.add_argument("--part", choices=["II", "IIA"], default="II", help="FOCUS part (default II)")
    out = fo.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--csv", metavar="CSV", default=None, help="write the lines to a CSV file")
    add_xlsx_option(fo, "a workbook with the boxes as formulas over the detail")
    add_width_option(fo)
    fo.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Compute the book and lay it out on the part asked for (text, JSON, CSV, workbook)."""
    from netcap.book.loading import load_book  # noqa: PLC0415
    from netcap.report.focus import focus_report  # noqa: PLC0415
    from netcap.rule.computation import compute  # noqa: PLC0415 (loaded when used)

    with book_errors(args.book):
        loaded = load_book(args.book)
        result = compute(loaded.book, positions=loaded.positions)
    report = focus_report(result, args.part)
    data = report.to_dict()
    if args.xlsx:
        from netcap.report.focus_xlsx import write_focus_workbook  # noqa: PLC0415 (the workbook writer)

        write_output(
            args,
            args.xlsx,
            lambda p: write_focus_workbook(report, p),
            what="--xlsx",
            suffixes=(".xlsx",),
        )
    if args.csv:
        write_output(
            args,
            args.csv,
            lambda p: _focus_csv(data).to_csv(p, index=False),
            what="--csv",
            suffixes=(".csv",),
        )
    if args.json:
        print(json.dumps(data, indent=2))
    elif not args.csv:
        _print_focus(data, output_width(args.width))
    return 0


def _focus_csv(data: dict[str, Any]) -> pd.DataFrame:
    import pandas as pd  # noqa: PLC0415 (loaded when run)

    rows = [
        {
            "section": "form",
            "line": ln["line"],
            "box": ln["box"],
            "label": ln["label"],
            "value": ln["value"],
            "citation": ln["citation"],
            "confirmed": "yes" if ln["confirmed"] else "NOT CONFIRMED",
            "made_of": "; ".join(ln["detail"]),
        }
        for ln in data["lines"]
    ]
    rows += [
        {
            "section": "not on this part",
            "line": ln["line"],
            "box": "",
            "label": ln["label"],
            "value": ln["value"],
            "citation": ln["citation"],
            "confirmed": "",
            "made_of": ln["reason"],
        }
        for ln in data["not_on_this_part"]
    ]
    return pd.DataFrame(rows, dtype=object)


def _focus_amount(ln: dict[str, Any]) -> str:
    value = ln["value"]
    if value is None:
        return "n/a"
    if ln["unit"] == "%":
        return f"{value:,.2f}%"
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"  # as compute prints it


def _print_focus(data: dict[str, Any], cols: int = 120) -> None:
    for text in (
        f"FOCUS Report (Form {data['form']}) Part {data['part']}",
        f"{data['firm']}, as of {data['as_of']}; standard: {human(data['standard'])}",
        f"form version: {data['form_version']}",
    ):
        print("\n".join(wrap(text, cols)))
    print()
    label_width = max(cols - 34, 30)  # line, box and amount take the rest
    for ln in data["lines"]:
        mark = " " if ln["confirmed"] else "?"
        parts = wrap(ln["label"], label_width)
        head = f"  {ln['line']:>4} [{ln['box']}]{mark} "
        print(f"{head}{parts[0]:<{label_width}} {_focus_amount(ln):>16}")
        for part in parts[1:]:
            print(" " * len(head) + "  " + part)
    print("\n  NOT ON THIS PART")
    for ln in data["not_on_this_part"]:
        parts = wrap(ln["label"], label_width + 8)
        print(f"    {parts[0]:<{label_width + 8}} {_focus_amount(ln):>16}")
        for part in [*parts[1:], *wrap(f"({ln['reason']})", cols - 8)]:
            print("      " + part)
    if data["unconfirmed_boxes"]:
        note = "? box number not yet checked against the text of the form: " + ", ".join(
            data["unconfirmed_boxes"]
        )
        print()
        print("\n".join("  " + part for part in wrap(note, cols - 2)))


# --- diff: what changed between two computations of one firm ------------------------------------
