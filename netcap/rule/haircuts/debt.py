"""Nonconvertible debt, 15c3-1(c)(2)(vi)(F), and convertible debt charged under it, (G).

(F)(1): nonconvertible debt at a fixed rate with a fixed maturity, not traded
flat or in default, with a favourable (I) creditworthiness assessment, takes
the rate for its years to maturity (``haircut_tables/nonconvertible_debt.csv``)
on the greater of the long or the short position in each bucket.

(F)(2)-(4), an election: a position hedged by an opposite position whose
maturity lies in the same window of (F)(2) leaves the (F)(1) buckets.  The
hedged amount (the lesser of the two market values) is charged

* (F)(3), hedged by a government or agency security (or, by (F)(5), by a
  government securities futures contract valued at its contract value): the
  (F)(3) rate (``debt_hedged_by_government.csv``) on the debt position, for the
  debt's maturity; the hedging government position leaves (A);
* (F)(4), hedged by other nonconvertible debt: the (F)(4) rate
  (``debt_hedged_by_debt.csv``) once, on the hedged amount, for the longer of
  the two maturities; the hedging position's hedged amount carries no other
  charge.

The election is made per position with ``hedge_with`` on the debt position,
naming the hedge.  Any unhedged remainder of either leg stays in its ordinary
paragraph.  The (F)(2) windows, both maturities in one and within its gap:

* less than 5 years, within 6 months of each other;
* 5 to 10 years, within 9 months;
* 10 to 15 years, within 2 years;
* 15 years or more, within 10 years.

The ends of "between 5 years and 10 years" and "between 10 years and 15 years"
are taken as inclusive.  Appendix B still applies to a hedging futures
contract ((F)(6)); see `netcap.rule.haircuts.futures`.

(G): a convertible debt security below its principal amount is charged as
(F)(1) debt (it is bucketed with the nonconvertible debt and carries the (G)
citation); see `netcap.rule.haircuts.routing` for the other branch.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netcap.book.frame import BookError, RowError
from netcap.rule.haircuts.columns import Links, blank_texts
from netcap.rule.haircuts.detail import Labels, ParagraphHaircut
from netcap.rule.haircuts.netting import bucketed_greater_of
from netcap.rule.haircuts.routing import route_names, row_label
from netcap.rule.haircuts.rows import Rows
from netcap.rule.tables import Schedule

__all__ = [
    "CONVERTIBLE_CITATION",
    "HEDGE_CITATION",
    "HEDGE_WINDOWS",
    "DebtHedges",
    "debt_haircut",
    "find_hedges",
    "hedge_window",
]

HEDGE_CITATION = "15c3-1(c)(2)(vi)(F)(2)"
CONVERTIBLE_CITATION = "15c3-1(c)(2)(vi)(G)"
HEDGE_WINDOWS: tuple[tuple[float, float, bool, float], ...] = (
    (0.0, 60.0, False, 6.0),
    (60.0, 120.0, True, 9.0),
    (120.0, 180.0, True, 24.0),
    (180.0, np.inf, True, 120.0),
)
"""(F)(2)(i)-(iv): (lowest months, highest months, highest inclusive?, greatest gap in months)."""


def hedge_window(months_a: np.ndarray, months_b: np.ndarray) -> np.ndarray:
    """True where both maturities lie in one (F)(2) window and within its gap."""
    ok = np.zeros(np.shape(months_a), dtype=bool)
    gap = np.abs(months_a - months_b)
    for low, high, inclusive, most in HEDGE_WINDOWS:
        below_a = months_a <= high if inclusive else months_a < high
        below_b = months_b <= high if inclusive else months_b < high
        ok |= (months_a >= low) & (months_b >= low) & below_a & below_b & (gap <= most)
    return ok


@dataclass(frozen=True)
class DebtHedges:
    """The elected (F)(2) hedges, aligned with the rows of the frame (arrays to read only).

    ``hedged``   on the debt position naming the hedge: the hedged amount (dollars)
    ``removed``  on the hedging position: the amount taken out of its own paragraph
    ``kind``     on the debt position: ``"F3"`` or ``"F4"`` (``""`` elsewhere)
    ``rate_months`` on the debt position: the maturity that sets the hedged rate
    """

    hedged: np.ndarray
    removed: np.ndarray
    kind: np.ndarray
    rate_months: np.ndarray
    sheet: pd.DataFrame


def find_hedges(
    frame: pd.DataFrame,
    routes: np.ndarray | None,
    exposure: np.ndarray,
    *,
    links: Links | None = None,
    keys: np.ndarray | None = None,
) -> DebtHedges:
    """Check every ``hedge_with`` election against (F)(2) and size the hedged amounts.

    ``links`` are the frame's links already read (`Links`); only the electing
    rows and their hedges are visited.  ``routes`` is each row's route, or None
    where ``keys`` gives them as codes (`routing.route_codes`): the text is then
    made for the linked rows only.
    """
    n = len(frame)
    if links is None:
        links = Links(frame, ("hedge_with",), also=())
    a = links.rows("hedge_with")
    if len(a) == 0:  # no election: read-only arrays of one value, nothing allocated per row
        return DebtHedges(
            np.broadcast_to(0.0, n),
            np.broadcast_to(0.0, n),
            np.broadcast_to(np.array("", dtype=object), n),
            np.broadcast_to(np.nan, n),
            pd.DataFrame(
                columns=["position", "hedge", "kind", "amount", "rate_months", "citation"]
            ),
        )
    hedged = np.zeros(n)
    removed = np.zeros(n)
    kind = blank_texts(n)
    rate_months = np.full(n, np.nan)
    ids = links.ids
    b = links.targets("hedge_with")
    if keys is not None:
        route_a, route_b = route_names(keys[a]), route_names(keys[b])
    elif routes is not None:
        route_a, route_b = routes[a], routes[b]
    else:
        raise ValueError("find_hedges needs the routes or their codes")
    months = frame["months_to_maturity"].to_numpy(dtype=float)
    errors: list[RowError] = []

    def refuse(mask: np.ndarray, message: str) -> None:
        for k in np.flatnonzero(mask):
            i = int(a[k])
            errors.append(RowError(row_label(frame, i), "hedge_with", f"{ids[i]!r}: {message}"))

    refuse(
        route_a != "F",
        "(F)(2) hedges are elected on nonconvertible debt charged under (F)(1) "
        "(fixed rate and maturity, not in default, minimal credit risk)",
    )
    refuse(
        ~np.isin(route_b, ["A", "F"]),
        "the hedge must be a government or agency security (or futures contract) or "
        "nonconvertible debt charged under (F)(1)",
    )
    refuse(np.sign(exposure[a]) * np.sign(exposure[b]) >= 0, "a hedge is on the opposite side")
    refuse(
        ~hedge_window(months[a], months[b]),
        "maturities are not within one of the windows of (F)(2)(i)-(iv)",
    )
    legs = np.concatenate([a, b])
    uniq, counts = np.unique(legs, return_counts=True)
    twice = np.isin(a, uniq[counts > 1]) | np.isin(b, uniq[counts > 1])
    refuse(twice, "a position may be in one (F)(2) hedge only")
    if errors:
        raise BookError(errors)
    amount = np.minimum(np.abs(exposure[a]), np.abs(exposure[b]))
    is_gov = route_b == "A"
    hedged[a] = amount
    removed[b] = amount
    kind[a] = np.where(is_gov, "F3", "F4")
    rate_months[a] = np.where(is_gov, months[a], np.maximum(months[a], months[b]))
    sheet = pd.DataFrame(
        {
            "position": ids[a],
            "hedge": ids[b],
            "kind": kind[a],
            "amount": amount,
            "rate_months": rate_months[a],
            "citation": np.where(is_gov, "15c3-1(c)(2)(vi)(F)(3)", "15c3-1(c)(2)(vi)(F)(4)"),
        }
    )
    return DebtHedges(hedged, removed, kind, rate_months, sheet)


def debt_haircut(
    rows: Rows,
    exposure: np.ndarray,
    notes: np.ndarray,
    convertible: np.ndarray,
    hedged: np.ndarray,
    kind: np.ndarray,
    rate_months: np.ndarray,
    schedule: Schedule,
    by_government: Schedule,
    by_debt: Schedule,
    hedge_sheet: pd.DataFrame,
) -> ParagraphHaircut:
    """(F)(1) buckets on the unhedged exposure plus the (F)(3)/(F)(4) charge on hedged amounts.

    ``exposure`` is already net of any amount this row contributes as the hedge
    of another position; ``hedged`` is the amount of this row's own hedge.
    """
    sign = np.sign(exposure)
    unhedged = exposure - sign * hedged
    base = bucketed_greater_of(rows, unhedged, rows["months_to_maturity"] / 12.0, schedule, notes)
    detail = base.detail
    paragraph = detail.paragraph
    if convertible.any():  # (G) rows charged under (F) keep their own citation
        paragraph = paragraph.put(convertible, CONVERTIBLE_CITATION)
    hedged_rows = np.flatnonzero(hedged > 0)
    sheets = dict(base.worksheets)
    if not len(hedged_rows):
        return ParagraphHaircut(detail.replace(paragraph=paragraph), sheets)
    hedge_rate = np.zeros(len(rows))
    hedge_key = np.full(len(rows), "", dtype=object)
    hedge_cite = np.full(len(rows), "", dtype=object)
    for code, sched in (("F3", by_government), ("F4", by_debt)):
        pick = np.flatnonzero(kind == code)
        if len(pick) == 0:
            continue
        idx = sched.bucket_index(rate_months[pick] / 12.0)
        hedge_rate[pick] = sched.column("rate").astype(float)[idx]
        hedge_key[pick] = sched.column("key")[idx]
        hedge_cite[pick] = sched.column("citation")[idx]
    hedge_charge = hedge_rate * hedged
    h = hedged_rows
    charge, gross = detail.charge.copy(), detail.gross_charge.copy()
    expo, rate, note = detail.exposure.copy(), detail.rate.copy(), detail.note.copy()
    charge[h] += hedge_charge[h]
    gross[h] += hedge_charge[h]
    expo[h] = exposure[h]
    rate[h] = hedge_rate[h]
    for i in h.tolist():
        note[i] = "; ".join(
            p
            for p in (
                notes[i],
                f"{hedged[i]:,.2f} hedged under {HEDGE_CITATION} at {hedge_rate[i]:.4%}",
                f"{abs(unhedged[i]):,.2f} unhedged under (F)(1)" if unhedged[i] else "",
            )
            if p
        )
    paragraph_text, bucket_text = paragraph.text(), detail.bucket.text()
    paragraph_text[h] = hedge_cite[h]
    bucket_text[h] = hedge_key[h]
    detail = detail.replace(
        paragraph=Labels.of(paragraph_text, len(rows)),
        bucket=Labels.of(bucket_text, len(rows)),
        rate=rate,
        exposure=expo,
        gross_charge=gross,
        charge=charge,
        note=note,
    )
    sheet = hedge_sheet.copy()
    pos = _sheet_rows(rows, kind, sheet["position"].to_numpy(dtype=object))
    sheet["rate"] = hedge_rate[pos]
    sheet["charge"] = hedge_charge[pos]
    sheets["debt_hedges"] = sheet
    return ParagraphHaircut(detail, sheets)


def _sheet_rows(rows: Rows, kind: np.ndarray, positions: np.ndarray) -> np.ndarray:
    """Where each hedged position of the (F)(2) sheet sits among ``rows``.

    The sheet lists the electing positions in frame order, which are the rows here
    with a hedge kind when these rows are in frame order too; their ids are checked,
    and only otherwise are the ids of every row looked up.
    """
    electing = np.flatnonzero(kind != "")
    if len(electing) == len(positions):
        ids = np.take(rows.columns["id"], rows.index[electing])
        if bool((ids == positions).all()):
            return electing
    return np.asarray(pd.Index(rows["id"]).get_indexer(positions))
