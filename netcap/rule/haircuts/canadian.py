"""Canadian government debt: 15c3-1(c)(2)(vi)(C).

A security issued or unconditionally guaranteed as to principal and interest
by the Government of Canada takes the percentages of (A).  netcap applies the
whole (A)(1) method (subcategory netting, then category netting plus 50% of the
lesser side) to the Canadian positions on their own: (C) borrows (A)'s
percentages, so Canadian and United States positions do not offset each
other, and the (A)(2), (A)(3) and (A)(5) elections, written for United States
securities, are not applied.
"""

from __future__ import annotations

import numpy as np

from netcap.rule.haircuts.detail import Labels, ParagraphHaircut
from netcap.rule.haircuts.government import government_haircut
from netcap.rule.haircuts.rows import Rows
from netcap.rule.tables import Schedule

__all__ = ["CANADIAN_CITATION", "canadian_haircut"]

CANADIAN_CITATION = "15c3-1(c)(2)(vi)(C)"


def canadian_haircut(
    rows: Rows, schedule: Schedule, removed: np.ndarray, notes: np.ndarray
) -> ParagraphHaircut:
    """The (A)(1) computation on the Canadian rows, cited to (C)."""
    result = government_haircut(rows, schedule, removed, notes)
    paragraph = result.detail.paragraph
    # each distinct citation tested once: the Appendix B ones (covered inventory) stay
    names = np.array(
        [c if str(c).startswith("15c3-1b") else CANADIAN_CITATION for c in paragraph.names],
        dtype=object,
    )
    return ParagraphHaircut(
        result.detail.replace(paragraph=Labels(paragraph.codes, names)),
        {
            "canadian_subcategories": result.subcategories.assign(citation=CANADIAN_CITATION),
            "canadian_categories": result.categories.assign(citation=CANADIAN_CITATION),
        },
    )
