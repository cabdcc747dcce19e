"""Aggregate indebtedness: 15c3-1(c)(1).

Aggregate indebtedness is the firm's total money liabilities, less the
exclusions of (c)(1).  Each :class:`~netcap.firm.Liability` carries the
exclusion that applies to it (its ``kind``); ``other`` liabilities are
included.
"""

from __future__ import annotations

from collections.abc import Iterable

import pandas as pd

from netcap.firm import Liability, LiabilityKind

__all__ = ["AI_CITATION", "EXCLUSION_CITATIONS", "aggregate_indebtedness", "liabilities_frame"]

AI_CITATION = "15c3-1(c)(1)"

EXCLUSION_CITATIONS: dict[LiabilityKind, str] = {
    LiabilityKind.COLLATERALIZED_BY_LONG_SECURITIES: "15c3-1(c)(1)(i)",
    LiabilityKind.SECURITIES_LOANED: "15c3-1(c)(1)(ii)",
    LiabilityKind.SUBORDINATED: "15c3-1(c)(1); 15c3-1d",
}
"""Citation of the exclusion for each excluded liability kind."""


def liabilities_frame(liabilities: Iterable[Liability]) -> pd.DataFrame:
    """One row per liability: amount, whether it is in AI, and the citation."""
    rows = [
        {
            "id": li.id,
            "kind": li.kind.value,
            "amount": li.amount,
            "included": li.kind is LiabilityKind.OTHER,
            "citation": EXCLUSION_CITATIONS.get(li.kind, AI_CITATION),
            "description": li.description,
        }
        for li in liabilities
    ]
    return pd.DataFrame(
        rows, columns=["id", "kind", "amount", "included", "citation", "description"]
    )


def aggregate_indebtedness(liabilities: Iterable[Liability]) -> float:
    """Total money liabilities less the (c)(1) exclusions."""
    return float(sum(li.amount for li in liabilities if li.kind is LiabilityKind.OTHER))
