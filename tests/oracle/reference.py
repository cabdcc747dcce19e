"""Reference haircuts: one pass over positions, dicts and plain arithmetic.

Input: raw position records (dicts with the columns of a position file; dates
as ``date``/``Timestamp``/``None``), the as-of date and net capital before any
position deduction (after the balance-sheet deductions).  Tentative net capital
((c)(15)) is that less the 100% deductions of (c)(2)(vii) and non-security
crypto; the (M)(1) base is tentative net capital less the Appendix B charges.
Output: the total and the charge by citation, with the netted charges of a
paragraph split over its positions the way the engine documents its detail
(greater side, in proportion to market value; the (A) categories in proportion
to each position's gross charge), so totals by citation compare.

Scope: the default elections (no (A)(2), (A)(3), (A)(5); no (F)(2) hedges, no
(L) reductions; futures membership "other", no account equity).  Options are
not charged here (Appendix A is not modelled): an option row only counts in
the (M) position of its underlying's issue, at units x underlying price, long
for a held call or written put, short otherwise ((M)(1)).
"""

from __future__ import annotations

import calendar
import math
from collections import defaultdict
from datetime import date, timedelta
from typing import Any

Row = dict[str, Any]

P = "15c3-1(c)(2)(vi)"

# ---- percentages, typed in from the rule text ----------------------------------------
# (A)(1): (upper bound in months, rate, category); last bucket unbounded
GOV = [
    (3, 0.0, 1),
    (6, 0.005, 1),
    (9, 0.0075, 1),
    (12, 0.01, 1),
    (24, 0.015, 2),
    (36, 0.02, 2),
    (60, 0.03, 3),
    (120, 0.04, 3),
    (180, 0.045, 4),
    (240, 0.05, 4),
    (300, 0.055, 4),
    (math.inf, 0.06, 4),
]
# (B)(1): days to maturity
MUNI_SHORT = [
    (30, 0.0, "i"),
    (91, 0.00125, "ii"),
    (181, 0.0025, "iii"),
    (271, 0.00375, "iv"),
    (366, 0.005, "v"),
    (456, 0.0075, "vi"),
    (732, 0.01, "vii"),
]
# (B)(2): years to maturity
MUNI = [
    (1, 0.01, "i"),
    (2, 0.02, "ii"),
    (3.5, 0.03, "iii"),
    (5, 0.04, "iv"),
    (7, 0.05, "v"),
    (10, 0.055, "vi"),
    (15, 0.06, "vii"),
    (20, 0.065, "viii"),
    (math.inf, 0.07, "ix"),
]
# (E)(1)-(5): days to maturity
MMI = [(30, 0.0, 1), (91, 0.00125, 2), (181, 0.0025, 3), (271, 0.00375, 4), (math.inf, 0.005, 5)]
# (F)(1): years to maturity
DEBT = [
    (1, 0.02, "i"),
    (2, 0.03, "ii"),
    (3, 0.05, "iii"),
    (5, 0.06, "iv"),
    (10, 0.07, "v"),
    (15, 0.075, "vi"),
    (20, 0.08, "vii"),
    (25, 0.085, "viii"),
    (math.inf, 0.09, "ix"),
]
FUND_RATE = {"D1": 0.02, "D2": 0.07, "D3": 0.09}
PREFERRED_RATE = 0.10
J_RATE = 0.15
K_RATE = 0.40
COMMODITY_RATE = 0.20
FUTURES_MULTIPLE = 2.0  # Appendix B (a)(3)(xiv)(C) and (D), firm neither clearing nor SRO member


# ---- small helpers ----------------------------------------------------------------------
def _date(v: Any) -> date | None:
    if v is None:
        return None
    if isinstance(v, float) and math.isnan(v):
        return None
    if hasattr(v, "to_pydatetime"):
        if str(v) == "NaT":
            return None
        return v.to_pydatetime().date()  # type: ignore[no-any-return]
    if isinstance(v, date):
        return v
    text = str(v)
    if text in ("", "NaT", "nan", "None"):
        return None
    return date.fromisoformat(text[:10])


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or str(v).strip() == ""


def _num(v: Any) -> float | None:
    if v is None or v == "":
        return None
    x = float(v)
    return None if math.isnan(x) else x


def _flag(v: Any, default: bool | None) -> bool | None:
    if v is None or (isinstance(v, float) and math.isnan(v)) or v == "":
        return default
    if isinstance(v, str):
        return v.strip().lower() in ("true", "t", "yes", "y", "1")
    return bool(v)


