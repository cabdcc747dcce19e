"""Fast prepare: a raw trade routed from the template of an earlier trade of the same shape.

Routing a trade through the one-row pandas path costs tens of milliseconds.  A
cash trade of a class routed without comparing its value or maturity with a
threshold is keyed by every field except its id, amounts, security id and
maturity; the maturity enters only as the bucket it falls in under each schedule
that buckets by maturity ((A)/(C) by months, (B)(2) and (F)(1) by years).  Two
trades with equal keys are routed alike and take the same rate, so the second is
prepared from the first's row with its own id and amounts (docs/pretrade.md).
"""

from __future__ import annotations

import bisect
import math
from dataclasses import replace
from datetime import date
from typing import Any

from netcap.book.maturity import complete_months
from netcap.book.model import Instrument, Position, SecurityClass
from netcap.pretrade.concentration import ConcentrationRules
from netcap.pretrade.parameters import Bounds
from netcap.pretrade.row import PoolRow

__all__ = ["FAST_CLASSES", "from_template", "template_key", "template_ok"]

FAST_CLASSES = frozenset(
    c.value
    for c in (
        SecurityClass.GOVERNMENT,
        SecurityClass.AGENCY,
        SecurityClass.CANADIAN_GOVERNMENT,
        SecurityClass.MUNICIPAL,
        SecurityClass.NONCONVERTIBLE_DEBT,
        SecurityClass.PREFERRED,
        SecurityClass.EQUITY,
        SecurityClass.NO_READY_MARKET,
        SecurityClass.CRYPTO_NON_SECURITY,
        SecurityClass.REDEEMABLE_FUND,
        SecurityClass.MONEY_MARKET_FUND,
    )
)
"""Classes the fast prepare serves: routed without comparing the maturity or the value with a
threshold (commercial paper, CDs and acceptances do; convertibles compare value with
principal; commodities are pooled by issue)."""

_KEY_FIELDS = tuple(
    k
    for k in Position.model_fields
    if k
    not in (
        "id",
        "market_value",
        "quantity",
        "price",
        "security_id",
        "maturity",
        "years_to_maturity",
    )
)


def _bucket(lower: list[float], upper: list[float], measure: float) -> int:
    """Scalar form of `netcap.rule.tables.Schedule.bucket_index` (-1 where no bucket holds it)."""
    if math.isnan(measure):
        return -1
    i = bisect.bisect_right(lower, measure) - 1
    return i if i >= 0 and measure < upper[i] else -1


def _served(p: Position, elected: set[str]) -> bool:
    """A cash trade of a fast class, no link, no election, text the validator keeps as is."""
    return not (
        p.security_class.value not in FAST_CLASSES
        or p.instrument != Instrument.CASH
        or p.deliverable_position is not None
        or p.hedge_with is not None
        or p.id in elected
        or (p.maturity is not None and p.years_to_maturity is not None)
        or (p.maturity is not None and p.security_class == SecurityClass.MUNICIPAL)
        or p.id != p.id.strip()  # text the frame validator would normalize
        or (p.security_id is not None and p.security_id.strip() != p.security_id)
        or p.security_id == ""
    )


def template_key(
    p: Position, on: date, bounds: tuple[Bounds, ...], elected: set[str]
) -> tuple[Any, ...] | None:
    """Routing-relevant fields of a trade, or None where the fast path does not apply."""
    if not _served(p, elected):
        return None
    if p.years_to_maturity is not None:
        months = p.years_to_maturity * 12.0
    elif p.maturity is not None:
        months = float(complete_months(on, p.maturity))
    else:
        months = math.nan
    sig = (math.isnan(months), *(_bucket(lo, up, months / k) for lo, up, k in bounds))
    d = p.__dict__
    return (sig, *(d[k] for k in _KEY_FIELDS))


def template_ok(row: PoolRow, p: Position) -> bool:
    """The pandas row is linear in the value the way `from_template` assumes."""
    return (
        row.family != "FUT"
        and not row.fut_citation
        and row.fixed == 0.0
        and row.exposure == row.signed
        and row.gross == row.rate * abs(row.exposure)
        and p.value > 0
    )


def from_template(tpl: PoolRow, p: Position, rules: ConcentrationRules) -> PoolRow:
    """The trade's row: the template's routing with this trade's id and amounts."""
    value = p.value
    signed = value if p.side.value == "long" else -value
    gross = tpl.rate * abs(signed)
    absx = abs(signed)
    effective = gross / absx if absx > 0 else tpl.rate
    if tpl.route in ("J", "G_J"):
        m_rate = rules.j_rate
    elif tpl.route == "J2":
        m_rate = rules.j_exempt_rate
    else:
        m_rate = rules.fraction * effective
    qty = p.quantity
    price = value / qty if qty is not None and qty > 0 else 0.0
    issue = p.security_id if p.security_id is not None else p.id
    return replace(
        tpl,
        pid=p.id,
        exposure=signed,
        gross=gross,
        m_issue=issue if tpl.m_issue else "",
        m_rate=m_rate,
        m_price=price,
        signed=signed,
    )
