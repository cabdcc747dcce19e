"""HTML views for notebooks (``_repr_html_``) of analyses, sweeps and combinations."""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from netcap.portfolio import Combination
    from netcap.registration import RegistrationAnalysis

__all__ = ["analysis_html", "combination_html"]


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
    from netcap.registration import CITATIONS  # noqa: PLC0415

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
        ("dealer requirement", _money(at.dealer), f"{at.standard}: {at.component}"),
        ("increase", f"{at.increase_pct:.2f}%", ""),
        ("increase as P → ∞", f"{a.increase_pct_limit:.2f}%", ""),
    ]
    rows += [
        (f"crossover at P = ${c.P:,.2f}", "", f"{c.before[1]} → {c.after[1]} ({c.after[0]})")
        for c in a.crossovers
    ]
    title = f"<b>{html.escape(a.strategy.name)}</b> at P = ${at.P:,.0f}"
    return f"<div>{title}{_table(rows, ('', 'amount', 'basis'))}</div>"


def combination_html(c: Combination) -> str:
    """Stand-alone requirements next to the combined firm's."""
    rows = [
        (s.name, _money(s.dealer), f"{s.increase_pct:.2f}% on {_money(s.non_dealer)}")
        for s in c.standalone
    ]
    rows += [
        (
            "sum of stand-alone",
            _money(c.standalone_dealer_total),
            f"{c.standalone_increase_pct:.2f}%",
        ),
        ("sum of stand-alone percentages", "", f"{c.sum_of_increase_pct:.2f}%"),
        ("combined firm", _money(c.dealer), f"{c.increase_pct:.2f}% ({c.standard}: {c.component})"),
    ]
    return f"<div><b>Combination</b>{_table(rows, ('', 'dealer', 'increase'))}</div>"
