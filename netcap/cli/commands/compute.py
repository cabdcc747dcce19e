"""``netcap compute``: the firm's net capital computation, line by line with citations."""

from __future__ import annotations

import argparse
import json
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netcap.cli.common import (
    add_width_option,
    add_xlsx_option,
    book_errors,
    caveats,
    print_warnings,
    write_xlsx,
)
from netcap.money import round_dollars
from netcap.text import DEFAULT_WIDTH, human, output_width, wrap

if TYPE_CHECKING:
    from netcap.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add ``compute`` to the parser."""
    c = sub.add_parser("compute", help="net capital computation of a firm's book")
    c.add_argument(
        "book",
        help="the firm's book: .json, .xlsx or a folder of .csv sheets (see docs/book-format.md)",
    )
    c.add_argument("--json", action="store_true", help="print one JSON object")
    add_width_option(c)
    c.set_defaults(func=run)
    add_xlsx_option(c, "the computation as a workbook with live formulas")


def run(args: argparse.Namespace) -> int:
    """Load the book, compute it, print it (text or JSON) and write its workbook if asked."""
    from netcap import cli  # noqa: PLC0415 (cli.compute: the engine, replaceable in tests)
    from netcap.book.loading import load_book  # noqa: PLC0415 (loaded when run)

    with book_errors(args.book):
        loaded = load_book(args.book)
        result = cli.compute(loaded.book, positions=loaded.positions)

    def export(path: Path) -> object:
        from netcap.report import export_computation  # noqa: PLC0415 (when --xlsx is given)

        return export_computation(result, path, loaded=loaded)

    write_xlsx(args, export)
    report = result.to_dict(detail=bool(args.json))  # the text report shows no detail rows
    report["warnings"] = [*report["warnings"], *caveats(result.haircuts.detail)]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_computation(report, args.width)
    return 0


AMOUNT_WIDTH = 18
"""Columns of an amount in the text layout of ``compute``."""


def _labelled_rows(
    rows: Sequence[tuple[int, str, str, str]], width: int, cite: int
) -> Iterator[str]:
    """Lines ``label .... amount  [citation]``, the label wrapped (never cut) to fit ``width``.

    ``rows`` are (indent, label, amount as text, citation); ``cite`` is the
    width kept for citations.  A label's continuation lines are indented two
    more columns and carry nothing else.
    """
    for indent, label, shown, citation in rows:
        label_width = max(24, width - indent - 1 - AMOUNT_WIDTH - 4 - cite)
        parts = wrap(label, label_width)
        tail = f" {shown:>{AMOUNT_WIDTH}}" + (f"  [{citation}]" if citation else "")
        yield f"{' ' * indent}{parts[0]:<{label_width}}{tail}".rstrip()
        for more in parts[1:]:
            yield f"{' ' * (indent + 2)}{more}"


def _print_computation(report: dict[str, Any], width: int | None = None) -> None:
    cols = output_width(width)
    print(f"{report['firm']} ({report['firm_type'].replace('_', '-')}), as of {report['as_of']}")
    print(f"standard: {human(report['standard'])}")
    candidates = report["requirement"]["candidates"]
    cite = max(len(x["citation"]) for x in [*report["lines"], *candidates])
    section = ""
    rows: list[tuple[int, str, str, str]] = []

    def flush() -> None:
        for line in _labelled_rows(rows, cols, cite):
            print(line)
        rows.clear()

    for ln in report["lines"]:
        if ln["section"] != section:
            flush()
            section = ln["section"]
            print(f"\n  {section.upper()}")
        amount = ln["amount"]
        if amount is None:
            shown = "n/a"
        elif ln["unit"] == "%":
            shown = f"{amount:,.2f}%"
        else:
            shown = f"-${-amount:,}" if amount < 0 else f"${amount:,}"
        rows.append((6 if ln["role"] == "item" else 4, ln["label"], shown, ln["citation"]))
    flush()
    print("\n  REQUIREMENT CANDIDATES (* binding)")
    for c in candidates:
        label = ("* " if c["binding"] else "  ") + c["basis"]
        rows.append((4, label, f"${c['amount']:,}", c["citation"]))
    flush()
    hit = [f for f in report["early_warning"] if f["triggered"]]
    print("\n  EARLY WARNING AND WITHDRAWAL TESTS")
    if not hit:
        print("    none crossed")
    for f in hit:
        for k, part in enumerate(wrap(f"CROSSED: {f['description']}  [{f['citation']}]", cols - 6)):
            print(("    " if k == 0 else "      ") + part)
    _print_conversions(report.get("currency_conversions"), cols)
    print_warnings(report["warnings"], cols)


def _print_conversions(rows: list[dict[str, Any]] | None, width: int = DEFAULT_WIDTH) -> None:
    """Every amount converted to US dollars, with the rate used (netcap.book.currency).

    Names, not identifiers (``non-allowable asset NA-1 amount``), the dollars
    rounded once as every output amount is, each line wrapped to ``width``.
    """
    if not rows:
        return
    print("\n  CURRENCY CONVERSIONS (rate = US dollars per unit)")
    for c in rows:
        item = human(str(c["item"])).replace("non allowable", "non-allowable")
        text = (
            f"{item} {c['id']} {human(str(c['field']))}: {c['currency']} {c['amount']:,.2f}"
            f" at {c['usd_per_unit']:g} = ${round_dollars(float(c['usd'])):,}  [{c['source']}]"
        )
        for k, part in enumerate(wrap(text, width - 6)):
            print(("    " if k == 0 else "      ") + part)
