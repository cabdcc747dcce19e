"""What one position contributes to its pools: one row of the facts frame."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

__all__ = ["PoolRow", "row_at", "rows_of"]


@dataclass(frozen=True)
class PoolRow:
    """One position's pool keys and contributions (see `netcap.pretrade.facts`).

    ``family`` and ``key`` name its pool, ``sub`` its (A)/(C) subcategory,
    ``exposure`` / ``rate`` / ``gross`` its value and charge in that pool,
    ``fut_citation`` / ``fut_gross`` its Appendix B margin charge, the ``m_``
    fields its (M) issue and facts, ``signed`` its signed market value, and
    ``fixed`` a linked row's fixed charge under ``fixed_paragraph`` (or
    ``paragraph``): the (F)(3)/(F)(4) charge on an (F)(2)-hedged amount, the
    Appendix B (a)(3)(ix)(B) charge on covered inventory.
    """

    pid: str
    route: str
    family: str
    key: str
    paragraph: str
    exposure: float
    rate: float
    gross: float
    sub: int
    fut_citation: str
    fut_gross: float
    m_issue: str
    m_rate: float
    m_price: float
    m_note: bool
    m_class: str
    signed: float
    fixed: float
    fixed_paragraph: str = ""


def row_at(facts: pd.DataFrame, i: int) -> PoolRow:
    """Row ``i`` of a facts frame."""
    return PoolRow(*facts.iloc[i])


def rows_of(facts: pd.DataFrame) -> list[PoolRow]:
    """Every row of a facts frame, in order."""
    return [PoolRow(*r) for r in facts.itertuples(index=False)]
