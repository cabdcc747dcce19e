"""Appendix B futures: the margin charge pool, and cover of a position by a future.

15c3-1b(a)(3)(xiv) charges a futures position a multiple of its margin; the
deduction of all of them is reduced by the equity in the proprietary futures
accounts not otherwise in net capital, pro rata across citations.  The pool keeps
the gross margin charge per citation.  A position covered by a future
(15c3-1b(a)(3)(ix)(A), ``deliverable_position``) is margined only on the value
left after cover; covered commodity inventory not registered as deliverable takes
the (a)(3)(ix)(B) rate on its covered value, a fixed charge of its row.
"""

from __future__ import annotations

from datetime import date
from typing import NamedTuple

import numpy as np
import pandas as pd

from netcap.book.model import Instrument
from netcap.rule.haircuts.covered import covered_values
from netcap.rule.haircuts.futures import FuturesOptions, futures_margin_charge
from netcap.rule.haircuts.rows import Columns
from netcap.rule.tables import Schedule, load_schedule

__all__ = ["Cover", "cover", "futures_charges", "futures_gross"]


class Cover(NamedTuple):
    """Each row's signed value after cover, and its (a)(3)(ix)(B) fixed charge and citation."""

    after_cover: np.ndarray
    fixed: np.ndarray
    fixed_paragraph: np.ndarray


def cover(frame: pd.DataFrame, routes: np.ndarray, table: Schedule, on: date) -> Cover:
    """The rows' values after cover by futures, and the (ix)(B) charge on covered inventory."""
    signed = frame["signed_value"].to_numpy(dtype=float)
    n = len(frame)
    named = "futures_contract" in frame.columns and bool(frame["futures_contract"].notna().any())
    covered, _ = covered_values(
        frame, deliverable=load_schedule("futures_deliverable", on) if named else None
    )
    fixed = np.zeros(n)
    fixed_par = np.full(n, "", dtype=object)
    ix_b = (routes == "COMMOD") & ~frame["registered_deliverable"].to_numpy(dtype=bool)
    if ix_b.any():
        fixed[ix_b] += table.rate("ix_b") * covered[ix_b]
        fixed_par[ix_b] = table.citation("ix_b")
    return Cover(signed - np.sign(signed) * covered, fixed, fixed_par)


def futures_gross(
    frame: pd.DataFrame,
    routes: np.ndarray,
    after_cover: np.ndarray,
    table: Schedule,
    options: FuturesOptions,
) -> tuple[np.ndarray, np.ndarray]:
    """Each row's (a)(3)(xiv) citation ("" where none) and gross multiple-of-margin charge."""
    n = len(frame)
    citation = np.full(n, "", dtype=object)
    gross = np.zeros(n)
    fut = np.flatnonzero(frame["instrument"].to_numpy() == Instrument.FUTURE.value)
    if len(fut):
        fc = futures_margin_charge(
            Columns(frame).rows(fut),
            after_cover[fut],
            table,
            FuturesOptions(membership=options.membership),
            required=routes[fut] == "FUT",
        )
        done = fut[fc.computed]
        citation[done] = fc.citation[fc.computed]
        gross[done] = fc.gross[fc.computed]
    return citation, gross


def futures_pool(facts: pd.DataFrame) -> dict[str, float]:
    """The gross margin charge per citation of the facts rows."""
    rows = facts[facts["fut_citation"].to_numpy() != ""]
    out: dict[str, float] = {}
    for p, v in rows.groupby("fut_citation", sort=False)["fut_gross"].sum().items():
        out[str(p)] = out.get(str(p), 0.0) + float(v)
    return out


def futures_charges(gross: dict[str, float], account_equity: float) -> dict[str, float]:
    """The charge per citation after the account-equity reduction, pro rata ((a)(3)(xiv))."""
    total = sum(gross.values())
    reduction = min(account_equity, total)
    scale = 1.0 - reduction / total if total > 0 else 1.0
    return {p: g * scale for p, g in gross.items()}
