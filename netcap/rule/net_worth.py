"""From ownership equity to tentative net capital: 15c3-1(c)(2)(i)-(v) and other deductions.

The lines follow the FOCUS report (Form X-17A-5 Part II):

    total ownership equity                                   (c)(2)
  - ownership equity not allowable (withdrawable capital)    (c)(2)(i)(G)
  = total ownership equity qualified for net capital
  + liabilities subordinated under satisfactory agreements   (c)(2)(ii); Appendix D
  + / - other allowable credits and deductions               (c)(2)(i)(A), (C)-(F)
  = total capital and allowable subordinated liabilities
  - non-allowable assets, one line per kind                  (c)(2)(iv)(A)-(H)
  + indebtedness excluded under (c)(1)(viii)                 (c)(2)(iv) lead-in
  - sole proprietor's personal excess liabilities            (c)(2)(iii)
  - 4% of indebtedness secured by exempted securities        (c)(2)(xiii)
  - undermargined customer and non-customer accounts         (c)(2)(xii)(A)
  - fidelity bond deductible over the allowed amount         (c)(2)(xiv)
  - market-maker account collateral deficiencies             (c)(2)(xi)
  - other deductions, each with its own citation             e.g. (c)(2)(v), (ix)
  = net capital before haircuts on securities positions      (c)(15)

Every function here is pure: it reads the book, the liabilities frame and the
tables and returns lines.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from netcap.book.firm import BalanceSheet, CapitalContribution, LiabilityKind, NonAllowableKind
from netcap.rule.lines import Line
from netcap.rule.tables import Schedule, load_schedule

__all__ = [
    "NetWorthResult",
    "contribution_deducted",
    "net_worth_lines",
    "nonallowable_frame",
    "undermargined_frame",
]

LIMITATIONS: dict[str, str] = {
    "15c3-1(c)(2)(vi)(N)": (
        "specialists' specialty stocks: specialist status and its conditions are not modelled"
    ),
    "15c3-1(c)(2)(vi)(O)": "cleared security-based swaps: swap positions are out of scope",
    "15c3-1(c)(2)(vi)(P)": "non-cleared security-based swaps: swap positions are out of scope",
    "15c3-1(c)(2)(x)": (
        "a carrying firm's deduction for options specialists' market-maker accounts it carries "
        "is not computed: specialist accounts carried for others are not an input (the firm's "
        "own option positions take the Appendix A deductions)"
    ),
    "15c3-1(c)(2)(xii)": (
        "(xii)(B), cash margin owed by swap and security-based swap customers, is only a typed-in "
        "other deduction"
    ),
    "15c3-1(c)(2)(xv)": (
        "non-cleared swap margin not collected: swap margin models are out of scope (type it in "
        "as an other deduction)"
    ),
}

NONALLOWABLE_COLUMNS = ("id", "kind", "amount", "rate", "deduction", "citation", "description")


@dataclass(frozen=True)
class NetWorthResult:
    """Lines from total ownership equity to tentative net capital."""

    lines: tuple[Line, ...]
    tentative_net_capital: float
    nonallowable: pd.DataFrame
    subordinated: float


class NotInForceError(ValueError):
    """The book uses a paragraph that was not in force on its as-of date."""


def _param(table: Schedule, key: str, on: date, field: str) -> float:
    try:
        return table.rate(key)
    except KeyError:
        raise NotInForceError(
            f"{field}: the paragraph it applies was not in force on {on.isoformat()}"
        ) from None


def contribution_deducted(c: CapitalContribution, window_months: float) -> tuple[bool, str]:
    """Whether 15c3-1(c)(2)(i)(G) deducts a contribution, and which clause.

    A withdrawal "within one year" of contribution is one made before the first
    anniversary of the contribution date.
    """
    if c.withdrawable_at_investor_option:
        return True, "15c3-1(c)(2)(i)(G)(1)"
    if c.intended_withdrawal_within_one_year:
        return True, "15c3-1(c)(2)(i)(G)(2)"
    if c.withdrawn_on is not None and not c.withdrawal_approved_by_examining_authority:
        anniversary = c.contributed_on + relativedelta(months=int(window_months))
        if c.withdrawn_on < anniversary:
            return True, "15c3-1(c)(2)(i)(G)(2)"
    return False, ""


def undermargined_frame(bs: BalanceSheet, table: Schedule) -> pd.DataFrame:
    """One row per undermargined account with the amount deducted under (c)(2)(xii)(A)."""
    accounts = bs.undermargined_accounts
    days_limit = table.rate("c2xii_call_business_days")
    required = np.array([a.cash_required for a in accounts], dtype=float)
    calls = np.array([a.call_amount for a in accounts], dtype=float)
    days = np.array(
        [np.nan if a.call_business_days is None else a.call_business_days for a in accounts],
        dtype=float,
    )
    applied = np.where(days <= days_limit, calls, 0.0)  # NaN days (no call) compare False
    return pd.DataFrame(
        {
            "id": [a.id for a in accounts],
            "cash_required": required,
            "call_amount": calls,
            "call_business_days": days,
            "call_applied": applied,
            "deduction": np.maximum(required - applied, 0.0),
            "citation": table.citation("c2xii_call_business_days"),
        }
    )


def _undermargined_line(bs: BalanceSheet, table: Schedule, on: date) -> Line:
    _param(table, "c2xii_call_business_days", on, "balance_sheet.undermargined_accounts")
    frame = undermargined_frame(bs, table)
    days = table.rate("c2xii_call_business_days")
    return Line(
        "undermargined_accounts",
        f"Deduct: cash required in undermargined accounts (after calls outstanding {days:g} "
        "business days or less)",
        -float(frame["deduction"].sum()),
        table.citation("c2xii_call_business_days"),
    )


def nonallowable_frame(bs: BalanceSheet, table: Schedule) -> pd.DataFrame:
    """One row per non-allowable asset with the rate and amount deducted."""
    assets = bs.non_allowable_assets
    rows = table.rows.set_index("key")
    kinds = np.array([a.kind.value for a in assets], dtype=object)
    amount = np.array([a.amount for a in assets], dtype=float)
    rate = rows["rate"].reindex(kinds).to_numpy(dtype=float)
    return pd.DataFrame(
        {
            "id": [a.id for a in assets],
            "kind": kinds,
            "amount": amount,
            "rate": rate,
            "deduction": rate * amount,
            "citation": rows["citation"].reindex(kinds).to_numpy(dtype=object),
            "description": [a.description for a in assets],
        },
        columns=list(NONALLOWABLE_COLUMNS),
    )


def _qualified_equity_lines(bs: BalanceSheet, table: Schedule, on: date) -> list[Line]:
    """Total ownership equity less withdrawable capital, 15c3-1(c)(2) and (c)(2)(i)(G)."""
    equity = bs.net_worth
    withdrawable = 0.0
    if bs.capital_contributions:
        window = _param(
            table, "capital_withdrawal_months", on, "balance_sheet.capital_contributions"
        )
        for c in bs.capital_contributions:
            hit, _ = contribution_deducted(c, window)
            if hit:
                withdrawable += c.amount
    return [
        Line("total_ownership_equity", "Total ownership equity", equity, "15c3-1(c)(2)"),
        Line(
            "equity_not_allowable",
            "Deduct: ownership equity not allowable for net capital (withdrawable capital)",
            -withdrawable,
            "15c3-1(c)(2)(i)(G)",
        ),
        Line(
            "equity_qualified",
            "Total ownership equity qualified for net capital",
            equity - withdrawable,
            "15c3-1(c)(2)",
            role="subtotal",
        ),
    ]


def _subordinated_line(liabilities: pd.DataFrame) -> Line:
    """Liabilities under satisfactory subordination agreements, added back: (c)(2)(ii)."""
    kinds = liabilities["kind"].to_numpy(dtype=object)
    amounts = liabilities["amount"].to_numpy(dtype=float)
    subordinated = float(amounts[kinds == LiabilityKind.SUBORDINATED.value].sum())
    return Line(
        "subordinated_liabilities",
        "Add: liabilities subordinated to claims of general creditors "
        "(satisfactory subordination agreements)",
        subordinated,
        "15c3-1(c)(2)(ii); 15c3-1d",
    )


def _capital_adjustments(bs: BalanceSheet, table: Schedule, on: date) -> list[Line]:
    """The adjustments of (c)(2)(i)(A)-(F): unrealized profit or loss, deferred taxes,
    liabilities assumed by a third party."""
    credits: list[Line] = []
    if bs.unrealized_adjustment:
        credits.append(
            Line(
                "unrealized_adjustment",
                "Add (deduct): unrealized profit (loss) not reflected in ownership equity",
                bs.unrealized_adjustment,
                "15c3-1(c)(2)(i)(A)",
            )
        )
    dt = bs.deferred_tax
    c_sum = dt.haircut_tax_effect + dt.accrued_income_deferred_tax + dt.appreciation_deferred_tax
    deferred_add = min(dt.deferred_tax_liability, c_sum)
    if deferred_add:
        credits.append(
            Line(
                "deferred_tax_addback",
                "Add: deferred income tax liability related to deducted items (lesser of)",
                deferred_add,
                "15c3-1(c)(2)(i)(C)",
            )
        )
    benefit = min(dt.future_tax_benefits, dt.accrued_tax_liabilities)
    if benefit:
        credits.append(
            Line(
                "future_tax_benefit",
                "Add: future income tax benefits from unrealized losses (up to accrued taxes)",
                benefit,
                "15c3-1(c)(2)(i)(D)",
            )
        )
    if dt.actual_tax_on_deducted_income:
        credits.append(
            Line(
                "actual_tax_addback",
                "Add: tax liability on accrued income from assets otherwise deducted",
                dt.actual_tax_on_deducted_income,
                "15c3-1(c)(2)(i)(E)",
            )
        )
    if bs.third_party_liabilities:
        _param(table, "third_party_liabilities", on, "balance_sheet.third_party_liabilities")
        credits.append(
            Line(
                "third_party_liabilities",
                "Deduct: liabilities assumed by a third party without adequate resources",
                -bs.third_party_liabilities,
                "15c3-1(c)(2)(i)(F)",
            )
        )
    return credits


def _nonallowable_lines(
    bs: BalanceSheet,
    table: Schedule,
    liabilities: pd.DataFrame,
    secured_by_asset: dict[str, str],
) -> tuple[list[Line], pd.DataFrame]:
    """Non-allowable assets, one line per kind in the order of (c)(2)(iv), less the
    indebtedness excluded under (c)(1)(viii) up to each asset's deduction."""
    nonallowable = nonallowable_frame(bs, table)
    by_kind = nonallowable.groupby("kind", sort=False)["deduction"].sum()
    deductions: list[Line] = []
    for kind in NonAllowableKind:
        if kind.value in by_kind.index:
            row = table.row(kind.value)
            deductions.append(
                Line(
                    f"nonallowable:{kind.value}",
                    f"Deduct: {row['text']}",
                    -float(by_kind[kind.value]),
                    str(row["citation"]),
                )
            )
    # (c)(2)(iv): less indebtedness excluded under (c)(1)(viii), up to each asset's deduction
    offset = 0.0
    if secured_by_asset:
        viii = liabilities[liabilities["kind"] == LiabilityKind.FIXED_ASSET_SECURED.value]
        asset = viii["id"].map(secured_by_asset)
        secured = viii.groupby(asset.to_numpy())["amount"].sum()
        per_asset = nonallowable.groupby("id")["deduction"].sum()
        offset = float(np.minimum(secured, per_asset.reindex(secured.index)).sum())
        deductions.append(
            Line(
                "nonallowable_less_c1viii",
                "Less: indebtedness secured by those assets, excluded from aggregate indebtedness",
                offset,
                "15c3-1(c)(2)(iv); 15c3-1(c)(1)(viii)",
            )
        )
    return deductions, nonallowable


