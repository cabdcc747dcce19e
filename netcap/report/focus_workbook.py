"""The net capital computation as an auditable workbook, laid out like FOCUS Part II.

Sheets
------
``Computation``       the lines of `NetCapitalResult.lines` (line key, label,
                      amount, citation) in the order of the FOCUS computation of net
                      capital.  Subtotals are live formulas over the cells above them,
                      each haircut line is a ``SUMIF`` over the haircut detail, the
                      requirement is a ``MAX`` over its candidates, and the
                      early-warning tests of Rule 17a-11 and 15c3-1(e)(2) are ``IF``
                      formulas against thresholds computed from cells.  The rates the
                      formulas use sit in a parameter block beside the lines, each with
                      its citation.
``Haircut detail``    one row per position: what it is (class, side, market value),
                      the paragraph that charged it, the paragraph group the
                      computation line sums, bucket, rate, exposure and charge, the
                      add-on (undue concentration, Appendix B) and a totals row.
``Treasury netting``  the 15c3-1(c)(2)(vi)(A) worksheet: long and short values per
                      maturity subcategory summed from the detail (``SUMIFS``), the
                      subcategory deductions, the category offsets with 50% of the
                      lesser side, and the tie to the (A) line of the computation.
``Canadian netting``  the same for 15c3-1(c)(2)(vi)(C) when the book holds Canadian
                      debt (that paragraph applies the (A)(1) method).
``Input positions``   the positions as loaded.
``Input firm``        the firm's scalar fields, the non-allowable assets, other
                      deductions and additions to aggregate indebtedness.
``Liabilities``       every liability with the amount included in aggregate
                      indebtedness and the exclusion applied.

Only input-like amounts (balance-sheet lines, dollar requirement candidates) are
values; each carries its citation.  Every text cell is written through
`netcap.report.excel.put`, so a name such as ``=HYPERLINK(...)`` is text,
never a formula.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netcap.book.frame import COLUMNS
from netcap.book.loading import LoadedBook
from netcap.book.readers import list_fields, sheet_name
from netcap.report.agreement_sheets import write_agreement_sheets
from netcap.report.excel import (
    MONEY,
    RATE,
    Book,
    Formula,
    Sheet,
    TableRef,
    column_number,
    save,
    write_table,
)
from netcap.rule.computation import POSITION_DEDUCTION_PREFIX, NetCapitalResult, haircut_group
from netcap.rule.tables import load_schedule

__all__ = ["SHEETS", "export_computation"]

SHEETS = (
    "Computation",
    "Haircut detail",
    "Treasury netting",
    "Canadian netting",
    "Input positions",
    "Input firm",
    "Liabilities",
)
"""Sheet titles, in order (a netting sheet is left out when its paragraph has no position)."""

PERCENT2 = "0.00%"
CROSSED = "CROSSED"
NOT_CROSSED = "no"
AMOUNT_COL = "C"


def _runs(rows: Iterable[int]) -> str:
    """``C5:C9,C12`` for rows 5-9 and 12 of the amount column."""
    ordered = sorted(set(rows))
    parts: list[str] = []
    i = 0
    while i < len(ordered):
        j = i
        while j + 1 < len(ordered) and ordered[j + 1] == ordered[j] + 1:
            j += 1
        a, b = ordered[i], ordered[j]
        parts.append(f"{AMOUNT_COL}{a}" if a == b else f"{AMOUNT_COL}{a}:{AMOUNT_COL}{b}")
        i = j + 1
    return ",".join(parts)


def _sum(rows: Iterable[int]) -> str:
    runs = _runs(rows)
    return f"SUM({runs})" if runs else "0"


def _subtotal(prev: int | None, items: list[int]) -> str:
    """The previous subtotal plus the items since it."""
    if prev is None:
        return f"={_sum(items)}"
    return f"={_cell(prev)}+{_sum(items)}" if items else f"={_cell(prev)}"


def _cell(row: int) -> str:
    return f"${AMOUNT_COL}${row}"


def _plain(frame: pd.DataFrame) -> pd.DataFrame:
    """An object frame with missing values as None (blank cells), ready for `write_table`."""
    out = frame.astype(object)
    return out.where(frame.notna().to_numpy(), None)


# --- Haircut detail ------------------------------------------------------------------------------

DETAIL_HEADERS: tuple[tuple[str, str | None], ...] = (
    ("id", None),
    ("security_class", None),
    ("instrument", None),
    ("side", None),
    ("market_value", MONEY),
    ("issuer", None),
    ("paragraph", None),
    ("group", None),
    ("bucket", None),
    ("rate", RATE),
    ("exposure", MONEY),
    ("gross_charge", MONEY),
    ("charge", MONEY),
    ("add_on_paragraph", None),
    ("add_on_group", None),
    ("add_on_charge", MONEY),
    ("note", None),
)


def _detail_frame(result: NetCapitalResult) -> pd.DataFrame:
    detail = result.haircuts.detail
    positions = result.positions
    if len(positions) != len(detail) or not np.array_equal(
        positions["id"].to_numpy(dtype=object), detail["id"].to_numpy(dtype=object)
    ):
        raise ValueError("haircut detail and positions are not aligned row for row")

    def group(values: pd.Series) -> list[str]:
        return [haircut_group(str(p)) if str(p) else "" for p in values]

    frame = pd.DataFrame(
        {
            "id": detail["id"].to_numpy(dtype=object),
            "security_class": positions["security_class"].to_numpy(dtype=object),
            "instrument": positions["instrument"].to_numpy(dtype=object),
            "side": positions["side"].to_numpy(dtype=object),
            "market_value": positions["market_value"].to_numpy(dtype=float),
            "issuer": positions["issuer"].to_numpy(dtype=object),
            "paragraph": detail["paragraph"].to_numpy(dtype=object),
            "group": group(detail["paragraph"]),
            "bucket": detail["bucket"].to_numpy(dtype=object),
            "rate": detail["rate"].to_numpy(dtype=float),
            "exposure": detail["exposure"].to_numpy(dtype=float),
            "gross_charge": detail["gross_charge"].to_numpy(dtype=float),
            "charge": detail["charge"].to_numpy(dtype=float),
            "add_on_paragraph": detail["add_on_paragraph"].to_numpy(dtype=object),
            "add_on_group": group(detail["add_on_paragraph"]),
            "add_on_charge": detail["add_on_charge"].to_numpy(dtype=float),
            "note": detail["note"].to_numpy(dtype=object),
        },
        columns=[h for h, _ in DETAIL_HEADERS],
    )
    return _plain(frame)


def _write_detail(ws: Sheet, result: NetCapitalResult) -> TableRef:
    frame = _detail_frame(result)
    ref = write_table(ws, frame, formats={h: f for h, f in DETAIL_HEADERS if f})
    total = ref.last_row + 2 if len(frame) else ref.first_row + 1
    ws.put(total, 1, "Total", bold=True)
    sums = {
        name: float(np.nansum(frame[name].to_numpy(dtype=float)))
        for name in ("market_value", "gross_charge", "charge", "add_on_charge")
    }
    for name, value in sums.items():
        col = column_number(ref.columns[name])
        text = f"=SUM({ref.range(name, False)})"
        ws.put(total, col, Formula(text, value), MONEY, bold=True)
    ws.put(total + 1, 1, "Total haircuts (charge + add-on)")
    charge, add_on = ref.columns["charge"], ref.columns["add_on_charge"]
    ws.put(
        total + 1,
        column_number(charge),
        Formula(f"={charge}{total}+{add_on}{total}", sums["charge"] + sums["add_on_charge"]),
        MONEY,
    )
    ws.width(ref.columns["note"], 60)
    return ref


# --- Computation ---------------------------------------------------------------------------------


@dataclass
class _Sheet:
    """The Computation sheet being written: rows of lines and the parameter block."""

    ws: Sheet
    row: int = 1
    where: dict[str, int] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    param_row: int = 2
    pending: list[tuple[int, str]] = field(default_factory=list)
    """(row, formula with ``{AI}``) of lines that refer to aggregate indebtedness, written later."""
    linked: dict[str, str] = field(default_factory=dict)
    """Line key -> the cell of another sheet its amount is computed in (a deduction, negated)."""

    def heading(self, text: str) -> None:
        self.row += 1
        self.ws.put(self.row, 1, text, bold=True)
        self.row += 1

    def line(
        self,
        key: str,
        label: str,
        amount: object,
        citation: str,
        fmt: str = MONEY,
        bold: bool = False,
    ) -> int:
        r = self.row
        self.ws.put(r, 1, key)
        self.ws.put(r, 2, label)
        self.ws.put(r, 3, amount, fmt)
        self.ws.put(r, 4, citation)
        if bold:
            for col in (2, 3):
                self.ws.cell(r, col).bold = True
        self.where[key] = r
        self.row += 1
        return r

    def param(self, key: str, label: str, value: float, fmt: str | None, citation: str) -> str:
        """A parameter cell in columns I:K; returns its absolute reference."""
        if key in self.params:
            return self.params[key]
        r = self.param_row
        self.ws.put(r, 9, label)
        self.ws.put(r, 10, float(value), fmt)
        self.ws.put(r, 11, citation)
        self.param_row += 1
        self.params[key] = f"$J${r}"
        return self.params[key]


# (schedule, key) -> label of the parameter cell; "x" marks a multiple of net capital
_RATE_LABELS: Mapping[tuple[str, str], tuple[str, bool]] = {
    ("requirements", "ai_ratio_limit"): ("Aggregate indebtedness limit, times net capital", True),
    ("requirements", "ai_ratio_limit_first_year"): (
        "Aggregate indebtedness limit in the first 12 months, times net capital",
        True,
    ),
    ("requirements", "alternative_debit_pct"): (
        "Alternative standard: share of aggregate debit items",
        False,
    ),
    ("requirements", "withdrawal_minimum_pct"): (
        "Withdrawal limit: share of the minimum dollar requirement",
        False,
    ),
    ("requirements", "withdrawal_debit_pct"): (
        "Withdrawal limit: share of aggregate debit items",
        False,
    ),
    ("requirements", "withdrawal_ai_ratio"): (
        "Withdrawal limit: aggregate indebtedness, times net capital",
        True,
    ),
    ("requirements", "withdrawal_haircut_pct"): (
        "Withdrawal limit: share of the securities haircuts",
        False,
    ),
    ("requirements", "debt_equity_limit"): ("Debt-equity limit: share of the total", False),
    ("early_warning", "ai_ratio"): ("Notice: aggregate indebtedness, times net capital", True),
    ("early_warning", "minimum_pct"): ("Notice: share of the required minimum", False),
    ("early_warning", "alternative_debit_pct"): (
        "Notice: share of aggregate debit items",
        False,
    ),
    ("early_warning", "leverage_tnc"): (
        "Notice: securities financing, times tentative net capital",
        True,
    ),
}


def _rate(s: _Sheet, schedule: str, key: str, on: date) -> str:
    """The parameter cell holding rate ``key`` of ``schedule`` (with its citation)."""
    table = load_schedule(schedule, on)
    label, multiple = _RATE_LABELS.get((schedule, key), (f"{schedule}: {key}", False))
    return s.param(
        f"{schedule}:{key}",
        label,
        table.rate(key),
        "0.##" if multiple else PERCENT2,
        table.citation(key),
    )


def _haircut_formula(detail: TableRef, row: int, amount: float) -> Formula:
    group, charge = detail.range("group"), detail.range("charge")
    add_group, add_on = detail.range("add_on_group"), detail.range("add_on_charge")
    crit = f"$D{row}"
    text = f"=-(SUMIF({group},{crit},{charge})+SUMIF({add_group},{crit},{add_on}))"
    return Formula(text, amount)


def _capital_section(s: _Sheet, lines: pd.DataFrame, detail: TableRef) -> None:
    """Equity down to net capital: subtotal = previous subtotal + the items since it.

    Position deductions above tentative net capital ((c)(2)(vii), crypto) and the
    haircut lines below it are ``SUMIF`` formulas over the haircut detail.  The
    (e)(2)(iii) withdrawal base sums the haircut lines other than Appendix B; the
    (M)(1) base is tentative net capital less the Appendix B line.
    """
    prev: int | None = None
    items: list[int] = []
    haircut_rows: dict[str, int] = {}
    s.heading("Computation of net capital")
    for rec in lines.to_dict("records"):
        key, role = str(rec["line"]), str(rec["role"])
        label, citation = str(rec["label"]), str(rec["citation"])
        amount = float(rec["amount"])
        if key.startswith("haircut:") and not any(k.startswith("haircut:") for k in s.where):
            s.heading("Haircuts on securities positions, one line per paragraph (15c3-1(c)(2)(vi))")
        if role == "subtotal":
            prev = s.line(key, label, Formula(_subtotal(prev, items), amount), citation, bold=True)
            items = []
            if key == "total_capital":
                s.heading("Deductions and charges")
        elif role == "memo" and key.startswith("total_"):
            s.line(key, label, Formula(f"={_sum(items)}", amount), citation)
        elif key.startswith(("haircut:", POSITION_DEDUCTION_PREFIX)):
            r = s.line(key, label, _haircut_formula(detail, s.row, amount), citation)
            items.append(r)
            if key.startswith("haircut:"):
                haircut_rows[key] = r
        elif key == "withdrawal_haircut_base":
            rows = [r for k, r in haircut_rows.items() if k != "haircut:15c3-1b"]
            s.line(key, label, Formula(f"={_sum(rows)}", amount), citation)
        elif key == "concentration_base":
            tnc = _cell(s.where["tentative_net_capital"])
            b = haircut_rows.get("haircut:15c3-1b")
            text = f"={tnc}+{_cell(b)}" if b else f"={tnc}"
            s.line(key, label, Formula(text, amount), citation)
        elif role == "memo":
            s.line(key, label, amount, citation)
        elif key in s.linked:  # computed on its own sheet (netcap.report.agreement_sheets)
            items.append(s.line(key, label, Formula(f"=-{s.linked[key]}", amount), citation))
        else:
            items.append(s.line(key, label, amount, citation))


def _requirement_section(s: _Sheet, result: NetCapitalResult, lines: pd.DataFrame) -> None:
    on = result.as_of
    req = result.requirement
    cand = req.candidates
    nc = _cell(s.where["net_capital"])
    s.heading("Minimum net capital requirement")
    ratio_rows: list[int] = []
    dollar_rows: list[int] = []
    pending = s.pending
    adi_ref: str | None = None
    for rec in lines.to_dict("records"):
        key, label, citation = str(rec["line"]), str(rec["label"]), str(rec["citation"])
        amount = float(rec["amount"])
        if key == "requirement:aggregate_indebtedness_ratio":
            limit_key = "ai_ratio_limit_first_year" if req.first_year else "ai_ratio_limit"
            limit = _rate(s, "requirements", limit_key, on)
            r = s.line(key, label, Formula("=0", amount), citation)
            pending.append((r, f"={{AI}}/{limit}"))
            ratio_rows.append(r)
        elif key == "requirement:alternative_debit_items":
            adi_ref = _adi_param(s, result)
            p = _rate(s, "requirements", "alternative_debit_pct", on)
            ratio_rows.append(s.line(key, label, Formula(f"={p}*{adi_ref}", amount), citation))
        elif key.startswith("requirement:"):
            ratio_rows.append(s.line(key, label, amount, citation))
        elif key == "minimum_dollar_requirement":
            for c in cand[cand["kind"] == "dollar"].to_dict("records"):
                dollar_rows.append(
                    s.line(
                        f"candidate:{c['key']}",
                        f"Dollar requirement candidate: {c['basis']}",
                        float(c["amount"]),
                        str(c["citation"]),
                    )
                )
            text = f"=MAX({_runs(dollar_rows)})"
            s.line(key, label, Formula(text, amount), citation, bold=True)
        elif key == "net_capital_requirement":
            refs = _runs([*ratio_rows, s.where["minimum_dollar_requirement"]])
            s.line(key, label, Formula(f"=MAX({refs})", amount), citation, bold=True)
        elif key == "excess_net_capital":
            req_cell = _cell(s.where["net_capital_requirement"])
            s.line(key, label, Formula(f"={nc}-{req_cell}", amount), citation, bold=True)
        elif key == "net_capital_less_warning_level":
            wd = _rate(s, "requirements", "withdrawal_minimum_pct", on)
            mind = _cell(s.where["minimum_dollar_requirement"])
            if result.firm.alternative_standard:
                adi_ref = adi_ref or _adi_param(s, result)
                p = _rate(s, "requirements", "withdrawal_debit_pct", on)
                text = f"={nc}-MAX({p}*{adi_ref},{wd}*{mind})"
                s.line(key, label, Formula(text, amount), citation)
            else:
                ratio = _rate(s, "requirements", "withdrawal_ai_ratio", on)
                r = s.line(key, label, Formula("=0", amount), citation)
                pending.append((r, f"={nc}-MAX({{AI}}/{ratio},{wd}*{mind})"))
        else:
            s.line(key, label, amount, citation)


def _engine_value(value: object) -> float | str:
    """A cached value for a formula cell: the engine's number, or ``n/a`` where it has none."""
    if isinstance(value, str):
        return value
    number = float(value)  # type: ignore[arg-type]
    return number if np.isfinite(number) else "n/a"