def months_between(start: date, end: date) -> int:
    """Whole calendar months from ``start`` to ``end`` (start + n months, clipped, <= end)."""
    n = (end.year - start.year) * 12 + (end.month - start.month)
    landing_day = min(start.day, calendar.monthrange(end.year, end.month)[1])
    if end.day < landing_day:
        n -= 1
    return n


def weekdays_between(start: date, end: date) -> int:
    """Monday-Friday days d with start <= d < end."""
    count = 0
    d = start
    while d < end and d.weekday() != 0:  # walk to a Monday
        count += d.weekday() < 5
        d += timedelta(days=1)
    if d < end:
        weeks = (end - d).days // 7
        count += 5 * weeks
        d += timedelta(days=7 * weeks)
        while d < end:
            count += d.weekday() < 5
            d += timedelta(days=1)
    return count


def _find(table: list[tuple[float, float, Any]], x: float) -> tuple[float, Any]:
    for upper, rate, key in table:
        if x < upper:
            return rate, key
    raise ValueError(f"no bucket for {x}")


def _gov_bucket(months: float) -> int:
    for i, (upper, _, _) in enumerate(GOV):
        if months < upper:
            return i
    raise AssertionError


# ---- the computation ---------------------------------------------------------------------
def reference_haircuts(
    rows: list[Row], as_of: date, capital_before_position_deductions: float
) -> tuple[float, dict[str, float]]:
    """Total of every position charge and the charge by citation (add-ons under their own)."""
    pos: list[Row] = []
    for r in rows:
        p = dict(r)
        p["value"] = float(r["market_value"])
        p["sign"] = 1.0 if str(r["side"]).strip().lower() == "long" else -1.0
        p["cls"] = str(r["security_class"]).strip().lower()
        inst = r.get("instrument")
        p["inst"] = "cash" if _blank(inst) else str(inst).strip().lower()
        mat = _date(r.get("maturity"))
        years = _num(r.get("years_to_maturity"))
        p["mat"] = mat
        p["months"] = months_between(as_of, mat) if mat else (years * 12 if years else None)
        p["days"] = (mat - as_of).days if mat else None
        p["covered"] = 0.0
        pos.append(p)
    by_id = {p["id"]: p for p in pos}

    # Appendix B (a)(3)(ix)(A): long inventory covered by a short futures contract
    left: dict[str, float] = {}
    for p in pos:
        link = p.get("deliverable_position")
        if _blank(link):
            continue
        c = by_id[link]
        if c["inst"] == "cash" and c["cls"] == p["cls"] and p["sign"] < 0 and c["sign"] > 0:
            room = left.get(c["id"], c["value"])
            amount = min(room, p["value"])
            left[c["id"]] = room - amount
            p["covered"] += amount
            c["covered"] += amount
    for p in pos:
        p["expo"] = p["sign"] * (p["value"] - p["covered"])

    # ---- which paragraph ----
    for p in pos:
        cls, default = p["cls"], _flag(p.get("in_default"), False)
        credit = _flag(p.get("minimal_credit_risk"), None)
        ready = _flag(p.get("ready_market"), True)
        if p["inst"] == "option":
            p["route"] = "OPT"  # Appendix A is not modelled here; the option counts in (M)
        elif p["inst"] == "future":
            p["route"] = "A" if cls in ("government", "agency") else "FUT"
        elif not ready or cls == "no_ready_market":
            p["route"] = "VII"
        elif cls == "crypto_non_security":
            p["route"] = "CRYPTO"
        elif cls in ("government", "agency"):
            p["route"] = "A"
        elif cls == "canadian_government":
            p["route"] = "C"
        elif cls == "commodity":
            p["route"] = "COMMOD"
        elif cls == "municipal":
            issued = _date(p.get("issue_date"))
            short = (
                issued is not None
                and p["mat"] is not None
                and (p["mat"] - issued).days <= 731
                and _flag(p.get("interest_at_maturity_or_discount"), None) is True
            )
            p["route"] = "J" if default else ("B1" if short else "B2")
        elif cls == "money_market_fund":
            p["route"] = "D1"
        elif cls == "redeemable_fund":
            assets = str(p.get("fund_assets")).lower()
            p["route"] = {"money_market": "D1", "government": "D2", "debt": "D3"}.get(assets, "J")
        elif cls in ("commercial_paper", "bankers_acceptance", "certificate_of_deposit"):
            if default or credit is not True:
                p["route"] = "J"
            elif cls != "commercial_paper" and p["months"] >= 12:
                p["route"] = "E6"
            else:
                p["route"] = "E"
        elif cls == "nonconvertible_debt":
            p["route"] = "J" if default or credit is not True else "F"
        elif cls == "convertible_debt":
            principal = _num(p.get("principal_amount"))
            if default or p["value"] >= principal or credit is not True:  # type: ignore[operator]
                p["route"] = "G_J"
            else:
                p["route"] = "G_F"
        elif cls == "preferred":
            p["route"] = "J" if default or credit is not True else "H"
        else:  # equity, other_security
            makers = _num(p.get("market_makers"))
            limited = _flag(p.get("limited_market"), False)
            p["route"] = "K" if limited and makers is not None and 0 < makers < 3 else "J"
        # (J)'s proviso: (1) converts within 90 days into a security held short, (2) called
        # for redemption and redeemable within 90 days: "No deduction need be made"
        exempt = _flag(p.get("called_within_90_days"), False) or _flag(
            p.get("converts_into_short_within_90_days"), False
        )
        if p["route"] in ("J", "G_J") and exempt:
            p["route"] = "J2"
        p["charge"] = 0.0
        p["cite"] = ""
        p["rate"] = 0.0

    # ---- (A) and (C): subcategory netting, then category netting plus 50% of lesser --------
    for code, cite_all in (("A", None), ("C", f"{P}(C)")):
        group = [p for p in pos if p["route"] == code]
        if not group:
            continue
        net = defaultdict(float)
        for p in group:
            p["bucket"] = _gov_bucket(p["months"])
            p["rate"] = GOV[p["bucket"]][1]
            net[p["bucket"]] += p["expo"]
        long_ded: dict[int, float] = defaultdict(float)
        short_ded: dict[int, float] = defaultdict(float)
        for b, v in net.items():
            cat = GOV[b][2]
            if v > 0:
                long_ded[cat] += GOV[b][1] * v
            elif v < 0:
                short_ded[cat] += GOV[b][1] * -v
        for cat in (1, 2, 3, 4):
            lo, sh = long_ded[cat], short_ded[cat]
            deduction = abs(lo - sh) + 0.5 * min(lo, sh)
            members = [p for p in group if GOV[p["bucket"]][2] == cat]
            gross = [p["rate"] * abs(p["expo"]) for p in members]
            total = sum(gross)
            for p, g in zip(members, gross, strict=True):
                p["charge"] = deduction * g / total if total > 0 else deduction / len(members)
        for p in group:
            if p["covered"] > 0 and p["expo"] == 0:
                p["cite"] = "15c3-1b(a)(3)(ix)(A)"
            elif cite_all:
                p["cite"] = cite_all
            else:
                p["cite"] = f"{P}(A)(4)" if p["inst"] == "future" else f"{P}(A)(1)"

    # ---- the greater of long or short per bucket: (B), (D), (E), (F), (H) -----------------
    pools: dict[tuple[str, Any], list[Row]] = defaultdict(list)
    for p in pos:
        r = p["route"]
        if r == "B1":
            p["rate"], key = _find(MUNI_SHORT, p["days"])
            p["cite"] = f"{P}(B)(1)({key})"
        elif r == "B2":
            p["rate"], key = _find(MUNI, p["months"] / 12)
            p["cite"] = f"{P}(B)(2)({key})"
        elif r in FUND_RATE:
            p["rate"], key = FUND_RATE[r], r
            p["cite"] = f"{P}(D)({r[1]})"
        elif r == "E":
            p["rate"], key = _find(MMI, p["days"])
            p["cite"] = f"{P}(E)({key})"
        elif r == "E6":
            key = _gov_bucket(p["months"])
            p["rate"] = GOV[key][1]
            p["cite"] = f"{P}(E)(6)"
        elif r in ("F", "G_F"):
            p["rate"], key = _find(DEBT, p["months"] / 12)
            p["cite"] = f"{P}(F)(1)({key})" if r == "F" else f"{P}(G)"
        elif r == "H":
            p["rate"], key = PREFERRED_RATE, "h"
            p["cite"] = f"{P}(H)"
        else:
            continue
        family = "F" if r in ("F", "G_F") else r
        pools[(family, key)].append(p)
    for members in pools.values():
        longs = sum(p["expo"] for p in members if p["expo"] > 0)
        shorts = -sum(p["expo"] for p in members if p["expo"] < 0)
        rate = members[0]["rate"]
        deduction = rate * max(longs, shorts)
        greater = [p for p in members if (p["expo"] > 0 if longs >= shorts else p["expo"] < 0)]
        weight = sum(abs(p["expo"]) for p in greater)
        for p in greater:
            p["charge"] = deduction * abs(p["expo"]) / weight if weight > 0 else 0.0

    # ---- (J): one pool; 15% of the greater side plus 15% of the lesser side above 25% -----
    pool = [p for p in pos if p["route"] in ("J", "G_J")]
    if pool:
        longs = sum(p["expo"] for p in pool if p["expo"] > 0)
        shorts = -sum(p["expo"] for p in pool if p["expo"] < 0)
        big, small = max(longs, shorts), min(longs, shorts)
        on_greater = [p for p in pool if (p["expo"] > 0 if longs >= shorts else p["expo"] < 0)]
        greater_ids = {id(p) for p in on_greater}
        on_lesser = [p for p in pool if id(p) not in greater_ids]
        for side, amount in (
            (on_greater, J_RATE * big),
            (on_lesser, J_RATE * max(0.0, small - 0.25 * big)),
        ):
            weight = sum(abs(p["expo"]) for p in side)
            for p in side:
                p["charge"] = amount * abs(p["expo"]) / weight if weight > 0 else 0.0
        for p in pool:
            p["rate"] = J_RATE
            p["cite"] = f"{P}(G)" if p["route"] == "G_J" else f"{P}(J)"
    for p in pos:
        if p["route"] == "J2":
            p["cite"] = f"{P}(J)(2)"

    # ---- (K)(ii), (vii), crypto: each position on its own ----------------------------------
    for p in pos:
        if p["route"] == "K":
            p["rate"], p["cite"] = K_RATE, f"{P}(K)(ii)"
        elif p["route"] == "VII":
            p["rate"], p["cite"] = 1.0, "15c3-1(c)(2)(vii)"
        elif p["route"] == "CRYPTO":
            p["rate"], p["cite"] = 1.0, "15c3-1(c)(2)(iv)"
        else:
            continue
        p["charge"] = p["rate"] * abs(p["expo"])

    # ---- Appendix B (a)(3)(ix)(C): 20% of the net position in each commodity --------------
    commodities: dict[str, list[Row]] = defaultdict(list)
    for p in pos:
        if p["route"] == "COMMOD":
            sid = p.get("security_id")
            commodities[p["id"] if _blank(sid) else str(sid)].append(p)
    for members in commodities.values():
        net = sum(p["expo"] for p in members)
        same = [p for p in members if p["expo"] != 0 and (p["expo"] > 0) == (net > 0)]
        weight = sum(abs(p["expo"]) for p in same)
        for p in members:
            p["cite"] = (
                "15c3-1b(a)(3)(ix)(A)"
                if p["covered"] > 0 and p["expo"] == 0
                else "15c3-1b(a)(3)(ix)(C)"
            )
            p["rate"] = COMMODITY_RATE
        for p in same:
            p["charge"] = COMMODITY_RATE * abs(net) * abs(p["expo"]) / weight

    # ---- Appendix B (a)(3)(xiv): futures, 200% of margin on the uncovered part -----------
    add_ons: dict[str, float] = defaultdict(float)
    for p in pos:
        if p["inst"] != "future":
            continue
        maint, clearing = _num(p.get("maintenance_margin")), _num(p.get("clearing_margin"))
        initial = _num(p.get("initial_margin"))
        given = [m for m in (maint, clearing) if m is not None]
        if given:
            margin, cite = max(given), "15c3-1b(a)(3)(xiv)(C)"
        elif initial is not None:
            margin, cite = initial, "15c3-1b(a)(3)(xiv)(D)"
        else:
            continue  # a government future without margin: (A) only
        uncovered = abs(p["expo"]) / p["value"] if p["value"] > 0 else 0.0
        amount = FUTURES_MULTIPLE * margin * uncovered
        if p["route"] == "FUT":
            p["charge"], p["cite"] = amount, cite
            p["rate"] = FUTURES_MULTIPLE
        else:
            add_ons[cite] += amount

    # ---- (M) undue concentration ---------------------------------------------------------
    # 10% of net capital before (vi) and Appendix A: after (vii), crypto and Appendix B
    before_tentative = sum(p["charge"] for p in pos if p["route"] in ("VII", "CRYPTO"))
    appendix_b = sum(p["charge"] for p in pos if p["cite"].startswith("15c3-1b"))
    appendix_b += sum(a for c, a in add_ons.items() if c.startswith("15c3-1b"))
    base = capital_before_position_deductions - before_tentative - appendix_b
    add_ons[f"{P}(M)"] += _concentration(pos, as_of, base)

    by_cite: dict[str, float] = defaultdict(float)
    for p in pos:
        by_cite[p["cite"]] += p["charge"]
    for cite, amount in add_ons.items():
        if amount:
            by_cite[cite] += amount
    total = sum(by_cite.values())
    return total, dict(by_cite)


