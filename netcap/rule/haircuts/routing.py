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
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netcap.book.frame import BookError, RowError
from netcap.book.model import FundAssets, Instrument, SecurityClass, Side
from netcap.rule.haircuts.columns import id_array

__all__ = ["route_positions", "row_label"]

_SC = SecurityClass


def row_label(frame: pd.DataFrame, i: int) -> int | str:
    """The label of row ``i`` for error messages (its input row, else its position)."""
    if "row" in frame.columns:
        return int(frame["row"].iloc[i])
    return i


class _Labels:
    """A text column as integer codes: ``==`` and `isin` compare codes, not strings.

    Each distinct value is hashed once (pandas factorize); comparisons are then
    integer comparisons over the rows.
    """

    def __init__(self, col: pd.Series) -> None:
        if isinstance(col.dtype, pd.CategoricalDtype):  # its codes as they are
            cat = col.cat.codes.to_numpy().astype(np.int64)
            names = col.cat.categories.to_numpy(dtype=object)
            codes = np.where(cat < 0, len(names), cat)
            missing = np.array([None], dtype=object)
            uniques = np.concatenate([names, missing]) if (cat < 0).any() else names
        else:  # an object array factorizes faster than a pandas string column
            codes, uniques = pd.factorize(col.to_numpy(dtype=object), use_na_sentinel=False)
        self.codes: np.ndarray = np.asarray(codes, dtype=np.int64)
        self.uniques = np.asarray(uniques, dtype=object)
        self.index = {v: i for i, v in enumerate(self.uniques.tolist())}

    def _code(self, value: str) -> int:
        return self.index.get(value, -2)

    def __eq__(self, value: object) -> np.ndarray:  # type: ignore[override]
        return np.asarray(self.codes == self._code(str(value)))

    def __ne__(self, value: object) -> np.ndarray:  # type: ignore[override]
        return np.asarray(self.codes != self._code(str(value)))

    __hash__ = None  # type: ignore[assignment]

    def isin(self, values: list[str]) -> np.ndarray:
        """True where the value is one of ``values``."""
        table = np.zeros(len(self.uniques) + 1, dtype=bool)  # a lookup over the codes
        for v in values:
            if v in self.index:
                table[self.index[v]] = True
        return np.asarray(table[self.codes])

    def __getitem__(self, i: int) -> object:
        return self.uniques[self.codes[i]]


def route_keys(routes: np.ndarray) -> np.ndarray | None:
    """Each route code packed into one integer (``None`` if a code does not fit).

    Routes are short ASCII codes held as fixed-width text; comparing integers is
    several times cheaper than comparing text over a million rows.
    """
    width = routes.dtype.itemsize // 4
    if routes.dtype.kind != "U" or width > 9:
        return None
    chars = np.ascontiguousarray(routes).view(np.uint32).reshape(len(routes), width)
    if width and int(chars.max(initial=0)) >= 128:
        return None
    key = np.zeros(len(routes), dtype=np.int64)
    for j in range(width):
        key |= chars[:, j].astype(np.int64) << (7 * j)
    return key


