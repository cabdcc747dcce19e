"""What the commands share: their common options, reading inputs, writing outputs, errors, text.

This module is imported to build the argument parser (``netcap --help``), so it imports
nothing heavy at its top: the engine's modules are imported inside the functions that use
them, once a command runs.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeAlias

from netcap.money import MAX_AMOUNT
from netcap.text import human, plural, wrap

if TYPE_CHECKING:
    import pandas as pd
    from pydantic import BaseModel, ValidationError

    from netcap.dealer.strategy import Strategy

    Subcommands: TypeAlias = argparse._SubParsersAction[argparse.ArgumentParser]
    """What ``add_subparsers`` returns: each command module adds its parser to it."""


class InputError(Exception):
    """Bad input: reported to the user, exit status 2."""


# --- reading inputs ------------------------------------------------------------------------------


def validation_message(source: str, err: ValidationError) -> str:
    """One line per field pydantic refused: ``source: field a.b: message``."""
    lines = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top level)"
        lines.append(f"{source}: field {where}: {e['msg']}")
    return "\n".join(lines)


def read_json_input(path: Path | str) -> Any:
    """A JSON input file, with the checks of `netcap.book.json_file` as an input error."""
    from netcap.book.json_file import JsonInputError, read_json  # noqa: PLC0415 (loaded when used)

    try:
        return read_json(path)
    except JsonInputError as exc:
        raise InputError(str(exc)) from None


def refuse_booleans(model: type[BaseModel], data: Any, source: str) -> None:
    """true/false given for a number field is an input error (pydantic would read 1 / 0)."""
    from netcap.book.strict import BOOLEAN_NOT_A_NUMBER, booleans_in_numbers  # noqa: PLC0415

    flags = booleans_in_numbers(model, data)
    if flags:
        raise InputError(
            "\n".join(
                f"{source}: field {'.'.join(str(p) for p in loc)}: {BOOLEAN_NOT_A_NUMBER}"
                for loc in flags
            )
        )


def load_strategy(path: Path) -> Strategy:
    """Read and validate a strategy spec file."""
    from pydantic import ValidationError  # noqa: PLC0415 (loaded when used)

    from netcap.dealer.strategy import Strategy  # noqa: PLC0415

    data = read_json_input(path)
    if isinstance(data, dict) and "name" not in data:
        data["name"] = path.stem
    refuse_booleans(Strategy, data, str(path))
    try:
        return Strategy.model_validate(data)
    except ValidationError as exc:
        raise InputError(validation_message(str(path), exc)) from None


LEG_FIELDS = {"years_to_maturity": "years", "deliverable_position": "deliverable_leg"}
"""Position fields that a strategy leg spells differently."""


@contextmanager
def strategy_errors(spec: str) -> Iterator[None]:
    """A strategy whose legs fail the book checks: name the leg and its field (legs.N.field)."""
    try:
        yield
    except Exception as exc:
        from netcap.book.frame import BookError  # noqa: PLC0415 (raised only once it is loaded)

        if not isinstance(exc, BookError):
            raise
        lines = []
        for e in exc.errors:
            where = f"legs.{e.row}" if isinstance(e.row, int) else str(e.row)
            lines.append(f"{spec}: field {where}.{LEG_FIELDS.get(e.field, e.field)}: {e.message}")
        raise InputError("\n".join(lines)) from None


def _book_error_types() -> tuple[type[Exception], ...]:
    """The errors a book can raise, reading or computing it (each names its file and field)."""
    from netcap.book.book_json import BookInputError  # noqa: PLC0415 (loaded when used)
    from netcap.book.frame import BookError  # noqa: PLC0415
    from netcap.book.loading import UnsafeFileError  # noqa: PLC0415
    from netcap.rule.net_worth import NotInForceError  # noqa: PLC0415
    from netcap.rule.requirements import RequirementInputError  # noqa: PLC0415

    return (BookInputError, BookError, NotInForceError, RequirementInputError, UnsafeFileError)


@contextmanager
def book_errors(book: str) -> Iterator[None]:
    """Turn the errors a book can raise (reading or computing it) into one clean message."""
    try:
        yield
    except Exception as exc:
        if isinstance(exc, _book_error_types()):
            raise InputError(str(exc)) from None
        if isinstance(exc, NotImplementedError):
            raise InputError(f"{book}: {exc}") from None
        raise


# --- numbers in reports --------------------------------------------------------------------------

PERCENT_DIGITS = 6
"""Decimals kept in percentages of the JSON reports (float noise sits near 1e-13)."""
RATE_DIGITS = 10
"""Decimals kept in rates (fractions) of the JSON reports."""


def pct(x: float) -> float:
    """A percentage as the JSON reports keep it (`PERCENT_DIGITS` decimals)."""
    return round(x, PERCENT_DIGITS)


CAVEAT_MARK = "not computed"
"""What a haircut detail note says when a charge it names was left out (no input for it)."""


def caveats(detail: pd.DataFrame) -> list[str]:
    """The caveats carried only on detail rows' notes, one line each with the positions it hits.

    An Appendix B margin charge with no margin given is noted on its row; a reader of the
    summary or of the JSON warnings must see it too.  Only rows with a note are read.
    """
    from netcap.rule.haircuts.detail import noted_rows  # noqa: PLC0415 (the CLI starts light)

    notes = detail["note"].to_numpy(dtype=object)
    noted = noted_rows(notes)
    hit = [
        int(i)
        for i, note in zip(noted.tolist(), notes[noted].tolist(), strict=True)
        if CAVEAT_MARK in str(note)
    ]
    if not hit:
        return []
    ids: dict[str, list[str]] = {}
    for pid, note in zip(detail["id"].to_numpy(dtype=object)[hit], notes[hit], strict=True):
        for part in str(note).split("; "):
            if CAVEAT_MARK in part:
                ids.setdefault(part, []).append(str(pid))
    out = []
    for text, who in ids.items():
        shown = ", ".join(repr(x) for x in who[:5])
        more = f" and {len(who) - 5} more" if len(who) > 5 else ""
        out.append(
            f"{text}, for {plural(len(who), 'position')} ({shown}{more}): "
            "the haircut leaves that charge out"
        )
    return out


# --- text output ---------------------------------------------------------------------------------


def binding(standard: str, component: str) -> str:
    """The binding standard and component, in words."""
    return f"{human(standard)}: {human(component)}"


WARNINGS_SHOWN = 20
"""Warnings a text report prints in full; the JSON report (``--json``) lists every one."""


def print_warnings(
    warnings: Sequence[str], width: int, indent: int = 2, shown: int = WARNINGS_SHOWN
) -> None:
    """The first ``shown`` warnings, wrapped to ``width``, then how many more there are.

    A large book can carry thousands of warnings of one kind (a link on every
    covering pair); a screen of them hides the report, so past ``shown`` the text
    says how many more there are and where every one is listed.
    """
    lines = [f"warning: {w}" for w in warnings[:shown]]
    rest = len(warnings) - shown
    if rest > 0:
        lines.append(
            f"warning: {plural(rest, 'more warning')} not shown here; "
            "the report with --json lists every one"
        )
    for line in lines:
        for k, part in enumerate(wrap(line, width - indent - 2)):
            print(" " * indent + ("" if k == 0 else "  ") + part)


# --- writing outputs -----------------------------------------------------------------------------

INPUT_ARGS = ("spec", "specs", "book", "books", "folder", "trades", "facts", "requirements")
"""Argument names that hold a command's input paths (see `command_inputs`)."""


