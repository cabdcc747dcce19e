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

Where a paragraph nets positions (the government categories, the 25% offset of
(J)) the netted charge is allocated back to positions in proportion to their
gross charge, so ``charge`` sums to the paragraph total exactly.  The allocation
is a presentation device; the rule's figure is the paragraph total.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["DETAIL_COLUMNS", "allocate", "empty_detail"]

DETAIL_COLUMNS: tuple[str, ...] = (
    "id",
    "paragraph",
    "bucket",
    "rate",
    "exposure",
    "gross_charge",
    "charge",
    "note",
)


def empty_detail() -> pd.DataFrame:
    """A detail frame with no rows and the standard columns."""
    return pd.DataFrame(
        {
            c: pd.Series(dtype=object if c in ("id", "paragraph", "bucket", "note") else float)
            for c in DETAIL_COLUMNS
        }
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
