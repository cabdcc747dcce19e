"""HTML views for notebooks of analyses, sweeps, combinations and computations.

Each view is registered with `netcap.display.to_html`, which the results' ``_repr_html_``
call: the views depend on the results, never the reverse.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from netcap.dealer.lockup import CITATION as LOCKUP_CITATION
from netcap.dealer.lockup import LockupResult
from netcap.dealer.portfolio import Combination
from netcap.dealer.registration import CITATIONS, RegistrationAnalysis
from netcap.display import to_html
from netcap.pretrade import PreTradeResult
from netcap.rule.computation import NetCapitalResult
from netcap.text import human

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "MAX_ROWS",
    "analysis_html",
    "combination_html",
    "frame_html",
    "lockup_html",
    "net_capital_html",
    "pretrade_html",
]

MAX_ROWS = 20
"""Rows of a long table shown in a notebook view (the first and last halves)."""

_KEY_LINES = (
    "total_capital",
    "total_deductions",
    "tentative_net_capital",
    "total_haircuts",
    "net_capital",
    "net_capital_requirement",
    "excess_net_capital",
    "aggregate_indebtedness",
)
"""Lines of a computation shown in its compact notebook view."""


def _money(x: float | None) -> str:
    return "—" if x is None else f"${x:,.0f}"


def _table(rows: list[tuple[str, str, str]], head: tuple[str, str, str]) -> str:
    cells = "".join(
        f"<tr><td>{html.escape(a)}</td><td style='text-align:right'>{html.escape(b)}</td>"
        f"<td>{html.escape(c)}</td></tr>"
        for a, b, c in rows
    )
    th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
    return f"<table><thead><tr>{th}</tr></thead><tbody>{cells}</tbody></table>"


def analysis_html(a: RegistrationAnalysis) -> str:
    """One strategy: requirements at its P, the limit, the crossovers."""
    at = a.at()
    rows = [
        ("haircut", _money(at.haircut), "15c3-1(c)(2)(vi)"),
        ("non-dealer (margin)", _money(at.non_dealer), CITATIONS["margin"]),
        (
            "dealer, AI standard",
            _money(at.aggregate_indebtedness),
            CITATIONS["aggregate_indebtedness"],
        ),
        (
            "dealer, (a)(6) alternative",
            _money(at.market_maker),
            CITATIONS["market_maker_alternative"],
        ),
        ("dealer requirement", _money(at.dealer), f"{human(at.standard)}: {human(at.component)}"),
        ("increase", f"{at.increase_pct:.2f}%", ""),
        ("increase as P → ∞", f"{a.increase_pct_limit:.2f}%", ""),
    ]
    rows += [
        (
            f"crossover at P = ${c.P:,.2f}",
            "",
            f"{human(c.before[1])} → {human(c.after[1])} ({human(c.after[0])})",
        )
        for c in a.crossovers
    ]
    title = f"<b>{html.escape(a.strategy.name)}</b> at P = ${at.P:,.0f}"
    return f"<div>{title}{_table(rows, ('', 'amount', 'basis'))}</div>"


def combination_html(c: Combination) -> str:
    """Stand-alone requirements next to the combined firm's."""
    rows = [
        (s.name, _money(s.dealer), f"{s.increase_pct:.2f}% on {_money(s.non_dealer)}")
        for s in (c.standalone if c.book_alone is None else (*c.standalone, c.book_alone))
    ]
    rows += [
        (
            "sum of stand-alone",
            _money(c.standalone_dealer_total),
            f"{c.standalone_increase_pct:.2f}%",
        ),
        ("sum of stand-alone percentages", "", f"{c.sum_of_increase_pct:.2f}%"),
        (
            "combined firm",
            _money(c.dealer),
            f"{c.increase_pct:.2f}% ({human(c.standard)}: {human(c.component)})",
        ),
    ]
    rows += [("note", "", note) for note in c.notes]
    when = "" if c.as_of is None else f" under the rules of {c.as_of.isoformat()}"
    return f"<div><b>Combination</b>{when}{_table(rows, ('', 'dealer', 'increase'))}</div>"


def frame_html(frame: pd.DataFrame, max_rows: int = MAX_ROWS) -> str:
    """``frame`` as HTML, cut to ``max_rows`` rows (first and last) with a note saying so."""
    if len(frame) <= max_rows:
        return str(frame.to_html())
    table = str(frame.to_html(max_rows=max_rows))
    note = (
        f"<p><i>{len(frame):,} rows; showing the first and last {max_rows // 2}. "
        "Use .frame() for all of them.</i></p>"
    )
    return table + note


def net_capital_html(r: NetCapitalResult) -> str:
    """A computation's key lines with their citations (the full detail is in ``lines``)."""
    label = dict(zip(r.lines["line"], r.lines["label"], strict=True))
    cite = dict(zip(r.lines["line"], r.lines["citation"], strict=True))
    rows = [(str(label[k]), _money(r.line(k)), str(cite[k])) for k in _KEY_LINES if k in label]
    flags = r.flags
    rows.append(("early-warning / withdrawal flags", str(len(flags)), ", ".join(flags)))
    if r.warnings:
        rows.append(("warnings", str(len(r.warnings)), "see .warnings"))
    title = f"<b>Net capital as of {r.as_of.isoformat()}</b> ({len(r.lines)} lines in .lines)"
    return f"<div>{title}{_table(rows, ('', 'amount', 'citation'))}</div>"


def pretrade_html(r: PreTradeResult) -> str:
    """Before and after one trade: haircuts, net capital, excess, and the verdict."""
    rows = [
        (
            label,
            f"{_money(before)} → {_money(after)}",
            f"{after - before:+,.0f}",
        )
        for label, before, after in (
            (
                "haircuts, with the deductions before tentative net capital",
                r.haircuts_before,
                r.haircuts_after,
            ),
            ("net capital, 15c3-1(c)(2)", r.net_capital_before, r.net_capital_after),
            ("excess net capital, 15c3-1(a)", r.excess_before, r.excess_after),
        )
    ]
    rows.append(("requirement", _money(r.requirement), ""))
    rows += [
        (c.paragraph, f"{_money(c.before)} → {_money(c.after)}", f"{c.after - c.before:+,.0f}")
        for c in r.changed
    ]
    if r.flags_added:
        rows.append(("new flags", "", ", ".join(r.flags_added)))
    verdict = "allowed" if r.allowed else "NOT allowed"
    title = (
        f"<b>{html.escape(r.action)} {html.escape(r.position_id)}</b>: {verdict} "
        f"({html.escape(r.method)})"
    )
    return f"<div>{title}{_table(rows, ('', 'before → after', 'change'))}</div>"


def lockup_html(r: LockupResult) -> str:
    """The lock-up's peaks, separate against consolidated, over its (cut) daily table."""
    s = r.summary()
    table = frame_html(r.frame())
    return (
        f"<div><b>Capital lock-up ({LOCKUP_CITATION}), policy {r.policy}</b>: peak "
        f"${s['peak_separate']:,.0f} across entities vs ${s['peak_consolidated']:,.0f} "
        f"consolidated ({s['peak_ratio']:.2f}x)</div>" + table
    )


to_html.register(RegistrationAnalysis, analysis_html)
to_html.register(Combination, combination_html)
to_html.register(NetCapitalResult, net_capital_html)
to_html.register(PreTradeResult, pretrade_html)
to_html.register(LockupResult, lockup_html)
