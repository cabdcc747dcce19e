"""Securities with no ready market, and non-security crypto assets.

15c3-1(c)(2)(vii) deducts 100% of the carrying value of a security for which
there is no ready market as defined in (c)(11), and of a security that cannot
be publicly offered or sold because of a statutory, regulatory or contractual
restriction.  A position reaches it through the ``no_ready_market`` class or
``ready_market=False`` on any cash security; ``market_value`` is read as the
carrying value.  The deduction applies to short positions too.

A crypto asset that is not a security is not a security at all, so no haircut
paragraph reaches it: it is an asset that cannot readily be converted into
cash, deducted in full under 15c3-1(c)(2)(iv).  The Commission's 2024 dealer
release says as much in its discussion of capital costs (note 573): holdings of
such assets add nothing to net capital.  netcap charges it here, at 100% of
market value, so a book can carry the position and show the deduction with its
citation (``haircut_tables/non_allowable.csv``).  Do not also include the same
asset in the balance sheet's ``non_allowable_assets``.
"""

from __future__ import annotations

import numpy as np

from netcap.rule.haircuts.detail import ParagraphHaircut, build_detail
from netcap.rule.haircuts.rows import Rows
from netcap.rule.tables import Schedule

__all__ = ["LIMITATIONS", "full_deduction"]

LIMITATIONS = {
    "15c3-1(c)(11)": "whether a ready market exists (quotations almost instantaneously, "
    "settlement within trade custom, or bank-loan collateral under (c)(11)(ii)) is the firm's "
    "determination, given per position as ready_market; netcap does not test it",
}


def full_deduction(
    rows: Rows, exposure: np.ndarray, notes: np.ndarray, schedule: Schedule, key: str
) -> ParagraphHaircut:
    """The table's rate (100%) on each position's whole value, no netting."""
    rate = schedule.rate(key)
    charge = rate * np.abs(exposure)
    detail = build_detail(
        schedule.citation(key),
        key,
        rate,
        exposure,
        charge,
        charge,
        notes,
    )
    return ParagraphHaircut(detail)
