"""Liquidating-equity threshold of the market-maker alternative, 15c3-1(a)(6)(iii)(A)."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from netcap.model import Instrument, Side
from netcap.tables import load_schedule

__all__ = ["EXEMPTED_CLASSES", "market_maker_thresholds"]

EXEMPTED_CLASSES = ("government", "agency", "municipal")
"""Classes that are "exempted securities" (Exchange Act section 3(a)(12)) as cash positions."""


def market_maker_thresholds(frame: pd.DataFrame, on: date | None = None) -> pd.DataFrame:
    """Per-position liquidating-equity threshold of the (a)(6) market-maker alternative.

    15c3-1(a)(6)(iii)(A): 25% of the market value of long positions (5% for
    exempted securities) and 30% of short positions.  A futures contract is not
    itself an exempted security, so a long Treasury future takes 25% (as note 586
    of Release 34-99477 applies it).  Options and bona fide hedges take the
    Appendix A deductions instead; netcap does not compute those and refuses them.
    """
    table = load_schedule("market_maker", on)
    instrument = frame["instrument"].to_numpy()
    if (instrument == Instrument.OPTION.value).any():
        raise NotImplementedError(
            "(a)(6)(iii)(A): option positions take the Appendix A deductions, "
            "which netcap does not compute"
        )
    long = frame["side"].to_numpy() == Side.LONG.value
    exempted = np.isin(frame["security_class"].to_numpy(), EXEMPTED_CLASSES) & (
        instrument == Instrument.CASH.value
    )
    key = np.where(~long, "short", np.where(exempted, "long_exempted", "long"))
    keys = [str(k) for k in table.column("key")]
    rate_of = dict(zip(keys, table.column("rate").astype(float).tolist(), strict=True))
    cite_of = dict(zip(keys, table.column("citation").tolist(), strict=True))
    rates = {k: float(rate_of[k]) for k in ("long", "long_exempted", "short")}
    cites = {k: str(cite_of[k]) for k in rates}
    value = frame["market_value"].to_numpy(dtype=float)
    rate = np.array([rates[k] for k in key], dtype=float)
    return pd.DataFrame(
        {
            "id": frame["id"].to_numpy(),
            "basis": key,
            "rate": rate,
            "market_value": value,
            "threshold": rate * value,
            "citation": [cites[k] for k in key],
        }
    )
