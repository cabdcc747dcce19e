"""Futures and commodities: Appendix B to 15c3-1 (17 CFR 240.15c3-1b).

Uncovered proprietary futures, (a)(3)(xiv).  A futures contract not covered by
a position the firm holds is charged a multiple of its margin
(``haircut_tables/futures.csv``), set by the firm's membership
(`FuturesOptions`):

* (A) a clearing member, for contracts it clears itself: 100% of the clearing
  organization's margin (``clearing_margin``);
* (B) a member of a self-regulatory organization (and a clearing member for
  contracts it does not clear): 150% of the greater of the board of trade's
  maintenance margin (``maintenance_margin``) and the clearing organization's
  margin (``clearing_margin``);
* (C) any other broker or dealer: 200% of that greater margin;
* (D) where no maintenance margin applies: 200% of the initial margin
  (``initial_margin``).

Margins are per position, in dollars.  Where part of a contract covers
inventory (`netcap.rule.haircuts.covered`), the margin of the uncovered part is
charged pro rata.  The proviso of (xiv): equity in the proprietary futures
account not otherwise counted in net capital (``account_equity``) reduces the
total (xiv) deduction, never below zero.

Futures on government securities are also placed in the (A) categories by
(A)(4), and (A)(4) and (F)(6) say Appendix B applies to them "in any event":
netcap adds the (xiv) charge to such a contract as an add-on when its margin is
given, and notes on its detail row that the charge was not computed when it is
not (the Commission's own worked examples of Treasury futures strategies charge
only (A)).  Every other futures contract must carry its margin.

Commodity inventory, (a)(3)(ix): inventory covered by a futures contract and
deliverable on a contract market carries no charge ((ix)(A), in
`netcap.rule.haircuts.covered`); inventory not covered takes 20% of its net
position per commodity ((ix)(C)); covered inventory that is not "currently
registered as deliverable on a contract market" (``registered_deliverable=False``)
takes 5% of its covered market value ((ix)(B)), as an add-on on its row.  Forwards
and fixed-price commitments, (ix)(D)-(E), are not modelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from netcap.book.frame import BookError, RowError
from netcap.rule.haircuts.detail import Labels, ParagraphHaircut, allocate, build_detail
from netcap.rule.haircuts.rows import Rows
from netcap.rule.tables import Schedule

__all__ = [
    "LIMITATIONS",
    "FuturesCharge",
    "FuturesOptions",
    "Membership",
    "commodity_inventory_haircut",
    "futures_margin_charge",
]

LIMITATIONS = {
    "15c3-1b(a)(3)(ix)(D)": "fixed price commitments (open purchases and sales) and forward "
    "contracts covered by an open futures contract or commodity option take 10% of market "
    "value; they have no input (a commodity position is inventory): not implemented",
    "15c3-1b(a)(3)(ix)(E)": "fixed price commitments and forward contracts not covered take "
    "20% of market value; with no input of their own they can be entered as uncovered "
    "commodity inventory, which (ix)(C) charges at the same 20% on the net position per "
    "commodity",
}


class Membership(StrEnum):
    """The firm's standing for Appendix B (a)(3)(xiv)."""

    CLEARING_MEMBER = "clearing_member"  # (xiv)(A) for contracts it clears
    SRO_MEMBER = "sro_member"  # (xiv)(B)
    OTHER = "other"  # (xiv)(C)


@dataclass(frozen=True)
class FuturesOptions:
    """Firm facts for the Appendix B futures charge.

    ``membership``      clearing member, member of a self-regulatory organization,
                        or neither (the default, the highest multiple)
    ``account_equity``  equity in the proprietary futures accounts not otherwise
                        included in net capital: reduces the (xiv) deduction
    """

    membership: Membership = Membership.OTHER
    account_equity: float = 0.0


@dataclass(frozen=True)
class FuturesCharge:
    """The (xiv) charge of each futures row given, after the equity proviso."""

    charge: np.ndarray
    gross: np.ndarray
    key: np.ndarray
    multiple: np.ndarray
    citation: np.ndarray
    computed: np.ndarray
    reduction: float


_KEYS = ("xiv_a", "xiv_b", "xiv_c", "xiv_d")
"""The schedule rows of Appendix B (a)(3)(xiv): clearing member on its own clearing
margin, other member, non-member, and the initial margin where no other is given."""


