"""All other securities, 15c3-1(c)(2)(vi)(J); limited markets, (K); their reduction, (L).

(J): every security not in a percentage category of (A)-(H) (nor in (K)(ii))
takes 15% of the market value of the greater of the long or short positions,
plus 15% of the amount by which the lesser side exceeds 25% of the greater
(``haircut_tables/other_securities.csv``).  The text speaks of "the long or
short positions" of all such securities, so netcap computes one long total and
one short total over every position charged under (J), whatever the issuer:

    deduction = 15% x G + 15% x max(0, L - 25% x G)

Convertible debt at or above its principal amount ((G)), fund shares without a
(D) rate, and debt, money market instruments or preferred stock that are in
default or lack a favourable (I) assessment join this pool.

(J)(2): a security called for redemption and redeemable within 90 days carries
no (J) deduction (``called_within_90_days``), and undue concentration does
not reach it either: (M)(2) excepts the exemptions of (J)'s first proviso.
(J)(1): "A security that is convertible into or exchangeable for another security
within a period of 90 days, subject to no conditions other than the payment of money,
and the other securities into which such security is convertible or for which it is
exchangeable, are short in the accounts" carries no (J) deduction
(``converts_into_short_within_90_days``).  The exemption is read as the convertible's:
the short securities stay in the (J) pool.  Both exemptions are (J)'s first proviso,
which (M)(2) leaves outside undue concentration.

(K): a security (equity or other) that is not exchange-listed, not OTC margin
stock and not on NASDAQ (``limited_market=True``) is charged under (J) when
three or more independent market makers quote it; with one or two it takes 40%
of each long and each short position, with no netting ((K)(ii)).  With none it
has no ready market: mark it ``ready_market=False`` ((vii)).

(L): where the examining authority has accepted a showing of liquidity, the
(K) rate of a position may be lowered (`LimitedMarketOptions`), never
below the (J) rate of 15%.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netcap.rule.haircuts.detail import Labels, ParagraphHaircut, append_note, build_detail
from netcap.rule.haircuts.netting import other_securities_charge
from netcap.rule.haircuts.rows import Rows
from netcap.rule.tables import Schedule

__all__ = [
    "EXEMPT_CITATION",
    "LIMITATIONS",
    "REDUCTION_CITATION",
    "LimitedMarketOptions",
    "limited_market_haircut",
    "other_securities_haircut",
]

EXEMPT_CITATION = "15c3-1(c)(2)(vi)(J)(2)"
CONVERTS_CITATION = "15c3-1(c)(2)(vi)(J)(1)"
REDUCTION_CITATION = "15c3-1(c)(2)(vi)(L)"
CONVERTIBLE_CITATION = "15c3-1(c)(2)(vi)(G)"

LIMITATIONS: dict[str, str] = {}
"""Nothing of (J)-(L) is left out.

(L) as the text words it: where the firm "demonstrates that there is sufficient
liquidity" for securities subject to a (K) deduction, the deduction, "upon a
proper showing to the Examining Authority", "may be appropriately decreased, but
in no case shall such deduction be less than that prescribed in paragraph
(c)(2)(vi)(J)".  netcap takes the decreased rate the examining authority accepted
(`LimitedMarketOptions`) and refuses one below the (J) rate of 15%.
"""


@dataclass(frozen=True)
class LimitedMarketOptions:
    """(L): reduced (K) rates granted by the examining authority.

    ``reductions`` pairs a position id with the rate it takes instead of the
    (K)(ii) 40%.  The rate may not exceed the (K)(ii) rate nor fall below the
    (J) rate.
    """

    reductions: tuple[tuple[str, float], ...] = ()


def other_securities_haircut(
    rows: Rows,
    exposure: np.ndarray,
    notes: np.ndarray,
    routes: np.ndarray,
    schedule: Schedule,
) -> ParagraphHaircut:
    """(J) over the ``J`` and ``G_J`` rows as one pool; ``J2`` rows carry no charge."""
    rate = schedule.rate("j_rate")
    ratio = schedule.rate("j_offset_ratio")
    excess_rate = schedule.rate("j_excess_rate")
    pool = routes != "J2"
    charge = np.zeros(len(rows))
    sheet = None
    row_notes: np.ndarray = notes
    if pool.any():
        j = other_securities_charge(exposure[pool], rate, ratio, excess_rate)
        charge[pool] = j.row_charge
        sheet = pd.DataFrame(
            {
                "long_value": [j.long],
                "short_value": [j.short],
                "greater_side": ["long" if j.long >= j.short else "short"],
                "charge_on_greater": [j.greater_charge],
                "lesser_excess_over_25pct": [j.lesser_excess],
                "charge_on_excess": [j.excess_charge],
                "deduction": [j.deduction],
                "citation": [schedule.citation("j_rate")],
            }
        )
        lesser = np.zeros(len(rows), dtype=bool)
        lesser[np.flatnonzero(pool)[~j.on_greater_side]] = True
        row_notes = append_note(row_notes, lesser, "lesser side of (J)")
    exempt = routes == "J2"
    called = rows["called_within_90_days"]
    converts = exempt & ~called
    row_notes = append_note(
        row_notes, exempt & called, "called for redemption within 90 days: no (J) deduction"
    )
    row_notes = append_note(
        row_notes,
        converts,
        "converts within 90 days into a security held short: no (J) deduction",
    )
    # each row's citation and bucket picked from a table by code: the few texts are
    # shared, not copied into a text per row
    kind = np.where(exempt, np.where(called, 0, 1), np.where(routes == "G_J", 2, 3))
    citations = np.array(
        [EXEMPT_CITATION, CONVERTS_CITATION, CONVERTIBLE_CITATION, schedule.citation("j_rate")],
        dtype=object,
    )
    buckets = np.array(["j2", "j1", "j", "j"], dtype=object)
    detail = build_detail(
        Labels(kind, citations),
        Labels(kind, buckets),
        np.where(exempt, 0.0, rate),
        exposure,
        np.where(exempt, 0.0, rate * np.abs(exposure)),
        charge,
        row_notes,
    )
    return ParagraphHaircut(detail, {} if sheet is None else {"other_securities": sheet})


def limited_market_haircut(
    rows: Rows,
    exposure: np.ndarray,
    notes: np.ndarray,
    schedule: Schedule,
    options: LimitedMarketOptions,
) -> ParagraphHaircut:
    """(K)(ii) 40% of each position, or its (L) reduced rate."""
    k_rate = schedule.rate("k_rate")
    floor = schedule.rate("j_rate")
    ids = rows["id"]
    rate = np.full(len(rows), k_rate)
    reduced = np.zeros(len(rows), dtype=bool)
    where = pd.Index(ids)
    for pid, r in options.reductions:
        i = where.get_indexer([pid])[0]
        if i < 0:
            raise ValueError(
                f"{REDUCTION_CITATION} reduction names {pid!r}, not a position charged "
                "under (K)(ii)"
            )
        if not floor <= r <= k_rate:
            raise ValueError(
                f"{REDUCTION_CITATION} reduction for {pid!r}: rate {r} must lie between the "
                f"(J) rate {floor} and the (K)(ii) rate {k_rate}"
            )
        rate[i] = r
        reduced[i] = True
    charge = rate * np.abs(exposure)
    kind = reduced.astype(np.int64)
    detail = build_detail(
        Labels(kind, np.array([schedule.citation("k_rate"), REDUCTION_CITATION], dtype=object)),
        Labels(kind, np.array(["k_ii", "l"], dtype=object)),
        rate,
        exposure,
        charge,
        charge,
        notes,
    )
    return ParagraphHaircut(detail)
