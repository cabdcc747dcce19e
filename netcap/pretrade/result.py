"""The answer to a pre-trade check: figures before and after, and the paragraphs that moved."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, NamedTuple

import pandas as pd

__all__ = ["ParagraphChange", "PreTradeResult", "paragraph_changes"]

TOLERANCE = 1e-9
"""A paragraph counts as changed when it moves by more than this share of the haircut total."""


class ParagraphChange(NamedTuple):
    """One citation whose charge a trade changes."""

    paragraph: str
    before: float
    after: float
    delta: float


@dataclass(frozen=True)
class PreTradeResult:
    """Figures before and after one trade, and the paragraphs whose charge changed.

    ``allowed`` is True when excess net capital after the trade is not negative
    and the trade raises no early-warning or withdrawal flag that was not
    already raised before it (see docs/pretrade.md).

    ``haircuts_before`` / ``haircuts_after`` are every position charge, as
    `netcap.rule.haircuts.HaircutResult.total` and the ``by_paragraph`` maps
    have them, including the crypto and (c)(2)(vii) deductions taken above
    tentative net capital; net capital is capital before the position
    deductions less that total.  ``tentative_net_capital`` is the figure before
    the trade, ``tentative_net_capital_after`` after it (they differ only for a
    trade under (c)(2)(vii) or in non-security crypto).
    """

    action: str
    position_id: str
    method: str
    tentative_net_capital: float
    tentative_net_capital_after: float
    haircuts_before: float
    haircuts_after: float
    net_capital_before: float
    net_capital_after: float
    requirement: float
    excess_before: float
    excess_after: float
    flags_before: tuple[str, ...]
    flags_after: tuple[str, ...]
    by_paragraph_before: dict[str, float]
    by_paragraph_after: dict[str, float]
    changed: tuple[ParagraphChange, ...] = ()

    @property
    def changed_frame(self) -> pd.DataFrame:
        """The changed paragraphs as a frame: paragraph, before, after, delta."""
        return pd.DataFrame(self.changed, columns=list(ParagraphChange._fields))

    @property
    def haircut_delta(self) -> float:
        """Change in total haircuts."""
        return self.haircuts_after - self.haircuts_before

    @property
    def net_capital_delta(self) -> float:
        """Change in net capital, 15c3-1(c)(2)."""
        return self.net_capital_after - self.net_capital_before

    @property
    def excess_delta(self) -> float:
        """Change in excess net capital (net capital less the 15c3-1(a) requirement)."""
        return self.excess_after - self.excess_before

    @property
    def flags_added(self) -> tuple[str, ...]:
        """Early-warning keys crossed after the trade but not before."""
        return tuple(f for f in self.flags_after if f not in self.flags_before)

    @property
    def allowed(self) -> bool:
        """Excess net capital stays >= 0 and no new early-warning flag is raised."""
        return self.excess_after >= 0 and not self.flags_added

    def _repr_html_(self) -> str:
        from netcap.display import to_html  # noqa: PLC0415 (display only)

        return to_html(self)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form (dollars unrounded; round for display)."""
        return {
            "action": self.action,
            "position_id": self.position_id,
            "method": self.method,
            "allowed": self.allowed,
            "tentative_net_capital": self.tentative_net_capital,
            "tentative_net_capital_after": self.tentative_net_capital_after,
            "requirement": self.requirement,
            "before": {
                "haircuts": self.haircuts_before,
                "net_capital": self.net_capital_before,
                "excess_net_capital": self.excess_before,
                "flags": list(self.flags_before),
            },
            "after": {
                "haircuts": self.haircuts_after,
                "net_capital": self.net_capital_after,
                "excess_net_capital": self.excess_after,
                "flags": list(self.flags_after),
            },
            "delta": {
                "haircuts": self.haircut_delta,
                "net_capital": self.net_capital_delta,
                "excess_net_capital": self.excess_delta,
            },
            "changed_paragraphs": [
                {"paragraph": p, "before": b, "after": a, "delta": d} for p, b, a, d in self.changed
            ],
        }


def paragraph_changes(
    before: dict[str, float], after: dict[str, float], total_before: float, total_after: float
) -> tuple[ParagraphChange, ...]:
    """Citations whose charge moved by more than float rounding of the haircut totals, sorted."""
    scale = TOLERANCE * max(1.0, abs(total_before), abs(total_after))
    out = []
    for p in sorted(set(before) | set(after)):
        b, a = before.get(p, 0.0), after.get(p, 0.0)
        if abs(a - b) > scale:
            out.append(ParagraphChange(p, b, a, a - b))
    return tuple(out)
