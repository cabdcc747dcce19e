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

How it runs: only the positions in scope are read, by their route and class
codes; each issue's net position is summed over them, and only an issue whose
net is above 10% of net capital before haircuts (below which no threshold can
be passed) is read further: its floor, rate, excess and the rows showing its
add-on.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from netcap.book.frame import BookError, RowError
from netcap.book.model import SecurityClass
from netcap.rule.haircuts.columns import TextCodes, dates_at, text_codes, values_at
from netcap.rule.haircuts.concentration_options import OptionExposure, option_exposure
from netcap.rule.haircuts.detail import allocate
from netcap.rule.haircuts.routing import ROUTES, codes_in, row_label
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


_SHEET_COLUMNS = [
    "issue",
    "net_value",
    "options_value",
    "threshold",
    "excess",
    "rate",
    "add_on",
    "citation",
]
_J_ROUTES = ("J", "G_J")


def concentration_add_on(
    frame: pd.DataFrame,
    keys: np.ndarray,
    rates: np.ndarray,
    net_capital_before_haircuts: float | None,
    as_of: date,
    schedule: Schedule,
    taken: np.ndarray | None = None,
) -> tuple[np.ndarray, pd.DataFrame]:
    """The (M) add-on of each row of ``frame`` and a worksheet by issue.

    ``keys`` is each row's route as its code (`netcap.rule.haircuts.routing.route_codes`).
    ``rates`` is the percentage otherwise applied to each row (the detail's ``rate``).
    ``net_capital_before_haircuts`` is the (M)(1) base: net capital before
    (c)(2)(vi) and Appendix A (`netcap.rule.haircuts.compute_haircuts` passes
    tentative net capital less the Appendix B charges).  Option rows (route
    ``OPT``) join the issue they are on
    (`netcap.rule.haircuts.concentration_options`).  ``taken`` marks the rows
    whose detail already carries an add-on (an Appendix A adjustment to net
    worth); the (M) add-on is shown on other rows of the issue (see `_weights`).
    """
    add_on = np.zeros(len(frame))
    cls = text_codes(frame["security_class"])
    idx = np.flatnonzero(codes_in(keys, IN_SCOPE))
    cls_idx = cls.codes[idx]
    in_scope = ~_lookup(cls, FUND_CLASSES, cls_idx)  # fund shares are outside (M)
    idx, cls_idx = idx[in_scope], cls_idx[in_scope]
    opt_rows = np.flatnonzero(keys == ROUTES.index("OPT"))
    opt = option_exposure(frame, schedule, rows=opt_rows) if len(opt_rows) else None
    if len(idx) == 0 and opt is None:
        return add_on, pd.DataFrame(columns=_SHEET_COLUMNS)
    if net_capital_before_haircuts is None:
        raise ValueError(
            f"{CONCENTRATION_CITATION} (undue concentration) needs net capital before "
            "(c)(2)(vi) and Appendix A: pass net_capital_before_haircuts"
        )
    ncbh = float(net_capital_before_haircuts)
    muni = cls_idx == cls.code(SecurityClass.MUNICIPAL.value)
    counted = _counted(frame, idx, muni, as_of, schedule)
    idx = idx[counted]
    if len(idx) == 0 and opt is None:
        return add_on, pd.DataFrame(columns=_SHEET_COLUMNS)
    issues = _Issues(frame, idx, opt)
    _refuse_mixed(frame, issues, keys[idx])
    ten_pct = schedule.rate("threshold") * ncbh
    # an issue is charged only above its threshold, which is never below 10% of net
    # capital before haircuts: the other issues draw nothing and are not read further
    # (where a rate is not a number, every issue is, to keep what it does to the add-on)
    reached = ~(np.abs(issues.net) <= ten_pct)
    if not np.isfinite(rates).all():
        reached[:] = True
    reached &= issues.first < len(issues.group)  # issues with a row here (not every category)
    chosen = np.flatnonzero(reached)
    if len(chosen) == 0:
        return add_on, _sheet(issues, chosen[:0], {})
    return add_on, _charge(frame, issues, chosen, keys, rates, schedule, ten_pct, taken, add_on)