def _adi_param(s: _Sheet, result: NetCapitalResult) -> str:
    """Aggregate debit items (Rule 15c3-3 Exhibit A), an input of the alternative standard.

    Read back from the requirement candidate it drives (2% of aggregate debit items).
    """
    cand = result.requirement.candidates
    hit = cand.loc[cand["key"] == "alternative_debit_items", "amount"]
    pct = load_schedule("requirements", result.as_of).rate("alternative_debit_pct")
    value = float(hit.iloc[0]) / pct if len(hit) else 0.0
    return s.param(
        "aggregate_debit_items",
        "Aggregate debit items (Rule 15c3-3, Exhibit A)",
        value,
        MONEY,
        "15c3-1(a)(1)(ii); 15c3-3a",
    )


def _indebtedness_section(
    s: _Sheet, result: NetCapitalResult, lines: pd.DataFrame, liabilities: TableRef
) -> None:
    s.heading("Aggregate indebtedness and ratios")
    nc = _cell(s.where["net_capital"])
    prev: int | None = None
    items: list[int] = []
    for rec in lines.to_dict("records"):
        key, label, citation = str(rec["line"]), str(rec["label"]), str(rec["citation"])
        amount, role, unit = float(rec["amount"]), str(rec["role"]), str(rec["unit"])
        if key == "ai_recorded":
            rng = liabilities.range("ai_amount")
            items.append(s.line(key, label, Formula(f"=SUM({rng})", amount), citation))
        elif key == "ai_ratio_pct":
            ai = _cell(s.where["aggregate_indebtedness"])
            ratio: float | str = amount / 100.0 if np.isfinite(amount) else "n/a"
            text = f'=IF({nc}>0,{ai}/{nc},"n/a")'
            s.line(key, label, Formula(text, ratio), citation, PERCENT2)
        elif role == "subtotal":
            prev = s.line(key, label, Formula(_subtotal(prev, items), amount), citation, bold=True)
            items = []
        elif unit == "%":
            value = amount / 100.0 if np.isfinite(amount) else "n/a"
            s.line(key, label, value, citation, PERCENT2)
        elif role == "item":
            items.append(s.line(key, label, amount, citation))
        else:
            s.line(key, label, amount, citation)


