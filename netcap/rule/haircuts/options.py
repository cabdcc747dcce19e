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

from netcap.book.frame import BookError, RowError, option_column
from netcap.book.model import Instrument, SecurityClass, Side
from netcap.rule.haircuts.columns import (
    Links,
    in_at,
    object_array,
    same_at,
    text_codes,
    values_at,
)
from netcap.rule.haircuts.detail import DetailPart, Labels, build_detail, noted_rows
from netcap.rule.haircuts.routing import ROUTES, row_label
from netcap.rule.tables import Schedule

__all__ = ["LIMITATIONS", "OptionCharges", "appendix_a_rows", "option_charges"]

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
}
"""Parts of Appendix A that netcap leaves out (paragraph -> what is missing)."""

_CLASSES = (SecurityClass.EQUITY.value, SecurityClass.OTHER_SECURITY.value)
_D_CITATION = {"D1": "15c3-1a(b)(2)(iii)(D)(1)", "D2": "15c3-1a(b)(2)(iii)(D)(2)"}
_C_CITATION = {"c3": "15c3-1a(c)(3)", "c4": "15c3-1a(c)(4)"}
_CONVERSION_KEY = {"c5": "conversion_rate", "c6": "reverse_conversion_rate"}


@dataclass(frozen=True)
class OptionCharges:
    """The charge of every option row, and what its pairs take out of the underlying rows."""

    detail: DetailPart
    """One detail row per option row, in frame order of ``rows``."""
    rows: np.ndarray
    """Frame rows of the option positions."""
    removed: np.ndarray
    """Per frame row: dollars of an underlying position taken into an option pair."""
    notes: dict[int, str]
    """Per frame row of an underlying position: what paired it."""
    pairs: pd.DataFrame
    """Worksheet: one row per recognised pair."""


@dataclass
class _Options:
    """The option rows: their facts (arrays over the options) and their charges so far."""

    frame: pd.DataFrame
    rows: np.ndarray
    ids: np.ndarray
    errors: list[RowError]
    call: np.ndarray
    short: np.ndarray
    strike: np.ndarray
    price: np.ndarray
    units: np.ndarray
    listed: np.ndarray
    expiry: np.ndarray
    under: np.ndarray
    under_codes: np.ndarray
    mv: np.ndarray

    def refuse(self, mask: np.ndarray, field: str, message: str) -> None:
        """Refuse the options of ``mask`` (a mask over the option rows)."""
        if not mask.any():
            return
        for k in np.flatnonzero(mask):
            i = int(self.rows[k])
            self.errors.append(
                RowError(row_label(self.frame, i), field, f"{self.ids[i]!r}: {message}")
            )

    def refuse_at(self, where: np.ndarray, field: str, message: str) -> None:
        """Refuse the options at positions ``where``."""
        if len(where):
            self.refuse(np.isin(np.arange(len(self.rows)), where), field, message)


@dataclass
class _Pairs:
    """The pairs recognised among the options and with their underlying positions."""

    spread_short: np.ndarray
    spread_long: np.ndarray
    late: np.ndarray
    c_rows: np.ndarray  # options paired with a cash position
    cash: np.ndarray  # frame row of that position
    cash_qty: np.ndarray
    kind: np.ndarray  # D1-D4, c3-c6 (k5/k6 the short leg of a conversion)
    conv_other: np.ndarray


@dataclass
class _Charges:
    """Per option: the charge and its citation, and the net worth adjustment of (b)(2)(ii)."""

    charge: np.ndarray
    paragraph: np.ndarray
    bucket: np.ndarray
    applied: np.ndarray
    adj: np.ndarray
    adj_par: np.ndarray
    note: np.ndarray
    gross: np.ndarray
    long_listed: np.ndarray
    unlisted_short: np.ndarray
    pv: np.ndarray
    itm: np.ndarray
    contracts: np.ndarray


