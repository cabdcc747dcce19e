"""Command line: a thin layer over the Python API.

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

Bad input exits with status 2 and a message naming the file and field; so does
a malformed haircut table (naming the table, line and field).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from netcap.book_json import BookInputError
from netcap.computation import _HAIRCUT_GROUP_TITLES, compute, haircut_group
from netcap.dealer_screen import DealerFacts, screen
from netcap.fails import Fail, close_out_deadlines, fails_frame
from netcap.frame import BookError
from netcap.io import UnsafeFileError, load_book, write_template
from netcap.io.json_file import JsonInputError, read_json
from netcap.io.output import OutputPathError, check_output, write_output
from netcap.io.strict import BOOLEAN_NOT_A_NUMBER, booleans_in_numbers
from netcap.lockup import read_requirements, simulate_lockup
from netcap.model import DATE_MAX, DATE_MIN, OUT_OF_RANGE, Position, SecurityClass
from netcap.money import MAX_AMOUNT, round_dollars, round_percent
from netcap.net_worth import NotInForceError
from netcap.portfolio import LEGS_SOURCE, combine
from netcap.registration import CITATIONS, RegistrationAnalysis, analyze, sweep
from netcap.report import export_computation, export_strategies
from netcap.requirements import RequirementInputError
from netcap.settlement import CycleError, cycle_for, settlement_date
from netcap.strategy import Strategy
from netcap.tables import TableError, check_tables
from netcap.text import DEFAULT_WIDTH, human, output_width, plural, table, wrap

__all__ = ["main"]


class InputError(Exception):
    """Bad input: reported to the user, exit status 2."""


def _validation_message(source: str, err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top level)"
        lines.append(f"{source}: field {where}: {e['msg']}")
    return "\n".join(lines)


def _read_json(path: Path | str) -> Any:
    """A JSON input file, with the checks of `netcap.io.json_file` as an input error."""
    try:
        return read_json(path)
    except JsonInputError as exc:
        raise InputError(str(exc)) from None


def _refuse_booleans(model: type[BaseModel], data: Any, source: str) -> None:
    """true/false given for a number field is an input error (pydantic would read 1 / 0)."""
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
    data = _read_json(path)
    if isinstance(data, dict) and "name" not in data:
        data["name"] = path.stem
    _refuse_booleans(Strategy, data, str(path))
    try:
        return Strategy.model_validate(data)
    except ValidationError as exc:
        raise InputError(_validation_message(str(path), exc)) from None


_LEG_FIELDS = {"years_to_maturity": "years", "deliverable_position": "deliverable_leg"}
"""Position fields that a strategy leg spells differently."""


@contextmanager
def _strategy_errors(spec: str) -> Iterator[None]:
    """A strategy whose legs fail the book checks: name the leg and its field (legs.N.field)."""
    try:
        yield
    except BookError as exc:
        lines = []
        for e in exc.errors:
            where = f"legs.{e.row}" if isinstance(e.row, int) else str(e.row)
            lines.append(f"{spec}: field {where}.{_LEG_FIELDS.get(e.field, e.field)}: {e.message}")
        raise InputError("\n".join(lines)) from None


PERCENT_DIGITS = 6
"""Decimals kept in percentages of the JSON reports (float noise sits near 1e-13)."""
RATE_DIGITS = 10
"""Decimals kept in rates (fractions) of the JSON reports."""


def _pct(x: float) -> float:
    return round(x, PERCENT_DIGITS)


CAVEAT_MARK = "not computed"
"""What a haircut detail note says when a charge it names was left out (no input for it)."""


def caveats(detail: pd.DataFrame) -> list[str]:
    """The caveats carried only on detail rows' notes, one line each with the positions it hits.

    An Appendix B margin charge with no margin given is noted on its row; a reader of the
    summary or of the JSON warnings must see it too.
    """
    notes = detail["note"].astype(str)
    hit = notes.str.contains(CAVEAT_MARK, regex=False).to_numpy(dtype=bool)
    if not hit.any():
        return []
    ids: dict[str, list[str]] = {}
    for pid, note in zip(
        detail["id"].to_numpy(dtype=object)[hit], notes.to_numpy(dtype=object)[hit], strict=True
    ):
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


def strategy_report(analysis: RegistrationAnalysis) -> dict[str, Any]:
    """The JSON object printed by ``netcap strategy --json``.

    Dollar amounts are rounded to the dollar (``P`` and crossovers to the cent);
    percentages to ``PERCENT_DIGITS`` decimals and rates to ``RATE_DIGITS``, so
    that float noise (272.49999999999994) does not reach a reader who rounds the
    figure again; the ``*_rounded`` fields round half up the way Table 10 does.
    """
    s = analysis.strategy
    at = analysis.at()
    detail = analysis.haircuts.detail
    return {
        "strategy": s.name,
        "as_of": (s.as_of or date.today()).isoformat(),
        "as_of_given": s.as_of is not None,
        "P": round(s.P, 2),
        "margin_rate": round(s.margin_rate, RATE_DIGITS),
        "fixed_minimum": round(s.fixed_minimum, 2),
        "haircut": round_dollars(at.haircut),
        "haircut_pct_of_P": _pct(analysis.haircut_rate * 100.0),
        "market_maker_threshold_pct_of_P": _pct(analysis.threshold_rate * 100.0),
        "non_dealer_capital": round_dollars(at.non_dealer),
        "dealer_capital": round_dollars(at.dealer),
        "requirements": {
            "aggregate_indebtedness": round_dollars(at.aggregate_indebtedness),
            "market_maker_alternative": (
                None if at.market_maker is None else round_dollars(at.market_maker)
            ),
        },
        "binding_standard": at.standard,
        "binding_component": at.component,
        "increase_pct": _pct(at.increase_pct),
        "increase_pct_rounded": round_percent(at.increase_pct),
        "increase_pct_limit": _pct(analysis.increase_pct_limit),
        "increase_pct_limit_rounded": round_percent(analysis.increase_pct_limit),
        "crossovers": [
            {
                "P": round(c.P, 2),
                "before": {"standard": c.before[0], "component": c.before[1]},
                "after": {"standard": c.after[0], "component": c.after[1]},
            }
            for c in analysis.crossovers
        ],
        "haircut_detail": [
            {
                "id": str(r["id"]),
                "paragraph": str(r["paragraph"]),
                "bucket": str(r["bucket"]),
                "rate": round(float(r["rate"]), RATE_DIGITS),
                "exposure": round_dollars(float(r["exposure"])),
                "charge": round_dollars(float(r["charge"])),
                "note": str(r["note"]),
            }
            for r in detail.to_dict("records")
        ],
        "citations": dict(CITATIONS),
        "warnings": [*analysis.haircuts.warnings, *caveats(detail)],
    }


def _rule_date_line(report: dict[str, Any]) -> str:
    if report["as_of_given"]:
        return f"  rules in force on {report['as_of']} (the spec's as_of)"
    return f"  rules in force today, {report['as_of']} (the spec gives no as_of)"


def _binding(standard: str, component: str) -> str:
    return f"{human(standard)}: {human(component)}"


def _print_strategy(report: dict[str, Any], width: int | None = None) -> None:
    cols = output_width(width)
    print(f"{report['strategy']}  at P = ${report['P']:,.0f}")
    print(_rule_date_line(report))
    print(
        f"  haircut                  ${report['haircut']:>15,}  "
        f"({report['haircut_pct_of_P']:.4g}% of P)"
    )
    print(f"  non-dealer (margin)      ${report['non_dealer_capital']:>15,}")
    reqs = report["requirements"]
    print(f"  dealer, AI standard      ${reqs['aggregate_indebtedness']:>15,}")
    if reqs["market_maker_alternative"] is not None:
        print(f"  dealer, (a)(6) MM alt.   ${reqs['market_maker_alternative']:>15,}")
    print(
        f"  dealer requirement       ${report['dealer_capital']:>15,}  "
        f"[{_binding(report['binding_standard'], report['binding_component'])}]"
    )
    print(
        f"  increase                 {report['increase_pct_rounded']:>15.0f}%   "
        f"(P -> infinity: {report['increase_pct_limit_rounded']:.0f}%)"
    )
    for c in report["crossovers"]:
        text = (
            f"crossover at P = ${c['P']:,.2f}: "
            f"{_binding(c['before']['standard'], c['before']['component'])} -> "
            f"{_binding(c['after']['standard'], c['after']['component'])}"
        )
        for k, part in enumerate(wrap(text, cols - 4)):
            print(("  " if k == 0 else "    ") + part)
    _print_warnings(report["warnings"], cols)


def _cmd_strategy(args: argparse.Namespace) -> int:
    strategy = load_strategy(Path(args.spec))
    if args.P is not None:
        strategy = strategy.with_P(args.P)
    with _strategy_errors(args.spec):
        analysis = analyze(strategy)
    report = strategy_report(analysis)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_strategy(report, args.width)
    _strategy_plot(args, analysis)
    _write_xlsx(args, lambda path: export_strategies([analysis], path))
    return 0


RELEASE_TABLE = "release_table10.csv"
"""File in a Table 9 folder holding the release's published Table 10 columns."""


