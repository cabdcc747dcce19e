"""Undue concentration: 15c3-1(c)(2)(vi)(M).

A position in one issue (money market instruments, or securities of one class
or series of an issuer) worth more than 10% of net capital before the
application of (c)(2)(vi) and Appendix A (after every other deduction,
including (c)(2)(vii), non-security crypto and Appendix B: see
`netcap.haircuts.tentative`) draws an additional deduction on the part above that 10%
(``haircut_tables/concentration.csv``):

* 50% of the percentage deduction otherwise applied to the position ((M)(1));
* 15% for securities of (J) ((M)(1), last sentence), including the part of a
  (J) position that (J)'s 25% offset leaves uncharged ((M)(2)).  Positions
  exempt under (J)(1)-(2) (the first proviso of (J)) stay outside (M): (M)(2)
  excepts "long or short position exemptions arising out of the first proviso".

Scope: exempted securities (government, agency) and redeemable investment
company shares are outside (M); so are positions outside (c)(2)(vi) (no ready
market, non-security crypto, futures, commodities).  Municipal securities are
inside it on the terms of (M)(4).

Floors ((M)(3), (M)(4)): for an issue of equity securities (``equity``,
``preferred``) only the value above the greater of $10,000 and 500 shares
(when ``quantity`` is known; otherwise $10,000) is reached; for a debt
security only the value above $25,000.  A municipal issue is reached only
when it is worth more than the greater of $500,000 ($5,000,000 for notes) and
10% of net capital before haircuts ((M)(4) words this as a condition, "only
if", where (M)(3) says "only on the market value in excess of"); once reached,
the charge falls on its value above 10% of net capital ((M)(1)).  A municipal
issue is reached only once it has been held more than 20 business days from
its receipt from the issuer (``underwritten_on``, else ``issue_date``; a
municipal position with neither is taken as held longer).  For equity and debt
the part charged is the value above the greater of the floor and 10% of net
capital before haircuts.

Underwritten securities (``underwritten_on``) are reached only after 11
business days.  Business days are counted Monday to Friday without holidays.

The issue is ``security_id`` (each position without one is its own issue); the
position in an issue is its net market value.  The "percentage deduction
otherwise provided" is each position's own rate (blended where a position is
charged in two parts, as a partly hedged (F) position is); where the rows of
one issue carry different rates, the highest applies.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from netcap.frame import BookError, RowError
from netcap.haircuts.detail import allocate
from netcap.haircuts.routing import route_in, row_label
from netcap.model import SecurityClass
from netcap.tables import Schedule

__all__ = [
    "CONCENTRATION_CITATION",
    "DEBT_CLASSES",
    "EQUITY_CLASSES",
    "FUND_CLASSES",
    "IN_SCOPE",
    "LIMITATIONS",
    "concentration_add_on",
]

CONCENTRATION_CITATION = "15c3-1(c)(2)(vi)(M)"

LIMITATIONS: dict[str, str] = {
    "15c3-1(c)(2)(vi)(M)": (
        "options written, endorsed or held on an issue belong in its (M)(1) position, but "
        "netcap leaves option rows out of the issue (Appendix A charges them alone), so a "
        "firm that writes or holds options on an issue it is concentrated in gets too small "
        "an add-on; the (M)(4) gate is tested against 10% of net capital before (c)(2)(vi) "
        "and Appendix A, which netcap takes as the tentative net capital (M)(4) names; "
        "collateral of secured demand notes (Appendix D) has no input; "
        "the (M)(5) specialist reduction has no input (specialists are not modelled, see (N))"
    ),
}
"""What netcap leaves out of (M) (paragraph -> what is missing and what netcap does)."""
IN_SCOPE = ("B1", "B2", "C", "E", "E6", "F", "G_F", "G_J", "H", "J", "K")
"""Routes (see `netcap.haircuts.routing`) whose positions (M) reaches.