def command_inputs(args: argparse.Namespace) -> list[str]:
    """Every input path of the command, for `netcap.report.output` to protect from its outputs."""
    out: list[str] = []
    for name in (*INPUT_ARGS, *getattr(args, "input_args", ())):
        value = getattr(args, name, None)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list | tuple):
            out.extend(str(v) for v in value if v)
    return out


OUTPUT_ARGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "xlsx": ("--xlsx", (".xlsx",)),
    "csv": ("--csv", ()),
    "plot": ("--plot", ()),
}
"""Output options checked before a command runs (so a bad path fails before the work)."""


def check_outputs(args: argparse.Namespace) -> None:
    """Refuse an output path that would destroy an input or an existing file, up front."""
    targets = [(name, getattr(args, name, None)) for name in OUTPUT_ARGS]
    if not any(target for _, target in targets):
        return
    from netcap.report.output import OutputPathError, check_output  # noqa: PLC0415 (when used)

    for name, target in targets:
        if not target:
            continue
        what, suffixes = OUTPUT_ARGS[name]
        try:
            check_output(
                target,
                inputs=command_inputs(args),
                force=bool(getattr(args, "force", False)),
                what=what,
                suffixes=suffixes,
            )
        except OutputPathError as exc:
            raise InputError(str(exc)) from None