# key -> (schedule, rate key, measure, base of the threshold, comparison)
#   measure: "nc" net capital, "ai" AI / net capital, "value" the engine's figure
#   base:    line whose cell the rate multiplies ("adi": aggregate debit items; "-" negates;
#            "" = the rate is itself the threshold)
_FLAGS: Mapping[str, tuple[str, str, str, str, str]] = {
    "below_minimum": ("", "", "nc", "net_capital_requirement", "<"),
    "below_5pct_debit_items": ("early_warning", "alternative_debit_pct", "nc", "adi", "<"),
    "ai_over_1200pct": ("early_warning", "ai_ratio", "ai", "", ">"),
    "below_120pct_minimum": ("early_warning", "minimum_pct", "nc", "net_capital_requirement", "<"),
    "securities_financing_over_2500pct_tnc": (
        "early_warning",
        "leverage_tnc",
        "value",
        "tentative_net_capital",
        ">",
    ),
    "withdrawal_below_120pct_minimum_dollar": (
        "requirements",
        "withdrawal_minimum_pct",
        "nc",
        "minimum_dollar_requirement",
        "<",
    ),
    "withdrawal_below_25pct_haircuts": (
        "requirements",
        "withdrawal_haircut_pct",
        "nc",
        "-withdrawal_haircut_base",
        "<",
    ),
    "withdrawal_below_5pct_debit_items": ("requirements", "withdrawal_debit_pct", "nc", "adi", "<"),
    "withdrawal_ai_over_1000pct": ("requirements", "withdrawal_ai_ratio", "ai", "", ">"),
    "debt_equity_over_70pct": ("requirements", "debt_equity_limit", "value", "", ">"),
}