``J2`` (called for redemption, (J)(2)) is not among them: (M)(2) applies (M)
"notwithstanding any long or short position exemption provided for in paragraph
(c)(2)(vi)(J) ... (except for long or short position exemptions arising out of
the first proviso to paragraph (c)(2)(vi)(J))", and (J)(1)-(2), the list after
"No deduction need be made in the case of", is that proviso."""
FUND_CLASSES = (SecurityClass.REDEEMABLE_FUND.value, SecurityClass.MONEY_MARKET_FUND.value)
"""Fund shares: outside (M) (redeemable investment company securities are excepted)."""
EQUITY_CLASSES = (SecurityClass.EQUITY.value, SecurityClass.PREFERRED.value)
"""Classes whose (M)(3) floor is the greater of $10,000 or 500 shares."""
DEBT_CLASSES = (
    SecurityClass.CANADIAN_GOVERNMENT.value,
    SecurityClass.COMMERCIAL_PAPER.value,
    SecurityClass.BANKERS_ACCEPTANCE.value,
    SecurityClass.CERTIFICATE_OF_DEPOSIT.value,
    SecurityClass.NONCONVERTIBLE_DEBT.value,
    SecurityClass.CONVERTIBLE_DEBT.value,
)
"""Classes whose (M)(3) floor is $25,000 (a debt security)."""


def _business_days(start: pd.Series, as_of: date) -> np.ndarray:
    """Weekdays from ``start`` to ``as_of`` (NaN where ``start`` is missing)."""
    out = np.full(len(start), np.nan)
    ok = start.notna().to_numpy(dtype=bool)
    if ok.any():
        begin = start[ok].to_numpy(dtype="datetime64[D]")
        end = np.datetime64(as_of, "D")
        out[ok] = np.busday_count(begin, end)
    return out


def concentration_add_on(
    frame: pd.DataFrame,
    routes: np.ndarray,
    rates: np.ndarray,
    net_capital_before_haircuts: float | None,
    as_of: date,
    schedule: Schedule,
) -> tuple[np.ndarray, pd.DataFrame]:
    """The (M) add-on of each row of ``frame`` and a worksheet by issue.

    ``rates`` is the percentage otherwise applied to each row (the detail's
    ``rate``).  ``net_capital_before_haircuts`` is the (M)(1) base: net capital
    before (c)(2)(vi) and Appendix A (`netcap.haircuts.compute_haircuts`
    passes tentative net capital less the Appendix B charges).
    """
    n = len(frame)
    add_on = np.zeros(n)
    cls_col = frame["security_class"]
    scope = route_in(routes, IN_SCOPE) & ~cls_col.isin(FUND_CLASSES).to_numpy(dtype=bool)
    empty = pd.DataFrame(
        columns=["issue", "net_value", "threshold", "excess", "rate", "add_on", "citation"]
    )
    if not scope.any():
        return add_on, empty
    if net_capital_before_haircuts is None:
        raise ValueError(
            f"{CONCENTRATION_CITATION} (undue concentration) needs net capital before "
            "(c)(2)(vi) and Appendix A: pass net_capital_before_haircuts"
        )
    ncbh = float(net_capital_before_haircuts)
    muni = (cls_col == SecurityClass.MUNICIPAL.value).to_numpy(dtype=bool)
    cls = cls_col.to_numpy(dtype=object)
    since = frame["underwritten_on"].where(
        frame["underwritten_on"].notna(), frame["issue_date"].where(muni)
    )
    bdays = _business_days(since, as_of)
    grace = np.where(
        muni,
        schedule.amount("municipal_holding_business_days"),
        schedule.amount("underwriting_business_days"),
    )
    counted = scope & ~(bdays <= grace)  # NaN (no date) counts

    idx = np.flatnonzero(counted)
    if len(idx) == 0:
        return add_on, empty
    own_id = frame["id"].to_numpy(dtype=object)[idx]
    # an issue is its security_id, else the position's own id; as objects, since a column
    # read with no security_id at all is float (NaN) and cannot take text
    security = frame["security_id"].to_numpy(dtype=object)[idx]
    issue = np.where(pd.isna(security), own_id, security)
    if pd.api.types.infer_dtype(issue, skipna=False) != "string":  # ids given as numbers
        issue = issue.astype(str).astype(object)
    group, codes = pd.factorize(issue, sort=True)  # hash-based; same order as np.unique
    codes = np.asarray(codes, dtype=object)
    ng = len(codes)
    r = routes[idx]
    first = np.full(ng, len(group))  # each issue's first row
    np.minimum.at(first, group, np.arange(len(group)))
    mixed = r != r[first[group]]
    if mixed.any():
        raise BookError(
            [
                RowError(
                    row_label(frame, int(idx[k])),
                    "security_id",
                    f"{own_id[k]!r}: issue {issue[k]!r} is charged under different "
                    "paragraphs in different rows; one issue must be described the same way",
                )
                for k in np.flatnonzero(mixed)
            ]
        )
    signed = frame["signed_value"].to_numpy(dtype=float)[idx]
    net = np.bincount(group, weights=signed, minlength=ng)
    # (M)(1) last sentence: 15% for (J) securities; (M)(2) gives the same 15% to the
    # part of a (J) issue that (J)'s 25% offset leaves uncharged, so one rate serves both
    j_rate = max(schedule.rate("j_add_on_rate"), schedule.rate("j_exempt_add_on_rate"))
    row_rate = np.where(
        np.isin(r, ["J", "G_J"]),
        j_rate,
        schedule.rate("add_on_fraction") * rates[idx],
    )
    issue_rate = np.zeros(ng)
    np.maximum.at(issue_rate, group, row_rate)

    sub_cls = cls[idx]
    qty = frame["quantity"].to_numpy(dtype=float)[idx]
    value = frame["market_value"].to_numpy(dtype=float)[idx]
    price = np.where(qty > 0, value / np.where(qty > 0, qty, 1.0), 0.0)
    issue_price = np.zeros(ng)
    np.maximum.at(issue_price, group, np.nan_to_num(price))
    note = frame["municipal_note"].to_numpy(dtype=bool)[idx]
    issue_note = np.zeros(ng, dtype=bool)
    np.logical_or.at(issue_note, group, note)
    g_cls = sub_cls[first]
    floor = np.zeros(ng)
    is_eq = np.isin(g_cls, EQUITY_CLASSES)
    floor[is_eq] = np.maximum(
        schedule.amount("equity_floor"),
        schedule.amount("equity_floor_shares") * issue_price[is_eq],
    )
    floor[np.isin(g_cls, DEBT_CLASSES)] = schedule.amount("debt_floor")
    g_muni = g_cls == SecurityClass.MUNICIPAL.value
    floor[g_muni] = np.where(
        issue_note[g_muni],
        schedule.amount("municipal_note_floor"),
        schedule.amount("municipal_bond_floor"),
    )
    ten_pct = schedule.rate("threshold") * ncbh
    threshold = np.maximum(floor, ten_pct)
    excess = np.maximum(0.0, np.abs(net) - threshold)
    # (M)(4) is a gate, not a deductible: a municipal issue above the greater of
    # its floor and 10% is charged on all of its value above 10% ((M)(1))
    excess[g_muni] = np.where(
        np.abs(net[g_muni]) > threshold[g_muni], np.abs(net[g_muni]) - ten_pct, 0.0
    )
    issue_add_on = issue_rate * excess
    same_side = np.sign(signed) == np.sign(net[group])
    add_on[idx] = allocate(issue_add_on, group, np.where(same_side, np.abs(signed), 0.0))
    sheet = pd.DataFrame(
        {
            "issue": codes,
            "net_value": net,
            "threshold": threshold,
            "excess": excess,
            "rate": issue_rate,
            "add_on": issue_add_on,
            "citation": CONCENTRATION_CITATION,
        }
    )
    return add_on, sheet[excess > 0].reset_index(drop=True)
