"""``netcap strategy``: the dealer-registration capital analysis of one strategy."""

from __future__ import annotations

import argparse
import json
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netcap.cli.common import (
    RATE_DIGITS,
    add_width_option,
    add_xlsx_option,
    binding,
    caveats,
    load_strategy,
    pct,
    plot_file,
    position_size,
    print_warnings,
    strategy_errors,
    write_output,
    write_xlsx,
)
from netcap.money import round_dollars, round_percent
from netcap.text import output_width, wrap

if TYPE_CHECKING:
    from netcap.cli.common import Subcommands
    from netcap.dealer.registration import RegistrationAnalysis


def register(sub: Subcommands) -> None:
    """Add ``strategy`` to the parser."""
    p = sub.add_parser("strategy", help="dealer-registration capital increase of one strategy")
    p.add_argument("spec", help="strategy spec (JSON)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--P", type=position_size, default=None, help="position size in dollars")
    add_width_option(p)
    p.set_defaults(func=run)
    p.add_argument("--plot", metavar="PNG", default=None, help="write the charts to this file")
    add_xlsx_option(p, "a workbook with live formulas over P")


def run(args: argparse.Namespace) -> int:
    """Analyse the spec at its P (or ``--P``); print it, draw it, write its workbook."""
    from netcap.dealer.registration import analyze  # noqa: PLC0415 (loaded when run)

    strategy = load_strategy(Path(args.spec))
    if args.P is not None:
        strategy = strategy.with_P(args.P)
    with strategy_errors(args.spec):
        analysis = analyze(strategy)
    report = strategy_report(analysis)
    if args.json:
        print(json.dumps(report, indent=2))
    else:
        _print_strategy(report, args.width)
    _strategy_plot(args, analysis)
    write_xlsx(args, lambda path: _export(analysis, path))
    return 0


def _export(analysis: RegistrationAnalysis, path: Path) -> None:
    from netcap.report import export_strategies  # noqa: PLC0415 (workbook writers when asked)

    export_strategies([analysis], path)


def _strategy_plot(args: argparse.Namespace, analysis: RegistrationAnalysis) -> None:
    if getattr(args, "plot", None):
        from netcap.report.plot import save_strategy_figure  # noqa: PLC0415 (optional extra)

        write_output(
            args, args.plot, lambda p: plot_file(save_strategy_figure, analysis, p), what="--plot"
        )


def strategy_report(analysis: RegistrationAnalysis) -> dict[str, Any]:
    """The JSON object printed by ``netcap strategy --json``.

    Dollar amounts are rounded to the dollar (``P`` and crossovers to the cent);
    percentages to ``PERCENT_DIGITS`` decimals and rates to ``RATE_DIGITS``, so
    that float noise (272.49999999999994) does not reach a reader who rounds the
    figure again; the ``*_rounded`` fields round half up the way Table 10 does.
    """
    from netcap.dealer.registration import CITATIONS  # noqa: PLC0415 (loaded when run)

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
        "haircut_pct_of_P": pct(analysis.haircut_rate * 100.0),
        "market_maker_threshold_pct_of_P": pct(analysis.threshold_rate * 100.0),
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
        "increase_pct": pct(at.increase_pct),
        "increase_pct_rounded": round_percent(at.increase_pct),
        "increase_pct_limit": pct(analysis.increase_pct_limit),
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
        f"[{binding(report['binding_standard'], report['binding_component'])}]"
    )
    print(
        f"  increase                 {report['increase_pct_rounded']:>15.0f}%   "
        f"(P -> infinity: {report['increase_pct_limit_rounded']:.0f}%)"
    )
    for c in report["crossovers"]:
        text = (
            f"crossover at P = ${c['P']:,.2f}: "
            f"{binding(c['before']['standard'], c['before']['component'])} -> "
            f"{binding(c['after']['standard'], c['after']['component'])}"
        )
        for k, part in enumerate(wrap(text, cols - 4)):
            print(("  " if k == 0 else "    ") + part)
    print_warnings(report["warnings"], cols)
