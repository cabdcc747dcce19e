"""Time ``sweep`` over 10,000 values of P for 20 strategies (the 19 Table 9 specs + one with
dollar legs).  Run from the repository root: ``python benchmarks/bench_sweep.py``; the
figures are also part of ``python -m benchmarks``."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from netcap.cli import load_strategy  # noqa: E402
from netcap.dealer.registration import analyze  # noqa: E402
from netcap.dealer.strategy import Strategy  # noqa: E402

DOLLAR_LEGS = Strategy.model_validate(
    {
        "name": "basis trade against an existing hedge",
        "as_of": "2024-06-28",
        "legs": [
            {"kind": "treasury", "side": "long", "size": 1, "years": 20},
            {
                "kind": "treasury_future",
                "side": "short",
                "amount": 3e6,
                "years": 20,
                "deliverable_leg": 0,
            },
            {"kind": "treasury", "side": "short", "amount": 2e6, "years": 30},
            {"kind": "treasury", "side": "short", "size": 0.5, "years": 12},
        ],
    }
)


def inputs() -> tuple[list[Strategy], np.ndarray]:
    """The 20 strategies and the grid of 10,000 values of P."""
    strategies = [load_strategy(p) for p in sorted((ROOT / "fixtures/table9").glob("*.json"))]
    strategies.append(DOLLAR_LEGS)
    return strategies, np.geomspace(1e5, 1e11, 10_000)


__all__ = ["DOLLAR_LEGS", "analyze", "inputs", "main"]


def main() -> None:
    strategies, grid = inputs()
    t0 = time.perf_counter()
    analyses = [analyze(s) for s in strategies]
    t1 = time.perf_counter()
    frames = [a.sweep(grid) for a in analyses]
    t2 = time.perf_counter()
    print(
        f"{len(strategies)} strategies x {len(grid)} P: analyze {t1 - t0:.3f}s, "
        f"sweep (incl. crossovers and limit) {t2 - t1:.3f}s, total {t2 - t0:.3f}s; "
        f"{sum(len(f) for f in frames)} rows"
    )


if __name__ == "__main__":
    main()