def _other_deductions(
    bs: BalanceSheet,
    table: Schedule,
    liabilities: pd.DataFrame,
    on: date,
    carried_deficiencies: Sequence[tuple[str, float]],
    computed_deductions: Sequence[tuple[str, str, float, str]],
) -> list[Line]:
    """The other deductions of (c)(2): (iii) sole proprietor, (xiii) indebtedness secured
    by exempted securities, (x) undermargined accounts, (xiv) fidelity bond, (xi) carried
    market-maker accounts, then the computed and the stated deductions."""
    kinds = liabilities["kind"].to_numpy(dtype=object)
    amounts = liabilities["amount"].to_numpy(dtype=float)
    deductions: list[Line] = []
    sp = bs.sole_proprietor
    if sp is not None:
        excess = max(0.0, sp.non_business_liabilities - sp.non_business_assets)
        deductions.append(
            Line(
                "sole_proprietor",
                "Deduct: sole proprietor's non-business liabilities over non-business assets",
                -excess,
                "15c3-1(c)(2)(iii)",
            )
        )
    elected = amounts[kinds == LiabilityKind.SECURED_BY_EXEMPTED_DEDUCTED.value].sum()
    if elected:
        rate = table.rate("c2xiii_rate")
        deductions.append(
            Line(
                "indebtedness_secured_by_exempted",
                f"Deduct: {rate:.0%} of indebtedness secured by exempted or municipal securities "
                "(in lieu of aggregate indebtedness)",
                -rate * float(elected),
                table.citation("c2xiii_rate"),
            )
        )
    if bs.undermargined_accounts:
        deductions.append(_undermargined_line(bs, table, on))
    bond = bs.fidelity_bond
    if bond is not None:
        deductions.append(
            Line(
                "fidelity_bond_excess_deductible",
                "Deduct: fidelity bond deductible in excess of the amount the Examining "
                "Authority's rule allows",
                -max(0.0, bond.deductible - bond.allowed_deductible),
                "15c3-1(c)(2)(xiv)",
            )
        )
    for account_id, deficiency in carried_deficiencies:
        deductions.append(
            Line(
                f"market_maker_deficiency:{account_id}",
                f"Deduct: collateral deficiency in market-maker account {account_id} carried",
                -deficiency,
                "15c3-1(c)(2)(xi); 15c3-1(a)(6)(iii)",
            )
        )
    for key, label, amount, citation in computed_deductions:
        deductions.append(Line(key, f"Deduct: {label}", -amount, citation))
    for i, d in enumerate(bs.other_deductions):
        deductions.append(
            Line(
                f"other_deduction:{d.id or i}",
                f"Deduct: {d.label}",
                -d.amount,
                d.citation,
            )
        )
    return deductions


