"""Pre-trade check against a large synthetic book: build time and per-check latency.

Usage: ``python benchmarks/bench_pretrade.py 1000000``.  The book is the realistic
synthetic book of :mod:`benchmarks.synthetic` (every class the engine charges,
futures with and without cover, options, concentrated issues).  Each timed check
is a new trade of government, equity, nonconvertible debt or municipal securities
(validated and routed once by ``prepare``, then the pool update by ``check``,
timed separately); ``check`` leaves the state unchanged.  ``median_raw_check_ms``
times ``check`` of a raw trade (a dict, as a desk sends it): validation, routing
(the fast template path where it applies) and the pool update together.

The headline figure is the check of a prepared trade: median and 99th percentile
in milliseconds, against a target of at most 1 ms (judged on the median).
"""

from __future__ import annotations

import gc
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.synthetic import synthetic_book
from netcap.book.firm import Book, FirmProfile, FirmType
from netcap.book.model import Position
from netcap.pretrade import PreTradeState

TARGET_MS = 1.0
"""Target for the median check of a prepared trade."""


def _raw_trades(count: int, seed: int = 13) -> list[dict[str, object]]:
    """New trades as plain dicts, the classes of :func:`_trades`."""
    return [
        t.model_dump(exclude_none=True) | {"id": f"raw{i}"}
        for i, t in enumerate(_trades(count, seed))
    ]


def _trades(count: int, seed: int = 11) -> list[Position]:
    rng = np.random.default_rng(seed)
    out = []
    for i in range(count):
        kind = ["government", "equity", "nonconvertible_debt", "municipal"][i % 4]
        extra: dict[str, object] = {}
        if kind != "equity":
            extra["years_to_maturity"] = float(np.round(rng.uniform(0, 30), 2))
        else:
            extra["security_id"] = f"equity:{int(rng.integers(0, 1000))}"
        if kind == "nonconvertible_debt":
            extra["minimal_credit_risk"] = True
        out.append(
            Position(
                id=f"trade{i}",
                security_class=kind,
                side=str(rng.choice(["long", "short"])),
                market_value=float(np.round(rng.uniform(1_000, 5_000_000), 2)),
                **extra,  # type: ignore[arg-type]
            )
        )
    return out


def run(n_positions: int, checks: int = 1000, prepare_samples: int = 1000) -> dict[str, object]:
    """Build a state over ``n_positions`` and time ``checks`` pre-trade checks.

    Returns the benchmark table's ``figure``, ``value`` (median and p99 of a
    prepared check, in ms, and the build time), ``target`` and ``met``, then
    every figure measured under its own key.

    ``median_check_ms``/``p99_check_ms`` time :meth:`PreTradeState.check` of a
    prepared trade (the incremental pool update, new figures, flags and the
    changed paragraphs).  ``median_prepare_ms`` times :meth:`PreTradeState.prepare`
    (validating the trade as a book row and routing it), which does not depend on
    the size of the book and is paid once per trade; ``prepare_many_ms_per_trade``
    is the same work for all the trades in one vectorized pass, per trade.
    """
    sb = synthetic_book(n_positions)
    frame = sb.frame
    book = Book(
        as_of=sb.book.as_of,
        firm=FirmProfile(firm_type=FirmType.DEALER, months_in_business=120),
        balance_sheet=sb.book.balance_sheet,
    )
    c0, t0 = time.process_time(), time.perf_counter()
    state = PreTradeState(book, positions=frame)
    build = time.perf_counter() - t0
    build_cpu = time.process_time() - c0
    # a long-lived service freezes the objects built once, so the cyclic collector does
    # not walk the book's million pool entries during a check
    gc.collect()
    gc.freeze()
    trades = _trades(checks)
    prep_times = []
    prepared = []
    for i, t in enumerate(trades):
        s = time.perf_counter()
        prepared.append(state.prepare(t))
        if i < prepare_samples:
            prep_times.append(time.perf_counter() - s)
    for p in prepared[:20]:  # warm-up
        state.check(p)
    times, cpu_times = [], []
    for p in prepared:
        c = time.process_time()
        s = time.perf_counter()
        state.check(p)
        times.append(time.perf_counter() - s)
        cpu_times.append(time.process_time() - c)
    ms = np.array(times) * 1000.0
    cpu_ms = float(np.median(cpu_times)) * 1000.0
    prep = np.array(prep_times) * 1000.0
    s = time.perf_counter()
    state.prepare_many(list(trades))
    batch_ms = (time.perf_counter() - s) * 1000.0 / len(trades)
    # raw trades: validate + route + check, as a desk calls it; the first trade of each
    # routing shape takes the pandas path and leaves a template, later ones are fast
    raw_times = []
    fast = 0
    for t in _raw_trades(checks):
        s = time.perf_counter()
        state.check(t)
        raw_times.append(time.perf_counter() - s)
    for t in _raw_trades(checks, seed=17):
        fast += state.prepare(t).method == "fast"
    raw = np.array(raw_times) * 1000.0
    median, p99 = float(np.median(ms)), float(np.percentile(ms, 99))
    return {
        "figure": f"pre-trade check of a prepared trade, {n_positions:,} positions",
        "value": f"median {median:.3f} ms wall ({cpu_ms:.3f} ms CPU), p99 {p99:.3f} ms "
        f"(state built in {build:.1f} s wall, {build_cpu:.1f} s CPU)",
        "target": f"<= {TARGET_MS:g} ms (median)",
        "met": "yes" if median <= TARGET_MS else "NO",
        "n_positions": n_positions,
        "build_seconds": build,
        "build_cpu_seconds": build_cpu,
        "median_check_ms": median,
        "p99_check_ms": p99,
        "median_check_cpu_ms": cpu_ms,
        "checks": len(ms),
        "median_prepare_ms": float(np.median(prep)),
        "p99_prepare_ms": float(np.percentile(prep, 99)),
        "prepare_many_ms_per_trade": batch_ms,
        "median_raw_check_ms": float(np.median(raw)),
        "p90_raw_check_ms": float(np.percentile(raw, 90)),
        "p99_raw_check_ms": float(np.percentile(raw, 99)),
        "raw_fast_share_after_warmup": fast / checks,
    }


if __name__ == "__main__":
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    print(json.dumps(run(n), indent=2))
