"""Commercial paper, bankers' acceptances and certificates of deposit: 15c3-1(c)(2)(vi)(E).

(E)(1)-(5) charge, by the *days* left to maturity, the greater of the long or
the short position in each bucket (``haircut_tables/money_market_instruments.csv``):
commercial paper (a short-term note at a fixed rate or a discount, maturing
within nine months of issue) and negotiable CDs and bankers' acceptances of a
bank.  The last bucket runs from 271 days to one year; "one year" is measured
in calendar months, as in (A).

(E)(6): a bank CD or acceptance with a year or more to run takes the (A) rate
for its maturity (``haircut_tables/government.csv``), again on the greater of
the long or short position in each (A) subcategory, without (A)'s category
netting: (E)(6) borrows the percentage only.

Every (E) rate needs a favourable (I) creditworthiness assessment; without one
the instrument falls to (J) (decided in `netcap.rule.haircuts.routing`).
"""

from __future__ import annotations

import numpy as np

from netcap.rule.haircuts.detail import Labels, ParagraphHaircut
from netcap.rule.haircuts.netting import bucketed_greater_of
from netcap.rule.haircuts.rows import Rows
from netcap.rule.tables import Schedule

__all__ = ["LONG_BANK_CITATION", "money_market_haircut"]

LONG_BANK_CITATION = "15c3-1(c)(2)(vi)(E)(6)"


def money_market_haircut(
    rows: Rows,
    exposure: np.ndarray,
    notes: np.ndarray,
    long_bank: np.ndarray,
    schedule: Schedule,
    government: Schedule,
) -> list[ParagraphHaircut]:
    """(E)(1)-(5) by days for most rows; (E)(6) at the (A) rates for ``long_bank`` rows."""
    out = []
    short = np.flatnonzero(~long_bank)
    if len(short):
        out.append(
            bucketed_greater_of(
                rows,
                exposure[short],
                rows["days_to_maturity"][short],
                schedule,
                notes[short],
                what="days to maturity",
                at=short,
            )
        )
    long = np.flatnonzero(long_bank)
    if len(long):
        part = bucketed_greater_of(
            rows,
            exposure[long],
            rows["months_to_maturity"][long],
            government,
            notes[long],
            paragraph=LONG_BANK_CITATION,
            at=long,
        )
        bucket = part.detail.bucket
        detail = part.detail.replace(
            bucket=Labels(bucket.codes, np.array([f"A:{k}" for k in bucket.names], dtype=object))
        )
        sheet = part.worksheets[government.name].assign(citation=LONG_BANK_CITATION)
        out.append(ParagraphHaircut(detail, {"bank_instruments_at_government_rates": sheet}))
    return out
