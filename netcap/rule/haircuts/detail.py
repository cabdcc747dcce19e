"""The haircut detail: one row per input position, whatever paragraph charged it.

Columns
-------
``id``            the position id
``paragraph``     the citation of the charge (e.g. ``15c3-1(c)(2)(vi)(A)(1)``)
``bucket``        the schedule row applied (``4b``: government 15-20 years)
``rate``          the schedule's percentage for that bucket
``exposure``      signed market value subject to the paragraph (after cover)
``gross_charge``  ``rate * |exposure|``: the charge before any netting or offset
``charge``        the position's share of the paragraph's charge after netting
``note``          what happened (covered, netted, exempt, ...)
``add_on_paragraph`` the citation of a charge added on top of ``charge`` (undue
                  concentration, (M); the Appendix B margin charge on a
                  government futures contract), or ``""``
``add_on_charge`` that added charge (0 where none)

For an Appendix B futures row ``rate`` is the multiple of margin and
``gross_charge`` that multiple of the margin on the uncovered part, not
``rate * |exposure|``.

Where a paragraph nets positions (the government categories, the 25% offset of
(J)) the netted charge is allocated back to positions in proportion to their
gross charge, so ``charge`` sums to the paragraph total exactly.  The allocation
is a presentation device; the rule's figure is the paragraph total.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = [
    "DETAIL_COLUMNS",
    "ParagraphHaircut",
    "allocate",
    "append_note",
    "build_detail",
    "empty_detail",
    "text_column",
]

DETAIL_COLUMNS: tuple[str, ...] = (
    "id",
    "paragraph",
    "bucket",
    "rate",
    "exposure",
    "gross_charge",
    "charge",
    "note",
    "add_on_paragraph",
    "add_on_charge",
)
_TEXT = ("id", "paragraph", "bucket", "note", "add_on_paragraph")


@dataclass(frozen=True)
class ParagraphHaircut:
    """One paragraph's result: a detail row per position and its worksheets."""

    detail: pd.DataFrame
    worksheets: dict[str, pd.DataFrame] = field(default_factory=dict)


def empty_detail() -> pd.DataFrame:
    """A detail frame with no rows and the standard columns."""
    return pd.DataFrame(
        {c: pd.Series(dtype=object if c in _TEXT else float) for c in DETAIL_COLUMNS}
    )


def build_detail(
    ids: np.ndarray,
    paragraph: np.ndarray | str,
    bucket: np.ndarray | str,
    rate: np.ndarray | float,
    exposure: np.ndarray,
    gross_charge: np.ndarray,
    charge: np.ndarray,
    note: np.ndarray | list[str] | str = "",
) -> pd.DataFrame:
    """A detail frame with the standard columns (scalars are broadcast to every row)."""
    n = len(ids)
    index = pd.RangeIndex(n)

    def col(v: object) -> pd.Series:
        # text stays object (no per-row string inference); a scalar is broadcast
        arr = np.asarray(v, dtype=object)
        values = np.full(n, v, dtype=object) if arr.ndim == 0 else arr
        return pd.Series(values, index=index, dtype=object, copy=False)

    return pd.DataFrame(
        {
            "id": col(np.asarray(ids, dtype=object)),
            "paragraph": col(paragraph),
            "bucket": col(bucket),
            "rate": np.broadcast_to(np.asarray(rate, dtype=float), (n,)).copy(),
            "exposure": np.asarray(exposure, dtype=float),
            "gross_charge": np.asarray(gross_charge, dtype=float),
            "charge": np.asarray(charge, dtype=float),
            "note": col(note),
            "add_on_paragraph": col(""),
            "add_on_charge": np.zeros(n),
        },
        columns=list(DETAIL_COLUMNS),
        index=index,
    )


def allocate(total: np.ndarray, group: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Split each group's ``total`` over its rows in proportion to ``weight``.

    ``total`` is indexed by group number; ``group`` gives each row's group.  A
    group whose weights are all zero gets an equal split (its total is then
    zero in every use here, so nothing is invented).
    """
    groups = len(total)
    wsum = np.bincount(group, weights=weight, minlength=groups)
    count = np.bincount(group, minlength=groups).astype(float)
    share = np.where(
        wsum[group] > 0,
        weight / np.where(wsum[group] > 0, wsum[group], 1.0),
        1.0 / np.maximum(count[group], 1.0),
    )
    return np.asarray(total[group] * share, dtype=float)


def append_note(notes: list[str] | np.ndarray, mask: np.ndarray, text: str) -> np.ndarray:
    """``notes`` with ``text`` added (after ``"; "`` where a note exists) on the rows of ``mask``.

    Vectorized over rows; returns a new object array.
    """
    out = np.array(notes, dtype=object)
    if not mask.any():
        return out
    empty = out == ""
    out[mask & empty] = text
    rest = mask & ~empty
    if rest.any():
        out[rest] = out[rest] + ("; " + text)
    return out


def text_column(values: np.ndarray | list[str]) -> pd.Series:
    """A text column of a detail frame kept as objects (pandas infers no string dtype).

    Inferring a string dtype visits every row; the detail's text is coded once
    when `netcap.rule.haircuts.compute_haircuts` assembles it.
    """
    return pd.Series(np.asarray(values, dtype=object), dtype=object, copy=False)
