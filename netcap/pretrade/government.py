"""The government pools: category netting of (c)(2)(vi)(A) and (C), kept as net per subcategory.

15c3-1(c)(2)(vi)(A)(1) nets longs and shorts within each subcategory of a
category, charges each net at its subcategory's rate, and within a category
offsets the long deductions against the short ones (50% of the lesser side
added back); (A)(2) in lieu of it charges each subcategory alone; (A)(5)
multiplies the (A) deduction by 0.75 for a Federal Reserve reporting dealer.
(C) (Canadian government securities) nets the same way under its own paragraph.
The pool keeps the net value per subcategory and the gross charge per category
and citation, by which a category's deduction is allocated back to citations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, cast

import numpy as np
import pandas as pd

from netcap.rule.haircuts.government import FED_DEALER_FACTOR, GovernmentOptions
from netcap.rule.tables import load_schedule

__all__ = ["GovernmentPool", "GovernmentRules", "government_pools", "government_rules"]


@dataclass(frozen=True)
class GovernmentRules:
    """The (A) schedule by subcategory, and the elections (A)(2) and (A)(5)."""

    keys: dict[str, int]  # subcategory key -> its index
    rates: np.ndarray  # rate by subcategory
    category: np.ndarray  # category index by subcategory
    categories: int
    subcategory_only: bool
    fed_reporting_dealer: bool


def government_rules(on: date, options: GovernmentOptions) -> GovernmentRules:
    """The government schedule in force on ``on`` as arrays by subcategory."""
    table = load_schedule("government", on)
    cats = table.column("category").astype(int)
    ids = np.unique(cats)
    return GovernmentRules(
        keys={str(k): i for i, k in enumerate(table.column("key"))},
        rates=table.column("rate").astype(float),
        category=np.searchsorted(ids, cats),
        categories=len(ids),
        subcategory_only=options.subcategory_only,
        fed_reporting_dealer=options.fed_reporting_dealer,
    )


def _add(d: dict[Any, float], key: Any, amount: float) -> None:
    d[key] = d.get(key, 0.0) + amount


@dataclass
class GovernmentPool:
    """Net value per subcategory and gross charge per (category, citation) of (A) or (C)."""

    kind: str  # "A" or "C"
    rules: GovernmentRules
    net: np.ndarray
    gross: dict[tuple[int, str], float] = field(default_factory=dict)

    @classmethod
    def empty(cls, kind: str, rules: GovernmentRules) -> GovernmentPool:
        """A pool with nothing in it."""
        return cls(kind, rules, np.zeros(len(rules.rates)))

    def copy(self) -> GovernmentPool:
        """An independent copy (the rules are shared)."""
        return GovernmentPool(self.kind, self.rules, self.net.copy(), dict(self.gross))

    def apply(self, row: Any, sign: float) -> None:
        """Add (``sign`` 1) or take out (-1) one row's value and gross charge."""
        self.net[row.sub] += sign * row.exposure
        _add(self.gross, (int(self.rules.category[row.sub]), row.paragraph), sign * row.gross)

    def category_charges(self) -> np.ndarray:
        """Deduction per category under (A)(1) (or (A)(2) where elected), with (A)(5)."""
        r = self.rules
        ded = r.rates * np.abs(self.net)
        agg_l = np.bincount(
            r.category, weights=np.where(self.net > 0, ded, 0.0), minlength=r.categories
        )
        agg_s = np.bincount(
            r.category, weights=np.where(self.net < 0, ded, 0.0), minlength=r.categories
        )
        cat: np.ndarray
        if self.kind == "A" and r.subcategory_only:
            cat = agg_l + agg_s
        else:
            cat = np.abs(agg_l - agg_s) + 0.5 * np.minimum(agg_l, agg_s)
        if self.kind == "A" and r.fed_reporting_dealer:
            cat = cat * FED_DEALER_FACTOR
        return cat

    def charges(self) -> dict[str, float]:
        """Each category's deduction allocated to citations pro rata to their gross charges."""
        cat = self.category_charges()
        wsum = np.zeros(self.rules.categories)
        for (c, _), g in self.gross.items():
            wsum[c] += g
        out: dict[str, float] = {}
        for (c, p), g in self.gross.items():
            if wsum[c] > 0:
                _add(out, p, float(cat[c]) * g / wsum[c])
        return out


def government_pools(facts: pd.DataFrame, rules: GovernmentRules) -> dict[str, GovernmentPool]:
    """The (A) and (C) pools of the facts rows of those families, by family."""
    out: dict[str, GovernmentPool] = {}
    family = facts["family"].to_numpy()
    for kind in ("A", "C"):
        rows = facts[family == kind]
        if len(rows) == 0:
            continue
        pool = GovernmentPool.empty(kind, rules)
        sub = rows["sub"].to_numpy(dtype=np.int64)
        pool.net += np.bincount(sub, weights=rows["exposure"], minlength=len(pool.net))
        g = rows.assign(cat=rules.category[sub]).groupby(["cat", "paragraph"], sort=False)
        for key, v in g["gross"].sum().items():
            c, p = cast(tuple[Any, Any], key)
            _add(pool.gross, (int(c), str(p)), float(v))
        out[kind] = pool
    return out
