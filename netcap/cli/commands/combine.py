"""``netcap combine``: several strategies run by one firm (optionally with its book), next to
their stand-alone figures."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netcap.cli.common import (
    LEG_FIELDS,
    InputError,
    add_force_option,
    add_width_option,
    as_of_date,
    binding,
    book_errors,
    caveats,
    load_strategy,
    pct,
    plot_file,
    position_size,
    print_warnings,
    validation_message,
    write_output,
)
from netcap.money import round_dollars
from netcap.text import output_width, table, wrap

if TYPE_CHECKING:
    import pandas as pd

    from netcap.book.frame import BookError
    from netcap.book.model import Position
    from netcap.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add ``combine`` to the parser."""
    c = sub.add_parser("combine", help="several strategies run by one firm vs stand-alone")
    c.add_argument("specs", nargs="+", help="strategy specs (JSON) run together by one firm")
    c.add_argument("--sizes", default=None, help="comma-separated P of each strategy")
    c.add_argument(
        "--book",
        metavar="PATH",
        default=None,
        help="the firm's existing book (as for 'compute'): its positions are charged with the "
        "strategies and pay the 2%% book margin",
    )
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.add_argument(
        "--as-of",
        dest="as_of",
        type=as_of_date,
        default=None,
        help="the combination's one computation date, YYYY-MM-DD (default: the book's, "
        "else the strategies')",
    )
    c.add_argument(
        "--plot",
        metavar="PNG",
        default=None,
        help="bar chart: stand-alone vs combined (matplotlib)",
    )
    add_width_option(c)
    c.set_defaults(func=run)
    add_force_option(c)


def run(args: argparse.Namespace) -> int:
    """Combine the specs (with ``--book``'s positions), print the comparison, draw it."""
    from netcap.book.frame import BookError  # noqa: PLC0415
    from netcap.book.loading import load_book  # noqa: PLC0415
    from netcap.dealer.portfolio import combine  # noqa: PLC0415
    from netcap.rule.computation import compute  # noqa: PLC0415 (loaded when run)

    strategies = [load_strategy(Path(p)) for p in args.specs]
    sizes = None
    if args.sizes is not None:  # an empty --sizes '' is an error, not "no sizes"
        sizes = []
        for x in args.sizes.split(","):
            try:
                sizes.append(position_size(x))
            except argparse.ArgumentTypeError as exc:
                raise InputError(f"--sizes: {exc}") from None
        if len(sizes) != len(strategies):
            raise InputError(f"--sizes: {len(sizes)} sizes for {len(strategies)} strategies")
    book: pd.DataFrame | tuple[Position, ...] | None = None
    on: date | None = args.as_of
    capital: float | None = None
    # --as-of says which date applies: combine computes every strategy on it, noting each
    # strategy that named another
    if args.book:
        with book_errors(args.book):
            loaded = load_book(args.book)
            # the firm's own capital before haircuts is the base of (c)(2)(vi)(M), as in compute
            whole = compute(loaded.book, positions=loaded.positions)
        capital = whole.tentative_net_capital + whole.haircuts.pre_tentative
        if on is None:
            # one computation date: the book's (its maturities are measured from it);
            # a strategy that names another date is an error unless --as-of says which
            on = loaded.book.as_of
            for s, spec in zip(strategies, args.specs, strict=True):
                if s.as_of is not None and s.as_of != on:
                    raise InputError(
                        f"{spec}: field as_of: {s.as_of.isoformat()} differs from the book's "
                        f"as_of {on.isoformat()} ({args.book}); a combination has one date: "
                        f"give --as-of to say which applies (--as-of {on.isoformat()} for the "
                        "book's)"
                    )
        # the validated frame keeps the file's row numbers; at another date the positions
        # are validated again so their maturities run from that date
        book = (
            loaded.positions
            if on == loaded.book.as_of
            else _positions_of(loaded.positions, args.book)
        )
    try:
        c = combine(strategies, book, sizes=sizes, as_of=on, net_capital_before_haircuts=capital)
    except BookError as exc:
        raise InputError(
            _combine_errors(exc, args.book, args.specs, [len(s.legs) for s in strategies])
        ) from None
    except ValueError as exc:
        raise InputError(str(exc)) from None
    notes = list(c.notes)
    warnings = [*c.haircuts.warnings, *caveats(c.haircuts.detail)]
    if capital is not None:
        notes.append(
            f"net capital before haircuts, the base of 15c3-1(c)(2)(vi)(M): "
            f"${round_dollars(capital):,}, from {args.book}"
        )
    table = c.table()
    if args.json:
        print(
            json.dumps(
                {
                    "rows": [
                        {str(k): _combine_cell(str(k), v) for k, v in r.items()}
                        for r in table.to_dict("records")
                    ],
                    "sum_of_standalone_increase_pct": pct(c.sum_of_increase_pct),
                    "combined_increase_pct": pct(c.increase_pct),
                    "combined_standard": c.standard,
                    "combined_component": c.component,
                    "saving": round_dollars(c.saving),
                    "as_of": None if c.as_of is None else c.as_of.isoformat(),
                    "net_capital_before_haircuts": (
                        None if capital is None else round_dollars(capital)
                    ),
                    "notes": notes,
                    "warnings": warnings,
                },
                indent=2,
            )
        )
    else:
        cols = output_width(args.width)
        when = (
            f"rules in force on {c.as_of.isoformat()}" if c.as_of is not None else "rules of today"
        )
        print(f"Strategies run by one firm, {when}")
        for line in _combine_text(table, cols):
            print(line)
        summary = (
            f"The stand-alone increases added up: {c.sum_of_increase_pct:,.2f}%; the combined "
            f"firm: {c.increase_pct:,.2f}% [{binding(c.standard, c.component)}]; running "
            f"together saves ${round_dollars(c.saving):,} of dealer capital."
        )
        print()
        for line in wrap(summary, cols):
            print(line)
        for note in notes:
            for k, part in enumerate(wrap(f"note: {note}", cols - 2)):
                print(("" if k == 0 else "  ") + part)
        print_warnings(warnings, cols, indent=0)
    if args.plot:
        from netcap.report.plot import plot_combination  # noqa: PLC0415 (optional extra)

        def save(combination: Any, path: Path) -> None:
            ax = plot_combination(combination)
            ax.figure.tight_layout()
            ax.figure.savefig(path, dpi=120)

        write_output(args, args.plot, lambda p: plot_file(save, c, p), what="--plot")
    return 0


