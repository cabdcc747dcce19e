"""Realistic synthetic books for benchmarks and agreement tests.

:func:`synthetic_frame` builds a raw position frame directly with numpy (no
per-position Python objects), in the columns of :data:`netcap.book.frame.COLUMNS`;
:func:`synthetic_book` validates it and pairs it with a :class:`~netcap.book.firm.Book`
holding the balance sheet, ready for ``netcap.compute(book, positions=frame)``.

What a book contains (shares are of the number of positions):

* every security class the engine charges: government, agency, Canadian
  government, municipal (short-term (B)(1) and (B)(2)), money market and other
  redeemable funds, commercial paper, bankers' acceptances, CDs (under and over
  one year), nonconvertible and convertible debt, preferred, equity, other
  securities, limited-market securities ((K) and (J) by market makers),
  securities called for redemption ((J)(2)), no-ready-market securities
  ((vii)), non-security crypto and commodity inventory;
* failed (I) assessments and defaults, which send (E), (F), (H) classes to (J);
* maturities spread over every bucket of every schedule, with a share placed
  exactly on bucket edges (whole calendar months from the as-of date for the
  month schedules; whole days for the day schedules);
* long and short positions;
* government and commodity futures, some covering long inventory
  (``deliverable_position``, Appendix B (a)(3)(ix)(A)) and some uncovered;
* issues of very different sizes, so a few exceed 10% of net capital before
  haircuts and (c)(2)(vi)(M) fires;
* equity options (Appendix A, 15c3-1a), about 2% of positions: listed and a few
  unlisted calls and puts, long and short, unpaired, and half of them paired
  (``offsets``) with an equity row of their underlying issue as (b)(2)(iii)(D)
  long put / long stock, long call / short stock and short call / long stock.
  ``options=False`` leaves them out (the per-position reference in the tests
  does not model Appendix A).

Net worth is chosen so that the firm is solvent with a margin: haircuts come to
about a third to a half of tentative net capital (see :func:`synthetic_book`).

Run ``python -m benchmarks.synthetic 100000 out.csv`` to write one to disk.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import pandas as pd

from netcap.book.firm import BalanceSheet, Book
from netcap.book.frame import COLUMNS, validate_frame

__all__ = [
    "AS_OF",
    "NET_WORTH_SHARE",
    "SyntheticBook",
    "book_for",
    "synthetic_book",
    "synthetic_frame",
]

AS_OF = date(2024, 6, 28)
"""A Friday; day 28 exists in every month, so whole-month maturities are exact."""

# (kind, weight).  A "kind" is a class plus the facts that route it.
_KINDS: tuple[tuple[str, float], ...] = (
    ("gov", 0.16),
    ("agency", 0.05),
    ("gov_future_cover", 0.02),  # short gov future covering a long gov cash row
    ("gov_future", 0.02),  # uncovered gov future (some with margin)
    ("canadian", 0.03),
    ("muni_b1", 0.04),
    ("muni_b2", 0.06),
    ("mmf", 0.02),
    ("fund_gov", 0.015),
    ("fund_debt", 0.015),
    ("fund_other", 0.01),
    ("cp", 0.03),
    ("ba", 0.02),
    ("cd", 0.02),
    ("cd_long", 0.02),
    ("mmi_no_credit", 0.01),
    ("debt", 0.10),
    ("debt_no_credit", 0.01),
    ("debt_default", 0.01),
    ("conv_below", 0.02),
    ("conv_above", 0.02),
    ("preferred", 0.03),
    ("preferred_no_credit", 0.005),
    ("equity", 0.18),
    ("other_security", 0.03),
    ("limited_k", 0.01),
    ("limited_j", 0.01),
    ("called", 0.01),
    ("no_ready_market", 0.01),
    ("not_ready_equity", 0.005),
    ("crypto", 0.01),
    ("commodity", 0.01),
    ("commodity_future_cover", 0.01),
    ("commodity_future", 0.01),
    ("option", 0.01),  # unpaired equity option
    ("option_paired", 0.01),  # equity option paired with the row before (its underlying)
)
_OPTION_KINDS = ("option", "option_paired")

_GOV_EDGES = np.array([0, 3, 6, 9, 12, 24, 36, 60, 120, 180, 240, 300, 360])
_MUNI_EDGES = np.array([0, 12, 24, 42, 60, 84, 120, 180, 240, 360])
_DEBT_EDGES = np.array([0, 12, 24, 36, 60, 120, 180, 240, 300, 360])
_DAY_EDGES = np.array([1, 30, 91, 181, 271, 365])
_B1_DAY_EDGES = np.array([1, 30, 91, 181, 271, 366, 456, 700])


@dataclass(frozen=True)
class SyntheticBook:
    """A book (balance sheet only) and its validated position frame."""

    book: Book
    frame: pd.DataFrame


def _months_maturity(rng: np.random.Generator, n: int, edges: np.ndarray) -> np.ndarray:
    """Maturity dates: a third exactly on a bucket edge (whole months), the rest anywhere."""
    base = np.datetime64(AS_OF, "M")
    exact = rng.random(n) < 1 / 3
    k_edge = rng.choice(edges[:-1], n)
    k_edge = np.where(k_edge == 0, 1, k_edge)  # "0 months" is the as-of date: use 1
    k_any = rng.integers(int(edges[0]) + 1, int(edges[-1]), n)
    k = np.where(exact, k_edge, k_any)
    # day 28 of month AS_OF + k is exactly k months out; earlier days are k - 1 months
    day = np.where(exact, 27, rng.integers(0, 28, n))
    return (base + k).astype("datetime64[D]") + day


def _days_maturity(rng: np.random.Generator, n: int, edges: np.ndarray) -> np.ndarray:
    exact = rng.random(n) < 1 / 3
    d = np.where(exact, rng.choice(edges[:-1], n), rng.integers(1, int(edges[-1]), n))
    return np.datetime64(AS_OF, "D") + d


def synthetic_frame(n: int, seed: int = 0, *, options: bool = True) -> pd.DataFrame:
    """A raw position frame of exactly ``n`` rows, built vectorized.

    ``options=False`` leaves out the option rows (their share goes to the other kinds).
    """
    rng = np.random.default_rng(seed)
    kinds = [(k, w) for k, w in _KINDS if options or k not in _OPTION_KINDS]
    names = np.array([k for k, _ in kinds])
    weights = np.array([w for _, w in kinds])
    kind = rng.choice(names, n, p=weights / weights.sum())
    # covered futures need a long cash row to cover: pair them with the row before
    cover = np.isin(kind, ["gov_future_cover", "commodity_future_cover"])
    cover[0] = False
    cover &= ~np.isin(np.roll(kind, 1), ["gov_future_cover", "commodity_future_cover"])
    prev = np.flatnonzero(cover) - 1
    kind[prev] = np.where(kind[np.flatnonzero(cover)] == "gov_future_cover", "gov", "commodity")
    # a row that was just made cash inventory must not itself be a covering future
    cover[prev] = False
    # a paired option needs the row before as its underlying: an equity row made for it,
    # unless that row is already part of a futures cover (then the option stays unpaired)
    paired = kind == "option_paired"
    paired[0] = False
    in_cover = cover.copy()
    in_cover[prev] = True
    paired &= ~np.roll(in_cover, 1) & ~np.roll(paired, 1)
    kind[(kind == "option_paired") & ~paired] = "option"
    kind[np.flatnonzero(paired) - 1] = "opt_underlying"

    def is_(*ks: str) -> np.ndarray:
        return np.isin(kind, ks)

    cls = np.full(n, "equity", dtype=object)
    for ks, c in (
        (("gov", "gov_future_cover", "gov_future"), "government"),
        (("agency",), "agency"),
        (("canadian",), "canadian_government"),
        (("muni_b1", "muni_b2"), "municipal"),
        (("mmf",), "money_market_fund"),
        (("fund_gov", "fund_debt", "fund_other"), "redeemable_fund"),
        (("cp",), "commercial_paper"),
        (("ba",), "bankers_acceptance"),
        (("cd", "cd_long", "mmi_no_credit"), "certificate_of_deposit"),
        (("debt", "debt_no_credit", "debt_default"), "nonconvertible_debt"),
        (("conv_below", "conv_above"), "convertible_debt"),
        (("preferred", "preferred_no_credit"), "preferred"),
        (
            (
                "equity",
                "limited_k",
                "limited_j",
                "called",
                "not_ready_equity",
                "opt_underlying",
                *_OPTION_KINDS,
            ),
            "equity",
        ),
        (("other_security",), "other_security"),
        (("no_ready_market",), "no_ready_market"),
        (("crypto",), "crypto_non_security"),
        (("commodity", "commodity_future_cover", "commodity_future"), "commodity"),
    ):
        cls[is_(*ks)] = c
    future = is_("gov_future_cover", "gov_future", "commodity_future_cover", "commodity_future")
    instrument = np.where(future, "future", "cash").astype(object)
    option = is_(*_OPTION_KINDS)
    instrument[option] = "option"

    side = np.where(rng.random(n) < 0.7, "long", "short").astype(object)
    side[is_("crypto")] = "long"
    side[cover] = "short"
    side[np.flatnonzero(cover) - 1] = "long"

    value = np.round(np.exp(rng.normal(11.0, 1.2, n)), 2)  # median about $60,000

    maturity = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    for ks, edges in (
        (("gov", "agency", "gov_future_cover", "gov_future", "canadian"), _GOV_EDGES),
        (("muni_b2",), _MUNI_EDGES),
        (("debt", "debt_no_credit", "debt_default", "conv_below", "conv_above"), _DEBT_EDGES),
    ):
        rows = np.flatnonzero(is_(*ks))
        maturity[rows] = _months_maturity(rng, len(rows), edges)
    rows = np.flatnonzero(is_("cp", "ba", "cd", "mmi_no_credit"))
    maturity[rows] = _days_maturity(rng, len(rows), _DAY_EDGES)
    # commercial paper: under nine months to run, so it was (E) paper at issue
    rows = np.flatnonzero(is_("cp"))
    maturity[rows] = _days_maturity(rng, len(rows), _DAY_EDGES[:5])
    rows = np.flatnonzero(is_("cd_long"))
    maturity[rows] = _months_maturity(rng, len(rows), _GOV_EDGES[4:])
    rows = np.flatnonzero(is_("muni_b1"))
    maturity[rows] = _days_maturity(rng, len(rows), _B1_DAY_EDGES)

    issue_date = np.full(n, np.datetime64("NaT"), dtype="datetime64[D]")
    # (B)(1): issued at most 731 days before maturity; some issued recently, so the
    # (M)(4) 20-business-day holding period has not run yet
    rows = np.flatnonzero(is_("muni_b1"))
    latest = np.minimum((maturity[rows] - np.datetime64(AS_OF, "D")).astype(np.int64), 731)
    term = latest + rng.integers(0, 731 - latest + 1)
    issue_date[rows] = maturity[rows] - term.astype("timedelta64[D]")
    issue_date[rows] = np.minimum(issue_date[rows], np.datetime64(AS_OF, "D"))
    rows = np.flatnonzero(is_("muni_b2"))
    issue_date[rows] = np.datetime64(AS_OF, "D") - rng.integers(0, 400, len(rows))

    credit = np.full(n, None, dtype=object)
    credit[is_("cp", "ba", "cd", "cd_long", "debt", "conv_below", "preferred")] = True
    credit[is_("mmi_no_credit", "debt_no_credit", "preferred_no_credit")] = False
    in_default = is_("debt_default")

    principal = np.full(n, np.nan)
    rows = np.flatnonzero(is_("conv_below", "conv_above"))
    factor = np.where(is_("conv_below")[rows], 1.1, 0.9)
    principal[rows] = np.round(value[rows] * factor, 2)
    # exactly at par goes to (J) with the "above" side
    at_par = rows[(rng.random(len(rows)) < 0.2) & is_("conv_above")[rows]]
    principal[at_par] = value[at_par]

    fund_assets = np.full(n, None, dtype=object)
    fund_assets[is_("fund_gov")] = "government"
    fund_assets[is_("fund_debt")] = "debt"
    fund_assets[is_("fund_other")] = "other"

    limited = is_("limited_k", "limited_j")
    makers = np.full(n, np.nan)
    makers[is_("limited_k")] = rng.integers(1, 3, int(is_("limited_k").sum()))
    makers[is_("limited_j")] = rng.integers(3, 8, int(is_("limited_j").sum()))

    maint = np.full(n, np.nan)
    init = np.full(n, np.nan)
    fut = np.flatnonzero(future)
    margin = np.round(value[fut] * rng.uniform(0.02, 0.08, len(fut)), 2)
    use_initial = rng.random(len(fut)) < 0.2
    maint[fut[~use_initial]] = margin[~use_initial]
    init[fut[use_initial]] = margin[use_initial]
    # a share of government futures come without margin (only (A) charges them)
    gov_fut = future & (cls == "government")
    no_margin = gov_fut & (rng.random(n) < 0.5)
    maint[no_margin] = np.nan
    init[no_margin] = np.nan

    ids = pd.Series(np.arange(n)).astype(str).radd("p").to_numpy(dtype=object)
    deliverable = np.full(n, None, dtype=object)
    deliverable[cover] = ids[np.flatnonzero(cover) - 1]

    # issues: Zipf-like sizes per class, so a few issues are large
    issue_no = np.minimum(rng.zipf(1.6, n), 5000)
    route_tag = pd.Series(kind).map(_ISSUE_TAG).to_numpy(dtype=object)
    security_id = (
        pd.Series(route_tag, dtype="string") + "-" + pd.Series(issue_no).astype("string")
    ).to_numpy(dtype=object)
    # (vii), crypto, funds, futures: each position its own issue (out of (M) anyway)
    own = is_(
        "no_ready_market",
        "not_ready_equity",
        "crypto",
        "gov_future_cover",
        "gov_future",
        "commodity_future_cover",
        "commodity_future",
        *_OPTION_KINDS,
    )
    security_id[own] = ids[own]
    commodity_name = np.array(["corn", "wheat", "gold", "copper", "crude"], dtype=object)
    comm = np.flatnonzero(is_("commodity"))
    security_id[comm] = commodity_name[rng.integers(0, 5, len(comm))]

    equity_like = is_("equity", "preferred", "preferred_no_credit", "limited_j", "called")
    quantity = np.where(equity_like, np.round(value / rng.uniform(2, 200, n)), np.nan)
    opt = _options(rng, n, option, paired, side, value, quantity, security_id)

    raw = pd.DataFrame(
        {
            "id": ids,
            "security_class": cls,
            "instrument": instrument,
            "side": side,
            "market_value": value,
            "maturity": maturity,
            "years_to_maturity": np.nan,
            "issuer": route_tag,
            "security_id": security_id,
            "deliverable_position": deliverable,
            "quantity": quantity,
            "in_default": in_default,
            "minimal_credit_risk": credit,
            "issue_date": issue_date,
            "interest_at_maturity_or_discount": np.where(
                is_("muni_b1"), True, np.where(is_("muni_b2"), False, None)
            ),
            "municipal_note": is_("muni_b1"),
            "fund_assets": fund_assets,
            "principal_amount": principal,
            "hedge_with": None,
            "ready_market": ~is_("not_ready_equity"),
            "limited_market": limited,
            "market_makers": makers,
            "called_within_90_days": is_("called"),
            "underwritten_on": pd.NaT,
            "maintenance_margin": maint,
            "clearing_margin": np.nan,
            "initial_margin": init,
            "cleared_by_firm": True,
            **opt,
        },
        columns=list(COLUMNS),
    )
    return raw


def _options(
    rng: np.random.Generator,
    n: int,
    option: np.ndarray,
    paired: np.ndarray,
    side: np.ndarray,
    value: np.ndarray,
    quantity: np.ndarray,
    security_id: np.ndarray,
) -> dict[str, np.ndarray]:
    """Option columns for the option rows; sets side, value and quantity of paired pairs.

    An option covers ``units`` shares (100 per contract) of an equity issue at
    ``underlying_price``; its market value is its in-the-money amount plus a time
    value of 1-5% of the underlying value.  A paired option's row before is an
    equity position of exactly ``units`` shares (value ``units x price``) in the
    issue the option names, on the side its pair needs ((b)(2)(iii)(D)).
    """
    rows = np.flatnonzero(option)
    m = len(rows)
    call = rng.random(m) < 0.5
    price = np.round(rng.uniform(10.0, 200.0, m), 2)
    strike = np.round(price * rng.uniform(0.8, 1.2, m))
    units = 100.0 * rng.integers(1, 20, m)
    itm = units * np.where(call, np.maximum(price - strike, 0), np.maximum(strike - price, 0))
    mv = np.round(itm + units * price * rng.uniform(0.01, 0.05, m), 2)
    expiry = np.datetime64(AS_OF, "D") + rng.integers(1, 270, m)
    listed = np.full(m, True, dtype=object)
    under = np.full(m, None, dtype=object)
    # unpaired: an equity issue of the book; a tenth of them unlisted
    loose = ~paired[rows]
    under[loose] = ("EQ-" + pd.Series(rng.integers(1, 50, int(loose.sum()))).astype(str)).to_numpy(
        dtype=object
    )
    listed[loose & (rng.random(m) < 0.1)] = False
    # paired ((b)(2)(iii)(D)): 0 long put / long stock, 1 long call / short stock,
    # 2 short call / long stock
    pr = np.flatnonzero(~loose)
    strategy = rng.integers(0, 3, len(pr))
    call[pr] = strategy != 0
    opt_side = np.where(strategy == 2, "short", "long")
    stock_side = np.where(strategy == 1, "short", "long")
    itm[pr] = units[pr] * np.where(
        call[pr], np.maximum(price[pr] - strike[pr], 0), np.maximum(strike[pr] - price[pr], 0)
    )
    mv[pr] = np.round(itm[pr] + units[pr] * price[pr] * rng.uniform(0.01, 0.05, len(pr)), 2)
    stock = rows[pr] - 1
    side[rows[pr]] = opt_side
    side[stock] = stock_side
    quantity[stock] = units[pr]
    value[stock] = np.round(units[pr] * price[pr], 2)
    under[pr] = security_id[stock]
    offsets = np.full(n, None, dtype=object)
    offsets[rows[pr]] = pd.Series(stock).astype(str).radd("p").to_numpy(dtype=object)
    value[rows] = mv

    def col(values: np.ndarray, blank: object, dtype: Any = object) -> np.ndarray:
        out = np.full(n, blank, dtype=dtype)
        out[rows] = values
        return out

    return {
        "option_type": col(np.where(call, "call", "put"), None),
        "strike": col(strike, np.nan, float),
        "underlying_price": col(price, np.nan, float),
        "units": col(units, np.nan, float),
        "listed": col(listed, None),
        "expiry": col(expiry, np.datetime64("NaT"), "datetime64[D]"),
        "underlying": col(under, None),
        "offsets": offsets,
    }


_ISSUE_TAG = {
    "gov": "UST",
    "agency": "AGY",
    "gov_future_cover": "USTF",
    "gov_future": "USTF",
    "canadian": "CAN",
    "muni_b1": "MUNIN",
    "muni_b2": "MUNIB",
    "mmf": "MMF",
    "fund_gov": "FUNDG",
    "fund_debt": "FUNDD",
    "fund_other": "FUNDO",
    "cp": "CP",
    "ba": "BA",
    "cd": "CD",
    "cd_long": "CDL",
    "mmi_no_credit": "CDJ",
    "debt": "CORP",
    "debt_no_credit": "CORPJ",
    "debt_default": "CORPD",
    "conv_below": "CONVF",
    "conv_above": "CONVJ",
    "preferred": "PFD",
    "preferred_no_credit": "PFDJ",
    "equity": "EQ",
    "other_security": "OTH",
    "limited_k": "LIMK",
    "limited_j": "LIMJ",
    "called": "CALL",
    "no_ready_market": "NRM",
    "not_ready_equity": "NRE",
    "crypto": "BTC",
    "commodity": "COMM",
    "commodity_future_cover": "COMMF",
    "commodity_future": "COMMF",
    "opt_underlying": "EQ",
    "option": "OPT",
    "option_paired": "OPT",
}
"""Issue prefix per kind: one issue is charged under one paragraph."""


NET_WORTH_SHARE = 0.2
"""Net worth as a share of gross market value.

