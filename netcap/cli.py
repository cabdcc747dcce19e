"""Command line: a thin layer over the Python API.

``netcap strategy SPEC.json [--json] [--P N]``
    the dealer-registration capital analysis of one strategy.
``netcap table10 DIR [--json]``
    every strategy spec in DIR, laid out as the SEC's Table 10.
``netcap compute BOOK.json [--json]``
    the firm's net capital computation, line by line with citations.

Bad input exits with status 2 and a message naming the file and field.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from netcap.book_json import BookInputError, load_book
from netcap.computation import compute
from netcap.frame import BookError
from netcap.money import round_dollars, round_percent
from netcap.net_worth import NotInForceError
from netcap.registration import CITATIONS, RegistrationAnalysis, analyze
from netcap.requirements import RequirementInputError
from netcap.strategy import Strategy

__all__ = ["main"]


class InputError(Exception):
    """Bad input: reported to the user, exit status 2."""


def _validation_message(source: str, err: ValidationError) -> str:
    lines = []
    for e in err.errors():
        where = ".".join(str(p) for p in e["loc"]) or "(top level)"
        lines.append(f"{source}: field {where}: {e['msg']}")
    return "\n".join(lines)


def load_strategy(path: Path) -> Strategy:
    """Read and validate a strategy spec file."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise InputError(f"{path}: not valid JSON: {exc.msg} at line {exc.lineno}") from None
    if isinstance(data, dict) and "name" not in data:
        data["name"] = path.stem
    try:
        return Strategy.model_validate(data)
    except ValidationError as exc:
        raise InputError(_validation_message(str(path), exc)) from None


def strategy_report(analysis: RegistrationAnalysis) -> dict[str, Any]:
    """The JSON object printed by ``netcap strategy --json``.

    Dollar amounts are rounded to the dollar; percentages are given exactly and
    rounded the way Table 10 rounds them.
    """
    s = analysis.strategy
    at = analysis.at()
    detail = analysis.haircuts.detail
    return {
        "strategy": s.name,
        "P": s.P,
        "margin_rate": s.margin_rate,
        "fixed_minimum": s.fixed_minimum,
        "haircut": round_dollars(at.haircut),
        "haircut_pct_of_P": analysis.haircut_rate * 100.0,
        "market_maker_threshold_pct_of_P": analysis.threshold_rate * 100.0,
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
        "increase_pct": at.increase_pct,
        "increase_pct_rounded": round_percent(at.increase_pct),
        "increase_pct_limit": analysis.increase_pct_limit,
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
                "rate": float(r["rate"]),
                "exposure": round_dollars(float(r["exposure"])),
                "charge": round_dollars(float(r["charge"])),
                "note": str(r["note"]),
            }
            for r in detail.to_dict("records")
        ],
        "citations": dict(CITATIONS),
        "warnings": list(analysis.haircuts.warnings),
    }


def _print_strategy(report: dict[str, Any]) -> None:
    print(f"{report['strategy']}  at P = ${report['P']:,.0f}")
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
        f"[{report['binding_standard']}: {report['binding_component']}]"
    )
    print(
        f"  increase                 {report['increase_pct_rounded']:>15.0f}%   "
        f"(P -> infinity: {report['increase_pct_limit_rounded']:.0f}%)"
    )
    for c in report["crossovers"]:
        print(
            f"  crossover at P = ${c['P']:,.2f}: {c['before']['component']} -> "
            f"{c['after']['component']}"
        )
    for w in report["warnings"]:
        print(f"  warning: {w}")


def _cmd_strategy(args: argparse.Namespace) -> int:
    strategy = load_strategy(Path(args.spec))
    if args.P is not None:
        strategy = strategy.with_P(args.P)
    report = strategy_report(analyze(strategy))
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_strategy(report)
    return 0


