"""Commands import only what they use: ``netcap --help`` loads none of the engine, ``import
netcap`` loads nothing until a name is asked for, and ``compute`` leaves the workbook and
plotting libraries alone (issue 17: start-up in well under half a second of imports).

These are behaviour tests (which modules are loaded), not timings: the timings are in
``python -m benchmarks``.
"""

from __future__ import annotations

import ast
import subprocess
import sys

import pytest

import netcap
from tests.conftest import FIXTURES, ROOT

HEAVY = ("matplotlib", "openpyxl", "xlsxwriter", "dask", "scipy")
"""Libraries no command loads unless it writes a workbook, reads one, or draws."""


def _imported(*args: str) -> set[str]:
    """Every module a fresh interpreter imports while running ``python -X importtime *args``."""
    done = subprocess.run(
        [sys.executable, "-X", "importtime", *args],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    names = set()
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            name = line.rsplit("|", 1)[1].strip()
            if name != "package":  # the header line
                names.add(name)
    return names


def _top(names: set[str]) -> set[str]:
    return {n.split(".")[0] for n in names}


def test_help_imports_none_of_the_engine() -> None:
    loaded = _imported("-m", "netcap.cli", "--help")
    assert "netcap.cli" in loaded  # the measurement saw the command line itself
    assert _top(loaded).isdisjoint({*HEAVY, "pandas", "numpy", "pydantic", "holidays"})
    # only the command line's own modules and the two light helpers it formats with
    engine = {n for n in loaded if n.startswith("netcap.") and not n.startswith("netcap.cli")}
    assert engine <= {"netcap.money", "netcap.text"}


def test_every_command_help_imports_none_of_the_engine() -> None:
    from netcap.cli import build_parser  # noqa: PLC0415

    sub = next(a for a in build_parser()._actions if getattr(a, "choices", None))
    assert sub.choices is not None
    script = (
        "import sys, contextlib, io\n"
        "from netcap.cli import main\n"
        f"for name in {sorted(sub.choices)!r}:\n"
        "    with contextlib.redirect_stdout(io.StringIO()):\n"
        "        try:\n"
        "            main([name, '--help'])\n"
        "        except SystemExit:\n"
        "            pass\n"
    )
    loaded = _imported("-c", script)
    assert _top(loaded).isdisjoint({*HEAVY, "pandas", "numpy", "pydantic", "holidays"})


def test_compute_leaves_workbook_and_plot_libraries_alone() -> None:
    book = FIXTURES / "sample_firm" / "book.json"
    loaded = _imported("-m", "netcap.cli", "compute", str(book))
    assert "netcap.rule.computation" in loaded
    assert _top(loaded).isdisjoint(HEAVY)
    assert "netcap.report.notebook" not in loaded
    assert "netcap.report" not in loaded  # the workbook writers load only for --xlsx


def test_import_netcap_loads_no_submodule_until_a_name_is_used() -> None:
    script = (
        "import sys, netcap\n"
        "assert [m for m in sys.modules if m.startswith('netcap.')] == [], sys.modules\n"
        "assert 'pandas' not in sys.modules\n"
        "from netcap import compute, Book\n"
        "assert 'netcap.rule.computation' in sys.modules and 'netcap.book.firm' in sys.modules\n"
        "assert 'netcap.dealer.lockup' not in sys.modules\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr


def test_lazy_names_match_the_type_checking_imports() -> None:
    # mypy reads the TYPE_CHECKING imports, the interpreter reads _MODULE_OF: one list
    tree = ast.parse((ROOT / "netcap" / "__init__.py").read_text("utf-8"))
    guarded = next(n for n in tree.body if isinstance(n, ast.If))
    typed = {
        alias.asname or alias.name: node.module
        for node in guarded.body
        if isinstance(node, ast.ImportFrom)
        for alias in node.names
    }
    assert typed == netcap._MODULE_OF
    assert set(typed) | {"__version__"} == set(netcap.__all__)


def test_dir_lists_every_public_name_and_unknown_names_fail() -> None:
    assert set(netcap.__all__) <= set(dir(netcap))
    with pytest.raises(AttributeError, match="no_such_name"):
        netcap.no_such_name  # type: ignore[attr-defined]  # noqa: B018
