"""Which paragraph charges each position: the routing of 15c3-1(c)(2)(vi)-(vii) and Appendix B.

A position's security class and its facts (default, creditworthiness, issue
date, principal amount, market makers, ...) decide its paragraph.  Where they
do not decide it, the position is refused with a `BookError`
naming the row and the missing field; nothing is guessed.

The routes:

========== ==================================================================
``A``      government and agency securities and their futures, (vi)(A)
``C``      Canadian government debt, (vi)(C)
``B1``     short-term municipal securities, (vi)(B)(1)
``B2``     other municipal securities, (vi)(B)(2)
``D1``     money market funds (Rule 2a-7), (vi)(D)(1)
``D2``     funds holding (A)-(C) or (E) assets, (vi)(D)(2)
``D3``     funds holding (A)-(C), (E) and (F) assets, (vi)(D)(3)
``E``      commercial paper, bankers' acceptances, CDs under 1 year, (vi)(E)(1)-(5)
``E6``     bank CDs and acceptances of 1 year or more, (vi)(E)(6)
``F``      nonconvertible debt, (vi)(F)
``G_F``    convertible debt below its principal amount, charged under (F), (vi)(G)
``G_J``    convertible debt at or above its principal amount, charged under (J), (vi)(G)
``H``      cumulative nonconvertible preferred stock, (vi)(H)
``J``      all other securities, (vi)(J)
``J2``     exempt under (J)'s proviso: called for redemption and redeemable within 90
           days, (vi)(J)(2), or converting within 90 days into a security held short,
           (vi)(J)(1): no charge
``K``      limited market, one or two market makers, (vi)(K)(ii)
``VII``    no ready market or not publicly saleable, (vii)
``CRYPTO`` non-security crypto asset, (c)(2)(iv)
``FUT``    futures contracts other than on government securities, Appendix B (a)(3)(xiv)
``COMMOD`` commodity inventory, Appendix B (a)(3)(ix)
``OPT``    options, Appendix A (15c3-1a)
========== ==================================================================

A security of an (E), (F) or (H) class whose creditworthiness assessment under
(I) is negative (``minimal_credit_risk=False``), or that is traded flat, in
default or (preferred) in arrears, is not in any of the percentage categories
(A)-(H) and so falls to (J).

How it runs: the class of a cash position with a ready market alone decides
its route for most classes; options, futures and positions without a ready
market are routed by their instrument.  Class, instrument and ready market
(the codes the validated frame carries) make one byte a row, and one lookup
routes every row by it.  The classes whose route depends on their facts are
marked by that lookup, their rows grouped by one sort, and each is routed by
one step that reads those facts on its own rows only: a yes/no/blank column by
the references of its ``True``, ``False`` and ``None``, a route from a small
table by the facts' bits.  A route array is text (``"B1"``, ``"G_J"``, ...);
`route_codes` gives the integer codes (into `ROUTES`) the routing works in,
and `route_keys` reads them back from any route text.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
import pandas as pd

from netcap.book.frame import BookError, RowError
from netcap.book.model import FundAssets, Instrument, SecurityClass, Side
from netcap.rule.haircuts.columns import dates_at, id_array

__all__ = [
    "ROUTES",
    "codes_in",
    "route_codes",
    "route_in",
    "route_keys",
    "route_names",
    "route_positions",
    "row_label",
]

_SC = SecurityClass

ROUTES: tuple[str, ...] = (
    "",
    "A",
    "C",
    "B1",
    "B2",
    "D1",
    "D2",
    "D3",
    "E",
    "E6",
    "F",
    "G_F",
    "G_J",
    "H",
    "J",
    "J2",
    "K",
    "VII",
    "CRYPTO",
    "FUT",
    "COMMOD",
    "OPT",
)
"""Every route by its code (the index); code 0, the blank route, marks a row not routed."""
_CODE: dict[str, int] = {name: code for code, name in enumerate(ROUTES)}
_NAMES = np.array(ROUTES, dtype="<U6")


def _code(name: str) -> np.uint8:
    return np.uint8(_CODE[name])


_A, _C, _B1, _B2 = _code("A"), _code("C"), _code("B1"), _code("B2")
_D1, _D2, _D3, _E, _E6 = _code("D1"), _code("D2"), _code("D3"), _code("E"), _code("E6")
_F, _G_F, _G_J, _H = _code("F"), _code("G_F"), _code("G_J"), _code("H")
_J, _J2, _K, _VII = _code("J"), _code("J2"), _code("K"), _code("VII")
_CRYPTO, _FUT, _COMMOD, _OPT = _code("CRYPTO"), _code("FUT"), _code("COMMOD"), _code("OPT")


def row_label(frame: pd.DataFrame, i: int) -> int | str:
    """The label of row ``i`` for error messages (its input row, else its position)."""
    if "row" in frame.columns:
        return int(frame["row"].iloc[i])
    return i


# -- route arrays: codes for the haircut core, text for the callers -----------------------


def route_names(codes: np.ndarray) -> np.ndarray:
    """The route text of each code (read-only).

    The texts are copied as fixed-size records (a copy of bytes, not of characters).
    """
    names = np.asarray(_lookup(_NAME_RECORDS, codes)).view(_NAMES.dtype)
    names.flags.writeable = False
    return names


_NAME_RECORDS = _NAMES.view(f"V{_NAMES.dtype.itemsize}")
_CHUNK = 1 << 14


def _lookup(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``np.take(table, codes)``, for a long 1-d array of small integer codes a chunk at a time.

    ``np.take`` first converts every code to a platform integer: for a million
    one-byte codes an 8 MB array, whose fresh pages cost more than the lookup.
    Here the codes are converted through one small buffer, used again and again;
    codes outside the table (negative, or too large: an error) go to ``np.take``.
    """
    if (
        codes.ndim != 1
        or codes.dtype.kind not in "iu"
        or codes.dtype == np.intp
        or len(codes) == 0
        or int(codes.max()) >= len(table)
        or int(codes.min()) < 0
    ):
        return np.asarray(np.take(table, codes))
    out = np.empty(len(codes), dtype=table.dtype)
    buffer = np.empty(min(len(codes), _CHUNK), dtype=np.intp)
    for start in range(0, len(codes), _CHUNK):
        part = codes[start : start + _CHUNK]
        index = buffer[: len(part)]
        index[...] = part
        # (every code is in the table: "clip" spares the bounds check and a buffer for out)
        np.take(table, index, out=out[start : start + _CHUNK], mode="clip")
    return out