def _release_table(folder: Path) -> dict[str, dict[str, str]]:
    """The release's published Table 10 rows by strategy number (empty if the folder has none)."""
    path = folder / RELEASE_TABLE
    if not path.is_file():
        return {}
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    need = ["strategy", "at_50mm_pct", "limit_pct", "note"]
    missing = [c for c in need if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing columns {missing}")
    return {
        str(r["strategy"]).strip(): {str(k): str(v) for k, v in r.items()}
        for r in frame[need].to_dict("records")
    }


def _release_pct(text: str, path: Path, strategy: str, field: str) -> int | None:
    """A published percentage, or None where the release prints 'unknown'."""
    text = text.strip()
    if text == "unknown":
        return None
    try:
        return int(text)
    except ValueError:
        raise InputError(
            f"{path}: strategy {strategy}: field {field}: {text!r} is neither a whole "
            "percentage nor 'unknown'"
        ) from None


def _cmd_table10(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder of strategy specs")
    specs = sorted(f for f in folder.iterdir() if f.suffix.lower() == ".json" and f.is_file())
    others = [
        f.name for f in sorted(folder.iterdir()) if f not in specs and f.name != RELEASE_TABLE
    ]
    if others:  # every file is read or reported: 'strategy_2.JSON' is a spec, 'a.txt' an error
        raise InputError(
            f"{folder}: {', '.join(repr(o) for o in others)} is neither a strategy spec "
            f"(.json) nor {RELEASE_TABLE}; move it out of the folder"
        )
    if not specs:
        raise InputError(f"{folder}: no strategy spec (*.json) found")
    release = _release_table(folder)
    release_path = folder / RELEASE_TABLE
    rows: list[dict[str, Any]] = []
    analyses = []
    for spec in specs:
        with _strategy_errors(str(spec)):
            a = analyze(load_strategy(spec).with_P(args.P))
        analyses.append(a)
        rows.append(
            {
                "key": spec.stem.removeprefix("strategy_").lstrip("0"),
                "strategy": a.strategy.name,
                "haircut_pct_of_P": _pct(a.haircut_rate * 100.0),
                "increase_pct_at_P": round_percent(a.at().increase_pct),
                "increase_pct_limit": round_percent(a.increase_pct_limit),
                "warnings": [*a.haircuts.warnings, *caveats(a.haircuts.detail)],
            }
        )
    computed = {r["key"] for r in rows}
    for key in release:
        if key not in computed:  # in the release, but no spec to compute (strategy 10)
            rows.append(
                {
                    "key": key,
                    "strategy": f"Strategy {key}",
                    "haircut_pct_of_P": None,
                    "increase_pct_at_P": None,
                    "increase_pct_limit": None,
                    "warnings": [],
                }
            )
    for r in rows:
        pub = release.get(r["key"])
        for field, column in (
            ("release_pct_at_50mm", "at_50mm_pct"),
            ("release_pct_limit", "limit_pct"),
        ):
            r[field] = (
                None if pub is None else _release_pct(pub[column], release_path, r["key"], column)
            )
        r["note"] = "" if pub is None else str(pub["note"]).strip()
        r["differs_from_release"] = (
            pub is not None
            and r["increase_pct_at_P"] is not None
            and (
                (args.P == 50_000_000.0 and r["increase_pct_at_P"] != r["release_pct_at_50mm"])
                or r["increase_pct_limit"] != r["release_pct_limit"]
            )
        )
    rows.sort(key=lambda r: _strategy_order(str(r["key"])))
    summary = pd.DataFrame(
        [
            {
                "strategy": r["strategy"],
                "haircut_pct_of_P": r["haircut_pct_of_P"],
                f"increase_pct_at_P_{args.P:.0f}": r["increase_pct_at_P"],
                "increase_pct_limit": r["increase_pct_limit"],
                "release_pct_at_50mm": r["release_pct_at_50mm"],
                "release_pct_limit": r["release_pct_limit"],
                "differs_from_release": "yes" if r["differs_from_release"] else "",
                "release_note": r["note"],
            }
            for r in rows
        ]
    )
    _write_xlsx(args, lambda path: export_strategies(analyses, path, summary=summary))
    if args.json:
        out = [{k: v for k, v in r.items() if k != "key"} for r in rows]
        print(json.dumps({"P": args.P, "rows": out}, indent=2))
        return 0
    _print_table10(rows, args.P, bool(release))
    return 0


def _strategy_order(key: str) -> tuple[int, str]:
    digits = "".join(ch for ch in key if ch.isdigit())
    return (int(digits) if digits else 10**9, key)


def _print_table10(rows: list[dict[str, Any]], P: float, with_release: bool) -> None:
    def pct(x: object) -> str:
        return "unknown" if x is None else f"{x:.0f}%"

    width = max(len("strategy"), *(len(str(r["strategy"])) for r in rows))
    head = (
        f"{'strategy':<{width}} {'haircut % of P':>14} {'at P=$' + format(P, ',.0f'):>18} "
        f"{'P -> inf':>9}"
    )
    if with_release:
        head += f" {'release $50mm':>14} {'release inf':>12}"
    print(head)
    for r in rows:
        haircut = "unknown" if r["haircut_pct_of_P"] is None else f"{r['haircut_pct_of_P']:.4g}"
        line = (
            f"{r['strategy']:<{width}} {haircut:>14} "
            f"{pct(r['increase_pct_at_P']):>18} {pct(r['increase_pct_limit']):>9}"
        )
        if with_release:
            line += f" {pct(r['release_pct_at_50mm']):>14} {pct(r['release_pct_limit']):>12}"
        mark = "  * " + r["note"] if r["note"] else ""
        if r["differs_from_release"] and not mark:
            mark = "  * differs from the release"
        print(line + mark)
    caveats: dict[str, list[str]] = {}
    for r in rows:
        for w in r.get("warnings", []):
            # one line per caveat, naming the strategies it applies to (leg ids differ)
            key = w.split(", for ")[0] if CAVEAT_MARK in w else w
            caveats.setdefault(key, []).append(str(r["key"]))
    for text, keys in caveats.items():
        which = "strategy" if len(keys) == 1 else "strategies"
        print(f"warning: {text} ({which} {', '.join(keys)})")


AMOUNT_WIDTH = 18
"""Columns of an amount in the text layout of ``compute``."""


def _labelled_rows(
    rows: Sequence[tuple[int, str, str, str]], width: int, cite: int
) -> Iterator[str]:
    """Lines ``label .... amount  [citation]``, the label wrapped (never cut) to fit ``width``.

    ``rows`` are (indent, label, amount as text, citation); ``cite`` is the
    width kept for citations.  A label's continuation lines are indented two
    more columns and carry nothing else.
    """
    for indent, label, shown, citation in rows:
        label_width = max(24, width - indent - 1 - AMOUNT_WIDTH - 4 - cite)
        parts = wrap(label, label_width)
        tail = f" {shown:>{AMOUNT_WIDTH}}" + (f"  [{citation}]" if citation else "")
        yield f"{' ' * indent}{parts[0]:<{label_width}}{tail}".rstrip()
        for more in parts[1:]:
            yield f"{' ' * (indent + 2)}{more}"


def _print_computation(report: dict[str, Any], width: int | None = None) -> None:
    cols = output_width(width)
    print(f"{report['firm']} ({report['firm_type'].replace('_', '-')}), as of {report['as_of']}")
    print(f"standard: {human(report['standard'])}")
    candidates = report["requirement"]["candidates"]
    cite = max(len(x["citation"]) for x in [*report["lines"], *candidates])
    section = ""
    rows: list[tuple[int, str, str, str]] = []

    def flush() -> None:
        for line in _labelled_rows(rows, cols, cite):
            print(line)
        rows.clear()

    for ln in report["lines"]:
        if ln["section"] != section:
            flush()
            section = ln["section"]
            print(f"\n  {section.upper()}")
        amount = ln["amount"]
        if amount is None:
            shown = "n/a"
        elif ln["unit"] == "%":
            shown = f"{amount:,.2f}%"
        else:
            shown = f"-${-amount:,}" if amount < 0 else f"${amount:,}"
        rows.append((6 if ln["role"] == "item" else 4, ln["label"], shown, ln["citation"]))
    flush()
    print("\n  REQUIREMENT CANDIDATES (* binding)")
    for c in candidates:
        label = ("* " if c["binding"] else "  ") + c["basis"]
        rows.append((4, label, f"${c['amount']:,}", c["citation"]))
    flush()
    hit = [f for f in report["early_warning"] if f["triggered"]]
    print("\n  EARLY WARNING AND WITHDRAWAL TESTS")
    if not hit:
        print("    none crossed")
    for f in hit:
        for k, part in enumerate(wrap(f"CROSSED: {f['description']}  [{f['citation']}]", cols - 6)):
            print(("    " if k == 0 else "      ") + part)
    _print_conversions(report.get("currency_conversions"), cols)
    _print_warnings(report["warnings"], cols)


def _print_warnings(warnings: Sequence[str], width: int, indent: int = 2) -> None:
    """Each warning on its own lines, wrapped to ``width``."""
    for w in warnings:
        for k, part in enumerate(wrap(f"warning: {w}", width - indent - 2)):
            print(" " * indent + ("" if k == 0 else "  ") + part)


def _print_conversions(rows: list[dict[str, Any]] | None, width: int = DEFAULT_WIDTH) -> None:
    """Every amount converted to US dollars, with the rate used (netcap.currency).

    Names, not identifiers (``non-allowable asset NA-1 amount``), the dollars
    rounded once as every output amount is, each line wrapped to ``width``.
    """
    if not rows:
        return
    print("\n  CURRENCY CONVERSIONS (rate = US dollars per unit)")
    for c in rows:
        item = human(str(c["item"])).replace("non allowable", "non-allowable")
        text = (
            f"{item} {c['id']} {human(str(c['field']))}: {c['currency']} {c['amount']:,.2f}"
            f" at {c['usd_per_unit']:g} = ${round_dollars(float(c['usd'])):,}  [{c['source']}]"
        )
        for k, part in enumerate(wrap(text, width - 6)):
            print(("    " if k == 0 else "      ") + part)


@contextmanager
def _book_errors(book: str) -> Iterator[None]:
    """Turn the errors a book can raise (reading or computing it) into one clean message."""
    try:
        yield
    except (
        BookInputError,
        BookError,
        NotInForceError,
        RequirementInputError,
        UnsafeFileError,
    ) as exc:
        raise InputError(str(exc)) from None
    except NotImplementedError as exc:
        raise InputError(f"{book}: {exc}") from None


def _cmd_compute(args: argparse.Namespace) -> int:
    with _book_errors(args.book):
        loaded = load_book(args.book)
        result = compute(loaded.book, positions=loaded.positions)
    _write_xlsx(args, lambda path: export_computation(result, path, loaded=loaded))
    report = result.to_dict(detail=bool(args.json))  # the text report shows no detail rows
    report["warnings"] = [*report["warnings"], *caveats(result.haircuts.detail)]
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_computation(report, args.width)
    return 0


def _write_xlsx(args: argparse.Namespace, write: Callable[[Path], object]) -> None:
    """Write the workbook asked for with ``--xlsx``; an unwritable path is an input error."""
    target = getattr(args, "xlsx", None)
    if not target:
        return
    _write_output(args, target, write, what="--xlsx", suffixes=(".xlsx",))


_INPUT_ARGS = ("spec", "specs", "book", "books", "folder", "trades", "facts", "requirements")
"""Argument names that hold a command's input paths (see `_command_inputs`)."""


def _command_inputs(args: argparse.Namespace) -> list[str]:
    """Every input path of the command, for `netcap.io.output` to protect from its outputs."""
    out: list[str] = []
    for name in (*_INPUT_ARGS, *getattr(args, "input_args", ())):
        value = getattr(args, name, None)
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, list | tuple):
            out.extend(str(v) for v in value if v)
    return out


def _write_output(
    args: argparse.Namespace,
    target: str,
    write: Callable[[Path], object],
    *,
    what: str,
    suffixes: tuple[str, ...] = (),
    folder: bool = False,
) -> Path:
    """Write one output of a command: never over an input, never over an existing file
    without ``--force``, an unwritable path as an input error (`netcap.io.output`)."""
    try:
        return write_output(
            target,
            write,
            inputs=_command_inputs(args),
            force=bool(getattr(args, "force", False)),
            what=what,
            suffixes=suffixes,
            folder=folder,
        )
    except OutputPathError as exc:
        raise InputError(str(exc)) from None


def _add_force_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--force",
        action="store_true",
        help="overwrite an existing output file (never an input)",
    )


