"""Cumulative nonconvertible preferred stock: 15c3-1(c)(2)(vi)(H).

Preferred stock that is cumulative, nonconvertible, ranks ahead of every other
class of the issuer's stock, is not in arrears and has passed the (I)
creditworthiness assessment takes 10% (``haircut_tables/preferred.csv``) of the
greater of the long or the short position, taken across all such positions.
Preferred stock failing any condition is routed to (J).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netcap.rule.haircuts.detail import ParagraphHaircut, build_detail
from netcap.rule.haircuts.netting import greater_of
from netcap.rule.haircuts.rows import Rows
from netcap.rule.tables import Schedule

__all__ = ["preferred_haircut"]


def preferred_haircut(
    rows: Rows, exposure: np.ndarray, notes: np.ndarray, schedule: Schedule
) -> ParagraphHaircut:
    """10% of the greater of the long or short preferred positions."""
    rate = schedule.rate("h")
    group = np.zeros(len(rows), dtype=np.int64)
    g = greater_of(group, exposure, np.array([rate]), 1)
    detail = build_detail(
        schedule.citation("h"),
        "h",
        rate,
        exposure,
        rate * np.abs(exposure),
        g.row_charge,
        notes,
    )
    sheet = pd.DataFrame(
        {
            "rate": [rate],
            "long_value": g.long,
            "short_value": g.short,
            "deduction": g.deduction,
            "citation": [schedule.citation("h")],
        }
    )
    return ParagraphHaircut(detail, {"preferred": sheet})
