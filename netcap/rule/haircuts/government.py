"""Government and agency securities: 15c3-1(c)(2)(vi)(A).

The method, step by step (the percentages live in ``haircut_tables/government.csv``):

1. Each position goes to the subcategory of its time to maturity.  A futures
   contract goes to the subcategory of its deliverable security, valued at the
   contract value ((A)(4)).  Inventory
   covered by a short futures contract (Appendix B (a)(3)(ix)(A)) is taken out
   first: the covered amount of both legs carries no charge.
2. Within a subcategory long and short positions net; the subcategory's
   percentage applies to the net long or net short position.
3. Within a category, the deduction is the net of the aggregate deductions on
   net long subcategories and on net short subcategories, plus 50% of the
   lesser of the two aggregates ((A)(1), closing sentences).
Elections (see `GovernmentOptions`), none taken by default, as the text of
(A)(2), (A)(3) and (A)(5) words them:

* (A)(2): "A broker or dealer may elect to deduct, in lieu of the computation
  required under paragraph (c)(2)(vi)(A)(1) of this section, the applicable
  percentages of the market value of the net long or short positions in each of
  the subcategories specified in paragraph (c)(2)(vi)(A)(1)": each subcategory's
  net position at its percentage, with no netting of deductions within a
  category (step 3).  That sum is never lower than step 3 (``greater -
  lesser/2 <= long + short``): the election spares the category worksheet, it
  does not lower the deduction.
* (A)(3): "exclude the market value of a long or short security from one
  category and a security from another category" whose maturities are (A)
  "Between 9 months and 15 months and within 3 months of one another", (B)
  "Between 2 years and 4 years and within 1 year of one another", or (C)
  "Between 8 years and 12 years and within 2 years of one another"; "The net
  market value of the two excluded securities shall remain in the category of
  the security with the higher market value."  netcap puts the pair's net into
  the subcategory of the security with the higher market value (the text names
  the category only; the subcategory is netcap's choice).  Window ends count
  ("between ... and ..." read inclusively).  A pair must be one long and one
  short security: the net of two longs would be no offset.
* (A)(5): a Government securities dealer "that reports to the Federal Reserve
  System, that transacts business directly with the Federal Reserve System, and
  that maintains at all times a minimum net capital of at least $50,000,000,
  before application of the deductions provided for in paragraph (c)(2)(vi)"
  deducts "75 percent of the deduction otherwise computed under paragraph
  (c)(2)(vi)(A)".  The text makes this a consequence, not a choice: a firm that
  is such a dealer says so (``fed_reporting_dealer``), and netcap refuses the
  flag when net capital before haircuts is below $50,000,000.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netcap.rule.haircuts.covered import COVERED_CITATION
from netcap.rule.haircuts.detail import DetailPart, Labels, allocate, append_note, build_detail
from netcap.rule.haircuts.rows import Rows
from netcap.rule.tables import Schedule

__all__ = ["LIMITATIONS", "GovernmentHaircut", "GovernmentOptions", "government_haircut"]

CATEGORY_CITATION = "15c3-1(c)(2)(vi)(A)(1)"

LIMITATIONS: dict[str, str] = {}
"""Nothing of (A) is left out.  (A)(1)-(5) were read in the rule's text; the (A)(1)
category table, which the public eCFR copy used drops, was checked against Release
34-99477 Box 2 (4%, 2%, 4 1/2%) and a published copy of the table (the rates of
``haircut_tables/government.csv`` say which source confirms each)."""
FUTURES_CITATION = "15c3-1(c)(2)(vi)(A)(4)"


PAIRING_CITATION = "15c3-1(c)(2)(vi)(A)(3)"
SUBCATEGORY_ONLY_CITATION = "15c3-1(c)(2)(vi)(A)(2)"
FED_DEALER_CITATION = "15c3-1(c)(2)(vi)(A)(5)"
FED_DEALER_FACTOR = 0.75
FED_DEALER_MIN_NET_CAPITAL = 50_000_000.0
PAIRING_WINDOWS: tuple[tuple[float, float, float], ...] = (
    (9.0, 15.0, 3.0),
    (24.0, 48.0, 12.0),
    (96.0, 144.0, 24.0),
)
"""(A)(3)(i): (lowest months, highest months, greatest gap in months) of each window."""


@dataclass(frozen=True)
class GovernmentOptions:
    """Elections the rule leaves to the broker-dealer for paragraph (A).

    None is taken by default, matching the SEC's own worked examples (Box 2 of
    the 2024 dealer release computes strategy 7 with no pairing across
    categories).

    ``subcategory_only``   the (A)(2) computation in lieu of (A)(1)
    ``pairs``              (A)(3) pairs of position ids (one long, one short,
                           different categories, maturities in one window)
    ``fed_reporting_dealer`` the (A)(5) 75% factor; applied only when
                           ``net_capital_before_haircuts`` reaches $50,000,000
    """

    subcategory_only: bool = False
    pairs: tuple[tuple[str, str], ...] = ()
    fed_reporting_dealer: bool = False


def pairing_window(months_a: float, months_b: float) -> int | None:
    """Index of the (A)(3)(i) window holding both maturities, or None."""
    for i, (low, high, gap) in enumerate(PAIRING_WINDOWS):
        if low <= months_a <= high and low <= months_b <= high and abs(months_a - months_b) <= gap:
            return i
    return None


def _apply_pairs(
    rows: Rows,
    bucket: np.ndarray,
    cats: np.ndarray,
    exposure: np.ndarray,
    pairs: tuple[tuple[str, str], ...],
    notes: np.ndarray,
) -> np.ndarray:
    """Move the smaller security of each elected pair into the larger one's subcategory."""
    if not pairs:
        return bucket
    bucket = bucket.copy()
    ids = rows["id"]
    where = {pid: i for i, pid in enumerate(ids.tolist())}
    months = rows["months_to_maturity"]
    used: set[int] = set()
    for a_id, b_id in pairs:
        if a_id not in where or b_id not in where:
            missing = a_id if a_id not in where else b_id
            raise ValueError(
                f"{PAIRING_CITATION} pair names {missing!r}, not a government position"
            )
        a, b = where[a_id], where[b_id]
        problem = ""
        if a in used or b in used:
            problem = "a security may be in one pair only"
        elif np.sign(exposure[a]) * np.sign(exposure[b]) >= 0:
            problem = "a pair is one long and one short security"
        elif cats[bucket[a]] == cats[bucket[b]]:
            problem = "both securities are in the same category"
        elif pairing_window(months[a], months[b]) is None:
            problem = "maturities are not within one of the windows of (A)(3)(i)"
        if problem:
            raise ValueError(f"{PAIRING_CITATION} pair ({a_id!r}, {b_id!r}): {problem}")
        big, small = (a, b) if abs(exposure[a]) >= abs(exposure[b]) else (b, a)
        bucket[small] = bucket[big]
        used.update((a, b))
        for i, other in ((a, b), (b, a)):
            text = f"paired with {ids[other]!r} under {PAIRING_CITATION}"
            notes[i] = f"{notes[i]}; {text}" if notes[i] else text
    return bucket


