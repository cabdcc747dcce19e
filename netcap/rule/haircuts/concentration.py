"""Undue concentration: 15c3-1(c)(2)(vi)(M).

A position in one issue (money market instruments, or securities of one class
or series of an issuer) worth more than 10% of net capital before the
application of (c)(2)(vi) and Appendix A (after every other deduction,
including (c)(2)(vii), non-security crypto and Appendix B: see
`netcap.rule.haircuts.tentative`) draws an additional deduction on the part above that 10%
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

from netcap.book.frame import BookError, RowError
from netcap.book.model import SecurityClass
from netcap.rule.haircuts.concentration_options import option_exposure
from netcap.rule.haircuts.detail import allocate
from netcap.rule.haircuts.routing import route_in, row_label
from netcap.rule.tables import Schedule

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
        "the (M)(4) gate is tested against 10% of net capital before (c)(2)(vi) "
        "and Appendix A, which netcap takes as the tentative net capital (M)(4) names; "
        "collateral of secured demand notes (Appendix D) has no input; "
        "the (M)(5) specialist reduction has no input (specialists are not modelled, see (N))"
    ),
}
"""What netcap leaves out of (M) (paragraph -> what is missing and what netcap does)."""
IN_SCOPE = ("B1", "B2", "C", "E", "E6", "F", "G_F", "G_J", "H", "J", "K")
"""Routes (see `netcap.rule.haircuts.routing`) whose positions (M) reaches.

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
    taken: np.ndarray | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """The (M) add-on of each row of ``frame`` and a worksheet by issue.

    ``rates`` is the percentage otherwise applied to each row (the detail's
    ``rate``).  ``net_capital_before_haircuts`` is the (M)(1) base: net capital
    before (c)(2)(vi) and Appendix A (`netcap.rule.haircuts.compute_haircuts`
    passes tentative net capital less the Appendix B charges).  Option rows
    join the issue they are on (`netcap.rule.haircuts.concentration_options`).
    ``taken`` marks the rows whose detail already carries an add-on (an
    Appendix A adjustment to net worth); the (M) add-on is shown on other rows
    of the issue (see `_weights`).
    """
    n = len(frame)
    add_on = np.zeros(n)
    cls_col = frame["security_class"]
    scope = route_in(routes, IN_SCOPE) & ~cls_col.isin(FUND_CLASSES).to_numpy(dtype=bool)
    empty = pd.DataFrame(
        columns=[
            "issue",
            "net_value",
            "options_value",
            "threshold",
            "excess",
            "rate",
            "add_on",
            "citation",
        ]
    )
    opt = option_exposure(frame, schedule) if (routes == "OPT").any() else None
    has_opt = opt is not None and len(opt.rows) > 0
    if not scope.any() and not has_opt:
        return add_on, empty
    if net_capital_before_haircuts is None:
        raise ValueError(
            f"{CONCENTRATION_CITATION} (undue concentration) needs net capital before "
            "(c)(2)(vi) and Appendix A: pass net_capital_before_haircuts"
        )
    ncbh = float(net_capital_before_haircuts)
    muni = (cls_col == SecurityClass.MUNICIPAL.value).to_numpy(dtype=bool)
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
    if len(idx) == 0 and not has_opt:
        return add_on, empty
    issue = _issue_text(frame, idx)
    r = routes[idx]
    n_securities = len(idx)
    both = np.concatenate([issue, opt.issue]) if opt is not None and has_opt else issue
    group, codes = _sorted_codes(both)  # one coding for securities and options alike
    _refuse_mixed(frame, idx, issue, r, group[:n_securities])
    # (M)(1) last sentence: 15% for (J) securities; (M)(2) gives the same 15% to the
    # part of a (J) issue that (J)'s 25% offset leaves uncharged, so one rate serves both
    j_rate = max(schedule.rate("j_add_on_rate"), schedule.rate("j_exempt_add_on_rate"))
    row_rate = np.where(
        np.isin(r, ["J", "G_J"]),
        j_rate,
        schedule.rate("add_on_fraction") * rates[idx],
    )
    qty = frame["quantity"].to_numpy(dtype=float)[idx]
    value = frame["market_value"].to_numpy(dtype=float)[idx]
    price = np.where(qty > 0, value / np.where(qty > 0, qty, 1.0), 0.0)
    signed = frame["signed_value"].to_numpy(dtype=float)[idx]
    note = frame["municipal_note"].to_numpy(dtype=bool)[idx]
    row_cls = np.asarray(cls_col.array[idx], dtype=object)
    is_option = np.zeros(len(idx), dtype=bool)
    if opt is not None and has_opt:
        # (M)(1): "including any option written, endorsed or held" on the issue
        idx = np.concatenate([idx, opt.rows])
        row_rate = np.concatenate([row_rate, opt.rate])
        price = np.concatenate([price, opt.price])
        signed = np.concatenate([signed, opt.signed])
        note = np.concatenate([note, np.zeros(len(opt.rows), dtype=bool)])
        row_cls = np.concatenate([row_cls, opt.security_class])
        is_option = np.concatenate([is_option, np.ones(len(opt.rows), dtype=bool)])

    ng = len(codes)
    first = np.full(ng, len(group))  # each issue's first row (its securities before its options)
    np.minimum.at(first, group, np.arange(len(group)))
    net = np.bincount(group, weights=signed, minlength=ng)
    options_value = np.bincount(group, weights=np.where(is_option, signed, 0.0), minlength=ng)
    issue_rate = np.zeros(ng)
    np.maximum.at(issue_rate, group, row_rate)

    issue_price = np.zeros(ng)
    np.maximum.at(issue_price, group, np.nan_to_num(price))
    issue_note = np.zeros(ng, dtype=bool)
    np.logical_or.at(issue_note, group, note)
    g_cls = row_cls[first]
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
    free = np.ones(len(idx), dtype=bool) if taken is None else ~taken[idx]
    weight = _weights(signed, net[group], group, free)
    add_on[idx] = allocate(issue_add_on, group, weight)
    sheet = pd.DataFrame(
        {
            "issue": codes,
            "net_value": net,
            "options_value": options_value,
            "threshold": threshold,
            "excess": excess,
            "rate": issue_rate,
            "add_on": issue_add_on,
            "citation": CONCENTRATION_CITATION,
        }
    )
    return add_on, sheet[excess > 0].reset_index(drop=True)


