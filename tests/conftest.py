"""Shared helpers for the tests."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import settings

from netcap.book.frame import positions_frame
from netcap.book.model import Instrument, Position, SecurityClass, Side
from netcap.rule.haircuts import HaircutOptions, HaircutResult, compute_haircuts

# CI replays the same examples every run (a red build always reproduces); locally every run
# explores new ones.  HYPOTHESIS_PROFILE=ci selects the first.  Neither has a deadline: speed
# is measured in benchmarks/, and a wall-clock limit per example fails a passing test at random
# on a shared machine, the more so with two test workers on two cores.
settings.register_profile("ci", derandomize=True, print_blob=True, deadline=None)
settings.register_profile("dev", print_blob=True, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "fixtures"
AS_OF = date(2024, 6, 28)


def gov(
    pid: str,
    side: str,
    value: float,
    years: float | None = None,
    *,
    maturity: date | None = None,
    future: bool = False,
    deliverable: str | None = None,
) -> Position:
    """A government position (cash or futures) for tests."""
    return Position(
        id=pid,
        security_class=SecurityClass.GOVERNMENT,
        instrument=Instrument.FUTURE if future else Instrument.CASH,
        side=Side(side),
        market_value=value,
        years_to_maturity=years,
        maturity=maturity,
        deliverable_position=deliverable,
    )


def haircut(
    positions: list[Position], options: HaircutOptions | None = None, **kw: float
) -> HaircutResult:
    """Haircuts of a list of positions as of AS_OF."""
    frame: pd.DataFrame = positions_frame(positions, AS_OF)
    return compute_haircuts(frame, AS_OF, options, **kw)


@dataclass(frozen=True)
class CliRun:
    """What a ``netcap`` command returned and printed (as ``subprocess.run`` reports it)."""

    args: list[str]
    returncode: int
    stdout: str
    stderr: str


def run_cli(*args: str, check: bool = False) -> CliRun:
    """Run ``netcap ARGS`` in this process, capturing its exit status, output and errors.

    The same entry point as ``python -m netcap.cli ARGS`` (``netcap.cli.main``) without
    starting a Python and importing netcap again for every call; tests about the process
    itself (a pipe closed early, the README's commands, a broken tables folder named in the
    environment) still start one.  ``check`` raises as ``subprocess.run(check=True)`` does.
    """
    from netcap.cli import main  # noqa: PLC0415 (the command line, only where a test runs it)

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(list(args))
        except SystemExit as exc:  # argparse: --help, --version, a usage error
            code = exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    if check and code != 0:
        raise subprocess.CalledProcessError(code, ["netcap", *args], out.getvalue(), err.getvalue())
    return CliRun(["netcap", *args], code, out.getvalue(), err.getvalue())


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark the property tests (hypothesis) as slow: ``-m "not slow"`` gives a quick run."""
    for item in items:
        if getattr(getattr(item, "function", None), "is_hypothesis_test", False):
            item.add_marker(pytest.mark.slow)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int | None:
    """``-n auto`` (pyproject addopts) runs one file in this process, the suite on every core.

    Starting the workers costs a few seconds, more than a small file takes; a run of one
    named file (``python -m pytest tests/test_x.py``, or one test in it) stays in one
    process.  ``None`` lets pytest-xdist count the cores.
    """
    args = config.args if config.args_source == pytest.Config.ArgsSource.ARGS else []
    if len(args) == 1 and args[0].split("::", 1)[0].endswith(".py"):
        return 0
    return None
