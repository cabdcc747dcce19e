"""Time to maturity, measured the way the haircut schedules word it.

The schedules of 15c3-1(c)(2)(vi) bucket by calendar periods ("less than 3
months", "2 years but less than 3 years", "25 years or more").  A security
maturing exactly 3 calendar months after the as-of date has 3 months to
maturity and falls in the "3 months but less than 6 months" bucket.

We therefore measure *complete calendar months*: the largest n such that the
as-of date moved forward n months (clipped to month end, so Jan 31 + 1 month is
Feb 28/29) is on or before the maturity date.  A maturity given as a number of
years is converted as ``years * 12`` months.  Day-count schedules (municipal
securities, commercial paper) use `days_to_maturity`.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = ["complete_months", "complete_months_array", "days_to_maturity"]


def _days_in_month(
    year: npt.NDArray[np.int64], month: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    first = (year - 1970) * 12 + (month - 1)
    start = first.astype("datetime64[M]")
    days = (start + 1).astype("datetime64[D]") - start.astype("datetime64[D]")
    return np.asarray(days.astype(np.int64), dtype=np.int64)


def complete_months_array(
    as_of: date, maturity: npt.NDArray[np.datetime64]
) -> npt.NDArray[np.float64]:
    """Complete calendar months from ``as_of`` to each maturity (NaT gives NaN).

    A maturity before the as-of date gives a negative count; callers reject it.
    """
    m = np.asarray(maturity, dtype="datetime64[D]")
    valid = ~np.isnat(m)
    out = np.full(m.shape, np.nan)
    if not valid.any():
        return out
    mv = m[valid]
    months = mv.astype("datetime64[M]").astype(np.int64)
    my, mm = months // 12 + 1970, months % 12 + 1
    md = (mv - mv.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    ay, am, ad = as_of.year, as_of.month, as_of.day
    n = (my - ay) * 12 + (mm - am)
    # day of the month that as_of + n months lands on, clipped to that month's end
    landing = np.minimum(ad, _days_in_month(my, mm))
    n = np.where(md < landing, n - 1, n)
    out[valid] = n
    return out


def complete_months(as_of: date, maturity: date) -> int:
    """Complete calendar months from ``as_of`` to ``maturity`` (scalar form)."""
    value = complete_months_array(as_of, np.array([np.datetime64(maturity, "D")]))[0]
    return int(value)


def days_to_maturity(as_of: date, maturity: pd.Series) -> pd.Series:
    """Calendar days from ``as_of`` to each maturity date."""
    return (pd.to_datetime(maturity) - pd.Timestamp(as_of)).dt.days
