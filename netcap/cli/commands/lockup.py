"""``netcap lockup``: capital held per legal entity under the one-year lock-up of
15c3-1(c)(2)(i)(G)."""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING

from netcap.cli.common import InputError
from netcap.money import round_dollars

if TYPE_CHECKING:
    from netcap.cli.common import Subcommands


def register(sub: Subcommands) -> None:
    """Add ``lockup`` to the parser."""
    lk = sub.add_parser("lockup", help="capital held per entity under the one-year lock-up")
    lk.add_argument(
        "requirements",
        metavar="csv",
        help="CSV: date column, then one column of requirements per entity",
    )
    lk.add_argument(
        "--policy",
        choices=("withdraw", "retain"),
        default="withdraw",
        help="withdraw every free dollar once its year is up (default), or never withdraw",
    )
    lk.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Simulate the lock-up over the requirements; print the days, then the summary."""
    from netcap.book.loading import UnsafeFileError  # noqa: PLC0415 (loaded when run)
    from netcap.dealer.lockup import read_requirements, simulate_lockup  # noqa: PLC0415

    path = Path(args.requirements)
    try:
        frame = read_requirements(path)
    except UnsafeFileError as exc:
        raise InputError(str(exc)) from None
    except ValueError as exc:
        raise InputError(str(exc)) from None
    try:
        result = simulate_lockup(frame, policy=args.policy)
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None

    def shown(x: float) -> str:
        return f"{round_dollars(float(x)):,}" if math.isfinite(x) else "n/a"

    print(result.frame().to_string(float_format=shown))
    # dollars rounded once to the dollar (docs/numeric-policy.md); the ratio to 4 decimals
    summary = {
        k: (round(v, 4) if k == "peak_ratio" else float(round_dollars(float(v))))
        if math.isfinite(v)
        else None
        for k, v in result.summary().items()
    }
    print(json.dumps(summary, indent=2, allow_nan=False))
    return 0
