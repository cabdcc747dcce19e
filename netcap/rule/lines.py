"""Lines of the net capital computation: key, label, amount, citation.

Each stage of the computation returns its lines; `netcap.rule.computation`
concatenates them in the order of the FOCUS report's computation of net
capital (Form X-17A-5 Part II).

``section`` groups the lines: ``capital`` (equity down to net capital),
``requirement`` (minimum requirement and excess) and ``indebtedness``
(aggregate indebtedness and the ratios).

``role`` tells a reader how the line relates to its neighbours:

``item``      an amount that enters the next subtotal of its section
              (deductions are negative)
``subtotal``  the previous subtotal of the section (if any) plus the items since it
``memo``      shown for information; enters no sum

``unit`` is ``$`` for dollars and ``%`` for percentages.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pandas as pd

__all__ = ["LINE_COLUMNS", "Line", "lines_frame"]

LINE_COLUMNS: tuple[str, ...] = (
    "line",
    "label",
    "amount",
    "citation",
    "unit",
    "role",
    "section",
)


@dataclass(frozen=True)
class Line:
    """One line of the computation."""

    key: str
    label: str
    amount: float
    citation: str
    unit: str = "$"
    role: str = "item"
    section: str = "capital"


def lines_frame(lines: Iterable[Line]) -> pd.DataFrame:
    """The lines as a frame with the columns of `LINE_COLUMNS`."""
    rows = [
        (ln.key, ln.label, float(ln.amount) + 0.0, ln.citation, ln.unit, ln.role, ln.section)
        for ln in lines
    ]
    frame = pd.DataFrame(rows, columns=list(LINE_COLUMNS))
    if frame["line"].duplicated().any():
        dup = sorted(set(frame.loc[frame["line"].duplicated(), "line"]))
        raise ValueError(f"duplicate line keys {dup}")
    return frame
