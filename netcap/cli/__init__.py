"""Command line: a thin layer over the Python API, one module per command.

``netcap strategy SPEC.json [--json] [--P N]``
    the dealer-registration capital analysis of one strategy.
``netcap table10 DIR [--json] [--xlsx out.xlsx]``
    every strategy spec in DIR, laid out as the SEC's Table 10 (``--xlsx``: one
    sheet per strategy with live formulas).
``netcap compute BOOK [--json] [--xlsx out.xlsx]``
    the firm's net capital computation, line by line with citations; ``--xlsx``
    also writes it as a workbook with live formulas (docs/workbook.md).
``netcap strategy SPEC.json --plot out.png``
    also draw the increase and the requirements against P.
``netcap sweep SPEC.json [--from --to --n --csv]``
    every requirement over a log grid of P, with crossovers and the limit.
``netcap combine A.json B.json [--sizes 5e7,5e7] [--json] [--plot out.png]``
    several strategies run by one firm, next to the stand-alone figures.
``netcap lockup REQS.csv [--policy withdraw|retain]``
    capital held per legal entity under the one-year lock-up of (c)(2)(i)(G).
``netcap dealer-screen FACTS.json [--json]``
    the Rules 3a5-4 / 3a44-2 checklist (informs; not legal advice).
``netcap check-tables [--dir DIR]``
    read and check every haircut table at once.
``netcap template``, ``pretrade``, ``settle``, ``focus``, ``diff``
    an empty book to fill in; net capital before and after trades; the settlement
    date and fail deadlines of a trade; FOCUS Part II / IIA box by box; two dates of
    one firm, the change attributed.

Bad input exits with status 2 and a message naming the file and field; so does
a malformed haircut table (naming the table, line and field).

Layout: each command is a module of `netcap.cli.commands` holding its subparser
(``register``) and its handler (``run``); what they share (options, reading inputs,
writing outputs, errors) is `netcap.cli.common`.  Building the parser imports none of
the engine, so ``netcap --help`` starts at once; a handler imports what it runs.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from netcap.cli.common import InputError, check_outputs
from netcap.cli.common import load_strategy as load_strategy  # read by the walkthrough

if TYPE_CHECKING:
    from netcap.rule.computation import compute as compute

__all__ = ["main"]

_LAZY = {
    "compute": "netcap.rule.computation",
    "caveats": "netcap.cli.common",
    "strategy_report": "netcap.cli.commands.strategy",
}
"""Names this package offered before its split, loaded on first use (``compute`` is the
engine ``netcap compute`` runs, looked up here so a test can stand in for it)."""


def __getattr__(name: str) -> Any:
    """PEP 562: the names of `_LAZY`, imported when first asked for."""
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    import importlib  # noqa: PLC0415

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


def _version() -> str:
    from netcap import __version__  # noqa: PLC0415 (the package's one constant)

    return __version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation).

    Each command module adds its own subparser, in the order ``netcap --help`` lists them.
    """
    from netcap.cli.commands import COMMANDS  # noqa: PLC0415 (light: handlers load the engine)

    parser = argparse.ArgumentParser(
        prog="netcap", description="Broker-dealer net capital under SEC Rule 15c3-1."
    )
    parser.add_argument("--version", action="version", version=f"netcap {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        command.register(sub)
    return parser


INTERNAL_ERROR = 70
"""Exit status of a bug that escaped every check (EX_SOFTWARE of sysexits.h)."""


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``netcap`` command.

    Exit status: 0 done; 2 bad input (the message names the file and field) or a
    command-line error; 70 an internal error, reported as one line without a Python
    traceback; output piped into a reader that stops early (``| head``) ends quietly.
    """
    args = build_parser().parse_args(argv)
    try:
        return _run(args)
    except BrokenPipeError:
        return _broken_pipe()
    except KeyboardInterrupt:
        print("netcap: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # the last line of defence: no traceback reaches a user
        return _internal_error(exc)


def _run(args: argparse.Namespace) -> int:
    try:
        check_outputs(args)
        code: int = args.func(args)
        sys.stdout.flush()
    except InputError as exc:
        print(f"netcap: {exc}", file=sys.stderr)
        return 2
    except Exception as exc:
        from netcap.rule.tables import TableError  # noqa: PLC0415 (raised only once it is loaded)

        if not isinstance(exc, TableError):
            raise
        print(f"netcap: haircut tables: {exc} (run 'netcap check-tables')", file=sys.stderr)
        return 2
    return code


def _broken_pipe() -> int:
    """The reader of standard output went away (``netcap ... | head``): stop quietly.

    Standard output is pointed at the null device so that Python's own flush at exit
    does not raise again and print a traceback.
    """
    import os  # noqa: PLC0415

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):  # pragma: no cover - stdout without a descriptor
        pass
    return 0


def _internal_error(exc: BaseException) -> int:
    text = str(exc).strip().splitlines()
    summary = f"{type(exc).__name__}: {text[0]}" if text else type(exc).__name__
    print(f"netcap: internal error, please report: {summary}", file=sys.stderr)
    return INTERNAL_ERROR
