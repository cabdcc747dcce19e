"""Repurchase and reverse repurchase agreement deficits, 15c3-1(c)(2)(iv)(F).

Definitions, (F)(1):

* a *reverse repurchase agreement deficit* is the contract price for resale less
  the market value of the securities, when the market value is the smaller
  ((F)(1)(i));
* a *repurchase agreement deficit* is the market value of the securities less the
  contract price for repurchase, when the contract price is the smaller ((F)(1)(ii));
* contract prices include accrued interest ((F)(1)(iii));
* deficits where the counterparty is the Federal Reserve Bank of New York are
  disregarded ((F)(1)(iv)).

Reverse repurchase agreements, (F)(2): the deduction is the deficit, which the
firm may reduce by (A) margin or other deposits it holds on account of the
agreement, (B) the excess market value over contract price under any other
reverse repurchase agreement with the same party, (C) the shortfall of market
value below contract price of repurchase agreements with the same party, and
(D) calls for margin, marks to the market or other deposits outstanding one
business day or less.

Repurchase agreements, (F)(3): a deficit may first be reduced by whatever of the
party's margin, repurchase shortfalls and one-day calls the reverse agreements
did not use ((F)(3)(ii)(A)-(C)); then the deduction is

* (A) for each agreement, the deficit in excess of 5%, 10% or 20% of the contract
  price (Treasury; agency or mortgage related; other securities);
* (B) for each party, the aggregate deficits in excess of 25% of net capital
  before (c)(2)(vi), less the (A) deduction already taken with that party;
* or, if greater than (A) and (B) together, (C) the aggregate deficits with all
  parties in excess of 300% of net capital before (c)(2)(vi).

Readings netcap takes where the text leaves a choice (each stated on the docs page):

* reductions available to a party are applied to its agreements in the order the
  book lists them; the reverse agreements' own excess first, then margin, the
  repurchase shortfalls and the one-day calls;
* the (B) parenthetical is read as reducing the (B) excess by the (A) deduction with
  that party, so that (A) and (B) together never deduct the same dollar twice;
* "net capital before the application of (c)(2)(vi)" is total capital less every
  other (c)(2) deduction (the (F)(2) reverse deduction included, the (F)(3)
  deduction itself excluded: it cannot measure itself), and less the position
  deductions taken before tentative net capital; a negative figure counts as zero.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from netcap.book.firm import RepurchaseAgreement, ReverseRepo
from netcap.rule.tables import load_schedule

__all__ = [
    "PARTY_COLUMNS",
    "REPO_CITATION",
    "REPO_DETAIL_COLUMNS",
    "REVERSE_CITATION",
    "RepoDeficits",
    "repo_deficits",
]

REVERSE_CITATION = "15c3-1(c)(2)(iv)(F)(2)"
REPO_CITATION = "15c3-1(c)(2)(iv)(F)(3)"
FRBNY_CITATION = "15c3-1(c)(2)(iv)(F)(1)(iv)"

REPO_DETAIL_COLUMNS = (
    "id",
    "agreement",
    "counterparty",
    "collateral",
    "contract_price",
    "market_value",
    "deficit",
    "excess",
    "margin_held",
    "calls_one_business_day",
    "reduction",
    "net_deficit",
    "rate",
    "allowance",
    "deduction",
    "citation",
    "note",
)
"""One row per agreement.  ``excess`` is what the row offers other agreements with the
party (a reverse agreement's market value over its contract price; a repurchase
agreement's contract price over its market value).  ``deduction`` is (F)(2) for a
reverse agreement and the (F)(3)(i)(A) excess for a repurchase agreement."""

PARTY_COLUMNS = (
    "counterparty",
    "reverse_deficits",
    "reverse_reductions",
    "reverse_deduction",
    "repo_deficits",
    "repo_reductions",
    "repo_net_deficits",
    "deduction_a",
    "threshold_b",
    "deduction_b",
)


@dataclass(frozen=True)
class RepoDeficits:
    """The (F)(2) and (F)(3) deductions with the detail behind them."""

    detail: pd.DataFrame
    parties: pd.DataFrame
    base: float
    reverse: float
    deduction_a: float
    deduction_b: float
    deduction_c: float

    @property
    def repo(self) -> float:
        """The (F)(3) deduction: (A) and (B) together or, if greater, (C)."""
        return max(self.deduction_a + self.deduction_b, self.deduction_c)

    @property
    def c_binds(self) -> bool:
        """Whether the 300% test of (F)(3)(i)(C) gives the deduction."""
        return self.deduction_c > self.deduction_a + self.deduction_b

    @property
    def total(self) -> float:
        """Every (c)(2)(iv)(F) deduction."""
        return self.reverse + self.repo


def _rows(reverse: Sequence[ReverseRepo], repos: Sequence[RepurchaseAgreement]) -> pd.DataFrame:
    rr = pd.DataFrame(
        {
            "id": [r.id for r in reverse],
            "agreement": "reverse_repo",
            "counterparty": [r.counterparty for r in reverse],
            "collateral": [r.collateral.value for r in reverse],
            "contract_price": np.array([r.contract_price for r in reverse], dtype=float),
            "market_value": np.array([r.market_value for r in reverse], dtype=float),
            "margin_held": np.array([r.margin_held for r in reverse], dtype=float),
            "calls_one_business_day": np.array(
                [r.calls_one_business_day for r in reverse], dtype=float
            ),
            "frbny": np.array([r.federal_reserve_bank_of_new_york for r in reverse], dtype=bool),
        }
    )
    rp = pd.DataFrame(
        {
            "id": [r.id for r in repos],
            "agreement": "repurchase",
            "counterparty": [r.counterparty for r in repos],
            "collateral": [r.collateral.value for r in repos],
            "contract_price": np.array([r.contract_price for r in repos], dtype=float),
            "market_value": np.array([r.market_value for r in repos], dtype=float),
            "margin_held": np.zeros(len(repos)),
            "calls_one_business_day": np.array(
                [r.calls_one_business_day for r in repos], dtype=float
            ),
            "frbny": np.array([r.federal_reserve_bank_of_new_york for r in repos], dtype=bool),
        }
    )
    frames = [f for f in (rr, rp) if len(f)]
    if not frames:
        return rr
    return pd.concat(frames, ignore_index=True)


def repo_deficits(
    reverse: Sequence[ReverseRepo],
    repos: Sequence[RepurchaseAgreement],
    on: date,
    net_capital_before_vi: float,
) -> RepoDeficits:
    """The deductions of 15c3-1(c)(2)(iv)(F) for the book's agreements.

    ``net_capital_before_vi`` is net capital before the application of (c)(2)(vi)
    (and before this (F)(3) deduction), the base of (F)(3)(i)(B) and (C).
    """
    table = load_schedule("repo_deficits", on)
    frame = _rows(reverse, repos)
    n = len(frame)
    cp = frame["contract_price"].to_numpy(dtype=float)
    mv = frame["market_value"].to_numpy(dtype=float)
    is_rr = (frame["agreement"] == "reverse_repo").to_numpy(dtype=bool)
    frbny = frame["frbny"].to_numpy(dtype=bool)
    live = ~frbny
    # (F)(1)(i), (ii): the deficit of each agreement; what it offers the others
    deficit = np.where(is_rr, np.maximum(cp - mv, 0.0), np.maximum(mv - cp, 0.0)) * live
    excess = np.where(is_rr, np.maximum(mv - cp, 0.0), np.maximum(cp - mv, 0.0)) * live
    margin = frame["margin_held"].to_numpy(dtype=float) * live
    calls = frame["calls_one_business_day"].to_numpy(dtype=float) * live
    rates = np.array(
        [
            np.nan if r else table.rate(str(c))  # keys treasury, agency_or_mortgage, other
            for c, r in zip(frame["collateral"], is_rr, strict=True)
        ],
        dtype=float,
    )
    reduction = np.zeros(n)
    parties = []
    base = max(float(net_capital_before_vi), 0.0)
    party_pct = table.rate("party_net_capital_pct")
    for party in dict.fromkeys(frame["counterparty"]):
        idx = np.flatnonzero((frame["counterparty"] == party).to_numpy(dtype=bool))
        rr_idx = idx[is_rr[idx]]
        rp_idx = idx[~is_rr[idx]]
        # (F)(2)(ii)(B): only reverse agreements' excess reduces reverse deficits
        rr_pool = float(excess[rr_idx].sum())
        # (F)(2)(ii)(A), (C), (D) and, for what is left, (F)(3)(ii)(A)-(C)
        shared = float(margin[idx].sum() + excess[rp_idx].sum() + calls[idx].sum())
        for i in rr_idx:
            take = min(deficit[i], rr_pool)
            rr_pool -= take
            more = min(deficit[i] - take, shared)
            shared -= more
            reduction[i] = take + more
        for i in rp_idx:
            take = min(deficit[i], shared)
            shared -= take
            reduction[i] = take
        parties.append((party, rr_idx, rp_idx))
    net = np.maximum(deficit - reduction, 0.0)  # float noise of the running pools
    allowance = np.where(is_rr, 0.0, np.nan_to_num(rates) * cp)
    deduction = np.where(is_rr, net, np.maximum(net - allowance, 0.0))
    rows = []
    for party, rr_idx, rp_idx in parties:
        a = float(deduction[rp_idx].sum())
        agg = float(net[rp_idx].sum())
        threshold = party_pct * base
        b = max(agg - threshold - a, 0.0)
        rows.append(
            (
                party,
                float(deficit[rr_idx].sum()),
                float(reduction[rr_idx].sum()),
                float(deduction[rr_idx].sum()),
                float(deficit[rp_idx].sum()),
                float(reduction[rp_idx].sum()),
                agg,
                a,
                threshold,
                b,
            )
        )
    party_frame = pd.DataFrame(rows, columns=list(PARTY_COLUMNS))
    total_repo = float(net[~is_rr].sum())
    c = max(total_repo - table.rate("aggregate_net_capital_multiple") * base, 0.0)
    citation = np.where(
        frbny,
        FRBNY_CITATION,
        np.where(is_rr, REVERSE_CITATION, table.citation("treasury")),
    )
    note = np.where(
        frbny,
        "counterparty is the Federal Reserve Bank of New York: deficit disregarded",
        "",
    )
    detail = pd.DataFrame(
        {
            "id": frame["id"].to_numpy(dtype=object),
            "agreement": frame["agreement"].to_numpy(dtype=object),
            "counterparty": frame["counterparty"].to_numpy(dtype=object),
            "collateral": frame["collateral"].to_numpy(dtype=object),
            "contract_price": cp,
            "market_value": mv,
            "deficit": deficit,
            "excess": excess,
            "margin_held": margin,
            "calls_one_business_day": calls,
            "reduction": reduction,
            "net_deficit": net,
            "rate": rates,
            "allowance": np.where(is_rr, np.nan, allowance),
            "deduction": deduction,
            "citation": citation.astype(object),
            "note": note.astype(object),
        },
        columns=list(REPO_DETAIL_COLUMNS),
    )
    return RepoDeficits(
        detail=detail,
        parties=party_frame,
        base=base,
        reverse=float(deduction[is_rr].sum()),
        deduction_a=float(deduction[~is_rr].sum()),
        deduction_b=float(party_frame["deduction_b"].sum()),
        deduction_c=c,
    )