def _cmd_table10(args: argparse.Namespace) -> int:
    folder = Path(args.folder)
    specs = sorted(folder.glob("*.json"))
    if not specs:
        raise InputError(f"{folder}: no strategy spec (*.json) found")
    rows = []
    for spec in specs:
        a = analyze(load_strategy(spec).with_P(args.P))
        rows.append(
            {
                "strategy": a.strategy.name,
                "haircut_pct_of_P": a.haircut_rate * 100.0,
                "increase_pct_at_P": round_percent(a.at().increase_pct),
                "increase_pct_limit": round_percent(a.increase_pct_limit),
            }
        )
    if args.json:
        print(json.dumps({"P": args.P, "rows": rows}, indent=2))
        return 0
    print(
        f"{'strategy':<40} {'haircut % of P':>14} {'at P=$' + format(args.P, ',.0f'):>18} "
        f"{'P -> inf':>9}"
    )
    for r in rows:
        print(
            f"{r['strategy']:<40} {r['haircut_pct_of_P']:>14.4g} "
            f"{r['increase_pct_at_P']:>17.0f}% {r['increase_pct_limit']:>8.0f}%"
        )
    return 0


def _print_computation(report: dict[str, Any]) -> None:
    print(f"{report['firm']} ({report['firm_type']}), as of {report['as_of']}")
    print(f"standard: {report['standard']}")
    section = ""
    for ln in report["lines"]:
        if ln["section"] != section:
            section = ln["section"]
            print(f"\n  {section.upper()}")
        amount = ln["amount"]
        if amount is None:
            shown = "n/a"
        elif ln["unit"] == "%":
            shown = f"{amount:,.2f}%"
        else:
            shown = f"-${-amount:,}" if amount < 0 else f"${amount:,}"
        indent = "    " if ln["role"] == "item" else "  "
        label = ln["label"] if len(ln["label"]) <= 70 else ln["label"][:67] + "..."
        print(f"  {indent}{label:<{74 - len(indent)}} {shown:>18}  [{ln['citation']}]")
    print("\n  REQUIREMENT CANDIDATES")
    for c in report["requirement"]["candidates"]:
        mark = "*" if c["binding"] else " "
        print(f"   {mark} {c['basis']:<68} ${c['amount']:>15,}  [{c['citation']}]")
    hit = [f for f in report["early_warning"] if f["triggered"]]
    print("\n  EARLY WARNING AND WITHDRAWAL TESTS")
    if not hit:
        print("    none crossed")
    for f in hit:
        print(f"    CROSSED: {f['description']}  [{f['citation']}]")
    for w in report["warnings"]:
        print(f"  warning: {w}")


def _cmd_compute(args: argparse.Namespace) -> int:
    try:
        book = load_book(args.book)
        result = compute(book)
    except (BookInputError, BookError, NotInForceError, RequirementInputError) as exc:
        raise InputError(str(exc)) from None
    except NotImplementedError as exc:
        raise InputError(f"{args.book}: {exc}") from None
    report = result.to_dict()
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_computation(report)
    return 0


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (exposed for documentation)."""
    parser = argparse.ArgumentParser(
        prog="netcap", description="Broker-dealer net capital under SEC Rule 15c3-1."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("strategy", help="dealer-registration capital increase of one strategy")
    p.add_argument("spec", help="strategy spec (JSON)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--P", type=float, default=None, help="position size in dollars")
    p.set_defaults(func=_cmd_strategy)

    t = sub.add_parser("table10", help="lay out every strategy spec in a folder as Table 10")
    t.add_argument("folder", help="folder of strategy specs")
    t.add_argument("--P", type=float, default=50_000_000.0, help="position size (default $50mm)")
    t.add_argument("--json", action="store_true")
    t.set_defaults(func=_cmd_table10)

    c = sub.add_parser("compute", help="net capital computation of a firm's book (JSON)")
    c.add_argument("book", help="the firm's book (JSON, see docs/book-format.md)")
    c.add_argument("--json", action="store_true", help="print one JSON object")
    c.set_defaults(func=_cmd_compute)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``netcap`` command."""
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except InputError as exc:
        print(f"netcap: {exc}", file=sys.stderr)
        return 2
    return code


if __name__ == "__main__":
    sys.exit(main())
