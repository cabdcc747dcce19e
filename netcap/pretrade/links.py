"""Positions whose charge is tied to another's, and how linked rows enter the pools.

Links between positions (cover of a position by a future through
``deliverable_position``, (F)(2) hedges through ``hedge_with``, Appendix A pairs
through ``offsets``) and the elections that name position ids ((A)(3) pairs,
(L) reductions) tie one position's charge to another's.  Such rows of the book
enter their pools as the full computation treats them and stay fixed there; a
trade that carries a link or that an election names, and the removal of a linked
row, are checked by a full recompute (`netcap.pretrade.recompute`).

An (F)(2)-hedged debt position (15c3-1(c)(2)(vi)(F)(2)) enters its (F)(1)
maturity bucket with its unhedged remainder only; the hedged amount keeps the
(F)(3)/(F)(4) rate it was charged at, as a fixed charge of the row.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np
import pandas as pd

from netcap.rule.haircuts import HaircutOptions
from netcap.rule.haircuts.debt import find_hedges
from netcap.rule.tables import Schedule

__all__ = ["LINK_COLUMNS", "Links", "book_links", "carries_link", "hedge_split"]

LINK_COLUMNS = ("deliverable_position", "hedge_with", "offsets")
"""Columns that tie one position's charge to another's (cover, (F)(2) hedge, Appendix A pair)."""


@dataclass(frozen=True)
class Links:
    """Ids tied to another position's charge, and which of them an election or link names."""

    linked: set[str] = field(default_factory=set)  # every id with, or named by, a link or election
    named_by: dict[str, str] = field(default_factory=dict)  # link target -> the id naming it
    elected: set[str] = field(default_factory=set)  # ids an (A)(3) pair or (L) reduction names


def elected_ids(options: HaircutOptions) -> set[str]:
    """Ids named by the (A)(3) pairs and the (L) reductions."""
    return {a for pair in options.government.pairs for a in pair} | {
        pid for pid, _ in options.limited_market.reductions
    }


def book_links(frame: pd.DataFrame, options: HaircutOptions) -> Links:
    """Ids of rows with a link, named by a link, or named by an election."""
    out: set[str] = set()
    named_by: dict[str, str] = {}
    for col in LINK_COLUMNS:
        if col not in frame.columns:
            continue
        has = frame[col].notna().to_numpy(dtype=bool)
        if has.any():
            ids = frame.loc[has, "id"].astype(str)
            targets = frame.loc[has, col].astype(str)
            out |= set(ids) | set(targets)
            named_by.update(zip(targets, ids, strict=True))
    elected = elected_ids(options)
    return Links(out | elected, named_by, elected)


def carries_link(frame: pd.DataFrame, elected: set[str]) -> np.ndarray:
    """Rows of a trade frame that carry a link or whose id an election names."""
    linked = frame["id"].astype(str).isin(elected).to_numpy(dtype=bool)
    for col in LINK_COLUMNS:
        if col in frame.columns:
            linked = linked | frame[col].notna().to_numpy(dtype=bool)
    return linked


class HedgeSplit(NamedTuple):
    """Rows' exposure, bucket and rate in their pool, and the fixed charge on hedged amounts."""

    exposure: np.ndarray
    bucket: np.ndarray
    rate: np.ndarray
    fixed: np.ndarray


def hedge_split(
    frame: pd.DataFrame,
    routes: np.ndarray,
    after_cover: np.ndarray,
    split: HedgeSplit,
    f1: Schedule,
) -> HedgeSplit:
    """(F)(2): a hedged row's remainder in its (F)(1) bucket, its hedged amount a fixed charge.

    ``split`` holds the rows as charged (exposure, bucket, rate, fixed charge so
    far); its arrays are updated in place for the hedged rows and returned.
    """
    expo, bucket, rate, fixed = split
    hedged = find_hedges(frame, routes, after_cover).hedged
    h = np.flatnonzero(hedged > 0)
    if len(h):
        unhedged = expo[h] - np.sign(expo[h]) * hedged[h]
        months = frame["months_to_maturity"].to_numpy(dtype=float)[h]
        idx = f1.bucket_index(months / 12.0)
        fixed[h] = rate[h] * hedged[h]
        expo[h] = unhedged
        bucket[h] = f1.column("key")[idx]
        rate[h] = f1.column("rate").astype(float)[idx]
    return split