FLAG_HEADERS = ("test", "description", "measure", "citation", "threshold", "crossed?")


def _flags_section(s: _Sheet, result: NetCapitalResult) -> None:
    s.heading("Early warning (Rule 17a-11) and withdrawal limits (15c3-1(e)(2))")
    ws = s.ws
    for j, h in enumerate(FLAG_HEADERS, start=1):
        ws.put(s.row, j, h)
    ws.style_header(s.row, 1, len(FLAG_HEADERS))
    s.row += 1
    nc = _cell(s.where["net_capital"])
    ai = _cell(s.where["aggregate_indebtedness"]) if "aggregate_indebtedness" in s.where else "0"
    for f in result.early_warning.to_dict("records"):
        key, unit = str(f["key"]), str(f["unit"])
        r = s.row
        ws.put(r, 1, key)
        ws.put(r, 2, str(f["description"]))
        ws.put(r, 4, str(f["citation"]))
        spec = _FLAGS.get(key)
        fmt = PERCENT2 if unit == "%" else MONEY
        scale = 100.0 if unit == "%" else 1.0
        measure_value = float(f["measure"]) / scale
        shown: object = measure_value if np.isfinite(measure_value) else "n/a"
        s.where[f"flag:{key}"] = r
        s.row += 1
        if spec is None:
            ws.put(r, 3, shown, fmt)
            ws.put(r, 5, float(f["threshold"]) / scale, fmt)
            ws.put(r, 6, CROSSED if bool(f["triggered"]) else NOT_CROSSED)
            continue
        sched, rate_key, measure, base, op = spec
        rate = ""
        if sched:
            rate = _rate(s, sched, rate_key, result.as_of)
        measured = _engine_value(shown)
        threshold = _engine_value(float(f["threshold"]) / scale)
        crossed = CROSSED if bool(f["triggered"]) else NOT_CROSSED
        if measure == "nc":
            ws.put(r, 3, Formula(f"={nc}", measured), MONEY)
        elif measure == "ai":
            ws.put(r, 3, Formula(f'=IF({nc}>0,{ai}/{nc},"n/a")', measured), PERCENT2)
        else:
            ws.put(r, 3, shown, fmt)
        if base == "adi":
            ws.put(r, 5, Formula(f"={rate}*{_adi_param(s, result)}", threshold), MONEY)
        elif base.startswith("-"):
            ws.put(r, 5, Formula(f"=-{rate}*{_cell(s.where[base[1:]])}", threshold), MONEY)
        elif base:
            factor = f"{rate}*" if rate else ""
            ws.put(r, 5, Formula(f"={factor}{_cell(s.where[base])}", threshold), MONEY)
        else:
            ws.put(r, 5, Formula(f"={rate}", threshold), fmt)
        test = f"{ai}>{rate}*{nc}" if measure == "ai" else f"C{r}{op}E{r}"
        ws.put(r, 6, Formula(f'=IF({test},"{CROSSED}","{NOT_CROSSED}")', crossed))