# (M)(2) applies (M) notwithstanding (J)'s exemptions "except for long or short position
# exemptions arising out of the first proviso to paragraph (c)(2)(vi)(J)": J2 stays out.
_IN_SCOPE = {"B1", "B2", "C", "E", "E6", "F", "G_F", "G_J", "H", "J", "K"}
_EQUITY = {"equity", "preferred"}
_DEBT = {
    "canadian_government",
    "commercial_paper",
    "bankers_acceptance",
    "certificate_of_deposit",
    "nonconvertible_debt",
    "convertible_debt",
}


def _concentration(pos: list[Row], as_of: date, ncbh: float) -> float:
    """(M): per issue, the excess over the threshold (10% of ``ncbh``) times the add-on rate."""
    issues: dict[str, list[Row]] = defaultdict(list)
    for p in pos:
        if p["route"] not in _IN_SCOPE or p["cls"] in ("money_market_fund", "redeemable_fund"):
            continue
        muni = p["cls"] == "municipal"
        since = _date(p.get("underwritten_on")) or (_date(p.get("issue_date")) if muni else None)
        if since is not None and weekdays_between(since, as_of) <= (20 if muni else 11):
            continue
        sid = p.get("security_id")
        issues[p["id"] if _blank(sid) else str(sid)].append(p)
    # (M)(1) "including any option written, endorsed or held to purchase or sell securities
    # of such a single class or series": the option counts in its underlying's issue at the
    # value of the shares it covers; a held call or written put is long, the others short
    for p in pos:
        if p["inst"] != "option":
            continue
        covers = float(p["units"]) * float(p["underlying_price"])
        is_call = str(p["option_type"]).strip().lower() == "call"
        long_exposure = (p["sign"] > 0) == is_call
        issues[str(p["underlying"])].append(
            {
                "option": True,
                "cls": p["cls"],
                "sign": 1.0 if long_exposure else -1.0,
                "value": covers,
                "share_price": float(p["underlying_price"]),
            }
        )
    total = 0.0
    for members in issues.values():
        net = sum(p["sign"] * p["value"] for p in members)
        rate = 0.0
        for p in members:
            # (J) securities 15% (an option here is on equity: its securities are (J)'s);
            # others 50% of the deduction otherwise applied
            r = 0.15 if p.get("option") or p["route"] in ("J", "G_J") else 0.5 * p["rate"]
            rate = max(rate, r)
        cls = members[0]["cls"]
        floor = 0.0
        if cls in _EQUITY:
            price = 0.0
            for p in members:
                if p.get("option"):
                    price = max(price, p["share_price"])
                    continue
                q = _num(p.get("quantity"))
                if q and q > 0:
                    price = max(price, p["value"] / q)
            floor = max(10_000.0, 500 * price)
        elif cls in _DEBT:
            floor = 25_000.0
        elif cls == "municipal":
            note = any(_flag(p.get("municipal_note"), False) for p in members)
            floor = 5_000_000.0 if note else 500_000.0
        ten_pct = 0.10 * ncbh
        if cls == "municipal":
            # (M)(4) is a gate: the issue is reached only if it exceeds the greater
            # of the floor and 10% of tentative net capital; what is charged is
            # still (M)(1)'s portion above 10% of net capital
            if abs(net) <= max(floor, ten_pct):
                continue
            total += rate * (abs(net) - ten_pct)
            continue
        # (M)(3): only the value above the floor, and (M)(1): only above 10%
        total += rate * max(0.0, abs(net) - max(floor, ten_pct))
    return total
