"""Run every benchmark and print figures against their targets.

From the repository root::

    python -m benchmarks            # the full suite (1M positions; a few minutes)
    python -m benchmarks --quick    # 10k and 100k only, no 1M runs (about a minute)

Each timing is the median of several runs in this process (``--repeat``);
the machine is shared, so medians, not minima, are reported.  Every timing
shows the median wall-clock time and the median CPU time of this process
(``time.process_time``) side by side; targets are judged on the wall time, and
the CPU time tells how much of it other jobs on the machine took.  Ratios are
taken within the same run.

The reference implementation (``tests/oracle``) is timed on a book of
``--reference-size`` positions (1,000,000 on a full run, 100,000 with
``--quick``), without option rows, which it does not model; the engine is
timed on that same book for the speed-up, and both are given the book's own
tentative net capital.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import os
import pickle
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import netcap  # noqa: E402
from benchmarks.synthetic import AS_OF, book_for, synthetic_book, synthetic_frame  # noqa: E402
from netcap.book.frame import validate_frame  # noqa: E402

COMPUTE_TARGET_S = 0.5
"""Compute on a validated 1,000,000-position book with options (issue 17)."""
SPEEDUP_TARGET = 50.0
SWEEP_TARGET_S = 0.1
MEMORY_TARGET_MB = 600.0  # issue 17: load + compute at 1M
PRETRADE_TARGET_MS = 1.0
REFERENCE_SIZE = 1_000_000


@dataclass(frozen=True)
class Timing:
    """Median wall-clock and median CPU seconds (``time.process_time``) of some runs."""

    wall: float
    cpu: float

    def show(self, digits: int = 3) -> str:
        return f"{self.wall:.{digits}f} s wall ({self.cpu:.{digits}f} s CPU)"


def median_time(fn: Callable[[], object], repeat: int) -> Timing:
    walls, cpus = [], []
    for _ in range(repeat):
        c0 = time.process_time()
        t0 = time.perf_counter()
        fn()
        walls.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)
    return Timing(statistics.median(walls), statistics.median(cpus))


def timed(fn: Callable[[], Any]) -> tuple[Any, Timing]:
    """The result of one call of ``fn`` and its timing."""
    c0 = time.process_time()
    t0 = time.perf_counter()
    out = fn()
    return out, Timing(time.perf_counter() - t0, time.process_time() - c0)


def machine() -> str:
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores ({cpu}), Python {platform.python_version()}"


def _compute_rows(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for n in sizes:
        raw, gen = timed(partial(synthetic_frame, n))
        frame, validate = timed(partial(validate_frame, raw, AS_OF))
        del raw
        rows.append(
            {
                "figure": f"generate + validate {n:,} positions",
                "value": f"{gen.show(2)} + {validate.show(2)}",
                "target": "-",
                "met": "",
            }
        )
        book = book_for(frame)

        def run(book: netcap.Book = book, frame: Any = frame) -> object:
            return netcap.compute(book, positions=frame)

        secs = median_time(run, repeat)
        target = COMPUTE_TARGET_S if n >= 1_000_000 else None
        rows.append(
            {
                "figure": f"compute, {n:,} positions (validated frame, with options)",
                "value": secs.show(),
                "target": f"<= {target:.1f} s" if target else "-",
                "met": ("yes" if secs.wall <= target else "NO") if target else "",
            }
        )
        del frame
    return rows


def _times(ratio: float) -> str:
    return f"{ratio:.1f}x" if ratio < 10 else f"{ratio:.0f}x"


def _reference_rows(n: int, repeat: int) -> list[dict[str, Any]]:
    """The reference and the engine on one book of ``n`` positions without options.

    Both are given the book's own tentative net capital, which (M) measures against.
    """
    from tests.oracle import reference_haircuts  # noqa: PLC0415 (tests are optional here)

    raw = synthetic_frame(n, options=False)
    frame = validate_frame(raw, AS_OF)
    book = book_for(frame)
    tnc = netcap.compute(book, positions=frame).tentative_net_capital
    engine = median_time(lambda: netcap.compute(book, positions=frame), repeat)
    records = [{str(k): v for k, v in r.items()} for r in raw.to_dict("records")]
    del raw
    ref = median_time(lambda: reference_haircuts(records, AS_OF, tnc), 1)
    ratio = ref.wall / engine.wall
    label = f"{n:,} positions (no options)"
    return [
        {
            "figure": f"compute, {label}",
            "value": engine.show(),
            "target": "-",
            "met": "",
        },
        {
            "figure": f"reference (per-position loop), {label}",
            "value": ref.show(2),
            "target": "-",
            "met": "",
        },
        {
            "figure": f"speed-up engine vs reference, {label}",
            "value": f"{_times(ratio)} wall ({_times(ref.cpu / engine.cpu)} CPU)",
            "target": f">= {SPEEDUP_TARGET:.0f}x",
            "met": "yes" if ratio >= SPEEDUP_TARGET else "NO",
        },
    ]


def _sweep_rows(repeat: int) -> list[dict[str, Any]]:
    from benchmarks import bench_sweep  # noqa: PLC0415

    strategies, grid = bench_sweep.inputs()
    analyses = [bench_sweep.analyze(s) for s in strategies]
    sweep = median_time(lambda: [a.sweep(grid) for a in analyses], repeat)
    both = median_time(lambda: [bench_sweep.analyze(s).sweep(grid) for s in strategies], repeat)
    label = f"{len(strategies)} strategies x {len(grid):,} P"
    return [
        {
            "figure": f"sweep, {label} (analyses built)",
            "value": sweep.show(),
            "target": f"<= {SWEEP_TARGET_S} s",
            "met": "yes" if sweep.wall <= SWEEP_TARGET_S else "NO",
        },
        {
            "figure": f"analyze + sweep, {label}",
            "value": both.show(),
            "target": "-",
            "met": "",
        },
    ]


_MEMORY_CHILD = """
import json, pickle, resource, sys
sys.path.insert(0, {root!r})