def _issue_text(frame: pd.DataFrame, idx: np.ndarray) -> np.ndarray:
    """The issue of each row of ``idx`` as text: its ``security_id``, else its own id."""
    # as objects, since a column read with no security_id at all is float (NaN) and
    # cannot take text; only the rows without one look at their id
    column = frame["security_id"]
    issue: np.ndarray = np.asarray(column.to_numpy(dtype=object)[idx])
    missing = pd.isna(issue)
    text = isinstance(column.dtype, pd.StringDtype)  # every value present is text
    if missing.any():
        own = frame["id"].iloc[idx[missing]].to_numpy(dtype=object)
        text = text and all(isinstance(v, str) for v in own.tolist())
        issue[missing] = own
    if not text:
        issue = np.array([str(v) for v in issue.tolist()], dtype=object)
    return issue


def _sorted_codes(issue: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's issue code and the issues, in text order (as `np.unique` gives them)."""
    group, uniques = pd.factorize(issue)  # hash-based; then only the distinct texts sorted
    uniques = np.asarray(uniques, dtype=object)
    order = np.argsort(uniques, kind="stable")
    rank = np.empty(len(order), dtype=np.intp)
    rank[order] = np.arange(len(order))
    return rank[group], uniques[order]


def _refuse_mixed(
    frame: pd.DataFrame, idx: np.ndarray, issue: np.ndarray, r: np.ndarray, group: np.ndarray
) -> None:
    """Refuse an issue whose securities are charged under different paragraphs."""
    if len(idx) == 0:
        return
    ids = frame["id"].iloc[idx].to_numpy(dtype=object)
    first = np.full(group.max() + 1, len(group))
    np.minimum.at(first, group, np.arange(len(group)))
    mixed = r != r[first[group]]
    if mixed.any():
        raise BookError(
            [
                RowError(
                    row_label(frame, int(idx[k])),
                    "security_id",
                    f"{ids[k]!r}: issue {issue[k]!r} is charged under different "
                    "paragraphs in different rows; one issue must be described the same way",
                )
                for k in np.flatnonzero(mixed)
            ]
        )


def _weights(
    signed: np.ndarray, net: np.ndarray, group: np.ndarray, free: np.ndarray
) -> np.ndarray:
    """The share of its issue's add-on each row shows (a presentation device).

    The rows on the side of the issue's net position, in proportion to their
    value (an option's value being that of the securities it covers), among
    the rows whose add-on column is free.  Where no row on that side is free
    (written calls carrying their 15c3-1a(b)(2)(ii)(A) adjustment, say), any
    free row of the issue shows it.  An issue with no free row (only written
    options, each with its adjustment) shows it on the rows of its side, and
    `netcap.rule.haircuts.concentration_options.make_room` moves their adjustments.
    """
    size = np.abs(signed)
    same = (np.sign(signed) == np.sign(net)) & free
    ng = int(group.max()) + 1 if len(group) else 0
    has_same = np.bincount(group, weights=(same & (size > 0)).astype(float), minlength=ng) > 0
    has_free = np.bincount(group, weights=free.astype(float), minlength=ng) > 0
    weight = np.where(same, size, 0.0)
    other = ~has_same[group] & has_free[group]
    weight[other] = np.where(free[other], np.maximum(size[other], 1.0), 0.0)
    stuck = ~has_free[group]
    weight[stuck] = np.where(np.sign(signed) == np.sign(net), size, 0.0)[stuck]
    return weight
