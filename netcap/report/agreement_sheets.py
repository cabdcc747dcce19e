"""Worksheets of the computation workbook for deductions computed from agreements.

``Repurchase agreements``  15c3-1(c)(2)(iv)(F): one row per agreement with its
                           deficit, reduction, allowance and deduction as formulas
                           over the contract price and market value; per party the
                           (F)(3)(i)(B) test; then (F)(2), (A), (B), (C) and the
                           (F)(3) deduction (``MAX`` of (A)+(B) and (C)).
``Secured demand notes``   15c3-1d(a)(2)(iii): collateral value of each security
                           pledged (market value less its deduction); per note the
                           collateral deficiency of (b)(6) and 15c3-1(c)(2)(iv)(B).

`write_agreement_sheets` returns, for each computation line it backs, the cell
the line's formula refers to.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from netcap.report.excel import MONEY, RATE, Book, Formula, Sheet
from netcap.rule.computation import NetCapitalResult
from netcap.rule.repos import RepoDeficits
from netcap.rule.secured_demand_notes import SDNResult
from netcap.rule.tables import load_schedule

__all__ = ["CURRENCY_SHEET", "REPO_SHEET", "SDN_SHEET", "write_agreement_sheets"]

REPO_SHEET = "Repurchase agreements"
SDN_SHEET = "Secured demand notes"
CURRENCY_SHEET = "Currency conversions"

_REPO_HEADERS = (
    ("id", None),
    ("agreement", None),
    ("counterparty", None),
    ("collateral", None),
    ("contract_price", MONEY),
    ("market_value", MONEY),
    ("deficit", MONEY),
    ("reduction", MONEY),
    ("net_deficit", MONEY),
    ("rate", RATE),
    ("allowance", MONEY),
    ("deduction", MONEY),
    ("citation", None),
    ("note", None),
)


def _ref(sheet: str, col: str, row: int) -> str:
    return f"'{sheet}'!${col}${row}"


def _letters(headers: tuple[tuple[str, str | None], ...]) -> dict[str, str]:
    return {name: chr(ord("A") + i) for i, (name, _) in enumerate(headers)}


def _header(ws: Sheet, row: int, names: list[str]) -> None:
    for j, name in enumerate(names, start=1):
        ws.put(row, j, name)
    ws.style_header(row, 1, len(names))


def _shown_length(value: object) -> int:
    """Characters a cell's value takes as displayed: text as is, a number with separators."""
    if isinstance(value, Formula):
        value = value.value
    if isinstance(value, bool) or value is None:
        return len(str(value or ""))
    if isinstance(value, int | float):
        return len(f"{value:,.2f}") + 1  # the sign or a percent sign
    return len(str(value))


def _fit_columns(ws: Sheet, from_row: int = 3) -> None:
    """Widen every column to what it shows from ``from_row`` on (a number shows in full,
    never as ``###``; a header on one line); a width set afterwards overrides this."""
    longest: dict[int, int] = {}
    for (row, col), cell in ws.cells.items():
        if row >= from_row:
            longest[col] = max(longest.get(col, 0), _shown_length(cell.value))
    for col, n in longest.items():
        ws.width(col, min(max(n + 2, 10), 60))


def _title(ws: Sheet, text: str) -> None:
    ws.put(1, 1, text, bold=True).size = 13


