"""The state's pools: every charge of the book as a sum over independent pools.

A pool is keyed by (family, bucket): the (A) and (C) government pools
(`netcap.pretrade.government`), the greater-of pools by bucket
(`netcap.pretrade.buckets`), one pool per commodity and the stand-alone charges
(`netcap.pretrade.standalone`).  Beside them the state keeps the Appendix B
futures margin charges by citation (`netcap.pretrade.futures`) and the (M) issues
(`netcap.pretrade.concentration`).  A trade touches at most one pool, the futures
sums and one issue.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

import pandas as pd

from netcap.pretrade.buckets import BUCKETED, bucket_pools, new_bucket_pool
from netcap.pretrade.concentration import Issue, issues_from_facts
from netcap.pretrade.futures import futures_pool
from netcap.pretrade.government import GovernmentPool, government_pools
from netcap.pretrade.parameters import Parameters
from netcap.pretrade.row import PoolRow
from netcap.pretrade.standalone import (
    CommodityPool,
    StandalonePool,
    commodity_pools,
    standalone_pool,
)

__all__ = ["Pool", "PoolKey", "PoolSet", "new_pool", "pools_from_facts"]

PoolKey = tuple[str, str]
"""(family, bucket): ``("LINEAR", "")`` for the stand-alone pool, the issue for a commodity."""


class Pool(Protocol):
    """What every pool offers: a copy, a row added or taken out, its charge by citation."""

    kind: str

    def copy(self) -> Pool: ...

    def apply(self, row: PoolRow, sign: float) -> None: ...

    def charges(self) -> dict[str, float]: ...


def new_pool(row: PoolRow, params: Parameters) -> Pool:
    """An empty pool for ``row``'s family, at its rate (and citation for a commodity)."""
    fam = row.family
    if fam in ("A", "C"):
        return GovernmentPool.empty(fam, params.government)
    if fam == "COMMOD":
        return CommodityPool(float(row.rate), str(row.paragraph))
    if fam in BUCKETED:
        return new_bucket_pool(fam, float(row.rate), params.j_excess)
    return StandalonePool(fam)


@dataclass
class PoolSet:
    """The pools, the futures margin charges by citation, and the (M) issues."""

    pools: dict[PoolKey, Pool] = field(default_factory=dict)
    futures: dict[str, float] = field(default_factory=dict)
    issues: dict[str, Issue] = field(default_factory=dict)


def pools_from_facts(facts: pd.DataFrame, params: Parameters) -> PoolSet:
    """Fill every pool from the facts frame with group sums (no per-row Python)."""
    out = PoolSet()
    for kind, g in government_pools(facts, params.government).items():
        out.pools[(kind, "")] = g
    out.pools.update(bucket_pools(facts, params.j_excess))
    for k, c in commodity_pools(facts).items():
        out.pools[("COMMOD", k)] = c
    linear = standalone_pool(facts)
    if linear is not None:
        out.pools[("LINEAR", "")] = linear
    out.futures = futures_pool(facts)
    out.issues = issues_from_facts(facts)
    return out