def _write_computation(
    ws: Sheet,
    result: NetCapitalResult,
    detail: TableRef,
    liabilities: TableRef,
    linked: dict[str, str] | None = None,
) -> dict[str, int]:
    firm = result.firm
    title = f"{firm.name}: computation of net capital as of {result.as_of.isoformat()}"
    ws.put(1, 1, title, bold=True).size = 13
    for j, h in enumerate(("line", "label", "amount", "citation"), start=1):
        ws.put(2, j, h)
    ws.style_header(2, 1, 4)
    for j, h in enumerate(("parameter", "value", "citation"), start=9):
        ws.put(1, j, h)
    ws.style_header(1, 9, 11)
    s = _Sheet(ws, row=2, linked=dict(linked or {}))
    lines = result.lines
    _capital_section(s, lines[lines["section"] == "capital"], detail)
    _requirement_section(s, result, lines[lines["section"] == "requirement"])
    _indebtedness_section(s, result, lines[lines["section"] == "indebtedness"], liabilities)
    others = lines[~lines["section"].isin(["capital", "requirement", "indebtedness"])]
    if len(others):
        s.heading("Other lines")
        for rec in others.to_dict("records"):
            s.line(str(rec["line"]), str(rec["label"]), float(rec["amount"]), str(rec["citation"]))
    ai = _cell(s.where["aggregate_indebtedness"]) if "aggregate_indebtedness" in s.where else "0"
    for r, text in s.pending:
        engine = ws.cell(r, 3).value
        assert isinstance(engine, Formula)
        ws.put(r, 3, Formula(text.replace("{AI}", ai), engine.value), MONEY)
    _flags_section(s, result)
    s.row += 1
    ws.put(s.row, 1, "warnings", bold=True)
    for w in result.warnings:
        s.row += 1
        ws.put(s.row, 2, w)
    for col, width in enumerate((34, 80, 18, 30, 16, 12, 2, 2, 52, 14, 30), start=1):
        ws.width(col, width)
    ws.freeze = (3, 1)
    return s.where


