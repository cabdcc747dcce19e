"""Options, Appendix A (15c3-1a): the alternative strategy based method and unlisted options.

A firm without a theoretical pricing model approved by its examining authority
charges listed options under 15c3-1a(b)(2) and unlisted options under
15c3-1a(c).  Every option row carries ``option_type``, ``strike``,
``underlying_price`` (per unit), ``units`` (units of the underlying covered,
contracts x 100), ``expiry``, ``underlying`` and ``listed``; its
``security_class`` is the class of the underlying, whose (c)(2)(vi) percentage
``p`` the paragraphs apply (``p`` = 15% under (J) for equity and other
securities).  With ``V = units x underlying_price``, ``c = units / 100``
(contracts for 100 shares), ``itm`` the in-the-money amount and ``otm`` the
out-of-the-money amount over all units (15c3-1a(b)(2)(i)):

==================== ===================================================================
(b)(2)(iii)(A)/(B)   short listed call / put, unpaired:
                     ``max(max(p V - otm, 0), 250 c, 50% p V)``
(b)(2)(iii)(C)       long listed options: 50% of the market value of the net long
                     position in the same series (same underlying, type, strike, expiry)
(b)(2)(iii)(D)(1)/(2) long put with long underlying / long call with short underlying:
                     ``max(min(p V, otm), min(25 c, itm))``
(b)(2)(iii)(D)(3)    short call with long underlying: ``max(p V - itm, 25 c)``
(b)(2)(iii)(E)(1)/(2) call / put spread, long leg expiring on or after the short leg:
                     ``units x`` the excess of the long call's strike over the short's
                     (puts: the short's over the long's), on the short leg
(c)(1)/(2)           short unlisted call / put: ``max(p V - otm, 250 c)``
(c)(3)/(4)           short unlisted call with long underlying / put with short underlying:
                     ``max(p V - itm, 0)``, unless charging both positions separately is
                     less (the election of (c))
(c)(5)/(c)(6)        conversion (long underlying, long unlisted put, short unlisted call) /
                     reverse conversion (short underlying, long unlisted call, short
                     unlisted put): 5% of ``V`` on the short option, none on the long
                     one, unless charging the three separately is less (the election
                     of (c)); "or 50 percent of such other percentage" does not arise,
                     the underlyings netcap takes being (J) securities
(c)(7)               long unlisted option: ``min(p V, itm)``
==================== ===================================================================

The adjustments to net worth of (b)(2)(ii) go in the detail's ``add_on_*``
columns under their own citation (positive deducts, negative adds back):
``-time value`` of every short listed option outside a spread ((ii)(A)),
``+time value`` of a long option in a (D) pair ((ii)(B)), and for spread legs
``+market value`` of the long leg and ``-market value`` of the short leg
((ii)(C)).  An unlisted option is valued at its intrinsic value
(15c3-1(c)(2)(i)(B)(2)): ``market value - itm`` is deducted for a long and added
back for a short, under ``15c3-1a(c)``.

Pairing is explicit: an option's ``offsets`` names the underlying position or the
other leg of a spread.  The underlying position's paired part (``units`` of its
``quantity``) leaves its (c)(2)(vi) computation: the pair's charge on the option
row replaces it, since (b)(2)(iii) and (c) prescribe the deduction for the
positions in the underlying as well as for the option.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from netcap.frame import BookError, RowError, option_column
from netcap.haircuts.columns import rows_of
from netcap.haircuts.detail import build_detail
from netcap.haircuts.routing import row_label
from netcap.model import Instrument, SecurityClass, Side
from netcap.tables import Schedule

__all__ = ["LIMITATIONS", "OptionCharges", "option_charges"]

LIMITATIONS: dict[str, str] = {
    "15c3-1a(b)(1)": "the theoretical pricing method needs a model approved by the examining "
    "authority and its vendor data; netcap implements the strategy based method of (b)(2) only",
    "15c3-1a(b)(2)(iii)(D)(4)": "the current text of (b)(2)(iii)(D) has three pairs only "
    "((1) long put with long underlying, (2) long call with short underlying, (3) short call "
    "with long underlying; (E)(1) follows (3)), so there is no (D)(4) to implement: a listed "
    "short put with a short underlying position is charged as an uncovered put under (B) "
    "and the short position under (c)(2)(vi), as the text leaves it (the unlisted pair is "
    "(c)(4), which netcap implements)",
    "15c3-1a(b)(2)(iii)": "related instruments (futures, options on futures, swaps) and product "
    "groups are not recognised as offsets; options on underlyings other than equity and "
    "other_security ((J)) are refused",
    "15c3-1(c)(2)(vi)(M)": "(M)(1) counts 'any option written, endorsed or held to purchase or "
    "sell securities of such a single class or series of an issuer' in the issue's position; "
    "netcap leaves option rows out of the issue, so a firm concentrated in an issue on which "
    "it also writes or holds options gets an (M) add-on on its securities only",
}
"""Parts of Appendix A that netcap leaves out (paragraph -> what is missing)."""

_CLASSES = (SecurityClass.EQUITY.value, SecurityClass.OTHER_SECURITY.value)
_D_CITATION = {"D1": "15c3-1a(b)(2)(iii)(D)(1)", "D2": "15c3-1a(b)(2)(iii)(D)(2)"}
_C_CITATION = {"c3": "15c3-1a(c)(3)", "c4": "15c3-1a(c)(4)"}
_CONVERSION_KEY = {"c5": "conversion_rate", "c6": "reverse_conversion_rate"}


@dataclass(frozen=True)
class OptionCharges:
    """The charge of every option row, and what its pairs take out of the underlying rows."""

    detail: pd.DataFrame
    """One detail row per option row, in frame order of ``rows``."""
    rows: np.ndarray
    """Frame rows of the option positions."""
    removed: np.ndarray
    """Per frame row: dollars of an underlying position taken into an option pair."""
    notes: dict[int, str]
    """Per frame row of an underlying position: what paired it."""
    pairs: pd.DataFrame
    """Worksheet: one row per recognised pair."""


def option_charges(
    frame: pd.DataFrame,
    notes: list[str] | np.ndarray,
    rate: float,
    schedule: Schedule,
    *,
    rows: np.ndarray | None = None,
) -> OptionCharges:
    """Charges under 15c3-1a for the option rows of a validated frame.

    ``rate`` is the (c)(2)(vi)(J) percentage of the underlying class; ``notes``
    the notes so far of every frame row; ``rows`` the frame rows of the options
    when the caller has them (found from ``instrument`` otherwise).  Raises
    `BookError` for option rows and pairings the method cannot charge.
    """
    n = len(frame)
    if rows is None:
        inst_all = frame["instrument"].to_numpy(dtype=object)
        rows = np.flatnonzero(inst_all == Instrument.OPTION.value)
    ids = frame["id"].to_numpy(dtype=object)
    errors: list[RowError] = []

    def refuse(mask: np.ndarray, field: str, message: str) -> None:
        for k in np.flatnonzero(mask):
            i = int(rows[k])
            errors.append(RowError(row_label(frame, i), field, f"{ids[i]!r}: {message}"))

    o = frame.iloc[rows]
    m = len(rows)
    cls = o["security_class"].to_numpy(dtype=object)
    refuse(
        ~np.isin(cls, _CLASSES),
        "security_class",
        "netcap charges options on equity and other_security underlyings only (the (J) "
        "percentage); see docs/options.md",
    )
    refuse(o["limited_market"].to_numpy(dtype=bool), "limited_market", "not for an option")
    call = option_column(o, "option_type").to_numpy(dtype=object) == "call"
    short = o["side"].to_numpy(dtype=object) == Side.SHORT.value
    strike = option_column(o, "strike").to_numpy(dtype=float)
    price = option_column(o, "underlying_price").to_numpy(dtype=float)
    units = option_column(o, "units").to_numpy(dtype=float)
    listed = option_column(o, "listed").to_numpy(dtype=bool)
    expiry = option_column(o, "expiry").to_numpy(dtype="datetime64[ns]")
    under = option_column(o, "underlying").to_numpy(dtype=object)
    mv = o["market_value"].to_numpy(dtype=float)

    # --- pairing --------------------------------------------------------------------
    link = option_column(o, "offsets").to_numpy(dtype=object)
    has = pd.notna(link)
    target = np.full(m, -1, dtype=np.int64)
    target[has] = rows_of(ids, link[has])
    if (target[has] < 0).any():  # validation names unknown ids; keep the old failure
        raise KeyError("an option's offsets names no position")
    inst_col = frame["instrument"]
    t_inst = inst_col.iloc[target[has]].to_numpy(dtype=object)
    t_is_option = np.zeros(m, dtype=bool)
    t_is_option[has] = t_inst == Instrument.OPTION.value
    t_is_cash = np.zeros(m, dtype=bool)
    t_is_cash[has] = t_inst == Instrument.CASH.value
    refuse(has & ~t_is_option & ~t_is_cash, "offsets", "a futures contract is not an offset here")

    # option legs: the partner's position among the option rows
    where = np.full(n, -1, dtype=np.int64)
    where[rows] = np.arange(m)
    partner = np.full(m, -1, dtype=np.int64)
    partner[t_is_option] = where[target[t_is_option]]
    # a mutual link is one pair; a leg in two pairs is refused
    mutual = t_is_option.copy()
    mutual[t_is_option] = partner[partner[t_is_option]] == np.flatnonzero(t_is_option)
    lead = t_is_option & ~(mutual & (partner < np.arange(m)))
    legs = np.concatenate([np.flatnonzero(lead), partner[lead], np.flatnonzero(t_is_cash)])
    count = np.bincount(legs, minlength=m)
    refuse(count > 1, "offsets", "the option is in more than one pair")
    a = np.flatnonzero(lead)
    b = partner[a]
    bad = (
        (listed[a] != listed[b])
        | (under[a] != under[b])
        | (call[a] != call[b])
        | (short[a] == short[b])
        | (units[a] != units[b])
    )
    refuse(
        np.isin(np.arange(m), a[bad]),
        "offsets",
        "a spread pairs a long and a short option of the same type, underlying, listing "
        "and number of units ((b)(2)(iii)(E))",
    )
    refuse(
        np.isin(np.arange(m), a[~bad & ~listed[a]]),
        "offsets",
        "15c3-1a(c) recognises no spread between unlisted options",
    )
    sa = np.where(short[a], a, b)  # short leg
    la = np.where(short[a], b, a)  # long leg
    in_time = expiry[la] >= expiry[sa]
    spread = ~bad & listed[a] & in_time
    spread_short = sa[spread]
    spread_long = la[spread]
    late = np.zeros(m, dtype=bool)
    late[np.concatenate([sa, la])[np.tile(~bad & listed[a] & ~in_time, 2)]] = True

    # underlying pairs
    c_rows = np.flatnonzero(t_is_cash)
    cash = target[c_rows]
    cash_long = frame["side"].iloc[cash].to_numpy(dtype=object) == Side.LONG.value
    cash_qty = frame["quantity"].iloc[cash].to_numpy(dtype=float)
    cash_cls = frame["security_class"].iloc[cash].to_numpy(dtype=object)
    cash_sid = frame["security_id"].iloc[cash].to_numpy(dtype=object)
    opt_call, opt_short, opt_listed = call[c_rows], short[c_rows], listed[c_rows]
    kind = np.full(len(c_rows), "", dtype="<U3")
    kind[opt_listed & ~opt_call & ~opt_short & cash_long] = "D1"
    kind[opt_listed & opt_call & ~opt_short & ~cash_long] = "D2"
    kind[opt_listed & opt_call & opt_short & cash_long] = "D3"
    kind[opt_listed & ~opt_call & opt_short & ~cash_long] = "D4"  # not implemented
    kind[~opt_listed & opt_call & opt_short & cash_long] = "c3"
    kind[~opt_listed & ~opt_call & opt_short & ~cash_long] = "c4"
    # (c)(5) conversion: long underlying, long unlisted put, short unlisted call;
    # (c)(6) reverse conversion: short underlying, long unlisted call, short unlisted put.
    # The long option's pair with the underlying is a leg of one only with the matching
    # short option ((c)(3) or (c)(4) kind) on the same position and units.
    kind[~opt_listed & ~opt_call & ~opt_short & cash_long] = "c5"
    kind[~opt_listed & opt_call & ~opt_short & ~cash_long] = "c6"
    conv_other = np.full(len(c_rows), -1, dtype=np.int64)
    for leg, short_kind, mark in (("c5", "c3", "k5"), ("c6", "c4", "k6")):
        free = np.flatnonzero(kind == short_kind)
        for i in np.flatnonzero(kind == leg):
            hit = free[(cash[free] == cash[i]) & (units[c_rows[free]] == units[c_rows[i]])]
            if len(hit):
                conv_other[i], conv_other[hit[0]] = hit[0], i
                kind[hit[0]] = mark
                free = free[free != hit[0]]
            else:
                kind[i] = "x" + leg[1]

    def refuse_c(mask: np.ndarray, field: str, message: str) -> None:
        refuse(np.isin(np.arange(m), c_rows[mask]), field, message)

    refuse_c(
        kind == "",
        "offsets",
        "not an offsetting strategy: a listed option pairs as long put/long underlying, "
        "long call/short underlying or short call/long underlying ((b)(2)(iii)(D)); an "
        "unlisted one as short call/long underlying or short put/short underlying ((c)(3)-(4))",
    )
    refuse_c(
        kind == "x5",
        "offsets",
        "a long unlisted put paired with a long underlying position is a conversion "
        "(15c3-1a(c)(5)) only with a short unlisted call on the same position and units",
    )
    refuse_c(
        kind == "x6",
        "offsets",
        "a long unlisted call paired with a short underlying position is a reverse "
        "conversion (15c3-1a(c)(6)) only with a short unlisted put on the same position "
        "and units",
    )
    refuse_c(cash_cls != cls[c_rows], "offsets", "the underlying position is of another class")
    refuse_c(
        pd.notna(cash_sid) & (cash_sid != under[c_rows]),
        "offsets",
        "the offset position's security_id differs from the option's underlying",
    )
    refuse_c(
        np.isnan(cash_qty),
        "offsets",
        "the underlying position needs a quantity (units) to be paired",
    )
    counted_units = np.where(np.isin(kind, ["c5", "c6"]), 0.0, units[c_rows])
    paired_units = np.bincount(
        np.searchsorted(np.unique(cash), cash), weights=counted_units, minlength=len(cash)
    )[np.searchsorted(np.unique(cash), cash)]
    refuse_c(
        paired_units > cash_qty,
        "units",
        "the options paired with the underlying position cover more units than it holds",
    )
    if errors:
        raise BookError(errors)

    # --- amounts --------------------------------------------------------------------
    value_u = units * price
    contracts = units / schedule.amount("contract_units")
    itm = units * np.where(call, np.maximum(price - strike, 0.0), np.maximum(strike - price, 0.0))
    otm = units * np.where(call, np.maximum(strike - price, 0.0), np.maximum(price - strike, 0.0))
    time_value = np.maximum(mv - itm, 0.0)
    pv = rate * value_u
    charge = np.zeros(m)
    paragraph = np.full(m, "", dtype=object)
    bucket = np.full(m, "", dtype=object)
    applied = np.full(m, rate)
    adj = np.zeros(m)
    adj_par = np.full(m, "", dtype=object)
    note = np.full(m, "", dtype=object)

    # listed, unpaired (and anything not recognised as a pair below)
    min_call = schedule.amount("short_call_min_per_contract")
    min_put = schedule.amount("short_put_min_per_contract")
    frac = np.where(
        call, schedule.rate("short_call_min_fraction"), schedule.rate("short_put_min_fraction")
    )
    floor = np.maximum(np.where(call, min_call, min_put) * contracts, frac * pv)
    uncovered = np.maximum(np.maximum(pv - otm, 0.0), floor)
    ls = listed & short
    charge[ls] = uncovered[ls]
    paragraph[ls] = np.where(call[ls], "15c3-1a(b)(2)(iii)(A)", "15c3-1a(b)(2)(iii)(B)")
    bucket[ls] = np.where(call[ls], "uncovered call", "uncovered put")
    adj[ls] = -time_value[ls]
    adj_par[ls] = "15c3-1a(b)(2)(ii)(A)"

    # long listed: 50% of the net long market value in the series, over unpaired options
    in_pair = np.zeros(m, dtype=bool)
    in_pair[spread_short] = True
    in_pair[spread_long] = True
    in_pair[c_rows[np.isin(kind, ["D1", "D2", "D3"])]] = True
    ll = listed & ~short & ~in_pair
    long_rate = schedule.rate("long_rate")
    key = pd.MultiIndex.from_arrays([under, call, strike, expiry]).factorize()[0]
    pool = listed & ~in_pair
    signed_units = np.where(pool, np.where(short, -units, units), 0.0)
    net = np.bincount(key, weights=signed_units)
    gross_long = np.bincount(key, weights=np.where(pool & ~short, units, 0.0))
    share = np.divide(
        np.maximum(net[key], 0.0),
        gross_long[key],
        out=np.zeros(m),
        where=gross_long[key] > 0,
    )
    gross = np.zeros(m)
    gross[ll] = long_rate * mv[ll]
    charge[ll] = gross[ll] * share[ll]
    paragraph[ll] = "15c3-1a(b)(2)(iii)(C)"
    bucket[ll] = "long option"
    applied[ll] = long_rate
    netted = ll & (share < 1.0)
    note[netted] = "netted against short options of the same series"

    # unlisted, unpaired
    ul_min = np.where(
        call,
        schedule.amount("unlisted_short_call_min_per_contract"),
        schedule.amount("unlisted_short_put_min_per_contract"),
    )
    us = ~listed & short
    unlisted_short = np.maximum(pv - otm, ul_min * contracts)
    charge[us] = unlisted_short[us]
    paragraph[us] = np.where(call[us], "15c3-1a(c)(1)", "15c3-1a(c)(2)")
    bucket[us] = np.where(call[us], "uncovered unlisted call", "uncovered unlisted put")
    ul = ~listed & ~short
    charge[ul] = np.minimum(pv, itm)[ul]
    paragraph[ul] = "15c3-1a(c)(7)"
    bucket[ul] = "long unlisted option"
    # (c)(2)(i)(B)(2): an unlisted option is worth its intrinsic value
    excess = mv - itm
    adj[~listed] = np.where(short, -excess, excess)[~listed]
    adj_par[~listed] = "15c3-1a(c)"

    # spreads (E): the deduction on the short leg, the market values out of net worth
    width = units[spread_short] * np.where(
        call[spread_short],
        strike[spread_long] - strike[spread_short],
        strike[spread_short] - strike[spread_long],
    )
    e_par = np.where(call[spread_short], "15c3-1a(b)(2)(iii)(E)(1)", "15c3-1a(b)(2)(iii)(E)(2)")
    charge[spread_short] = np.maximum(width, 0.0)
    charge[spread_long] = 0.0
    paragraph[spread_short] = e_par
    paragraph[spread_long] = e_par
    bucket[spread_short] = np.where(call[spread_short], "call spread", "put spread")
    bucket[spread_long] = bucket[spread_short]
    applied[spread_short] = 1.0
    applied[spread_long] = 0.0
    adj[spread_short] = -mv[spread_short]
    adj[spread_long] = mv[spread_long]
    adj_par[spread_short] = "15c3-1a(b)(2)(ii)(C)"
    adj_par[spread_long] = "15c3-1a(b)(2)(ii)(C)"
    for leg, other in ((spread_short, spread_long), (spread_long, spread_short)):
        note[leg] = np.char.add("spread with ", ids[rows[other]].astype(str)).astype(object)
    note[late] = np.where(
        note[late] == "",
        "not a spread: the long option expires before the short ((b)(2)(iii)(E))",
        note[late],
    )

    # pairs with the underlying
    removed = np.zeros(n)
    under_notes: dict[int, str] = {}
    d_min = {
        "D1": schedule.amount("long_put_long_underlying_min_per_contract"),
        "D2": schedule.amount("long_call_short_underlying_min_per_contract"),
        "D3": schedule.amount("short_call_long_underlying_min_per_contract"),
    }
    mv_all = frame["market_value"].to_numpy(dtype=float)  # a view, not a copy
    share_u = units[c_rows] / cash_qty
    taken = np.zeros(len(c_rows), dtype=bool)
    for code in ("D1", "D2"):
        sel = kind == code
        k = c_rows[sel]
        charge[k] = np.maximum(
            np.minimum(pv[k], otm[k]), np.minimum(d_min[code] * contracts[k], itm[k])
        )
        paragraph[k] = _D_CITATION[code]
        bucket[k] = "long put, long underlying" if code == "D1" else "long call, short underlying"
        adj[k] = time_value[k]
        adj_par[k] = "15c3-1a(b)(2)(ii)(B)"
        taken |= sel
    sel = kind == "D3"
    k = c_rows[sel]
    charge[k] = np.maximum(pv[k] - itm[k], d_min["D3"] * contracts[k])
    paragraph[k] = "15c3-1a(b)(2)(iii)(D)(3)"
    bucket[k] = "short call, long underlying"
    taken |= sel
    # unlisted pairs, with the election of (c) to charge both separately when less
    for code, label in (
        ("c3", "short call, long underlying"),
        ("c4", "short put, short underlying"),
    ):
        sel = kind == code
        k = c_rows[sel]
        pair = np.maximum(pv[k] - itm[k], 0.0)
        separate = unlisted_short[k] + rate * mv_all[cash[sel]] * share_u[sel]
        use = pair <= separate
        kk = k[use]
        charge[kk] = pair[use]
        paragraph[kk] = _C_CITATION[code]
        bucket[kk] = label
        note[k[~use]] = "charged separately: less than the paired charge (15c3-1a(c))"
        taken[np.flatnonzero(sel)[use]] = True
    # (c)(5)/(c)(6): a percentage of the underlying's market value on the short option's
    # row, the long option's row carrying none; unless, by the election of (c), charging
    # the three positions separately is less
    for short_kind, code, label in (("k5", "c5", "conversion"), ("k6", "c6", "reverse conversion")):
        sel = kind == short_kind
        k = c_rows[sel]
        lng = c_rows[conv_other[sel]]
        conv_rate = schedule.rate(_CONVERSION_KEY[code])
        pair = conv_rate * value_u[k]
        separate = (
            unlisted_short[k] + np.minimum(pv, itm)[lng] + rate * mv_all[cash[sel]] * share_u[sel]
        )
        use = pair <= separate
        kk, ll_ = k[use], lng[use]
        charge[kk] = pair[use]
        charge[ll_] = 0.0
        citation = f"15c3-1a(c)({code[1]})"
        paragraph[kk] = citation
        paragraph[ll_] = citation
        bucket[kk] = label
        bucket[ll_] = label
        applied[kk] = conv_rate
        applied[ll_] = 0.0
        note[kk] = np.char.add(f"{label} with ", ids[rows[ll_]].astype(str)).astype(object)
        note[ll_] = np.char.add(f"{label} with ", ids[rows[kk]].astype(str)).astype(object)
        note[k[~use]] = "charged separately: less than the paired charge (15c3-1a(c))"
        note[lng[~use]] = "charged separately: less than the paired charge (15c3-1a(c))"
        taken[np.flatnonzero(sel)[use]] = True
    d4 = c_rows[kind == "D4"]
    note[d4] = "short put with short underlying: no pair of (b)(2)(iii)(D) (it has (1)-(3) only)"

    if taken.any():
        got = cash[taken]
        removed += np.bincount(got, weights=mv_all[got] * share_u[taken], minlength=n)
        j = c_rows[taken]
        texts = (
            pd.Series(np.char.mod("%g", units[j]), dtype=object)
            + " units paired with option '"
            + ids[rows[j]].astype(str)
            + "' ("
            + paragraph[j].astype(str)
            + ")"
        )
        under_notes = _join_by_row(got, texts.astype(str).tolist())
        blank = note[j] == ""
        note[j[blank]] = "paired with '" + ids[got[blank]].astype(str).astype(object) + "'"

    own = np.asarray(notes, dtype=object)[rows]
    note = np.where(own == "", note, np.where(note == "", own, own + "; " + note))
    signed = np.where(short, -mv, mv)
    gross = np.where(ll, gross, charge)
    detail = build_detail(ids[rows], paragraph, bucket, applied, signed, gross, charge, note)
    has_adj = adj_par != ""
    detail["add_on_paragraph"] = np.where(has_adj, adj_par, "")
    detail["add_on_charge"] = np.where(has_adj, adj, 0.0)
    pairs = pd.DataFrame(
        {
            "option": ids[rows[np.concatenate([spread_short, c_rows[taken]])]],
            "offsets": np.concatenate([ids[rows[spread_long]], ids[cash[taken]]]),
            "paragraph": paragraph[np.concatenate([spread_short, c_rows[taken]])],
            "charge": charge[np.concatenate([spread_short, c_rows[taken]])],
        }
    )
    return OptionCharges(detail=detail, rows=rows, removed=removed, notes=under_notes, pairs=pairs)


def _join_by_row(rows: np.ndarray, texts: list[str]) -> dict[int, str]:
    """The texts of each row joined with ``"; "``, in the order given, keyed by row."""
    out: dict[int, str] = {}
    for r, text in zip(rows.tolist(), texts, strict=True):
        out[r] = f"{out[r]}; {text}" if r in out else text
    return out