def route_keys(routes: np.ndarray) -> np.ndarray | None:
    """The code (index into `ROUTES`) of each route, or ``None`` if one is not a route.

    Each route is read once: packed into one integer (7 bits a character) and
    matched against the routes.  A caller that routed the rows itself keeps the
    codes of `route_codes` instead.
    """
    width = routes.dtype.itemsize // 4
    if routes.dtype.kind != "U" or width > 9:
        return None
    packed = _packed(routes)
    if packed is None:
        return None
    at = np.searchsorted(_PACKED_SORTED, packed)
    at[at == len(_PACKED_SORTED)] = 0
    if not bool((_PACKED_SORTED[at] == packed).all()):
        return None
    return np.asarray(np.take(_PACKED_CODES, at), dtype=np.uint8)


def _packed(text: np.ndarray) -> np.ndarray | None:
    """Each short ASCII text as one integer, 7 bits a character (``None`` if not ASCII)."""
    width = text.dtype.itemsize // 4
    chars = np.ascontiguousarray(text).view(np.uint32).reshape(len(text), width)
    if width and int(chars.max(initial=0)) >= 128:
        return None
    key = np.zeros(len(text), dtype=np.int64)
    for j in range(width):
        key |= chars[:, j].astype(np.int64) << (7 * j)
    return key


_PACKED_ALL = _packed(_NAMES)
assert _PACKED_ALL is not None
_PACKED_ORDER = np.argsort(_PACKED_ALL)
_PACKED_SORTED = _PACKED_ALL[_PACKED_ORDER]
_PACKED_CODES = _PACKED_ORDER.astype(np.uint8)


def route_in(
    routes: np.ndarray, codes: tuple[str, ...] | list[str], keys: np.ndarray | None = None
) -> np.ndarray:
    """True where the route is one of ``codes`` (``keys``: `route_keys` of ``routes``)."""
    if keys is None:
        keys = route_keys(routes)
    if keys is None:
        return np.asarray(np.isin(routes, codes))
    return codes_in(keys, codes)


def codes_in(keys: np.ndarray, codes: tuple[str, ...] | list[str]) -> np.ndarray:
    """True where the route code (`route_keys`) is that of one of the routes ``codes``."""
    wanted = sorted({_CODE[c] for c in codes if c in _CODE})
    if not wanted:
        return np.zeros(len(keys), dtype=bool)
    if len(wanted) <= 3:  # a comparison or three cost less than a lookup
        low, high = wanted[0], wanted[-1]
        if len(wanted) > 1 and high - low == len(wanted) - 1 and keys.dtype == np.uint8:
            # consecutive codes: one subtraction (a code below them wraps round) and one test
            return np.asarray(np.subtract(keys, low, dtype=np.uint8) <= high - low)
        mask = np.asarray(keys == wanted[0])
        for w in wanted[1:]:
            mask |= keys == w
        return mask
    table = np.zeros(len(ROUTES), dtype=bool)
    table[wanted] = True
    return _lookup(table, keys)


# -- the facts the routing reads -----------------------------------------------------------


