"""The incremental trade check: the pools one row touches, updated on copies.

Adding a row (``sign`` 1) or taking one out (-1) changes at most its own pool
(the (A)/(C) category netting, its bucket's greater side, its commodity or the
stand-alone charges), the Appendix B futures margin pool (with the account-equity
proviso of 15c3-1b(a)(3)(xiv)) and its (c)(2)(vi)(M) issue.  `pool_update` works
out the change in charge by citation without touching the state; `commit_update`
then puts the updated pieces in place.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from netcap.pretrade.concentration import Issue, issue_charge, issue_joined, issue_without, member
from netcap.pretrade.futures import futures_charges
from netcap.pretrade.parameters import Parameters
from netcap.pretrade.pools import Pool, PoolKey, PoolSet, new_pool
from netcap.pretrade.row import PoolRow
from netcap.rule.haircuts.concentration import CONCENTRATION_CITATION

__all__ = ["PoolUpdate", "commit_update", "paragraphs_after", "pool_update"]


def _add(d: dict[Any, float], key: Any, amount: float) -> None:
    d[key] = d.get(key, 0.0) + amount


def _add_all(delta: dict[str, float], charges: dict[str, float], sign: float) -> None:
    for p, v in charges.items():
        _add(delta, p, v if sign > 0 else -v)


@dataclass(frozen=True)
class PoolUpdate:
    """The touched pieces after the trade, and the change in charge by citation."""

    key: PoolKey
    pool: Pool | None  # None: a futures contract, whose own charge is in the futures pool
    futures: dict[str, float] | None  # None: the row has no Appendix B margin charge
    issue: Issue | None  # None: no (M) issue, or the issue emptied
    delta: dict[str, float]


def _own_pool(
    pools: PoolSet, row: PoolRow, sign: float, params: Parameters, delta: dict[str, float]
) -> Pool | None:
    """The row's pool after the trade, its change in charge added to ``delta``."""
    if row.family == "FUT":
        return None
    old = pools.pools.get((row.family, row.key))
    new = old.copy() if old is not None else new_pool(row, params)
    new.apply(row, sign)
    _add_all(delta, new.charges(), 1.0)
    if old is not None:
        _add_all(delta, old.charges(), -1.0)
    return new


def _futures(
    pools: PoolSet, row: PoolRow, sign: float, params: Parameters, delta: dict[str, float]
) -> dict[str, float] | None:
    """The futures margin sums after the trade ((a)(3)(xiv)), the change added to ``delta``."""
    if not row.fut_citation:
        return None
    equity = params.options.futures.account_equity
    new = dict(pools.futures)
    _add(new, row.fut_citation, sign * row.fut_gross)
    _add_all(delta, futures_charges(new, equity), 1.0)
    _add_all(delta, futures_charges(pools.futures, equity), -1.0)
    return new


def _issue(
    pools: PoolSet,
    row: PoolRow,
    sign: float,
    params: Parameters,
    base: float,
    delta: dict[str, float],
) -> Issue | None:
    """The row's (M) issue after the trade, its change in charge added to ``delta``."""
    if not row.m_issue:
        return None
    old = pools.issues.get(row.m_issue)
    new: Issue | None
    if sign > 0:
        new = issue_joined(pools.issues, row, store=False)
    else:
        assert old is not None
        new = issue_without(old, row.pid)
    rules = params.concentration
    _add(
        delta,
        CONCENTRATION_CITATION,
        issue_charge(new, rules, base) - issue_charge(old, rules, base),
    )
    return new


def pool_update(
    pools: PoolSet, row: PoolRow, sign: float, params: Parameters, m_base: float
) -> PoolUpdate:
    """The pools ``row`` touches with it added (``sign`` 1) or taken out (-1), as copies.

    ``m_base`` is the (M)(1) base: tentative net capital less the Appendix B charges.
    """
    delta: dict[str, float] = {}
    pool = _own_pool(pools, row, sign, params, delta)
    futures = _futures(pools, row, sign, params, delta)
    issue = _issue(pools, row, sign, params, m_base, delta)
    return PoolUpdate((row.family, row.key), pool, futures, issue, delta)


def commit_update(pools: PoolSet, update: PoolUpdate, row: PoolRow, sign: float) -> None:
    """Put the pieces of ``update`` in place of the ones they replace."""
    if update.pool is not None:
        pools.pools[update.key] = update.pool
    if update.futures is not None:
        pools.futures = update.futures
    if row.m_issue:
        if update.issue is None:
            pools.issues.pop(row.m_issue, None)
        else:
            if sign > 0:
                update.issue.members[row.pid] = member(row)
            pools.issues[row.m_issue] = update.issue


def paragraphs_after(
    before: dict[str, float], delta: dict[str, float]
) -> tuple[dict[str, float], float]:
    """The charge by citation after the change, and its total (summed exactly)."""
    after = dict(before)
    for p, d in delta.items():
        _add(after, p, d)
    return after, math.fsum(after.values())