def futures_margin_charge(
    rows: Rows,
    exposure: np.ndarray,
    schedule: Schedule,
    options: FuturesOptions,
    *,
    required: np.ndarray,
) -> FuturesCharge:
    """Margin multiple of each row's uncovered part; raises where a ``required`` row has none."""
    if options.account_equity < 0 or not np.isfinite(options.account_equity):
        raise ValueError("account_equity must be a finite amount >= 0")
    n = len(rows)
    value = rows["market_value"]
    uncovered = np.divide(np.abs(exposure), value, out=np.zeros(n), where=value > 0)
    maint = rows["maintenance_margin"].astype(float)
    clr = rows["clearing_margin"].astype(float)
    init = rows["initial_margin"].astype(float)
    both_nan = np.isnan(maint) & np.isnan(clr)
    greater = np.where(both_nan, np.nan, np.fmax(maint, clr))
    clears = (options.membership == Membership.CLEARING_MEMBER) & rows["cleared_by_firm"].astype(
        bool
    )
    member = options.membership != Membership.OTHER
    # the schedule row of each contract, as its position in _KEYS
    basis = np.where(clears, clr, greater)
    use_initial = ~clears & both_nan & ~np.isnan(init)
    key_pos = np.where(use_initial, 3, np.where(clears, 0, 1 if member else 2))
    basis = np.where(use_initial, init, basis)
    computed = ~np.isnan(basis)
    missing = required & ~computed
    if missing.any():
        ids = rows["id"]
        field = np.where(clears, "clearing_margin", "maintenance_margin")
        raise BookError(
            [
                RowError(
                    rows.label(int(i)),
                    str(field[i]),
                    f"{ids[i]!r}: an uncovered futures contract is charged a multiple of its "
                    "margin (15c3-1b(a)(3)(xiv)); give its margin",
                )
                for i in np.flatnonzero(missing)
            ]
        )
    # look each key up once, not once per row
    used = np.flatnonzero(np.bincount(key_pos, minlength=len(_KEYS)))
    table = np.zeros(len(_KEYS))
    table[used] = [schedule.rate(_KEYS[k]) for k in used.tolist()]
    multiple = table[key_pos]
    texts = np.full(len(_KEYS), "", dtype=object)
    texts[used] = [schedule.citation(_KEYS[k]) for k in used.tolist()]
    citation = texts[key_pos]
    key = np.asarray(_KEYS, dtype=object)[key_pos]
    gross = np.where(computed, multiple * np.nan_to_num(basis) * uncovered, 0.0)
    total = float(gross.sum())
    reduction = min(options.account_equity, total)
    charge = gross * (1.0 - reduction / total) if total > 0 else gross
    return FuturesCharge(charge, gross, key, multiple, citation, computed, reduction)


def commodity_inventory_haircut(
    rows: Rows,
    exposure: np.ndarray,
    notes: np.ndarray,
    schedule: Schedule,
    covered: np.ndarray | None = None,
) -> ParagraphHaircut:
    """(ix)(C): 20% of the net uncovered position in each commodity; (ix)(B) on cover.

    ``covered`` is the covered amount of each row (absolute dollars).  Inventory
    "currently registered as deliverable on a contract market and covered" carries no
    charge ((ix)(A)); covered inventory that is not registered (``registered_deliverable``
    False) takes the (ix)(B) 5% of the covered market value, as an add-on on its row.
    """
    rate = schedule.rate("ix_c")
    issue = rows["security_id"].copy()
    missing = pd.isna(issue)
    issue[missing] = rows["id"][missing]
    codes, group = np.unique(issue.astype(str), return_inverse=True)
    net = np.bincount(group, weights=exposure, minlength=len(codes))
    deduction = rate * np.abs(net)
    same_side = np.sign(exposure) == np.sign(net[group])
    weight = np.where(same_side, np.abs(exposure), 0.0)
    detail = build_detail(
        schedule.citation("ix_c"),
        "ix_c",
        rate,
        exposure,
        rate * np.abs(exposure),
        allocate(deduction, group, weight),
        notes,
    )
    if covered is not None:
        registered = rows["registered_deliverable"].astype(bool)
        b_rows = ~registered & (covered > 0)
        if b_rows.any():
            b_rate = schedule.rate("ix_b")
            detail = detail.replace(
                add_on_paragraph=Labels(
                    np.where(b_rows, 0, 1), np.array([schedule.citation("ix_b"), ""], dtype=object)
                ),
                add_on_charge=np.where(b_rows, b_rate * covered, 0.0),
            )
    sheet = pd.DataFrame(
        {"commodity": codes, "net_value": net, "rate": rate, "deduction": deduction}
    )
    return ParagraphHaircut(detail, {"commodity_inventory": sheet})