def _lookup(cls: TextCodes, values: tuple[str, ...], codes: np.ndarray) -> np.ndarray:
    """True where the class code is one of ``values``."""
    table = np.append(np.isin(cls.uniques, values), False)  # the last slot: no class (-1)
    return np.asarray(np.take(table, codes))


def _counted(
    frame: pd.DataFrame, idx: np.ndarray, muni: np.ndarray, as_of: date, schedule: Schedule
) -> np.ndarray:
    """Which of the rows ``idx`` are past their grace period (or have no date to count from).

    Underwritten securities count from ``underwritten_on`` (11 business days);
    a municipal security (``muni``) from its receipt from the issuer,
    ``underwritten_on`` else ``issue_date`` (20 business days, (M)(4)).
    """
    # the few underwritten rows, found over the whole column and placed among ``idx``
    underwritten = np.asarray(frame["underwritten_on"].notna().to_numpy(dtype=bool))
    marked = np.flatnonzero(underwritten)
    at = np.clip(np.searchsorted(idx, marked), 0, max(len(idx) - 1, 0))
    uw = at[idx[at] == marked] if len(idx) else at[:0]
    need = muni.copy()
    need[uw] = True
    dated = np.flatnonzero(need)  # positions among ``idx``
    since = dates_at(frame["underwritten_on"], idx[dated])
    fill = np.flatnonzero(np.isnat(since))  # a municipal security not underwritten
    since[fill] = dates_at(frame["issue_date"], idx[dated[fill]])
    known = ~np.isnat(since)
    dated, since = dated[known], since[known]
    grace = np.where(
        muni[dated],
        schedule.amount("municipal_holding_business_days"),
        schedule.amount("underwriting_business_days"),
    )
    counted = np.ones(len(idx), dtype=bool)  # no date: counted
    bdays = np.busday_count(since.astype("datetime64[D]"), np.datetime64(as_of, "D"))
    counted[dated] = ~(bdays <= grace)
    return counted


class _Issues:
    """The issues of the securities in scope and of the options: codes, text, net position.

    Rows are the securities ``idx`` followed by the options.  ``group`` is each
    row's issue (an index into ``uniques``, its text); ``first`` is the first
    row of each issue (for an issue with securities, one of them).
    """

    def __init__(self, frame: pd.DataFrame, idx: np.ndarray, opt: OptionExposure | None) -> None:
        self.idx = idx
        self.opt = opt
        self.n_securities = len(idx)
        opt_issue = opt.issue if opt is not None else np.zeros(0, dtype=object)
        coded = _coded_issues(_issue_column(frame), idx, opt_issue, frame["id"])
        if coded is None:  # blanks to fill with the rows' own ids, or values not text
            group, found = pd.factorize(np.concatenate([_issue_text(frame, idx), opt_issue]))
            coded = np.asarray(group, dtype=np.int64), np.asarray(found, dtype=object)
        self.group, self.uniques = coded
        self.rows = np.concatenate([idx, opt.rows]) if opt is not None else idx
        signed = np.take(frame["signed_value"].to_numpy(dtype=float), idx)
        self.signed = np.concatenate([signed, opt.signed]) if opt is not None else signed
        ng = len(self.uniques)
        self.net = np.bincount(self.group, weights=self.signed, minlength=ng)
        self.first = np.full(ng, len(self.group))
        np.minimum.at(self.first, self.group, np.arange(len(self.group)))


def _issue_column(frame: pd.DataFrame) -> pd.Series:
    """The issue codes validation made (``issue``), else the ``security_id`` column."""
    if "issue" in frame.columns and isinstance(frame["issue"].dtype, pd.CategoricalDtype):
        return frame["issue"]
    return frame["security_id"]


