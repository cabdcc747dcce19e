"""Municipal securities: 15c3-1(c)(2)(vi)(B).

(B)(1) covers a municipal security scheduled at issue to mature within 731 days
that was issued at par paying interest at maturity, or issued at a discount;
its rate is set by the *days* left to maturity
(``haircut_tables/municipal_short_term.csv``).  Every other municipal security
not traded flat or in default takes the (B)(2) rate for its *years* to maturity
(``haircut_tables/municipal.csv``).  Both tables charge the greater of the long
or the short position in each bucket: within a bucket the smaller side carries
no charge.

Which table applies is decided in `netcap.rule.haircuts.routing`: (B)(1) needs
the issue date (with a maturity date) and the ``interest_at_maturity_or_discount``
fact; a municipal security without an issue date is charged under (B)(2).  One
traded flat or in default is in neither table and is charged under (J).
"""

from __future__ import annotations

import numpy as np

from netcap.rule.haircuts.detail import ParagraphHaircut
from netcap.rule.haircuts.netting import bucketed_greater_of
from netcap.rule.haircuts.rows import Rows
from netcap.rule.tables import Schedule

__all__ = ["municipal_haircut"]


def municipal_haircut(
    rows: Rows,
    exposure: np.ndarray,
    notes: np.ndarray,
    short_term: np.ndarray,
    short_schedule: Schedule,
    other_schedule: Schedule,
) -> list[ParagraphHaircut]:
    """(B)(1) for the rows flagged ``short_term``, (B)(2) for the rest."""
    out = []
    b1 = np.flatnonzero(short_term)
    if len(b1):
        out.append(
            bucketed_greater_of(
                rows,
                exposure[b1],
                rows["days_to_maturity"][b1],
                short_schedule,
                notes[b1],
                what="days to maturity",
                at=b1,
            )
        )
    b2 = np.flatnonzero(~short_term)
    if len(b2):
        out.append(
            bucketed_greater_of(
                rows,
                exposure[b2],
                rows["months_to_maturity"][b2] / 12.0,
                other_schedule,
                notes[b2],
                what="years to maturity",
                at=b2,
            )
        )
    return out
