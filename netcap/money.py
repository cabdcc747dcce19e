"""Numeric policy for money.

netcap computes in IEEE float64 (numpy), which keeps a million-position book in
memory and vectorized.  float64 carries 15-16 significant digits, so sums of
positions up to about $10 trillion stay exact to well under a cent.

Reported figures are rounded to whole dollars, half away from zero, the way the
FOCUS report (Form X-17A-5) presents them.  Rounding happens once, at the
output boundary (reports, JSON, workbook), never between stages, so a rounded
total is the rounding of the exact total, not the sum of rounded parts.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

__all__ = ["CENT", "MAX_AMOUNT", "round_dollars", "round_percent"]

CENT = 0.005
"""Tolerance used by reconciliation checks (half a cent)."""

MAX_AMOUNT = 1e13
"""Largest dollar amount accepted in any one input field ($10 trillion).

Beyond it float64 no longer resolves cents, and a few such amounts can overflow a sum to
infinity; an input that large is a data error, so readers refuse it with its row and field
rather than compute with it.
"""


def _half_up(value: float, places: int) -> float:
    if not math.isfinite(value):
        raise ValueError(f"cannot round a non-finite amount: {value}")
    # repr() gives the shortest decimal that round-trips, so 272.49999999999997 from
    # float noise in e.g. 0.0725 * 50e6 / 1e6 is first cleaned to 12 significant places.
    cleaned = Decimal(repr(value)).quantize(Decimal(1).scaleb(-9), rounding=ROUND_HALF_UP)
    return float(cleaned.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def round_dollars(value: float) -> int:
    """Round a dollar amount to the whole dollar, half away from zero (FOCUS presentation)."""
    return int(_half_up(value, 0))


def round_percent(value: float, places: int = 0) -> float:
    """Round a percentage half away from zero, as the SEC's Table 10 rounds (272.5 -> 273)."""
    return _half_up(value, places)