def option_charges(
    frame: pd.DataFrame,
    notes: list[str] | np.ndarray,
    rate: float,
    schedule: Schedule,
    *,
    rows: np.ndarray | None = None,
    links: Links | None = None,
) -> OptionCharges:
    """Charges under 15c3-1a for the option rows of a validated frame.

    ``rate`` is the (c)(2)(vi)(J) percentage of the underlying class; ``notes``
    the notes so far of every frame row; ``rows`` the frame rows of the options
    when the caller has them (found from ``instrument`` otherwise); ``links``
    the frame's links already read (`Links`), for the ``offsets`` rows.  Raises
    `BookError` for option rows and pairings the method cannot charge.

    The steps: read the option facts; recognise spreads ((b)(2)(iii)(E)) and
    pairs with the underlying ((b)(2)(iii)(D), (c)(3)-(6)); charge unpaired
    options ((b)(2)(iii)(A)-(C), (c)(1)-(2), (c)(7)), then spreads, then pairs;
    take the paired part out of the underlying positions.
    """
    if rows is None:
        inst_all = frame["instrument"].to_numpy(dtype=object)
        rows = np.flatnonzero(inst_all == Instrument.OPTION.value)
    if links is None:
        links = Links(frame, ("offsets",), also=())
    o = _option_facts(frame, rows, links.ids)
    pairs = _pair_options(o, links)
    if o.errors:
        raise BookError(o.errors)
    c = _unpaired_charges(o, pairs, rate, schedule)
    _spread_charges(o, pairs, c)
    taken = _underlying_pair_charges(o, pairs, c, rate, schedule)
    removed, under_notes = _taken_from_underlying(o, pairs, c, taken)
    return _option_result(o, pairs, c, notes, taken, removed, under_notes)


def _at(frame: pd.DataFrame, name: str, rows: np.ndarray, dtype: type | str) -> np.ndarray:
    """Column ``name`` at ``rows`` only (an option column's blank where the frame has none)."""
    if name not in frame.columns:
        return np.asarray(option_column(frame.iloc[rows], name).to_numpy(dtype=dtype))
    return values_at(frame[name], rows, dtype)


def _codes_at(frame: pd.DataFrame, name: str, rows: np.ndarray) -> np.ndarray:
    """Codes of text column ``name`` at ``rows``: equal codes for equal values, one code
    for every missing value (a categorical's own codes, else the values factorized)."""
    col = frame[name] if name in frame.columns else None
    if col is not None and isinstance(col.dtype, pd.CategoricalDtype):
        return np.asarray(col.array.codes[rows], dtype=np.int64)
    codes, _ = pd.factorize(_at(frame, name, rows, object), use_na_sentinel=False)
    return np.asarray(codes, dtype=np.int64)


def _in_at(frame: pd.DataFrame, name: str, rows: np.ndarray, values: tuple[str, ...]) -> np.ndarray:
    """``np.isin(_at(frame, name, rows, object), values)`` (`columns.in_at`; an option
    column the frame lacks is blank)."""
    if name not in frame.columns:
        return np.isin(_at(frame, name, rows, object), values)
    return in_at(frame[name], rows, values)


def _text_at(frame: pd.DataFrame, name: str, rows: np.ndarray) -> np.ndarray:
    """Text column ``name`` at ``rows`` as objects (missing values as pandas holds them).

    A column of pandas' text held as Python strings is read from the array of
    them it keeps, taking only ``rows``; any other column as `_at` reads it.
    """
    array = frame[name].array
    if isinstance(array, pd.arrays.StringArray):
        held = np.asarray(array)  # the strings themselves, not a copy
        if held.dtype == object and held.ndim == 1:
            return np.asarray(held[rows])
    return _at(frame, name, rows, object)


def appendix_a_rows(frame: pd.DataFrame, keys: np.ndarray) -> np.ndarray:
    """Rows routed to Appendix A: the option rows, by instrument, whose route code (``keys``,
    `netcap.rule.haircuts.routing.route_codes`) is ``OPT`` (only an option is routed there)."""
    inst = text_codes(frame["instrument"])  # a categorical's own codes
    rows = np.flatnonzero(inst.codes == inst.code(Instrument.OPTION.value))
    return np.asarray(rows[keys[rows] == ROUTES.index("OPT")])


def _option_facts(frame: pd.DataFrame, rows: np.ndarray, ids: np.ndarray) -> _Options:
    """The facts of each option row; refuses classes and fields the method cannot charge."""
    o = _Options(
        frame=frame,
        rows=rows,
        ids=ids,
        errors=[],
        call=_in_at(frame, "option_type", rows, ("call",)),
        short=_in_at(frame, "side", rows, (Side.SHORT.value,)),
        strike=_at(frame, "strike", rows, float),
        price=_at(frame, "underlying_price", rows, float),
        units=_at(frame, "units", rows, float),
        listed=_at(frame, "listed", rows, bool),
        expiry=_at(frame, "expiry", rows, "datetime64[ns]"),
        under=_at(frame, "underlying", rows, object),
        under_codes=_codes_at(frame, "underlying", rows),
        mv=_at(frame, "market_value", rows, float),
    )
    o.refuse(
        ~_in_at(frame, "security_class", rows, _CLASSES),
        "security_class",
        "netcap charges options on equity and other_security underlyings only (the (J) "
        "percentage); see docs/options.md",
    )
    o.refuse(_at(frame, "limited_market", rows, bool), "limited_market", "not for an option")
    return o