def write_output(
    args: argparse.Namespace,
    target: str,
    write: Callable[[Path], object],
    *,
    what: str,
    suffixes: tuple[str, ...] = (),
    folder: bool = False,
) -> Path:
    """Write one output of a command: never over an input, never over an existing file
    without ``--force``, an unwritable path as an input error (`netcap.report.output`)."""
    from netcap.report.output import OutputPathError  # noqa: PLC0415 (loaded when used)
    from netcap.report.output import write_output as write_checked  # noqa: PLC0415

    try:
        return write_checked(
            target,
            write,
            inputs=command_inputs(args),
            force=bool(getattr(args, "force", False)),
            what=what,
            suffixes=suffixes,
            folder=folder,
        )
    except OutputPathError as exc:
        raise InputError(str(exc)) from None


def write_xlsx(args: argparse.Namespace, write: Callable[[Path], object]) -> None:
    """Write the workbook asked for with ``--xlsx``; an unwritable path is an input error."""
    target = getattr(args, "xlsx", None)
    if not target:
        return
    write_output(args, target, write, what="--xlsx", suffixes=(".xlsx",))


def plot_file(save: Callable[[Any, Path], object], what: Any, path: Path) -> None:
    """Draw ``what`` to ``path``; a format matplotlib cannot write is an input error."""
    try:
        save(what, path)
    except ValueError as exc:  # matplotlib: "Format 'xyz' is not supported"
        raise InputError(f"{path}: --plot: {exc}") from None


# --- options several commands take ---------------------------------------------------------------


def add_force_option(p: argparse.ArgumentParser) -> None:
    """``--force``: overwrite an existing output file."""
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite an existing output file (never an input)",
    )


def add_width_option(p: argparse.ArgumentParser) -> None:
    """``--width``: the columns of text output."""
    p.add_argument(
        "--width",
        type=int,
        default=None,
        metavar="COLUMNS",
        help="lay text output out in this many columns; long labels wrap, none is cut "
        "(default: the terminal's width, else 120)",
    )


def add_xlsx_option(p: argparse.ArgumentParser, what: str) -> None:
    """``--xlsx`` (with ``--force``): also write ``what`` as a workbook."""
    p.add_argument("--xlsx", metavar="XLSX", default=None, help=f"also write {what} (.xlsx)")
    add_force_option(p)


MIN_POSITION_SIZE = 1.0
"""Smallest position size P a flag accepts: one dollar (below it no charge is a cent)."""
MAX_GRID_POINTS = 100_000
"""Most P values ``sweep --n`` computes (each is a full analysis of the strategy)."""


def position_size(text: str) -> float:
    """A position size in dollars for ``--P``, ``--from``, ``--to``, ``--sizes``.

    A finite number from `MIN_POSITION_SIZE` to `netcap.money.MAX_AMOUNT`: zero,
    negative, ``nan``, ``inf`` and text are refused where the flag is parsed.
    """
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of dollars") from None
    if not math.isfinite(value):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number of dollars")
    if not MIN_POSITION_SIZE <= value <= MAX_AMOUNT:
        raise argparse.ArgumentTypeError(
            f"{text!r}: a position size is from ${MIN_POSITION_SIZE:,.0f} to ${MAX_AMOUNT:,.0f}"
        )
    return value


def grid_points(text: str) -> int:
    """``sweep --n``: a whole number of P values from 2 to `MAX_GRID_POINTS`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 2 <= value <= MAX_GRID_POINTS:
        raise argparse.ArgumentTypeError(f"{value}: give from 2 to {MAX_GRID_POINTS:,} points")
    return value


def as_of_date(text: str) -> date:
    """An ISO date for ``--as-of`` (argparse reports a bad one as a usage error)."""
    from netcap.book.model import DATE_MAX, DATE_MIN, OUT_OF_RANGE  # noqa: PLC0415 (when parsed)

    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise argparse.ArgumentTypeError(OUT_OF_RANGE.format(day=day.isoformat()))
    return day
