"""Pools whose charge needs no netting across positions, and commodity inventory.

The stand-alone pool holds, per citation, the charges of positions each charged
on its own value: (c)(2)(vi)(K) limited markets, (c)(2)(vii) no ready market,
non-security crypto ((c)(2)(iv)), funds and every other row charged at rate x
value; and the fixed charges of linked rows (the (F)(3)/(F)(4) charge on an
(F)(2)-hedged amount, the Appendix B (a)(3)(ix)(B) charge on covered commodity
inventory not registered as deliverable).  A commodity pool is one commodity's
inventory, charged 20% of its net value not covered (Appendix B (a)(3)(ix)(C)).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

__all__ = ["CommodityPool", "StandalonePool", "commodity_pools", "standalone_pool"]


def _add(d: dict[Any, float], key: Any, amount: float) -> None:
    d[key] = d.get(key, 0.0) + amount


@dataclass
class StandalonePool:
    """Charge per citation of positions each charged alone, and linked rows' fixed charges."""

    kind: str = "LINEAR"
    linear: dict[str, float] = field(default_factory=dict)

    def copy(self) -> StandalonePool:
        """An independent copy."""
        return StandalonePool(self.kind, dict(self.linear))

    def apply(self, row: Any, sign: float) -> None:
        """Add (``sign`` 1) or take out (-1) one row's charge."""
        _add(self.linear, row.paragraph, sign * row.gross)

    def charges(self) -> dict[str, float]:
        """The charges as kept."""
        return dict(self.linear)


@dataclass
class CommodityPool:
    """Net value of one commodity's inventory, its rate and citation ((a)(3)(ix))."""

    rate: float
    paragraph: str
    net: float = 0.0
    kind: str = "COMMOD"

    def copy(self) -> CommodityPool:
        """An independent copy."""
        return CommodityPool(self.rate, self.paragraph, self.net)

    def apply(self, row: Any, sign: float) -> None:
        """Add (``sign`` 1) or take out (-1) one row's value."""
        self.net += sign * row.exposure

    def charges(self) -> dict[str, float]:
        """The rate on the absolute net value, under the pool's citation."""
        return {self.paragraph: self.rate * abs(self.net)}


def standalone_pool(facts: pd.DataFrame) -> StandalonePool | None:
    """The stand-alone charges of the facts rows, and every linked row's fixed charge."""
    linear = facts[facts["family"].to_numpy() == "LINEAR"]
    fixed = facts[facts["fixed"].to_numpy() != 0]
    if len(linear) == 0 and len(fixed) == 0:
        return None
    pool = StandalonePool()
    for p, v in linear.groupby("paragraph", sort=False)["gross"].sum().items():
        _add(pool.linear, str(p), float(v))
    par = fixed["fixed_paragraph"].where(fixed["fixed_paragraph"] != "", fixed["paragraph"])
    for p, v in fixed.groupby(par, sort=False)["fixed"].sum().items():
        _add(pool.linear, str(p), float(v))
    return pool


def commodity_pools(facts: pd.DataFrame) -> dict[str, CommodityPool]:
    """One pool per commodity (its issue), at the rate and citation of its first row."""
    rows = facts[facts["family"].to_numpy() == "COMMOD"]
    out: dict[str, CommodityPool] = {}
    if len(rows) == 0:
        return out
    firsts = rows.drop_duplicates("key").set_index("key")
    for k, v in rows.groupby("key", sort=False)["exposure"].sum().items():
        first = firsts.loc[k]
        out[str(k)] = CommodityPool(float(first["rate"]), str(first["paragraph"]), float(v))
    return out