def route_in(
    routes: np.ndarray, codes: tuple[str, ...] | list[str], keys: np.ndarray | None = None
) -> np.ndarray:
    """True where the route is one of ``codes`` (``keys``: `route_keys` of ``routes``)."""
    if keys is None:
        keys = route_keys(routes)
    # a code longer than the route text cannot match (and must not be truncated)
    fit = [c for c in codes if len(c) <= routes.dtype.itemsize // 4]
    wanted = route_keys(np.array(fit, dtype=routes.dtype)) if keys is not None else None
    if keys is None or wanted is None:
        return np.asarray(np.isin(routes, codes))
    mask = np.zeros(len(routes), dtype=bool)
    for w in wanted:
        mask |= keys == w
    return mask


def _matures_after(issue: pd.Series, maturity: pd.Series, months: float) -> np.ndarray:
    """True where maturity falls after the issue date plus ``months`` calendar months."""
    ok = issue.notna() & maturity.notna()
    out = np.zeros(len(issue), dtype=bool)
    if not ok.any():
        return out
    limit = pd.DatetimeIndex(issue[ok]) + pd.DateOffset(months=int(months))
    out[ok.to_numpy()] = pd.DatetimeIndex(maturity[ok]) > limit
    return out


def _blank(route: np.ndarray) -> np.ndarray:
    """``route == ""`` read from the first character only (a fixed-width text array)."""
    if route.dtype.kind != "U" or route.dtype.itemsize == 0 or not route.flags.c_contiguous:
        return np.asarray(route == "")
    width = route.dtype.itemsize // 4
    return np.asarray(route.view(np.uint32).reshape(len(route), width)[:, 0] == 0)


class _Routing:
    """The rows being routed: their facts as arrays, the routes so far and the refusals.

    Each step of `route_positions` reads the facts it needs and writes the
    routes of its classes; refusals are gathered and raised together.
    """

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.n = len(frame)
        self.cls = _Labels(frame["security_class"])
        self.inst = _Labels(frame["instrument"])
        self.side = _Labels(frame["side"])
        self.ids = id_array(frame["id"])
        self.errors: list[RowError] = []
        self.route = np.full(self.n, "", dtype="<U6")
        self.cash = self.inst == Instrument.CASH.value
        self.future = self.inst == Instrument.FUTURE.value
        self.default = frame["in_default"].to_numpy(dtype=bool)
        credit = frame["minimal_credit_risk"].to_numpy(dtype=object)
        self.credit_unknown = frame["minimal_credit_risk"].isna().to_numpy(dtype=bool)
        self.credit_ok = np.equal(credit, True) & ~self.credit_unknown
        self.ready = frame["ready_market"].to_numpy(dtype=bool)
        self.months = frame["months_to_maturity"].to_numpy(dtype=float)
        self.days = frame["days_to_maturity"].to_numpy(dtype=float)
        self.gov_class = self.cls.isin([_SC.GOVERNMENT.value, _SC.AGENCY.value])
        self.live = np.zeros(self.n, dtype=bool)  # cash rows past (vii) and crypto

    def refuse(self, mask: np.ndarray, field: str, message: str) -> None:
        """Refuse the rows of ``mask``, naming ``field``."""
        for i in np.flatnonzero(mask):
            self.errors.append(
                RowError(row_label(self.frame, int(i)), field, f"{self.ids[i]!r}: {message}")
            )

    def take(self, mask: np.ndarray, code: str) -> None:
        """Route the live rows of ``mask`` not routed yet to ``code``."""
        self.route[self.live & mask & _blank(self.route)] = code


def route_positions(
    frame: pd.DataFrame,
    *,
    max_muni_days_at_issue: float,
    max_cp_months_at_issue: float,
    bank_government_rates_from_months: float,
    min_market_makers: float,
) -> np.ndarray:
    """The route of every row (see the module docstring); raises on undecidable rows.

    The thresholds come from the tables (``municipal_short_term_eligibility``,
    ``money_market_instruments_eligibility``, ``other_securities``).
    """
    r = _Routing(frame)
    r.route[r.inst == Instrument.OPTION.value] = "OPT"  # Appendix A, netcap.rule.haircuts.options
    _route_futures(r)
    _route_before_classes(r)
    r.take(r.gov_class, "A")
    r.take(r.cls == _SC.CANADIAN_GOVERNMENT.value, "C")
    r.take(r.cls == _SC.COMMODITY.value, "COMMOD")
    _route_municipal(r, max_muni_days_at_issue)
    _route_funds(r)
    _route_money_market(r, max_cp_months_at_issue, bank_government_rates_from_months)
    _route_debt_and_preferred(r)
    _route_convertible(r)
    _route_other(r, min_market_makers)
    return _checked(r)


def _route_futures(r: _Routing) -> None:
    """Government futures join (A) ((A)(4)); all others go to Appendix B (a)(3)(xiv)."""
    r.route[r.future & r.gov_class] = "A"
    r.route[r.future & ~r.gov_class] = "FUT"
    r.refuse(
        r.future & ~r.ready,
        "ready_market",
        "a futures contract is charged under Appendix B; ready_market=False is for securities",
    )
    r.refuse(
        r.future & (r.cls == _SC.NO_READY_MARKET.value),
        "security_class",
        "no_ready_market is a class of securities, not of futures contracts",
    )


def _route_before_classes(r: _Routing) -> None:
    """(c)(2)(vii) and non-security crypto ((c)(2)(iv)) come before every class rule."""
    vii = r.cash & (~r.ready | (r.cls == _SC.NO_READY_MARKET.value))
    r.route[vii] = "VII"
    crypto = r.cash & ~vii & (r.cls == _SC.CRYPTO_NON_SECURITY.value)
    r.route[crypto] = "CRYPTO"
    r.refuse(
        crypto & (r.side == Side.SHORT.value),
        "side",
        "a short non-security crypto position is a liability, not an asset deducted under "
        "15c3-1(c)(2)(iv); netcap has no haircut for it",
    )
    r.live = r.cash & ~vii & ~crypto


def _route_municipal(r: _Routing, max_muni_days_at_issue: float) -> None:
    """(c)(2)(vi)(B): short-term municipal securities under (B)(1), others under (B)(2)."""
    frame, n, route, refuse, default = r.frame, r.n, r.route, r.refuse, r.default
    muni = r.live & (r.cls == _SC.MUNICIPAL.value)
    issue = frame["issue_date"]
    mat = frame["maturity"]
    has_issue = issue.notna().to_numpy(dtype=bool)
    has_mat_date = mat.notna().to_numpy(dtype=bool)
    days_at_issue = np.full(n, np.nan)
    dated = np.flatnonzero(muni & has_issue & has_mat_date)  # only (B) reads it
    days_at_issue[dated] = (
        pd.to_datetime(mat.iloc[dated]) - pd.to_datetime(issue.iloc[dated])
    ).dt.days.to_numpy(dtype=float)
    form = frame["interest_at_maturity_or_discount"].to_numpy(dtype=object)
    form_unknown = frame["interest_at_maturity_or_discount"].isna().to_numpy(dtype=bool)
    form_true = np.equal(form, True) & ~form_unknown
    refuse(
        muni & has_issue & ~has_mat_date,
        "maturity",
        "an issue date needs a maturity date (not years_to_maturity) to measure (B)(1)",
    )
    short_term = muni & (days_at_issue <= max_muni_days_at_issue)
    refuse(
        short_term & ~default & form_unknown,
        "interest_at_maturity_or_discount",
        f"matures within {max_muni_days_at_issue:.0f} days of issue: say whether it was "
        "issued at par paying interest at maturity or at a discount ((B)(1))",
    )
    refuse(
        muni & ~has_issue & form_true & ~default,
        "issue_date",
        "(B)(1) needs the date of issue to measure the scheduled maturity at issue",
    )
    route[muni & default] = "J"
    route[short_term & ~default & form_true] = "B1"
    r.take(muni & ~default, "B2")
    b1 = route == "B1"
    refuse(b1 & np.isnan(r.days), "maturity", "(B)(1) counts days: give a maturity date")


def _route_funds(r: _Routing) -> None:
    """(c)(2)(vi)(D): redeemable investment company shares, by what the fund holds."""
    frame, n, route, refuse = r.frame, r.n, r.route, r.refuse
    assets_missing = pd.isna(frame["fund_assets"]).to_numpy(dtype=bool)
    mmf = r.live & (r.cls == _SC.MONEY_MARKET_FUND.value)
    fund = r.live & (r.cls == _SC.REDEEMABLE_FUND.value)
    # the fund asset text is read on fund rows only
    fund_rows = np.flatnonzero(mmf | fund)
    fund_assets = np.where(
        assets_missing[fund_rows], "", frame["fund_assets"].to_numpy(dtype=object)[fund_rows]
    ).astype(str)

    def assets_are(kind: str) -> np.ndarray:
        out = np.zeros(n, dtype=bool)
        out[fund_rows] = fund_assets == kind
        return out

    refuse(
        mmf & ~assets_missing & ~assets_are(FundAssets.MONEY_MARKET.value),
        "fund_assets",
        "a money_market_fund holds money market assets; use redeemable_fund for others",
    )
    route[mmf] = "D1"
    refuse(
        fund & assets_missing,
        "fund_assets",
        "required for redeemable_fund: money_market, government, debt or other ((D))",
    )
    for fund_kind, code in (
        (FundAssets.MONEY_MARKET.value, "D1"),
        (FundAssets.GOVERNMENT.value, "D2"),
        (FundAssets.DEBT.value, "D3"),
        (FundAssets.OTHER.value, "J"),
    ):
        route[fund & assets_are(fund_kind)] = code


def _route_money_market(
    r: _Routing, max_cp_months_at_issue: float, bank_government_rates_from_months: float
) -> None:
    """(c)(2)(vi)(E) money market instruments; the (I) assessment gates them, else (J)."""
    frame, route, refuse, default, months = r.frame, r.route, r.refuse, r.default, r.months
    mmi_classes = [
        _SC.COMMERCIAL_PAPER.value,
        _SC.BANKERS_ACCEPTANCE.value,
        _SC.CERTIFICATE_OF_DEPOSIT.value,
    ]
    mmi = r.live & r.cls.isin(mmi_classes)
    cp = mmi & (r.cls == _SC.COMMERCIAL_PAPER.value)
    refuse(
        mmi & r.credit_unknown & ~default,
        "minimal_credit_risk",
        "give the outcome of the (I) creditworthiness assessment (required for (E))",
    )
    refuse(
        cp
        & _matures_after(frame["issue_date"].where(cp), frame["maturity"], max_cp_months_at_issue),
        "issue_date",
        f"matures more than {max_cp_months_at_issue:.0f} months after issue: not commercial "
        "paper under (E); classify it as nonconvertible_debt",
    )
    refuse(
        cp & (months >= bank_government_rates_from_months),
        "maturity",
        "commercial paper with a year or more to run is not (E) paper; classify it as "
        "nonconvertible_debt",
    )
    route[mmi & (default | (~r.credit_ok & ~r.credit_unknown))] = "J"
    eligible_mmi = mmi & ~default & r.credit_ok
    long_bank = eligible_mmi & ~cp & (months >= bank_government_rates_from_months)
    route[long_bank] = "E6"
    route[eligible_mmi & ~long_bank] = "E"
    refuse(
        (route == "E") & np.isnan(r.days),
        "maturity",
        "(E) counts days: give a maturity date, not years_to_maturity",
    )


def _route_debt_and_preferred(r: _Routing) -> None:
    """(c)(2)(vi)(F) nonconvertible debt and (H) preferred stock; (I) gates them, else (J)."""
    for klass, code in ((_SC.NONCONVERTIBLE_DEBT.value, "F"), (_SC.PREFERRED.value, "H")):
        rows = r.live & (r.cls == klass)
        r.refuse(
            rows & r.credit_unknown & ~r.default,
            "minimal_credit_risk",
            f"give the outcome of the (I) creditworthiness assessment (required for ({code}))",
        )
        r.route[rows & (r.default | (~r.credit_ok & ~r.credit_unknown))] = "J"
        r.route[rows & ~r.default & r.credit_ok] = code


def _route_convertible(r: _Routing) -> None:
    """(c)(2)(vi)(G): convertible debt below its principal amount under (F), else (J)."""
    frame, route, refuse, default, credit_ok = r.frame, r.route, r.refuse, r.default, r.credit_ok
    conv = r.live & (r.cls == _SC.CONVERTIBLE_DEBT.value)
    principal = frame["principal_amount"].to_numpy(dtype=float)
    value = frame["market_value"].to_numpy(dtype=float)
    refuse(
        conv & np.isnan(principal) & ~default,
        "principal_amount",
        "(G) compares market value with the principal amount: give principal_amount",
    )
    at_or_above = conv & (value >= principal)
    below = conv & (value < principal) & ~default
    refuse(
        below & r.credit_unknown,
        "minimal_credit_risk",
        "below its principal amount (G) sends it to (F): give the (I) assessment",
    )
    refuse(below & credit_ok & np.isnan(r.months), "maturity", "(F) rates need a maturity")
    route[conv & default] = "J"
    route[at_or_above & ~default] = "G_J"
    route[below & credit_ok] = "G_F"
    route[below & ~credit_ok & ~r.credit_unknown] = "G_J"


def _route_other(r: _Routing, min_market_makers: float) -> None:
    """(c)(2)(vi)(J) all other securities, its (J)(1)-(2) exemptions, and (K) limited markets."""
    frame, route, refuse = r.frame, r.route, r.refuse
    called = frame["called_within_90_days"].to_numpy(dtype=bool)
    converts = frame["converts_into_short_within_90_days"].to_numpy(dtype=bool)
    limited = frame["limited_market"].to_numpy(dtype=bool)
    makers = frame["market_makers"].to_numpy(dtype=float)
    other = r.live & r.cls.isin([_SC.EQUITY.value, _SC.OTHER_SECURITY.value])
    refuse(
        limited & ~other,
        "limited_market",
        "(K) is applied here to equity and other_security positions only",
    )
    lim = other & limited
    refuse(lim & np.isnan(makers), "market_makers", "(K) needs the number of market makers")
    refuse(
        lim & (makers == 0),
        "market_makers",
        "no market maker quotes it: no ready market, set ready_market=False ((vii))",
    )
    route[lim & (makers > 0) & (makers < min_market_makers)] = "K"
    route[other & _blank(route)] = "J"
    jrows = np.isin(route, ["J", "G_J"])
    refuse(
        called & ~jrows & ~_blank(route),
        "called_within_90_days",
        "the (J)(2) exemption is for securities charged under (J)",
    )
    refuse(
        converts & ~jrows & ~_blank(route),
        "converts_into_short_within_90_days",
        "the (J)(1) exemption is for securities charged under (J)",
    )
    route[(called | converts) & jrows] = "J2"
    refuse(
        ~frame["registered_deliverable"].to_numpy(dtype=bool) & (route != "COMMOD"),
        "registered_deliverable",
        "Appendix B (a)(3)(ix)(B) registration is for commodity inventory (class commodity)",
    )


def _checked(r: _Routing) -> np.ndarray:
    """The routes, or a `BookError` listing every refusal and every row left unrouted."""
    missing = _blank(r.route)
    if r.errors:
        raise BookError(r.errors)
    if missing.any():
        raise BookError(
            [
                RowError(
                    row_label(r.frame, int(i)),
                    "security_class",
                    f"{r.ids[i]!r}: no haircut paragraph for class {r.cls[i]!r} as {r.inst[i]!r}",
                )
                for i in np.flatnonzero(missing).tolist()
            ]
        )
    return r.route
