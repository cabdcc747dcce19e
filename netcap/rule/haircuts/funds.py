"""Redeemable investment company shares: 15c3-1(c)(2)(vi)(D).

The rate depends on what the fund holds (``fund_assets``, or the
``money_market_fund`` class), from ``haircut_tables/funds.csv``:

* (D)(1) a money market fund described in Rule 2a-7: 2%;
* (D)(2) a fund holding cash or the securities and money market instruments of
  (A)-(C) or (E): 7%;
* (D)(3) a fund holding cash or those of (A)-(C), (E) and (F): 9%.

Each rate applies to the greater of the long or the short position across all
the fund shares of its sub-paragraph.  (D)(3) speaks of "the long or short
position" where (D)(1)-(2) say "the greater of"; netcap reads (D)(3) the same
way (see docs/haircuts.md).  A fund with other assets (``fund_assets="other"``)
has no (D) rate and is charged under (J).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netcap.rule.haircuts.detail import Labels, ParagraphHaircut, build_detail
from netcap.rule.haircuts.netting import greater_of
from netcap.rule.haircuts.rows import Rows
from netcap.rule.tables import Schedule

__all__ = ["FUND_KEYS", "fund_haircut"]

FUND_KEYS = {"D1": "money_market", "D2": "government", "D3": "debt"}
"""Route code to the key of its row in ``haircut_tables/funds.csv``."""


def fund_haircut(
    rows: Rows,
    exposure: np.ndarray,
    notes: np.ndarray,
    routes: np.ndarray,
    schedule: Schedule,
) -> ParagraphHaircut:
    """The (D) charge: per sub-paragraph, its rate on the greater of long or short."""
    routed, group = np.unique(np.asarray(routes, dtype=str), return_inverse=True)
    codes = [str(c) for c in routed]
    group = np.asarray(group, dtype=np.int64).reshape(-1)
    keys = [FUND_KEYS[c] for c in codes]
    rates = np.array([schedule.rate(k) for k in keys])
    cites = np.array([schedule.citation(k) for k in keys], dtype=object)
    g = greater_of(group, exposure, rates, len(codes))
    detail = build_detail(
        Labels(group, cites),
        Labels(group, np.array(keys, dtype=object)),
        rates[group],
        exposure,
        rates[group] * np.abs(exposure),
        g.row_charge,
        notes,
    )
    sheet = pd.DataFrame(
        {
            "bucket": keys,
            "rate": rates,
            "long_value": g.long,
            "short_value": g.short,
            "deduction": g.deduction,
            "citation": cites,
        }
    )
    return ParagraphHaircut(detail, {"funds": sheet})