def _enum_codes(col: pd.Series, enum: type[StrEnum]) -> np.ndarray:
    """Each value's position among ``enum``'s values; -1 where missing or not one of them.

    A categorical over exactly those values (as validation makes ``security_class``,
    ``instrument`` and ``side``) is read through its own codes, without a copy.
    """
    values = [m.value for m in enum]
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes = np.asarray(col.array.codes)
        uniques = list(col.cat.categories)
        if uniques == values:
            return codes
    else:
        codes, found = pd.factorize(col.to_numpy(dtype=object))
        uniques = list(found)
    index = {v: i for i, v in enumerate(values)}
    # one more slot: a missing value (code -1) reads the last, -1
    remap = np.array([index.get(u, -1) for u in uniques] + [-1])
    return np.asarray(np.take(remap, codes), dtype=np.int64)


def _position(enum: type[StrEnum], member: StrEnum) -> int:
    return [m.value for m in enum].index(member.value)


_CASH = _position(Instrument, Instrument.CASH)
_FUTURE = _position(Instrument, Instrument.FUTURE)
_OPTION = _position(Instrument, Instrument.OPTION)
_SHORT = _position(Side, Side.SHORT)
_CLS = {c: _position(SecurityClass, c) for c in SecurityClass}


def _class_table(entries: dict[SecurityClass, object], dtype: type, default: object) -> np.ndarray:
    """A lookup by class code; the extra last slot answers code -1 (no class)."""
    table: np.ndarray = np.full(len(_CLS) + 1, default, dtype=dtype)
    for cls, value in entries.items():
        table[_CLS[cls]] = value
    return table


_GOV_CLASS = _class_table({_SC.GOVERNMENT: True, _SC.AGENCY: True}, bool, False)
_OTHER_CLASS = _class_table({_SC.EQUITY: True, _SC.OTHER_SECURITY: True}, bool, False)


@dataclass(frozen=True)
class _Limits:
    """The thresholds from the tables (see `route_positions`)."""

    max_muni_days_at_issue: float
    max_cp_months_at_issue: float
    bank_government_rates_from_months: float
    min_market_makers: float


