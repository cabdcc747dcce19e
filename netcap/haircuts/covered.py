"""Covered futures: inventory deliverable against an open futures contract.

17 CFR 240.15c3-1b(a)(3)(ix)(A) (Appendix B) takes no charge on inventory that
is deliverable on a contract market and covered by an open futures contract.
Inventory is a long position; the contract that covers it is a short futures
position.  A futures row names the cash row deliverable against it in
``deliverable_position``; the covered amount is the lesser of the two market
values (several futures may cover one cash position, first come first served).

A link in the other direction (long futures against a short cash position) is
not "inventory covered by a futures contract": the link is reported as not
eligible and both positions stay in the ordinary haircut computation.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netcap.model import Instrument, Side

__all__ = ["COVERED_CITATION", "covered_values"]

COVERED_CITATION = "15c3-1b(a)(3)(ix)(A)"


def covered_values(frame: pd.DataFrame) -> tuple[np.ndarray, list[str]]:
    """Covered amount of each row (absolute dollars), and a note per row.

    The note is empty for rows without a link, names the covering futures or the
    covered inventory where cover applies, and says why where a link is not
    eligible.
    """
    n = len(frame)
    covered = np.zeros(n)
    notes = [""] * n
    links = frame.index[frame["deliverable_position"].notna().to_numpy()]
    if len(links) == 0:
        return covered, notes
    position_of = pd.Series(np.arange(n), index=frame["id"].to_numpy())
    remaining: dict[int, float] = {}
    values = frame["market_value"].to_numpy(dtype=float)
    sides = frame["side"].to_numpy()
    instruments = frame["instrument"].to_numpy()
    classes = frame["security_class"].to_numpy()
    for fut in links:
        f = int(fut)
        c = int(position_of[str(frame.at[fut, "deliverable_position"])])
        why = ""
        if instruments[c] != Instrument.CASH.value:
            why = "the deliverable position is not a cash position"
        elif classes[c] != classes[f]:
            why = f"deliverable class {classes[c]!r} differs from the contract's {classes[f]!r}"
        elif not (sides[f] == Side.SHORT.value and sides[c] == Side.LONG.value):
            why = "cover applies to long inventory against a short futures contract"
        if why:
            notes[f] = f"link to {frame.at[c, 'id']!r} not eligible for {COVERED_CITATION}: {why}"
            continue
        left = remaining.get(c, values[c])
        amount = min(left, values[f])
        remaining[c] = left - amount
        covered[f] += amount
        covered[c] += amount
        notes[f] = f"covers {frame.at[c, 'id']!r} for {amount:,.2f}"
        prior = notes[c] + "; " if notes[c] else ""
        notes[c] = f"{prior}covered by {frame.at[f, 'id']!r} for {amount:,.2f}"
    return covered, notes