def _repo_sheet(ws: Sheet, res: RepoDeficits, on: date) -> dict[str, str]:
    title = ws.title
    table = load_schedule("repo_deficits", on)
    col = _letters(_REPO_HEADERS)
    _title(ws, "Repurchase and reverse repurchase agreement deficits, 15c3-1(c)(2)(iv)(F)")
    _header(ws, 3, [h for h, _ in _REPO_HEADERS])
    detail = res.detail
    first = 4
    for i, rec in enumerate(detail.to_dict("records")):
        r = first + i
        reverse = rec["agreement"] == "reverse_repo"
        cp, mv = f"{col['contract_price']}{r}", f"{col['market_value']}{r}"
        if rec["note"]:
            deficit: object = 0.0  # (F)(1)(iv): disregarded
        elif reverse:
            deficit = Formula(f"=MAX({cp}-{mv},0)", float(rec["deficit"]))  # (F)(1)(i)
        else:
            deficit = Formula(f"=MAX({mv}-{cp},0)", float(rec["deficit"]))  # (F)(1)(ii)
        net = Formula(
            f"=MAX({col['deficit']}{r}-{col['reduction']}{r},0)", float(rec["net_deficit"])
        )
        deduction = float(rec["deduction"])
        values: dict[str, object] = {
            "id": rec["id"],
            "agreement": rec["agreement"],
            "counterparty": rec["counterparty"],
            "collateral": rec["collateral"],
            "contract_price": float(rec["contract_price"]),
            "market_value": float(rec["market_value"]),
            "deficit": deficit,
            "reduction": float(rec["reduction"]),
            "net_deficit": net,
            "rate": None if reverse else float(rec["rate"]),
            "allowance": None
            if reverse
            else Formula(f"={col['rate']}{r}*{cp}", float(rec["allowance"])),
            "deduction": Formula(f"={col['net_deficit']}{r}", deduction)
            if reverse
            else Formula(f"=MAX({col['net_deficit']}{r}-{col['allowance']}{r},0)", deduction),
            "citation": rec["citation"],
            "note": rec["note"],
        }
        for j, (name, fmt) in enumerate(_REPO_HEADERS, start=1):
            ws.put(r, j, values[name], fmt)
    last = max(first + len(detail) - 1, first)
    kind = f"${col['agreement']}${first}:${col['agreement']}${last}"
    party = f"${col['counterparty']}${first}:${col['counterparty']}${last}"
    ded = f"${col['deduction']}${first}:${col['deduction']}${last}"
    net_col = f"${col['net_deficit']}${first}:${col['net_deficit']}${last}"

    r = last + 2
    ws.put(r, 1, "Net capital before (c)(2)(vi) (the base of (F)(3)(i)(B) and (C))")
    ws.put(r, 6, res.base, MONEY)
    base = f"$F${r}"
    r += 1
    ws.put(r, 1, "Share of net capital per party")
    ws.put(r, 6, table.rate("party_net_capital_pct"), RATE)
    ws.put(r, 7, table.citation("party_net_capital_pct"))
    share = f"$F${r}"
    r += 1
    ws.put(r, 1, "Multiple of net capital for all parties")
    ws.put(r, 6, table.rate("aggregate_net_capital_multiple"))
    ws.put(r, 7, table.citation("aggregate_net_capital_multiple"))
    multiple = f"$F${r}"
    r += 2
    _header(
        ws,
        r,
        ["counterparty", "repurchase net deficits", "(A) with the party", "25% threshold", "(B)"],
    )
    party_first = r + 1
    for i, rec in enumerate(res.parties.to_dict("records")):
        q = party_first + i
        ws.put(q, 1, rec["counterparty"])
        crit = f"$A{q}"
        ws.put(
            q,
            2,
            Formula(
                f'=SUMIFS({net_col},{party},{crit},{kind},"repurchase")',
                float(rec["repo_net_deficits"]),
            ),
            MONEY,
        )
        ws.put(
            q,
            3,
            Formula(
                f'=SUMIFS({ded},{party},{crit},{kind},"repurchase")', float(rec["deduction_a"])
            ),
            MONEY,
        )
        ws.put(q, 4, Formula(f"={share}*MAX({base},0)", float(rec["threshold_b"])), MONEY)
        ws.put(q, 5, Formula(f"=MAX(B{q}-D{q}-C{q},0)", float(rec["deduction_b"])), MONEY)
    party_last = max(party_first + len(res.parties) - 1, party_first)
    r = party_last + 2
    out: dict[str, str] = {}
    rows = (
        (
            "reverse",
            "(F)(2): reverse repurchase deductions",
            f'=SUMIF({kind},"reverse_repo",{ded})',
            res.reverse,
        ),
        (
            "a",
            "(F)(3)(i)(A): repurchase deficits over 5%/10%/20%",
            f'=SUMIF({kind},"repurchase",{ded})',
            res.deduction_a,
        ),
        (
            "b",
            "(F)(3)(i)(B): per party over 25%, less (A)",
            f"=SUM(E{party_first}:E{party_last})",
            res.deduction_b,
        ),
        (
            "c",
            "(F)(3)(i)(C): all deficits over 300%",
            f'=MAX(SUMIF({kind},"repurchase",{net_col})-{multiple}*MAX({base},0),0)',
            res.deduction_c,
        ),
    )
    at: dict[str, int] = {}
    for key, label, formula, value in rows:
        ws.put(r, 1, label)
        ws.put(r, 6, Formula(formula, float(value)), MONEY)
        at[key] = r
        r += 1
    ws.put(r, 1, "(F)(3): (A) + (B) or, if greater, (C)", bold=True)
    ws.put(r, 6, Formula(f"=MAX(F{at['a']}+F{at['b']},F{at['c']})", res.repo), MONEY)
    out["repo_deficits:reverse"] = _ref(title, "F", at["reverse"])
    out["repo_deficits:repurchase"] = _ref(title, "F", r)
    _fit_columns(ws)
    ws.width("A", 48)
    return out


