"""The computation as the FOCUS report lays it out: Form X-17A-5 Part II or IIA, line and box.

The form's lines and box numbers are data (``netcap/data/focus_boxes.csv``), one row per
line of a part, with the form version it was read from, its source and whether the box
number was checked against the text of the form (``text_checked``).  Each row says which
lines of `netcap.rule.computation` make it (``from_lines``: line keys or ``prefix:*`` patterns,
``|``-separated), or which boxes it totals (``box:3480+box:3490``).  A box whose number
was not checked is reported with ``confirmed = False`` in every output; it is never
presented as checked.

Every line of the computation either feeds exactly one box, or is reproduced by a box
(``equals_line``: the box is recomputed from the boxes above it and must agree with the
engine's line), or is listed under "not on this part" with the reason.  Nothing is
dropped.

The form deducts the Appendix B charges on commodity futures (15c3-1b) above its line 8,
"net capital before haircuts on securities positions" (box 3640); netcap's tentative net
capital (15c3-1(c)(15)) is before them.  Line 8 is therefore tentative net capital less
the Appendix B charge, and net capital (box 3750) is the same figure either way.
"""

from __future__ import annotations

import csv
import fnmatch
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd

from netcap.money import round_dollars, round_percent
from netcap.rule.computation import NetCapitalResult
from netcap.rule.tables import load_schedule

__all__ = [
    "FORM",
    "PARTS",
    "FocusReport",
    "FocusTableError",
    "focus_boxes",
    "focus_report",
]

FORM = "X-17A-5"
"""The SEC form the FOCUS report is filed on."""

PARTS = ("II", "IIA")
"""Part II: carrying and clearing firms; Part IIA: the others (Rule 17a-5(a))."""

_COLUMNS = (
    "part",
    "line",
    "box",
    "label",
    "from_lines",
    "equals_line",
    "standard",
    "citation",
    "form_version",
    "text_checked",
    "source",
)

_NOT_ON_FORM = {
    "tentative_net_capital": (
        "tentative net capital of 15c3-1(c)(15) is before the Appendix B charges; the form "
        "deducts those on line 6C (box 3600), so its line 8 (box 3640) is this less them"
    ),
    "total_deductions": (
        "netcap's total counts the (c)(1)(viii) credit and the position deductions; the form "
        "splits them between line 6 (box 3620) and line 7 (box 3630)"
    ),
    "total_haircuts": (
        "includes the Appendix B charges, which the form reports on line 6C (box 3600); "
        "line 9 (box 3740) is this less them"
    ),
    "withdrawal_haircut_base": "memo: the base of the 25% withdrawal limit of (e)(2)(iii)",
    "concentration_base": "memo: the capital undue concentration is measured against",
    "net_capital_less_warning_level": (
        "early-warning measure of (e)(2) and Rule 17a-11; under the aggregate indebtedness "
        "standard the form's line 15 (box 3780) is net capital less 10% of aggregate "
        "indebtedness only"
    ),
}


class FocusTableError(ValueError):
    """The FOCUS line table is malformed (names the row and field)."""


@cache
def _table_rows() -> tuple[dict[str, str], ...]:
    text = resources.files("netcap").joinpath("data/focus_boxes.csv").read_text("utf-8")
    rows = tuple(csv.DictReader(text.splitlines()))
    for i, row in enumerate(rows, start=2):
        missing = [c for c in _COLUMNS if c not in row]
        if missing:
            raise FocusTableError(f"focus_boxes.csv line {i}: missing columns {missing}")
        if row["part"] not in PARTS:
            raise FocusTableError(f"focus_boxes.csv line {i}: part {row['part']!r}")
        if row["text_checked"] not in ("yes", "no"):
            raise FocusTableError(f"focus_boxes.csv line {i}: text_checked must be yes or no")
        if not row["box"].isdigit() or not row["source"] or not row["form_version"]:
            raise FocusTableError(f"focus_boxes.csv line {i}: box, source and form_version needed")
        if row["standard"] not in ("both", "aggregate_indebtedness", "alternative"):
            raise FocusTableError(f"focus_boxes.csv line {i}: standard {row['standard']!r}")
    return rows