def _add_width_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--width",
        type=int,
        default=None,
        metavar="COLUMNS",
        help="lay text output out in this many columns; long labels wrap, none is cut "
        "(default: the terminal's width, else 120)",
    )


def _add_xlsx_option(p: argparse.ArgumentParser, what: str) -> None:
    p.add_argument("--xlsx", metavar="XLSX", default=None, help=f"also write {what} (.xlsx)")
    _add_force_option(p)


_NOT_A_TEMPLATE = frozenset({".json", ".csv", ".xls", ".xlsm", ".xlsb", ".ods", ".txt"})
"""Suffixes ``template`` refuses: a file name, not a folder it could write sheets into."""


def _cmd_template(args: argparse.Namespace) -> int:
    path = Path(args.path)
    xlsx = path.suffix.lower() == ".xlsx"
    if path.suffix.lower() in _NOT_A_TEMPLATE:
        raise InputError(
            f"{path}: template writes a .xlsx workbook or a folder of .csv sheets, "
            f"not a {path.suffix} file"
        )
    _write_output(args, args.path, write_template, what="template", folder=not xlsx)
    return 0


def _version() -> str:
    from netcap import __version__  # noqa: PLC0415 (the package imports this module's peers)

    return __version__


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation)."""
    parser = argparse.ArgumentParser(
        prog="netcap", description="Broker-dealer net capital under SEC Rule 15c3-1."
    )
    parser.add_argument("--version", action="version", version=f"netcap {_version()}")
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("strategy", help="dealer-registration capital increase of one strategy")
    p.add_argument("spec", help="strategy spec (JSON)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--P", type=_position_size, default=None, help="position size in dollars")
    _add_width_option(p)
    p.set_defaults(func=_cmd_strategy)
    _add_strategy_plot_option(p)
    _add_xlsx_option(p, "a workbook with live formulas over P")

    t = sub.add_parser("table10", help="lay out every strategy spec in a folder as Table 10")
    t.add_argument("folder", help="folder of strategy specs")
    t.add_argument(
        "--P", type=_position_size, default=50_000_000.0, help="position size (default $50mm)"
    )
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=_cmd_table10)
    _add_xlsx_option(t, "one sheet per strategy with live formulas")

    c = sub.add_parser("compute", help="net capital computation of a firm's book")
    c.add_argument(
        "book",
        help="the firm's book: .json, .xlsx or a folder of .csv sheets (see docs/book-format.md)",
    )
    c.add_argument("--json", action="store_true", help="print one JSON object")
    _add_width_option(c)
    c.set_defaults(func=_cmd_compute)
    _add_xlsx_option(c, "the computation as a workbook with live formulas")

    tp = sub.add_parser("template", help="write an empty book to fill in (.xlsx or a folder)")
    tp.add_argument("path", help="book.xlsx, or a folder for .csv sheets")
    tp.set_defaults(func=_cmd_template)
    _add_force_option(tp)
    ct = sub.add_parser("check-tables", help="read and check every haircut table at once")
    ct.add_argument(
        "--dir",
        default=None,
        help="folder of tables (default: $NETCAP_TABLES, else the tables netcap ships)",
    )
    ct.set_defaults(func=_cmd_check_tables)
    _add_whatif_commands(sub)
    _add_pretrade_command(sub)
    _add_settle_command(sub)
    _add_focus_command(sub)
    _add_diff_command(sub)
    return parser


def _cmd_check_tables(args: argparse.Namespace) -> int:
    problems = check_tables(Path(args.dir) if args.dir else None)
    if problems:
        raise InputError("\n".join(["haircut tables:", *(f"  {p}" for p in problems)]))
    print("every haircut table reads and checks clean")
    return 0


# --- settle: the settlement cycle and the deadlines that run from it ----------------------------


def _add_settle_command(sub: Any) -> None:
    st = sub.add_parser(
        "settle",
        help="settlement date of a trade (15c6-1 cycle in force) and the fail deadlines",
    )
    st.add_argument("trade_date", help="trade date, YYYY-MM-DD")
    st.add_argument(
        "--class",
        dest="security_class",
        default="equity",
        help="security class (default equity), as in the book format",
    )
    st.add_argument(
        "--firm-commitment-after-430",
        action="store_true",
        help="firm-commitment offering priced after 4:30 p.m. Eastern (15c6-1(c))",
    )
    st.add_argument(
        "--agreed-cycle",
        type=int,
        default=None,
        help="a cycle in business days the parties expressly agreed",
    )
    st.add_argument("--json", action="store_true", help="print one JSON object")
    st.set_defaults(func=_cmd_settle)


def _iso(value: Any) -> str | None:
    return None if pd.isna(value) else str(pd.Timestamp(value).date().isoformat())


def _cmd_settle(args: argparse.Namespace) -> int:
    try:
        trade = date.fromisoformat(args.trade_date)
    except ValueError as exc:
        raise InputError(f"trade_date: {args.trade_date!r} is not a date (use YYYY-MM-DD)") from exc
    classes = [c.value for c in SecurityClass]
    if args.security_class not in classes:
        raise InputError(f"--class: {args.security_class!r} is not one of {classes}")
    kwargs: dict[str, Any] = {
        "firm_commitment_after_430": args.firm_commitment_after_430,
        "agreed_cycle": args.agreed_cycle,
    }
    # a date outside the calendar is the trade date's fault, unless a cycle was agreed
    blame = "trade_date" if args.agreed_cycle is None else "--agreed-cycle"
    try:
        rule = cycle_for(trade, args.security_class, **kwargs)
        settle = settlement_date(trade, args.security_class, **kwargs)
    except (CycleError, ValueError) as exc:
        raise InputError(f"{'trade_date' if 'range' in str(exc) else blame}: {exc}") from None
    fails = [
        Fail(
            id=sale,
            security_class=args.security_class,
            side="fail_to_deliver",
            trade_date=trade,
            settlement_date=settle,
            contract_value=0.0,
            market_value=0.0,
            sale_type=sale,
        )
        for sale in ("short", "long", "market_maker")
    ]
    try:
        deadlines = close_out_deadlines(fails_frame(fails))
    except (BookError, CycleError, ValueError) as exc:  # a deadline past the calendar's end
        lines = [str(e) for e in exc.errors] if isinstance(exc, BookError) else [str(exc)]
        raise InputError(f"trade_date {trade.isoformat()}: " + "; ".join(lines)) from None
    out: dict[str, Any] = {
        "trade_date": trade.isoformat(),
        "security_class": args.security_class,
        "cycle_business_days": rule.business_days,
        "cycle": rule.key,
        "basis": rule.basis,
        "citation": rule.citation,
        "calendar": rule.calendar.value,
        "settlement_date": settle.isoformat(),
        "fail_to_deliver_deadlines": [
            {
                "sale_type": str(row.id),
                "reg_sho_close_out_by": _iso(row.reg_sho_close_out_by),
                "reg_sho_citation": row.reg_sho_citation or None,
                "buy_in_15c3_3m_by": _iso(row.buy_in_15c3_3m_by),
            }
            for row in deadlines.itertuples()
        ],
    }
    if args.json:
        print(json.dumps(out, indent=2))
        return 0
    print(
        f"trade {out['trade_date']} ({args.security_class}): T+{rule.business_days} "
        f"[{rule.citation}; {rule.basis}], {rule.calendar.value} calendar"
    )
    print(f"  settlement date            {out['settlement_date']}")
    for d in out["fail_to_deliver_deadlines"]:
        if d["reg_sho_close_out_by"]:
            print(
                f"  fail to deliver, {d['sale_type'].replace('_', '-') + ' sale':<18} close out by "
                f"{d['reg_sho_close_out_by']} [{d['reg_sho_citation']}]"
            )
    print(
        f"  customer securities not received: buy in by "
        f"{out['fail_to_deliver_deadlines'][0]['buy_in_15c3_3m_by']} [15c3-3(m)]"
    )
    return 0


# --- what-if commands (sweep, combine, lockup, dealer-screen, --plot) ----------------------------


def _add_strategy_plot_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--plot", metavar="PNG", default=None, help="write the charts to this file")


def _strategy_plot(args: argparse.Namespace, analysis: RegistrationAnalysis) -> None:
    if getattr(args, "plot", None):
        from netcap.plot import save_strategy_figure  # noqa: PLC0415 (optional extra)

        _write_output(
            args, args.plot, lambda p: _plot_file(save_strategy_figure, analysis, p), what="--plot"
        )


def _plot_file(save: Callable[[Any, Path], object], what: Any, path: Path) -> None:
    """Draw ``what`` to ``path``; a format matplotlib cannot write is an input error."""
    try:
        save(what, path)
    except ValueError as exc:  # matplotlib: "Format 'xyz' is not supported"
        raise InputError(f"{path}: --plot: {exc}") from None


def _cmd_sweep(args: argparse.Namespace) -> int:
    import numpy as np  # noqa: PLC0415

    strategy = load_strategy(Path(args.spec))
    if not 0 < args.low < args.high:
        raise InputError(f"--from {args.low} / --to {args.high}: need 0 < from < to")
    grid = np.geomspace(args.low, args.high, args.n)
    with _strategy_errors(args.spec):
        out = sweep(strategy, grid)
    if args.csv:
        _write_output(
            args, args.csv, lambda p: _sweep_rounded(out).to_csv(p, index=False), what="--csv"
        )
    else:
        for line in _sweep_text(out, output_width(args.width)):
            print(line)
    print(
        f"crossovers: {[round(p, 2) for p in out.attrs['crossovers']]}; "
        f"increase as P -> infinity: {out.attrs['increase_pct_limit']:.4g}%",
        file=sys.stderr,
    )
    return 0


_SWEEP_DOLLARS = (
    "haircut",
    "threshold",
    "non_dealer",
    "dealer_margin",
    "aggregate_indebtedness",
    "market_maker",
    "dealer",
)


def _sweep_rounded(frame: pd.DataFrame) -> pd.DataFrame:
    """The sweep as ``--csv`` writes it: P to the cent, dollars to the dollar, % off float noise.

    Identifiers stay as they are (the CSV is for programs, like ``--json``).
    """
    out = frame.copy()
    out["P"] = [round(float(p), 2) for p in out["P"]]
    for col in _SWEEP_DOLLARS:
        out[col] = pd.array(
            [None if pd.isna(v) else round_dollars(float(v)) for v in out[col]], dtype="Int64"
        )
    out["increase_pct"] = [_pct(float(v)) for v in out["increase_pct"]]
    return out


_ABBREVIATIONS = {
    "aggregate_indebtedness": "AI",
    "market_maker_alternative": "MM",
    "margin": "margin",
    "fixed_minimum_plus_haircut": "F + haircut",
    "fixed_minimum": "F",
    "market_maker_threshold": "threshold",
}


def _sweep_text(frame: pd.DataFrame, width: int) -> list[str]:
    """The sweep as a text table with names for headers and a key to the binding column."""

    def dollars(col: str) -> list[str]:
        return ["n/a" if pd.isna(v) else f"${round_dollars(float(v)):,}" for v in frame[col]]

    columns: list[tuple[str, list[str], str]] = [
        ("position size P", [f"${float(p):,.0f}" for p in frame["P"]], ">"),
        ("haircut", dollars("haircut"), ">"),
        ("market-maker threshold (a)(6)", dollars("threshold"), ">"),
        ("non-dealer margin", dollars("non_dealer"), ">"),
        ("dealer margin", dollars("dealer_margin"), ">"),
        ("dealer, AI standard (a)(1)(i)", dollars("aggregate_indebtedness"), ">"),
        ("dealer, market-maker alternative", dollars("market_maker"), ">"),
        ("dealer requirement", dollars("dealer"), ">"),
        (
            "binding",
            [
                f"{_ABBREVIATIONS[str(s)]}: {_ABBREVIATIONS[str(c)]}"
                for s, c in zip(frame["standard"], frame["component"], strict=True)
            ],
            "<",
        ),
        ("increase", [f"{float(v):,.2f}%" for v in frame["increase_pct"]], ">"),
    ]
    key = (
        "binding: AI = aggregate indebtedness standard (a)(1)(i), MM = market-maker "
        "alternative (a)(6)(iii)(A); F = fixed minimum (a)(2)(iii), threshold = the (a)(6) "
        "threshold, margin = the non-dealer margin"
    )
    return [*table(columns, width), "", *wrap(key, width)]


def _cmd_combine(args: argparse.Namespace) -> int:
    strategies = [load_strategy(Path(p)) for p in args.specs]
    sizes = None
    if args.sizes is not None:  # an empty --sizes '' is an error, not "no sizes"
        sizes = []
        for x in args.sizes.split(","):
            try:
                sizes.append(_position_size(x))
            except argparse.ArgumentTypeError as exc:
                raise InputError(f"--sizes: {exc}") from None
        if len(sizes) != len(strategies):
            raise InputError(f"--sizes: {len(sizes)} sizes for {len(strategies)} strategies")
    book: pd.DataFrame | tuple[Position, ...] | None = None
    on: date | None = args.as_of
    capital: float | None = None
    # --as-of says which date applies: combine computes every strategy on it, noting each
    # strategy that named another
    if args.book:
        with _book_errors(args.book):
            loaded = load_book(args.book)
            # the firm's own capital before haircuts is the base of (c)(2)(vi)(M), as in compute
            whole = compute(loaded.book, positions=loaded.positions)
        capital = whole.tentative_net_capital + whole.haircuts.pre_tentative
        if on is None:
            # one computation date: the book's (its maturities are measured from it);
            # a strategy that names another date is an error unless --as-of says which
            on = loaded.book.as_of
            for s, spec in zip(strategies, args.specs, strict=True):
                if s.as_of is not None and s.as_of != on:
                    raise InputError(
                        f"{spec}: field as_of: {s.as_of.isoformat()} differs from the book's "
                        f"as_of {on.isoformat()} ({args.book}); a combination has one date: "
                        f"give --as-of to say which applies (--as-of {on.isoformat()} for the "
                        "book's)"
                    )
        # the validated frame keeps the file's row numbers; at another date the positions
        # are validated again so their maturities run from that date
        book = (
            loaded.positions
            if on == loaded.book.as_of
            else _positions_of(loaded.positions, args.book)
        )
    try:
        c = combine(strategies, book, sizes=sizes, as_of=on, net_capital_before_haircuts=capital)
    except BookError as exc:
        raise InputError(
            _combine_errors(exc, args.book, args.specs, [len(s.legs) for s in strategies])
        ) from None
    except ValueError as exc:
        raise InputError(str(exc)) from None
    notes = list(c.notes)
    warnings = [*c.haircuts.warnings, *caveats(c.haircuts.detail)]
    if capital is not None:
        notes.append(
            f"net capital before haircuts, the base of 15c3-1(c)(2)(vi)(M): "
            f"${round_dollars(capital):,}, from {args.book}"
        )
    table = c.table()
    if args.json:
        print(
            json.dumps(
                {
                    "rows": [
                        {str(k): _combine_cell(str(k), v) for k, v in r.items()}
                        for r in table.to_dict("records")
                    ],
                    "sum_of_standalone_increase_pct": _pct(c.sum_of_increase_pct),
                    "combined_increase_pct": _pct(c.increase_pct),
                    "combined_standard": c.standard,
                    "combined_component": c.component,
                    "saving": round_dollars(c.saving),
                    "as_of": None if c.as_of is None else c.as_of.isoformat(),
                    "net_capital_before_haircuts": (
                        None if capital is None else round_dollars(capital)
                    ),
                    "notes": notes,
                    "warnings": warnings,
                },
                indent=2,
            )
        )
    else:
        cols = output_width(args.width)
        when = (
            f"rules in force on {c.as_of.isoformat()}" if c.as_of is not None else "rules of today"
        )
        print(f"Strategies run by one firm, {when}")
        for line in _combine_text(table, cols):
            print(line)
        summary = (
            f"The stand-alone increases added up: {c.sum_of_increase_pct:,.2f}%; the combined "
            f"firm: {c.increase_pct:,.2f}% [{_binding(c.standard, c.component)}]; running "
            f"together saves ${round_dollars(c.saving):,} of dealer capital."
        )
        print()
        for line in wrap(summary, cols):
            print(line)
        for note in notes:
            for k, part in enumerate(wrap(f"note: {note}", cols - 2)):
                print(("" if k == 0 else "  ") + part)
        _print_warnings(warnings, cols, indent=0)
    if args.plot:
        from netcap.plot import plot_combination  # noqa: PLC0415 (optional extra)

        def save(combination: Any, path: Path) -> None:
            ax = plot_combination(combination)
            ax.figure.tight_layout()
            ax.figure.savefig(path, dpi=120)

        _write_output(args, args.plot, lambda p: _plot_file(save, c, p), what="--plot")
    return 0


_DOLLARS = {"haircut", "non_dealer", "dealer"}


def _combine_text(frame: pd.DataFrame, width: int) -> list[str]:
    """``combine``'s table as text: names in full (wrapped), dollars to the dollar."""
    name_width = max(24, min(44, width // 3))
    names: list[str] = []
    rows: list[list[str]] = []
    for r in frame.to_dict("records"):
        parts = wrap(str(r["name"]), name_width - 2)
        cells = [
            f"${round_dollars(float(r['haircut'])):,}",
            f"${round_dollars(float(r['non_dealer'])):,}",
            f"${round_dollars(float(r['dealer'])):,}",
            f"{float(r['increase_pct']):,.2f}%",
        ]
        for k, part in enumerate(parts):
            names.append(part if k == 0 else "  " + part)
            rows.append(cells if k == 0 else ["", "", "", ""])
    heads = ["haircut", "non-dealer margin", "dealer requirement", "increase"]
    columns: list[tuple[str, list[str], str]] = [("", names, "<")]
    columns += [(h, [row[k] for row in rows], ">") for k, h in enumerate(heads)]
    return table(columns, width)


def _combine_cell(key: str, value: Any) -> Any:
    """A cell of ``netcap combine --json``: dollars to the dollar, percentages off float noise."""
    if key in _DOLLARS:
        return round_dollars(value)
    if key.endswith("_pct") and isinstance(value, float):
        return _pct(value)
    return value


def _combine_errors(
    exc: BookError, book: str | None, specs: Sequence[str], legs: Sequence[int]
) -> str:
    """Book errors of ``combine`` named by the file they came from: a spec's leg or a book row."""
    lines = []
    for e in exc.errors:
        if e.source == LEGS_SOURCE and isinstance(e.row, int):
            k, row = 0, e.row
            while k < len(legs) - 1 and row >= legs[k]:
                row -= legs[k]
                k += 1
            field = _LEG_FIELDS.get(e.field, e.field)
            lines.append(f"{specs[k]}: field legs.{row}.{field}: {e.message}")
        else:
            lines.append(f"{book}: {e}" if book else str(e))
    return "\n".join(lines)


def _positions_of(frame: pd.DataFrame, source: str) -> tuple[Position, ...]:
    """The rows of a loaded book's validated position frame as positions again."""
    fields = [f for f in Position.model_fields if f in frame.columns]
    out: list[Position] = []
    for i, rec in enumerate(frame[fields].to_dict("records")):
        data: dict[Any, Any] = {}
        for k, v in rec.items():
            if v is None or (not isinstance(v, str) and pd.isna(v)):
                continue
            if isinstance(v, pd.Timestamp):
                data[k] = v.date()
            elif k == "market_makers":
                data[k] = int(v)
            else:
                data[k] = v
        try:
            out.append(Position.model_validate(data))
        except ValidationError as exc:
            raise InputError(_validation_message(f"{source}: position {i + 1}", exc)) from None
    return tuple(out)


def _cmd_lockup(args: argparse.Namespace) -> int:

    path = Path(args.requirements)
    try:
        frame = read_requirements(path)
    except UnsafeFileError as exc:
        raise InputError(str(exc)) from None
    except ValueError as exc:
        raise InputError(str(exc)) from None
    try:
        result = simulate_lockup(frame, policy=args.policy)
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None

    def shown(x: float) -> str:
        return f"{round_dollars(float(x)):,}" if math.isfinite(x) else "n/a"

    print(result.frame().to_string(float_format=shown))
    # dollars rounded once to the dollar (docs/numeric-policy.md); the ratio to 4 decimals
    summary = {
        k: (round(v, 4) if k == "peak_ratio" else float(round_dollars(float(v))))
        if math.isfinite(v)
        else None
        for k, v in result.summary().items()
    }
    print(json.dumps(summary, indent=2, allow_nan=False))
    return 0


MIN_POSITION_SIZE = 1.0
"""Smallest position size P a flag accepts: one dollar (below it no charge is a cent)."""
MAX_GRID_POINTS = 100_000
"""Most P values ``sweep --n`` computes (each is a full analysis of the strategy)."""


def _position_size(text: str) -> float:
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


def _grid_points(text: str) -> int:
    """``sweep --n``: a whole number of P values from 2 to `MAX_GRID_POINTS`."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 2 <= value <= MAX_GRID_POINTS:
        raise argparse.ArgumentTypeError(f"{value}: give from 2 to {MAX_GRID_POINTS:,} points")
    return value


def _as_of_date(text: str) -> date:
    """An ISO date for ``--as-of`` (argparse reports a bad one as a usage error)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD)") from None
    if not DATE_MIN <= day <= DATE_MAX:
        raise argparse.ArgumentTypeError(OUT_OF_RANGE.format(day=day.isoformat()))
    return day


def _cmd_dealer_screen(args: argparse.Namespace) -> int:
    path = Path(args.facts)
    data = _read_json(path)
    _refuse_booleans(DealerFacts, data, str(path))
    try:
        facts = DealerFacts.model_validate(data)
    except ValidationError as exc:
        raise InputError(_validation_message(str(path), exc)) from None
    try:
        result = screen(facts, args.as_of)
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None
    if args.json:
        print(json.dumps(result.to_dict(), indent=2))
        return 0
    cols = output_width(args.width)
    for line in str(result).splitlines():  # each line wrapped, its continuation indented
        indent = len(line) - len(line.lstrip())
        for k, part in enumerate(wrap(line.strip(), cols - indent - (2 if indent else 0))):
            print(" " * (indent + (2 if k else 0)) + part)
    return 0


def _add_whatif_commands(sub: Any) -> None:
    s = sub.add_parser("sweep", help="requirements of one strategy over a log grid of P")
    s.add_argument("spec", help="strategy spec (JSON), as for 'strategy'")
    s.add_argument(
        "--from",
        dest="low",
        type=_position_size,
        default=1e5,
        help="smallest P in dollars (default 1e5)",
    )
    s.add_argument(
        "--to",
        dest="high",
        type=_position_size,
        default=1e10,
        help="largest P in dollars (default 1e10)",
    )
    s.add_argument(
        "--n", type=_grid_points, default=51, help="number of P values, log-spaced (default 51)"
    )
    s.add_argument(
        "--csv",
        default=None,
        help="write the table to this CSV file (P to the cent, dollars to the dollar)",
    )
    _add_width_option(s)
    s.set_defaults(func=_cmd_sweep)
    _add_force_option(s)

    c = sub.add_parser("combine", help="several strategies run by one firm vs stand-alone")
    c.add_argument("specs", nargs="+", help="strategy specs (JSON) run together by one firm")
    c.add_argument("--sizes", default=None, help="comma-separated P of each strategy")
    c.add_argument(
        "--book",
        metavar="PATH",
        default=None,
        help="the firm's existing book (as for 'compute'): its positions are charged with the "
        "strategies and pay the 2%% book margin",
    )
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.add_argument(
        "--as-of",
        dest="as_of",
        type=_as_of_date,
        default=None,
        help="the combination's one computation date, YYYY-MM-DD (default: the book's, "
        "else the strategies')",
    )
    c.add_argument(
        "--plot",
        metavar="PNG",
        default=None,
        help="bar chart: stand-alone vs combined (matplotlib)",
    )
    _add_width_option(c)
    c.set_defaults(func=_cmd_combine)
    _add_force_option(c)

    lk = sub.add_parser("lockup", help="capital held per entity under the one-year lock-up")
    lk.add_argument(
        "requirements",
        metavar="csv",
        help="CSV: date column, then one column of requirements per entity",
    )
    lk.add_argument(
        "--policy",
        choices=("withdraw", "retain"),
        default="withdraw",
        help="withdraw every free dollar once its year is up (default), or never withdraw",
    )
    lk.set_defaults(func=_cmd_lockup)

    d = sub.add_parser("dealer-screen", help="Rules 3a5-4 / 3a44-2 checklist (not legal advice)")
    d.add_argument("facts", help="facts (JSON, fields of netcap.dealer_screen.DealerFacts)")
    d.add_argument("--json", action="store_true", help="print one JSON object")
    d.add_argument(
        "--as-of",
        dest="as_of",
        type=_as_of_date,
        default=None,
        help="screen under the rules of this date, YYYY-MM-DD (default: today)",
    )
    _add_width_option(d)
    d.set_defaults(func=_cmd_dealer_screen)


# --- pre-trade check (netcap pretrade) ----------------------------------------------------------


def _add_pretrade_command(sub: Any) -> None:
    pt = sub.add_parser("pretrade", help="net capital before and after one trade or a list")
    pt.add_argument("book", help="the firm's book (as for 'compute')")
    pt.add_argument(
        "trades",
        help="JSON: one position, or a list applied one after another; an item "
        '{"remove": "<id>"} takes that position out of the book',
    )
    pt.add_argument("--json", action="store_true", help="print one JSON object")
    _add_width_option(pt)
    pt.set_defaults(func=_cmd_pretrade)


def _removal(item: dict[str, Any]) -> str:
    """The position id of a ``{"remove": "<id>"}`` item (nothing else may be in it)."""
    pid = item["remove"]
    if set(item) != {"remove"} or not isinstance(pid, str) or not pid:
        raise ValueError('a removal is {"remove": "<position id>"} and nothing else')
    return pid


def _cmd_pretrade(args: argparse.Namespace) -> int:
    from netcap.pretrade import PreTradeState  # noqa: PLC0415

    raw = _read_json(args.trades)
    trades = raw if isinstance(raw, list) else [raw]
    if not trades or not all(isinstance(t, dict) for t in trades):
        raise InputError(f"{args.trades}: give one trade (an object) or a list of objects")
    with _book_errors(args.book):
        loaded = load_book(args.book)
        state = PreTradeState(loaded.book, positions=loaded.positions)
    for i, trade in enumerate(trades):
        if "remove" not in trade:
            _refuse_booleans(Position, trade, f"{args.trades}: trade {i}")
    results = []
    for i, trade in enumerate(trades):
        try:
            if "remove" in trade:
                results.append(state.remove(_removal(trade)).to_dict())
            else:
                results.append(state.add(trade).to_dict())
        except KeyError as exc:
            raise InputError(f"{args.trades}: trade {i + 1}: {exc.args[0]}") from None
        except (BookError, ValueError) as exc:
            raise InputError(f"{args.trades}: trade {i + 1}: {exc}") from None
    results = [_pretrade_report(r) for r in results]
    if args.json:
        print(json.dumps({"trades": results}, indent=2))
        return 0
    cols = output_width(args.width)
    for n, r in enumerate(results, start=1):
        verdict = "allowed" if r["allowed"] else "NOT allowed"
        what = "remove" if r["action"] == "remove" else "add"
        count = f" ({n} of {len(results)})" if len(results) > 1 else ""
        how = _PRETRADE_METHODS.get(str(r["method"]), str(r["method"]))
        print(f"{what} {r['position_id']}{count}: {verdict} ({how})")
        rows: list[tuple[str, str, str, str]] = []
        for key, label in _PRETRADE_LINES:
            b, a, d = r["before"][key], r["after"][key], r["delta"][key]
            rows.append((label, f"${b:,}", f"${a:,}", f"{d:+,}"))
        rows.append(("Net capital requirement", f"${r['requirement']:,}", "", ""))
        for c in r["changed_paragraphs"]:
            group = haircut_group(c["paragraph"])
            title = _HAIRCUT_GROUP_TITLES.get(group, group)
            rows.append(
                (
                    f"  of which {title} [{c['paragraph']}]",
                    f"${c['before']:,}",
                    f"${c['after']:,}",
                    f"{c['delta']:+,}",
                )
            )
        columns: list[tuple[str, list[str], str]] = [
            ("", [wrapped for row in rows for wrapped in _first_only(row[0], cols)], "<")
        ]
        for k, head in enumerate(("before", "after", "change"), start=1):
            cells: list[str] = []
            for row in rows:
                cells += [row[k]] + [""] * (len(_first_only(row[0], cols)) - 1)
            columns.append((head, cells, ">"))
        for line in table(columns, cols):
            print("  " + line)
        added = [f for f in r["after"]["flags"] if f not in r["before"]["flags"]]
        if added:
            print(f"  new flags: {', '.join(added)}")
    return 0


# --- focus: the computation on FOCUS Part II / IIA, box by box ---------------------------------


def _add_focus_command(sub: Any) -> None:
    fo = sub.add_parser("focus", help="the computation on FOCUS Part II or IIA, line and box")
    fo.add_argument("book", help="the firm's book (.json, .xlsx, .csv or a folder of .csv)")
    fo.add_argument("--part", choices=["II", "IIA"], default="II", help="FOCUS part (default II)")
    out = fo.add_mutually_exclusive_group()
    out.add_argument("--json", action="store_true", help="print one JSON object")
    out.add_argument("--csv", metavar="CSV", default=None, help="write the lines to a CSV file")
    _add_xlsx_option(fo, "a workbook with the boxes as formulas over the detail")
    _add_width_option(fo)
    fo.set_defaults(func=_cmd_focus)


def _cmd_focus(args: argparse.Namespace) -> int:
    from netcap.report.focus import focus_report  # noqa: PLC0415 (loaded when used)
    from netcap.report.focus_xlsx import write_focus_workbook  # noqa: PLC0415

    with _book_errors(args.book):
        loaded = load_book(args.book)
        result = compute(loaded.book, positions=loaded.positions)
    report = focus_report(result, args.part)
    data = report.to_dict()
    if args.xlsx:
        _write_output(
            args,
            args.xlsx,
            lambda p: write_focus_workbook(report, p),
            what="--xlsx",
            suffixes=(".xlsx",),
        )
    if args.csv:
        _write_output(
            args,
            args.csv,
            lambda p: _focus_csv(data).to_csv(p, index=False),
            what="--csv",
            suffixes=(".csv",),
        )
    if args.json:
        print(json.dumps(data, indent=2))
    elif not args.csv:
        _print_focus(data, output_width(args.width))
    return 0


def _focus_csv(data: dict[str, Any]) -> pd.DataFrame:
    rows = [
        {
            "section": "form",
            "line": ln["line"],
            "box": ln["box"],
            "label": ln["label"],
            "value": ln["value"],
            "citation": ln["citation"],
            "confirmed": "yes" if ln["confirmed"] else "NOT CONFIRMED",
            "made_of": "; ".join(ln["detail"]),
        }
        for ln in data["lines"]
    ]
    rows += [
        {
            "section": "not on this part",
            "line": ln["line"],
            "box": "",
            "label": ln["label"],
            "value": ln["value"],
            "citation": ln["citation"],
            "confirmed": "",
            "made_of": ln["reason"],
        }
        for ln in data["not_on_this_part"]
    ]
    return pd.DataFrame(rows, dtype=object)


def _focus_amount(ln: dict[str, Any]) -> str:
    value = ln["value"]
    if value is None:
        return "n/a"
    if ln["unit"] == "%":
        return f"{value:,.2f}%"
    return f"-${-value:,.0f}" if value < 0 else f"${value:,.0f}"  # as compute prints it


def _print_focus(data: dict[str, Any], cols: int = 120) -> None:
    for text in (
        f"FOCUS Report (Form {data['form']}) Part {data['part']}",
        f"{data['firm']}, as of {data['as_of']}; standard: {human(data['standard'])}",
        f"form version: {data['form_version']}",
    ):
        print("\n".join(wrap(text, cols)))
    print()
    label_width = max(cols - 34, 30)  # line, box and amount take the rest
    for ln in data["lines"]:
        mark = " " if ln["confirmed"] else "?"
        parts = wrap(ln["label"], label_width)
        head = f"  {ln['line']:>4} [{ln['box']}]{mark} "
        print(f"{head}{parts[0]:<{label_width}} {_focus_amount(ln):>16}")
        for part in parts[1:]:
            print(" " * len(head) + "  " + part)
    print("\n  NOT ON THIS PART")
    for ln in data["not_on_this_part"]:
        parts = wrap(ln["label"], label_width + 8)
        print(f"    {parts[0]:<{label_width + 8}} {_focus_amount(ln):>16}")
        for part in [*parts[1:], *wrap(f"({ln['reason']})", cols - 8)]:
            print("      " + part)
    if data["unconfirmed_boxes"]:
        note = "? box number not yet checked against the text of the form: " + ", ".join(
            data["unconfirmed_boxes"]
        )
        print()
        print("\n".join("  " + part for part in wrap(note, cols - 2)))


# --- diff: what changed between two computations of one firm ------------------------------------


def _add_diff_command(sub: Any) -> None:
    df = sub.add_parser("diff", help="net capital at two dates of one firm, the change attributed")
    df.add_argument("before", help="the first book")
    df.add_argument("after", help="the second book")
    df.add_argument("--json", action="store_true", help="print one JSON object")
    _add_xlsx_option(df, "a workbook of the attribution")
    _add_width_option(df)
    df.set_defaults(func=_cmd_diff, input_args=("before", "after"))


def _cmd_diff(args: argparse.Namespace) -> int:
    from netcap.diff import DiffInputError, diff  # noqa: PLC0415 (loaded when used)
    from netcap.report.diff_xlsx import write_diff_workbook  # noqa: PLC0415

    with _book_errors(f"{args.before} / {args.after}"):
        try:
            result = diff(args.before, args.after)
        except DiffInputError as exc:
            raise InputError(str(exc)) from None
    data = result.to_dict()
    for w in data["warnings"]:
        print(f"netcap: warning: {w}", file=sys.stderr)
    if args.xlsx:
        _write_output(
            args,
            args.xlsx,
            lambda p: write_diff_workbook(result, p),
            what="--xlsx",
            suffixes=(".xlsx",),
        )
    if args.json:
        print(json.dumps(data, indent=2))
    else:
        _print_diff(data, output_width(args.width))
    return 0


def _print_diff(data: dict[str, Any], cols: int = 120) -> None:
    print(f"{data['firm']}: {data['before_as_of']} -> {data['after_as_of']}\n")
    for key, title in (
        ("net_capital", "Net capital"),
        ("requirement", "Requirement"),
        ("excess", "Excess net capital"),
    ):
        m = data[key]
        print(f"  {title:<22} {m['before']:>16,} {m['after']:>16,} {m['change']:>+16,}")
    print("\n  CHANGE IN NET CAPITAL, LINE BY LINE AND HAIRCUT PARAGRAPH")
    for a in data["attribution"]:
        if a["change"] == 0:
            continue
        name = a.get("label") or a.get("line") or a.get("paragraph")
        box = f"[{a['box']}]" if a.get("box") else ""
        names = wrap(str(name), max(cols - 32, 30))
        print(f"    {names[0]:<{max(cols - 32, 30)}} {box:<7} {a['change']:>+14,}")
        for part in [*names[1:], *wrap(a["cause"], cols - 8)]:
            print("      " + part)
    total = sum(a["change"] for a in data["attribution"])
    print(f"    {'total':<52} {total:>+14,}")
    moved = [b for b in data["focus_boxes"] if b["change"]]
    if moved:
        print("\n  FOCUS PART II BOXES THAT CHANGED (? = box number not confirmed)")
        for b in moved:
            mark = " " if b["confirmed"] else "?"
            lw = max(cols - 36, 30)
            parts = wrap(b["label"], lw)
            print(f"    {b['line']:>4} [{b['box']}]{mark} {parts[0]:<{lw}} {b['change']:>+16,}")
            for part in parts[1:]:
                print(" " * 18 + part)
    print("\n  HAIRCUTS, STEP BY STEP (sequential substitution, in this order)")
    for s in data["haircut_steps"]:
        print(f"    {s['step']:<10} {s['change']:>+14,}")
        for part in wrap(s["description"], cols - 8):
            print("      " + part)
    print(f"\n  {plural(len(data['positions']), 'position row')} changed (see --json or --xlsx)")


_PRETRADE_METHODS = {"incremental": "computed incrementally", "full": "full recompute"}

_PRETRADE_LINES = (
    ("haircuts_on_securities_positions", "Total haircuts on securities positions"),
    ("tentative_net_capital", "Net capital before haircuts (tentative net capital)"),
    ("net_capital", "Net capital"),
    ("excess_net_capital", "Excess net capital"),
)
"""The lines of ``pretrade``'s text output, labelled as ``compute`` labels them."""


def _first_only(label: str, width: int) -> list[str]:
    """A label wrapped to half the width (continuation lines indented)."""
    parts = wrap(label, max(30, width // 2) - 2)
    return [parts[0], *("  " + p for p in parts[1:])]


def _pretrade_report(r: dict[str, Any]) -> dict[str, Any]:
    """One ``pretrade`` result with dollars rounded once to the dollar (docs/numeric-policy.md).

    Adds ``haircuts_on_securities_positions`` (tentative net capital less net capital),
    which is what ``compute``'s "Total haircuts on securities positions" line shows;
    ``haircuts`` also counts the deductions taken before tentative net capital.
    """
    out = dict(r)
    tnc = {"before": r["tentative_net_capital"], "after": r["tentative_net_capital_after"]}
    for side in ("before", "after"):
        values = dict(r[side])
        values["tentative_net_capital"] = tnc[side]
        values["haircuts_on_securities_positions"] = tnc[side] - values["net_capital"]
        out[side] = values
    delta = dict(r["delta"])
    for key in ("tentative_net_capital", "haircuts_on_securities_positions"):
        delta[key] = out["after"][key] - out["before"][key]
    out["delta"] = delta
    for side in ("before", "after", "delta"):
        out[side] = {
            k: v if isinstance(v, list) else round_dollars(float(v)) for k, v in out[side].items()
        }
    for key in ("tentative_net_capital", "tentative_net_capital_after", "requirement"):
        out[key] = round_dollars(float(r[key]))
    out["changed_paragraphs"] = [
        {
            "paragraph": c["paragraph"],
            "before": round_dollars(float(c["before"])),
            "after": round_dollars(float(c["after"])),
            "delta": round_dollars(float(c["delta"])),
        }
        for c in r["changed_paragraphs"]
    ]
    return out


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


_OUTPUT_ARGS: dict[str, tuple[str, tuple[str, ...]]] = {
    "xlsx": ("--xlsx", (".xlsx",)),
    "csv": ("--csv", ()),
    "plot": ("--plot", ()),
}
"""Output options checked before a command runs (so a bad path fails before the work)."""


def _check_outputs(args: argparse.Namespace) -> None:
    """Refuse an output path that would destroy an input or an existing file, up front."""
    for name, (what, suffixes) in _OUTPUT_ARGS.items():
        target = getattr(args, name, None)
        if not target:
            continue
        try:
            check_output(
                target,
                inputs=_command_inputs(args),
                force=bool(getattr(args, "force", False)),
                what=what,
                suffixes=suffixes,
            )
        except OutputPathError as exc:
            raise InputError(str(exc)) from None


def _run(args: argparse.Namespace) -> int:
    try:
        _check_outputs(args)
        code: int = args.func(args)
        sys.stdout.flush()
    except InputError as exc:
        print(f"netcap: {exc}", file=sys.stderr)
        return 2
    except TableError as exc:
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


if __name__ == "__main__":
    sys.exit(main())
