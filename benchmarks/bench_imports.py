"""Time the imports of ``netcap --help`` and ``netcap compute`` on the sample firm.

Each run is a fresh interpreter.  First the command runs under ``python -X importtime``,
started as the ``netcap`` console script starts it (``from netcap.cli import main``),
which gives the modules it imports, in order, and their own timing; the modules a bare
interpreter imports at start-up (``python -X importtime -c pass``) are not counted.  Then
a second fresh interpreter imports those same modules in the same order, timed with
``time.perf_counter`` and ``time.process_time``: the wall and CPU time the command spends
in imports.  Figures are medians of ``repeat`` runs; the target (issue 17) is judged on
the wall time, as every target of ``python -m benchmarks``.

Run alone from the repository root: ``python benchmarks/bench_imports.py``.
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "fixtures" / "sample_firm" / "book.json"
IMPORT_TARGET_S = 0.5

COMMANDS = {
    "netcap --help": ["--help"],
    "netcap compute (sample firm)": ["compute", str(SAMPLE)],
}

_RUN = "import sys\nfrom netcap.cli import main\nsys.argv = {argv!r}\nsys.exit(main())\n"

_REIMPORT = """
import importlib, json, sys, time
names = json.loads(sys.argv[1])
c0, w0 = time.process_time(), time.perf_counter()
for name in names:
    if name not in sys.modules:
        importlib.import_module(name)
print(json.dumps([time.perf_counter() - w0, time.process_time() - c0]))
"""


def _importtime(code: str) -> list[tuple[str, float]]:
    """(module, seconds including what it imported) of each top-level import of ``code``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    out = []
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "cumulative" in line:
            continue
        _, cumulative, name = line.split("|")
        if name.startswith(" ") and not name.startswith("  "):  # top level: one space
            out.append((name.strip(), int(cumulative) / 1e6))
    return out


def _reimport(names: list[str]) -> tuple[float, float]:
    done = subprocess.run(
        [sys.executable, "-c", _REIMPORT, json.dumps(names)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    wall, cpu = json.loads(done.stdout)
    return float(wall), float(cpu)


def command_imports(argv: list[str]) -> list[tuple[str, float]]:
    """The top-level imports of ``netcap *argv`` beyond a bare interpreter's, with seconds."""
    startup = {name for name, _ in _importtime("pass")}
    return [(n, s) for n, s in _importtime(_RUN.format(argv=["netcap", *argv])) if n not in startup]


def measure(argv: list[str], repeat: int) -> dict[str, float]:
    """Median seconds of the imports of ``netcap *argv``: by -X importtime, and re-timed."""
    by_importtime, walls, cpus = [], [], []
    for _ in range(repeat):
        imports = command_imports(argv)
        by_importtime.append(sum(s for _, s in imports))
        wall, cpu = _reimport([n for n, _ in imports])
        walls.append(wall)
        cpus.append(cpu)
    return {
        "importtime": statistics.median(by_importtime),
        "wall": statistics.median(walls),
        "cpu": statistics.median(cpus),
    }


def rows(repeat: int = 5) -> list[dict[str, Any]]:
    """One row of ``python -m benchmarks`` per command."""
    out = []
    for label, argv in COMMANDS.items():
        m = measure(argv, repeat)
        out.append(
            {
                "figure": f"imports of {label}",
                "value": f"{m['wall']:.3f} s wall ({m['cpu']:.3f} s CPU); "
                f"-X importtime {m['importtime']:.3f} s",
                "target": f"<= {IMPORT_TARGET_S} s",
                "met": "yes" if m["wall"] <= IMPORT_TARGET_S else "NO",
            }
        )
    return out


if __name__ == "__main__":
    for row in rows():
        print(f"{row['figure']}: {row['value']}  (target {row['target']}: {row['met']})")