def _coded_issues(
    column: pd.Series, idx: np.ndarray, opt_issue: np.ndarray, ids: pd.Series
) -> tuple[np.ndarray, np.ndarray] | None:
    """Issue codes of the rows ``idx`` and then of the options, with the issues' text.

    A categorical column gives its codes; a row without a ``security_id`` is its own
    issue, named by its id, and each option's issue is looked up among the
    categories (only those few are hashed).  Text is factorized over the rows in
    scope only.  ``None`` where an issue is not text (`_issue_text` then names it).
    """
    if isinstance(column.dtype, pd.CategoricalDtype):
        codes = np.take(column.cat.codes.to_numpy(), idx).astype(np.int64)
        categories = column.cat.categories
        text = isinstance(categories.dtype, pd.StringDtype)
        if not (text or _all_text(categories.to_numpy(dtype=object))):
            return None
        blank = np.flatnonzero(codes < 0)
        own = values_at(ids, idx[blank])  # a row without an issue is named by its id
        extra = np.concatenate([own, np.asarray(opt_issue, dtype=object)])
        if not len(extra):
            return codes, categories.to_numpy(dtype=object)
        if not _all_text(own):
            return None
        # each distinct extra issue looked up once among the categories
        extra_codes, extra_uniques = pd.factorize(extra)
        at = categories.get_indexer(pd.Index(extra_uniques, dtype=categories.dtype))[extra_codes]
        new = np.flatnonzero(at < 0)  # issues no security_id names
        more, more_text = pd.factorize(extra[new])
        at[new] = len(categories) + more
        uniques = np.concatenate(
            [categories.to_numpy(dtype=object), np.asarray(more_text, dtype=object)]
        )
        codes[blank] = at[: len(blank)]
        return np.concatenate([codes, at[len(blank) :].astype(np.int64)]), uniques
    group, found = pd.factorize(column.to_numpy(dtype=object)[idx])
    found = np.asarray(found, dtype=object)
    if (group < 0).any():
        return None
    if not isinstance(column.dtype, pd.StringDtype) and not _all_text(found):
        return None
    # the options among the few distinct issues (which keep their codes: each is new)
    opt_group, uniques = pd.factorize(np.concatenate([found, opt_issue]))
    return (
        np.concatenate([np.asarray(group, dtype=np.int64), opt_group[len(found) :]]),
        np.asarray(uniques, dtype=object),
    )


def _all_text(values: np.ndarray) -> bool:
    return pd.api.types.infer_dtype(values, skipna=False) in ("string", "empty")