def _pair_options(o: _Options, links: Links) -> _Pairs:
    """Spreads between option rows and pairs with underlying positions, from ``offsets``."""
    frame, m = o.frame, len(o.rows)
    # the options' offsets, from the frame rows that name one
    linking, named = links.rows("offsets"), links.targets("offsets")
    where = np.searchsorted(linking, o.rows)
    has = where < len(linking)
    has[has] = linking[where[has]] == o.rows[has]
    target = np.full(m, -1, dtype=np.int64)
    target[has] = named[where[has]]
    if (target[has] < 0).any():  # validation names unknown ids; keep the old failure
        raise KeyError("an option's offsets names no position")
    t_inst = _at(frame, "instrument", target[has], object)
    t_is_option = np.zeros(m, dtype=bool)
    t_is_option[has] = t_inst == Instrument.OPTION.value
    t_is_cash = np.zeros(m, dtype=bool)
    t_is_cash[has] = t_inst == Instrument.CASH.value
    o.refuse(has & ~t_is_option & ~t_is_cash, "offsets", "a futures contract is not an offset here")
    spread_short, spread_long, late, lead, partner = _spreads(o, target, t_is_option)
    c_rows = np.flatnonzero(t_is_cash)
    legs = np.concatenate([np.flatnonzero(lead), partner[lead], c_rows])
    o.refuse(np.bincount(legs, minlength=m) > 1, "offsets", "the option is in more than one pair")
    cash = target[c_rows]
    kind, conv_other = _underlying_kinds(o, c_rows, cash)
    pairs = _Pairs(
        spread_short=spread_short,
        spread_long=spread_long,
        late=late,
        c_rows=c_rows,
        cash=cash,
        cash_qty=_at(frame, "quantity", cash, float),
        kind=kind,
        conv_other=conv_other,
    )
    _check_underlying_pairs(o, pairs)
    return pairs