def net_worth_lines(
    bs: BalanceSheet,
    liabilities: pd.DataFrame,
    secured_by_asset: dict[str, str],
    on: date,
    *,
    carried_deficiencies: Sequence[tuple[str, float]] = (),
    computed_deductions: Sequence[tuple[str, str, float, str]] = (),
) -> NetWorthResult:
    """Lines from total ownership equity through tentative net capital.

    ``liabilities`` is `netcap.rule.indebtedness.liabilities_frame`;
    ``secured_by_asset`` maps each (c)(1)(viii) liability id to the asset that
    secures it; ``computed_deductions`` are (key, label, amount, citation) of
    deductions computed from other inputs (aged fails, securities differences);
    ``carried_deficiencies`` are (account id, deficiency) pairs of
    market-maker accounts the firm carries (15c3-1(c)(2)(xi)).
    """
    table = load_schedule("net_worth", on)
    lines = _qualified_equity_lines(bs, table, on)
    qualified = lines[-1].amount
    sub = _subordinated_line(liabilities)
    credits = _capital_adjustments(bs, table, on)
    total_capital = qualified + sub.amount + sum(c.amount for c in credits)
    lines += [
        sub,
        *credits,
        Line(
            "total_capital",
            "Total capital and allowable subordinated liabilities",
            total_capital,
            "15c3-1(c)(2)",
            role="subtotal",
        ),
    ]
    deductions, nonallowable = _nonallowable_lines(bs, table, liabilities, secured_by_asset)
    deductions += _other_deductions(
        bs, table, liabilities, on, carried_deficiencies, computed_deductions
    )
    total_deductions = sum(d.amount for d in deductions)
    tnc = total_capital + total_deductions
    lines += [
        *deductions,
        Line(
            "total_deductions",
            "Total deductions and charges (non-allowable assets and other deductions)",
            total_deductions,
            "15c3-1(c)(2)",
            role="memo",
        ),
        Line(
            "tentative_net_capital",
            "Net capital before haircuts on securities positions (tentative net capital)",
            tnc,
            "15c3-1(c)(15)",
            role="subtotal",
        ),
    ]
    return NetWorthResult(
        lines=tuple(lines),
        tentative_net_capital=tnc,
        nonallowable=nonallowable,
        subordinated=sub.amount,
    )
