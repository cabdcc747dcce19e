"""Run every benchmark and print figures against their targets.

From the repository root::

    python -m benchmarks            # the full suite (1M positions; a few minutes)
    python -m benchmarks --quick    # 10k and 100k only, no 1M runs (about a minute)

Each timing is the median of several runs in this process (``--repeat``);
the machine is shared, so medians, not minima, are reported.  Ratios are
taken within the same run.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import netcap  # noqa: E402
from benchmarks.synthetic import AS_OF, synthetic_book, synthetic_frame  # noqa: E402

COMPUTE_TARGET_S = 1.0
SPEEDUP_TARGET = 50.0
SWEEP_TARGET_S = 0.1
MEMORY_TARGET_MB = 1024.0
REFERENCE_MAX_S = 120.0


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


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


def _compute_rows(sizes: list[int], repeat: int) -> tuple[list[dict[str, Any]], dict[int, float]]:
    rows: list[dict[str, Any]] = []
    engine: dict[int, float] = {}
    for n in sizes:
        t0 = time.perf_counter()
        raw = synthetic_frame(n)
        gen = time.perf_counter() - t0
        t0 = time.perf_counter()
        sb = synthetic_book(n)
        validate = time.perf_counter() - t0 - gen
        rows.append(
            {
                "figure": f"generate + validate {n:,} positions",
                "value": f"{gen:.2f} s + {max(validate, 0.0):.2f} s",
                "target": "-",
                "met": "",
            }
        )
        del raw
        secs = median_time(lambda sb=sb: netcap.compute(sb.book, positions=sb.frame), repeat)
        engine[n] = secs
        target = COMPUTE_TARGET_S if n >= 1_000_000 else None
        rows.append(
            {
                "figure": f"compute, {n:,} positions (validated frame)",
                "value": f"{secs:.3f} s",
                "target": f"<= {target:.1f} s" if target else "-",
                "met": ("yes" if secs <= target else "NO") if target else "",
            }
        )
    return rows, engine


def _reference_row(sizes: list[int], engine: dict[int, float]) -> list[dict[str, Any]]:
    from tests.oracle import reference_haircuts  # noqa: PLC0415 (tests are optional here)

    rows = []
    # time the reference on the largest size it finishes in time, extrapolating first
    probe_n = min(sizes)
    raw = synthetic_frame(probe_n)
    records = raw.to_dict("records")
    t0 = time.perf_counter()
    reference_haircuts(records, AS_OF, 1e9)
    probe = time.perf_counter() - t0
    n = max(s for s in sizes if probe * s / probe_n <= REFERENCE_MAX_S)
    if n != probe_n:
        records = synthetic_frame(n).to_dict("records")
        t0 = time.perf_counter()
        reference_haircuts(records, AS_OF, 1e9)
        ref = time.perf_counter() - t0
    else:
        ref = probe
    ratio = ref / engine[n]
    rows.append(
        {
            "figure": f"reference (per-position loop), {n:,} positions",
            "value": f"{ref:.2f} s",
            "target": "-",
            "met": "",
        }
    )
    rows.append(
        {
            "figure": f"speed-up engine vs reference, {n:,} positions",
            "value": f"{ratio:.0f}x",
            "target": f">= {SPEEDUP_TARGET:.0f}x",
            "met": "yes" if ratio >= SPEEDUP_TARGET else "NO",
        }
    )
    return rows


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
            "value": f"{sweep:.3f} s",
            "target": f"<= {SWEEP_TARGET_S} s",
            "met": "yes" if sweep <= SWEEP_TARGET_S else "NO",
        },
        {
            "figure": f"analyze + sweep, {label}",
            "value": f"{both:.3f} s",
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


def _memory_row(n: int) -> list[dict[str, Any]]:
    """Peak resident memory of a fresh process that loads a validated book and computes it.

    The book is built here and handed over pickled, so the child's high-water
    mark is the loaded frame plus the computation, not the generator.
    """
    with tempfile.TemporaryDirectory() as tmp:
        path = str(Path(tmp) / "book.pkl")
        with open(path, "wb") as fh:
            pickle.dump(synthetic_book(n), fh)
        out = subprocess.run(
            [sys.executable, "-c", _MEMORY_CHILD.format(root=str(ROOT), path=path)],
            capture_output=True,
            text=True,
            check=True,
        )
    mb = json.loads(out.stdout.strip().splitlines()[-1])
    return [
        {
            "figure": f"peak memory (VmHWM), load + compute {n:,} positions",
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
    args = parser.parse_args(argv)
    sizes = [10_000, 100_000] if args.quick else [10_000, 100_000, 1_000_000]
    print(f"netcap benchmarks on {machine()}")
    print(f"command: python -m benchmarks{' --quick' if args.quick else ''}\n")
    rows, engine = _compute_rows(sizes, args.repeat if not args.quick else 3)
    rows += _reference_row(sizes, engine)
    rows += _sweep_rows(args.repeat)
    rows += _memory_row(max(sizes))
    rows += _pretrade_row(max(sizes))
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