def _spreads(
    o: _Options, target: np.ndarray, t_is_option: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(b)(2)(iii)(E) spreads: the short and long legs, and legs that expire too early.

    Also returns each pair's lead leg (a mask) and every option's partner, to
    count the pairs an option is in.
    """
    m = len(o.rows)
    listed, under, call, short, units = o.listed, o.under, o.call, o.short, o.units
    # option legs: the partner's position among the option rows
    partner = np.full(m, -1, dtype=np.int64)
    partner[t_is_option] = _positions(o.rows, target[t_is_option])
    # a mutual link is one pair; a leg in two pairs is refused
    mutual = t_is_option.copy()
    mutual[t_is_option] = partner[partner[t_is_option]] == np.flatnonzero(t_is_option)
    lead = t_is_option & ~(mutual & (partner < np.arange(m)))
    a = np.flatnonzero(lead)
    b = partner[a]
    bad = (
        (listed[a] != listed[b])
        | (under[a] != under[b])
        | (call[a] != call[b])
        | (short[a] == short[b])
        | (units[a] != units[b])
    )
    o.refuse_at(
        a[bad],
        "offsets",
        "a spread pairs a long and a short option of the same type, underlying, listing "
        "and number of units ((b)(2)(iii)(E))",
    )
    o.refuse_at(
        a[~bad & ~listed[a]], "offsets", "15c3-1a(c) recognises no spread between unlisted options"
    )
    sa = np.where(short[a], a, b)  # short leg
    la = np.where(short[a], b, a)  # long leg
    in_time = o.expiry[la] >= o.expiry[sa]
    spread = ~bad & listed[a] & in_time
    late = np.zeros(m, dtype=bool)
    late[np.concatenate([sa, la])[np.tile(~bad & listed[a] & ~in_time, 2)]] = True
    return sa[spread], la[spread], late, lead, partner


def _positions(rows: np.ndarray, wanted: np.ndarray) -> np.ndarray:
    """Position of each of ``wanted`` in ``rows`` (distinct frame rows; -1 where absent)."""
    out = np.full(len(wanted), -1, dtype=np.int64)
    if not len(rows):
        return out
    order = np.argsort(rows, kind="stable")
    at = order[np.minimum(np.searchsorted(rows, wanted, sorter=order), len(rows) - 1)]
    hit = rows[at] == wanted
    out[hit] = at[hit]
    return out


def _underlying_kinds(
    o: _Options, c_rows: np.ndarray, cash: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The kind of each option-underlying pair: (b)(2)(iii)(D)(1)-(3), (c)(3)-(6).

    (c)(5) conversion: long underlying, long unlisted put, short unlisted call;
    (c)(6) reverse conversion: short underlying, long unlisted call, short
    unlisted put.  The long option's pair with the underlying is a leg of one
    only with the matching short option ((c)(3) or (c)(4) kind) on the same
    position and units.
    """
    cash_long = _at(o.frame, "side", cash, object) == Side.LONG.value
    opt_call, opt_short, opt_listed = o.call[c_rows], o.short[c_rows], o.listed[c_rows]
    kind = np.full(len(c_rows), "", dtype="<U3")
    kind[opt_listed & ~opt_call & ~opt_short & cash_long] = "D1"
    kind[opt_listed & opt_call & ~opt_short & ~cash_long] = "D2"
    kind[opt_listed & opt_call & opt_short & cash_long] = "D3"
    kind[opt_listed & ~opt_call & opt_short & ~cash_long] = "D4"  # not implemented
    kind[~opt_listed & opt_call & opt_short & cash_long] = "c3"
    kind[~opt_listed & ~opt_call & opt_short & ~cash_long] = "c4"
    kind[~opt_listed & ~opt_call & ~opt_short & cash_long] = "c5"
    kind[~opt_listed & opt_call & ~opt_short & ~cash_long] = "c6"
    conv_other = np.full(len(c_rows), -1, dtype=np.int64)
    units = o.units
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
    return kind, conv_other


def _check_underlying_pairs(o: _Options, p: _Pairs) -> None:
    """Refuse pairs with the underlying that no paragraph of Appendix A recognises."""
    frame, c_rows, cash, kind = o.frame, p.c_rows, p.cash, p.kind
    other_class = ~same_at(frame["security_class"], cash, o.rows[c_rows])
    cash_sid = _text_at(frame, "security_id", cash)
    other_issue = np.zeros(len(cash), dtype=bool)  # a security_id given, not the underlying
    given = np.flatnonzero(pd.notna(cash_sid))
    other_issue[given] = cash_sid[given] != o.under[c_rows[given]]

    def refuse_c(mask: np.ndarray, field: str, message: str) -> None:
        o.refuse_at(c_rows[mask], field, message)

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
    refuse_c(other_class, "offsets", "the underlying position is of another class")
    refuse_c(
        other_issue,
        "offsets",
        "the offset position's security_id differs from the option's underlying",
    )
    refuse_c(
        np.isnan(p.cash_qty),
        "offsets",
        "the underlying position needs a quantity (units) to be paired",
    )
    counted_units = np.where(np.isin(kind, ["c5", "c6"]), 0.0, o.units[c_rows])
    position = np.unique(cash, return_inverse=True)[1]
    paired_units = np.bincount(position, weights=counted_units, minlength=len(cash))[position]
    refuse_c(
        paired_units > p.cash_qty,
        "units",
        "the options paired with the underlying position cover more units than it holds",
    )


def _unpaired_charges(o: _Options, p: _Pairs, rate: float, schedule: Schedule) -> _Charges:
    """Options outside any pair: (b)(2)(iii)(A)-(C) listed, (c)(1)-(2) and (c)(7) unlisted.

    With the (b)(2)(ii)(A) time value of short listed options and the
    (c)(2)(i)(B)(2) intrinsic value of unlisted options in the adjustments.
    """
    m = len(o.rows)
    call, short, listed, units, mv = o.call, o.short, o.listed, o.units, o.mv
    value_u = units * o.price
    contracts = units / schedule.amount("contract_units")
    itm = units * np.where(
        call, np.maximum(o.price - o.strike, 0.0), np.maximum(o.strike - o.price, 0.0)
    )
    otm = units * np.where(
        call, np.maximum(o.strike - o.price, 0.0), np.maximum(o.price - o.strike, 0.0)
    )
    pv = rate * value_u
    c = _Charges(
        charge=np.zeros(m),
        paragraph=np.full(m, "", dtype=object),
        bucket=np.full(m, "", dtype=object),
        applied=np.full(m, rate),
        adj=np.zeros(m),
        adj_par=np.full(m, "", dtype=object),
        note=np.full(m, "", dtype=object),
        gross=np.zeros(m),
        long_listed=np.zeros(m, dtype=bool),
        unlisted_short=np.zeros(m),
        pv=pv,
        itm=itm,
        contracts=contracts,
    )
    _listed_short(o, c, schedule, otm)
    _listed_long(o, p, c, schedule)
    # unlisted, unpaired
    ul_min = np.where(
        call,
        schedule.amount("unlisted_short_call_min_per_contract"),
        schedule.amount("unlisted_short_put_min_per_contract"),
    )
    us = ~listed & short
    c.unlisted_short = np.maximum(pv - otm, ul_min * contracts)
    c.charge[us] = c.unlisted_short[us]
    c.paragraph[us] = _either(call[us], "15c3-1a(c)(1)", "15c3-1a(c)(2)")
    c.bucket[us] = _either(call[us], "uncovered unlisted call", "uncovered unlisted put")
    ul = ~listed & ~short
    c.charge[ul] = np.minimum(pv, itm)[ul]
    c.paragraph[ul] = "15c3-1a(c)(7)"
    c.bucket[ul] = "long unlisted option"
    # (c)(2)(i)(B)(2): an unlisted option is worth its intrinsic value
    excess = mv - itm
    c.adj[~listed] = np.where(short, -excess, excess)[~listed]
    c.adj_par[~listed] = "15c3-1a(c)"
    return c


def _either(which: np.ndarray, if_true: str, if_false: str) -> np.ndarray:
    """``np.where(which, if_true, if_false)`` as an object array of the two texts themselves
    (no text made per row)."""
    texts = np.array([if_false, if_true], dtype=object)
    out: np.ndarray = texts[which.astype(np.intp)]
    return out


def _listed_short(o: _Options, c: _Charges, schedule: Schedule, otm: np.ndarray) -> None:
    """(b)(2)(iii)(A)/(B): short listed calls and puts, uncovered; time value out ((ii)(A))."""
    call, pv = o.call, c.pv
    min_call = schedule.amount("short_call_min_per_contract")
    min_put = schedule.amount("short_put_min_per_contract")
    frac = np.where(
        call, schedule.rate("short_call_min_fraction"), schedule.rate("short_put_min_fraction")
    )
    floor = np.maximum(np.where(call, min_call, min_put) * c.contracts, frac * pv)
    uncovered = np.maximum(np.maximum(pv - otm, 0.0), floor)
    ls = o.listed & o.short
    c.charge[ls] = uncovered[ls]
    c.paragraph[ls] = _either(call[ls], "15c3-1a(b)(2)(iii)(A)", "15c3-1a(b)(2)(iii)(B)")
    c.bucket[ls] = _either(call[ls], "uncovered call", "uncovered put")
    c.adj[ls] = -np.maximum(o.mv - c.itm, 0.0)[ls]
    c.adj_par[ls] = "15c3-1a(b)(2)(ii)(A)"


def _listed_long(o: _Options, p: _Pairs, c: _Charges, schedule: Schedule) -> None:
    """(b)(2)(iii)(C): 50% of the net long market value in the series, over unpaired options."""
    m = len(o.rows)
    short, units, mv = o.short, o.units, o.mv
    in_pair = np.zeros(m, dtype=bool)
    in_pair[p.spread_short] = True
    in_pair[p.spread_long] = True
    in_pair[p.c_rows[np.isin(p.kind, ["D1", "D2", "D3"])]] = True
    ll = o.listed & ~short & ~in_pair
    long_rate = schedule.rate("long_rate")
    key = _group_codes([o.under_codes, o.call, o.strike, o.expiry])
    pool = o.listed & ~in_pair
    signed_units = np.where(pool, np.where(short, -units, units), 0.0)
    net = np.bincount(key, weights=signed_units)
    gross_long = np.bincount(key, weights=np.where(pool & ~short, units, 0.0))
    share = np.divide(
        np.maximum(net[key], 0.0),
        gross_long[key],
        out=np.zeros(m),
        where=gross_long[key] > 0,
    )
    c.gross[ll] = long_rate * mv[ll]
    c.charge[ll] = c.gross[ll] * share[ll]
    c.paragraph[ll] = "15c3-1a(b)(2)(iii)(C)"
    c.bucket[ll] = "long option"
    c.applied[ll] = long_rate
    c.note[ll & (share < 1.0)] = "netted against short options of the same series"
    c.long_listed = ll


def _group_codes(columns: list[np.ndarray]) -> np.ndarray:
    """One code per distinct combination of the columns' values (a series of options).

    A column of integers in a short range (codes, flags) is its own code less its
    least value; any other column is factorized on its own.  The codes are
    combined by arithmetic (a digit per column) and the combinations numbered
    once at the end, so no tuple of values is built or hashed.
    """
    n = len(columns[0])
    key = np.zeros(n, dtype=np.int64)
    span = 1  # the key's values lie in range(span)
    for values in columns:
        low = int(values.min()) if n and values.dtype.kind in "biu" else 0
        if n and values.dtype.kind in "biu" and int(values.max()) - low < 2**20:
            codes = np.asarray(values - low, dtype=np.int64)
            count = int(codes.max()) + 1
        else:
            codes, uniques = pd.factorize(values, use_na_sentinel=False)
            count = max(len(uniques), 1)
        if span * count >= 2**62:  # number the combinations so far before they overflow
            key, seen = pd.factorize(key)
            span = len(seen)
        key = key * count + codes
        span *= count
    return np.asarray(pd.factorize(key)[0], dtype=np.int64)


def _spread_charges(o: _Options, p: _Pairs, c: _Charges) -> None:
    """(b)(2)(iii)(E): the deduction on the short leg; market values out of net worth ((ii)(C))."""
    ss, sl, call, strike, mv = p.spread_short, p.spread_long, o.call, o.strike, o.mv
    width = o.units[ss] * np.where(call[ss], strike[sl] - strike[ss], strike[ss] - strike[sl])
    e_par = _either(call[ss], "15c3-1a(b)(2)(iii)(E)(1)", "15c3-1a(b)(2)(iii)(E)(2)")
    c.charge[ss] = np.maximum(width, 0.0)
    c.charge[sl] = 0.0
    c.paragraph[ss] = e_par
    c.paragraph[sl] = e_par
    c.bucket[ss] = _either(call[ss], "call spread", "put spread")
    c.bucket[sl] = c.bucket[ss]
    c.applied[ss] = 1.0
    c.applied[sl] = 0.0
    c.adj[ss] = -mv[ss]
    c.adj[sl] = mv[sl]
    c.adj_par[ss] = "15c3-1a(b)(2)(ii)(C)"
    c.adj_par[sl] = "15c3-1a(b)(2)(ii)(C)"
    ids, rows = o.ids, o.rows
    for leg, other in ((ss, sl), (sl, ss)):
        c.note[leg] = np.char.add("spread with ", ids[rows[other]].astype(str)).astype(object)
    c.note[p.late] = np.where(
        c.note[p.late] == "",
        "not a spread: the long option expires before the short ((b)(2)(iii)(E))",
        c.note[p.late],
    )


def _underlying_pair_charges(
    o: _Options, p: _Pairs, c: _Charges, rate: float, schedule: Schedule
) -> np.ndarray:
    """Pairs with the underlying: (b)(2)(iii)(D)(1)-(3) listed, (c)(3)-(6) unlisted.

    Returns which pairs took part of their underlying position.
    """
    c_rows, kind, contracts, pv, itm = p.c_rows, p.kind, c.contracts, c.pv, c.itm
    units = o.units
    otm = units * np.where(
        o.call, np.maximum(o.strike - o.price, 0.0), np.maximum(o.price - o.strike, 0.0)
    )
    d_min = {
        "D1": schedule.amount("long_put_long_underlying_min_per_contract"),
        "D2": schedule.amount("long_call_short_underlying_min_per_contract"),
        "D3": schedule.amount("short_call_long_underlying_min_per_contract"),
    }
    taken = np.zeros(len(c_rows), dtype=bool)
    for code in ("D1", "D2"):
        sel = kind == code
        k = c_rows[sel]
        c.charge[k] = np.maximum(
            np.minimum(pv[k], otm[k]), np.minimum(d_min[code] * contracts[k], itm[k])
        )
        c.paragraph[k] = _D_CITATION[code]
        c.bucket[k] = "long put, long underlying" if code == "D1" else "long call, short underlying"
        c.adj[k] = np.maximum(o.mv - itm, 0.0)[k]
        c.adj_par[k] = "15c3-1a(b)(2)(ii)(B)"
        taken |= sel
    sel = kind == "D3"
    k = c_rows[sel]
    c.charge[k] = np.maximum(pv[k] - itm[k], d_min["D3"] * contracts[k])
    c.paragraph[k] = "15c3-1a(b)(2)(iii)(D)(3)"
    c.bucket[k] = "short call, long underlying"
    taken |= sel
    _unlisted_pairs(o, p, c, rate, taken)
    _conversions(o, p, c, rate, schedule, taken)
    d4 = c_rows[kind == "D4"]
    c.note[d4] = "short put with short underlying: no pair of (b)(2)(iii)(D) (it has (1)-(3) only)"
    return taken


def _unlisted_pairs(o: _Options, p: _Pairs, c: _Charges, rate: float, taken: np.ndarray) -> None:
    """(c)(3)/(c)(4), with the election of (c) to charge both separately when less."""
    mv_all = o.frame["market_value"].to_numpy(dtype=float)
    share_u = o.units[p.c_rows] / p.cash_qty
    for code, label in (
        ("c3", "short call, long underlying"),
        ("c4", "short put, short underlying"),
    ):
        sel = p.kind == code
        k = p.c_rows[sel]
        pair = np.maximum(c.pv[k] - c.itm[k], 0.0)
        separate = c.unlisted_short[k] + rate * mv_all[p.cash[sel]] * share_u[sel]
        use = pair <= separate
        kk = k[use]
        c.charge[kk] = pair[use]
        c.paragraph[kk] = _C_CITATION[code]
        c.bucket[kk] = label
        c.note[k[~use]] = "charged separately: less than the paired charge (15c3-1a(c))"
        taken[np.flatnonzero(sel)[use]] = True


def _conversions(
    o: _Options, p: _Pairs, c: _Charges, rate: float, schedule: Schedule, taken: np.ndarray
) -> None:
    """(c)(5)/(c)(6): a percentage of the underlying's value on the short option's row.

    The long option's row carries none; unless, by the election of (c),
    charging the three positions separately is less.
    """
    mv_all = o.frame["market_value"].to_numpy(dtype=float)
    share_u = o.units[p.c_rows] / p.cash_qty
    value_u = o.units * o.price
    ids, rows = o.ids, o.rows
    for short_kind, code, label in (("k5", "c5", "conversion"), ("k6", "c6", "reverse conversion")):
        sel = p.kind == short_kind
        k = p.c_rows[sel]
        lng = p.c_rows[p.conv_other[sel]]
        conv_rate = schedule.rate(_CONVERSION_KEY[code])
        pair = conv_rate * value_u[k]
        separate = (
            c.unlisted_short[k]
            + np.minimum(c.pv, c.itm)[lng]
            + rate * mv_all[p.cash[sel]] * share_u[sel]
        )
        use = pair <= separate
        kk, ll_ = k[use], lng[use]
        c.charge[kk] = pair[use]
        c.charge[ll_] = 0.0
        citation = f"15c3-1a(c)({code[1]})"
        c.paragraph[kk] = citation
        c.paragraph[ll_] = citation
        c.bucket[kk] = label
        c.bucket[ll_] = label
        c.applied[kk] = conv_rate
        c.applied[ll_] = 0.0
        c.note[kk] = np.char.add(f"{label} with ", ids[rows[ll_]].astype(str)).astype(object)
        c.note[ll_] = np.char.add(f"{label} with ", ids[rows[kk]].astype(str)).astype(object)
        c.note[k[~use]] = "charged separately: less than the paired charge (15c3-1a(c))"
        c.note[lng[~use]] = "charged separately: less than the paired charge (15c3-1a(c))"
        taken[np.flatnonzero(sel)[use]] = True


def _taken_from_underlying(
    o: _Options, p: _Pairs, c: _Charges, taken: np.ndarray
) -> tuple[np.ndarray, dict[int, str]]:
    """Dollars of each underlying position taken into a pair, and a note naming its options."""
    n = len(o.frame)
    if not taken.any():
        return np.zeros(n), {}
    mv_all = o.frame["market_value"].to_numpy(dtype=float)
    share_u = o.units[p.c_rows] / p.cash_qty
    got = p.cash[taken]
    removed = np.asarray(
        np.bincount(got, weights=mv_all[got] * share_u[taken], minlength=n), dtype=float
    )
    j = p.c_rows[taken]
    ids, rows = o.ids, o.rows
    texts = [
        f"{u} units paired with option '{i}' ({par})"
        for u, i, par in zip(
            _units_texts(o.units[j]), ids[rows[j]].tolist(), c.paragraph[j].tolist(), strict=True
        )
    ]
    under_notes = _join_by_row(got, texts)
    blank = c.note[j] == ""
    named = [f"paired with '{i}'" for i in ids[got[blank]].tolist()]
    c.note[j[blank]] = object_array(named)
    return removed, under_notes


def _units_texts(units: np.ndarray) -> list[str]:
    """Each number of units as ``f"{u:g}"``, written once for each distinct number (a
    book holds a few lot sizes).  A -0.0 is equal to 0.0 but written ``-0``: with a
    zero among them every number is written on its own."""
    if (units == 0).any():
        return [f"{u:g}" for u in units.tolist()]
    codes, uniques = pd.factorize(units, use_na_sentinel=False)
    written = object_array([f"{u:g}" for u in np.asarray(uniques, dtype=float).tolist()])
    out: list[str] = written[codes].tolist()
    return out


def _option_result(
    o: _Options,
    p: _Pairs,
    c: _Charges,
    notes: list[str] | np.ndarray,
    taken: np.ndarray,
    removed: np.ndarray,
    under_notes: dict[int, str],
) -> OptionCharges:
    """The detail rows of the options (adjustments as add-ons) and the pairs worksheet."""
    ids, rows, note = o.ids, o.rows, c.note
    # an option row's own note so far comes first, joined to this one by "; "
    all_notes = np.asarray(notes, dtype=object)
    had = noted_rows(all_notes[rows])
    if len(had):
        note = note.copy()
        note[had] = object_array(
            [
                text if mine == "" else f"{text}; {mine}"
                for text, mine in zip(
                    all_notes[rows[had]].tolist(), note[had].tolist(), strict=True
                )
            ]
        )
    signed = np.where(o.short, -o.mv, o.mv)
    gross = np.where(c.long_listed, c.gross, c.charge)
    paragraph, bucket = _labels(c.paragraph), _labels(c.bucket)
    detail = build_detail(paragraph, bucket, c.applied, signed, gross, c.charge, note)
    has_adj = c.adj_par != ""
    adj_par = _labels(c.adj_par)  # "" where no adjustment
    detail = detail.replace(add_on_paragraph=adj_par, add_on_charge=np.where(has_adj, c.adj, 0.0))
    charged = np.concatenate([p.spread_short, p.c_rows[taken]])
    pairs = pd.DataFrame(
        {
            "option": ids[rows[charged]],
            "offsets": np.concatenate([ids[rows[p.spread_long]], ids[p.cash[taken]]]),
            "paragraph": c.paragraph[charged],
            "charge": c.charge[charged],
        }
    )
    return OptionCharges(detail=detail, rows=rows, removed=removed, notes=under_notes, pairs=pairs)


def _labels(texts: np.ndarray) -> Labels:
    """``Labels.of(texts)``: the same codes and names, the objects numbered first.

    The citation and bucket columns are set from a few shared texts, so they
    hold a few objects: numbering the objects by reference (integers) and then
    their few texts hashes each text once, not once a row.  Codes follow the
    first appearance of each text, as ``pd.factorize`` numbers them.
    """
    if texts.dtype != object or texts.ndim != 1 or not texts.flags.c_contiguous:
        return Labels.of(texts, len(texts))
    refs = np.frombuffer(texts.data.cast("B"), dtype=np.uintp)
    by_object, _ = pd.factorize(refs)
    # where each object first appears: its number exceeds every number before it
    before = np.maximum.accumulate(np.concatenate([[-1], by_object[:-1]]))
    objects = texts[np.flatnonzero(by_object > before)]
    by_text, names = pd.factorize(objects)
    return Labels(np.asarray(by_text[by_object], dtype=np.int64), np.asarray(names, dtype=object))


def _join_by_row(rows: np.ndarray, texts: list[str]) -> dict[int, str]:
    """The texts of each row joined with ``"; "``, in the order given, keyed by row."""
    once = dict(zip(rows.tolist(), texts, strict=True))
    if len(once) == len(rows):  # a text a row
        return once
    out: dict[int, str] = {}
    for r, text in zip(rows.tolist(), texts, strict=True):
        out[r] = f"{out[r]}; {text}" if r in out else text
    return out