def _sdn_sheet(ws: Sheet, res: SDNResult) -> dict[str, str]:
    title = ws.title
    _title(ws, "Secured demand notes: collateral value (15c3-1d(a)(2)(iii)) and deficiency")
    heads = ["note", "id", "security_class", "market_value", "paragraph", "rate", "deduction"]
    heads += ["collateral_value", "citation"]
    _header(ws, 3, heads)
    coll = res.collateral
    first = 4
    for i, rec in enumerate(coll.to_dict("records")):
        r = first + i
        ws.put(r, 1, rec["note"])
        ws.put(r, 2, rec["id"])
        ws.put(r, 3, rec["security_class"])
        ws.put(r, 4, float(rec["market_value"]), MONEY)
        ws.put(r, 5, rec["paragraph"])
        ws.put(r, 6, float(rec["rate"]), RATE)
        ws.put(r, 7, Formula(f"=F{r}*D{r}", float(rec["deduction"])), MONEY)
        ws.put(r, 8, Formula(f"=D{r}-G{r}", float(rec["collateral_value"])), MONEY)
        ws.put(r, 9, rec["citation"])
    last = max(first + len(coll) - 1, first)
    r = last + 2
    _header(
        ws,
        r,
        [
            "note",
            "unpaid_principal",
            "cash_collateral",
            "collateral_value",
            "deficiency",
            "citation",
        ],
    )
    note_first = r + 1
    for i, rec in enumerate(res.notes.to_dict("records")):
        q = note_first + i
        ws.put(q, 1, rec["id"])
        ws.put(q, 2, float(rec["unpaid_principal"]), MONEY)
        ws.put(q, 3, float(rec["cash_collateral"]), MONEY)
        securities = float(rec["collateral_value"])  # the securities' value, cash apart
        ws.put(
            q,
            4,
            Formula(f"=SUMIF($A${first}:$A${last},A{q},$H${first}:$H${last})", securities),
            MONEY,
        )
        ws.put(q, 5, Formula(f"=MAX(B{q}-C{q}-D{q},0)", float(rec["deficiency"])), MONEY)
        ws.put(q, 6, rec["citation"])
    note_last = max(note_first + len(res.notes) - 1, note_first)
    total = note_last + 2
    ws.put(total, 1, "Total collateral deficiency, 15c3-1(c)(2)(iv)(B)", bold=True)
    ws.put(total, 5, Formula(f"=SUM(E{note_first}:E{note_last})", res.deficiency), MONEY)
    _fit_columns(ws)
    ws.width("A", 30)
    return {"sdn_collateral_deficiency": _ref(title, "E", total)}


def write_agreement_sheets(wb: Book, result: NetCapitalResult) -> dict[str, str]:
    """Add the sheets the book needs; return line key -> the cell its amount comes from."""
    linked: dict[str, str] = {}
    if result.repo_deficits is not None:
        linked |= _repo_sheet(wb.add(REPO_SHEET), result.repo_deficits, result.as_of)
    if result.secured_demand_notes is not None:
        linked |= _sdn_sheet(wb.add(SDN_SHEET), result.secured_demand_notes)
    if result.currency_conversions is not None:
        _currency_sheet(wb.add(CURRENCY_SHEET), result.currency_conversions)
    return linked


def _currency_sheet(ws: Sheet, conversions: pd.DataFrame) -> None:
    """Each converted amount: the amount, the rate, and the dollars as a formula."""
    _title(ws, "Amounts converted to US dollars at the book's currency_rates")
    heads = ["item", "id", "field", "currency", "amount", "usd_per_unit", "usd", "source"]
    _header(ws, 3, heads)
    for i, rec in enumerate(conversions.to_dict("records")):
        r = 4 + i
        for j, name in enumerate(heads[:4], start=1):
            ws.put(r, j, rec[name])
        ws.put(r, 5, float(rec["amount"]), "#,##0.00")
        ws.put(r, 6, float(rec["usd_per_unit"]), "0.000000")
        ws.put(r, 7, Formula(f"=E{r}*F{r}", float(rec["usd"])), MONEY)
        ws.put(r, 8, rec["source"])
    _fit_columns(ws)
    ws.width("A", 22)