_DOLLARS = {"haircut", "non_dealer", "dealer"}


def _combine_text(frame: pd.DataFrame, width: int) -> list[str]:
    """``combine``'s table as text: names in full (wrapped), dollars to the dollar."""
    name_width = max(24, min(44, width // 3))
    names: list[str] = []
    rows: list[list[str]] = []
    for r in frame.to_dict("records"):
        parts = wrap(str(r["name"]), name_width - 2)
        cells = [
            f"${round_dollars(float(r['haircut'])):,}",
            f"${round_dollars(float(r['non_dealer'])):,}",
            f"${round_dollars(float(r['dealer'])):,}",
            f"{float(r['increase_pct']):,.2f}%",
        ]
        for k, part in enumerate(parts):
            names.append(part if k == 0 else "  " + part)
            rows.append(cells if k == 0 else ["", "", "", ""])
    heads = ["haircut", "non-dealer margin", "dealer requirement", "increase"]
    columns: list[tuple[str, list[str], str]] = [("", names, "<")]
    columns += [(h, [row[k] for row in rows], ">") for k, h in enumerate(heads)]
    return table(columns, width)


def _combine_cell(key: str, value: Any) -> Any:
    """A cell of ``netcap combine --json``: dollars to the dollar, percentages off float noise."""
    if key in _DOLLARS:
        return round_dollars(value)
    if key.endswith("_pct") and isinstance(value, float):
        return pct(value)
    return value


def _combine_errors(
    exc: BookError, book: str | None, specs: Sequence[str], legs: Sequence[int]
) -> str:
    """Book errors of ``combine`` named by the file they came from: a spec's leg or a book row."""
    from netcap.dealer.portfolio import LEGS_SOURCE  # noqa: PLC0415 (loaded when run)

    lines = []
    for e in exc.errors:
        if e.source == LEGS_SOURCE and isinstance(e.row, int):
            k, row = 0, e.row
            while k < len(legs) - 1 and row >= legs[k]:
                row -= legs[k]
                k += 1
            field = LEG_FIELDS.get(e.field, e.field)
            lines.append(f"{specs[k]}: field legs.{row}.{field}: {e.message}")
        else:
            lines.append(f"{book}: {e}" if book else str(e))
    return "\n".join(lines)


def _positions_of(frame: pd.DataFrame, source: str) -> tuple[Position, ...]:
    """The rows of a loaded book's validated position frame as positions again."""
    import pandas as pd  # noqa: PLC0415 (loaded when run)
    from pydantic import ValidationError  # noqa: PLC0415

    from netcap.book.model import Position  # noqa: PLC0415

    fields = [f for f in Position.model_fields if f in frame.columns]
    out: list[Position] = []
    for i, rec in enumerate(frame[fields].to_dict("records")):
        data: dict[Any, Any] = {}
        for k, v in rec.items():
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                continue
            if isinstance(v, pd.Timestamp):
                data[k] = v.date()
            elif k == "market_makers":
                data[k] = int(v)
            else:
                data[k] = v
        try:
            out.append(Position.model_validate(data))
        except ValidationError as exc:
            raise InputError(validation_message(f"{source}: position {i + 1}", exc)) from None
    return tuple(out)
