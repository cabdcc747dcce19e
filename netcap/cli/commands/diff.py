"""``netcap diff``: net capital at two dates of one firm, the change attributed to lines,
haircut paragraphs, FOCUS boxes and positions."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from netcap.cli.common import (
    InputError,
    add_width_option,
    add_xlsx_option,
    book_errors,
    write_output,
)
from netcap.text import output_width, plural, wrap

if TYPE_CHECKING:
    from netcap.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add ``diff`` to the parser."""
    df = sub.add_parser("diff", help="net capital at two dates of one firm, the change attributed")
    df.add_argument("before", help="the first book")
    df.add_argument("after", help="the second book")
    df.add_argument("--json", action="store_true", help="print one JSON object")
    add_xlsx_option(df, "a workbook of the attribution")
    add_width_option(df)
    df.set_defaults(func=run, input_args=("before", "after"))


def run(args: argparse.Namespace) -> int:
    """Compute both books; print the attribution (text or JSON), write its workbook if asked."""
    from netcap.report.diff import DiffInputError, diff  # noqa: PLC0415 (loaded when used)

    with book_errors(f"{args.before} / {args.after}"):
        try:
            result = diff(args.before, args.after)
        except DiffInputError as exc:
            raise InputError(str(exc)) from None
    data = result.to_dict()
    for w in data["warnings"]:
        print(f"netcap: warning: {w}", file=sys.stderr)
    if args.xlsx:
        from netcap.report.diff_xlsx import write_diff_workbook  # noqa: PLC0415 (the workbook writer)

        write_output(
            args,
            args.xlsx,
            lambda p: write_diff_workbook(result, p),
            what="--xlsx",
            suffixes=(".xlsx",),
        )
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        _print_diff(data, output_width(args.width))
    return 0


def _print_diff(data: dict[str, Any], cols: int = 120) -> None:
    print(f"{data['firm']}: {data['before_as_of']} -> {data['after_as_of']}\n")
    for key, title in (
        ("net_capital", "Net capital"),
        ("requirement", "Requirement"),
        ("excess", "Excess net capital"),
    ):
        m = data[key]
        print(f"  {title:<22} {m['before']:>16,} {m['after']:>16,} {m['change']:>+16,}")
    print("\n  CHANGE IN NET CAPITAL, LINE BY LINE AND HAIRCUT PARAGRAPH")
    for a in data["attribution"]:
        if a["change"] == 0:
            continue
        name = a.get("label") or a.get("line") or a.get("paragraph")
        box = f"[{a['box']}]" if a.get("box") else ""
        names = wrap(str(name), max(cols - 32, 30))
        print(f"    {names[0]:<{max(cols - 32, 30)}} {box:<7} {a['change']:>+14,}")
        for part in [*names[1:], *wrap(a["cause"], cols - 8)]:
            print("      " + part)
    total = sum(a["change"] for a in data["attribution"])
    print(f"    {'total':<52} {total:>+14,}")
    moved = [b for b in data["focus_boxes"] if b["change"]]
    if moved:
        print("\n  FOCUS PART II BOXES THAT CHANGED (? = box number not confirmed)")
        for b in moved:
            mark = " " if b["confirmed"] else "?"
            lw = max(cols - 36, 30)
            parts = wrap(b["label"], lw)
            print(f"    {b['line']:>4} [{b['box']}]{mark} {parts[0]:<{lw}} {b['change']:>+16,}")
            for part in parts[1:]:
                print(" " * 18 + part)
    print("\n  HAIRCUTS, STEP BY STEP (sequential substitution, in this order)")
    for s in data["haircut_steps"]:
        print(f"    {s['step']:<10} {s['change']:>+14,}")
        for part in wrap(s["description"], cols - 8):
            print("      " + part)
    print(f"\n  {plural(len(data['positions']), 'position row')} changed (see --json or --xlsx)")
