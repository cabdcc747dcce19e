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
    link = frame["deliverable_position"].to_numpy(dtype=object)
    futs = np.flatnonzero(pd.notna(link))
    if len(futs) == 0:
        return covered, notes
    ids = frame["id"].to_numpy(dtype=object)
    # hash the few link targets and probe the ids, not the other way round
    targets = pd.Index(pd.unique(link[futs].astype(str)))
    hit = targets.get_indexer(ids)
    found = np.flatnonzero(hit >= 0)
    row_of_target = np.full(len(targets), -1, dtype=np.int64)
    row_of_target[hit[found]] = found
    cash = row_of_target[targets.get_indexer(link[futs].astype(str))]
    values = frame["market_value"].to_numpy(dtype=float)
    sides = frame["side"].to_numpy()
    instruments = frame["instrument"].to_numpy()
    classes = frame["security_class"].to_numpy()
    not_cash = instruments[cash] != Instrument.CASH.value
    other_class = ~not_cash & (classes[cash] != classes[futs])
    wrong_side = (
        ~not_cash
        & ~other_class
        & ~((sides[futs] == Side.SHORT.value) & (sides[cash] == Side.LONG.value))
    )
    ok = ~(not_cash | other_class | wrong_side)
    for k in np.flatnonzero(~ok):
        f, c = int(futs[k]), int(cash[k])
        if not_cash[k]:
            why = "the deliverable position is not a cash position"
        elif other_class[k]:
            why = f"deliverable class {classes[c]!r} differs from the contract's {classes[f]!r}"
        else:
            why = "cover applies to long inventory against a short futures contract"
        notes[f] = f"link to {ids[c]!r} not eligible for {COVERED_CITATION}: {why}"
    # first come first served: the contracts covering one cash row take its value
    # in row order; each takes the lesser of its value and what is left
    f_ok, c_ok = futs[ok], cash[ok]
    order = np.argsort(c_ok, kind="stable")
    f_ok, c_ok = f_ok[order], c_ok[order]
    fv = values[f_ok]
    amount = np.minimum(values[c_ok], fv)
    start = np.r_[True, c_ok[1:] != c_ok[:-1]] if len(c_ok) else np.zeros(0, dtype=bool)
    # a cash row covered by several contracts: walk them in order (rare, exact)
    for k in np.flatnonzero(~start):
        if start[k - 1]:
            left = values[c_ok[k - 1]] - amount[k - 1]
        amount[k] = min(left, fv[k])
        left -= amount[k]
    np.add.at(covered, f_ok, amount)
    np.add.at(covered, c_ok, amount)
    for f, c, a in sorted(zip(f_ok.tolist(), c_ok.tolist(), amount.tolist(), strict=True)):
        notes[f] = f"covers {ids[c]!r} for {a:,.2f}"
        prior = notes[c] + "; " if notes[c] else ""
        notes[c] = f"{prior}covered by {ids[f]!r} for {a:,.2f}"
    return covered, notes