# --- Netting worksheets --------------------------------------------------------------------------

SUB_HEADERS = (
    "category",
    "subcategory",
    "maturity",
    "rate",
    "long value",
    "short value",
    "net value",
    "deduction",
    "deduction on net long",
    "deduction on net short",
    "citation",
)
CAT_HEADERS = (
    "category",
    "aggregate deduction on net long",
    "aggregate deduction on net short",
    "net of long and short",
    "share of the lesser deducted",
    "factor",
    "category deduction",
    "citation",
)


def _write_netting(
    ws: Sheet,
    title: str,
    group: str,
    subs: pd.DataFrame,
    cats: pd.DataFrame,
    detail: TableRef,
    line: tuple[int, float] | None,
) -> int:
    """The netting worksheet of one paragraph; returns the row of its total.

    ``line`` is the row and amount of the paragraph's haircut line on the Computation sheet.
    """
    ws.put(1, 1, title, bold=True).size = 13
    ws.put(2, 1, "paragraph group")
    ws.put(2, 2, group)
    ws.put(3, 1, "share of the lesser side deducted")
    subcategory_only = bool(cats["citation"].astype(str).str.contains(r"\(A\)\(2\)").any())
    ws.put(3, 2, 0.0 if subcategory_only else 0.5, PERCENT2)
    ws.put(3, 3, "15c3-1(c)(2)(vi)(A)(1)" if not subcategory_only else "15c3-1(c)(2)(vi)(A)(2)")
    top = 5
    for j, h in enumerate(SUB_HEADERS, start=1):
        ws.put(top, j, h)
    ws.style_header(top, 1, len(SUB_HEADERS))
    expo, grp, bucket = detail.range("exposure"), detail.range("group"), detail.range("bucket")
    first = top + 1
    for i, rec in enumerate(subs.to_dict("records")):
        r = first + i
        ws.put(r, 1, int(rec["category"]))
        ws.put(r, 2, str(rec["bucket"]))
        ws.put(r, 3, str(rec["maturity"]))
        ws.put(r, 4, float(rec["rate"]), RATE)
        # exact text comparisons: a SUMIFS criterion such as "3a" may be read as a time
        mask = f"({grp}=$B$2)*({bucket}=$B{r})"
        net, deduction = float(rec["net_value"]), float(rec["deduction"])
        long_value, short_value = float(rec["long_value"]), float(rec["short_value"])
        ws.put(r, 5, Formula(f"=SUMPRODUCT({mask}*({expo}>0)*{expo})", long_value), MONEY)
        ws.put(r, 6, Formula(f"=-SUMPRODUCT({mask}*({expo}<0)*{expo})", short_value), MONEY)
        ws.put(r, 7, Formula(f"=E{r}-F{r}", net), MONEY)
        ws.put(r, 8, Formula(f"=D{r}*ABS(G{r})", deduction), MONEY)
        ws.put(r, 9, Formula(f"=IF(G{r}>0,H{r},0)", deduction if net > 0 else 0.0), MONEY)
        ws.put(r, 10, Formula(f"=IF(G{r}<0,H{r},0)", deduction if net < 0 else 0.0), MONEY)
        ws.put(r, 11, str(rec["citation"]))
    last = first + len(subs) - 1
    ctop = last + 3
    for j, h in enumerate(CAT_HEADERS, start=1):
        ws.put(ctop, j, h)
    ws.style_header(ctop, 1, len(CAT_HEADERS))
    cat_rng = f"$A${first}:$A${last}"
    for i, rec in enumerate(cats.to_dict("records")):
        r = ctop + 1 + i
        ws.put(r, 1, int(rec["category"]))
        agg_long, agg_short = float(rec["long_deductions"]), float(rec["short_deductions"])
        deduction = float(rec["deduction"])
        ws.put(r, 2, Formula(f"=SUMIF({cat_rng},$A{r},$I${first}:$I${last})", agg_long), MONEY)
        ws.put(r, 3, Formula(f"=SUMIF({cat_rng},$A{r},$J${first}:$J${last})", agg_short), MONEY)
        net_cat = float(rec["net_of_long_and_short"])
        ws.put(r, 4, Formula(f"=ABS(B{r}-C{r})", net_cat), MONEY)
        lesser = float(rec["fifty_pct_of_lesser"])
        ws.put(r, 5, Formula(f"=$B$3*MIN(B{r},C{r})", lesser), MONEY)
        ws.put(r, 6, float(rec["factor"]), "0.00")
        if subcategory_only:
            ws.put(r, 7, Formula(f"=(B{r}+C{r})*F{r}", deduction), MONEY)
        else:
            ws.put(r, 7, Formula(f"=(D{r}+E{r})*F{r}", deduction), MONEY)
        ws.put(r, 8, str(rec["citation"]))
    clast = ctop + len(cats)
    total = clast + 2
    ws.put(total, 1, "Total deduction", bold=True)
    total_value = float(cats["deduction"].sum())
    ws.put(total, 7, Formula(f"=SUM(G{ctop + 1}:G{clast})", total_value), MONEY, bold=True)
    if line is not None:
        line_row, line_amount = line
        ws.put(total + 1, 1, "Haircut line on the Computation sheet")
        ws.put(total + 1, 7, Formula(f"=-Computation!$C${line_row}", -line_amount), MONEY)
        ws.put(total + 2, 1, "Difference (zero when the worksheet ties)")
        difference = total_value + line_amount
        ws.put(total + 2, 7, Formula(f"=G{total}-G{total + 1}", difference), MONEY)
    for col, width in enumerate((30, 26, 34, 16, 18, 18, 18, 18, 22, 22, 26), start=1):
        ws.width(col, width)
    ws.freeze = (top + 1, 1)
    return total


