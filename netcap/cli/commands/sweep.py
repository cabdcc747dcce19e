"""``netcap sweep``: every requirement of one strategy over a log grid of P, with the
crossovers and the limit as P grows without bound."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from netcap.cli.common import (
    InputError,
    add_force_option,
    add_width_option,
    grid_points,
    load_strategy,
    pct,
    position_size,
    strategy_errors,
    write_output,
)
from netcap.money import round_dollars
from netcap.text import output_width, table, wrap

if TYPE_CHECKING:
    import pandas as pd

    from netcap.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add ``sweep`` to the parser."""
    s = sub.add_parser("sweep", help="requirements of one strategy over a log grid of P")
    s.add_argument("spec", help="strategy spec (JSON), as for 'strategy'")
    s.add_argument(
        "--from",
        dest="low",
        type=position_size,
        default=1e5,
        help="smallest P in dollars (default 1e5)",
    )
    s.add_argument(
        "--to",
        dest="high",
        type=position_size,
        default=1e10,
        help="largest P in dollars (default 1e10)",
    )
    s.add_argument(
        "--n", type=grid_points, default=51, help="number of P values, log-spaced (default 51)"
    )
    s.add_argument(
        "--csv",
        default=None,
        help="write the table to this CSV file (P to the cent, dollars to the dollar)",
    )
    add_width_option(s)
    s.set_defaults(func=run)
    add_force_option(s)


def run(args: argparse.Namespace) -> int:
    """The table (text, or ``--csv``), then the crossovers and the limit on standard error."""
    import numpy as np  # noqa: PLC0415 (loaded when run)

    from netcap.dealer.registration import sweep  # noqa: PLC0415

    strategy = load_strategy(Path(args.spec))
    if not 0 < args.low < args.high:
        raise InputError(f"--from {args.low} / --to {args.high}: need 0 < from < to")
    grid = np.geomspace(args.low, args.high, args.n)
    with strategy_errors(args.spec):
        out = sweep(strategy, grid)
    if args.csv:
        write_output(
            args, args.csv, lambda p: _sweep_rounded(out).to_csv(p, index=False), what="--csv"
        )
    else:
        for line in _sweep_text(out, output_width(args.width)):
            print(line)
    print(
        f"crossovers: {[round(p, 2) for p in out.attrs['crossovers']]}; "
        f"increase as P -> infinity: {out.attrs['increase_pct_limit']:.4g}%",
        file=sys.stderr,
    )
    return 0


_SWEEP_DOLLARS = (
    "haircut",
    "threshold",
    "non_dealer",
    "dealer_margin",
    "aggregate_indebtedness",
    "market_maker",
    "dealer",
)


def _sweep_rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """The sweep as ``--csv`` writes it: P to the cent, dollars to the dollar, % off float noise.

    Identifiers stay as they are (the CSV is for programs, like ``--json``).
    """
    import pandas as pd  # noqa: PLC0415 (loaded when run)

    out = frame.copy()
    out["P"] = [round(float(p), 2) for p in out["P"]]
    for col in _SWEEP_DOLLARS:
        out[col] = pd.array(
            [None if pd.isna(v) else round_dollars(float(v)) for v in out[col]], dtype="Int64"
        )
    out["increase_pct"] = [pct(float(v)) for v in out["increase_pct"]]
    return out


_ABBREVIATIONS = {
    "aggregate_indebtedness": "AI",
    "market_maker_alternative": "MM",
    "margin": "margin",
    "fixed_minimum_plus_haircut": "F + haircut",
    "fixed_minimum": "F",
    "market_maker_threshold": "threshold",
}


def _sweep_text(frame: pd.DataFrame, width: int) -> list[str]:
    """The sweep as a text table with names for headers and a key to the binding column."""

    import pandas as pd  # noqa: PLC0415 (loaded when run)

    def dollars(col: str) -> list[str]:
        return ["n/a" if pd.isna(v) else f"${round_dollars(float(v)):,}" for v in frame[col]]

    columns: list[tuple[str, list[str], str]] = [
        ("position size P", [f"${float(p):,.0f}" for p in frame["P"]], ">"),
        ("haircut", dollars("haircut"), ">"),
        ("market-maker threshold (a)(6)", dollars("threshold"), ">"),
        ("non-dealer margin", dollars("non_dealer"), ">"),
        ("dealer margin", dollars("dealer_margin"), ">"),
        ("dealer, AI standard (a)(1)(i)", dollars("aggregate_indebtedness"), ">"),
        ("dealer, market-maker alternative", dollars("market_maker"), ">"),
        ("dealer requirement", dollars("dealer"), ">"),
        (
            "binding",
            [
                f"{_ABBREVIATIONS[str(s)]}: {_ABBREVIATIONS[str(c)]}"
                for s, c in zip(frame["standard"], frame["component"], strict=True)
            ],
            "<",
        ),
        ("increase", [f"{float(v):,.2f}%" for v in frame["increase_pct"]], ">"),
    ]
    key = (
        "binding: AI = aggregate indebtedness standard (a)(1)(i), MM = market-maker "
        "alternative (a)(6)(iii)(A); F = fixed minimum (a)(2)(iii), threshold = the (a)(6) "
        "threshold, margin = the non-dealer margin"
    )
    return [*table(columns, width), "", *wrap(key, width)]