def _charge(
    frame: pd.DataFrame,
    issues: _Issues,
    chosen: np.ndarray,
    keys: np.ndarray,
    rates: np.ndarray,
    schedule: Schedule,
    ten_pct: float,
    taken: np.ndarray | None,
    add_on: np.ndarray,
) -> pd.DataFrame:
    """The add-on of the issues ``chosen`` written into ``add_on``; their worksheet."""
    picked = np.zeros(len(issues.uniques), dtype=bool)
    picked[chosen] = True
    at = np.flatnonzero(np.take(picked, issues.group))  # their rows, among the issue rows
    local = np.zeros(len(issues.uniques), dtype=np.int64)
    local[chosen] = np.arange(len(chosen))
    group = local[issues.group[at]]
    ng = len(chosen)
    n_sec = issues.n_securities
    sec_rows = issues.idx[at[at < n_sec]]  # the securities come first
    opt_at = at[at >= n_sec] - n_sec
    # (M)(1) last sentence: 15% for (J) securities; (M)(2) gives the same 15% to the
    # part of a (J) issue that (J)'s 25% offset leaves uncharged, so one rate serves both
    j_rate = max(schedule.rate("j_add_on_rate"), schedule.rate("j_exempt_add_on_rate"))
    is_j = codes_in(keys[sec_rows], _J_ROUTES)
    row_rate = np.where(is_j, j_rate, schedule.rate("add_on_fraction") * rates[sec_rows])
    qty = frame["quantity"].to_numpy(dtype=float)[sec_rows]
    value = frame["market_value"].to_numpy(dtype=float)[sec_rows]
    price = np.where(qty > 0, value / np.where(qty > 0, qty, 1.0), 0.0)
    note = frame["municipal_note"].to_numpy(dtype=bool)[sec_rows]
    is_option = np.zeros(len(sec_rows), dtype=bool)
    opt = issues.opt
    if opt is not None:
        # (M)(1): "including any option written, endorsed or held" on the issue
        row_rate = np.concatenate([row_rate, opt.rate[opt_at]])
        price = np.concatenate([price, opt.price[opt_at]])
        note = np.concatenate([note, np.zeros(len(opt_at), dtype=bool)])
        is_option = np.concatenate([is_option, np.ones(len(opt_at), dtype=bool)])
    signed = issues.signed[at]
    net = issues.net[chosen]
    options_value = np.bincount(group, weights=np.where(is_option, signed, 0.0), minlength=ng)
    issue_rate = np.zeros(ng)
    np.maximum.at(issue_rate, group, row_rate)
    issue_price = np.zeros(ng)
    np.maximum.at(issue_price, group, np.nan_to_num(price))
    issue_note = np.zeros(ng, dtype=bool)
    np.logical_or.at(issue_note, group, note)
    g_cls = _first_classes(frame, issues, chosen)
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
    threshold = np.maximum(floor, ten_pct)
    excess = np.maximum(0.0, np.abs(net) - threshold)
    # (M)(4) is a gate, not a deductible: a municipal issue above the greater of
    # its floor and 10% is charged on all of its value above 10% ((M)(1))
    excess[g_muni] = np.where(
        np.abs(net[g_muni]) > threshold[g_muni], np.abs(net[g_muni]) - ten_pct, 0.0
    )
    issue_add_on = issue_rate * excess
    rows = issues.rows[at]
    free = np.ones(len(at), dtype=bool) if taken is None else ~taken[rows]
    weight = _weights(signed, net[group], group, free)
    add_on[rows] = allocate(issue_add_on, group, weight)
    hit = np.flatnonzero(excess > 0)
    return _sheet(
        issues,
        chosen[hit],
        {
            "net_value": net[hit],
            "options_value": options_value[hit],
            "threshold": threshold[hit],
            "excess": excess[hit],
            "rate": issue_rate[hit],
            "add_on": issue_add_on[hit],
        },
    )


def _first_classes(frame: pd.DataFrame, issues: _Issues, chosen: np.ndarray) -> np.ndarray:
    """The class of each chosen issue's first row (its securities before its options)."""
    first = issues.first[chosen]
    out = np.empty(len(first), dtype=object)
    sec = first < issues.n_securities
    out[sec] = np.asarray(frame["security_class"].array[issues.idx[first[sec]]], dtype=object)
    if issues.opt is not None:
        out[~sec] = issues.opt.security_class[first[~sec] - issues.n_securities]
    return out


def _sheet(issues: _Issues, chosen: np.ndarray, figures: dict[str, np.ndarray]) -> pd.DataFrame:
    """The worksheet: one row per issue charged, in the order of the issues' text."""
    text = issues.uniques[chosen]
    order = np.argsort(text, kind="stable")
    # the issue column takes the type pandas gives the issues' text
    issue = pd.Series(text[order], dtype=pd.Series(issues.uniques[:1]).dtype)
    columns = {name: figures.get(name, np.zeros(0))[order] for name in _SHEET_COLUMNS[1:-1]}
    return pd.DataFrame({"issue": issue, **columns, "citation": CONCENTRATION_CITATION})


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


def _refuse_mixed(frame: pd.DataFrame, issues: _Issues, route_of: np.ndarray) -> None:
    """Refuse an issue whose securities are charged under different paragraphs."""
    idx = issues.idx
    if len(idx) == 0:
        return
    group = issues.group[: len(idx)]
    # the securities come first, so an issue's first row is one of its securities
    mixed = route_of != route_of[issues.first[group]]
    if mixed.any():
        bad = np.flatnonzero(mixed)
        ids = frame["id"].iloc[idx[bad]].to_numpy(dtype=object)
        raise BookError(
            [
                RowError(
                    row_label(frame, int(idx[k])),
                    "security_id",
                    f"{ids[j]!r}: issue {issues.uniques[group[k]]!r} is charged under "
                    "different paragraphs in different rows; one issue must be described "
                    "the same way",
                )
                for j, k in enumerate(bad.tolist())
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