The haircuts of these books come to roughly 8-9% of gross market value, so at a
fifth of it they are about two fifths of tentative net capital and net
capital stays well positive, while 10% of tentative net capital (2% of gross)
is still small enough that the largest issues exceed it and (M) fires.
"""


def synthetic_book(n: int, seed: int = 0, *, options: bool = True) -> SyntheticBook:
    """A validated synthetic book of ``n`` positions (see :func:`synthetic_frame`).

    Net worth is :data:`NET_WORTH_SHARE` of gross market value.
    """
    raw = synthetic_frame(n, seed, options=options)
    frame = validate_frame(raw, AS_OF)
    return SyntheticBook(book=book_for(frame), frame=frame)


def book_for(frame: pd.DataFrame) -> Book:
    """The balance sheet of a synthetic book: net worth :data:`NET_WORTH_SHARE` of gross value."""
    gross = float(np.asarray(frame["market_value"], dtype=float).sum())
    return Book(
        as_of=AS_OF, balance_sheet=BalanceSheet(net_worth=round(NET_WORTH_SHARE * gross, 2))
    )


def main(argv: list[str]) -> None:
    n = int(argv[1]) if len(argv) > 1 else 10_000
    out = argv[2] if len(argv) > 2 else f"synthetic_{n}.csv"
    synthetic_frame(n).to_csv(out, index=False)
    print(f"wrote {n} positions to {out}")


if __name__ == "__main__":
    main(sys.argv)
