"""Shared arithmetic of the paragraphs that charge "the greater of the long or short position".

Paragraphs (B), (D), (E), (F)(1) and (H) of 15c3-1(c)(2)(vi) charge a rate on
the market value of the greater of the long or the short position in each of
their categories; (J) does the same and adds a charge on the lesser side above
25% of the greater.  The functions here take a group number per row (the
category), the signed exposure and a rate per group, and return the group
figures and each row's share, so every module reports the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netcap.rule.haircuts.detail import (
    Labels,
    ParagraphHaircut,
    allocate,
    append_note,
    build_detail,
)
from netcap.rule.haircuts.rows import Rows
from netcap.rule.tables import Schedule

__all__ = [
    "GreaterOf",
    "OtherSecurities",
    "bucketed_greater_of",
    "greater_of",
    "other_securities_charge",
]


@dataclass(frozen=True)
class GreaterOf:
    """Per-group long, short and deduction, and each row's share of its group's deduction."""

    long: np.ndarray
    short: np.ndarray
    deduction: np.ndarray
    row_charge: np.ndarray
    on_greater_side: np.ndarray


def _sides(group: np.ndarray, exposure: np.ndarray, ngroups: int) -> tuple[np.ndarray, np.ndarray]:
    longs = np.bincount(group, weights=np.clip(exposure, 0, None), minlength=ngroups)
    shorts = -np.bincount(group, weights=np.clip(exposure, None, 0), minlength=ngroups)
    return longs, shorts


def greater_of(
    group: np.ndarray, exposure: np.ndarray, rates: np.ndarray, ngroups: int
) -> GreaterOf:
    """``rate x max(long, short)`` per group, allocated to the rows on the greater side.

    A tie goes to the long side.  Rows on the lesser side carry no charge: the
    paragraph charges the greater side only.
    """
    longs, shorts = _sides(group, exposure, ngroups)
    greater = np.maximum(longs, shorts)
    deduction = np.asarray(rates, dtype=float) * greater
    long_wins = longs >= shorts
    on_greater = np.where(long_wins[group], exposure > 0, exposure < 0)
    weight = np.where(on_greater, np.abs(exposure), 0.0)
    return GreaterOf(
        long=longs,
        short=shorts,
        deduction=deduction,
        row_charge=allocate(deduction, group, weight),
        on_greater_side=on_greater,
    )


@dataclass(frozen=True)
class OtherSecurities:
    """The (J) figures of one group: sides, the two charges and their total."""

    long: float
    short: float
    greater_charge: float
    lesser_excess: float
    excess_charge: float
    row_charge: np.ndarray
    on_greater_side: np.ndarray

    @property
    def deduction(self) -> float:
        """Charge on the greater side plus the charge on the lesser side's excess."""
        return self.greater_charge + self.excess_charge


def other_securities_charge(
    exposure: np.ndarray, rate: float, offset_ratio: float, excess_rate: float
) -> OtherSecurities:
    """The (J) deduction over all rows given: ``rate x G + excess_rate x max(0, L - ratio x G)``.

    ``G`` and ``L`` are the greater and lesser of the total long and total short
    market values.  The charge on ``G`` is allocated to the rows on the greater
    side, the charge on the excess to the rows on the lesser side.
    """
    group = np.zeros(len(exposure), dtype=np.int64)
    longs, shorts = _sides(group, exposure, 1)
    L, S = float(longs[0]), float(shorts[0])
    G, lesser = max(L, S), min(L, S)
    excess = max(0.0, lesser - offset_ratio * G)
    greater_charge = rate * G
    excess_charge = excess_rate * excess
    on_greater = exposure > 0 if L >= S else exposure < 0
    w_greater = np.where(on_greater, np.abs(exposure), 0.0)
    w_lesser = np.where(~on_greater, np.abs(exposure), 0.0)
    row = allocate(np.array([greater_charge]), group, w_greater) + allocate(
        np.array([excess_charge]), group, w_lesser
    )
    return OtherSecurities(
        long=L,
        short=S,
        greater_charge=greater_charge,
        lesser_excess=excess,
        excess_charge=excess_charge,
        row_charge=row,
        on_greater_side=on_greater,
    )


def bucketed_greater_of(
    rows: Rows,
    exposure: np.ndarray,
    measure: np.ndarray,
    schedule: Schedule,
    notes: np.ndarray,
    *,
    paragraph: Labels | str | None = None,
    what: str = "maturity",
    at: np.ndarray | None = None,
) -> ParagraphHaircut:
    """Bucket each row by ``measure`` in ``schedule``; charge each bucket's greater side.

    The worksheet has one row per bucket.  ``paragraph`` overrides the bucket's
    citation (the (G) rows charged under (F) keep their own citation).  ``rows``
    are the rows the paragraph was given (their ids name them in errors); ``at`` is
    the detail's `DetailPart.at`: where these rows sit among them (None: all, in order).
    """
    bucket = schedule.bucket_index(measure)
    if (bucket < 0).any():
        outside = np.flatnonzero(bucket < 0)
        bad = list(rows["id"][outside if at is None else at[outside]])[:5]
        raise ValueError(f"no {schedule.name!r} bucket for the {what} of positions {bad}")
    keys = schedule.column("key")
    rates = schedule.column("rate").astype(float)
    citations = schedule.column("citation")
    nb = len(keys)
    g = greater_of(bucket, exposure, rates, nb)
    row_notes = append_note(
        notes, ~g.on_greater_side & (exposure != 0), "lesser side of its category"
    )
    detail = build_detail(
        Labels(bucket, citations) if paragraph is None else paragraph,
        Labels(bucket, keys),
        rates[bucket],
        exposure,
        rates[bucket] * np.abs(exposure),
        g.row_charge,
        row_notes,
        at=at,
    )
    sheet = pd.DataFrame(
        {
            "bucket": keys,
            "text": schedule.column("text") if "text" in schedule.rows else "",
            "rate": rates,
            "long_value": g.long,
            "short_value": g.short,
            "greater_side": np.where(g.long >= g.short, "long", "short"),
            "deduction": g.deduction,
            "citation": citations,
        }
    )
    used = (g.long > 0) | (g.short > 0)
    return ParagraphHaircut(detail=detail, worksheets={schedule.name: sheet[used]})