# --- Inputs --------------------------------------------------------------------------------------

INPUT_WHOLE = "#,##0;-#,##0"
"""An input number that is whole: thousands separators, no trailing decimal point."""
INPUT_DECIMAL = "#,##0.00##;-#,##0.00##"
"""An input number with a fraction: two to four decimals as typed (a price, a count average)."""


def _flatten(prefix: str, value: Any, out: list[tuple[str, Any]]) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            _flatten(f"{prefix}.{k}" if prefix else str(k), v, out)
    elif isinstance(value, list):
        return
    else:
        out.append((prefix, value))


def _input_number_format(value: float) -> str:
    """Whole numbers with separators and no trailing point; others keep their decimals."""
    return INPUT_WHOLE if float(value).is_integer() else INPUT_DECIMAL


def _input_blocks(dumped: dict[str, Any]) -> list[tuple[str, pd.DataFrame]]:
    """Every non-empty list of the book as typed, one block each (a nested list, e.g. the
    positions of a market-maker account, as a block of its own naming the parent ``id``)."""
    blocks: list[tuple[str, pd.DataFrame]] = []
    for dotted in list_fields():
        node: Any = dumped
        for part in dotted.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if not node:
            continue
        items = [dict(item) for item in node]
        nested: dict[str, list[dict[str, Any]]] = {}
        for item in items:
            for key, value in list(item.items()):
                if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
                    parent = item.get("id", "")
                    nested.setdefault(key, []).extend({"parent": parent, **v} for v in value)
                    item[key] = f"{len(value)} item(s), below"
                elif isinstance(value, list | dict):
                    item[key] = json.dumps(value) if value else None
        blocks.append((f"Input {sheet_name(dotted)} ({dotted})", pd.DataFrame(items)))
        for key, rows in nested.items():
            blocks.append(
                (f"Input {sheet_name(dotted)}: {key} ({dotted}.{key})", pd.DataFrame(rows))
            )
    return blocks


