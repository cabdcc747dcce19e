"""Load figures: a CSV book folder read, validated and computed as ``netcap compute DIR`` runs it.

The book is the synthetic book of `benchmarks.synthetic` written as a real book folder
(``firm.csv`` and ``positions.csv``, the layout of docs/book-format.md), so the timing
covers the reader, validation, the firm and balance-sheet models, the computation, the
report lines and the printed report: everything ``netcap compute DIR`` does.  The time is
taken in this process (the report printed to a discarded stream); the peak memory in a
fresh process, so its VmHWM is that run's own.

Run alone::

    python -m benchmarks.bench_load 200000        # one size, no memory figure
    python -m benchmarks.bench_load 1000000 --memory
"""

from __future__ import annotations

import contextlib
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from benchmarks.synthetic import AS_OF, NET_WORTH_SHARE, synthetic_frame

ROOT = Path(__file__).resolve().parent.parent
LOAD_COMPUTE_TARGET_S = 4.0
"""Issue 17: load + validate + compute from a 1M-position CSV book, end to end."""
LOAD_MEMORY_TARGET_MB = 600.0
"""Issue 17: peak memory (VmHWM) of load + compute at 1M positions."""


def write_csv_book(folder: Path, n: int, seed: int = 0, *, options: bool = True) -> Path:
    """Write the synthetic book of ``n`` positions as a CSV book folder; return the folder.

    ``positions.csv`` holds the synthetic frame's columns (dates as ``YYYY-MM-DD``, blanks
    empty, yes/no as ``True``/``False``; every column, as the template
    writes them, blank ones too); ``firm.csv`` the as-of date and a net worth of
    `NET_WORTH_SHARE` of gross market value, as `benchmarks.synthetic.book_for` gives.
    """
    folder.mkdir(parents=True, exist_ok=True)
    raw = synthetic_frame(n, seed, options=options)
    gross = float(np.asarray(raw["market_value"], dtype=float).sum())
    firm = pd.DataFrame(
        {
            "field": ["as_of", "balance_sheet.net_worth"],
            "value": [AS_OF.isoformat(), f"{round(NET_WORTH_SHARE * gross, 2):.2f}"],
        }
    )
    firm.to_csv(folder / "firm.csv", index=False)
    # every column the template writes, blank ones too, as a book made from it would have
    raw.to_csv(folder / "positions.csv", index=False, date_format="%Y-%m-%d")
    return folder


def compute_folder(folder: Path) -> str:
    """``netcap compute FOLDER`` in this process; its printed report (the exit code checked)."""
    from netcap.cli import main  # noqa: PLC0415 - timed with the rest of the command

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        code = main(["compute", str(folder)])
    if code != 0:
        raise RuntimeError(f"netcap compute {folder} exited {code}")
    return out.getvalue()


def load_folder(folder: Path) -> object:
    """`netcap.book.loading.load_book` alone: reading and validating the book, no computation."""
    from netcap.book.loading import load_book  # noqa: PLC0415

    return load_book(folder)


def _clock(fn: Any, *args: Any) -> tuple[float, float]:
    c0, t0 = time.process_time(), time.perf_counter()
    fn(*args)
    return time.perf_counter() - t0, time.process_time() - c0


def _median(fn: Any, folder: Path, repeat: int) -> tuple[float, float]:
    runs = [_clock(fn, folder) for _ in range(repeat)]
    walls, cpus = zip(*runs, strict=True)
    return float(np.median(walls)), float(np.median(cpus))


_MEMORY_CHILD = """
import contextlib, io, json, sys
sys.path.insert(0, {root!r})
from netcap.cli import main
if {load_only!r}:
    from netcap.book.loading import load_book
    load_book({folder!r})
    code = 0
else:
    with contextlib.redirect_stdout(io.StringIO()):
        code = main(["compute", {folder!r}])
peak = 0.0
with open("/proc/self/status") as fh:
    for line in fh:
        if line.startswith("VmHWM:"):
            peak = int(line.split()[1]) / 1024
print(json.dumps({{"code": code, "peak": peak}}))
"""


def peak_memory_mb(folder: Path, *, load_only: bool = False) -> float:
    """VmHWM of a fresh process running ``netcap compute FOLDER`` (Linux /proc); with
    ``load_only``, of one reading and validating the book alone (`load_folder`), after the
    same imports."""
    child = _MEMORY_CHILD.format(root=str(ROOT), folder=str(folder), load_only=load_only)
    out = subprocess.run(
        [sys.executable, "-c", child],
        capture_output=True,
        text=True,
        check=True,
    )
    result = json.loads(out.stdout.strip().splitlines()[-1])
    if result["code"] != 0:
        raise RuntimeError(f"netcap compute {folder} exited {result['code']}")
    return float(result["peak"])


def load_rows(sizes: list[int], repeat: int, *, memory: bool = True) -> list[dict[str, Any]]:
    """Rows of the benchmark table for each size: load alone, load + compute, and with
    ``memory`` the peak memory of each (load alone, then the whole command).

    The targets apply at 1,000,000 positions; smaller sizes are shown for the trend.
    """
    rows: list[dict[str, Any]] = []
    for n in sizes:
        with tempfile.TemporaryDirectory() as tmp:
            folder = write_csv_book(Path(tmp) / "book", n)
            megabytes = (folder / "positions.csv").stat().st_size / 1e6
            label = f"{n:,}-position CSV book ({megabytes:.0f} MB)"
            at_target = n >= 1_000_000
            load = _median(load_folder, folder, repeat)
            rows.append(_row(f"load + validate, {label}", load, None))
            whole = _median(compute_folder, folder, repeat)
            target = LOAD_COMPUTE_TARGET_S if at_target else None
            rows.append(
                _row(f"netcap compute DIR (load + compute + report), {label}", whole, target)
            )
            if memory:
                rows.append(
                    {
                        "figure": f"peak memory (VmHWM), load + validate alone, {label}",
                        "value": f"{peak_memory_mb(folder, load_only=True):.0f} MB",
                        "target": "-",
                        "met": "",
                    }
                )
                peak = peak_memory_mb(folder)
                met = "yes" if peak <= LOAD_MEMORY_TARGET_MB else "NO"
                rows.append(
                    {
                        "figure": f"peak memory (VmHWM), netcap compute DIR, {label}",
                        "value": f"{peak:.0f} MB",
                        "target": f"<= {LOAD_MEMORY_TARGET_MB:.0f} MB" if at_target else "-",
                        "met": met if at_target else "",
                    }
                )
    return rows


def _row(figure: str, timing: tuple[float, float], target: float | None) -> dict[str, Any]:
    wall, cpu = timing
    return {
        "figure": figure,
        "value": f"{wall:.2f} s wall ({cpu:.2f} s CPU)",
        "target": f"<= {target:.1f} s" if target else "-",
        "met": ("yes" if wall <= target else "NO") if target else "",
    }


def main(argv: list[str]) -> None:
    from benchmarks.__main__ import print_table  # noqa: PLC0415

    n = int(argv[0]) if argv else 200_000
    print_table(load_rows([n], 1, memory="--memory" in argv))


if __name__ == "__main__":
    main(sys.argv[1:])