@dataclass(frozen=True)
class GovernmentHaircut:
    """Result of paragraph (A): per-position detail and the netting worksheets."""

    detail: DetailPart
    subcategories: pd.DataFrame
    categories: pd.DataFrame
    total: float


def government_haircut(
    rows: Rows,
    schedule: Schedule,
    covered: np.ndarray,
    notes: np.ndarray,
    options: GovernmentOptions | None = None,
    net_capital_before_haircuts: float | None = None,
) -> GovernmentHaircut:
    """Compute the (A) haircut for the government/agency rows of a position frame.

    ``covered`` is the covered amount of each row (absolute dollars) and
    ``notes`` the notes to extend (blank from `compute_haircuts`, which puts each
    row's cover note in front when it places the rows), both aligned with ``rows``.
    ``net_capital_before_haircuts`` is needed only for the (A)(5) election.
    """
    opts = options or GovernmentOptions()
    notes = np.array(notes, dtype=object)
    months = rows["months_to_maturity"]
    bucket = schedule.bucket_index(months)
    if (bucket < 0).any():
        bad = rows["id"][bucket < 0]
        raise ValueError(f"no government subcategory for positions {list(bad)[:5]}")
    keys = schedule.column("key")
    rates = schedule.column("rate").astype(float)
    cats = schedule.column("category").astype(int)
    citations = schedule.column("citation")

    signed = rows["signed_value"]
    exposure = signed - np.sign(signed) * covered
    nsub = len(keys)
    bucket = _apply_pairs(rows, bucket, cats, exposure, opts.pairs, notes)

    net = np.bincount(bucket, weights=exposure, minlength=nsub)
    longs = np.bincount(bucket, weights=np.clip(exposure, 0, None), minlength=nsub)
    shorts = -np.bincount(bucket, weights=np.clip(exposure, None, 0), minlength=nsub)
    sub_deduction = rates * np.abs(net)
    long_ded = np.where(net > 0, sub_deduction, 0.0)
    short_ded = np.where(net < 0, sub_deduction, 0.0)

    cat_ids = np.unique(cats)
    cat_pos = np.searchsorted(cat_ids, cats)
    agg_long = np.bincount(cat_pos, weights=long_ded, minlength=len(cat_ids))
    agg_short = np.bincount(cat_pos, weights=short_ded, minlength=len(cat_ids))
    lesser = np.minimum(agg_long, agg_short)
    cat_deduction: np.ndarray
    if opts.subcategory_only:
        cat_deduction = agg_long + agg_short
        cat_citation = SUBCATEGORY_ONLY_CITATION
    else:
        cat_deduction = np.abs(agg_long - agg_short) + 0.5 * lesser
        cat_citation = CATEGORY_CITATION
    factor = 1.0
    if opts.fed_reporting_dealer:
        if net_capital_before_haircuts is None:
            raise ValueError(f"{FED_DEALER_CITATION} election needs net capital before haircuts")
        if net_capital_before_haircuts < FED_DEALER_MIN_NET_CAPITAL:
            raise ValueError(
                f"{FED_DEALER_CITATION} election not available: net capital before haircuts "
                f"{net_capital_before_haircuts:,.0f} is below "
                f"{FED_DEALER_MIN_NET_CAPITAL:,.0f}"
            )
        factor = FED_DEALER_FACTOR
        cat_citation = f"{cat_citation}; {FED_DEALER_CITATION}"
    cat_deduction = np.asarray(cat_deduction * factor, dtype=float)

    gross = rates[bucket] * np.abs(exposure)
    is_future = rows.equals("instrument", "future")
    row_cat = cat_pos[bucket]
    charge = allocate(cat_deduction, row_cat, gross)

    fully_covered = (covered > 0) & (exposure == 0)
    row_notes = append_note(notes, fully_covered, "fully covered: no charge")
    # the citation of each row is its subcategory's, or one of two after them
    cite = np.where(fully_covered, nsub + 1, np.where(is_future, nsub, bucket))
    detail = build_detail(
        Labels(cite, np.array([*citations, FUTURES_CITATION, COVERED_CITATION], dtype=object)),
        Labels(bucket, np.asarray(keys, dtype=object)),
        rates[bucket],
        exposure,
        gross,
        charge,
        row_notes,
    )
    subcategories = pd.DataFrame(
        {
            "category": cats,
            "bucket": keys,
            "maturity": schedule.column("text"),
            "rate": rates,
            "long_value": longs,
            "short_value": shorts,
            "net_value": net,
            "deduction": sub_deduction,
            "side": np.where(net > 0, "long", np.where(net < 0, "short", "")),
            "citation": citations,
        }
    )
    categories = pd.DataFrame(
        {
            "category": cat_ids,
            "long_deductions": agg_long,
            "short_deductions": agg_short,
            "net_of_long_and_short": np.abs(agg_long - agg_short),
            "fifty_pct_of_lesser": 0.0 if opts.subcategory_only else 0.5 * lesser,
            "factor": factor,
            "deduction": cat_deduction,
            "citation": cat_citation,
        }
    )
    return GovernmentHaircut(
        detail=detail,
        subcategories=subcategories,
        categories=categories,
        total=float(cat_deduction.sum()),
    )