class _Routing:
    """The rows being routed: class and instrument codes, the route codes so far, refusals.

    Each step of `route_codes` reads the facts it needs on its own rows and
    writes their routes; refusals are gathered and raised together.
    """

    def __init__(self, frame: pd.DataFrame, limits: _Limits) -> None:
        self.frame = frame
        self.limits = limits
        self.n = len(frame)
        self.cls = _enum_codes(frame["security_class"], SecurityClass)
        self.inst = _enum_codes(frame["instrument"], Instrument)
        self.ready = frame["ready_market"].to_numpy(dtype=bool)
        self.route = np.zeros(self.n, dtype=np.uint8)
        self.errors: list[RowError] = []
        self._ids: np.ndarray | None = None

    def flag(self, name: str) -> np.ndarray:
        """A yes/no column over every row."""
        return np.asarray(self.frame[name].to_numpy(dtype=bool))

    def number(self, name: str, rows: np.ndarray) -> np.ndarray:
        """A number column on ``rows``."""
        return np.asarray(np.take(self.frame[name].to_numpy(dtype=float), rows))

    def dates(self, name: str, rows: np.ndarray) -> np.ndarray:
        """A date column on ``rows`` (datetime64; NaT where blank)."""
        return dates_at(self.frame[name], rows)

    def yes_no_unknown(
        self, name: str, rows: np.ndarray, where: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """A yes/no/blank column on ``rows``, read where ``where`` holds: (blank, yes).

        A validated column holds ``True``, ``False`` and ``None``, each one object:
        the references of ``rows`` are compared with theirs (integers, no object
        is visited).  Any other value is read as a value: yes where it equals
        ``True``, blank where it does not and is missing (`pd.isna`).  Elsewhere
        both are False.
        """
        values = self.frame[name].to_numpy(dtype=object)
        refs = _references(values)
        if refs is None:
            return _yes_no_unknown_of(values, rows, where)
        at = refs[rows]
        yes = at == _TRUE_REF
        yes &= where
        blank = at == _NONE_REF
        blank &= where
        no = at == _FALSE_REF
        no &= where
        # (the three are apart: a value of ``where`` is some other object unless they cover it)
        if np.count_nonzero(yes) + np.count_nonzero(blank) + np.count_nonzero(no) < int(
            np.count_nonzero(where)
        ):
            other = np.flatnonzero(where & ~(yes | blank | no))
            odd_blank, odd_yes = _yes_no_unknown_of(values, rows[other], np.ones(len(other), bool))
            yes[other] = odd_yes
            blank[other] = odd_blank
        return blank, yes

    def refuse(self, rows: np.ndarray, mask: np.ndarray, field: str, message: str) -> None:
        """Refuse the rows of ``rows`` where ``mask`` holds, naming ``field``."""
        hit = rows[mask]
        if len(hit) == 0:
            return
        if self._ids is None:
            self._ids = id_array(self.frame["id"])
        for i in hit.tolist():
            self.errors.append(
                RowError(row_label(self.frame, i), field, f"{self._ids[i]!r}: {message}")
            )


_TRUE_REF, _FALSE_REF, _NONE_REF = np.uintp(id(True)), np.uintp(id(False)), np.uintp(id(None))


def _references(values: np.ndarray) -> np.ndarray | None:
    """The object references of a contiguous 1-d object array, as integers (no copy)."""
    if values.dtype != object or values.ndim != 1 or not values.flags.c_contiguous:
        return None
    return np.frombuffer(values.data.cast("B"), dtype=np.uintp)


def _yes_no_unknown_of(
    values: np.ndarray, rows: np.ndarray, where: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """`_Routing.yes_no_unknown` value by value: each compared with ``True``, and those that
    are not ``True`` tested for a blank."""
    at = np.flatnonzero(where)
    picked = values[rows[at]]
    yes = np.zeros(len(rows), dtype=bool)
    blank = np.zeros(len(rows), dtype=bool)
    is_yes = np.asarray(np.equal(picked, True), dtype=bool)
    yes[at] = is_yes
    rest = np.flatnonzero(~is_yes)
    blank[at[rest]] = pd.isna(picked[rest])
    return blank, yes


def route_positions(
    frame: pd.DataFrame,
    *,
    max_muni_days_at_issue: float,
    max_cp_months_at_issue: float,
    bank_government_rates_from_months: float,
    min_market_makers: float,
) -> np.ndarray:
    """The route of every row as text (see the module docstring); raises on undecidable rows.

    The thresholds come from the tables (``municipal_short_term_eligibility``,
    ``money_market_instruments_eligibility``, ``other_securities``).  The array
    is read-only; `route_codes` gives the codes instead of the text.
    """
    return route_names(
        route_codes(
            frame,
            max_muni_days_at_issue=max_muni_days_at_issue,
            max_cp_months_at_issue=max_cp_months_at_issue,
            bank_government_rates_from_months=bank_government_rates_from_months,
            min_market_makers=min_market_makers,
        )
    )


def route_codes(
    frame: pd.DataFrame,
    *,
    max_muni_days_at_issue: float,
    max_cp_months_at_issue: float,
    bank_government_rates_from_months: float,
    min_market_makers: float,
) -> np.ndarray:
    """The route of every row as its code (an index into `ROUTES`), as `route_positions`."""
    r = _Routing(
        frame,
        _Limits(
            max_muni_days_at_issue,
            max_cp_months_at_issue,
            bank_government_rates_from_months,
            min_market_makers,
        ),
    )
    _route_by_class(r)
    # the rows whose class leaves their route to the facts, each class to its step;
    # the steps run in the order their refusals are listed
    # (rows sorted by route, in book order within a route: the markers are the largest
    # values, each step's rows come last, step by step; each boundary found by bisection)
    order = np.argsort(r.route, kind="stable")
    bounds = [
        bisect_left(order, _FIRST_STEP + k, key=r.route.__getitem__) for k in range(len(_STEPS) + 1)
    ]
    for k, (_, step) in enumerate(_STEPS):
        if bounds[k + 1] > bounds[k]:
            step(r, order[bounds[k] : bounds[k + 1]])
    _route_other(r)
    return _checked(r)


def _route_by_class(r: _Routing) -> None:
    """Routes read from the class and the instrument; the other classes' step markers.

    Options go to Appendix A; government futures join (A) ((A)(4)), all other
    futures go to Appendix B (a)(3)(xiv); (c)(2)(vii) comes before every class
    rule: a cash position without a ready market is ``VII``.  Class, instrument
    and ready market make one small key a row, and `_FIRST_ROUTES` holds the
    route of every key: one lookup routes every row.
    """
    # class code + 1, plus (instrument code + 1) * 32, plus 128 with a ready market, in
    # uint8 arithmetic, which wraps: a missing code, -1, reads as 0 in its field
    key = np.add(r.cls, 33, dtype=np.uint8, casting="unsafe")
    field = np.multiply(r.inst, 32, dtype=np.uint8, casting="unsafe")
    key += field
    np.multiply(r.ready, 128, out=field, dtype=np.uint8)
    key += field
    r.route = _lookup(_FIRST_ROUTES, key)
    if np.count_nonzero(r.route == _REFUSED_FUTURE):
        # a futures contract marked not ready, or of the no-ready-market class
        fut = np.flatnonzero(r.inst == _FUTURE)
        r.refuse(
            fut,
            ~r.ready[fut],
            "ready_market",
            "a futures contract is charged under Appendix B; ready_market=False is for securities",
        )
        r.refuse(
            fut,
            r.cls[fut] == _CLS[_SC.NO_READY_MARKET],
            "security_class",
            "no_ready_market is a class of securities, not of futures contracts",
        )
        refused = np.flatnonzero(r.route == _REFUSED_FUTURE)
        r.route[refused] = np.where(np.take(_GOV_CLASS, r.cls[refused]), _A, _FUT)


def _route_crypto(r: _Routing, rows: np.ndarray) -> None:
    """Non-security crypto ((c)(2)(iv)): deducted in full; only a long position is an asset."""
    r.route[rows] = _CRYPTO
    short = _enum_codes(r.frame["side"], Side)[rows] == _SHORT
    r.refuse(
        rows,
        short,
        "side",
        "a short non-security crypto position is a liability, not an asset deducted under "
        "15c3-1(c)(2)(iv); netcap has no haircut for it",
    )


def _route_municipal(r: _Routing, rows: np.ndarray) -> None:
    """(c)(2)(vi)(B): short-term municipal securities under (B)(1), others under (B)(2)."""
    max_days = r.limits.max_muni_days_at_issue
    issue = r.dates("issue_date", rows)
    mat = r.dates("maturity", rows)
    has_issue = ~np.isnat(issue)
    has_mat_date = ~np.isnat(mat)
    default = np.take(r.flag("in_default"), rows)
    # whole days from issue to maturity; not short-term where either date is missing
    dated = has_issue & has_mat_date
    if dated.all():
        short_term = _within_days(mat - issue, max_days)
    else:
        short_term = np.zeros(len(rows), dtype=bool)
        short_term[dated] = _within_days(mat[dated] - issue[dated], max_days)
    # the form of interest matters for a short-term issue and for one without an issue date
    form_unknown, form_true = r.yes_no_unknown(
        "interest_at_maturity_or_discount", rows, ~default & (short_term | ~has_issue)
    )
    r.refuse(
        rows,
        has_issue & ~has_mat_date,
        "maturity",
        "an issue date needs a maturity date (not years_to_maturity) to measure (B)(1)",
    )
    r.refuse(
        rows,
        short_term & ~default & form_unknown,
        "interest_at_maturity_or_discount",
        f"matures within {max_days:.0f} days of issue: say whether it was "
        "issued at par paying interest at maturity or at a discount ((B)(1))",
    )
    r.refuse(
        rows,
        ~has_issue & form_true & ~default,
        "issue_date",
        "(B)(1) needs the date of issue to measure the scheduled maturity at issue",
    )
    b1 = short_term & ~default & form_true
    # (B)(2) unless (B)(1); (J) in default
    r.route[rows] = _pick(_MUNICIPAL_ROUTES, b1, default)
    short = np.flatnonzero(b1)
    undated = np.zeros(len(rows), dtype=bool)
    undated[short] = np.isnan(r.number("days_to_maturity", rows[short]))
    r.refuse(rows, undated, "maturity", "(B)(1) counts days: give a maturity date")


def _within_days(span: np.ndarray, max_days: float) -> np.ndarray:
    """True where ``span`` in whole days (rounded down) is at most ``max_days``.

    Whole days rounded down are at most ``max_days`` exactly when the span is
    shorter than ``floor(max_days) + 1`` days: one comparison, no division.
    """
    unit = np.datetime_data(span.dtype)[0]
    if math.isfinite(max_days) and abs(max_days) < 1e5 and unit in _DAY_UNITS:
        return np.asarray(span < np.timedelta64(math.floor(max_days) + 1, "D"))
    return np.asarray(span // np.timedelta64(1, "D") <= max_days)


_DAY_UNITS = frozenset(("D", "h", "m", "s", "ms", "us", "ns"))
"""Units a day converts to exactly (and a span of 10^5 days fits in, in 64 bits)."""

_MUNICIPAL_ROUTES = np.array([_B2, _B1, _J, _J], dtype=np.uint8)
"""A municipal route by (B)(1) (bit 0) and default (bit 1)."""


def _route_funds(r: _Routing, rows: np.ndarray) -> None:
    """(c)(2)(vi)(D): redeemable investment company shares, by what the fund holds."""
    mmf = r.cls[rows] == _CLS[_SC.MONEY_MARKET_FUND]
    # a few distinct values over many rows: each distinct value is read once (a
    # categorical's own codes, else a factorization of the rows)
    col = r.frame["fund_assets"]
    if isinstance(col.dtype, pd.CategoricalDtype):
        codes, uniques = np.asarray(col.array.codes)[rows], list(col.cat.categories)
    else:
        codes, uniques = pd.factorize(col.to_numpy(dtype=object)[rows])
    # by distinct value, read at code + 1 (the first slot answers a missing value, code -1)
    at = np.add(codes, 1, dtype=np.intp)
    missing = at == 0
    text = [str(u) for u in uniques]
    route_of = np.array([0] + [_FUND_ROUTES.get(t, 0) for t in text], dtype=np.uint8)
    other_assets = np.array([False] + [t != FundAssets.MONEY_MARKET.value for t in text])
    r.refuse(
        rows,
        mmf & np.take(other_assets, at),
        "fund_assets",
        "a money_market_fund holds money market assets; use redeemable_fund for others",
    )
    r.refuse(
        rows,
        ~mmf & missing,
        "fund_assets",
        "required for redeemable_fund: money_market, government, debt or other ((D))",
    )
    out = np.take(route_of, at)
    out[mmf] = _D1
    r.route[rows] = out


_FUND_ROUTES = {
    FundAssets.MONEY_MARKET.value: _D1,
    FundAssets.GOVERNMENT.value: _D2,
    FundAssets.DEBT.value: _D3,
    FundAssets.OTHER.value: _J,
}
"""The route of a redeemable fund's shares by what the fund holds ((D)(1)-(3); other: (J))."""


def _matures_after(issue: np.ndarray, maturity: np.ndarray, months: float) -> np.ndarray:
    """True where maturity falls after the issue date plus ``months`` calendar months."""
    ok = ~np.isnat(issue) & ~np.isnat(maturity)
    out = np.zeros(len(issue), dtype=bool)
    if not ok.any():
        return out
    limit = pd.DatetimeIndex(issue[ok]) + pd.DateOffset(months=int(months))
    out[ok] = pd.DatetimeIndex(maturity[ok]) > limit
    return out


def _route_money_market(r: _Routing, rows: np.ndarray) -> None:
    """(c)(2)(vi)(E) money market instruments; the (I) assessment gates them, else (J)."""
    max_cp_months = r.limits.max_cp_months_at_issue
    bank_months = r.limits.bank_government_rates_from_months
    cp = r.cls[rows] == _CLS[_SC.COMMERCIAL_PAPER]
    default = np.take(r.flag("in_default"), rows)
    months = r.number("months_to_maturity", rows)
    # a position in default is (J) whatever its assessment
    unknown, credit_ok = r.yes_no_unknown("minimal_credit_risk", rows, ~default)
    r.refuse(
        rows,
        unknown & ~default,
        "minimal_credit_risk",
        "give the outcome of the (I) creditworthiness assessment (required for (E))",
    )
    # the (E) term of commercial paper at issue, read where it has an issue date
    cp_rows = np.flatnonzero(cp)
    issued = r.dates("issue_date", rows[cp_rows])
    dated = np.flatnonzero(~np.isnat(issued))
    late = np.zeros(len(rows), dtype=bool)
    if len(dated):
        dated_rows = cp_rows[dated]
        late[dated_rows] = _matures_after(
            issued[dated], r.dates("maturity", rows[dated_rows]), max_cp_months
        )
    r.refuse(
        rows,
        late,
        "issue_date",
        f"matures more than {max_cp_months:.0f} months after issue: not commercial "
        "paper under (E); classify it as nonconvertible_debt",
    )
    long_term = months >= bank_months
    r.refuse(
        rows,
        cp & long_term,
        "maturity",
        "commercial paper with a year or more to run is not (E) paper; classify it as "
        "nonconvertible_debt",
    )
    out = _pick(_MONEY_MARKET_ROUTES, default, credit_ok, unknown, long_term & ~cp)
    r.route[rows] = out
    short = np.flatnonzero(out == _E)
    undated = np.zeros(len(rows), dtype=bool)
    undated[short] = np.isnan(r.number("days_to_maturity", rows[short]))
    r.refuse(
        rows, undated, "maturity", "(E) counts days: give a maturity date, not years_to_maturity"
    )


def _pick(table: np.ndarray, *conditions: np.ndarray) -> np.ndarray:
    """``table`` read at each row's conditions as bits (the first condition: bit 0)."""
    key = conditions[0].view(np.uint8).copy()
    for bit, condition in enumerate(conditions[1:], start=1):
        key += condition.view(np.uint8) * np.uint8(1 << bit)
    return _lookup(table, key)


def _routes_by_bits(n: int, route: Callable[..., np.uint8]) -> np.ndarray:
    """The table `_pick` reads: ``route`` of the ``n`` conditions of each key."""
    return np.array(
        [route(*(bool(key >> bit & 1) for bit in range(n))) for key in range(1 << n)],
        dtype=np.uint8,
    )


def _money_market_route(default: bool, credit_ok: bool, unknown: bool, long_bank: bool) -> np.uint8:
    """(E) by the facts: in default or assessed poorly: (J); a bank instrument of a year or
    more: (E)(6); else (E); not assessed: none (refused)."""
    if default or (not credit_ok and not unknown):
        return _J
    if credit_ok:
        return _E6 if long_bank else _E
    return np.uint8(0)


_MONEY_MARKET_ROUTES = _routes_by_bits(4, _money_market_route)


def _graded(letter: str, code: np.uint8) -> Callable[[_Routing, np.ndarray], None]:
    """The step of a class that (I) gates: its paragraph if assessed well, else (J)."""

    def step(r: _Routing, rows: np.ndarray) -> None:
        default = np.take(r.flag("in_default"), rows)
        # a position in default is (J) whatever its assessment
        unknown, credit_ok = r.yes_no_unknown("minimal_credit_risk", rows, ~default)
        r.refuse(
            rows,
            unknown & ~default,
            "minimal_credit_risk",
            f"give the outcome of the (I) creditworthiness assessment (required for ({letter}))",
        )
        r.route[rows] = _pick(routes, default, credit_ok, unknown)

    def route(default: bool, credit_ok: bool, unknown: bool) -> np.uint8:
        if not default and credit_ok:
            return code
        return _J if default or not unknown else np.uint8(0)  # not assessed: refused

    routes = _routes_by_bits(3, route)
    step.__doc__ = f"(c)(2)(vi)({letter}); the (I) assessment gates it, else (J)."
    return step


def _route_convertible(r: _Routing, rows: np.ndarray) -> None:
    """(c)(2)(vi)(G): convertible debt below its principal amount under (F), else (J)."""
    default = np.take(r.flag("in_default"), rows)
    principal = r.number("principal_amount", rows)
    value = r.number("market_value", rows)
    r.refuse(
        rows,
        np.isnan(principal) & ~default,
        "principal_amount",
        "(G) compares market value with the principal amount: give principal_amount",
    )
    at_or_above = value >= principal
    below = (value < principal) & ~default
    # the (I) assessment matters below the principal amount only
    unknown, credit_ok = r.yes_no_unknown("minimal_credit_risk", rows, below)
    r.refuse(
        rows,
        below & unknown,
        "minimal_credit_risk",
        "below its principal amount (G) sends it to (F): give the (I) assessment",
    )
    to_f = np.flatnonzero(below & credit_ok)
    undated = np.zeros(len(rows), dtype=bool)
    undated[to_f] = np.isnan(r.number("months_to_maturity", rows[to_f]))
    r.refuse(rows, undated, "maturity", "(F) rates need a maturity")
    r.route[rows] = _pick(_CONVERTIBLE_ROUTES, default, at_or_above, below, credit_ok, unknown)


def _convertible_route(
    default: bool, at_or_above: bool, below: bool, credit_ok: bool, unknown: bool
) -> np.uint8:
    """(G) by the facts: in default: (J); at or above the principal amount: (J) as ``G_J``;
    below it: (F) as ``G_F`` if assessed well, ``G_J`` if poorly, none (refused) if not."""
    route = np.uint8(0)
    if default:
        route = _J
    if at_or_above and not default:
        route = _G_J
    if below and credit_ok:
        route = _G_F
    if below and not credit_ok and not unknown:
        route = _G_J
    return route


_CONVERTIBLE_ROUTES = _routes_by_bits(5, _convertible_route)


def _route_other(r: _Routing) -> None:
    """(c)(2)(vi)(J) all other securities, its (J)(1)-(2) exemptions, and (K) limited markets.

    Equity and other securities are (J) from their class; the few rows marked
    ``limited_market``, ``called_within_90_days`` or
    ``converts_into_short_within_90_days`` are read here.
    """
    route = r.route
    limited = np.flatnonzero(r.flag("limited_market"))
    if len(limited):
        other = (
            (r.inst[limited] == _CASH) & r.ready[limited] & np.take(_OTHER_CLASS, r.cls[limited])
        )
        r.refuse(
            limited,
            ~other,
            "limited_market",
            "(K) is applied here to equity and other_security positions only",
        )
        lim = limited[other]
        makers = r.number("market_makers", lim)
        r.refuse(lim, np.isnan(makers), "market_makers", "(K) needs the number of market makers")
        r.refuse(
            lim,
            makers == 0,
            "market_makers",
            "no market maker quotes it: no ready market, set ready_market=False ((vii))",
        )
        route[lim[(makers > 0) & (makers < r.limits.min_market_makers)]] = _K
    called = r.flag("called_within_90_days")
    converts = r.flag("converts_into_short_within_90_days")
    marked = np.flatnonzero(called | converts)
    if len(marked):
        now = route[marked]
        jrows = (now == _J) | (now == _G_J)
        wrong = ~jrows & (now != 0)
        r.refuse(
            marked,
            called[marked] & wrong,
            "called_within_90_days",
            "the (J)(2) exemption is for securities charged under (J)",
        )
        r.refuse(
            marked,
            converts[marked] & wrong,
            "converts_into_short_within_90_days",
            "the (J)(1) exemption is for securities charged under (J)",
        )
        route[marked[jrows]] = _J2
    registered = r.flag("registered_deliverable")
    if not registered.all():
        unregistered = np.flatnonzero(~registered)
        r.refuse(
            unregistered,
            route[unregistered] != _COMMOD,
            "registered_deliverable",
            "Appendix B (a)(3)(ix)(B) registration is for commodity inventory (class commodity)",
        )


def _text_at(col: pd.Series, i: int) -> object:
    """The value of row ``i`` as the error names it (blank: ``None`` in a categorical, else NaN)."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        code = int(col.cat.codes.iloc[i])
        return None if code < 0 else col.cat.categories[code]
    value = col.iloc[i]
    return np.nan if pd.isna(value) else value


def _checked(r: _Routing) -> np.ndarray:
    """The routes, or a `BookError` listing every refusal and every row left unrouted."""
    if r.errors:
        raise BookError(r.errors)
    if not r.route.all():
        ids = id_array(r.frame["id"])
        cls, inst = r.frame["security_class"], r.frame["instrument"]
        raise BookError(
            [
                RowError(
                    row_label(r.frame, i),
                    "security_class",
                    f"{ids[i]!r}: no haircut paragraph for class {_text_at(cls, i)!r} "
                    f"as {_text_at(inst, i)!r}",
                )
                for i in np.flatnonzero(r.route == 0).tolist()
            ]
        )
    return r.route


_Step = Callable[[_Routing, np.ndarray], None]

_STEPS: tuple[tuple[tuple[SecurityClass, ...], _Step], ...] = (
    ((_SC.CRYPTO_NON_SECURITY,), _route_crypto),
    ((_SC.MUNICIPAL,), _route_municipal),
    ((_SC.MONEY_MARKET_FUND, _SC.REDEEMABLE_FUND), _route_funds),
    (
        (_SC.COMMERCIAL_PAPER, _SC.BANKERS_ACCEPTANCE, _SC.CERTIFICATE_OF_DEPOSIT),
        _route_money_market,
    ),
    ((_SC.NONCONVERTIBLE_DEBT,), _graded("F", _F)),
    ((_SC.PREFERRED,), _graded("H", _H)),
    ((_SC.CONVERTIBLE_DEBT,), _route_convertible),
)
"""The classes whose route depends on their facts, and the step that routes each (in order)."""
_FIRST_STEP = 64
"""The marker of the first step in a route array being built (route codes stay below it)."""

_BY_CLASS = _class_table(
    {
        _SC.GOVERNMENT: _A,
        _SC.AGENCY: _A,
        _SC.CANADIAN_GOVERNMENT: _C,
        _SC.COMMODITY: _COMMOD,
        _SC.EQUITY: _J,
        _SC.OTHER_SECURITY: _J,
        _SC.NO_READY_MARKET: _VII,
        **{cls: _FIRST_STEP + k for k, (classes, _) in enumerate(_STEPS) for cls in classes},
    },
    np.uint8,
    0,
)
"""The route of a cash position with a ready market, by class (a step marker where its facts
decide it); no class: not routed."""


def _first_route(cls: int, inst: int, ready: bool) -> int:
    """The route of a row from its class and instrument codes (-1: none) and its ready market."""
    if inst == _CASH:
        return int(_BY_CLASS[cls]) if ready else int(_VII)  # (vii) before every class rule
    if inst == _OPTION:
        return int(_OPT)  # Appendix A, netcap.rule.haircuts.options
    if inst == _FUTURE:
        if not ready or cls == _CLS[_SC.NO_READY_MARKET]:
            return int(_REFUSED_FUTURE)
        return int(_A if _GOV_CLASS[cls] else _FUT)
    return 0  # no instrument: not routed


_REFUSED_FUTURE = np.uint8(_FIRST_STEP - 1)
"""The mark `_route_by_class` reads a refused futures contract by (not a route)."""
# the key's fields: class code + 1 in bits 0-4, instrument code + 1 in bits 5-6, ready in bit 7
assert len(_CLS) < 32
assert len(Instrument) < 4
assert len(ROUTES) < _REFUSED_FUTURE
_FIRST_ROUTES = np.zeros(256, dtype=np.uint8)
for _cls in range(-1, len(_CLS)):
    for _inst in range(-1, len(Instrument)):
        for _ready in (True, False):
            _FIRST_ROUTES[(_cls + 1) + (_inst + 1) * 32 + _ready * 128] = _first_route(
                _cls, _inst, _ready
            )
"""`_first_route` by key: class code + 1, plus instrument code + 1 times 32, plus 128 with a
ready market (`_route_by_class`)."""
