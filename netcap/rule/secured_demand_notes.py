"""Secured demand notes: collateral value and collateral deficiency (Appendix D, 15c3-1d).

15c3-1d(a)(2)(iii): the *collateral value* of securities pledged to secure a
secured demand note is their market value after the percentage deductions of
15c3-1(c)(2)(vi), except (c)(2)(vi)(J); in lieu of the (J) deduction the market
value is reduced by 30 percent.

15c3-1d(b)(6): the note is adequately secured while cash plus the collateral value
of the securities pledged is not less than its unpaid principal amount.  A
shortfall is a *collateral deficiency*, deducted from net worth under
15c3-1(c)(2)(iv)(B) ("any collateral deficiencies in secured demand notes as
defined in appendix D").

The securities pledged are haircut by the same engine as the firm's positions
(`netcap.rule.haircuts.compute_haircuts`), each note on its own.  The undue
concentration deduction that (c)(2)(vi)(M)(1) extends to collateral of secured
demand notes is not computed here (see `LIMITATIONS`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from netcap.book.firm import SecuredDemandNote
from netcap.book.frame import positions_frame
from netcap.rule.haircuts import compute_haircuts
from netcap.rule.tables import load_schedule

__all__ = [
    "COLLATERAL_COLUMNS",
    "NOTE_COLUMNS",
    "SDNResult",
    "secured_demand_notes",
]

LIMITATIONS: dict[str, str] = {
    "15c3-1(c)(2)(vi)(M)": (
        "(M)(1) reaches securities collateralizing a secured demand note (an additional deduction "
        "from the collateral value); netcap values each note's collateral under 15c3-1d(a)(2)(iii) "
        "without that add-on"
    ),
}

DEFICIENCY_CITATION = "15c3-1(c)(2)(iv)(B); 15c3-1d(b)(6)"
J_PARAGRAPH = "15c3-1(c)(2)(vi)(J)"

COLLATERAL_COLUMNS = (
    "note",
    "id",
    "security_class",
    "market_value",
    "paragraph",
    "rate",
    "deduction",
    "collateral_value",
    "citation",
)
NOTE_COLUMNS = (
    "id",
    "unpaid_principal",
    "cash_collateral",
    "securities_market_value",
    "collateral_value",
    "deficiency",
    "citation",
)


@dataclass(frozen=True)
class SDNResult:
    """Collateral value per security pledged and the deficiency per note."""

    collateral: pd.DataFrame
    notes: pd.DataFrame

    @property
    def deficiency(self) -> float:
        """Total collateral deficiency deducted under (c)(2)(iv)(B)."""
        return float(self.notes["deficiency"].sum())


def _collateral(note: SecuredDemandNote, on: date, j_rate: float) -> pd.DataFrame:
    if not note.collateral:
        return pd.DataFrame(columns=list(COLLATERAL_COLUMNS))
    frame = positions_frame(note.collateral, on, source=f"secured_demand_notes {note.id!r}")
    # (M)(1) is left out (module docstring): an infinite base charges no add-on
    detail = compute_haircuts(frame, on, net_capital_before_haircuts=float("inf")).detail
    mv = frame["market_value"].to_numpy(dtype=float)
    paragraph = detail["paragraph"].to_numpy(dtype=object)
    is_j = np.array([str(p).startswith(J_PARAGRAPH) for p in paragraph], dtype=bool)
    charge = detail["charge"].to_numpy(dtype=float)
    deduction = np.where(is_j, j_rate * mv, charge)
    rate = np.divide(deduction, mv, out=np.zeros_like(mv), where=mv > 0)
    return pd.DataFrame(
        {
            "note": note.id,
            "id": frame["id"].to_numpy(dtype=object),
            "security_class": frame["security_class"].to_numpy(dtype=object),
            "market_value": mv,
            "paragraph": np.where(is_j, "15c3-1d(a)(2)(iii)", paragraph).astype(object),
            "rate": rate,
            "deduction": deduction,
            "collateral_value": mv - deduction,
            "citation": "15c3-1d(a)(2)(iii)",
        },
        columns=list(COLLATERAL_COLUMNS),
    )


def secured_demand_notes(notes: Sequence[SecuredDemandNote], on: date) -> SDNResult:
    """Collateral value and collateral deficiency of each secured demand note."""
    table = load_schedule("secured_demand_notes", on)
    j_rate = table.rate("j_collateral")
    parts = [_collateral(n, on, j_rate) for n in notes]
    collateral = (
        pd.concat([p for p in parts if len(p)], ignore_index=True)
        if any(len(p) for p in parts)
        else pd.DataFrame(columns=list(COLLATERAL_COLUMNS))
    )
    rows = []
    for note, part in zip(notes, parts, strict=True):
        value = float(part["collateral_value"].sum()) if len(part) else 0.0
        market = float(part["market_value"].sum()) if len(part) else 0.0
        deficiency = max(note.unpaid_principal - note.cash_collateral - value, 0.0)
        rows.append(
            (
                note.id,
                note.unpaid_principal,
                note.cash_collateral,
                market,
                value,
                deficiency,
                DEFICIENCY_CITATION,
            )
        )
    return SDNResult(collateral=collateral, notes=pd.DataFrame(rows, columns=list(NOTE_COLUMNS)))