def peak_mb():
    # VmHWM is this process's own high-water mark; ru_maxrss on Linux also carries
    # the parent's peak across fork and exec, so it is used only where /proc is missing
    try:
        with open("/proc/self/status") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


import netcap
with open({path!r}, "rb") as fh:
    sb = pickle.load(fh)
loaded = peak_mb()
netcap.compute(sb.book, positions=sb.frame)
print(json.dumps({{"loaded": loaded, "peak": peak_mb()}}))
"""


def _memory_row(n: int, *, options: bool = True) -> list[dict[str, Any]]:
    """Peak resident memory of a fresh process that loads a validated book and computes it.

    The book is built here and handed over pickled, so the child's high-water
    mark is the loaded frame plus the computation, not the generator.  With
    ``options=False`` the book has no option rows, and so no option columns.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "book.pkl")
        with open(path, "wb") as fh:
            pickle.dump(synthetic_book(n, options=options), fh)
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD.format(root=str(ROOT), path=path)],
            capture_output=True,
            text=True,
            check=True,
        )
    mb = json.loads(out.stdout.strip().splitlines()[-1])
    return [
        {
            "figure": f"peak memory (VmHWM), load + compute {n:,} positions"
            + ("" if options else " (no options)"),
            "value": f"{mb['peak']:.0f} MB (validated book loaded: {mb['loaded']:.0f} MB)",
            "target": f"<= {MEMORY_TARGET_MB:.0f} MB",
            "met": "yes" if mb["peak"] <= MEMORY_TARGET_MB else "NO",
        }
    ]


def _pretrade_row(n: int) -> list[dict[str, Any]]:
    available = importlib.util.find_spec("netcap.pretrade") is not None and (
        (ROOT / "benchmarks" / "bench_pretrade.py").is_file()
    )
    if available:
        module = importlib.import_module("benchmarks.bench_pretrade")
        run = getattr(module, "run", None)
        if callable(run):
            result = dict(run(n))
            known = {"figure", "value", "target", "met"}
            # a dict without a "value" shows all of its own figures
            value = result.get("value")
            if value is None:
                value = ", ".join(f"{k}={v}" for k, v in result.items() if k not in known)
            return [
                {
                    "figure": str(result.get("figure", f"pre-trade check, {n:,} positions")),
                    "value": str(value),
                    "target": str(result.get("target", "-")),
                    "met": str(result.get("met", "")),
                }
            ]
    return [
        {
            "figure": "pre-trade check (netcap.pretrade)",
            "value": "not available",
            "target": "-",
            "met": "",
        }
    ]


def _import_rows(repeat: int) -> list[dict[str, Any]]:
    from benchmarks import bench_imports  # noqa: PLC0415

    return bench_imports.rows(repeat)


def _load_rows(sizes: list[int], repeat: int) -> list[dict[str, Any]]:
    """``netcap compute DIR`` on CSV book folders: load alone, end to end, and its peak
    memory, at the largest size and at a fifth of it (`benchmarks.bench_load`)."""
    from benchmarks.bench_load import load_rows  # noqa: PLC0415

    largest = max(sizes)
    return load_rows(sorted({largest // 5, largest}), max(1, min(repeat, 3)))


def print_table(rows: list[dict[str, Any]]) -> None:
    cols = ("figure", "value", "target", "met")
    width = {c: max(len(c), *(len(str(r[c])) for r in rows)) for c in cols}
    print(" | ".join(c.ljust(width[c]) for c in cols))
    print("-|-".join("-" * width[c] for c in cols))
    for r in rows:
        print(" | ".join(str(r[c]).ljust(width[c]) for c in cols))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="skip the 1M-position runs")
    parser.add_argument("--repeat", type=int, default=5, help="runs per timing (median)")
    parser.add_argument(
        "--reference-size",
        type=int,
        default=None,
        help=f"positions in the book the reference is timed on "
        f"(default {REFERENCE_SIZE:,}; with --quick the largest quick size)",
    )
    args = parser.parse_args(argv)
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    reference_size = args.reference_size or (max(sizes) if args.quick else REFERENCE_SIZE)
    repeat = args.repeat if not args.quick else 3
    print(f"netcap benchmarks on {machine()}")
    shown = " ".join(argv if argv is not None else sys.argv[1:])
    print(f"command: python -m benchmarks{' ' + shown if shown else ''}\n")
    rows = _compute_rows(sizes, repeat)
    rows += _reference_rows(reference_size, repeat)
    rows += _sweep_rows(args.repeat)
    rows += _memory_row(max(sizes))
    rows += _memory_row(max(sizes), options=False)
    rows += _pretrade_row(max(sizes))
    rows += _import_rows(repeat)
    rows += _load_rows(sizes, repeat)
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
