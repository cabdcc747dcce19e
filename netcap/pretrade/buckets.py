"""Greater-of pools: one bucket's long and short values, charged on the greater side.

One pool per family and bucket: (B)(1) and (B)(2) municipal securities,
(D) commercial paper, certificates of deposit and bankers' acceptances,
(E) nonconvertible debt, (E)(6) convertible debt, (F)(1) (and (G) under (F))
nonconvertible debt by maturity, (H) cash and preferred, and (J) with (G)
under (J).  Each is charged at its rate on the greater of the long and the short
value in the bucket; (J) adds, on the lesser side, its excess rate on what exceeds
the offset ratio times the greater side ((c)(2)(vi)(J)).  The pool keeps the value
per side and citation, by which a side's charge is allocated back to citations.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, cast

import numpy as np
import pandas as pd

from netcap.pretrade.codes import isin

__all__ = ["BUCKETED", "BucketPool", "bucket_pools"]

BUCKETED = ("B1", "B2", "D", "E", "E6", "F", "H", "J")
"""Families pooled by bucket and charged on the greater side."""


def _add(d: dict[Any, float], key: Any, amount: float) -> None:
    d[key] = d.get(key, 0.0) + amount


@dataclass
class BucketPool:
    """Value per (side, citation) of one bucket, its rate, and (J)'s excess terms."""

    kind: str
    rate: float = 0.0
    by_side: dict[tuple[int, str], float] = field(default_factory=dict)
    excess: tuple[float, float] | None = None  # (J): (offset ratio, excess rate)

    def copy(self) -> BucketPool:
        """An independent copy."""
        return BucketPool(self.kind, self.rate, dict(self.by_side), self.excess)

    def apply(self, row: Any, sign: float) -> None:
        """Add (``sign`` 1) or take out (-1) one row's value on its side."""
        side = int(np.sign(row.exposure))
        _add(self.by_side, (side, row.paragraph), sign * abs(row.exposure))

    def side_charges(self) -> list[tuple[int, float]]:
        """(side, charge): the rate on the greater side, and (J)'s excess on the lesser."""
        long = sum(v for (s, _), v in self.by_side.items() if s > 0)
        short = sum(v for (s, _), v in self.by_side.items() if s < 0)
        g_side = 1 if long >= short else -1
        greater, lesser = max(long, short), min(long, short)
        parts = [(g_side, self.rate * greater)]
        if self.excess is not None:
            ratio, excess_rate = self.excess
            parts.append((-g_side, excess_rate * max(0.0, lesser - ratio * greater)))
        return parts

    def charges(self) -> dict[str, float]:
        """Each side's charge allocated to citations pro rata to their value on that side."""
        out: dict[str, float] = {}
        for side, amount in self.side_charges():
            w = {p: v for (s, p), v in self.by_side.items() if s == side}
            total = sum(w.values())
            if total > 0:
                for p, v in w.items():
                    _add(out, p, amount * v / total)
        return out


def new_bucket_pool(kind: str, rate: float, j_excess: tuple[float, float]) -> BucketPool:
    """An empty pool of ``kind`` at ``rate``; a (J) pool carries the excess terms."""
    return BucketPool(kind, rate, excess=j_excess if kind == "J" else None)


def bucket_pools(
    facts: pd.DataFrame, j_excess: tuple[float, float]
) -> dict[tuple[str, str], BucketPool]:
    """The greater-of pools of the facts rows of bucketed families, by (family, bucket)."""
    rows = facts[isin(facts["family"].to_numpy(), BUCKETED)]
    out: dict[tuple[str, str], BucketPool] = {}
    if len(rows) == 0:
        return out
    e = rows["exposure"].to_numpy(dtype=float)
    rows = rows.assign(side=np.sign(e).astype(np.int64), w=np.abs(e))
    rates = rows.groupby(["family", "key"], sort=False)["rate"].first()
    for key, r in rates.items():
        fam, k = cast(tuple[Any, Any], key)
        out[(str(fam), str(k))] = new_bucket_pool(str(fam), float(r), j_excess)
    sums = rows.groupby(["family", "key", "side", "paragraph"], sort=False)["w"].sum()
    for key, v in sums.items():
        fam, k, side, p = cast(tuple[Any, Any, Any, Any], key)
        _add(out[(str(fam), str(k))].by_side, (int(side), str(p)), float(v))
    return out