def focus_boxes(part: str = "II") -> pd.DataFrame:
    """The form's lines and boxes for ``part`` (the table, as read)."""
    if part not in PARTS:
        raise ValueError(f"part must be one of {PARTS}, not {part!r}")
    rows = [r for r in _table_rows() if r["part"] == part]
    frame = pd.DataFrame(rows, columns=list(_COLUMNS))
    frame["confirmed"] = frame["text_checked"] == "yes"
    return frame


@dataclass(frozen=True)
class FocusReport:
    """The computation on the form: one row per boxed line, and what is not on the part.

    ``lines`` has columns line, box, label, value (unrounded), unit, citation, confirmed,
    source, detail (the computation line keys or boxes that make the box).
    ``not_on_part`` has key, label, value, unit, citation, reason.
    ``detail`` has one row per computation line that feeds a box: key, label, amount, unit,
    citation, box (the tie from each box to the lines that make it).
    """

    part: str
    form_version: str
    firm: str
    as_of: date
    standard: str
    lines: pd.DataFrame
    not_on_part: pd.DataFrame
    detail: pd.DataFrame

    def box(self, box: int | str) -> float:
        """The unrounded value in ``box``."""
        hit = self.lines.loc[self.lines["box"] == str(box), "value"]
        if len(hit) != 1:
            raise KeyError(box)
        return float(hit.iloc[0])

    @property
    def unconfirmed(self) -> list[str]:
        """Boxes whose number has not been checked against the form's text."""
        return [str(b) for b in self.lines.loc[~self.lines["confirmed"], "box"]]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: amounts rounded to the dollar as filed, percentages to 0.01."""
        return {
            "form": FORM,
            "part": self.part,
            "form_version": self.form_version,
            "firm": self.firm,
            "as_of": self.as_of.isoformat(),
            "standard": self.standard,
            "lines": [
                {
                    "line": str(r["line"]),
                    "box": str(r["box"]),
                    "label": str(r["label"]),
                    "value": _filed(float(r["value"]), str(r["unit"])),
                    "unit": str(r["unit"]),
                    "citation": str(r["citation"]),
                    "confirmed": bool(r["confirmed"]),
                    "source": str(r["source"]),
                    "detail": list(r["detail"]),
                }
                for r in self.lines.to_dict("records")
            ],
            "not_on_this_part": [
                {
                    "line": str(r["key"]),
                    "label": str(r["label"]),
                    "value": _filed(float(r["value"]), str(r["unit"])),
                    "unit": str(r["unit"]),
                    "citation": str(r["citation"]),
                    "reason": str(r["reason"]),
                }
                for r in self.not_on_part.to_dict("records")
            ],
            "unconfirmed_boxes": self.unconfirmed,
        }


def _filed(value: float, unit: str) -> float | int | None:
    if not np.isfinite(value):
        return None
    return round_dollars(value) if unit == "$" else round_percent(value, 2)


def _assign(keys: list[str], rows: list[dict[str, Any]]) -> dict[str, str]:
    """Computation line key -> box: an exact key wins over a pattern; patterns in table order."""
    owner: dict[str, str] = {}
    exact: dict[str, str] = {}
    patterns: list[tuple[str, str]] = []
    for row in rows:
        spec = str(row["from_lines"])
        if not spec or spec.startswith(("box:", "formula:")):
            continue
        for token in spec.split("|"):
            if any(ch in token for ch in "*?["):
                patterns.append((token, str(row["box"])))
            elif token in exact and exact[token] != str(row["box"]):
                raise FocusTableError(f"line {token} feeds boxes {exact[token]} and {row['box']}")
            else:
                exact[token] = str(row["box"])
    for key in keys:
        if key in exact:
            owner[key] = exact[key]
            continue
        for pattern, box in patterns:
            if fnmatch.fnmatchcase(key, pattern):
                owner[key] = box
                break
    return owner


def _standard(result: NetCapitalResult) -> str:
    return "alternative" if result.firm.alternative_standard else "aggregate_indebtedness"


def focus_report(result: NetCapitalResult, part: str = "II") -> FocusReport:
    """Lay ``result`` out as FOCUS ``part`` (``"II"`` or ``"IIA"``), box by box."""
    table = focus_boxes(part)
    standard = _standard(result)
    rows: list[dict[str, Any]] = [
        {str(k): v for k, v in r.items()}
        for r in table.to_dict("records")
        if r["standard"] in ("both", standard)  # the other standard's lines do not apply
    ]
    comp = result.lines
    keys = [str(k) for k in comp["line"]]
    amount = dict(zip(keys, comp["amount"].astype(float), strict=True))
    unit = dict(zip(keys, comp["unit"].astype(str), strict=True))
    owner = _assign(keys, rows)
    values: dict[str, float] = {}
    out: list[dict[str, Any]] = []
    for row in rows:
        box = str(row["box"])
        spec = str(row["from_lines"])
        if spec.startswith("box:"):
            parts = [t.strip().removeprefix("box:") for t in spec.split("+")]
            unknown = [p for p in parts if p not in values]
            if unknown:
                raise FocusTableError(f"box {box} totals boxes not laid out above it: {unknown}")
            value = float(sum(values[p] for p in parts))
            detail = [f"box {p}" for p in parts]
        elif spec == "formula:excess_at_1000":
            ratio = load_schedule("requirements", result.as_of).rate("withdrawal_ai_ratio")
            value = result.net_capital - result.aggregate_indebtedness / ratio
            detail = ["net_capital", f"aggregate_indebtedness / {ratio:g}"]
        elif spec.startswith("formula:"):
            raise FocusTableError(f"box {box}: unknown formula {spec!r}")
        else:
            detail = [k for k in keys if owner.get(k) == box]
            value = float(sum(amount[k] for k in detail))
        check = str(row["equals_line"])
        if check and check in amount and abs(amount[check] - value) > 0.005:
            raise AssertionError(
                f"box {box} ({value:,.2f}) does not agree with the computation's "
                f"{check} ({amount[check]:,.2f}): the FOCUS table and the engine disagree"
            )
        values[box] = value
        out.append(
            {
                "line": row["line"],
                "box": box,
                "label": row["label"],
                "value": value,
                "unit": unit.get(detail[0], "$") if detail and detail[0] in unit else "$",
                "citation": row["citation"],
                "confirmed": bool(row["confirmed"]),
                "source": row["source"],
                "detail": tuple(detail),
            }
        )
    reproduced = {str(r["equals_line"]) for r in rows if r["equals_line"]}
    not_on = [
        {
            "key": k,
            "label": str(lab),
            "value": float(amount[k]),
            "unit": unit[k],
            "citation": str(cit),
            "reason": _NOT_ON_FORM.get(k, f"no box on FOCUS Part {part} for this line"),
        }
        for k, lab, cit in zip(keys, comp["label"], comp["citation"], strict=True)
        if k not in owner and k not in reproduced
    ]
    fed = [
        {
            "key": k,
            "label": str(lab),
            "amount": float(amount[k]),
            "unit": unit[k],
            "citation": str(cit),
            "box": owner[k],
        }
        for k, lab, cit in zip(keys, comp["label"], comp["citation"], strict=True)
        if k in owner
    ]
    versions = sorted({str(r["form_version"]) for r in rows})
    return FocusReport(
        part=part,
        form_version="; ".join(versions),
        firm=result.firm.name,
        as_of=result.as_of,
        standard=standard,
        lines=pd.DataFrame(out),
        not_on_part=pd.DataFrame(
            not_on, columns=["key", "label", "value", "unit", "citation", "reason"]
        ),
        detail=pd.DataFrame(fed, columns=["key", "label", "amount", "unit", "citation", "box"]),
    )
