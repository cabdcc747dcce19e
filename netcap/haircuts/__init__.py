"""Standardized haircuts of 15c3-1(c)(2)(vi)-(vii) and Appendix B.

:func:`compute_haircuts` sends each row of a position frame to the module of the
paragraph that charges it, and reassembles one detail row per input position.
It checks its own reconciliation: every input id appears exactly once and the
market value in equals the market value out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from netcap.haircuts.covered import covered_values
from netcap.haircuts.detail import DETAIL_COLUMNS
from netcap.haircuts.government import GovernmentOptions, government_haircut
from netcap.money import CENT
from netcap.tables import load_schedule

__all__ = ["HaircutOptions", "HaircutResult", "ReconciliationError", "compute_haircuts"]


class ReconciliationError(AssertionError):
    """The haircut detail does not account for every input position exactly once."""


@dataclass(frozen=True)
class HaircutOptions:
    """Elections that change how haircuts are computed."""

    government: GovernmentOptions = field(default_factory=GovernmentOptions)


@dataclass(frozen=True)
class HaircutResult:
    """Haircut detail (one row per position), netting worksheets, and totals by paragraph."""

    detail: pd.DataFrame
    worksheets: dict[str, pd.DataFrame]
    total: float
    warnings: tuple[str, ...] = ()

    @property
    def by_paragraph(self) -> pd.DataFrame:
        """Total charge by citation, largest first."""
        grouped = self.detail.groupby("paragraph", sort=True)["charge"].sum()
        out = grouped.rename("charge").reset_index()
        return out.sort_values("charge", ascending=False, kind="stable").reset_index(drop=True)


_GOVERNMENT = ("government", "agency")


def compute_haircuts(
    frame: pd.DataFrame,
    as_of: date,
    options: HaircutOptions | None = None,
    *,
    net_capital_before_haircuts: float | None = None,
) -> HaircutResult:
    """Haircuts for a validated position frame (see :func:`netcap.frame.validate_frame`).

    ``net_capital_before_haircuts`` (tentative net capital) is needed by the
    paragraphs that measure against it (the (A)(5) election, undue
    concentration).
    """
    opts = options or HaircutOptions()
    covered, notes = covered_values(frame)
    warnings = tuple(n for n in notes if "not eligible" in n)
    parts: list[pd.DataFrame] = []
    worksheets: dict[str, pd.DataFrame] = {}

    classes = frame["security_class"].to_numpy()
    gov_mask = np.isin(classes, _GOVERNMENT)
    if gov_mask.any():
        idx = np.flatnonzero(gov_mask)
        gov = government_haircut(
            frame.iloc[idx],
            load_schedule("government", as_of),
            covered[idx],
            [notes[i] for i in idx],
            opts.government,
            net_capital_before_haircuts,
        )
        parts.append(gov.detail)
        worksheets["government_subcategories"] = gov.subcategories
        worksheets["government_categories"] = gov.categories

    handled = gov_mask
    if not handled.all():
        unsupported = sorted(set(classes[~handled]))
        raise NotImplementedError(f"no haircut method yet for security classes {unsupported}")

    detail = (
        pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(DETAIL_COLUMNS))
    )
    order = pd.Series(np.arange(len(frame)), index=frame["id"].to_numpy())
    detail = detail.iloc[np.argsort(order[detail["id"].to_numpy()].to_numpy())]
    detail = detail.reset_index(drop=True)
    _reconcile(frame, detail, covered)
    return HaircutResult(
        detail=detail,
        worksheets=worksheets,
        total=float(detail["charge"].sum()),
        warnings=warnings,
    )


def _reconcile(frame: pd.DataFrame, detail: pd.DataFrame, covered: np.ndarray) -> None:
    if len(detail) != len(frame) or not np.array_equal(
        detail["id"].to_numpy(), frame["id"].to_numpy()
    ):
        raise ReconciliationError("haircut detail does not list every position exactly once")
    value_in = float(np.abs(frame["signed_value"].to_numpy()).sum())
    value_out = float(np.abs(detail["exposure"].to_numpy()).sum() + covered.sum())
    if abs(value_in - value_out) > CENT * max(1.0, len(frame)):
        raise ReconciliationError(
            f"market value in {value_in:,.2f} differs from value charged plus covered "
            f"{value_out:,.2f}"
        )