def _write_firm(ws: Sheet, result: NetCapitalResult, loaded: LoadedBook | None) -> None:
    ws.put(1, 1, "field")
    ws.put(1, 2, "value")
    ws.style_header(1, 1, 2)
    scalars: list[tuple[str, Any]] = [("as_of", result.as_of.isoformat())]
    dumped: dict[str, Any] = {}
    if loaded is not None:
        dumped = loaded.book.model_dump(mode="json", exclude={"positions"})
        scalars = []
        _flatten("", dumped, scalars)
    else:
        _flatten("firm", result.firm.model_dump(mode="json"), scalars)
    row = 2
    for name, value in scalars:
        ws.put(row, 1, name)
        is_number = isinstance(value, float | int) and not isinstance(value, bool)
        ws.put(row, 2, value, _input_number_format(value) if is_number else None)
        row += 1
    blocks: list[tuple[str, pd.DataFrame]] = [
        ("Non-allowable assets (15c3-1(c)(2)(iv))", result.nonallowable),
        ("Additions to aggregate indebtedness (15c3-1(c)(1))", result.ai_additions),
    ]
    if len(result.aged_items):
        blocks.append(("Aged fails, securities differences and receivables", result.aged_items))
    if len(result.commitments):
        blocks.append(("Open contractual commitments (15c3-1(c)(2)(viii))", result.commitments))
    computed = len(blocks)
    blocks += _input_blocks(dumped)
    for n, (title, frame) in enumerate(blocks):
        row += 1
        ws.put(row, 1, title, bold=True)
        row += 1
        formats: dict[str, str] = {}
        if n < computed:
            formats = {c: MONEY for c in frame.columns if c in ("amount", "deduction", "excluded")}
            formats |= {c: RATE for c in frame.columns if c == "rate"}
        ref = write_table(
            ws, _plain(frame), start_row=row, formats=formats, filter_and_freeze=False
        )
        if n >= computed:  # as typed: whole numbers plain, decimals kept, rates as percentages
            for j, name in enumerate(frame.columns, start=1):
                for r in range(ref.first_row, ref.last_row + 1):
                    cell = ws.cell(r, j)
                    if isinstance(cell.value, float | int) and not isinstance(cell.value, bool):
                        rate = name == "rate" or str(name).endswith("_rate")
                        cell.number_format = RATE if rate else _input_number_format(cell.value)
        row = max(ref.last_row, row) + 1
    ws.width("A", 52)
    ws.width("B", 40)
    ws.freeze = (2, 1)


def _write_positions(ws: Sheet, result: NetCapitalResult, loaded: LoadedBook | None) -> None:
    frame = loaded.positions if loaded is not None else result.positions
    cols = [c for c in COLUMNS if c in frame.columns]
    out = frame[cols].copy()
    for c in cols:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = [None if pd.isna(v) else v.date() for v in out[c]]
    formats = {c: MONEY for c in ("market_value", "principal_amount", "fund_assets")}
    write_table(ws, _plain(out), formats=formats)


def _write_liabilities(ws: Sheet, result: NetCapitalResult) -> TableRef:
    frame = result.liabilities
    money = {c: MONEY for c in ("amount", "excluded", "ai_amount")}
    ref = write_table(ws, _plain(frame), formats=money)
    total = max(ref.last_row, ref.first_row) + 2
    ws.put(total, 1, "Total", bold=True)
    for name in ("amount", "excluded", "ai_amount"):
        if name in ref.columns:
            col = column_number(ref.columns[name])
            value = float(np.nansum(frame[name].to_numpy(dtype=float)))
            ws.put(total, col, Formula(f"=SUM({ref.range(name, False)})", value), MONEY)
    return ref


# --- Entry point ---------------------------------------------------------------------------------


def export_computation(
    result: NetCapitalResult, path: Path | str, *, loaded: LoadedBook | None = None
) -> Path:
    """Write the computation of ``result`` as an auditable workbook at ``path`` (.xlsx).

    ``loaded`` (from `netcap.book.loading.load_book`) adds the positions as loaded and the
    book's firm fields to the input sheets; without it the input echo comes from
    ``result``.  Returns the path written.
    """
    out = Path(path)
    wb = Book()
    comp = wb.add("Computation")
    detail_ws = wb.add("Haircut detail")
    detail = _write_detail(detail_ws, result)
    liab_ws = wb.add("Liabilities")
    liabilities = _write_liabilities(liab_ws, result)
    linked = write_agreement_sheets(wb, result)
    where = _write_computation(comp, result, detail, liabilities, linked)
    sheets = result.haircuts.worksheets
    netting = (
        (
            "Treasury netting",
            "government",
            "15c3-1(c)(2)(vi)(A)",
            "Government and agency securities, 15c3-1(c)(2)(vi)(A): netting worksheet",
        ),
        (
            "Canadian netting",
            "canadian",
            "15c3-1(c)(2)(vi)(C)",
            "Canadian debt obligations, 15c3-1(c)(2)(vi)(C): netting worksheet",
        ),
    )
    position = 1
    for title, stem, group, heading in netting:
        subs, cats = sheets.get(f"{stem}_subcategories"), sheets.get(f"{stem}_categories")
        if subs is None or cats is None:
            continue
        ws = wb.add(title, position + 1)
        position += 1
        key = f"haircut:{group}"
        line = None
        if key in where:
            amounts = result.lines.loc[result.lines["line"] == key, "amount"]
            line = (where[key], float(amounts.iloc[0]))
        _write_netting(ws, heading, group, subs, cats, detail, line)
    _write_positions(wb.add("Input positions"), result, loaded)
    _write_firm(wb.add("Input firm"), result, loaded)
    wb.move_last("Liabilities")
    return save(wb, out)
